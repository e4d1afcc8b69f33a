import * as assert from "assert";
import { StreamingIngestion, STREAM_ERROR_PREFIX, STREAM_PREFIX } from "../../../components/ingestion/streaming";
import { PlatformConfig } from "../../../components/shared/config";
import { Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, one, ofType } from "../../support/platform";
import { ALLOW_ALL, evaluate } from "../../support/iam";
import { bucketRef, decide, documentOf, MODES, platformConfig, record, STACKS } from "./support";

const build = (cfg: PlatformConfig, name = "ingest-stream") => () =>
    new StreamingIngestion(name, { context: contextOf(cfg), config: cfg.ingestion.streaming, keys: fakeKeys(cfg), landingBucket: bucketRef(cfg, "landing") });

describe("components/ingestion/streaming: StreamingIngestion", () => {
    for (const stack of STACKS) {
        for (const mode of MODES) {
            describe(`${stack}, ${mode}`, () => {
                const cfg = platformConfig(stack);
                const keys = fakeKeys(cfg);
                const landing = bucketRef(cfg, "landing");
                const prefix = `${cfg.naming.prefix}-${stack}`;
                const arn = (svc: string, res: string) => `arn:aws:${svc}:us-east-1:${cfg.naming.accountId}:${res}`;
                let rec: Recording;
                before(async () => {
                    rec = await record(cfg, stack, mode, build(cfg));
                });

                it("creates an on-demand stream encrypted with the streaming key, retention from config, protected in prod", async () => {
                    const stream = one(rec, "aws:kinesis/stream:Stream", "ingest-stream-stream");
                    assert.deepStrictEqual(inputs(stream), {
                        name: `${prefix}-ingest-stream`,
                        streamModeDetails: { streamMode: "ON_DEMAND" },
                        retentionPeriod: cfg.ingestion.streaming.retentionHours,
                        encryptionType: "KMS",
                        kmsKeyId: keys.streaming.arn,
                        tags: { "data-classification": "phi" },
                    });
                    assert.strictEqual(stream.options.protect, stack === "prod");
                    const component = one(rec, "healthcare:ingestion:StreamingIngestion", "ingest-stream");
                    assert.strictEqual(descendants(rec, component.urn).length, rec.resources.length - 2, "every resource is parented under the component");
                });

                it("delivers from the stream to the landing zone with SSE-KMS, per-customer dynamic partitioning and error logging", async () => {
                    const firehose = inputs(one(rec, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "ingest-stream-firehose"));
                    const s3 = firehose.extendedS3Configuration as Record<string, unknown>;
                    assert.strictEqual(firehose.name, `${prefix}-ingest-stream-landing`);
                    assert.deepStrictEqual(firehose.kinesisSourceConfiguration, {
                        kinesisStreamArn: arn("kinesis", `stream/${prefix}-ingest-stream`),
                        roleArn: `arn:aws:iam::${cfg.naming.accountId}:role/${prefix}-ingest-stream-firehose`,
                    });
                    assert.strictEqual(firehose.serverSideEncryption, undefined, "not allowed with a stream source; the stream is encrypted");
                    assert.strictEqual(s3.bucketArn, landing.arn);
                    assert.strictEqual(s3.kmsKeyArn, keys.dataLake.arn);
                    assert.strictEqual(s3.prefix, "customer=!{partitionKeyFromQuery:customer}/source=stream/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/");
                    assert.strictEqual(s3.prefix, STREAM_PREFIX);
                    assert.strictEqual(s3.errorOutputPrefix, STREAM_ERROR_PREFIX);
                    assert.strictEqual(s3.bufferingSize, cfg.ingestion.streaming.bufferMiB);
                    assert.strictEqual(s3.bufferingInterval, cfg.ingestion.streaming.bufferSeconds);
                    assert.deepStrictEqual(s3.dynamicPartitioningConfiguration, { enabled: true });
                    const processors = (s3.processingConfiguration as { processors: { type: string; parameters?: unknown[] }[] }).processors;
                    assert.deepStrictEqual(processors[0], {
                        type: "MetadataExtraction",
                        parameters: [
                            { parameterName: "MetadataExtractionQuery", parameterValue: "{customer: .customer}" },
                            { parameterName: "JsonParsingEngine", parameterValue: "JQ-1.6" },
                        ],
                    });
                    const logGroup = inputs(one(rec, "aws:cloudwatch/logGroup:LogGroup", "ingest-stream-firehose-errors"));
                    assert.deepStrictEqual(s3.cloudwatchLoggingOptions, {
                        enabled: true,
                        logGroupName: `/aws/kinesisfirehose/${prefix}-ingest-stream-landing`,
                        logStreamName: "DestinationDelivery",
                    });
                    assert.strictEqual(logGroup.name, `/aws/kinesisfirehose/${prefix}-ingest-stream-landing`);
                    assert.strictEqual(logGroup.kmsKeyId, keys.logs.arn);
                    assert.strictEqual(logGroup.retentionInDays, cfg.logging.retentionDays);
                    assert.strictEqual(logGroup.deletionProtectionEnabled, stack === "prod");
                });

                it(stack === "prod" ? "converts to Parquet through a schema-only Glue table (firehoseParquet: true)" : "writes gzipped JSON lines and no Glue table (firehoseParquet: false)", async () => {
                    const s3 = inputs(one(rec, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "ingest-stream-firehose")).extendedS3Configuration as Record<string, unknown>;
                    const processorTypes = (s3.processingConfiguration as { processors: { type: string }[] }).processors.map((p) => p.type);
                    if (stack === "prod") {
                        assert.strictEqual(cfg.ingestion.streaming.parquetConversion, true);
                        assert.deepStrictEqual(s3.dataFormatConversionConfiguration, {
                            enabled: true,
                            inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
                            outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
                            schemaConfiguration: {
                                databaseName: "hdp_prod_ingest_stream_schema",
                                tableName: "records",
                                roleArn: `arn:aws:iam::${cfg.naming.accountId}:role/hdp-prod-ingest-stream-firehose`,
                            },
                        });
                        assert.strictEqual(s3.compressionFormat, "UNCOMPRESSED");
                        assert.deepStrictEqual(processorTypes, ["MetadataExtraction"]);
                        const table = inputs(one(rec, "aws:glue/catalogTable:CatalogTable", "ingest-stream-schema-table"));
                        assert.strictEqual(table.databaseName, "hdp_prod_ingest_stream_schema");
                        const columns = (table.storageDescriptor as { columns: { name: string }[] }).columns.map((c) => c.name);
                        assert.deepStrictEqual(columns, ["customer", "record_type", "message_id", "event_time", "source_system", "payload"]);
                    } else {
                        assert.strictEqual(s3.dataFormatConversionConfiguration, undefined);
                        assert.strictEqual(s3.compressionFormat, "GZIP");
                        assert.deepStrictEqual(processorTypes, ["MetadataExtraction", "AppendDelimiterToRecord"]);
                        assert.deepStrictEqual(ofType(rec, "aws:glue/catalogTable:CatalogTable"), []);
                        assert.deepStrictEqual(ofType(rec, "aws:glue/catalogDatabase:CatalogDatabase"), []);
                    }
                });

                it("has policy documents known at preview: the producer may only put records, Firehose may only write the stream's prefixes", async () => {
                    const account = cfg.naming.accountId;
                    const producer = `arn:aws:iam::${account}:role/${prefix}-ingest-stream-producer`;
                    const producerPolicy = documentOf(one(rec, "aws:iam/rolePolicy:RolePolicy", "ingest-stream-producer-policy"), "policy");
                    const streamArn = arn("kinesis", `stream/${prefix}-ingest-stream`);
                    const asProducer = (action: string, resource = streamArn) => decide(producer, [producerPolicy], { action, resource }, account);
                    assert.strictEqual(await asProducer("kinesis:PutRecords"), "Allowed");
                    assert.strictEqual(await asProducer("kinesis:PutRecord"), "Allowed");
                    for (const action of ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DeleteStream", "kinesis:SplitShard", "kinesis:DescribeStream"]) {
                        assert.strictEqual(await asProducer(action), "ImplicitlyDenied", action);
                    }
                    assert.strictEqual(await asProducer("kinesis:PutRecords", arn("kinesis", "stream/another-stream")), "ImplicitlyDenied");
                    const keyArn = arn("kms", "key/00000003-aaaa-4bbb-8ccc-000000000009");
                    const kmsContext = (via: string) => ({
                        "kms:ResourceAliases": [keys.streaming.aliasName],
                        "kms:ViaService": `${via}.us-east-1.amazonaws.com`,
                        "kms:EncryptionContext:aws:kinesis:arn": streamArn,
                    });
                    assert.strictEqual(await decide(producer, [producerPolicy], { action: "kms:GenerateDataKey", resource: keyArn, context: kmsContext("kinesis") }, account), "Allowed");
                    assert.strictEqual(await decide(producer, [producerPolicy], { action: "kms:GenerateDataKey", resource: keyArn, context: kmsContext("s3") }, account), "ImplicitlyDenied");
                    assert.strictEqual(await decide(producer, [producerPolicy], { action: "kms:Decrypt", resource: keyArn, context: kmsContext("kinesis") }, account), "ImplicitlyDenied");

                    const firehoseRole = `arn:aws:iam::${account}:role/${prefix}-ingest-stream-firehose`;
                    const firehosePolicy = documentOf(one(rec, "aws:iam/rolePolicy:RolePolicy", "ingest-stream-firehose-policy"), "policy");
                    const asFirehose = (action: string, resource: string) => decide(firehoseRole, [firehosePolicy], { action, resource }, account);
                    assert.strictEqual(await asFirehose("s3:PutObject", `${landing.arn}/customer=st-marys/source=stream/year=2025/month=01/day=02/hour=03/f.parquet`), "Allowed");
                    assert.strictEqual(await asFirehose("s3:PutObject", `${landing.arn}/errors/source=stream/processing-failed/year=2025/month=01/day=02/x`), "Allowed");
                    assert.strictEqual(await asFirehose("s3:PutObject", `${landing.arn}/customer=st-marys/source=file-gateway/x`), "ImplicitlyDenied");
                    assert.strictEqual(await asFirehose("s3:DeleteObject", `${landing.arn}/customer=st-marys/source=stream/x`), "ImplicitlyDenied");
                    assert.strictEqual(await asFirehose("s3:PutObject", `${bucketRef(cfg, "raw").arn}/customer=st-marys/source=stream/x`), "ImplicitlyDenied");
                    assert.strictEqual(await asFirehose("kinesis:GetRecords", streamArn), "Allowed");
                    assert.strictEqual(await asFirehose("kinesis:PutRecords", streamArn), "ImplicitlyDenied");
                    const trust = documentOf(one(rec, "aws:iam/role:Role", "ingest-stream-firehose-role"), "assumeRolePolicy");
                    assert.deepStrictEqual(trust.Statement[0].Condition, {
                        StringEquals: { "aws:SourceAccount": account },
                        ArnLike: { "aws:SourceArn": arn("firehose", `deliverystream/${prefix}-ingest-stream-landing`) },
                    });
                });
            });
        }
    }

    it("the producer role trusts only the configured producers; without any, only MFA-authenticated principals of the account", async () => {
        const assume = async (cfg: PlatformConfig, principal: string, context: Record<string, string> = {}) => {
            const rec = await record(cfg, "prod", "preview", build(cfg));
            const trust = documentOf(one(rec, "aws:iam/role:Role", "ingest-stream-producer-role"), "assumeRolePolicy");
            const account = cfg.naming.accountId;
            return evaluate({
                principal,
                action: "sts:AssumeRole",
                resource: `arn:aws:iam::${account}:role/hdp-prod-ingest-stream-producer`,
                resourceAccount: account,
                context: { "aws:PrincipalArn": principal, "aws:PrincipalAccount": account, ...context },
                identityPolicies: [ALLOW_ALL],
                resourcePolicy: trust,
            });
        };
        const byDefault = platformConfig("prod");
        const account = byDefault.naming.accountId;
        const app = `arn:aws:iam::${account}:role/some-application`;
        assert.strictEqual(await assume(byDefault, app), "ImplicitlyDenied", "any role of the account, without MFA");
        assert.strictEqual(await assume(byDefault, `arn:aws:iam::${account}:user/operator`, { "aws:MultiFactorAuthPresent": "true" }), "Allowed", "a person with MFA");
        const engine = `arn:aws:iam::${account}:role/ehr-interface-engine`;
        const configured = platformConfig("prod", { streamProducerPrincipalArns: [engine] });
        assert.strictEqual(await assume(configured, engine), "Allowed", "the configured producer");
        assert.strictEqual(await assume(configured, app), "ImplicitlyDenied", "another role of the account");
        assert.throws(() => platformConfig("prod", { streamProducerPrincipalArns: ["arn:aws:iam::999999999999:role/x"] }), /streamProducerPrincipalArns\[0\]: expected an IAM role or user ARN of account 345678901234/);
    });

    it("uses provisioned shards when kinesisMode is PROVISIONED", async () => {
        const cfg = platformConfig("dev", { kinesisMode: "PROVISIONED", kinesisShardCount: 4 });
        const rec = await record(cfg, "dev", "preview", build(cfg));
        const stream = inputs(one(rec, "aws:kinesis/stream:Stream", "ingest-stream-stream"));
        assert.deepStrictEqual(stream.streamModeDetails, { streamMode: "PROVISIONED" });
        assert.strictEqual(stream.shardCount, 4);
    });

    it("lets two instances coexist: every physical name differs", async () => {
        const cfg = platformConfig("dev");
        const rec = await record(cfg, "dev", "preview", () => {
            build(cfg, "ingest-a")();
            build(cfg, "ingest-b")();
        });
        // Names unique per account and region; inline policies, log streams and tables are scoped to their parent.
        const scoped = new Set(["aws:iam/rolePolicy:RolePolicy", "aws:cloudwatch/logStream:LogStream", "aws:glue/catalogTable:CatalogTable"]);
        const names = rec.resources.filter((r) => r.custom && !scoped.has(r.type)).map((r) => `${r.type}:${String(inputs(r).name)}`);
        assert.strictEqual(names.length, 10);
        assert.deepStrictEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
        assert.strictEqual(ofType(rec, "aws:kinesis/stream:Stream").length, 2);
    });
});
