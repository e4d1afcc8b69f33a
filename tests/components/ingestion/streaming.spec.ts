import * as assert from "assert";
import { StreamingIngestion, streamErrorPrefix, streamPrefix } from "../../../components/ingestion/streaming";
import { PlatformConfig } from "../../../components/shared/config";
import { Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, one, ofType } from "../../support/platform";
import { ALLOW_ALL, evaluate } from "../../support/iam";
import { bucketRef, decide, documentOf, MODES, platformConfig, record, STACKS } from "./support";

const build = (cfg: PlatformConfig, name = "ingest-stream", customers: readonly string[] = cfg.customers) => () =>
    new StreamingIngestion(name, { context: contextOf(cfg), config: cfg.ingestion.streaming, customers, keys: fakeKeys(cfg), landingBucket: bucketRef(cfg, "landing") });

/** Resources per customer: stream, log stream, Firehose role and policy, Firehose, producer role and policy. */
const PER_CUSTOMER = 7;

describe("components/ingestion/streaming: StreamingIngestion", () => {
    for (const stack of STACKS) {
        for (const mode of MODES) {
            describe(`${stack}, ${mode}`, () => {
                const cfg = platformConfig(stack);
                const keys = fakeKeys(cfg);
                const landing = bucketRef(cfg, "landing");
                const prefix = `${cfg.naming.prefix}-${stack}`;
                const account = cfg.naming.accountId;
                const arn = (svc: string, res: string) => `arn:aws:${svc}:us-east-1:${account}:${res}`;
                const [a, b] = cfg.customers;
                let rec: Recording;
                before(async () => {
                    rec = await record(cfg, stack, mode, build(cfg));
                });

                it("creates one on-demand stream per customer, encrypted with the streaming key, tagged with its customer, protected in prod", async () => {
                    assert.ok(cfg.customers.length >= 2, "the stacks configure at least two customers");
                    assert.strictEqual(ofType(rec, "aws:kinesis/stream:Stream").length, cfg.customers.length);
                    for (const c of cfg.customers) {
                        const stream = one(rec, "aws:kinesis/stream:Stream", `ingest-stream-${c}-stream`);
                        assert.deepStrictEqual(inputs(stream), {
                            name: `${prefix}-ingest-stream-${c}`,
                            streamModeDetails: { streamMode: "ON_DEMAND" },
                            retentionPeriod: cfg.ingestion.streaming.retentionHours,
                            encryptionType: "KMS",
                            kmsKeyId: keys.streaming.arn,
                            tags: { "data-classification": "phi", customer: c },
                        });
                        assert.strictEqual(stream.options.protect, stack === "prod");
                    }
                    const component = one(rec, "healthcare:ingestion:StreamingIngestion", "ingest-stream");
                    assert.strictEqual(descendants(rec, component.urn).length, rec.resources.length - 2, "every resource is parented under the component");
                });

                it("delivers each customer's stream under that customer's fixed prefix: no partitioning on a record field a producer controls", async () => {
                    for (const c of cfg.customers) {
                        const firehose = inputs(one(rec, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", `ingest-stream-${c}-firehose`));
                        const s3 = firehose.extendedS3Configuration as Record<string, unknown>;
                        assert.strictEqual(firehose.name, `${prefix}-ingest-stream-${c}-landing`);
                        assert.deepStrictEqual(firehose.tags, { "data-classification": "phi", customer: c });
                        assert.deepStrictEqual(firehose.kinesisSourceConfiguration, {
                            kinesisStreamArn: arn("kinesis", `stream/${prefix}-ingest-stream-${c}`),
                            roleArn: `arn:aws:iam::${account}:role/${prefix}-ingest-stream-${c}-firehose`,
                        });
                        assert.strictEqual(firehose.serverSideEncryption, undefined, "not allowed with a stream source; the stream is encrypted");
                        assert.strictEqual(s3.bucketArn, landing.arn);
                        assert.strictEqual(s3.kmsKeyArn, keys.dataLake.arn);
                        assert.strictEqual(s3.prefix, `customer=${c}/source=stream/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/`);
                        assert.strictEqual(s3.prefix, streamPrefix(c));
                        assert.strictEqual(s3.errorOutputPrefix, `errors/source=stream/customer=${c}/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/`);
                        assert.strictEqual(s3.errorOutputPrefix, streamErrorPrefix(c));
                        assert.ok(!JSON.stringify(firehose).includes("partitionKeyFromQuery"), "the tenant never comes from the record");
                        assert.strictEqual(s3.dynamicPartitioningConfiguration, undefined);
                        assert.strictEqual(s3.bufferingSize, cfg.ingestion.streaming.bufferMiB);
                        assert.strictEqual(s3.bufferingInterval, cfg.ingestion.streaming.bufferSeconds);
                        assert.deepStrictEqual(s3.cloudwatchLoggingOptions, {
                            enabled: true,
                            logGroupName: `/aws/kinesisfirehose/${prefix}-ingest-stream-landing`,
                            logStreamName: `DestinationDelivery-${c}`,
                        });
                        assert.strictEqual(inputs(one(rec, "aws:cloudwatch/logStream:LogStream", `ingest-stream-${c}-firehose-errors-stream`)).name, `DestinationDelivery-${c}`);
                    }
                    const logGroup = inputs(one(rec, "aws:cloudwatch/logGroup:LogGroup", "ingest-stream-firehose-errors"));
                    assert.strictEqual(ofType(rec, "aws:cloudwatch/logGroup:LogGroup").length, 1, "one log group for every customer's errors");
                    assert.strictEqual(logGroup.name, `/aws/kinesisfirehose/${prefix}-ingest-stream-landing`, "the shared stream's log group, kept across the upgrade");
                    assert.strictEqual(logGroup.kmsKeyId, keys.logs.arn);
                    assert.strictEqual(logGroup.retentionInDays, cfg.logging.retentionDays);
                    assert.strictEqual(logGroup.deletionProtectionEnabled, stack === "prod");
                });

                it(stack === "prod" ? "converts to Parquet through one schema-only Glue table (firehoseParquet: true)" : "writes gzipped JSON lines and no Glue table (firehoseParquet: false)", async () => {
                    const s3 = inputs(one(rec, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", `ingest-stream-${a}-firehose`)).extendedS3Configuration as Record<string, unknown>;
                    if (stack === "prod") {
                        assert.strictEqual(cfg.ingestion.streaming.parquetConversion, true);
                        assert.deepStrictEqual(s3.dataFormatConversionConfiguration, {
                            enabled: true,
                            inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
                            outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
                            schemaConfiguration: {
                                databaseName: "hdp_prod_ingest_stream_schema",
                                tableName: "records",
                                roleArn: `arn:aws:iam::${account}:role/hdp-prod-ingest-stream-${a}-firehose`,
                            },
                        });
                        assert.strictEqual(s3.compressionFormat, "UNCOMPRESSED");
                        assert.strictEqual(s3.processingConfiguration, undefined);
                        assert.strictEqual(ofType(rec, "aws:glue/catalogTable:CatalogTable").length, 1, "one schema for every customer");
                        const table = inputs(one(rec, "aws:glue/catalogTable:CatalogTable", "ingest-stream-schema-table"));
                        assert.strictEqual(table.databaseName, "hdp_prod_ingest_stream_schema");
                        const columns = (table.storageDescriptor as { columns: { name: string }[] }).columns.map((c) => c.name);
                        assert.deepStrictEqual(columns, ["customer", "record_type", "message_id", "event_time", "source_system", "payload"]);
                    } else {
                        assert.strictEqual(s3.dataFormatConversionConfiguration, undefined);
                        assert.strictEqual(s3.compressionFormat, "GZIP");
                        assert.deepStrictEqual(s3.processingConfiguration, { enabled: true, processors: [{ type: "AppendDelimiterToRecord" }] });
                        assert.deepStrictEqual(ofType(rec, "aws:glue/catalogTable:CatalogTable"), []);
                        assert.deepStrictEqual(ofType(rec, "aws:glue/catalogDatabase:CatalogDatabase"), []);
                    }
                });

                it("binds the tenant to the producer: each producer role puts records into its own customer's stream only, each Firehose writes its own customer's prefixes only", async () => {
                    const producer = `arn:aws:iam::${account}:role/${prefix}-ingest-stream-${a}-producer`;
                    const producerPolicy = documentOf(one(rec, "aws:iam/rolePolicy:RolePolicy", `ingest-stream-${a}-producer-policy`), "policy");
                    const streamA = arn("kinesis", `stream/${prefix}-ingest-stream-${a}`);
                    const streamB = arn("kinesis", `stream/${prefix}-ingest-stream-${b}`);
                    const asProducer = (action: string, resource = streamA) => decide(producer, [producerPolicy], { action, resource }, account);
                    assert.strictEqual(await asProducer("kinesis:PutRecords"), "Allowed");
                    assert.strictEqual(await asProducer("kinesis:PutRecord"), "Allowed");
                    assert.strictEqual(await asProducer("kinesis:PutRecords", streamB), "ImplicitlyDenied", `${a}'s producer puts into ${b}'s stream`);
                    for (const action of ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DeleteStream", "kinesis:SplitShard", "kinesis:DescribeStream"]) {
                        assert.strictEqual(await asProducer(action), "ImplicitlyDenied", action);
                    }
                    const keyArn = arn("kms", "key/00000003-aaaa-4bbb-8ccc-000000000009");
                    const kmsContext = (via: string, stream = streamA) => ({
                        "kms:ResourceAliases": [keys.streaming.aliasName],
                        "kms:ViaService": `${via}.us-east-1.amazonaws.com`,
                        "kms:EncryptionContext:aws:kinesis:arn": stream,
                    });
                    assert.strictEqual(await decide(producer, [producerPolicy], { action: "kms:GenerateDataKey", resource: keyArn, context: kmsContext("kinesis") }, account), "Allowed");
                    assert.strictEqual(await decide(producer, [producerPolicy], { action: "kms:GenerateDataKey", resource: keyArn, context: kmsContext("kinesis", streamB) }, account), "ImplicitlyDenied");
                    assert.strictEqual(await decide(producer, [producerPolicy], { action: "kms:GenerateDataKey", resource: keyArn, context: kmsContext("s3") }, account), "ImplicitlyDenied");
                    assert.strictEqual(await decide(producer, [producerPolicy], { action: "kms:Decrypt", resource: keyArn, context: kmsContext("kinesis") }, account), "ImplicitlyDenied");

                    const firehoseRole = `arn:aws:iam::${account}:role/${prefix}-ingest-stream-${a}-firehose`;
                    const firehosePolicy = documentOf(one(rec, "aws:iam/rolePolicy:RolePolicy", `ingest-stream-${a}-firehose-policy`), "policy");
                    const asFirehose = (action: string, resource: string) => decide(firehoseRole, [firehosePolicy], { action, resource }, account);
                    assert.strictEqual(await asFirehose("s3:PutObject", `${landing.arn}/customer=${a}/source=stream/year=2025/month=01/day=02/hour=03/f.parquet`), "Allowed");
                    assert.strictEqual(await asFirehose("s3:PutObject", `${landing.arn}/errors/source=stream/customer=${a}/processing-failed/year=2025/month=01/day=02/x`), "Allowed");
                    assert.strictEqual(await asFirehose("s3:PutObject", `${landing.arn}/customer=${b}/source=stream/year=2025/month=01/day=02/hour=03/f.parquet`), "ImplicitlyDenied", `${a}'s Firehose writes ${b}'s prefix`);
                    assert.strictEqual(await asFirehose("s3:PutObject", `${landing.arn}/errors/source=stream/customer=${b}/processing-failed/x`), "ImplicitlyDenied");
                    assert.strictEqual(await asFirehose("s3:PutObject", `${landing.arn}/customer=${a}/source=file-gateway/x`), "ImplicitlyDenied");
                    assert.strictEqual(await asFirehose("s3:DeleteObject", `${landing.arn}/customer=${a}/source=stream/x`), "ImplicitlyDenied");
                    assert.strictEqual(await asFirehose("s3:PutObject", `${bucketRef(cfg, "raw").arn}/customer=${a}/source=stream/x`), "ImplicitlyDenied");
                    assert.strictEqual(await asFirehose("kinesis:GetRecords", streamA), "Allowed");
                    assert.strictEqual(await asFirehose("kinesis:GetRecords", streamB), "ImplicitlyDenied");
                    assert.strictEqual(await asFirehose("kinesis:PutRecords", streamA), "ImplicitlyDenied");
                    const trust = documentOf(one(rec, "aws:iam/role:Role", `ingest-stream-${a}-firehose-role`), "assumeRolePolicy");
                    assert.deepStrictEqual(trust.Statement[0].Condition, {
                        StringEquals: { "aws:SourceAccount": account },
                        ArnLike: { "aws:SourceArn": arn("firehose", `deliverystream/${prefix}-ingest-stream-${a}-landing`) },
                    });
                });
            });
        }
    }

    it("a producer role trusts only configured producers tagged with its customer; without any, only MFA-authenticated principals tagged with it", async () => {
        const assume = async (cfg: PlatformConfig, customer: string, principal: string, context: Record<string, string> = {}) => {
            const rec = await record(cfg, "prod", "preview", build(cfg));
            const trust = documentOf(one(rec, "aws:iam/role:Role", `ingest-stream-${customer}-producer-role`), "assumeRolePolicy");
            const account = cfg.naming.accountId;
            return evaluate({
                principal,
                action: "sts:AssumeRole",
                resource: `arn:aws:iam::${account}:role/hdp-prod-ingest-stream-${customer}-producer`,
                resourceAccount: account,
                context: { "aws:PrincipalArn": principal, "aws:PrincipalAccount": account, ...context },
                identityPolicies: [ALLOW_ALL],
                resourcePolicy: trust,
            });
        };
        const byDefault = platformConfig("prod");
        const [a, b] = byDefault.customers;
        const account = byDefault.naming.accountId;
        const tagged = (c: string) => ({ "aws:PrincipalTag/customer": c });
        const app = `arn:aws:iam::${account}:role/some-application`;
        const person = `arn:aws:iam::${account}:user/operator`;
        assert.strictEqual(await assume(byDefault, a, app, tagged(a)), "ImplicitlyDenied", "any role of the account, without MFA");
        assert.strictEqual(await assume(byDefault, a, person, { "aws:MultiFactorAuthPresent": "true", ...tagged(a) }), "Allowed", "a person of the customer with MFA");
        assert.strictEqual(await assume(byDefault, b, person, { "aws:MultiFactorAuthPresent": "true", ...tagged(a) }), "ImplicitlyDenied", "a person of another customer");
        assert.strictEqual(await assume(byDefault, a, person, { "aws:MultiFactorAuthPresent": "true" }), "ImplicitlyDenied", "a person without a customer tag");
        const engine = `arn:aws:iam::${account}:role/ehr-interface-engine`;
        const configured = platformConfig("prod", { streamProducerPrincipalArns: [engine] });
        assert.strictEqual(await assume(configured, a, engine, tagged(a)), "Allowed", "the configured producer, tagged with the customer");
        assert.strictEqual(await assume(configured, b, engine, tagged(a)), "ImplicitlyDenied", "the configured producer, for another customer's stream");
        assert.strictEqual(await assume(configured, a, engine), "ImplicitlyDenied", "the configured producer without a customer tag");
        assert.strictEqual(await assume(configured, a, app, tagged(a)), "ImplicitlyDenied", "another role of the account");
        assert.throws(() => platformConfig("prod", { streamProducerPrincipalArns: ["arn:aws:iam::999999999999:role/x"] }), /streamProducerPrincipalArns\[0\]: expected an IAM role or user ARN of account 345678901234/);
    });

    it("uses provisioned shards when kinesisMode is PROVISIONED", async () => {
        const cfg = platformConfig("dev", { kinesisMode: "PROVISIONED", kinesisShardCount: 4 });
        const rec = await record(cfg, "dev", "preview", build(cfg));
        for (const c of cfg.customers) {
            const stream = inputs(one(rec, "aws:kinesis/stream:Stream", `ingest-stream-${c}-stream`));
            assert.deepStrictEqual(stream.streamModeDetails, { streamMode: "PROVISIONED" });
            assert.strictEqual(stream.shardCount, 4);
        }
    });

    it("grows by one path per customer, and lets two instances coexist: every physical name differs", async () => {
        const cfg = platformConfig("dev");
        const one_ = await record(cfg, "dev", "preview", build(cfg, "ingest-stream", cfg.customers.slice(0, 1)));
        const all = await record(cfg, "dev", "preview", build(cfg));
        assert.strictEqual(all.resources.length - one_.resources.length, PER_CUSTOMER * (cfg.customers.length - 1));
        const rec = await record(cfg, "dev", "preview", () => {
            build(cfg, "ingest-a")();
            build(cfg, "ingest-b")();
        });
        // Names unique per account and region; inline policies, log streams and tables are scoped to their parent.
        const scoped = new Set(["aws:iam/rolePolicy:RolePolicy", "aws:cloudwatch/logStream:LogStream", "aws:glue/catalogTable:CatalogTable"]);
        const names = rec.resources.filter((r) => r.custom && !scoped.has(r.type)).map((r) => `${r.type}:${String(inputs(r).name)}`);
        assert.strictEqual(names.length, 2 * (1 + 4 * cfg.customers.length));
        assert.deepStrictEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
        assert.strictEqual(ofType(rec, "aws:kinesis/stream:Stream").length, 2 * cfg.customers.length);
    });

    it("refuses to be built without a customer", async () => {
        const cfg = platformConfig("dev");
        await assert.rejects(record(cfg, "dev", "preview", build(cfg, "ingest-stream", [])), {
            message: "StreamingIngestion 'ingest-stream': customers must name at least one customer (each gets its own stream), got none",
        });
    });
});
