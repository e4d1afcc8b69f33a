import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { asArray } from "../../lib/values";

export const SECRETSMANAGER_SECRET = "aws:secretsmanager/secret:Secret";

export const secretsmanagerSecretEncryption: ResourceValidationPolicy = {
    name: "secretsmanager-secret-encryption",
    description: "Secrets Manager secrets, and their replicas in other regions, are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on `aws.secretsmanager.Secret` and `kmsKeyId` (a key in that region) on every `replicas` entry; " +
        "grant readers `kms:Decrypt` on the key. Secrets Manager re-encrypts the next version in place.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [SECRETSMANAGER_SECRET]: on<{ kmsKeyId?: string; replicas?: { region?: string; kmsKeyId?: string }[] }>((p, args, report) => {
            const requireCmk = encryptionConfig(args).requireCustomerManagedKey;
            const name = subject(args);
            // Without kmsKeyId the AWS-managed aws/secretsmanager key is used.
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${name} kmsKeyId`, requireCmk);
            if (problem) {
                report(`${problem}.`);
            }
            for (const [i, replica] of asArray<{ region?: string }>(p.replicas).entries()) {
                const rp = keyProblem(keyReference(replica, "kmsKeyId"), `${name} replicas[${i}] (${replica.region ?? "?"}) kmsKeyId`, requireCmk);
                if (rp) {
                    report(`${rp} in that region.`);
                }
            }
        }),
    }),
};
