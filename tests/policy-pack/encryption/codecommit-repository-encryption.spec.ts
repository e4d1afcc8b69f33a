import * as assert from "assert";
import { CODECOMMIT_REPOSITORY, codecommitRepositoryEncryption as policy } from "../../../policy-pack/policies/encryption/codecommit-repository-encryption";
import { messages, validateResource } from "../helpers";

describe("codecommit-repository-encryption", () => {
    it("requires a customer-managed kmsKeyId unless config accepts the AWS-managed key", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: CODECOMMIT_REPOSITORY, name: "etl", props: {} })), [
            `codecommit.Repository "etl" kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.deepStrictEqual((await validateResource(policy, { type: CODECOMMIT_REPOSITORY, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });
});
