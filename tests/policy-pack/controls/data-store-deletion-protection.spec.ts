import * as assert from "assert";
import { DELETION_PROTECTION_ARGUMENT, DYNAMODB_TABLE, RDS_INSTANCE, dataStoreDeletionProtection as policy } from "../../../policy-pack/policies/controls/data-store-deletion-protection";
import { messages, remediateResource, UNKNOWN, validateResource } from "../helpers";

describe("data-store-deletion-protection", () => {
    it("passes every judged type with its own deletion-protection argument set", async () => {
        for (const [type, key] of Object.entries(DELETION_PROTECTION_ARGUMENT)) {
            assert.deepStrictEqual(await validateResource(policy, { type, props: { [key]: true } }), { violations: [], notApplicable: [], previewSkipped: [] }, type);
        }
    });

    it("fails unprotected stores, naming the right argument per type", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: RDS_INSTANCE, name: "db", props: { deletionProtection: false } })), [
            'rds.Instance "db" can be deleted by a single API call or a stack destroy: set deletionProtection: true (and protect: true as a resource option in production).',
        ]);
        // DynamoDB's argument is deletionProtectionEnabled: the RDS spelling does not count.
        assert.match(messages(await validateResource(policy, { type: DYNAMODB_TABLE, name: "t", props: { deletionProtection: true } }))[0], /set deletionProtectionEnabled: true/);
    });

    it("remediates by setting the flag, and the result passes", async () => {
        for (const [type, key] of Object.entries(DELETION_PROTECTION_ARGUMENT)) {
            const r = await remediateResource(policy, { type, props: { tags: { owner: "x" } } });
            assert.deepStrictEqual(r.props, { tags: { owner: "x" }, [key]: true }, type);
            assert.deepStrictEqual((await validateResource(policy, { type, props: r.props })).violations, []);
            assert.strictEqual((await remediateResource(policy, { type, props: { [key]: true } })).props, undefined);
        }
    });

    it("is not applicable to other types (Redshift has no deletion-protection flag); judges at preview", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:redshift/cluster:Cluster" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: RDS_INSTANCE, props: { kmsKeyId: UNKNOWN, deletionProtection: true } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });
});
