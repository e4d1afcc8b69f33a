import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const TIMESTREAM_DATABASE = "aws:timestreamwrite/database:Database";
export const TIMESTREAM_TABLE = "aws:timestreamwrite/table:Table";
export const TIMESTREAM_INFLUXDB_INSTANCE = "aws:timestreaminfluxdb/dbInstance:DbInstance";

export const TIMESTREAM_RULES: AtRestRules = {
    // Tables are encrypted with their database's key; without kmsKeyId that is the AWS-managed aws/timestream.
    [TIMESTREAM_DATABASE]: [{ kind: "key", path: "kmsKeyId" }],
    // Records the magnetic store rejects are written to S3 (as they came in, PHI included) with the table's own choice of key.
    [TIMESTREAM_TABLE]: [
        {
            kind: "mode",
            path: "magneticStoreWriteProperties?.magneticStoreRejectedDataLocation?.s3Configuration.encryptionOption",
            customerKeyValues: ["SSE_KMS"],
            fix: "set encryptionOption: \"SSE_KMS\" with kmsKeyId, a customer-managed KMS key ARN.",
        },
        { kind: "key", path: "magneticStoreWriteProperties?.magneticStoreRejectedDataLocation?.s3Configuration.kmsKeyId" },
    ],
    [TIMESTREAM_INFLUXDB_INSTANCE]: [
        {
            kind: "no-customer-key",
            why: "Timestream for InfluxDB encrypts its storage only with an AWS key",
            fix: "Keep PHI in a Timestream for LiveAnalytics database with kmsKeyId, or set requireCustomerManagedKey: false for this policy.",
        },
    ],
    "aws-native:timestream:Database": [{ kind: "key", path: "kmsKeyId" }],
};

export const timestreamEncryptionAtRest: ResourceValidationPolicy = {
    name: "timestream-encryption-at-rest",
    description: "Amazon Timestream databases, and the S3 reports of records their tables reject, are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on `aws.timestreamwrite.Database` (Timestream re-encrypts in place). On tables with a magnetic-store rejected-data " +
        "location set `s3Configuration: { encryptionOption: \"SSE_KMS\", kmsKeyId: key.arn }`. Timestream for InfluxDB offers no customer-managed key.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(TIMESTREAM_RULES)),
};
