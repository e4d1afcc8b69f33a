import * as assert from "assert";
import { ELASTICACHE_CLUSTER, ELASTICACHE_REPLICATION_GROUP, ELASTICACHE_SERVERLESS_CACHE, elasticacheTlsInTransit as policy } from "../../../policy-pack/policies/controls/elasticache-tls-in-transit";
import { messages, UNKNOWN, validateResource } from "../helpers";

describe("elasticache-tls-in-transit", () => {
    it("passes a group requiring TLS (mode required or default) and a standalone cluster with TLS", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { transitEncryptionEnabled: true } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { transitEncryptionEnabled: true, transitEncryptionMode: "required" } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_CLUSTER, props: { engine: "memcached", transitEncryptionEnabled: true } })).violations, []);
    });

    it("fails plaintext groups and the transitional preferred mode", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, name: "sessions", props: {} })), ['elasticache.ReplicationGroup "sessions" accepts plaintext connections: set transitEncryptionEnabled: true (transitEncryptionMode "required").']);
        assert.match(messages(await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { transitEncryptionEnabled: true, transitEncryptionMode: "preferred" } }))[0], /transitEncryptionMode "preferred"/);
        assert.strictEqual((await validateResource(policy, { type: ELASTICACHE_CLUSTER, props: { engine: "memcached" } })).violations.length, 1);
    });

    it("is not applicable to serverless caches (always TLS), group members and other types", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_SERVERLESS_CACHE })).notApplicable, ["Serverless caches always require TLS."]);
        assert.strictEqual((await validateResource(policy, { type: ELASTICACHE_CLUSTER, props: { replicationGroupId: "sessions" } })).notApplicable.length, 1);
        assert.strictEqual((await validateResource(policy, { type: "aws:rds/instance:Instance" })).notApplicable.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { globalReplicationGroupId: "g" } })).violations, []);
    });

    it("judges at preview when the auth token is unknown", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: ELASTICACHE_REPLICATION_GROUP, props: { authToken: UNKNOWN, transitEncryptionEnabled: true } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
