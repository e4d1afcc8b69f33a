/**
 * Shared parts of the encryption-at-rest family (HIPAA 164.312(a)(2)(iv)).
 */
import { PolicyConfigSchema, ResourceValidationArgs } from "@pulumi/policy";
import { hipaa } from "./hipaa";
import { subject } from "./dispatch";
import { withDefaults } from "./values";

/** Options every encryption-at-rest policy takes. */
export interface EncryptionConfig {
    /**
     * Require a customer-managed KMS key; AWS-managed and AWS-owned keys fail.
     * @default true
     */
    requireCustomerManagedKey: boolean;
}

export const ENCRYPTION_DEFAULTS: EncryptionConfig = { requireCustomerManagedKey: true };

export const requireCustomerManagedKeySchema = {
    type: "boolean" as const,
    default: ENCRYPTION_DEFAULTS.requireCustomerManagedKey,
    description:
        "Require a customer-managed KMS key (key-usage audit in CloudTrail, revocation by disabling the key). " +
        "Set false to accept AWS-managed or AWS-owned keys.",
};

export const encryptionConfigSchema: PolicyConfigSchema = {
    properties: { requireCustomerManagedKey: requireCustomerManagedKeySchema },
};

/** The policy's config with defaults applied in code (unit tests and the offline engine get no schema defaults). */
export function encryptionConfig<T extends EncryptionConfig = EncryptionConfig>(args: ResourceValidationArgs, defaults?: T): T {
    return withDefaults<T>(args.getConfig<Partial<T>>(), (defaults ?? ENCRYPTION_DEFAULTS) as T);
}

export const ENCRYPTION_AT_REST = hipaa("164.312(a)(2)(iv)");

export { subject };
