import * as assert from "assert";
import { s3BucketLifecycleRules as policy } from "../../../policy-pack/policies/s3/s3-bucket-lifecycle-rules";
import { messages, UNKNOWN, validateStack } from "../helpers";
import { bucketSet, compliantStack, DATA_NAME, kmsKey, patch, SHAPES, splitLifecycleRule } from "./fixtures";

const CLEAN = { violations: [], notApplicable: [], previewSkipped: [] };
const HEAD = /^S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): aws\.s3\.BucketLifecycleConfiguration 'raw-lifecycle' has no enabled whole-bucket rule that does: /;

/** A v7 bucket whose BucketLifecycleConfiguration has `rules`. */
function withRules(rules: unknown[], preview = false) {
    return [kmsKey(preview), ...bucketSet("raw", DATA_NAME, { lifecycleRules: rules, preview })];
}

describe("s3-bucket-lifecycle-rules", () => {
    for (const shape of SHAPES) {
        it(`passes a ${shape} bucket with a whole-bucket tiering rule, in up and at preview`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape)), CLEAN);
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape, true)), CLEAN);
        });
    }

    it("accepts every whole-bucket form: no filter, filter {}, filter { prefix: '' } and a deprecated empty rule prefix", async () => {
        for (const scope of [{ filter: undefined }, { filter: {} }, { filter: { prefix: "" } }, { filter: undefined, prefix: "" }, { filter: { and: { prefix: "", tags: {} } } }]) {
            assert.deepStrictEqual(await validateStack(policy, withRules([splitLifecycleRule(scope)])), CLEAN, JSON.stringify(scope));
        }
    });

    it("counts several enabled whole-bucket rules together (S3 applies all of them) and ignores extra filtered rules", async () => {
        const rules = [
            { id: "tiering", status: "Enabled", filter: {}, transitions: [{ days: 0, storageClass: "INTELLIGENT_TIERING" }, { days: 365, storageClass: "GLACIER_IR" }] },
            { id: "hygiene", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 3 } },
            splitLifecycleRule({ id: "tmp", filter: { prefix: "tmp/" }, expiration: { days: 1 } }),
        ];
        assert.deepStrictEqual(await validateStack(policy, withRules(rules)), CLEAN);
    });

    describe("near misses fail, naming the rule and the fix", () => {
        const cases: [string, unknown[], RegExp][] = [
            ["a rule filtered to a prefix", [splitLifecycleRule({ filter: { prefix: "phi/" } })], /rule 'tiering' does not cover the whole bucket: it is filtered by filter\.prefix "phi\/"/],
            ["a rule filtered to a tag", [splitLifecycleRule({ filter: { tag: { key: "tier", value: "cold" } } })], /it is filtered by filter\.tag \{"key":"tier","value":"cold"\}/],
            ["a rule filtered by object size", [splitLifecycleRule({ filter: { objectSizeGreaterThan: 131072 } })], /it is filtered by filter\.objectSizeGreaterThan 131072/],
            ["a rule filtered by and { tags }", [splitLifecycleRule({ filter: { and: { prefix: "", tags: { tier: "cold" } } } })], /it is filtered by filter\.and/],
            ["a deprecated rule-level prefix", [splitLifecycleRule({ filter: undefined, prefix: "phi/" })], /it is filtered by prefix "phi\/"/],
            ["a disabled rule", [splitLifecycleRule({ status: "Disabled" })], /rule 'tiering' is disabled/],
            ["no archive transition", [splitLifecycleRule({ transitions: [{ days: 30, storageClass: "STANDARD_IA" }] })], /move current objects to GLACIER, GLACIER_IR or DEEP_ARCHIVE within 365 days/],
            ["infrequent access too late", [splitLifecycleRule({ transitions: [{ days: 120, storageClass: "STANDARD_IA" }, { days: 180, storageClass: "GLACIER" }] })], /move current objects to STANDARD_IA or INTELLIGENT_TIERING within 90 days/],
            ["archive too late", [splitLifecycleRule({ transitions: [{ days: 30, storageClass: "STANDARD_IA" }, { days: 400, storageClass: "DEEP_ARCHIVE" }] })], /within 365 days/],
            ["ONEZONE_IA instead of STANDARD_IA", [splitLifecycleRule({ transitions: [{ days: 30, storageClass: "ONEZONE_IA" }, { days: 180, storageClass: "GLACIER" }] })], /STANDARD_IA or INTELLIGENT_TIERING within 90 days/],
            ["a date-based transition", [splitLifecycleRule({ transitions: [{ date: "2027-01-01T00:00:00Z", storageClass: "STANDARD_IA" }, { days: 180, storageClass: "GLACIER" }] })], /STANDARD_IA or INTELLIGENT_TIERING within 90 days/],
            ["no noncurrent version expiration", [splitLifecycleRule({ noncurrentVersionExpiration: undefined })], /: expire noncurrent object versions\./],
            ["no abort of incomplete multipart uploads", [splitLifecycleRule({ abortIncompleteMultipartUpload: undefined })], /: abort incomplete multipart uploads\./],
        ];
        for (const [title, rules, expected] of cases) {
            it(title, async () => {
                const v = await validateStack(policy, withRules(rules));
                assert.strictEqual(v.violations.length, 1, JSON.stringify(v));
                assert.match(v.violations[0].message, HEAD);
                assert.match(v.violations[0].message, expected);
                assert.match(v.violations[0].message, /Fix: give the bucket one aws\.s3\.BucketLifecycleConfiguration with an enabled rule that has no filter/);
                assert.strictEqual(v.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::raw-lifecycle");
            });
        }
    });

    it("fails filtered rules in the inline and aws-native shapes too", async () => {
        const v7 = await validateStack(policy, [kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "v7-inline", lifecycleRules: [{ enabled: true, prefix: "phi/", tags: {}, transitions: [{ days: 30, storageClass: "STANDARD_IA" }, { days: 90, storageClass: "GLACIER" }], noncurrentVersionExpiration: { days: 30 }, abortIncompleteMultipartUploadDays: 1 }] })]);
        assert.match(messages(v7)[0], /the inline lifecycleRules of 'raw' has no enabled whole-bucket rule .*rule #1 does not cover the whole bucket: it is filtered by prefix "phi\/"/);
        const v6 = await validateStack(policy, [kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "v6-inline", lifecycleRules: [{ enabled: false, transitions: [], abortIncompleteMultipartUploadDays: 1 }] })]);
        assert.match(messages(v6)[0], /rule #1 is disabled/);
        const nativeRule = { id: "cold", status: "Enabled", tagFilters: [{ key: "tier", value: "cold" }], transitions: [{ storageClass: "STANDARD_IA", transitionInDays: 30 }, { storageClass: "GLACIER", transitionInDays: 90 }], noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } };
        const native = await validateStack(policy, [kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "native", lifecycleRules: [nativeRule] })]);
        assert.match(messages(native)[0], /the lifecycleConfiguration of 'raw' .*rule 'cold' does not cover the whole bucket: it is filtered by tags/);
        const sized = await validateStack(policy, [kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "native", lifecycleRules: [{ ...nativeRule, tagFilters: [], objectSizeGreaterThan: "1048576" }] })]);
        assert.match(messages(sized)[0], /it is filtered by objectSizeGreaterThan "1048576"/);
    });

    it("fails a bucket without any lifecycle configuration and two configurations for one bucket", async () => {
        const none = await validateStack(policy, [kmsKey(), ...bucketSet("raw", DATA_NAME, { lifecycleRules: null })]);
        assert.match(messages(none)[0], /^S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\) has no lifecycle configuration, so PHI is kept in S3 Standard indefinitely/);
        const stack = withRules([splitLifecycleRule()]);
        const second = { ...stack.find((r) => r.name === "raw-lifecycle")!, name: "raw-lifecycle-2" };
        assert.match(messages(await validateStack(policy, [...stack, second]))[0], /is managed by several lifecycle configurations \('raw-lifecycle', 'raw-lifecycle-2'\)/);
    });

    it("applies maxDaysToInfrequentAccess and maxDaysToArchive from config (and the defaults without config)", async () => {
        const rules = [splitLifecycleRule({ transitions: [{ days: 60, storageClass: "STANDARD_IA" }, { days: 300, storageClass: "GLACIER" }] })];
        assert.deepStrictEqual(await validateStack(policy, withRules(rules)), CLEAN);
        const strict = await validateStack(policy, withRules(rules), { config: { maxDaysToInfrequentAccess: 30, maxDaysToArchive: 180 } });
        assert.match(messages(strict)[0], /STANDARD_IA or INTELLIGENT_TIERING within 30 days; move current objects to GLACIER, GLACIER_IR or DEEP_ARCHIVE within 180 days/);
        await assert.rejects(validateStack(policy, withRules(rules), { config: { maxDaysToArchive: "365" } }), {
            message: 'policy s3-bucket-lifecycle-rules: config maxDaysToArchive must be an integer from 0 to 36500; got "365"',
        });
    });

    it("reports exemptions (required reason) as not applicable, and is not applicable without buckets", async () => {
        const stack = withRules([splitLifecycleRule({ filter: { prefix: "x/" } })]);
        const v = await validateStack(policy, stack, { config: { exemptions: [{ bucketPattern: "raw", reason: "legal hold: no tiering until case 2026-17 closes" }] } });
        assert.deepStrictEqual(v, { violations: [], previewSkipped: [], notApplicable: ["S3 bucket 'raw' (hdp-dev-raw-111122223333-us-east-1) is exempt by pack config (pattern 'raw'): legal hold: no tiering until case 2026-17 closes"] });
        await assert.rejects(validateStack(policy, stack, { config: { exemptions: [{ bucketPattern: "raw", reason: "  " }] } }), /config exemptions\[0\]\.reason must be a non-empty string stating why the bucket is exempt; got " {2}"/);
        assert.match((await validateStack(policy, [kmsKey()])).notApplicable[0], /^The stack has no S3 buckets/);
    });

    it("at preview, judges known rules and reports only what is unknown", async () => {
        const unknownRules = await validateStack(policy, patch(withRules([splitLifecycleRule()], true), "raw-lifecycle", { rules: UNKNOWN }));
        assert.deepStrictEqual(unknownRules.violations, []);
        assert.match(unknownRules.previewSkipped[0], /S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): the rules of aws\.s3\.BucketLifecycleConfiguration 'raw-lifecycle' are not known until apply/);

        // One rule's transitions are unknown, but another known rule already satisfies everything: a verdict.
        const mixed = withRules([splitLifecycleRule(), splitLifecycleRule({ id: "more", transitions: UNKNOWN })], true);
        assert.deepStrictEqual(await validateStack(policy, mixed), CLEAN);

        // Unknown transitions cannot be cleared, but a known missing piece still decides nothing alone.
        const undecided = withRules([splitLifecycleRule({ transitions: UNKNOWN })], true);
        const u = await validateStack(policy, undecided);
        assert.deepStrictEqual(u.violations, []);
        assert.strictEqual(u.previewSkipped.length, 1);
    });
});
