import { ResourceValidationPolicy } from "@pulumi/policy";
import { DATA_STORE_CLASSIFICATION, REPORTED_KINDS, UnjudgedKind } from "../../lib/data-store-classification";
import { NotApplicableOnce } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, subject } from "../../lib/encryption";
import { asArray, withDefaults } from "../../lib/values";

/**
 * The classified data-store types no mandatory policy judges, with the reason (lib/data-store-classification.ts,
 * generated from the `@pulumi/aws` SDK by tools/pack-coverage). Kept for the spec and the README.
 */
export const UNJUDGED_DATA_STORES: Readonly<Record<string, { kind: UnjudgedKind; reason: string }>> = Object.fromEntries(
    Object.entries(DATA_STORE_CLASSIFICATION).flatMap(([type, c]) => ("unjudged" in c ? [[type, { kind: c.unjudged, reason: c.reason }]] : [])),
);

export interface UnjudgedConfig {
    /**
     * Resource types whose encryption the organisation has reviewed and accepts; they are no longer reported.
     * @default []
     */
    acknowledgedTypes: string[];
}

const DEFAULTS: UnjudgedConfig = { acknowledgedTypes: [] };
const UNJUDGED = new Map(Object.entries(UNJUDGED_DATA_STORES));
const NOT_A_DATA_STORE =
    "Policy only applies to data-holding resource types that no mandatory encryption-at-rest policy judges (lib/data-store-classification.ts).";
const once = new NotApplicableOnce();

export const unjudgedDataStoreEncryption: ResourceValidationPolicy = {
    name: "unjudged-data-store-encryption",
    description:
        "Data-holding resource types that no mandatory encryption-at-rest policy can judge (no customer-managed key exists, or the key is decided by other resources or by content) " +
        "are reported for review with the reason, instead of being passed in silence.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Read the reason in the finding: keep PHI out of a store that cannot use a customer-managed KMS key, or make sure the named argument " +
        "names one. Once reviewed, list the type in this policy's `acknowledgedTypes` config, or open an issue so the pack judges it.",
    configSchema: {
        properties: {
            acknowledgedTypes: {
                type: "array",
                items: { type: "string" },
                default: DEFAULTS.acknowledgedTypes,
                description: "Type tokens (for example aws:cognito/userPool:UserPool) whose encryption has been reviewed and is accepted.",
            },
        },
    },
    validateResource: (args, report) => {
        const entry = UNJUDGED.get(args.type);
        if (entry === undefined) {
            return once.notApplicable(args, NOT_A_DATA_STORE);
        }
        if (!REPORTED_KINDS.has(entry.kind)) {
            // Copies of judged sources, writers into judged buckets, configuration-only types: the reason is the verdict.
            return once.notApplicable(args, `Type '${args.type}' needs no judgement of its own: ${entry.reason}.`);
        }
        const cfg = withDefaults<UnjudgedConfig>(args.getConfig<Partial<UnjudgedConfig>>(), DEFAULTS);
        if (asArray<string>(cfg.acknowledgedTypes).includes(args.type)) {
            return args.notApplicable(`Type '${args.type}' is listed in acknowledgedTypes: its encryption was reviewed.`);
        }
        report(
            `${subject(args)} holds data whose encryption at rest no mandatory policy of this pack judges: ${entry.reason}. ` +
                `Make sure it uses a customer-managed KMS key (or keep PHI out of it), then add '${args.type}' to acknowledgedTypes.`,
        );
    },
};
