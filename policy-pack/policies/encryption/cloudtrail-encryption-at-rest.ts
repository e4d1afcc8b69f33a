import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";

export const CLOUDTRAIL_TRAIL = "aws:cloudtrail/trail:Trail";

export const cloudtrailEncryptionAtRest: ResourceValidationPolicy = {
    name: "cloudtrail-encryption-at-rest",
    description: "CloudTrail trails encrypt their log files with SSE-KMS under a customer-managed key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on `aws.cloudtrail.Trail` and allow `cloudtrail.amazonaws.com` `kms:GenerateDataKey*` in the key " +
        "policy (with an `aws:SourceArn` condition naming the trail). The change applies in place to new log files.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [CLOUDTRAIL_TRAIL]: on<{ kmsKeyId?: string }>((p, args, report) => {
            // Without kmsKeyId log files get only the bucket's SSE-S3 encryption.
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${subject(args)} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
    }),
};
