import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, PolicyConfigError } from "../../lib/config";
import { fix, on, remediateTypes, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { probe, truthy } from "../../lib/values";

export const KMS_KEY = "aws:kms/key:Key";
export const KMS_EXTERNAL_KEY = "aws:kms/externalKey:ExternalKey";
export const KMS_REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey";

const NAME = "kms-key-rotation";

export interface KmsRotationConfig {
    /**
     * Longest accepted `rotationPeriodInDays` (KMS accepts 90 to 2560; its default is 365).
     * @default 365
     */
    maximumRotationPeriodDays: number;
}
const DEFAULTS: KmsRotationConfig = { maximumRotationPeriodDays: 365 };

interface Key {
    enableKeyRotation?: boolean;
    rotationPeriodInDays?: number;
    keyUsage?: string;
    customerMasterKeySpec?: string;
    customKeyStoreId?: string;
}

function config(args: Parameters<typeof policyConfig>[0]): KmsRotationConfig {
    const cfg = policyConfig(args, DEFAULTS);
    const max = cfg.maximumRotationPeriodDays;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 90 || max > 2560) {
        throw new PolicyConfigError(NAME, "maximumRotationPeriodDays", "an integer from 90 to 2560 (the range KMS accepts)", max);
    }
    return cfg;
}

/** Why automatic rotation does not apply to this key, or `undefined` when it does. */
function rotationUnsupported(p: Key): string | undefined {
    const usage = typeof p.keyUsage === "string" ? p.keyUsage : "ENCRYPT_DECRYPT";
    const spec = typeof p.customerMasterKeySpec === "string" ? p.customerMasterKeySpec : "SYMMETRIC_DEFAULT";
    if (usage !== "ENCRYPT_DECRYPT" || spec !== "SYMMETRIC_DEFAULT") {
        return `KMS rotates only symmetric encryption keys automatically; this key is ${usage} ${spec}.`;
    }
    if (probe(p, "customKeyStoreId").state !== "absent") {
        return "Keys in a custom key store (CloudHSM or external) cannot be rotated automatically by KMS.";
    }
    return undefined;
}

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: NAME,
    description: "Customer-managed symmetric KMS keys rotate their key material automatically, at least as often as the configured period.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: hipaa("164.312(a)(2)(iv)"),
    remediationSteps:
        "Set `enableKeyRotation: true` on `aws.kms.Key` (and `rotationPeriodInDays` no longer than the configured maximum). " +
        "Rotation keeps old key material for decryption, so nothing needs re-encrypting; the `remediate` level sets it for you.",
    configSchema: {
        properties: {
            maximumRotationPeriodDays: {
                type: "integer",
                minimum: 90,
                maximum: 2560,
                default: DEFAULTS.maximumRotationPeriodDays,
                description: "Longest accepted rotationPeriodInDays.",
            },
        },
    },
    validateResource: validateTypes({
        [KMS_KEY]: on<Key>((p, args, report) => {
            const unsupported = rotationUnsupported(p);
            if (unsupported) {
                args.notApplicable(unsupported);
            }
            const cfg = config(args);
            if (!truthy(p.enableKeyRotation)) {
                report(`${subject(args)} does not rotate its key material: set enableKeyRotation: true.`);
                return;
            }
            const period = p.rotationPeriodInDays;
            if (typeof period === "number" && period > cfg.maximumRotationPeriodDays) {
                report(`${subject(args)} rotates every ${period} days, longer than the ${cfg.maximumRotationPeriodDays} days allowed: set rotationPeriodInDays to at most ${cfg.maximumRotationPeriodDays}.`);
            }
        }),
        [KMS_EXTERNAL_KEY]: on<object>((_p, args) => {
            args.notApplicable("Keys with imported key material cannot be rotated automatically; rotate them by importing new material into a new key.");
        }),
        [KMS_REPLICA_KEY]: on<object>((_p, args) => {
            args.notApplicable("A multi-Region replica key shares its primary key's rotation, which is judged on the primary.");
        }),
    }),
    // Safe and local: turning rotation on is an in-place key setting, old material stays available for decryption.
    remediateResource: remediateTypes({
        [KMS_KEY]: fix<Key>((p, args) => {
            if (rotationUnsupported(p)) {
                return false;
            }
            const cfg = config(args);
            let changed = false;
            if (!truthy(p.enableKeyRotation)) {
                p.enableKeyRotation = true;
                changed = true;
            }
            if (typeof p.rotationPeriodInDays === "number" && p.rotationPeriodInDays > cfg.maximumRotationPeriodDays) {
                p.rotationPeriodInDays = cfg.maximumRotationPeriodDays;
                changed = true;
            }
            return changed;
        }),
    }),
};
