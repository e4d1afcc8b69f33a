import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const MSK_CLUSTER = "aws:msk/cluster:Cluster";
export const MSK_SERVERLESS_CLUSTER = "aws:msk/serverlessCluster:ServerlessCluster";

/** Kafka brokers keep every message on their data volumes, so the volume key is the PHI key. */
export const MSK_RULES: AtRestRules = {
    // Without a key MSK encrypts the volumes with the AWS-managed key aws/kafka.
    [MSK_CLUSTER]: [{ kind: "key", path: "encryptionInfo.encryptionAtRestKmsKeyArn" }],
    [MSK_SERVERLESS_CLUSTER]: [
        {
            kind: "no-customer-key",
            why: "MSK Serverless always encrypts with a key AWS owns",
            fix: "Use a provisioned aws.msk.Cluster with encryptionInfo.encryptionAtRestKmsKeyArn, or set requireCustomerManagedKey: false for this policy.",
        },
    ],
    "aws-native:msk:Cluster": [{ kind: "key", path: "encryptionInfo.encryptionAtRest.dataVolumeKmsKeyId" }],
    "aws-native:msk:ServerlessCluster": [
        {
            kind: "no-customer-key",
            why: "MSK Serverless always encrypts with a key AWS owns",
            fix: "Use a provisioned aws-native.msk.Cluster with encryptionInfo.encryptionAtRest.dataVolumeKmsKeyId, or set requireCustomerManagedKey: false for this policy.",
        },
    ],
};

export const mskEncryptionAtRest: ResourceValidationPolicy = {
    name: "msk-encryption-at-rest",
    description: "Amazon MSK clusters encrypt their broker data volumes with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `encryptionInfo.encryptionAtRestKmsKeyArn: key.arn` on `aws.msk.Cluster` (aws-native: `encryptionInfo.encryptionAtRest.dataVolumeKmsKeyId`). " +
        "The key is fixed at creation: create a new cluster and mirror the topics (MirrorMaker 2 or MSK Replicator). MSK Serverless offers no " +
        "customer-managed key.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(MSK_RULES)),
};
