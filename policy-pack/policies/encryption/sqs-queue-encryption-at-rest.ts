import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { fix, on, remediateTypes, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, EncryptionConfig, encryptionConfig, requireCustomerManagedKeySchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { explicitlyFalse } from "../../lib/values";

export const SQS_QUEUE = "aws:sqs/queue:Queue";

export interface SqsEncryptionConfig extends EncryptionConfig {
    /**
     * Accept SQS-managed server-side encryption (SSE-SQS) for queues without a KMS key. SSE-SQS encrypts at rest but
     * gives no per-queue key audit trail or revocation, so it is off by default for PHI.
     * @default false
     */
    allowSqsManagedSse: boolean;
}

const DEFAULTS: SqsEncryptionConfig = { requireCustomerManagedKey: true, allowSqsManagedSse: false };

interface Queue {
    kmsMasterKeyId?: string;
    sqsManagedSseEnabled?: boolean;
}

export const sqsQueueEncryptionAtRest: ResourceValidationPolicy = {
    name: "sqs-queue-encryption-at-rest",
    description: "SQS queues encrypt messages at rest with SSE-KMS under a customer-managed key (SQS-managed SSE only where the pack config allows it).",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsMasterKeyId: key.arn` on `aws.sqs.Queue` (and let producers use the key in its key policy). If the organisation " +
        "accepts SQS-managed encryption, set `allowSqsManagedSse: true` in the pack config; the `remediate` level then turns " +
        "`sqsManagedSseEnabled` back on for queues that disabled it. Both changes apply in place.",
    configSchema: {
        properties: {
            requireCustomerManagedKey: requireCustomerManagedKeySchema,
            allowSqsManagedSse: {
                type: "boolean",
                default: DEFAULTS.allowSqsManagedSse,
                description: "Accept SQS-managed server-side encryption (SSE-SQS) for queues that name no KMS key.",
            },
        },
    } satisfies PolicyConfigSchema,
    validateResource: validateTypes({
        [SQS_QUEUE]: on<Queue>((p, args, report) => {
            const cfg = encryptionConfig(args, DEFAULTS);
            const name = subject(args);
            const ref = keyReference(p, "kmsMasterKeyId");
            if (ref.kind !== "absent") {
                // `alias/aws/sqs` is the AWS-managed key.
                const problem = keyProblem(ref, `${name} kmsMasterKeyId`, cfg.requireCustomerManagedKey);
                if (problem) {
                    report(`${problem}.`);
                }
                return;
            }
            // Without a KMS key, SQS applies SSE-SQS unless sqsManagedSseEnabled is explicitly false.
            if (explicitlyFalse(p.sqsManagedSseEnabled)) {
                report(`${name} stores messages unencrypted (no kmsMasterKeyId and sqsManagedSseEnabled: false): set kmsMasterKeyId to a customer-managed KMS key ARN.`);
            } else if (!cfg.allowSqsManagedSse) {
                report(`${name} relies on SQS-managed encryption, which the pack config does not accept for PHI: set kmsMasterKeyId to a customer-managed KMS key ARN (or allowSqsManagedSse: true in the pack config).`);
            }
        }),
    }),
    // Safe and local: turning SSE-SQS on is an in-place queue attribute change with no key to choose, and it is
    // only done where the organisation has said SSE-SQS is acceptable.
    remediateResource: remediateTypes({
        [SQS_QUEUE]: fix<Queue>((p, args) => {
            const cfg = encryptionConfig(args, DEFAULTS);
            if (!cfg.allowSqsManagedSse || keyReference(p, "kmsMasterKeyId").kind !== "absent" || !explicitlyFalse(p.sqsManagedSseEnabled)) {
                return false;
            }
            p.sqsManagedSseEnabled = true;
            return true;
        }),
    }),
};
