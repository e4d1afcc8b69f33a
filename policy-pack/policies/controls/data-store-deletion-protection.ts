import { ResourceValidationPolicy } from "@pulumi/policy";
import { fix, remediateTypes, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { truthy } from "../../lib/values";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const RDS_CLUSTER = "aws:rds/cluster:Cluster";
export const RDS_GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster";
export const DOCDB_CLUSTER = "aws:docdb/cluster:Cluster";
export const NEPTUNE_CLUSTER = "aws:neptune/cluster:Cluster";
export const DYNAMODB_TABLE = "aws:dynamodb/table:Table";

/** The deletion-protection argument of each judged type. */
export const DELETION_PROTECTION_ARGUMENT: Readonly<Record<string, string>> = {
    [RDS_INSTANCE]: "deletionProtection",
    [RDS_CLUSTER]: "deletionProtection",
    [RDS_GLOBAL_CLUSTER]: "deletionProtection",
    [DOCDB_CLUSTER]: "deletionProtection",
    [NEPTUNE_CLUSTER]: "deletionProtection",
    [DYNAMODB_TABLE]: "deletionProtectionEnabled",
};

const check = (key: string) => (props: Record<string, unknown>, args: { type: string; name: string }, report: (m: string) => void) => {
    if (!truthy(props[key])) {
        report(`${subject(args)} can be deleted by a single API call or a stack destroy: set ${key}: true (and protect: true as a resource option in production).`);
    }
};
const set = (key: string) => (props: Record<string, unknown>) => {
    if (truthy(props[key])) {
        return false;
    }
    props[key] = true;
    return true;
};

export const dataStoreDeletionProtection: ResourceValidationPolicy = {
    name: "data-store-deletion-protection",
    description: "RDS instances and clusters, DocumentDB and Neptune clusters and DynamoDB tables have the service's deletion protection turned on.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: hipaa("164.308(a)(7)", "164.312(c)(1)"),
    remediationSteps:
        "Set `deletionProtection: true` (RDS, Aurora, DocumentDB, Neptune) or `deletionProtectionEnabled: true` (DynamoDB), and " +
        "`protect: true` as a Pulumi resource option for production data stores. The `remediate` level turns the service flag " +
        "on in place; deleting the store later then needs an explicit change first.",
    validateResource: validateTypes(Object.fromEntries(Object.entries(DELETION_PROTECTION_ARGUMENT).map(([t, key]) => [t, check(key)]))),
    // Safe and local: an in-place flag that only prevents deletion.
    remediateResource: remediateTypes(Object.fromEntries(Object.entries(DELETION_PROTECTION_ARGUMENT).map(([t, key]) => [t, fix(set(key))]))),
};
