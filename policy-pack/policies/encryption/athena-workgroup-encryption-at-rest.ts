import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { explicitlyFalse, truthy } from "../../lib/values";

export const ATHENA_WORKGROUP = "aws:athena/workgroup:Workgroup";

interface Workgroup {
    configuration?: {
        enforceWorkgroupConfiguration?: boolean;
        resultConfiguration?: { encryptionConfiguration?: { encryptionOption?: string; kmsKeyArn?: string } };
        managedQueryResultsConfiguration?: { enabled?: boolean; encryptionConfiguration?: { kmsKey?: string } };
    };
}

export const athenaWorkgroupEncryptionAtRest: ResourceValidationPolicy = {
    name: "athena-workgroup-encryption-at-rest",
    description: "Athena workgroups encrypt query results (which copy PHI out of the tables) with a customer-managed KMS key and enforce that setting on every client.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "On `aws.athena.Workgroup` set `configuration.resultConfiguration.encryptionConfiguration: { encryptionOption: \"SSE_KMS\", " +
        "kmsKeyArn: key.arn }` and keep `configuration.enforceWorkgroupConfiguration` at `true` (or, with Athena-managed query " +
        "results, set `managedQueryResultsConfiguration.encryptionConfiguration.kmsKey`). The change applies in place to new queries.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [ATHENA_WORKGROUP]: on<Workgroup>((p, args, report) => {
            const requireCmk = encryptionConfig(args).requireCustomerManagedKey;
            const name = subject(args);
            const conf = p.configuration ?? {};
            // The default is enforced; false lets every client choose (or drop) its own result encryption.
            if (explicitlyFalse(conf.enforceWorkgroupConfiguration)) {
                report(`${name} lets clients override its result encryption (enforceWorkgroupConfiguration: false): remove it or set it to true.`);
            }
            const managed = conf.managedQueryResultsConfiguration;
            if (managed && truthy(managed.enabled)) {
                // Athena-managed result storage is always encrypted (AWS-owned key unless kmsKey is set).
                const problem = keyProblem(keyReference(managed.encryptionConfiguration, "kmsKey"), `${name} managedQueryResultsConfiguration.encryptionConfiguration.kmsKey`, requireCmk);
                if (problem) {
                    report(`${problem}.`);
                }
                return;
            }
            const enc = conf.resultConfiguration?.encryptionConfiguration;
            const option = enc?.encryptionOption;
            if (option === "SSE_KMS" || option === "CSE_KMS") {
                const ref = keyReference(enc, "kmsKeyArn");
                const problem = ref.kind === "absent" ? `${name} uses ${option} without kmsKeyArn; set it to the ARN of a customer-managed KMS key` : keyProblem(ref, `${name} encryptionConfiguration.kmsKeyArn`, requireCmk);
                if (problem) {
                    report(`${problem}.`);
                }
            } else if (option !== "SSE_S3" || requireCmk) {
                report(`${name} does not encrypt query results with a customer-managed key (encryptionOption ${option === undefined ? "not set" : `"${option}"`}): set configuration.resultConfiguration.encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn } with a customer-managed KMS key ARN.`);
            }
        }),
    }),
};
