import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const WORKSPACES_WORKSPACE = "aws:workspaces/workspace:Workspace";

/** Clinicians work with PHI on these desktops: both volumes must be encrypted, and with the organisation's key. */
export const WORKSPACES_RULES: AtRestRules = {
    [WORKSPACES_WORKSPACE]: [
        { kind: "switch", path: "rootVolumeEncryptionEnabled", fix: "set rootVolumeEncryptionEnabled: true with volumeEncryptionKey (the WorkSpace must be rebuilt)." },
        { kind: "switch", path: "userVolumeEncryptionEnabled", fix: "set userVolumeEncryptionEnabled: true with volumeEncryptionKey (the WorkSpace must be rebuilt)." },
        { kind: "key", path: "volumeEncryptionKey" },
    ],
};

export const workspacesVolumeEncryption: ResourceValidationPolicy = {
    name: "workspaces-volume-encryption",
    description: "WorkSpaces encrypt their root and user volumes with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `rootVolumeEncryptionEnabled: true`, `userVolumeEncryptionEnabled: true` and `volumeEncryptionKey: key.arn` on `aws.workspaces.Workspace`. " +
        "Volume encryption is fixed at creation: rebuild the WorkSpace after backing up the user volume.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(WORKSPACES_RULES)),
};
