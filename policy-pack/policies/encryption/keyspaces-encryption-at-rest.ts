import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const KEYSPACES_TABLE = "aws:keyspaces/table:Table";

const CUSTOMER_KEY = "CUSTOMER_MANAGED_KMS_KEY";

/** Keyspaces tables are encrypted with an AWS-owned key unless the table selects a customer-managed one. */
export const KEYSPACES_RULES: AtRestRules = {
    [KEYSPACES_TABLE]: [
        { kind: "mode", path: "encryptionSpecification.type", customerKeyValues: [CUSTOMER_KEY], fix: `set encryptionSpecification: { type: "${CUSTOMER_KEY}", kmsKeyIdentifier: key.arn }.` },
        { kind: "key", path: "encryptionSpecification.kmsKeyIdentifier" },
    ],
    "aws-native:cassandra:Table": [
        { kind: "mode", path: "encryptionSpecification.encryptionType", customerKeyValues: [CUSTOMER_KEY], fix: `set encryptionSpecification: { encryptionType: "${CUSTOMER_KEY}", kmsKeyIdentifier: key.arn }.` },
        { kind: "key", path: "encryptionSpecification.kmsKeyIdentifier" },
    ],
};

export const keyspacesEncryptionAtRest: ResourceValidationPolicy = {
    name: "keyspaces-encryption-at-rest",
    description: "Amazon Keyspaces (for Apache Cassandra) tables are encrypted with a customer-managed KMS key rather than the AWS-owned default.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        `Set \`encryptionSpecification: { type: "${CUSTOMER_KEY}", kmsKeyIdentifier: key.arn }\` on \`aws.keyspaces.Table\` (aws-native ` +
        "`aws-native.cassandra.Table`: `encryptionType`). Keyspaces switches the key in place, without replacing the table.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(KEYSPACES_RULES)),
};
