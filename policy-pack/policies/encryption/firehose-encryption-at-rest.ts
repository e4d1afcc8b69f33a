import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { probe, truthy } from "../../lib/values";

export const FIREHOSE_DELIVERY_STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";

interface S3Destination {
    kmsKeyArn?: string;
    s3BackupMode?: string;
    s3BackupConfiguration?: { kmsKeyArn?: string };
    s3Configuration?: { kmsKeyArn?: string };
}
type DeliveryStream = Record<string, unknown> & {
    destination?: string;
    serverSideEncryption?: { enabled?: boolean; keyType?: string; keyArn?: string };
};

// Destination -> the argument block holding its configuration. Every destination but extended_s3 has an
// `s3Configuration` for the bucket that receives failed or backed-up records, which are PHI as well.
const DESTINATION_BLOCKS: Readonly<Record<string, string>> = {
    extended_s3: "extendedS3Configuration",
    redshift: "redshiftConfiguration",
    elasticsearch: "elasticsearchConfiguration",
    opensearch: "opensearchConfiguration",
    opensearchserverless: "opensearchserverlessConfiguration",
    splunk: "splunkConfiguration",
    http_endpoint: "httpEndpointConfiguration",
    snowflake: "snowflakeConfiguration",
    iceberg: "icebergConfiguration",
};

export const firehoseEncryptionAtRest: ResourceValidationPolicy = {
    name: "firehose-encryption-at-rest",
    description:
        "Firehose delivery streams encrypt buffered records with a customer-managed KMS key and write to S3 (destination and " +
        "backup buckets) with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `serverSideEncryption: { enabled: true, keyType: \"CUSTOMER_MANAGED_CMK\", keyArn: key.arn }` on " +
        "`aws.kinesis.FirehoseDeliveryStream` (not available with a Kinesis stream or MSK source: encrypt the source instead), " +
        "and `kmsKeyArn: key.arn` on `extendedS3Configuration`, its `s3BackupConfiguration`, and the `s3Configuration` of " +
        "every other destination. Both changes apply in place.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [FIREHOSE_DELIVERY_STREAM]: on<DeliveryStream>((p, args, report) => {
            const requireCmk = encryptionConfig(args).requireCustomerManagedKey;
            const name = subject(args);
            // Firehose refuses server-side encryption on a stream fed by Kinesis or MSK: records stay encrypted in the
            // source (judged by kinesis-stream-encryption-at-rest) and Firehose does not persist them itself.
            const streamSource = probe(p, "kinesisSourceConfiguration").state !== "absent" || probe(p, "mskSourceConfiguration").state !== "absent";
            if (!streamSource) {
                const sse = p.serverSideEncryption;
                if (!sse || !truthy(sse.enabled)) {
                    report(`${name} buffers records without server-side encryption: set serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn } with a customer-managed KMS key ARN.`);
                } else if (sse.keyType !== "CUSTOMER_MANAGED_CMK") {
                    if (requireCmk) {
                        report(`${name} serverSideEncryption uses the AWS-owned key (keyType ${sse.keyType === undefined ? "defaults to AWS_OWNED_CMK" : `"${sse.keyType}"`}): set keyType: "CUSTOMER_MANAGED_CMK" and keyArn to a customer-managed KMS key ARN.`);
                    }
                } else {
                    const ref = keyReference(sse, "keyArn");
                    if (ref.kind === "absent") {
                        report(`${name} serverSideEncryption has keyType CUSTOMER_MANAGED_CMK but no keyArn: set keyArn to a customer-managed KMS key ARN.`);
                    } else {
                        const problem = keyProblem(ref, `${name} serverSideEncryption.keyArn`, requireCmk);
                        if (problem) {
                            report(`${problem}.`);
                        }
                    }
                }
            }

            const destination = p.destination;
            const block = typeof destination === "string" && Object.hasOwn(DESTINATION_BLOCKS, destination) ? DESTINATION_BLOCKS[destination] : undefined;
            if (!block) {
                report(`${name} has destination ${JSON.stringify(destination)}, which this policy does not know, so the encryption of delivered data cannot be judged: review it and use a customer-managed KMS key.`);
                return;
            }
            const conf = p[block] as S3Destination | undefined;
            if (!conf) {
                return; // The provider rejects a destination without its block; nothing is delivered.
            }
            const judge = (target: object | undefined, what: string): void => {
                const problem = keyProblem(keyReference(target, "kmsKeyArn"), `${name} ${what}.kmsKeyArn`, requireCmk);
                if (problem) {
                    report(`${problem} (otherwise objects get only the bucket's default encryption).`);
                }
            };
            if (destination === "extended_s3") {
                judge(conf, block);
            } else {
                judge(conf.s3Configuration, `${block}.s3Configuration`);
            }
            if (conf.s3BackupMode === "Enabled" && conf.s3BackupConfiguration) {
                judge(conf.s3BackupConfiguration, `${block}.s3BackupConfiguration`);
            }
        }),
    }),
};
