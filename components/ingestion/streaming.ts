/**
 * StreamingIngestion: HL7/FHIR event feeds into the landing zone.
 *
 *     producers --PutRecords--> Kinesis Data Stream (SSE-KMS, streaming key)
 *               --> Firehose (KinesisStreamAsSource) --> s3://<landing>/customer=<id>/source=stream/year=/month=/day=/hour=/
 *
 * - The stream is encrypted with the streaming key (HIPAA 164.312(a)(2)(iv)); Firehose reads it with its own role and
 *   writes SSE-KMS objects with the data-lake key. Firehose's own `serverSideEncryption` block does not apply to a
 *   stream-sourced delivery stream (AWS rejects it): the data at rest in the source is the stream's KMS encryption.
 * - Dynamic partitioning puts every record under its customer's prefix (the tenant boundary of the lake) from the
 *   record's `customer` field; a record without one goes to the error prefix, never to another tenant's prefix.
 * - Delivery errors are logged to a KMS-encrypted log group (164.312(b)).
 * - Optional Parquet conversion through a Glue table that holds only the schema.
 * - The producer role may only put records (164.308(a)(4) least privilege): no read, no describe, no admin.
 *
 * Every ARN in a policy document is built from deterministic names, so the documents are known at preview.
 * Resources exist only when the caller constructs the component (see `Ingestion`, which does so when
 * `streamingEnabled` is true).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IngestionConfig } from "./settings";
import { LAKE_SOURCES, SOURCE_KEY, sourcePrefixOf } from "../shared/lake-layout";
import { bucketArn, regionalArn, resourceName } from "../shared/naming";
import { BucketRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { classificationTags } from "../shared/tags";
import { keyUseStatement, PolicyStatement, logGroupArn, policyJson, roleArn, s3EncryptionContext, serviceTrustPolicy, viaService } from "../shared/iam";

/** The record field that names the customer; also the partition key producers use. */
export const CUSTOMER_FIELD = "customer";

/** S3 prefix of delivered records, per customer (Hive style, as the data lake documents). */
export const STREAM_PREFIX = `${sourcePrefixOf(`!{partitionKeyFromQuery:${CUSTOMER_FIELD}}`, LAKE_SOURCES.stream)}year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/`;

/** S3 prefix of records Firehose could not partition, convert or deliver; still SSE-KMS in the landing zone. */
export const STREAM_ERROR_PREFIX = `errors/${SOURCE_KEY}=${LAKE_SOURCES.stream}/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/`;

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
    /** `streaming` encrypts the stream, `dataLake` the delivered objects, `logs` the error log group. */
    keys: Pick<PlatformKeyRefs, "streaming" | "dataLake" | "logs">;
    /** Landing zone of the data lake. */
    landingBucket: BucketRef;
    /** Columns of the Glue table used when `config.parquetConversion` is true. @default DEFAULT_RECORD_SCHEMA */
    recordSchema?: readonly RecordColumn[];
}

export class StreamingIngestion extends pulumi.ComponentResource {
    /** Physical names and ARNs, known at preview. */
    readonly streamName: string;
    readonly streamArn: string;
    readonly deliveryStreamName: string;
    readonly deliveryStreamArn: string;
    readonly producerRoleArn: string;
    readonly firehoseRoleArn: string;
    readonly errorLogGroupName: string;
    /** Glue database and table of the Parquet schema, when conversion is on. */
    readonly schemaDatabaseName?: string;
    readonly schemaTableName?: string;
    readonly stream: aws.kinesis.Stream;
    readonly deliveryStream: aws.kinesis.FirehoseDeliveryStream;

    constructor(name: string, args: StreamingIngestionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:ingestion:StreamingIngestion", name, {}, opts);
        const { naming, protect } = args.context;
        const cfg = args.config;
        const landingArn = bucketArn(naming, args.landingBucket.name);

        this.streamName = resourceName(naming, `${name}`, "kinesis");
        this.streamArn = regionalArn(naming, "kinesis", `stream/${this.streamName}`);
        this.deliveryStreamName = resourceName(naming, `${name}-landing`, "firehose");
        this.deliveryStreamArn = regionalArn(naming, "firehose", `deliverystream/${this.deliveryStreamName}`);
        const firehoseRoleName = resourceName(naming, `${name}-firehose`, "iam");
        const producerRoleName = resourceName(naming, `${name}-producer`, "iam");
        this.firehoseRoleArn = roleArn(naming, firehoseRoleName);
        this.producerRoleArn = roleArn(naming, producerRoleName);
        this.errorLogGroupName = `/aws/kinesisfirehose/${this.deliveryStreamName}`;
        const errorLogStreamName = "DestinationDelivery";
        const phi = classificationTags("phi");

        this.stream = new aws.kinesis.Stream(
            `${name}-stream`,
            {
                name: this.streamName,
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

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-firehose-errors`,
            {
                name: this.errorLogGroupName,
                kmsKeyId: args.keys.logs.arn,
                retentionInDays: args.context.logRetentionDays,
                deletionProtectionEnabled: protect,
                // Delivery errors name objects and partition keys (customer ids), never record contents.
                tags: classificationTags("confidential"),
            },
            { parent: this, protect },
        );
        const logStream = new aws.cloudwatch.LogStream(
            `${name}-firehose-errors-stream`,
            { name: errorLogStreamName, logGroupName: logGroup.name },
            { parent: this },
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

        const firehoseRole = new aws.iam.Role(
            `${name}-firehose-role`,
            {
                name: firehoseRoleName,
                description: `Firehose ${this.deliveryStreamName}: reads ${this.streamName}, writes the landing zone`,
                assumeRolePolicy: serviceTrustPolicy("firehose.amazonaws.com", { sid: "TrustService", sourceAccount: naming.accountId, sourceArn: this.deliveryStreamArn }),
            },
            { parent: this },
        );
        const firehosePolicy = new aws.iam.RolePolicy(
            `${name}-firehose-policy`,
            {
                role: firehoseRole.name,
                name: "deliver-stream-to-landing",
                policy: policyJson([
                    {
                        Sid: "ReadSourceStream",
                        Effect: "Allow",
                        Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
                        Resource: this.streamArn,
                    },
                    keyUseStatement(naming, "DecryptSourceStream", args.keys.streaming, ["kms:Decrypt"], {
                        via: [viaService(naming, "kinesis")],
                        conditions: { StringEquals: { "kms:EncryptionContext:aws:kinesis:arn": this.streamArn } },
                    }),
                    {
                        Sid: "LandingBucket",
                        Effect: "Allow",
                        Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                        Resource: landingArn,
                    },
                    {
                        // Only the stream's prefixes: Firehose cannot overwrite what other paths delivered.
                        Sid: "WriteStreamPrefixes",
                        Effect: "Allow",
                        Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                        Resource: [`${landingArn}/${sourcePrefixOf("*", LAKE_SOURCES.stream)}*`, `${landingArn}/errors/${SOURCE_KEY}=${LAKE_SOURCES.stream}/*`],
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
                    ...glueStatements,
                ]),
            },
            { parent: this },
        );
        const processors: aws.types.input.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessor[] = [
            {
                type: "MetadataExtraction",
                parameters: [
                    { parameterName: "MetadataExtractionQuery", parameterValue: `{${CUSTOMER_FIELD}: .${CUSTOMER_FIELD}}` },
                    { parameterName: "JsonParsingEngine", parameterValue: "JQ-1.6" },
                ],
            },
        ];
        if (!cfg.parquetConversion) {
            // One JSON record per line, so Athena and Spark read the delivered files as JSON Lines.
            processors.push({ type: "AppendDelimiterToRecord" });
        }

        this.deliveryStream = new aws.kinesis.FirehoseDeliveryStream(
            `${name}-firehose`,
            {
                name: this.deliveryStreamName,
                destination: "extended_s3",
                kinesisSourceConfiguration: { kinesisStreamArn: this.streamArn, roleArn: this.firehoseRoleArn },
                extendedS3Configuration: {
                    bucketArn: landingArn,
                    roleArn: this.firehoseRoleArn,
                    kmsKeyArn: args.keys.dataLake.arn,
                    prefix: STREAM_PREFIX,
                    errorOutputPrefix: STREAM_ERROR_PREFIX,
                    bufferingSize: cfg.bufferMiB,
                    bufferingInterval: cfg.bufferSeconds,
                    customTimeZone: "UTC",
                    // Parquet is compressed by its serializer (Snappy); Firehose requires UNCOMPRESSED around it.
                    compressionFormat: cfg.parquetConversion ? "UNCOMPRESSED" : "GZIP",
                    fileExtension: cfg.parquetConversion ? ".parquet" : ".jsonl.gz",
                    dynamicPartitioningConfiguration: { enabled: true },
                    processingConfiguration: { enabled: true, processors },
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
                                      roleArn: this.firehoseRoleArn,
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
                dependsOn: [this.stream, firehoseRole, firehosePolicy, logStream, ...(schemaTable ? [schemaTable] : [])],
            },
        );

        // Machines are named (config `streamProducerPrincipalArns`); without any, only a person of the account with
        // MFA may produce. Never the bare account root: any role of the account could then land PHI in the lake.
        const producers = cfg.producerPrincipalArns;
        const producerRole = new aws.iam.Role(
            `${name}-producer-role`,
            {
                name: producerRoleName,
                description: `Put records into ${this.streamName}; nothing else`,
                assumeRolePolicy: policyJson([
                    producers.length > 0
                        ? { Sid: "TrustProducers", Effect: "Allow", Principal: { AWS: producers }, Action: "sts:AssumeRole" }
                        : {
                              Sid: "TrustPeopleWithMfa",
                              Effect: "Allow",
                              Principal: { AWS: [`arn:${naming.partition}:iam::${naming.accountId}:root`] },
                              Action: "sts:AssumeRole",
                              Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
                          },
                ]),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-producer-policy`,
            {
                role: producerRole.name,
                name: "put-records-only",
                policy: policyJson([
                    { Sid: "PutRecords", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: this.streamArn },
                    // Writing to a KMS-encrypted stream needs a data key from the stream's key, through Kinesis only.
                    keyUseStatement(naming, "EncryptThroughKinesis", args.keys.streaming, ["kms:GenerateDataKey"], {
                        via: [viaService(naming, "kinesis")],
                        conditions: { StringEquals: { "kms:EncryptionContext:aws:kinesis:arn": this.streamArn } },
                    }),
                ]),
            },
            { parent: this },
        );

        this.registerOutputs({
            streamName: this.streamName,
            streamArn: this.streamArn,
            deliveryStreamName: this.deliveryStreamName,
            deliveryStreamArn: this.deliveryStreamArn,
            producerRoleArn: this.producerRoleArn,
            firehoseRoleArn: this.firehoseRoleArn,
            errorLogGroupName: this.errorLogGroupName,
        });
    }
}
