import * as assert from "assert";
import { LAMBDA_FUNCTION, lambdaEnvironmentEncryption as policy } from "../../../policy-pack/policies/encryption/lambda-environment-encryption";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/04040404-2222-3333-4444-555555555555";
const ENV = { environment: { variables: { TABLE: "patients" } } };

describe("lambda-environment-encryption", () => {
    it("passes a function whose environment variables use a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: LAMBDA_FUNCTION, props: { ...ENV, kmsKeyArn: CMK } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails environment variables on the default aws/lambda key", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: LAMBDA_FUNCTION, name: "ingest", props: ENV })), [
            `lambda.Function "ingest" kmsKeyArn is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key (the function defines environment variables).`,
        ]);
        assert.strictEqual((await validateResource(policy, { type: LAMBDA_FUNCTION, props: { ...ENV, kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:alias/aws/lambda" } })).violations.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: LAMBDA_FUNCTION, props: ENV }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to a function without environment variables, or to other types", async () => {
        for (const props of [{}, { environment: { variables: {} } }]) {
            assert.deepStrictEqual(await validateResource(policy, { type: LAMBDA_FUNCTION, props }), {
                violations: [],
                notApplicable: ["The function defines no environment variables, so there is nothing for Lambda to encrypt with kmsKeyArn."],
                previewSkipped: [],
            });
        }
        assert.deepStrictEqual((await validateResource(policy, { type: "aws:lambda/permission:Permission" })).notApplicable, ["Policy only applies to resources of type 'aws:lambda/function:Function'"]);
    });

    it("at preview counts variables with unknown values, and unknown variable maps, and accepts an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: LAMBDA_FUNCTION, props: { environment: { variables: { BUCKET: UNKNOWN } } } })).violations.length, 1);
        assert.strictEqual((await validateResource(policy, { type: LAMBDA_FUNCTION, props: { environment: { variables: UNKNOWN } } })).violations.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: LAMBDA_FUNCTION, props: { environment: { variables: { BUCKET: UNKNOWN } }, kmsKeyArn: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
