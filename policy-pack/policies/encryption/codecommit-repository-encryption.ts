import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const CODECOMMIT_REPOSITORY = "aws:codecommit/repository:Repository";

/** Repositories can carry data extracts and fixtures as easily as code; without kmsKeyId the AWS-managed key is used. */
export const CODECOMMIT_RULES: AtRestRules = {
    [CODECOMMIT_REPOSITORY]: [{ kind: "key", path: "kmsKeyId" }],
};

export const codecommitRepositoryEncryption: ResourceValidationPolicy = {
    name: "codecommit-repository-encryption",
    description: "CodeCommit repositories encrypt their contents with a customer-managed KMS key rather than the AWS-managed aws/codecommit key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on `aws.codecommit.Repository`; CodeCommit re-encrypts the repository in place.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(CODECOMMIT_RULES)),
};
