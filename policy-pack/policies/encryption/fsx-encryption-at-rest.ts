import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const FSX_LUSTRE = "aws:fsx/lustreFileSystem:LustreFileSystem";
export const FSX_OPENZFS = "aws:fsx/openZfsFileSystem:OpenZfsFileSystem";
export const FSX_WINDOWS = "aws:fsx/windowsFileSystem:WindowsFileSystem";
export const FSX_ONTAP = "aws:fsx/ontapFileSystem:OntapFileSystem";
export const FSX_FILE_CACHE = "aws:fsx/fileCache:FileCache";

/** Every FSx file system is encrypted at rest; without `kmsKeyId` it uses the AWS-managed key aws/fsx. */
export const FSX_RULES: AtRestRules = {
    [FSX_LUSTRE]: [{ kind: "key", path: "kmsKeyId" }],
    [FSX_OPENZFS]: [{ kind: "key", path: "kmsKeyId" }],
    [FSX_WINDOWS]: [{ kind: "key", path: "kmsKeyId" }],
    [FSX_ONTAP]: [{ kind: "key", path: "kmsKeyId" }],
    [FSX_FILE_CACHE]: [{ kind: "key", path: "kmsKeyId" }],
};

export const fsxEncryptionAtRest: ResourceValidationPolicy = {
    name: "fsx-encryption-at-rest",
    description: "Amazon FSx file systems (Lustre, OpenZFS, Windows File Server, NetApp ONTAP) and File Caches are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on the FSx file system or file cache. The key is fixed at creation: back up the file system, restore the backup " +
        "into a new one with the key (or copy the data with AWS DataSync), then switch clients.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(FSX_RULES)),
};
