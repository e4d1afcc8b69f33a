import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";

export const BACKUP_VAULT = "aws:backup/vault:Vault";

export const backupVaultEncryptionAtRest: ResourceValidationPolicy = {
    name: "backup-vault-encryption-at-rest",
    description: "AWS Backup vaults encrypt recovery points with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyArn: key.arn` on `aws.backup.Vault`. A vault's key is fixed at creation: create a new vault with the " +
        "customer-managed key, point backup plans at it and let old recovery points expire (or copy them across).",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [BACKUP_VAULT]: on<{ kmsKeyArn?: string }>((p, args, report) => {
            // Without kmsKeyArn the AWS-managed aws/backup key is used.
            const problem = keyProblem(keyReference(p, "kmsKeyArn"), `${subject(args)} kmsKeyArn`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
    }),
};
