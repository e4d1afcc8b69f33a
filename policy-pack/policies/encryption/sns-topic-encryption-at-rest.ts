import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";

export const SNS_TOPIC = "aws:sns/topic:Topic";

export const snsTopicEncryptionAtRest: ResourceValidationPolicy = {
    name: "sns-topic-encryption-at-rest",
    description: "SNS topics encrypt stored messages with server-side encryption under a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsMasterKeyId: key.arn` on `aws.sns.Topic`, and allow the publishing services (CloudWatch, EventBridge, S3...) " +
        "`kms:GenerateDataKey*` and `kms:Decrypt` in the key policy. The change applies in place.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [SNS_TOPIC]: on<{ kmsMasterKeyId?: string }>((p, args, report) => {
            const name = subject(args);
            const ref = keyReference(p, "kmsMasterKeyId");
            if (ref.kind === "absent") {
                // Without a key SNS stores messages unencrypted, whatever the config says about AWS-managed keys.
                report(`${name} stores messages unencrypted: set kmsMasterKeyId to a customer-managed KMS key ARN.`);
                return;
            }
            const problem = keyProblem(ref, `${name} kmsMasterKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
    }),
};
