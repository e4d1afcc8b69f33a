import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const QLDB_LEDGER = "aws:qldb/ledger:Ledger";
export const DSQL_CLUSTER = "aws:dsql/cluster:Cluster";

/** Both APIs take the keyword AWS_OWNED_KMS_KEY in place of a key ARN, and default to it. */
export const LEDGER_DATABASE_RULES: AtRestRules = {
    [QLDB_LEDGER]: [{ kind: "key", path: "kmsKey", awsKeyValues: ["AWS_OWNED_KMS_KEY"] }],
    [DSQL_CLUSTER]: [{ kind: "key", path: "kmsEncryptionKey", awsKeyValues: ["AWS_OWNED_KMS_KEY"] }],
};

export const ledgerDatabaseEncryptionAtRest: ResourceValidationPolicy = {
    name: "ledger-database-encryption-at-rest",
    description: "QLDB ledgers and Aurora DSQL clusters are encrypted with a customer-managed KMS key rather than the AWS-owned key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKey: key.arn` on `aws.qldb.Ledger` and `kmsEncryptionKey: key.arn` on `aws.dsql.Cluster` (not the keyword `AWS_OWNED_KMS_KEY`). " +
        "Both services switch the key in place.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(LEDGER_DATABASE_RULES)),
};
