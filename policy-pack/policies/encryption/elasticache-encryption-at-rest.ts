import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { explicitlyFalse, probe, truthy } from "../../lib/values";

export const ELASTICACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
export const ELASTICACHE_SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache";
export const ELASTICACHE_CLUSTER = "aws:elasticache/cluster:Cluster";

interface ReplicationGroup {
    engine?: string;
    atRestEncryptionEnabled?: boolean;
    kmsKeyId?: string;
    globalReplicationGroupId?: string;
}

export const elasticacheEncryptionAtRest: ResourceValidationPolicy = {
    name: "elasticache-encryption-at-rest",
    description: "ElastiCache replication groups and serverless caches encrypt cached data and snapshots at rest with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Use `aws.elasticache.ReplicationGroup` with `atRestEncryptionEnabled: true` and `kmsKeyId: key.arn`, or " +
        "`aws.elasticache.ServerlessCache` with `kmsKeyId: key.arn`. At-rest encryption of a replication group is fixed at " +
        "creation: create an encrypted group, restore a snapshot into it and switch clients. A standalone " +
        "`aws.elasticache.Cluster` cannot encrypt at rest; replace it with a replication group or serverless cache.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [ELASTICACHE_REPLICATION_GROUP]: on<ReplicationGroup>((p, args, report) => {
            const name = subject(args);
            // A member of a global datastore takes the primary's encryption settings (judged on the primary group).
            if (probe(p, "globalReplicationGroupId").state !== "absent") {
                return;
            }
            // The provider's default is unencrypted for redis and encrypted for valkey.
            const engine = typeof p.engine === "string" ? p.engine : "redis";
            const encrypted = truthy(p.atRestEncryptionEnabled) || (engine === "valkey" && !explicitlyFalse(p.atRestEncryptionEnabled));
            if (!encrypted) {
                report(`${name} keeps cache data and snapshots unencrypted: set atRestEncryptionEnabled: true with kmsKeyId set to a customer-managed KMS key ARN (requires a new replication group).`);
                return;
            }
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${name} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
        [ELASTICACHE_SERVERLESS_CACHE]: on<{ kmsKeyId?: string }>((p, args, report) => {
            // Serverless caches are always encrypted at rest; the key is AWS-owned unless kmsKeyId is set.
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${subject(args)} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
        [ELASTICACHE_CLUSTER]: on<{ replicationGroupId?: string; engine?: string }>((p, args, report) => {
            // A node added to a replication group is encrypted by the group's settings (judged on the group).
            if (probe(p, "replicationGroupId").state !== "absent") {
                return;
            }
            report(
                `${subject(args)} is a standalone ${typeof p.engine === "string" ? p.engine : "cache"} cluster, which cannot encrypt data at rest: ` +
                    "use aws.elasticache.ReplicationGroup (atRestEncryptionEnabled: true, kmsKeyId) or aws.elasticache.ServerlessCache (kmsKeyId) instead.",
            );
        }),
    }),
};
