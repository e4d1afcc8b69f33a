import * as assert from "assert";
import { s3BucketAccessLogging as policy } from "../../../policy-pack/policies/s3/s3-bucket-access-logging";
import { FakeStackResource, messages, UNKNOWN, validateStack } from "../helpers";
import { AWS_PROVIDER, bucketSet, compliantStack, DATA_NAME, KEY_ARN, kmsKey, LOGS_NAME, SHAPES, T } from "./fixtures";

const CLEAN = { violations: [], notApplicable: [], previewSkipped: [] };
const FAIL = /^S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\) has neither server access logging nor CloudTrail data events for its objects, so reads of PHI leave no audit record\./;

function trail(props: Record<string, unknown>): FakeStackResource {
    return { type: T.trail, name: "org-trail", props: { s3BucketName: "hdp-dev-cloudtrail", enableLogging: true, ...props }, provider: AWS_PROVIDER };
}
const s3Data = (values: string[], readWriteType?: string) => ({ eventSelectors: [{ readWriteType, includeManagementEvents: true, dataResources: [{ type: "AWS::S3::Object", values }] }] });
const advanced = (...fieldSelectors: Record<string, unknown>[]) => ({ name: "s3", fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] }, ...fieldSelectors] });

/** A PHI bucket that does not log, and `extra` resources. */
function unlogged(...extra: FakeStackResource[]): FakeStackResource[] {
    return [kmsKey(), ...bucketSet("raw", DATA_NAME), ...extra];
}

describe("s3-bucket-access-logging", () => {
    it("is advisory by default", () => {
        assert.strictEqual(policy.enforcementLevel, "advisory");
    });

    for (const shape of SHAPES) {
        it(`passes a ${shape} bucket that logs to the stack's SSE-S3 log bucket (the log bucket itself is not judged), in up and at preview`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape)), CLEAN);
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape, true)), CLEAN);
        });
    }

    it("fails a bucket with neither server access logging nor data events, naming the fix", async () => {
        const v = await validateStack(policy, unlogged());
        assert.strictEqual(v.violations.length, 1);
        assert.match(v.violations[0].message, FAIL);
        assert.match(v.violations[0].message, /Fix: add an aws\.s3\.BucketLogging with targetBucket set to a dedicated log bucket/);
        assert.strictEqual(v.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucket:Bucket::raw");
    });

    it("accepts CloudTrail data events that cover all of the bucket's objects", async () => {
        for (const props of [
            s3Data(["arn:aws:s3"]),
            s3Data(["arn:aws:s3:::"]),
            s3Data([`arn:aws:s3:::${DATA_NAME}/`], "All"),
            { advancedEventSelectors: [advanced()] },
            { advancedEventSelectors: [advanced({ field: "resources.ARN", startsWith: [`arn:aws:s3:::${DATA_NAME}/`] })] },
            { advancedEventSelectors: [advanced({ field: "readOnly", equals: ["true"] }), advanced({ field: "readOnly", equals: ["false"] })] },
            { ...s3Data(["arn:aws:s3"]), region: "eu-west-1", isMultiRegionTrail: true },
        ]) {
            assert.deepStrictEqual(await validateStack(policy, unlogged(trail(props))), CLEAN, JSON.stringify(props));
        }
    });

    it("does not count data events that miss objects, reads or the bucket's region", async () => {
        for (const [props, note] of [
            [s3Data([`arn:aws:s3:::${DATA_NAME}/exports/`]), ""],
            [s3Data(["arn:aws:s3:::hdp-dev-other/"]), ""],
            [s3Data(["arn:aws:s3"], "WriteOnly"), " CloudTrail logs only write data events for its objects."],
            [{ advancedEventSelectors: [advanced({ field: "eventName", equals: ["PutObject"] })] }, ""],
            [{ advancedEventSelectors: [advanced({ field: "resources.ARN", notStartsWith: [`arn:aws:s3:::${DATA_NAME}/private/`] })] }, ""],
            [{ ...s3Data(["arn:aws:s3"]), enableLogging: false }, ""],
            [{ ...s3Data(["arn:aws:s3"]), region: "eu-west-1" }, ""],
        ] as const) {
            const v = await validateStack(policy, unlogged(trail(props)));
            assert.strictEqual(v.violations.length, 1, JSON.stringify(props));
            assert.match(v.violations[0].message, FAIL);
            assert.ok(v.violations[0].message.includes(`audit record.${note} Fix:`), v.violations[0].message);
        }
    });

    it("config: write-only data events count when requireReadAndWriteDataEvents is false; trails do not count when acceptCloudTrailDataEvents is false", async () => {
        assert.deepStrictEqual(await validateStack(policy, unlogged(trail(s3Data(["arn:aws:s3"], "WriteOnly"))), { config: { requireReadAndWriteDataEvents: false } }), CLEAN);
        const noTrails = await validateStack(policy, unlogged(trail(s3Data(["arn:aws:s3"]))), { config: { acceptCloudTrailDataEvents: false } });
        assert.strictEqual(noTrails.violations.length, 1);
    });

    it("does not count server access logging into a target that S3 cannot deliver to (SSE-KMS, Object Lock default retention)", async () => {
        const kmsLogs = bucketSet("access-logs", LOGS_NAME, { sse: "kms" });
        const v = await validateStack(policy, [kmsKey(), ...kmsLogs, ...bucketSet("raw", DATA_NAME, { logTo: LOGS_NAME })]);
        assert.match(messages(v)[0], /Server access logging is configured but its target bucket 'access-logs' uses SSE-KMS default encryption, to which S3 does not deliver server access logs\./);
        const lock: FakeStackResource = {
            type: T.objectLock,
            name: "access-logs-lock",
            props: { bucket: LOGS_NAME, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } },
            provider: AWS_PROVIDER,
        };
        const locked = await validateStack(policy, [kmsKey(), lock, ...bucketSet("access-logs", LOGS_NAME, { sse: "sse-s3" }), ...bucketSet("raw", DATA_NAME, { logTo: LOGS_NAME })]);
        assert.match(messages(locked)[0], /its target bucket 'access-logs' has an Object Lock default retention/);
    });

    it("judges log targets only when exemptAccessLogTargets is false, and reports a log target as not applicable when nothing else was judged", async () => {
        const stack = compliantStack("v7");
        const strict = await validateStack(policy, stack, { config: { exemptAccessLogTargets: false } });
        assert.match(messages(strict)[0], /^S3 bucket 'access-logs' \(hdp-dev-access-logs-111122223333-us-east-1\) has neither server access logging/);
        const onlyTarget = await validateStack(policy, [kmsKey(), ...bucketSet("access-logs", LOGS_NAME, { sse: "sse-s3" }), { type: T.logging, name: "ext-logging", props: { bucket: "hdp-dev-elsewhere", targetBucket: LOGS_NAME, targetPrefix: "x/" } }]);
        assert.deepStrictEqual(onlyTarget.notApplicable, [
            "S3 bucket 'access-logs' (hdp-dev-access-logs-111122223333-us-east-1): it is a server access log target (AWS recommends not logging the log bucket itself)",
        ]);
    });

    it("reports exemptions and is not applicable without buckets", async () => {
        const v = await validateStack(policy, unlogged(), { config: { exemptions: [{ bucketPattern: "raw", reason: "covered by the organisation trail in the audit account" }] } });
        assert.deepStrictEqual(v.notApplicable, ["S3 bucket 'raw' (hdp-dev-raw-111122223333-us-east-1) is exempt by pack config (pattern 'raw'): covered by the organisation trail in the audit account"]);
        assert.match((await validateStack(policy, [kmsKey()])).notApplicable[0], /^The stack has no S3 buckets/);
    });

    it("at preview, reports unknown event selectors instead of failing the bucket", async () => {
        const v = await validateStack(policy, [kmsKey(true), ...bucketSet("raw", DATA_NAME, { preview: true }), trail({ eventSelectors: UNKNOWN, kmsKeyId: KEY_ARN })]);
        assert.deepStrictEqual(v.violations, []);
        assert.match(v.previewSkipped[0], /S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): its logging configuration or the trails that may cover it are not known until apply/);
    });
});
