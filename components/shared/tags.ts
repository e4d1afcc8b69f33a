/**
 * The standard tag set. Tags drive access (tag-based customer access), discovery (Macie jobs select
 * PHI buckets by `data-classification`), cost allocation and the pack's required-tags control.
 */

/** Data classification of what a resource holds. `phi` means electronic protected health information. */
export type DataClassification = "phi" | "confidential" | "internal" | "public";

/** Tag keys used across the platform; policies and Macie criteria refer to these exact keys. */
export const TAG_KEYS = {
    environment: "environment",
    dataClassification: "data-classification",
    owner: "owner",
    costCenter: "cost-center",
    managedBy: "managed-by",
    customer: "customer",
    component: "component",
} as const;

export interface StandardTagInputs {
    environment: string;
    dataClassification: DataClassification;
    owner: string;
    costCenter: string;
}

/** The tags every resource carries (applied as the provider's `defaultTags`). */
export function standardTags(inputs: StandardTagInputs): Record<string, string> {
    return {
        [TAG_KEYS.environment]: inputs.environment,
        [TAG_KEYS.dataClassification]: inputs.dataClassification,
        [TAG_KEYS.owner]: inputs.owner,
        [TAG_KEYS.costCenter]: inputs.costCenter,
        [TAG_KEYS.managedBy]: "pulumi",
    };
}

/** Resource-level tags that refine the defaults (for example a log bucket that holds no PHI). */
export function classificationTags(classification: DataClassification, extra: Record<string, string> = {}): Record<string, string> {
    return { [TAG_KEYS.dataClassification]: classification, ...extra };
}

/**
 * Tag values must be at most 256 characters from letters, digits, spaces and `+ - = . _ : / @`;
 * customer ids additionally end up in IAM role names, so they are restricted to lowercase slugs.
 */
export const CUSTOMER_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
