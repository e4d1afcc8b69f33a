import * as assert from "assert";
import { s3BucketVersioning as policy } from "../../../policy-pack/policies/s3/s3-bucket-versioning";
import { FakeStackResource, messages, UNKNOWN, validateStack } from "../helpers";
import { AWS_PROVIDER, bucketSet, compliantStack, DATA_NAME, kmsKey, patch, SHAPES, T, without } from "./fixtures";

const CLEAN = { violations: [], notApplicable: [], previewSkipped: [] };

describe("s3-bucket-versioning", () => {
    it("is advisory by default", () => {
        assert.strictEqual(policy.enforcementLevel, "advisory");
    });

    for (const shape of SHAPES) {
        it(`passes a ${shape} bucket with versioning enabled, in up and at preview`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape)), CLEAN);
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape, true)), CLEAN);
        });
    }

    it("fails Suspended versioning on the resource at fault, and no versioning at all on the bucket", async () => {
        const stack = [kmsKey(), ...bucketSet("raw", DATA_NAME)];
        const suspended = await validateStack(policy, patch(stack, "raw-versioning", { versioningConfiguration: { status: "Suspended" } }));
        assert.deepStrictEqual(messages(suspended), [
            "S3 bucket 'raw' (hdp-dev-raw-111122223333-us-east-1) does not have versioning enabled (aws.s3.BucketVersioning 'raw-versioning' (status Suspended)), so overwritten or deleted PHI cannot be recovered. Fix: add an aws.s3.BucketVersioning with versioningConfiguration { status: \"Enabled\" } (aws-native: versioningConfiguration.status \"Enabled\"); pair it with a lifecycle rule that expires noncurrent versions.",
        ]);
        assert.strictEqual(suspended.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucketVersioning:BucketVersioning::raw-versioning");
        const none = await validateStack(policy, without(stack, "raw-versioning"));
        assert.match(messages(none)[0], /does not have versioning enabled \(no versioning configuration in the stack\)/);
        assert.strictEqual(none.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucket:Bucket::raw");
    });

    it("fails disabled inline versioning (v7 and v6 spellings) and aws-native Suspended", async () => {
        const v7 = patch([kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "v7-inline" })], "raw", { versioning: { enabled: false } });
        assert.match(messages(await validateStack(policy, v7))[0], /inline versioning of 'raw'/);
        const v6 = patch([kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "v6-inline" })], "raw", { versionings: [{ enabled: false }] });
        assert.strictEqual((await validateStack(policy, v6)).violations.length, 1);
        const native = patch([kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "native" })], "raw", { versioningConfiguration: { status: "Suspended" } });
        assert.match(messages(await validateStack(policy, native))[0], /versioningConfiguration of 'raw'/);
    });

    it("accepts Object Lock, which keeps versioning on", async () => {
        const bare = without([kmsKey(), ...bucketSet("audit", "hdp-dev-audit")], "audit-versioning");
        assert.deepStrictEqual(await validateStack(policy, patch(bare, "audit", { objectLockEnabled: true })), CLEAN);
        const lock: FakeStackResource = { type: T.objectLock, name: "audit-lock", props: { bucket: "hdp-dev-audit", objectLockEnabled: "Enabled" }, provider: AWS_PROVIDER };
        assert.deepStrictEqual(await validateStack(policy, [...bare, lock]), CLEAN);
    });

    it("reports exemptions and is not applicable without buckets", async () => {
        const v = await validateStack(policy, without([kmsKey(), ...bucketSet("scratch", "hdp-dev-scratch")], "scratch-versioning"), {
            config: { exemptions: [{ bucketPattern: "hdp-dev-scratch", reason: "ephemeral query results, recomputable" }] },
        });
        assert.deepStrictEqual(v.notApplicable, ["S3 bucket 'scratch' (hdp-dev-scratch) is exempt by pack config (pattern 'hdp-dev-scratch'): ephemeral query results, recomputable"]);
        assert.match((await validateStack(policy, [kmsKey()])).notApplicable[0], /^The stack has no S3 buckets/);
    });

    it("at preview, reports an unknown status", async () => {
        const v = await validateStack(policy, patch([kmsKey(true), ...bucketSet("raw", DATA_NAME, { preview: true })], "raw-versioning", { versioningConfiguration: { status: UNKNOWN } }));
        assert.deepStrictEqual(v.violations, []);
        assert.match(v.previewSkipped[0], /S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): its versioning status is not known until apply/);
    });
});
