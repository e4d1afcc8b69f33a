import * as assert from "assert";
import { encryptionPolicies } from "../../../policy-pack/policies/encryption";
import { UNJUDGED_DATA_STORES, unjudgedDataStoreEncryption as policy } from "../../../policy-pack/policies/encryption/unjudged-data-store-encryption";
import { messages, validateResource, Verdict } from "../helpers";

describe("unjudged-data-store-encryption", () => {
    it("reports a known but unjudged data store for review, naming what to look at", async () => {
        const v = await validateResource(policy, { type: "aws:msk/cluster:Cluster", name: "events", props: {} });
        assert.deepStrictEqual(messages(v), [
            `msk.Cluster "events" holds data whose encryption at rest this pack does not judge (look at: encryptionInfo.encryptionAtRestKmsKeyArn): make sure it uses a customer-managed KMS key, then add 'aws:msk/cluster:Cluster' to acknowledgedTypes.`,
        ]);
        assert.strictEqual(policy.enforcementLevel, "advisory");
    });

    it("is silenced per type by acknowledgedTypes, with the reason recorded", async () => {
        const v = await validateResource(policy, { type: "aws:msk/cluster:Cluster", props: {} }, { config: { acknowledgedTypes: ["aws:msk/cluster:Cluster"] } });
        assert.deepStrictEqual(v.violations, []);
        assert.deepStrictEqual(v.notApplicable, ["Type 'aws:msk/cluster:Cluster' is listed in acknowledgedTypes: its encryption was reviewed."]);
    });

    it("is not applicable to types that are not data stores", async () => {
        const v = await validateResource(policy, { type: "aws:ec2/vpc:Vpc", props: {} });
        assert.deepStrictEqual(v.violations, []);
        assert.strictEqual(v.notApplicable.length, 1);
    });

    it("lists only types that no other encryption policy judges, and judged types are judged by their own policy", async () => {
        const judgedBy = new Map<string, string[]>();
        const others = encryptionPolicies.filter((p) => p !== policy);
        const candidates = [...Object.keys(UNJUDGED_DATA_STORES), "aws:rds/instance:Instance", "aws:dynamodb/table:Table", "aws:lambda/function:Function"];
        for (const type of candidates) {
            for (const p of others) {
                const v: Verdict = await validateResource(p, { type, props: {} });
                if (v.notApplicable.length === 0) {
                    judgedBy.set(type, [...(judgedBy.get(type) ?? []), p.name]);
                }
            }
        }
        for (const type of Object.keys(UNJUDGED_DATA_STORES)) {
            assert.strictEqual(judgedBy.get(type), undefined, `${type} is listed as unjudged but judged by ${judgedBy.get(type)}`);
        }
        assert.deepStrictEqual(judgedBy.get("aws:rds/instance:Instance"), ["rds-encryption-at-rest"]);
        assert.deepStrictEqual(judgedBy.get("aws:dynamodb/table:Table"), ["dynamodb-encryption-at-rest"]);
        // A function without environment variables is not applicable, so it is not counted as judged.
        assert.strictEqual(judgedBy.get("aws:lambda/function:Function"), undefined);
    });
});
