import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { probe, truthy } from "../../lib/values";

export const EFS_FILE_SYSTEM = "aws:efs/fileSystem:FileSystem";
export const EFS_REPLICATION_CONFIGURATION = "aws:efs/replicationConfiguration:ReplicationConfiguration";

export const efsEncryptionAtRest: ResourceValidationPolicy = {
    name: "efs-encryption-at-rest",
    description: "EFS file systems, and the replicas EFS replication creates, are encrypted at rest with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `encrypted: true` and `kmsKeyId: key.arn` on `aws.efs.FileSystem`, and `destination.kmsKeyId` (a key in the destination " +
        "region) on `aws.efs.ReplicationConfiguration`. Encryption is fixed at creation: create an encrypted file system and " +
        "copy the data (AWS DataSync), then switch mounts.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [EFS_FILE_SYSTEM]: on<{ encrypted?: boolean; kmsKeyId?: string }>((p, args, report) => {
            const name = subject(args);
            if (!truthy(p.encrypted)) {
                report(`${name} stores files unencrypted: set encrypted: true and kmsKeyId to a customer-managed KMS key ARN (a new file system is needed; copy data with DataSync).`);
                return;
            }
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${name} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
        [EFS_REPLICATION_CONFIGURATION]: on<{ destination?: { fileSystemId?: string; kmsKeyId?: string } }>((p, args, report) => {
            const destination = p.destination;
            // Replicating into an existing file system: that file system is judged on its own.
            if (!destination || probe(destination, "fileSystemId").state !== "absent") {
                return;
            }
            const problem = keyProblem(keyReference(destination, "kmsKeyId"), `${subject(args)} destination.kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem} in the destination region.`);
            }
        }),
    }),
};
