import * as assert from "assert";
import { s3BucketOwnerEnforced as policy } from "../../../policy-pack/policies/s3/s3-bucket-owner-enforced";
import { messages, UNKNOWN, validateStack } from "../helpers";
import { bucketSet, compliantStack, DATA_NAME, kmsKey, patch, SHAPES, without } from "./fixtures";

const CLEAN = { violations: [], notApplicable: [], previewSkipped: [] };

describe("s3-bucket-owner-enforced", () => {
    it("is advisory by default", () => {
        assert.strictEqual(policy.enforcementLevel, "advisory");
    });

    for (const shape of SHAPES) {
        it(`passes a ${shape} bucket with BucketOwnerEnforced, in up and at preview`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape)), CLEAN);
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape, true)), CLEAN);
        });
    }

    it("fails ObjectWriter or BucketOwnerPreferred ownership, naming the resource and the fix", async () => {
        for (const ownership of ["ObjectWriter", "BucketOwnerPreferred"]) {
            const v = await validateStack(policy, patch([kmsKey(), ...bucketSet("raw", DATA_NAME)], "raw-ownership", { rule: { objectOwnership: ownership } }));
            assert.deepStrictEqual(messages(v), [
                `S3 bucket 'raw' (hdp-dev-raw-111122223333-us-east-1): aws.s3.BucketOwnershipControls 'raw-ownership' sets objectOwnership "${ownership}", which keeps ACLs enabled. Fix: add an aws.s3.BucketOwnershipControls with rule { objectOwnership: "BucketOwnerEnforced" } (aws-native: ownershipControls.rules [{ objectOwnership: "BucketOwnerEnforced" }]) and grant access through the bucket policy instead of ACLs.`,
            ]);
        }
        const native = patch([kmsKey(), ...bucketSet("raw", DATA_NAME, { shape: "native" })], "raw", { ownershipControls: { rules: [{ objectOwnership: "ObjectWriter" }] } });
        assert.match(messages(await validateStack(policy, native))[0], /ownershipControls of 'raw' sets objectOwnership "ObjectWriter"/);
    });

    it("fails undeclared ownership unless config accepts the S3 default", async () => {
        const bare = without([kmsKey(), ...bucketSet("raw", DATA_NAME)], "raw-ownership");
        assert.match(messages(await validateStack(policy, bare))[0], /declares no object ownership, so nothing keeps ACLs disabled/);
        assert.deepStrictEqual(await validateStack(policy, bare, { config: { acceptS3Defaults: true } }), CLEAN);
    });

    it("reports exemptions and is not applicable without buckets", async () => {
        const bare = without([kmsKey(), ...bucketSet("cf-logs", "hdp-dev-cloudfront-logs")], "cf-logs-ownership");
        const v = await validateStack(policy, bare, { config: { exemptions: [{ bucketPattern: "*-cloudfront-logs", reason: "CloudFront standard logging needs ACLs" }] } });
        assert.deepStrictEqual(v.notApplicable, ["S3 bucket 'cf-logs' (hdp-dev-cloudfront-logs) is exempt by pack config (pattern '*-cloudfront-logs'): CloudFront standard logging needs ACLs"]);
        assert.match((await validateStack(policy, [kmsKey()])).notApplicable[0], /^The stack has no S3 buckets/);
    });

    it("at preview, reports an unknown ownership setting", async () => {
        const v = await validateStack(policy, patch([kmsKey(true), ...bucketSet("raw", DATA_NAME, { preview: true })], "raw-ownership", { rule: UNKNOWN }));
        assert.deepStrictEqual(v.violations, []);
        assert.match(v.previewSkipped[0], /the object ownership of aws\.s3\.BucketOwnershipControls 'raw-ownership' is not known until apply/);
    });
});
