import * as assert from "assert";
import { DSQL_CLUSTER, QLDB_LEDGER, ledgerDatabaseEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/ledger-database-encryption-at-rest";
import { messages, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("ledger-database-encryption-at-rest", () => {
    it("treats the AWS_OWNED_KMS_KEY keyword like the absent default, and passes a key ARN", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: QLDB_LEDGER, name: "audit", props: { kmsKey: "AWS_OWNED_KMS_KEY" } })), [
            `qldb.Ledger "audit" kmsKey is the AWS-managed key "AWS_OWNED_KMS_KEY"; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.match(messages(await validateResource(policy, { type: DSQL_CLUSTER, props: {} }))[0], /kmsEncryptionKey is not set/);
        assert.deepStrictEqual((await validateResource(policy, { type: DSQL_CLUSTER, props: { kmsEncryptionKey: CMK } })).violations, []);
    });
});
