import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const ECR_REPOSITORY_CREATION_TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate";

const KMS_MODE = { kind: "mode", path: "encryptionConfigurations[].encryptionType", customerKeyValues: ["KMS", "KMS_DSSE"], fix: "set encryptionConfigurations: [{ encryptionType: \"KMS\", kmsKey: key.arn }]." } as const;

/** Without encryptionConfigurations ECR uses AES256 with an AWS key; KMS without kmsKey uses the AWS-managed aws/ecr. */
export const ECR_RULES: AtRestRules = {
    [ECR_REPOSITORY]: [KMS_MODE, { kind: "key", path: "encryptionConfigurations[].kmsKey" }],
    [ECR_REPOSITORY_CREATION_TEMPLATE]: [KMS_MODE, { kind: "key", path: "encryptionConfigurations[].kmsKey" }],
};

export const ecrRepositoryEncryptionAtRest: ResourceValidationPolicy = {
    name: "ecr-repository-encryption-at-rest",
    description: "ECR repositories (and the templates that create them) encrypt container images with a customer-managed KMS key rather than AES-256 with an AWS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `encryptionConfigurations: [{ encryptionType: \"KMS\", kmsKey: key.arn }]` on `aws.ecr.Repository` and `aws.ecr.RepositoryCreationTemplate`. " +
        "The setting is fixed at creation: create a new repository and push the images again (images may embed PHI in layers or test data).",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(ECR_RULES)),
};
