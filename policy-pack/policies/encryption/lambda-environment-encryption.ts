import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { probe } from "../../lib/values";

export const LAMBDA_FUNCTION = "aws:lambda/function:Function";

export const lambdaEnvironmentEncryption: ResourceValidationPolicy = {
    name: "lambda-environment-encryption",
    description: "Lambda functions that define environment variables encrypt them with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyArn: key.arn` on `aws.lambda.Function` and allow the function's role `kms:Decrypt` on the key. Better still, " +
        "keep identifiers and secrets out of environment variables and read them from Secrets Manager at run time. The change " +
        "applies in place.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [LAMBDA_FUNCTION]: on<{ environment?: { variables?: Record<string, unknown> }; kmsKeyArn?: string }>((p, args, report) => {
            // Only the keys are counted: a variable whose value is unknown at preview is still a variable.
            const variables = probe(p.environment, "variables");
            const count = variables.state === "known" && typeof variables.value === "object" ? Object.keys(variables.value as object).length : 0;
            if (variables.state !== "unknown" && count === 0) {
                args.notApplicable("The function defines no environment variables, so there is nothing for Lambda to encrypt with kmsKeyArn.");
            }
            // Lambda encrypts environment variables with the AWS-managed aws/lambda key unless kmsKeyArn is set.
            const problem = keyProblem(keyReference(p, "kmsKeyArn"), `${subject(args)} kmsKeyArn`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem} (the function defines environment variables).`);
            }
        }),
    }),
};
