import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { explicitlyFalse, probe, truthy } from "../../lib/values";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const RDS_CLUSTER = "aws:rds/cluster:Cluster";
export const RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
export const RDS_GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster";
export const DOCDB_CLUSTER = "aws:docdb/cluster:Cluster";
export const NEPTUNE_CLUSTER = "aws:neptune/cluster:Cluster";

interface PerformanceInsights {
    performanceInsightsEnabled?: boolean;
    performanceInsightsKmsKeyId?: string;
}
interface RdsInstance extends PerformanceInsights {
    storageEncrypted?: boolean;
    kmsKeyId?: string;
    replicateSourceDb?: string;
}
interface RdsCluster extends PerformanceInsights {
    storageEncrypted?: boolean;
    kmsKeyId?: string;
    engineMode?: string;
}
interface GlobalCluster {
    storageEncrypted?: boolean;
    sourceDbClusterIdentifier?: string;
}

// Encryption of an RDS storage volume is fixed at creation: turning it on later replaces the database
// (snapshot, copy the snapshot encrypted, restore). That is why there is no remediateResource here: a
// remediation runs before every update, also for existing databases, and would silently plan a
// replacement of a database holding PHI.
const FIX_STORAGE =
    "set storageEncrypted: true and kmsKeyId to a customer-managed KMS key ARN (an existing database must be " +
    "migrated: snapshot it, copy the snapshot with that key, restore from the encrypted copy)";

export const rdsEncryptionAtRest: ResourceValidationPolicy = {
    name: "rds-encryption-at-rest",
    description:
        "RDS DB instances, clusters and global clusters (and DocumentDB and Neptune clusters) encrypt storage, " +
        "and Performance Insights data, with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `storageEncrypted: true` and `kmsKeyId: key.arn` (Neptune: `kmsKeyArn`) on the instance or cluster, and " +
        "`performanceInsightsKmsKeyId: key.arn` wherever Performance Insights is enabled. Encryption cannot be turned on " +
        "in place: snapshot the database, copy the snapshot with the customer-managed key, restore from the copy and " +
        "switch clients over.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [RDS_INSTANCE]: on<RdsInstance>((p, args, report) => {
            const cfg = encryptionConfig(args);
            const name = subject(args);
            const kms = keyReference(p, "kmsKeyId");
            // A read replica inherits the source's encryption (the source is judged on its own); a cross-region
            // replica is encrypted by declaring kmsKeyId, which the provider uses instead of storageEncrypted.
            const replica = probe(p, "replicateSourceDb").state !== "absent";
            if (!replica && !truthy(p.storageEncrypted)) {
                report(`${name} stores data unencrypted: storageEncrypted is not true; ${FIX_STORAGE}.`);
            } else if (!replica || kms.kind !== "absent") {
                const problem = keyProblem(kms, `${name} kmsKeyId`, cfg.requireCustomerManagedKey);
                if (problem) {
                    report(`${problem}.`);
                }
            }
            checkPerformanceInsights(p, name, cfg.requireCustomerManagedKey, report);
        }),
        [RDS_CLUSTER]: on<RdsCluster>((p, args, report) => {
            const cfg = encryptionConfig(args);
            const name = subject(args);
            // Aurora Serverless v1 clusters are always encrypted unless storageEncrypted is explicitly false.
            const encrypted = truthy(p.storageEncrypted) || (p.engineMode === "serverless" && !explicitlyFalse(p.storageEncrypted));
            if (!encrypted) {
                report(`${name} stores data unencrypted: storageEncrypted is not true; ${FIX_STORAGE}.`);
            } else {
                const problem = keyProblem(keyReference(p, "kmsKeyId"), `${name} kmsKeyId`, cfg.requireCustomerManagedKey);
                if (problem) {
                    report(`${problem}.`);
                }
            }
            checkPerformanceInsights(p, name, cfg.requireCustomerManagedKey, report);
        }),
        [RDS_CLUSTER_INSTANCE]: on<PerformanceInsights>((p, args, report) => {
            // Storage of an Aurora instance is the cluster's (judged on the cluster); only Performance Insights is per instance.
            checkPerformanceInsights(p, subject(args), encryptionConfig(args).requireCustomerManagedKey, report);
        }),
        [RDS_GLOBAL_CLUSTER]: on<GlobalCluster>((p, args, report) => {
            // A global cluster built from an existing cluster takes that cluster's encryption (judged on the cluster).
            if (probe(p, "sourceDbClusterIdentifier").state !== "absent") {
                return;
            }
            if (!truthy(p.storageEncrypted)) {
                report(`${subject(args)} stores data unencrypted: storageEncrypted is not true; set storageEncrypted: true (member clusters then need kmsKeyId).`);
            }
        }),
        [DOCDB_CLUSTER]: on<{ storageEncrypted?: boolean; kmsKeyId?: string }>((p, args, report) => {
            judgeCluster(truthy(p.storageEncrypted), keyProblem(keyReference(p, "kmsKeyId"), `${subject(args)} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey), subject(args), report);
        }),
        [NEPTUNE_CLUSTER]: on<{ storageEncrypted?: boolean; kmsKeyArn?: string }>((p, args, report) => {
            judgeCluster(truthy(p.storageEncrypted), keyProblem(keyReference(p, "kmsKeyArn"), `${subject(args)} kmsKeyArn`, encryptionConfig(args).requireCustomerManagedKey), subject(args), report);
        }),
    }),
};

function judgeCluster(encrypted: boolean, problem: string | undefined, name: string, report: (m: string) => void): void {
    if (!encrypted) {
        report(`${name} stores data unencrypted: storageEncrypted is not true; set storageEncrypted: true with a customer-managed KMS key (migrate an existing cluster through an encrypted snapshot copy).`);
    } else if (problem) {
        report(`${problem}.`);
    }
}

// Performance Insights keeps query text and samples, which can contain PHI; it is always encrypted, with
// the AWS-managed aws/rds key unless performanceInsightsKmsKeyId names another.
function checkPerformanceInsights(p: PerformanceInsights, name: string, requireCmk: boolean, report: (m: string) => void): void {
    if (!truthy(p.performanceInsightsEnabled)) {
        return;
    }
    const problem = keyProblem(keyReference(p, "performanceInsightsKmsKeyId"), `${name} performanceInsightsKmsKeyId`, requireCmk);
    if (problem) {
        report(`${problem} (Performance Insights keeps query samples, which can contain PHI).`);
    }
}
