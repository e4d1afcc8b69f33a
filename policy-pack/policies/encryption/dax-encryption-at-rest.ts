import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const DAX_CLUSTER = "aws:dax/cluster:Cluster";

const NO_CMK = {
    kind: "no-customer-key",
    why: "DAX encrypts its cache only with a key AWS owns",
    fix: "Read PHI from DynamoDB directly (tables take a customer-managed key), or set requireCustomerManagedKey: false for this policy to accept DAX's AWS-owned key.",
} as const;

/**
 * A DAX cluster caches item and query results (PHI read from DynamoDB) on its nodes. Encryption at rest is off
 * unless `serverSideEncryption.enabled` is set, and cannot be turned on later.
 */
export const DAX_RULES: AtRestRules = {
    [DAX_CLUSTER]: [
        { kind: "switch", path: "serverSideEncryption.enabled", fix: "set serverSideEncryption: { enabled: true } (a new cluster is needed; DAX cannot encrypt an existing one)." },
        NO_CMK,
    ],
    "aws-native:dax:Cluster": [
        { kind: "switch", path: "sseSpecification.sseEnabled", fix: "set sseSpecification: { sseEnabled: true } (a new cluster is needed; DAX cannot encrypt an existing one)." },
        NO_CMK,
    ],
};

export const daxEncryptionAtRest: ResourceValidationPolicy = {
    name: "dax-encryption-at-rest",
    description: "DynamoDB Accelerator (DAX) clusters encrypt their cached data at rest, and are refused while a customer-managed key is required because DAX offers none.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `serverSideEncryption: { enabled: true }` on `aws.dax.Cluster` (aws-native: `sseSpecification.sseEnabled`); this replaces the cluster. " +
        "DAX only supports an AWS-owned key: where the organisation requires customer-managed keys, keep PHI out of DAX or set " +
        "`requireCustomerManagedKey: false` for this policy after review.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(DAX_RULES)),
};
