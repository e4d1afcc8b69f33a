import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, ResourceHandler, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { truthy } from "../../lib/values";

export const STORAGEGATEWAY_NFS_FILE_SHARE = "aws:storagegateway/nfsFileShare:NfsFileShare";
export const STORAGEGATEWAY_SMB_FILE_SHARE = "aws:storagegateway/smbFileShare:SmbFileShare";

const judgeShare: ResourceHandler = on<{ kmsEncrypted?: boolean; kmsKeyArn?: string }>((p, args, report) => {
    const requireCmk = encryptionConfig(args).requireCustomerManagedKey;
    const name = subject(args);
    if (!truthy(p.kmsEncrypted)) {
        // Objects then get S3-managed keys (SSE-S3) only.
        if (requireCmk) {
            report(`${name} writes objects with S3-managed keys only (kmsEncrypted is not true): set kmsEncrypted: true and kmsKeyArn to a customer-managed KMS key ARN.`);
        }
        return;
    }
    // kmsEncrypted without kmsKeyArn uses the AWS-managed aws/s3 key.
    const problem = keyProblem(keyReference(p, "kmsKeyArn"), `${name} kmsKeyArn`, requireCmk);
    if (problem) {
        report(`${problem}.`);
    }
});

export const storagegatewayFileShareEncryption: ResourceValidationPolicy = {
    name: "storagegateway-file-share-encryption",
    description: "Storage Gateway NFS and SMB file shares write objects to S3 encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsEncrypted: true` and `kmsKeyArn: key.arn` on `aws.storagegateway.NfsFileShare` / `SmbFileShare`, and allow the " +
        "gateway's role to use the key. The change applies in place to objects written afterwards.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [STORAGEGATEWAY_NFS_FILE_SHARE]: judgeShare,
        [STORAGEGATEWAY_SMB_FILE_SHARE]: judgeShare,
    }),
};
