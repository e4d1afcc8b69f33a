import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const MEMORYDB_CLUSTER = "aws:memorydb/cluster:Cluster";
export const MEMORYDB_SNAPSHOT = "aws:memorydb/snapshot:Snapshot";

/** MemoryDB is a durable primary database (transaction log and snapshots), always encrypted; the key is the question. */
export const MEMORYDB_RULES: AtRestRules = {
    [MEMORYDB_CLUSTER]: [{ kind: "key", path: "kmsKeyArn" }],
    [MEMORYDB_SNAPSHOT]: [{ kind: "key", path: "kmsKeyArn" }],
    "aws-native:memorydb:Cluster": [{ kind: "key", path: "kmsKeyId" }],
};

export const memorydbEncryptionAtRest: ResourceValidationPolicy = {
    name: "memorydb-encryption-at-rest",
    description: "MemoryDB clusters and their snapshots are encrypted at rest with a customer-managed KMS key rather than the AWS-owned default.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyArn: key.arn` on `aws.memorydb.Cluster` and `aws.memorydb.Snapshot` (aws-native: `kmsKeyId`). The key is fixed at creation: " +
        "snapshot the cluster, then restore the snapshot into a new cluster with the key.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(MEMORYDB_RULES)),
};
