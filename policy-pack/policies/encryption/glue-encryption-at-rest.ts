import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { truthy } from "../../lib/values";

export const GLUE_SECURITY_CONFIGURATION = "aws:glue/securityConfiguration:SecurityConfiguration";
export const GLUE_DATA_CATALOG_ENCRYPTION_SETTINGS = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings";

interface SecurityConfiguration {
    encryptionConfiguration?: {
        s3Encryption?: { s3EncryptionMode?: string; kmsKeyArn?: string };
        cloudwatchEncryption?: { cloudwatchEncryptionMode?: string; kmsKeyArn?: string };
        jobBookmarksEncryption?: { jobBookmarksEncryptionMode?: string; kmsKeyArn?: string };
    };
}
interface CatalogSettings {
    dataCatalogEncryptionSettings?: {
        encryptionAtRest?: { catalogEncryptionMode?: string; sseAwsKmsKeyId?: string };
        connectionPasswordEncryption?: { returnConnectionPasswordEncrypted?: boolean; awsKmsKeyId?: string };
    };
}

export const glueEncryptionAtRest: ResourceValidationPolicy = {
    name: "glue-encryption-at-rest",
    description:
        "Glue security configurations encrypt S3 output, CloudWatch logs and job bookmarks with KMS, and the Glue Data Catalog " +
        "encrypts metadata and connection passwords, all with customer-managed keys.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "On `aws.glue.SecurityConfiguration` set `s3Encryption: { s3EncryptionMode: \"SSE-KMS\", kmsKeyArn }`, " +
        "`cloudwatchEncryption: { cloudwatchEncryptionMode: \"SSE-KMS\", kmsKeyArn }` and " +
        "`jobBookmarksEncryption: { jobBookmarksEncryptionMode: \"CSE-KMS\", kmsKeyArn }` (a security configuration cannot be " +
        "changed: create a new one and point jobs and crawlers at it). On `aws.glue.DataCatalogEncryptionSettings` set " +
        "`encryptionAtRest: { catalogEncryptionMode: \"SSE-KMS\", sseAwsKmsKeyId }` and " +
        "`connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId }` (in place).",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [GLUE_SECURITY_CONFIGURATION]: on<SecurityConfiguration>((p, args, report) => {
            const requireCmk = encryptionConfig(args).requireCustomerManagedKey;
            const name = subject(args);
            const enc = p.encryptionConfiguration ?? {};

            const s3 = enc.s3Encryption;
            const s3Mode = s3?.s3EncryptionMode ?? "DISABLED";
            if (s3Mode === "SSE-KMS") {
                const problem = keyProblem(keyReference(s3, "kmsKeyArn"), `${name} s3Encryption.kmsKeyArn`, requireCmk);
                if (problem) {
                    report(`${problem}.`);
                }
            } else if (s3Mode !== "SSE-S3" || requireCmk) {
                report(`${name} writes job output to S3 with s3EncryptionMode "${s3Mode}": set s3EncryptionMode: "SSE-KMS" with kmsKeyArn set to a customer-managed KMS key ARN.`);
            }

            // CloudWatch Logs and job bookmarks are always encrypted by the service; without a customer-managed key
            // requirement there is nothing more to ask of them.
            if (!requireCmk) {
                return;
            }
            const cw = enc.cloudwatchEncryption;
            if ((cw?.cloudwatchEncryptionMode ?? "DISABLED") !== "SSE-KMS") {
                report(`${name} does not encrypt job logs with a customer-managed key (cloudwatchEncryptionMode "${cw?.cloudwatchEncryptionMode ?? "DISABLED"}"): set cloudwatchEncryptionMode: "SSE-KMS" with a customer-managed kmsKeyArn.`);
            } else {
                const problem = keyProblem(keyReference(cw, "kmsKeyArn"), `${name} cloudwatchEncryption.kmsKeyArn`, true);
                if (problem) {
                    report(`${problem}.`);
                }
            }

            const jb = enc.jobBookmarksEncryption;
            if ((jb?.jobBookmarksEncryptionMode ?? "DISABLED") !== "CSE-KMS") {
                report(`${name} does not encrypt job bookmarks with a customer-managed key (jobBookmarksEncryptionMode "${jb?.jobBookmarksEncryptionMode ?? "DISABLED"}"): set jobBookmarksEncryptionMode: "CSE-KMS" with a customer-managed kmsKeyArn.`);
            } else {
                const problem = keyProblem(keyReference(jb, "kmsKeyArn"), `${name} jobBookmarksEncryption.kmsKeyArn`, true);
                if (problem) {
                    report(`${problem}.`);
                }
            }
        }),
        [GLUE_DATA_CATALOG_ENCRYPTION_SETTINGS]: on<CatalogSettings>((p, args, report) => {
            const requireCmk = encryptionConfig(args).requireCustomerManagedKey;
            const name = subject(args);
            const settings = p.dataCatalogEncryptionSettings ?? {};

            const atRest = settings.encryptionAtRest;
            const mode = atRest?.catalogEncryptionMode ?? "DISABLED";
            if (mode !== "SSE-KMS" && mode !== "SSE-KMS-WITH-SERVICE-ROLE") {
                report(`${name} leaves the Data Catalog unencrypted (catalogEncryptionMode "${mode}"): set catalogEncryptionMode: "SSE-KMS" with sseAwsKmsKeyId set to a customer-managed KMS key ARN.`);
            } else {
                // Without sseAwsKmsKeyId Glue uses the AWS-managed aws/glue key.
                const problem = keyProblem(keyReference(atRest, "sseAwsKmsKeyId"), `${name} encryptionAtRest.sseAwsKmsKeyId`, requireCmk);
                if (problem) {
                    report(`${problem}.`);
                }
            }

            // Connection passwords open the PHI stores Glue reads; keep them encrypted in GetConnection responses too.
            const pw = settings.connectionPasswordEncryption;
            if (!pw || !truthy(pw.returnConnectionPasswordEncrypted)) {
                report(`${name} returns connection passwords in plaintext: set connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId } with a customer-managed KMS key ARN.`);
            } else {
                const problem = keyProblem(keyReference(pw, "awsKmsKeyId"), `${name} connectionPasswordEncryption.awsKmsKeyId`, requireCmk);
                if (problem) {
                    report(`${problem}.`);
                }
            }
        }),
    }),
};
