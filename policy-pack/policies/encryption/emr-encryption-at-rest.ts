import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { isAwsManagedKeyAlias } from "../../lib/kms";
import { probe, truthy } from "../../lib/values";

export const EMR_SECURITY_CONFIGURATION = "aws:emr/securityConfiguration:SecurityConfiguration";
export const EMR_CLUSTER = "aws:emr/cluster:Cluster";

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
}

export const emrEncryptionAtRest: ResourceValidationPolicy = {
    name: "emr-encryption-at-rest",
    description:
        "EMR security configurations enable at-rest encryption of EMRFS data in S3 and of local disks with KMS, and every EMR " +
        "cluster runs with a security configuration.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "In the JSON `configuration` of `aws.emr.SecurityConfiguration` set `EncryptionConfiguration.EnableAtRestEncryption: true` " +
        "with `AtRestEncryptionConfiguration.S3EncryptionConfiguration: { EncryptionMode: \"SSE-KMS\", AwsKmsKey }` and " +
        "`LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: \"AwsKms\", AwsKmsKey }`, using a customer-managed key ARN " +
        "known at preview (build it from account, region and the key alias). Set `securityConfiguration` on `aws.emr.Cluster` " +
        "(a cluster's security configuration is fixed at launch: launch a new cluster).",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [EMR_SECURITY_CONFIGURATION]: on<{ configuration?: string }>((p, args, report) => {
            const requireCmk = encryptionConfig(args).requireCustomerManagedKey;
            const name = subject(args);
            // The whole configuration is one JSON string: when it embeds an unknown key ARN it is unknown as a
            // whole and the SDK reports that it cannot judge it at preview.
            const raw = p.configuration;
            let config: Json | undefined;
            try {
                config = obj(typeof raw === "string" ? JSON.parse(raw) : raw);
            } catch (err) {
                report(`${name} configuration is not valid JSON (${(err as Error).message}): fix the document.`);
                return;
            }
            const enc = obj(config?.["EncryptionConfiguration"]);
            if (!enc || !truthy(enc["EnableAtRestEncryption"])) {
                report(`${name} does not enable at-rest encryption: set EncryptionConfiguration.EnableAtRestEncryption: true with S3 (SSE-KMS) and local disk (AwsKms) encryption under a customer-managed KMS key.`);
                return;
            }
            const atRest = obj(enc["AtRestEncryptionConfiguration"]) ?? {};
            const keyIssue = (key: unknown): string | undefined => {
                if (typeof key !== "string" || key === "") {
                    return "names no AwsKmsKey";
                }
                return requireCmk && isAwsManagedKeyAlias(key) ? `uses the AWS-managed key "${key}"` : undefined;
            };

            const s3 = obj(atRest["S3EncryptionConfiguration"]);
            const mode = s3?.["EncryptionMode"];
            if (mode === "SSE-KMS" || mode === "CSE-KMS") {
                const issue = keyIssue(s3?.["AwsKmsKey"]);
                if (issue) {
                    report(`${name} S3EncryptionConfiguration ${issue}: set AwsKmsKey to a customer-managed KMS key ARN.`);
                }
            } else if (mode !== "SSE-S3" || requireCmk) {
                report(`${name} does not encrypt EMRFS data in S3 with a customer-managed key (EncryptionMode ${mode === undefined ? "not set" : JSON.stringify(mode)}): set S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey }.`);
            }

            const disk = obj(atRest["LocalDiskEncryptionConfiguration"]);
            const provider = disk?.["EncryptionKeyProviderType"];
            if (provider === "AwsKms") {
                const issue = keyIssue(disk?.["AwsKmsKey"]);
                if (issue) {
                    report(`${name} LocalDiskEncryptionConfiguration ${issue}: set AwsKmsKey to a customer-managed KMS key ARN.`);
                }
            } else if (provider !== "Custom") {
                // "Custom" is a customer-supplied key provider class: customer-managed by definition.
                report(`${name} does not encrypt cluster local disks (LocalDiskEncryptionConfiguration missing): set { EncryptionKeyProviderType: "AwsKms", AwsKmsKey } with a customer-managed KMS key ARN.`);
            }
        }),
        [EMR_CLUSTER]: on<{ securityConfiguration?: string }>((p, args, report) => {
            // Presence is what matters: the name may be unknown at preview (another resource's output), and the
            // configuration it names is judged on its own.
            if (probe(p, "securityConfiguration").state === "absent") {
                report(`${subject(args)} runs without a security configuration, so HDFS, local disks and EMRFS data are not encrypted by EMR: set securityConfiguration to an aws.emr.SecurityConfiguration that enables at-rest encryption.`);
            }
        }),
    }),
};
