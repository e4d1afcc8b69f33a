import * as assert from "assert";
import { MEMORYDB_CLUSTER, MEMORYDB_SNAPSHOT, memorydbEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/memorydb-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("memorydb-encryption-at-rest", () => {
    it("passes clusters and snapshots with a customer-managed kmsKeyArn (unknown at preview too)", async () => {
        for (const type of [MEMORYDB_CLUSTER, MEMORYDB_SNAPSHOT]) {
            for (const key of [CMK, UNKNOWN]) {
                assert.deepStrictEqual(await validateResource(policy, { type, props: { kmsKeyArn: key } }), { violations: [], notApplicable: [], previewSkipped: [] });
            }
        }
    });

    it("fails the AWS-owned default on a cluster and a snapshot", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: MEMORYDB_CLUSTER, name: "sessions", props: { tlsEnabled: true } })), [
            `memorydb.Cluster "sessions" kmsKeyArn is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.strictEqual((await validateResource(policy, { type: MEMORYDB_SNAPSHOT, props: { kmsKeyArn: "alias/aws/memorydb" } })).violations.length, 1);
        assert.match(messages(await validateResource(policy, { type: "aws-native:memorydb:Cluster", props: {} }))[0], / kmsKeyId is not set/);
    });

    it("accepts the default key when config does not require customer-managed keys", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: MEMORYDB_CLUSTER, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });
});
