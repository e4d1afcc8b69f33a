/**
 * Metadata every S3 policy must carry, and parity between each config schema's defaults and the defaults the code
 * applies (declared once per option with lib/config.ts `option`; the CLI fills in schema defaults, unit tests and the
 * offline engine do not). Also: the three family lists together are exactly the pack, so every policy of the pack is
 * covered by one of the metadata specs (encryption, controls, s3).
 */
import * as assert from "assert";
import { s3Policies } from "../../../policy-pack/policies/s3";
import { encryptionPolicies } from "../../../policy-pack/policies/encryption";
import { controlPolicies } from "../../../policy-pack/policies/controls";
import { policies as allPolicies } from "../../../policy-pack/policies";
import { checkMetadata, FakeStackResource, schemaDefaults, validateStack } from "../helpers";
import { AWS_PROVIDER, bucketSet, DATA_NAME, kmsKey, macieAccount, splitLifecycleRule, T, tlsStatements } from "./fixtures";

const MANDATORY = new Set(["s3-bucket-kms-encryption", "s3-bucket-tls-only-policy", "s3-macie-phi-discovery", "s3-bucket-lifecycle-rules"]);

/** A bucket that declares nothing: every S3 policy fails it under its defaults. */
const bare: FakeStackResource[] = [{ type: T.bucket, name: "raw", props: { bucket: DATA_NAME }, provider: AWS_PROVIDER }];

/** Stacks per policy whose verdict depends on the policy's config defaults. */
const PROBES: Record<string, FakeStackResource[][]> = {
    "s3-bucket-kms-encryption": [bare, [kmsKey(), ...bucketSet("raw", DATA_NAME, { sse: "sse-s3" })]],
    "s3-bucket-tls-only-policy": [bare, [kmsKey(), ...bucketSet("raw", DATA_NAME, { policy: { Version: "2012-10-17", Statement: [tlsStatements(DATA_NAME)[0]] } })]],
    "s3-bucket-lifecycle-rules": [
        bare,
        [kmsKey(), ...bucketSet("raw", DATA_NAME, { lifecycleRules: [splitLifecycleRule({ transitions: [{ days: 120, storageClass: "STANDARD_IA" }, { days: 400, storageClass: "GLACIER" }] })] })],
    ],
    "s3-macie-phi-discovery": [bare, [kmsKey(), macieAccount(), ...bucketSet("raw", DATA_NAME)]],
    "s3-bucket-public-access-block": [bare],
    "s3-bucket-owner-enforced": [bare],
    "s3-bucket-versioning": [bare],
    "s3-bucket-access-logging": [bare],
};

describe("s3 policies: metadata and config defaults", () => {
    it("are well-formed, mandatory for encryption, TLS, Macie and lifecycle and advisory otherwise", () => {
        for (const p of s3Policies) {
            checkMetadata(p, MANDATORY.has(p.name) ? "mandatory" : "advisory");
        }
    });

    it("every policy of the pack is in exactly one family with a metadata spec (encryption, controls, s3)", () => {
        const families = [...encryptionPolicies, ...s3Policies, ...controlPolicies];
        assert.deepStrictEqual(families.map((p) => p.name).sort(), allPolicies.map((p) => p.name).sort());
        assert.strictEqual(new Set(families).size, families.length);
    });

    it("apply in code exactly the defaults their config schema declares", async () => {
        assert.deepStrictEqual(Object.keys(PROBES).sort(), s3Policies.map((p) => p.name).sort());
        for (const p of s3Policies) {
            assert.deepStrictEqual(schemaDefaults(p).exemptions, [], `${p.name}: exemptions default to none`);
            for (const stack of PROBES[p.name]) {
                const withoutConfig = await validateStack(p, stack);
                assert.ok(withoutConfig.violations.length > 0, `${p.name}: the probe must be sensitive to the defaults`);
                assert.deepStrictEqual(withoutConfig, await validateStack(p, stack, { config: schemaDefaults(p) }), p.name);
            }
        }
    });
});
