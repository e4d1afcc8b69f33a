import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const EBS_SNAPSHOT_COPY = "aws:ebs/snapshotCopy:SnapshotCopy";
export const EBS_SNAPSHOT_IMPORT = "aws:ebs/snapshotImport:SnapshotImport";
export const EC2_AMI_COPY = "aws:ec2/amiCopy:AmiCopy";

const SWITCH = { kind: "switch", path: "encrypted", fix: "set encrypted: true with kmsKeyId, a customer-managed KMS key ARN." } as const;

/** A copy is where unencrypted volume data gets encrypted (or stays in the clear); it takes its own key. */
export const EBS_SNAPSHOT_COPY_RULES: AtRestRules = {
    [EBS_SNAPSHOT_COPY]: [SWITCH, { kind: "key", path: "kmsKeyId" }],
    [EBS_SNAPSHOT_IMPORT]: [SWITCH, { kind: "key", path: "kmsKeyId" }],
    [EC2_AMI_COPY]: [SWITCH, { kind: "key", path: "kmsKeyId" }],
};

export const ebsSnapshotCopyEncryptionAtRest: ResourceValidationPolicy = {
    name: "ebs-snapshot-copy-encryption-at-rest",
    description: "EBS snapshot copies, snapshot imports and AMI copies are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `encrypted: true` and `kmsKeyId: key.arn` on `aws.ebs.SnapshotCopy`, `aws.ebs.SnapshotImport` and `aws.ec2.AmiCopy`. A copy is a new " +
        "resource: replacing it re-copies the source with the key.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(EBS_SNAPSHOT_COPY_RULES)),
};
