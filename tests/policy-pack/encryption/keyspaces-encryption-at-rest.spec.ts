import * as assert from "assert";
import { KEYSPACES_TABLE, keyspacesEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/keyspaces-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("keyspaces-encryption-at-rest", () => {
    it("passes a table on a customer-managed key", async () => {
        for (const key of [CMK, UNKNOWN]) {
            const v = await validateResource(policy, { type: KEYSPACES_TABLE, props: { encryptionSpecification: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyIdentifier: key } } });
            assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
        }
    });

    it("fails the AWS-owned default once, with the fix", async () => {
        const fix = `set encryptionSpecification: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyIdentifier: key.arn }.`;
        assert.deepStrictEqual(messages(await validateResource(policy, { type: KEYSPACES_TABLE, name: "notes", props: {} })), [
            `keyspaces.Table "notes" encryptionSpecification.type is not set, so an AWS key is used: ${fix}`,
        ]);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: KEYSPACES_TABLE, name: "notes", props: { encryptionSpecification: { type: "AWS_OWNED_KMS_KEY" } } })), [
            `keyspaces.Table "notes" encryptionSpecification.type is "AWS_OWNED_KMS_KEY", an AWS key: ${fix}`,
        ]);
        assert.deepStrictEqual((await validateResource(policy, { type: KEYSPACES_TABLE, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("judges the aws-native cassandra table by encryptionType", async () => {
        const native = { encryptionSpecification: { encryptionType: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyIdentifier: CMK } };
        assert.deepStrictEqual((await validateResource(policy, { type: "aws-native:cassandra:Table", props: native })).violations, []);
        assert.match(messages(await validateResource(policy, { type: "aws-native:cassandra:Table", props: {} }))[0], /encryptionSpecification\.encryptionType is not set/);
    });
});
