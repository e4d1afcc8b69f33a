import * as assert from "assert";
import { encryptionPolicies } from "../../../policy-pack/policies/encryption";
import { UNJUDGED_DATA_STORES, unjudgedDataStoreEncryption as policy } from "../../../policy-pack/policies/encryption/unjudged-data-store-encryption";
import { messages, validateResource, Verdict } from "../helpers";

describe("unjudged-data-store-encryption", () => {
    it("reports a data store no mandatory policy can judge, stating the reason from the classification", async () => {
        const v = await validateResource(policy, { type: "aws:cognito/userPool:UserPool", name: "patients", props: {} });
        assert.deepStrictEqual(messages(v), [
            `cognito.UserPool "patients" holds data whose encryption at rest no mandatory policy of this pack judges: AWS encrypts user pools only ` +
                `with its own key (lambdaConfig.kmsKeyId only encrypts codes sent to custom sender triggers); keep PHI out of user attributes. ` +
                `Make sure it uses a customer-managed KMS key (or keep PHI out of it), then add 'aws:cognito/userPool:UserPool' to acknowledgedTypes.`,
        ]);
        assert.strictEqual(policy.enforcementLevel, "advisory");
    });

    it("says why a copy, an export or a configuration type needs no judgement of its own, without a finding", async () => {
        const v = await validateResource(policy, { type: "aws:rds/snapshot:Snapshot", props: {} });
        assert.deepStrictEqual(v.violations, []);
        assert.deepStrictEqual(v.notApplicable, [`Type 'aws:rds/snapshot:Snapshot' needs no judgement of its own: ${UNJUDGED_DATA_STORES["aws:rds/snapshot:Snapshot"].reason}.`]);
        assert.strictEqual(UNJUDGED_DATA_STORES["aws:rds/snapshot:Snapshot"].kind, "inherits-source");
    });

    it("is silenced per type by acknowledgedTypes, with the reason recorded", async () => {
        const v = await validateResource(policy, { type: "aws:glacier/vault:Vault", props: {} }, { config: { acknowledgedTypes: ["aws:glacier/vault:Vault"] } });
        assert.deepStrictEqual(v.violations, []);
        assert.deepStrictEqual(v.notApplicable, ["Type 'aws:glacier/vault:Vault' is listed in acknowledgedTypes: its encryption was reviewed."]);
    });

    it("no longer reports the stores issue 13 brought under mandatory policies (MSK, DAX, FSx, ...)", async () => {
        for (const type of ["aws:msk/cluster:Cluster", "aws:dax/cluster:Cluster", "aws:fsx/windowsFileSystem:WindowsFileSystem", "aws:keyspaces/table:Table", "aws:ec2/vpc:Vpc"]) {
            const v = await validateResource(policy, { type, props: {} });
            assert.deepStrictEqual(v.violations, [], type);
            assert.match(v.notApplicable[0], /no mandatory encryption-at-rest policy judges/, type);
        }
    });

    it("lists only types that no other encryption policy judges", async () => {
        const others = encryptionPolicies.filter((p) => p !== policy);
        for (const type of Object.keys(UNJUDGED_DATA_STORES)) {
            for (const p of others) {
                const v: Verdict = await validateResource(p, { type, props: {} });
                assert.strictEqual(v.notApplicable.length, 1, `${type} is listed as unjudged but judged by ${p.name}`);
            }
        }
    });
});
