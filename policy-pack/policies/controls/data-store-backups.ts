import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, PolicyConfigError } from "../../lib/config";
import { fix, on, remediateTypes, ResourceHandler, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { probe, truthy } from "../../lib/values";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const RDS_CLUSTER = "aws:rds/cluster:Cluster";
export const DOCDB_CLUSTER = "aws:docdb/cluster:Cluster";
export const NEPTUNE_CLUSTER = "aws:neptune/cluster:Cluster";
export const REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster";
export const DYNAMODB_TABLE = "aws:dynamodb/table:Table";

const NAME = "data-store-backups";

export interface BackupConfig {
    /**
     * Shortest accepted automated-backup retention in days (RDS, Aurora, DocumentDB, Neptune: 1 to 35; Redshift: 1 to 35).
     * @default 7
     */
    minimumBackupRetentionDays: number;
}
const DEFAULTS: BackupConfig = { minimumBackupRetentionDays: 7 };

function config(args: Parameters<typeof policyConfig>[0]): BackupConfig {
    const cfg = policyConfig(args, DEFAULTS);
    const min = cfg.minimumBackupRetentionDays;
    if (typeof min !== "number" || !Number.isInteger(min) || min < 1 || min > 35) {
        throw new PolicyConfigError(NAME, "minimumBackupRetentionDays", "an integer from 1 to 35 (the range RDS and Redshift accept)", min);
    }
    return cfg;
}

// The service default when the argument is omitted is one day for every type judged here.
function retentionCheck(key: string): ResourceHandler {
    return (props, args, report) => {
        const min = config(args).minimumBackupRetentionDays;
        const value = props[key];
        const days = typeof value === "number" ? value : 1;
        if (days < min) {
            report(`${subject(args)} keeps automated backups for ${days} day${days === 1 ? "" : "s"}${typeof value === "number" ? "" : ` (${key} not set)`}, less than the required ${min}: set ${key} to ${min} or more.`);
        }
    };
}

interface Table {
    pointInTimeRecovery?: { enabled?: boolean };
}

export const dataStoreBackups: ResourceValidationPolicy = {
    name: NAME,
    description:
        "Databases keep automated backups for at least the configured number of days (RDS, Aurora, DocumentDB, Neptune, Redshift) " +
        "and DynamoDB tables have point-in-time recovery enabled.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: hipaa("164.308(a)(7)", "164.312(a)(2)(ii)", "164.310(d)(2)(iv)"),
    remediationSteps:
        "Set `backupRetentionPeriod` (RDS, Aurora, DocumentDB, Neptune) or `automatedSnapshotRetentionPeriod` (Redshift) to the " +
        "minimum or more, and `pointInTimeRecovery: { enabled: true }` on DynamoDB tables. The `remediate` level enables DynamoDB " +
        "PITR in place; it does not touch RDS retention, because turning backups on for an RDS instance that had none causes an outage.",
    configSchema: {
        properties: {
            minimumBackupRetentionDays: {
                type: "integer",
                minimum: 1,
                maximum: 35,
                default: DEFAULTS.minimumBackupRetentionDays,
                description: "Shortest accepted automated-backup retention in days.",
            },
        },
    },
    validateResource: validateTypes({
        [RDS_INSTANCE]: (props, args, report) => {
            // A read replica is recovered from its source's backups (and cannot keep its own on most engines).
            if (probe(props, "replicateSourceDb").state !== "absent") {
                args.notApplicable("Read replicas are recovered from their source instance's backups.");
            }
            retentionCheck("backupRetentionPeriod")(props, args, report);
        },
        [RDS_CLUSTER]: retentionCheck("backupRetentionPeriod"),
        [DOCDB_CLUSTER]: retentionCheck("backupRetentionPeriod"),
        [NEPTUNE_CLUSTER]: retentionCheck("backupRetentionPeriod"),
        [REDSHIFT_CLUSTER]: retentionCheck("automatedSnapshotRetentionPeriod"),
        [DYNAMODB_TABLE]: on<Table>((p, args, report) => {
            if (!truthy(p.pointInTimeRecovery?.enabled)) {
                report(`${subject(args)} has no point-in-time recovery, so a bad write or delete cannot be rolled back: set pointInTimeRecovery: { enabled: true }.`);
            }
        }),
    }),
    // Safe and local: enabling PITR is an in-place table setting that only adds continuous backups (and their cost).
    remediateResource: remediateTypes({
        [DYNAMODB_TABLE]: fix<Table>((p) => {
            if (truthy(p.pointInTimeRecovery?.enabled)) {
                return false;
            }
            if (p.pointInTimeRecovery) {
                p.pointInTimeRecovery.enabled = true;
            } else {
                p.pointInTimeRecovery = { enabled: true };
            }
            return true;
        }),
    }),
};
