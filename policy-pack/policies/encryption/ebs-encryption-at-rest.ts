import { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, EncryptionConfig, encryptionConfig, requireCustomerManagedKeySchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { asArray, explicitlyFalse, probe, truthy } from "../../lib/values";

export const EBS_VOLUME = "aws:ebs/volume:Volume";
export const EC2_INSTANCE = "aws:ec2/instance:Instance";
export const EC2_SPOT_INSTANCE_REQUEST = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
export const EC2_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

export interface EbsEncryptionConfig extends EncryptionConfig {
    /**
     * The account enables EBS encryption by default (`aws.ebs.EncryptionByDefault`) with a customer-managed default key
     * (`aws.ebs.DefaultKmsKey`): volumes that do not declare encryption, or declare it without a key, are then accepted.
     * @default false
     */
    ebsEncryptionByDefault: boolean;
}

const DEFAULTS: EbsEncryptionConfig = { requireCustomerManagedKey: true, ebsEncryptionByDefault: false };

interface Device {
    encrypted?: boolean | string;
    kmsKeyId?: string;
}
interface Instance {
    rootBlockDevice?: Device;
    ebsBlockDevices?: (Device & { deviceName?: string })[];
    launchTemplate?: object;
}
interface LaunchTemplate {
    blockDeviceMappings?: { deviceName?: string; ebs?: Device; noDevice?: string; virtualName?: string }[];
}

// EBS encryption is fixed when a volume is created (a new encrypted volume from a snapshot copy is the only
// way to encrypt data already written), so this policy does not remediate: changing `encrypted` replaces the
// volume or the instance and would discard its data.
function judgeDevice(d: Device, what: string, cfg: EbsEncryptionConfig, report: (m: string) => void): void {
    if (explicitlyFalse(d.encrypted)) {
        report(`${what} is unencrypted (encrypted: false): set encrypted: true and kmsKeyId to a customer-managed KMS key ARN.`);
        return;
    }
    if (!truthy(d.encrypted)) {
        if (!cfg.ebsEncryptionByDefault) {
            report(`${what} does not set encrypted: true, so it is encrypted only if the AMI snapshot or the account default says so: set encrypted: true and kmsKeyId to a customer-managed KMS key ARN.`);
        }
        return;
    }
    const ref = keyReference(d, "kmsKeyId");
    if (ref.kind === "absent" && cfg.ebsEncryptionByDefault) {
        // The account's default EBS key (declared customer-managed through the config) applies.
        return;
    }
    const problem = keyProblem(ref, `${what} kmsKeyId`, cfg.requireCustomerManagedKey);
    if (problem) {
        report(`${problem}.`);
    }
}

function judgeInstance(p: Instance, name: string, cfg: EbsEncryptionConfig, report: (m: string) => void): void {
    const root = p.rootBlockDevice;
    if (root) {
        judgeDevice(root, `${name} rootBlockDevice`, cfg, report);
    } else if (probe(p, "launchTemplate").state === "absent" && !cfg.ebsEncryptionByDefault) {
        // With a launch template the template's block device mappings decide (the template is judged on its own).
        report(`${name} declares no rootBlockDevice, so its root volume follows the AMI snapshot's encryption: add rootBlockDevice: { encrypted: true, kmsKeyId } with a customer-managed KMS key ARN.`);
    }
    for (const [i, d] of asArray<Device & { deviceName?: string }>(p.ebsBlockDevices).entries()) {
        judgeDevice(d, `${name} ebsBlockDevices[${i}]${typeof d.deviceName === "string" ? ` (${d.deviceName})` : ""}`, cfg, report);
    }
}

export const ebsEncryptionAtRest: ResourceValidationPolicy = {
    name: "ebs-encryption-at-rest",
    description:
        "EBS volumes, the root and EBS block devices of EC2 instances and spot requests, and launch-template block device " +
        "mappings are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `encrypted: true` and `kmsKeyId: key.arn` on `aws.ebs.Volume`, on `rootBlockDevice` and every `ebsBlockDevices` entry " +
        "of `aws.ec2.Instance`, and on `ebs` of every `blockDeviceMappings` entry of `aws.ec2.LaunchTemplate` (`encrypted: \"true\"`). " +
        "Existing volumes are encrypted by snapshotting, copying the snapshot with the key and creating new volumes from it. " +
        "Accounts that enforce EBS encryption by default with a customer-managed default key can set `ebsEncryptionByDefault: true`.",
    configSchema: {
        properties: {
            requireCustomerManagedKey: requireCustomerManagedKeySchema,
            ebsEncryptionByDefault: {
                type: "boolean",
                default: DEFAULTS.ebsEncryptionByDefault,
                description:
                    "The account enables EBS encryption by default with a customer-managed default key (aws.ebs.EncryptionByDefault " +
                    "and aws.ebs.DefaultKmsKey), so volumes that do not declare encryption are encrypted with that key.",
            },
        },
    } satisfies PolicyConfigSchema,
    validateResource: validateTypes({
        [EBS_VOLUME]: on<Device>((p, args, report) => {
            judgeDevice(p, subject(args), encryptionConfig(args, DEFAULTS), report);
        }),
        [EC2_INSTANCE]: on<Instance>((p, args, report) => {
            judgeInstance(p, subject(args), encryptionConfig(args, DEFAULTS), report);
        }),
        [EC2_SPOT_INSTANCE_REQUEST]: on<Instance>((p, args, report) => {
            judgeInstance(p, subject(args), encryptionConfig(args, DEFAULTS), report);
        }),
        [EC2_LAUNCH_TEMPLATE]: on<LaunchTemplate>((p, args, report) => {
            const cfg = encryptionConfig(args, DEFAULTS);
            const name = subject(args);
            let judged = 0;
            for (const [i, m] of asArray<NonNullable<LaunchTemplate["blockDeviceMappings"]>[number]>(p.blockDeviceMappings).entries()) {
                // Instance-store (virtualName) and suppressed (noDevice) mappings hold no EBS volume.
                if (m.ebs === undefined) {
                    continue;
                }
                judged++;
                judgeDevice(m.ebs, `${name} blockDeviceMappings[${i}]${typeof m.deviceName === "string" ? ` (${m.deviceName})` : ""}.ebs`, cfg, report);
            }
            if (judged === 0 && !cfg.ebsEncryptionByDefault) {
                report(`${name} declares no EBS blockDeviceMappings, so instances get the AMI's volumes with the AMI snapshot's encryption: add a mapping for the root device with ebs: { encrypted: "true", kmsKeyId } and a customer-managed KMS key ARN.`);
            }
        }),
    }),
};
