import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";

export const KINESIS_STREAM = "aws:kinesis/stream:Stream";

export const kinesisStreamEncryptionAtRest: ResourceValidationPolicy = {
    name: "kinesis-stream-encryption-at-rest",
    description: "Kinesis data streams encrypt records at rest with server-side KMS encryption under a customer-managed key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `encryptionType: \"KMS\"` and `kmsKeyId: key.arn` on `aws.kinesis.Stream`. Kinesis starts encrypting new records in " +
        "place; records already in the stream stay as written until they expire.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [KINESIS_STREAM]: on<{ encryptionType?: string; kmsKeyId?: string }>((p, args, report) => {
            const name = subject(args);
            if (p.encryptionType !== "KMS") {
                report(`${name} stores records unencrypted (encryptionType is ${p.encryptionType === undefined ? "not set" : `"${p.encryptionType}"`}): set encryptionType: "KMS" and kmsKeyId to a customer-managed KMS key ARN.`);
                return;
            }
            // `alias/aws/kinesis` is the AWS-managed key.
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${name} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
    }),
};
