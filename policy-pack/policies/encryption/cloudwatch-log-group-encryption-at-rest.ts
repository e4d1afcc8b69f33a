import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";

export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

export const cloudwatchLogGroupEncryptionAtRest: ResourceValidationPolicy = {
    name: "cloudwatch-log-group-encryption-at-rest",
    description: "CloudWatch Logs log groups encrypt log events with a customer-managed KMS key, since application logs can carry PHI.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on `aws.cloudwatch.LogGroup` and allow `logs.<region>.amazonaws.com` to use the key in its key " +
        "policy (with an `kms:EncryptionContext:aws:logs:arn` condition). The change applies in place to new log events.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [LOG_GROUP]: on<{ kmsKeyId?: string }>((p, args, report) => {
            // CloudWatch Logs always encrypts with a service-owned key; only a customer-managed key is in question.
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${subject(args)} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
    }),
};
