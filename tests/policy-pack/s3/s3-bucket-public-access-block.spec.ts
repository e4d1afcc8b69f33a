import * as assert from "assert";
import { s3BucketPublicAccessBlock as policy } from "../../../policy-pack/policies/s3/s3-bucket-public-access-block";
import { FakeStackResource, messages, UNKNOWN, validateStack } from "../helpers";
import { AWS_PROVIDER, bucketSet, compliantStack, DATA_NAME, kmsKey, patch, SHAPES, T, without } from "./fixtures";

const CLEAN = { violations: [], notApplicable: [], previewSkipped: [] };
const ALL_ON = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

function raw(preview = false): FakeStackResource[] {
    return [kmsKey(preview), ...bucketSet("raw", DATA_NAME, { preview })];
}

describe("s3-bucket-public-access-block", () => {
    it("is advisory by default", () => {
        assert.strictEqual(policy.enforcementLevel, "advisory");
    });

    for (const shape of SHAPES) {
        it(`passes a ${shape} bucket with all four flags, in up and at preview`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape)), CLEAN);
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape, true)), CLEAN);
        });
    }

    it("fails a block that leaves a flag off, naming the flag and the resource", async () => {
        const v = await validateStack(policy, patch(raw(), "raw-pab", { restrictPublicBuckets: false, ignorePublicAcls: undefined }));
        assert.deepStrictEqual(messages(v), [
            "S3 bucket 'raw' (hdp-dev-raw-111122223333-us-east-1): aws.s3.BucketPublicAccessBlock 'raw-pab' leaves ignorePublicAcls, restrictPublicBuckets off, so an ACL or bucket policy could make objects public. Fix: add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true (aws-native: publicAccessBlockConfiguration), or an aws.s3.AccountPublicAccessBlock with all four.",
        ]);
        assert.strictEqual(v.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::raw-pab");
    });

    it("fails an aws-native bucket whose publicAccessBlockConfiguration is partial", async () => {
        const stack = patch([kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "native" })], "raw", { publicAccessBlockConfiguration: { ...ALL_ON, blockPublicPolicy: false } });
        assert.match(messages(await validateStack(policy, stack))[0], /publicAccessBlockConfiguration of 'raw' leaves blockPublicPolicy off/);
    });

    it("fails a bucket without a declared block unless config accepts the S3 default or the account-level block is in the stack", async () => {
        const bare = without(raw(), "raw-pab");
        assert.match(messages(await validateStack(policy, bare))[0], /^S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\) has no public access block declared in the stack/);
        assert.deepStrictEqual(await validateStack(policy, bare, { config: { acceptS3Defaults: true } }), CLEAN);
        const account: FakeStackResource = { type: T.accountPab, name: "account-pab", props: ALL_ON, provider: AWS_PROVIDER };
        assert.deepStrictEqual(await validateStack(policy, [...bare, account]), CLEAN);
        const weakAccount = { ...account, props: { ...ALL_ON, blockPublicAcls: false } };
        assert.strictEqual((await validateStack(policy, [...bare, weakAccount])).violations.length, 1);
    });

    it("reports exemptions and is not applicable without buckets", async () => {
        const v = await validateStack(policy, without(raw(), "raw-pab"), { config: { exemptions: [{ bucketPattern: "raw", reason: "public open-data set, no PHI" }] } });
        assert.deepStrictEqual(v.notApplicable, ["S3 bucket 'raw' (hdp-dev-raw-111122223333-us-east-1) is exempt by pack config (pattern 'raw'): public open-data set, no PHI"]);
        assert.match((await validateStack(policy, [kmsKey()])).notApplicable[0], /^The stack has no S3 buckets/);
    });

    it("at preview, reports unknown flags instead of failing them", async () => {
        const v = await validateStack(policy, patch(raw(true), "raw-pab", { blockPublicPolicy: UNKNOWN }));
        assert.deepStrictEqual(v.violations, []);
        assert.match(v.previewSkipped[0], /the flags of aws\.s3\.BucketPublicAccessBlock 'raw-pab' are not known until apply/);
    });
});
