/** Per-bucket lists in S3 findings stay bounded (policy-pack/lib/s3/report.ts): the AnalyzeStack reply of a large stack must stay far below gRPC's 4 MiB. */
import * as assert from "assert";
import { listed, LISTED_ENTRIES } from "../../../policy-pack/lib/s3/report";
import { s3BucketVersioning as policy } from "../../../policy-pack/policies/s3/s3-bucket-versioning";
import { FakeStackResource, UNKNOWN, validateStack } from "../helpers";
import { T } from "./fixtures";

describe("S3 findings report (lib/s3/report.ts)", () => {
    it("spells out the first entries and counts the rest", () => {
        assert.strictEqual(listed(["a", "b"], 3), "a; b");
        assert.strictEqual(listed(["a", "b", "c", "d", "e"], 3), "a; b; c; and 2 more");
    });

    it("names at most LISTED_ENTRIES buckets in one preview finding, however many buckets are undecided", async () => {
        const stack: FakeStackResource[] = [];
        for (let i = 0; i < 300; i++) {
            stack.push({ type: T.bucket, name: `b${i}`, props: { bucket: `acme-b${i}` } });
            stack.push({ type: T.versioning, name: `b${i}-versioning`, props: { bucket: `acme-b${i}`, versioningConfiguration: { status: UNKNOWN } }, propertyDependencies: { bucket: [`b${i}`] } });
        }
        const v = await validateStack(policy, stack);
        assert.strictEqual(v.previewSkipped.length, 1, JSON.stringify(v));
        const message = v.previewSkipped[0];
        assert.match(message, /^300 finding\(s\) of 's3-bucket-versioning' depend on values not known until apply/);
        assert.match(message, new RegExp(`; and ${300 - LISTED_ENTRIES} more\\. Build these values`));
        assert.ok(message.length < 5000, `${message.length} characters`);
    });
});
