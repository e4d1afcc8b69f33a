import * as assert from "assert";
import { KMS_EXTERNAL_KEY, KMS_KEY, KMS_REPLICA_KEY, kmsKeyRotation as policy } from "../../../policy-pack/policies/controls/kms-key-rotation";
import { messages, remediateResource, UNKNOWN, validateResource } from "../helpers";

describe("kms-key-rotation", () => {
    it("passes a symmetric key with rotation on at the default or a shorter period", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: KMS_KEY, props: { enableKeyRotation: true } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual((await validateResource(policy, { type: KMS_KEY, props: { enableKeyRotation: true, rotationPeriodInDays: 180 } })).violations, []);
    });

    it("fails a key without rotation (the provider default), naming the fix", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: KMS_KEY, name: "phi", props: { description: "PHI" } })), ['kms.Key "phi" does not rotate its key material: set enableKeyRotation: true.']);
        assert.strictEqual((await validateResource(policy, { type: KMS_KEY, props: { enableKeyRotation: false } })).violations.length, 1);
    });

    it("fails a rotation period above the configured maximum, and honours a raised maximum", async () => {
        const props = { enableKeyRotation: true, rotationPeriodInDays: 730 };
        assert.deepStrictEqual(messages(await validateResource(policy, { type: KMS_KEY, name: "phi", props })), [
            'kms.Key "phi" rotates every 730 days, longer than the 365 days allowed: set rotationPeriodInDays to at most 365.',
        ]);
        assert.deepStrictEqual((await validateResource(policy, { type: KMS_KEY, props }, { config: { maximumRotationPeriodDays: 730 } })).violations, []);
    });

    it("rejects a maximum KMS would not accept, naming the config key", async () => {
        await assert.rejects(validateResource(policy, { type: KMS_KEY, props: {} }, { config: { maximumRotationPeriodDays: 30 } }), {
            message: "policy kms-key-rotation: config maximumRotationPeriodDays must be an integer from 90 to 2560 (the range KMS accepts); got 30",
        });
    });

    it("is not applicable to keys KMS cannot rotate, to imported and replica keys, and to other types", async () => {
        const na = async (type: string, props: Record<string, unknown> = {}) => (await validateResource(policy, { type, props })).notApplicable;
        assert.deepStrictEqual(await na(KMS_KEY, { customerMasterKeySpec: "RSA_3072", keyUsage: "SIGN_VERIFY" }), ["KMS rotates only symmetric encryption keys automatically; this key is SIGN_VERIFY RSA_3072."]);
        assert.deepStrictEqual(await na(KMS_KEY, { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }), ["KMS rotates only symmetric encryption keys automatically; this key is GENERATE_VERIFY_MAC HMAC_256."]);
        assert.strictEqual((await na(KMS_KEY, { customKeyStoreId: "cks-1" }))[0], "Keys in a custom key store (CloudHSM or external) cannot be rotated automatically by KMS.");
        assert.match((await na(KMS_EXTERNAL_KEY))[0], /imported key material/);
        assert.match((await na(KMS_REPLICA_KEY))[0], /replica key shares its primary key's rotation/);
        assert.match((await na("aws:kms/alias:Alias"))[0], /Policy only applies to resources of types 'aws:kms\/key:Key'/);
    });

    it("remediates: turns rotation on and caps the period, and the result passes", async () => {
        const r = await remediateResource(policy, { type: KMS_KEY, props: { description: "PHI", rotationPeriodInDays: 1000 } });
        assert.deepStrictEqual(r.props, { description: "PHI", rotationPeriodInDays: 365, enableKeyRotation: true });
        assert.deepStrictEqual((await validateResource(policy, { type: KMS_KEY, props: r.props })).violations, []);
        assert.strictEqual((await remediateResource(policy, { type: KMS_KEY, props: { enableKeyRotation: true } })).props, undefined);
        assert.strictEqual((await remediateResource(policy, { type: KMS_KEY, props: { customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" } })).props, undefined);
    });

    it("judges and remediates at preview when the key policy is unknown", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: KMS_KEY, props: { policy: UNKNOWN, enableKeyRotation: true } }), { violations: [], notApplicable: [], previewSkipped: [] });
        const r = await remediateResource(policy, { type: KMS_KEY, props: { policy: UNKNOWN } });
        assert.deepStrictEqual(r.props, { policy: UNKNOWN, enableKeyRotation: true });
    });
});
