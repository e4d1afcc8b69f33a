import * as assert from "assert";
import { s3BucketKmsEncryption as policy } from "../../../policy-pack/policies/s3/s3-bucket-kms-encryption";
import { FakeStackResource, messages, UNKNOWN, validateStack } from "../helpers";
import { AWS_PROVIDER, bucketSet, compliantStack, DATA_NAME, KEY_ARN, kmsKey, LOGS_NAME, patch, SHAPES, T, without } from "./fixtures";

const CLEAN = { violations: [], notApplicable: [], previewSkipped: [] };

describe("s3-bucket-kms-encryption", () => {
    for (const shape of SHAPES) {
        it(`passes a ${shape} bucket on a customer-managed key, and the SSE-S3 access-log target of the same stack`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape)), CLEAN);
        });

        it(`passes the ${shape} stack at preview, when the key ARN is unknown but comes from an aws.kms.Key`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape, true)), CLEAN);
        });

        it(`fails a ${shape} PHI bucket on SSE-S3, naming the bucket, its physical name and the fix`, async () => {
            const stack = [kmsKey(), ...bucketSet("raw", DATA_NAME, { shape, sse: "sse-s3" })];
            const v = await validateStack(policy, stack);
            assert.strictEqual(v.violations.length, 1);
            assert.match(v.violations[0].message, new RegExp(`^S3 bucket 'raw' \\(${DATA_NAME}\\) is not encrypted at rest with a customer-managed KMS key: .*SSE-S3 \\(AES256\\)`));
            assert.match(v.violations[0].message, /Fix: give the bucket an aws\.s3\.BucketServerSideEncryptionConfiguration with applyServerSideEncryptionByDefault \{ sseAlgorithm: "aws:kms"/);
        });
    }

    it("reports the split resource at fault (its URN) and the bucket's default when nothing is declared", async () => {
        const split = await validateStack(policy, [kmsKey(), ...bucketSet("raw", DATA_NAME, { sse: "sse-s3" })]);
        assert.strictEqual(split.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::raw-sse");
        assert.match(split.violations[0].message, /aws\.s3\.BucketServerSideEncryptionConfiguration 'raw-sse' sets SSE-S3/);
        const none = await validateStack(policy, bucketSet("raw", DATA_NAME, { sse: "none" }));
        assert.match(messages(none)[0], /S3's default \(no encryption configuration in the stack\) sets SSE-S3 \(AES256\)/);
        assert.strictEqual(none.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucket:Bucket::raw");
    });

    it("fails aws:kms without a key and with the AWS managed key aws/s3 (alias name or alias ARN)", async () => {
        const stack = [kmsKey(), ...bucketSet("raw", DATA_NAME)];
        for (const [keyId, expected] of [
            [undefined, /uses aws:kms without kmsMasterKeyId, which means the AWS managed key aws\/s3/],
            ["alias/aws/s3", /uses the AWS managed key alias\/aws\/s3/],
            ["arn:aws:kms:us-east-1:111122223333:alias/aws/s3", /uses the AWS managed key arn:aws:kms:us-east-1:111122223333:alias\/aws\/s3/],
        ] as const) {
            const v = await validateStack(policy, patch(stack, "raw-sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyId } }] }));
            assert.strictEqual(v.violations.length, 1, String(keyId));
            assert.match(v.violations[0].message, expected);
        }
    });

    it("passes DSSE-KMS with a customer-managed key and fails an unsupported algorithm", async () => {
        const stack = [kmsKey(), ...bucketSet("raw", DATA_NAME)];
        const dsse = await validateStack(policy, patch(stack, "raw-sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: KEY_ARN } }] }));
        assert.deepStrictEqual(dsse, CLEAN);
        const fsx = await validateStack(policy, patch(stack, "raw-sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:fsx" } }] }));
        assert.match(messages(fsx)[0], /sets sseAlgorithm "aws:fsx", not aws:kms or aws:kms:dsse/);
    });

    it("accepts SSE-S3 on a bucket only while a BucketLogging or load balancer of the stack delivers logs into it", async () => {
        const logs = bucketSet("access-logs", LOGS_NAME, { sse: "sse-s3" });
        const alone = await validateStack(policy, logs);
        assert.match(messages(alone)[0], /S3 bucket 'access-logs' \(hdp-dev-access-logs-111122223333-us-east-1\) is not encrypted at rest/);

        const withSource = await validateStack(policy, [kmsKey(), ...logs, ...bucketSet("raw", DATA_NAME, { logTo: LOGS_NAME })]);
        assert.deepStrictEqual(withSource, CLEAN);

        const lb: FakeStackResource = { type: T.lb, name: "api-alb", props: { accessLogs: { bucket: LOGS_NAME, enabled: true, prefix: "alb" } }, provider: AWS_PROVIDER };
        assert.deepStrictEqual(await validateStack(policy, [...logs, lb]), CLEAN);
        const disabledLb = { ...lb, props: { accessLogs: { bucket: LOGS_NAME, enabled: false } } };
        assert.strictEqual((await validateStack(policy, [...logs, disabledLb])).violations.length, 1);

        const off = await validateStack(policy, [kmsKey(), ...logs, ...bucketSet("raw", DATA_NAME, { logTo: LOGS_NAME })], { config: { allowSseS3ForLogTargets: false } });
        assert.deepStrictEqual(off.violations.map((x) => x.urn), ["urn:pulumi:dev::healthcare-data-platform::aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::access-logs-sse"]);
    });

    it("accepts SSE-S3 through allowSseS3 and sseS3AllowedBucketPatterns (wildcard or /regex/, physical or logical name)", async () => {
        const stack = bucketSet("legacy-exports", "acme-legacy-exports", { sse: "sse-s3" });
        assert.deepStrictEqual(await validateStack(policy, stack, { config: { allowSseS3: true } }), CLEAN);
        assert.deepStrictEqual(await validateStack(policy, stack, { config: { sseS3AllowedBucketPatterns: ["acme-legacy-*"] } }), CLEAN);
        assert.deepStrictEqual(await validateStack(policy, stack, { config: { sseS3AllowedBucketPatterns: ["/^legacy-(exports|imports)$/"] } }), CLEAN);
        assert.strictEqual((await validateStack(policy, stack, { config: { sseS3AllowedBucketPatterns: ["acme-other-*"] } })).violations.length, 1);
    });

    it("rejects bad config with an error naming the key, the expectation and the value", async () => {
        const stack = bucketSet("raw", DATA_NAME, { sse: "sse-s3" });
        await assert.rejects(validateStack(policy, stack, { config: { allowSseS3: "yes" } }), {
            message: 'policy s3-bucket-kms-encryption: config allowSseS3 must be a boolean; got "yes"',
        });
        await assert.rejects(validateStack(policy, stack, { config: { sseS3AllowedBucketPatterns: ["/([/"] } }), /config sseS3AllowedBucketPatterns\[0\] must be a valid regular expression/);
        await assert.rejects(validateStack(policy, stack, { config: { exemptions: [{ bucketPattern: "raw" }] } }), {
            message: "policy s3-bucket-kms-encryption: config exemptions[0].reason must be a non-empty string stating why the bucket is exempt; got undefined",
        });
    });

    it("reports an exempt bucket as not applicable with its reason, and still judges the others", async () => {
        const exemptions = [{ bucketPattern: "hdp-dev-legacy-*", reason: "vendor drop zone, migrated in Q3 (RISK-42)" }];
        const legacy = bucketSet("legacy", "hdp-dev-legacy-drop", { sse: "sse-s3" });
        const v = await validateStack(policy, [kmsKey(), ...legacy, ...bucketSet("raw", DATA_NAME)], { config: { exemptions } });
        assert.deepStrictEqual(v.violations, []);
        assert.deepStrictEqual(v.notApplicable, [
            "S3 bucket 'legacy' (hdp-dev-legacy-drop) is exempt by pack config (pattern 'hdp-dev-legacy-*'): vendor drop zone, migrated in Q3 (RISK-42); 1 other bucket(s) comply",
        ]);
        const failing = await validateStack(policy, [...legacy, ...bucketSet("raw", DATA_NAME, { sse: "sse-s3" })], { config: { exemptions } });
        assert.deepStrictEqual(failing.violations.map((x) => x.urn), ["urn:pulumi:dev::healthcare-data-platform::aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::raw-sse"]);
    });

    it("is not applicable to a stack without buckets", async () => {
        const v = await validateStack(policy, [kmsKey()]);
        assert.deepStrictEqual(v.notApplicable, [
            "The stack has no S3 buckets (aws:s3/bucket:Bucket, aws:s3/bucketV2:BucketV2 or aws-native:s3:Bucket), so there is nothing to judge.",
        ]);
        assert.deepStrictEqual(v.violations, []);
    });

    it("fails two encryption configurations for one bucket (the last applied wins)", async () => {
        const stack = [kmsKey(), ...bucketSet("raw", DATA_NAME)];
        const second = { ...stack.find((r) => r.name === "raw-sse")!, name: "raw-sse-2" };
        const v = await validateStack(policy, [...stack, second]);
        assert.match(messages(v)[0], /is managed by 2 encryption configurations \('raw-sse', 'raw-sse-2'\)/);
    });

    it("joins by resolved name when the side resource has no property dependency (bucket named by a string)", async () => {
        const stack = bucketSet("raw", DATA_NAME, { sse: "sse-s3" }).map((r) => ({ ...r, propertyDependencies: {} }));
        const v = await validateStack(policy, stack);
        assert.strictEqual(v.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::raw-sse");
    });

    it("at preview, reports an unknown key that no KMS key resource explains through the SDK's unknown mechanism, after judging the rest", async () => {
        const unknownKey = patch(bucketSet("raw", DATA_NAME, { preview: true }), "raw-sse", {
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN } }],
        }).map((r) => (r.name === "raw-sse" ? { ...r, propertyDependencies: { bucket: ["raw"] } } : r));
        const v = await validateStack(policy, [...unknownKey, ...bucketSet("plain", "hdp-dev-plain", { sse: "sse-s3", preview: true })]);
        assert.deepStrictEqual(messages(v).length, 1);
        assert.match(messages(v)[0], /^S3 bucket 'plain' \(hdp-dev-plain\) is not encrypted/);
        assert.strictEqual(v.previewSkipped.length, 1);
        assert.match(v.previewSkipped[0], /S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): its encryption algorithm or KMS key is not known until apply/);
        assert.match(v.previewSkipped[0], /\(1 violation\(s\) on known values were reported above\)/);
    });

    it("at preview, cannot clear a bucket while an encryption configuration names an unknown bucket without a property dependency", async () => {
        const stack = without(bucketSet("raw", DATA_NAME, { preview: true }), "raw-sse");
        const orphan: FakeStackResource = {
            type: T.sse,
            name: "mystery-sse",
            props: { bucket: UNKNOWN, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN } }] },
        };
        const v = await validateStack(policy, [...stack, orphan]);
        assert.deepStrictEqual(v.violations, []);
        assert.match(v.previewSkipped[0], /1 encryption configuration\(s\) name a bucket that is not known until apply and may belong to it/);
    });
});
