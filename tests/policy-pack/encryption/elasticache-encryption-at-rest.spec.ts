import * as assert from "assert";
import {
    ELASTICACHE_CLUSTER,
    ELASTICACHE_REPLICATION_GROUP,
    ELASTICACHE_SERVERLESS_CACHE,
    elasticacheEncryptionAtRest as policy,
} from "../../../policy-pack/policies/encryption/elasticache-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-2222-3333-4444-555555555555";

describe("elasticache-encryption-at-rest", () => {
    it("passes an encrypted replication group and a serverless cache on customer-managed keys", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { atRestEncryptionEnabled: true, kmsKeyId: CMK } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_SERVERLESS_CACHE, props: { engine: "valkey", kmsKeyId: CMK } })).violations, []);
    });

    it("fails a redis group that does not enable at-rest encryption (the redis default)", async () => {
        const v = await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, name: "sessions", props: { engine: "redis", kmsKeyId: CMK } });
        assert.match(messages(v)[0], /^elasticache\.ReplicationGroup "sessions" keeps cache data and snapshots unencrypted: set atRestEncryptionEnabled: true/);
    });

    it("follows the valkey default (encrypted) unless explicitly disabled", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { engine: "valkey", kmsKeyId: CMK } })).violations, []);
        assert.strictEqual((await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { engine: "valkey", atRestEncryptionEnabled: false, kmsKeyId: CMK } })).violations.length, 1);
    });

    it("fails the default key unless config accepts it; a global-datastore member defers to its primary", async () => {
        assert.match(messages(await validateResource(policy, { type: ELASTICACHE_SERVERLESS_CACHE, name: "c", props: {} }))[0], /elasticache\.ServerlessCache "c" kmsKeyId is not set/);
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_SERVERLESS_CACHE, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { globalReplicationGroupId: "ldgnf-sessions" } })).violations, []);
    });

    it("fails a standalone cache cluster, which cannot encrypt at rest, but not a replication-group member", async () => {
        const v = await validateResource(policy, { type: ELASTICACHE_CLUSTER, name: "memcached", props: { engine: "memcached" } });
        assert.match(messages(v)[0], /standalone memcached cluster, which cannot encrypt data at rest/);
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_CLUSTER, props: { replicationGroupId: "sessions" } })).violations, []);
    });

    it("reports other types as not applicable; passes at preview with an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:efs/fileSystem:FileSystem" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { atRestEncryptionEnabled: true, kmsKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
