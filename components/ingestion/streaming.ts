/**
 * StreamingIngestion: HL7/FHIR event feeds into the landing zone, one path per customer (tenant).
 *
 *     producer of <id> --PutRecords--> Kinesis stream of <id> (SSE-KMS, streaming key)
 *               --> Firehose of <id> (KinesisStreamAsSource) --> s3://<landing>/customer=<id>/source=stream/year=/month=/day=/hour=/
 *
 * - The tenant is bound to the producer's identity, never taken from a record (164.308(a)(4), 164.312(a)(1)): only a
 *   principal tagged `customer=<id>` may assume `<id>`'s producer role, that role may put records into `<id>`'s
 *   stream only, and `<id>`'s Firehose writes `<id>`'s prefix only. A record naming another customer still lands
 *   under the producer's own customer. One shared stream partitioned on a record field would let any producer land
 *   PHI under any tenant's prefix (issue 12).
 * - Cost and quotas: each customer's stream is billed on its own (on demand: per stream-hour plus data; provisioned:
 *   per shard-hour), and an account has 50 on-demand streams and 50 Firehose streams per region by default (both
 *   adjustable). The README lists them with the other preconditions.
 * - Streams are encrypted with the streaming key (HIPAA 164.312(a)(2)(iv)); Firehose reads with its own role and
 *   writes SSE-KMS objects with the data-lake key. Firehose's own `serverSideEncryption` block does not apply to a
 *   stream-sourced delivery stream (AWS rejects it): the data at rest in the source is the stream's KMS encryption.
 * - Delivery errors are logged to a KMS-encrypted log group (164.312(b)), one log stream per customer.
 * - Optional Parquet conversion through a Glue table that holds only the schema (shared by every customer).
 * - The producer role may only put records (164.308(a)(4) least privilege): no read, no describe, no admin.
 *
 * Every ARN in a policy document is built from deterministic names, so the documents are known at preview.
 * Resources exist only when the caller constructs the component (see `Ingestion`, which does so when
 * `streamingEnabled` is true).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IngestionConfig } from "./settings";
import { customerPrefix, LAKE_SOURCES, SOURCE_KEY, sourcePrefix } from "../shared/lake-layout";
import { bucketArn, regionalArn, resourceName } from "../shared/naming";
import { BucketRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { classificationTags, TAG_KEYS } from "../shared/tags";
import { keyUseStatement, PolicyStatement, logGroupArn, policyJson, roleArn, s3EncryptionContext, serviceTrustPolicy, viaService } from "../shared/iam";

/** The record field that names the customer in the default record envelope (informational: the stream is the tenant). */
export const CUSTOMER_FIELD = "customer";

/**
 * S3 prefix of one customer's delivered records (Hive style, as the data lake documents). Fixed per delivery stream:
 * the tenant comes from which stream a record was put into (bound to the producer's identity), never from the record.
 */
export function streamPrefix(customer: string): string {
    return `${sourcePrefix(customer, LAKE_SOURCES.stream)}year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/`;
}

/** S3 prefix of one customer's records Firehose could not convert or deliver; still SSE-KMS in the landing zone. */
export function streamErrorPrefix(customer: string): string {
    return `errors/${SOURCE_KEY}=${LAKE_SOURCES.stream}/${customerPrefix(customer)}!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/`;
}

/** One column of the record schema used for Parquet conversion. */
export interface RecordColumn {
    name: string;
    /** Hive type, e.g. `string`, `timestamp`, `bigint`. */
    type: string;
    comment?: string;
}

/**
 * Default record envelope: the customer, what the record is, when it happened, and the HL7/FHIR message itself as a
 * JSON-encoded string (a nested object would have to match a fixed struct type to convert).
 */
export const DEFAULT_RECORD_SCHEMA: readonly RecordColumn[] = [
    { name: "customer", type: "string", comment: "Customer (tenant) id; the partition key" },
    { name: "record_type", type: "string", comment: "e.g. HL7v2 ADT^A01, FHIR Observation" },
    { name: "message_id", type: "string", comment: "Producer's unique id, for de-duplication downstream" },
    { name: "event_time", type: "timestamp", comment: "When the event happened at the source (ISO 8601)" },
    { name: "source_system", type: "string", comment: "Sending system, e.g. the EHR interface engine" },
    { name: "payload", type: "string", comment: "The message, JSON-encoded (PHI)" },
];

export interface StreamingIngestionArgs {
    context: PlatformContext;
    /** `PlatformConfig.ingestion.streaming`; whether the component exists is the caller's decision. */
    config: Omit<IngestionConfig["streaming"], "enabled">;
    /**
     * The customers (tenants) that stream records. Each gets its own stream, delivery stream, Firehose role and
     * producer role, so a producer can only land records under its own customer's prefix. At least one.
     */
    customers: readonly string[];
    /** `streaming` encrypts the streams, `dataLake` the delivered objects, `logs` the error log group. */
    keys: Pick<PlatformKeyRefs, "streaming" | "dataLake" | "logs">;
    /** Landing zone of the data lake. */
    landingBucket: BucketRef;
    /** Columns of the Glue table used when `config.parquetConversion` is true. @default DEFAULT_RECORD_SCHEMA */
    recordSchema?: readonly RecordColumn[];
}

/** One customer's streaming path: physical names and ARNs known at preview, and the two data-holding resources. */
export interface CustomerStream {
    readonly customer: string;
    readonly streamName: string;
    readonly streamArn: string;
    readonly deliveryStreamName: string;
    readonly deliveryStreamArn: string;
    /** The only role that may put records into this customer's stream. */
    readonly producerRoleArn: string;
    readonly firehoseRoleArn: string;
    readonly stream: aws.kinesis.Stream;
    readonly deliveryStream: aws.kinesis.FirehoseDeliveryStream;
}

export class StreamingIngestion extends pulumi.ComponentResource {
    /** Each customer's stream, delivery stream and producer role, by customer id. */
    readonly streams: Readonly<Record<string, CustomerStream>>;
    /** What a customer's producers need, by customer id: the component's outputs and the stack's `ingestStreams`. */
    readonly producerEndpoints: Readonly<Record<string, { streamName: string; producerRoleArn: string; deliveryStreamName: string }>>;
    /** One log group for every delivery stream's errors (one log stream per customer). */
    readonly errorLogGroupName: string;
    /** Glue database and table of the Parquet schema, when conversion is on (shared by every customer). */
    readonly schemaDatabaseName?: string;
    readonly schemaTableName?: string;

    constructor(name: string, args: StreamingIngestionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:ingestion:StreamingIngestion", name, {}, opts);
        const { naming, protect } = args.context;
        const cfg = args.config;
        if (args.customers.length === 0) {
            // The config validator refuses streamingEnabled without customers; this guards direct construction.
            throw new Error(`StreamingIngestion '${name}': customers must name at least one customer (each gets its own stream), got none`);
        }
        const landingArn = bucketArn(naming, args.landingBucket.name);
        // The name of the single shared delivery stream's log group before per-customer streams: kept, so an upgrade
        // does not replace a protected, deletion-protected log group that holds audit evidence of delivery errors.
        this.errorLogGroupName = `/aws/kinesisfirehose/${resourceName(naming, `${name}-landing`, "firehose")}`;

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-firehose-errors`,
            {
                name: this.errorLogGroupName,
                kmsKeyId: args.keys.logs.arn,
                retentionInDays: args.context.logRetentionDays,
                deletionProtectionEnabled: protect,
                // Delivery errors name objects and customers, never record contents.
                tags: classificationTags("confidential"),
            },
            { parent: this, protect },
        );

        let schemaTable: aws.glue.CatalogTable | undefined;
        const glueStatements: PolicyStatement[] = [];
        if (cfg.parquetConversion) {
            // Glue and Athena treat hyphens in database names as errors-in-waiting; underscores are safe everywhere.
            this.schemaDatabaseName = resourceName(naming, `${name}-schema`, "glue").replace(/-/g, "_");
            this.schemaTableName = "records";
            const database = new aws.glue.CatalogDatabase(
                `${name}-schema-db`,
                {
                    name: this.schemaDatabaseName,
                    description: "Schema of streamed records for Firehose's JSON-to-Parquet conversion (no data).",
                },
                { parent: this },
            );
            schemaTable = new aws.glue.CatalogTable(
                `${name}-schema-table`,
                {
                    name: this.schemaTableName,
                    databaseName: database.name,
                    tableType: "EXTERNAL_TABLE",
                    description: "Record schema Firehose converts JSON records to Parquet with.",
                    parameters: { classification: "parquet" },
                    storageDescriptor: {
                        location: `s3://${args.landingBucket.name}/`,
                        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                        serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
                        columns: (args.recordSchema ?? DEFAULT_RECORD_SCHEMA).map((c) => ({ ...c })),
                    },
                },
                { parent: this },
            );
            const catalogArn = regionalArn(naming, "glue", "catalog");
            glueStatements.push(
                {
                    Sid: "ReadRecordSchema",
                    Effect: "Allow",
                    Action: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
                    Resource: [
                        catalogArn,
                        regionalArn(naming, "glue", `database/${this.schemaDatabaseName}`),
                        regionalArn(naming, "glue", `table/${this.schemaDatabaseName}/${this.schemaTableName}`),
                    ],
                },
                // The Data Catalog is encrypted with the data-lake key; reading a table decrypts through Glue.
                keyUseStatement(naming, "DecryptCatalog", args.keys.dataLake, ["kms:Decrypt"], { via: [viaService(naming, "glue")] }),
            );
        }

        const streams: Record<string, CustomerStream> = {};
        for (const customer of args.customers) {
            streams[customer] = this.customerStream(`${name}-${customer}`, customer, { args, landingArn, logGroup, schemaTable, glueStatements });
        }
        this.streams = streams;
        this.producerEndpoints = Object.fromEntries(
            Object.values(streams).map((s) => [s.customer, { streamName: s.streamName, producerRoleArn: s.producerRoleArn, deliveryStreamName: s.deliveryStreamName }]),
        );

        this.registerOutputs({ streams: this.producerEndpoints, errorLogGroupName: this.errorLogGroupName });
    }

    /**
     * One customer's path: stream -> Firehose -> `customer=<id>/source=stream/` of the landing zone, and the producer
     * role that alone may put records into the stream. The Firehose role may write that customer's prefixes only, so
     * even a misrouted delivery cannot reach another tenant.
     */
    private customerStream(
        base: string,
        customer: string,
        shared: { args: StreamingIngestionArgs; landingArn: string; logGroup: aws.cloudwatch.LogGroup; schemaTable?: aws.glue.CatalogTable; glueStatements: PolicyStatement[] },
    ): CustomerStream {
        const { args, landingArn } = shared;
        const { naming, protect } = args.context;
        const cfg = args.config;
        const streamName = resourceName(naming, base, "kinesis");
        const streamArn = regionalArn(naming, "kinesis", `stream/${streamName}`);
        const deliveryStreamName = resourceName(naming, `${base}-landing`, "firehose");
        const deliveryStreamArn = regionalArn(naming, "firehose", `deliverystream/${deliveryStreamName}`);
        const firehoseRoleName = resourceName(naming, `${base}-firehose`, "iam");
        const producerRoleName = resourceName(naming, `${base}-producer`, "iam");
        const firehoseRoleArn = roleArn(naming, firehoseRoleName);
        const producerRoleArn = roleArn(naming, producerRoleName);
        const errorLogStreamName = `DestinationDelivery-${customer}`;
        // The customer tag makes the stream and its delivery attributable to the tenant (cost, audit, ABAC).
        const tenant = { [TAG_KEYS.customer]: customer };
        const phi = { ...classificationTags("phi"), ...tenant };

        const stream = new aws.kinesis.Stream(
            `${base}-stream`,
            {
                name: streamName,
                streamModeDetails: { streamMode: cfg.mode },
                // On-demand streams scale by themselves; a shard count is only valid (and billed) when provisioned.
                shardCount: cfg.mode === "PROVISIONED" ? cfg.shardCount : undefined,
                retentionPeriod: cfg.retentionHours,
                encryptionType: "KMS",
                kmsKeyId: args.keys.streaming.arn,
                tags: phi,
            },
            { parent: this, protect },
        );
        const logStream = new aws.cloudwatch.LogStream(
            `${base}-firehose-errors-stream`,
            { name: errorLogStreamName, logGroupName: shared.logGroup.name },
            { parent: this },
        );

        const firehoseRole = new aws.iam.Role(
            `${base}-firehose-role`,
            {
                name: firehoseRoleName,
                description: `Firehose ${deliveryStreamName}: reads ${streamName}, writes ${customer}'s stream prefix of the landing zone`,
                assumeRolePolicy: serviceTrustPolicy("firehose.amazonaws.com", { sid: "TrustService", sourceAccount: naming.accountId, sourceArn: deliveryStreamArn }),
                tags: tenant,
            },
            { parent: this },
        );
        const firehosePolicy = new aws.iam.RolePolicy(
            `${base}-firehose-policy`,
            {
                role: firehoseRole.name,
                name: "deliver-stream-to-landing",
                policy: policyJson([
                    {
                        Sid: "ReadSourceStream",
                        Effect: "Allow",
                        Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
                        Resource: streamArn,
                    },
                    keyUseStatement(naming, "DecryptSourceStream", args.keys.streaming, ["kms:Decrypt"], {
                        via: [viaService(naming, "kinesis")],
                        conditions: { StringEquals: { "kms:EncryptionContext:aws:kinesis:arn": streamArn } },
                    }),
                    {
                        Sid: "LandingBucket",
                        Effect: "Allow",
                        Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                        Resource: landingArn,
                    },
                    {
                        // Only this customer's stream prefixes: Firehose cannot write another tenant's data, nor
                        // overwrite what other paths delivered.
                        Sid: "WriteCustomerStreamPrefixes",
                        Effect: "Allow",
                        Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                        Resource: [`${landingArn}/${sourcePrefix(customer, LAKE_SOURCES.stream)}*`, `${landingArn}/errors/${SOURCE_KEY}=${LAKE_SOURCES.stream}/${customerPrefix(customer)}*`],
                    },
                    keyUseStatement(naming, "EncryptLandingObjects", args.keys.dataLake, ["kms:GenerateDataKey", "kms:Decrypt"], {
                        via: [viaService(naming, "s3")],
                        conditions: s3EncryptionContext(landingArn),
                    }),
                    {
                        Sid: "LogDeliveryErrors",
                        Effect: "Allow",
                        Action: ["logs:PutLogEvents"],
                        Resource: `${logGroupArn(naming, this.errorLogGroupName)}:log-stream:${errorLogStreamName}`,
                    },
                    ...shared.glueStatements,
                ]),
            },
            { parent: this },
        );
        const processors: aws.types.input.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessor[] = [];
        if (!cfg.parquetConversion) {
            // One JSON record per line, so Athena and Spark read the delivered files as JSON Lines. Firehose has accepted
            // this processor without dynamic partitioning since 2024 (it no longer needs a record-derived prefix).
            processors.push({ type: "AppendDelimiterToRecord" });
        }

        const deliveryStream = new aws.kinesis.FirehoseDeliveryStream(
            `${base}-firehose`,
            {
                name: deliveryStreamName,
                destination: "extended_s3",
                kinesisSourceConfiguration: { kinesisStreamArn: streamArn, roleArn: firehoseRoleArn },
                extendedS3Configuration: {
                    bucketArn: landingArn,
                    roleArn: firehoseRoleArn,
                    kmsKeyArn: args.keys.dataLake.arn,
                    // A fixed prefix per customer: no dynamic partitioning on a record field a producer controls.
                    prefix: streamPrefix(customer),
                    errorOutputPrefix: streamErrorPrefix(customer),
                    bufferingSize: cfg.bufferMiB,
                    bufferingInterval: cfg.bufferSeconds,
                    customTimeZone: "UTC",
                    // Parquet is compressed by its serializer (Snappy); Firehose requires UNCOMPRESSED around it.
                    compressionFormat: cfg.parquetConversion ? "UNCOMPRESSED" : "GZIP",
                    fileExtension: cfg.parquetConversion ? ".parquet" : ".jsonl.gz",
                    processingConfiguration: processors.length > 0 ? { enabled: true, processors } : undefined,
                    cloudwatchLoggingOptions: { enabled: true, logGroupName: this.errorLogGroupName, logStreamName: errorLogStreamName },
                    dataFormatConversionConfiguration:
                        cfg.parquetConversion && this.schemaDatabaseName && this.schemaTableName
                            ? {
                                  enabled: true,
                                  inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
                                  outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
                                  schemaConfiguration: {
                                      databaseName: this.schemaDatabaseName,
                                      tableName: this.schemaTableName,
                                      roleArn: firehoseRoleArn,
                                  },
                              }
                            : undefined,
                },
                tags: phi,
            },
            {
                parent: this,
                // ARNs are passed as deterministic strings; these make the engine create what they name first (and
                // Firehose validates the role's access to the stream at creation).
                dependsOn: [stream, firehoseRole, firehosePolicy, logStream, ...(shared.schemaTable ? [shared.schemaTable] : [])],
            },
        );

        // The tenant is bound to the producer's identity: only a principal tagged with this customer may assume this
        // customer's producer role, and the role may put records into this customer's stream only. Machines are named
        // (config `streamProducerPrincipalArns`); without any, only a person of the account with MFA may produce.
        // Never the bare account root: any role of the account could then land PHI in the lake.
        const producers = cfg.producerPrincipalArns;
        const ofCustomer = { [`aws:PrincipalTag/${TAG_KEYS.customer}`]: customer };
        const producerRole = new aws.iam.Role(
            `${base}-producer-role`,
            {
                name: producerRoleName,
                description: `Put ${customer}'s records into ${streamName}; nothing else`,
                assumeRolePolicy: policyJson([
                    producers.length > 0
                        ? { Sid: "TrustProducersOfCustomer", Effect: "Allow", Principal: { AWS: producers }, Action: "sts:AssumeRole", Condition: { StringEquals: ofCustomer } }
                        : {
                              Sid: "TrustPeopleOfCustomerWithMfa",
                              Effect: "Allow",
                              Principal: { AWS: [`arn:${naming.partition}:iam::${naming.accountId}:root`] },
                              Action: "sts:AssumeRole",
                              Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, StringEquals: ofCustomer },
                          },
                ]),
                tags: tenant,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${base}-producer-policy`,
            {
                role: producerRole.name,
                name: "put-records-only",
                policy: policyJson([
                    { Sid: "PutRecords", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: streamArn },
                    // Writing to a KMS-encrypted stream needs a data key from the stream's key, through Kinesis only.
                    keyUseStatement(naming, "EncryptThroughKinesis", args.keys.streaming, ["kms:GenerateDataKey"], {
                        via: [viaService(naming, "kinesis")],
                        conditions: { StringEquals: { "kms:EncryptionContext:aws:kinesis:arn": streamArn } },
                    }),
                ]),
            },
            { parent: this },
        );

        return { customer, streamName, streamArn, deliveryStreamName, deliveryStreamArn, producerRoleArn, firehoseRoleArn, stream, deliveryStream };
    }
}
