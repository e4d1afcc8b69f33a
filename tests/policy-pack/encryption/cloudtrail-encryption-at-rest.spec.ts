import * as assert from "assert";
import { CLOUDTRAIL_TRAIL, cloudtrailEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/cloudtrail-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

describe("cloudtrail-encryption-at-rest", () => {
    it("passes a trail that encrypts log files with a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: CLOUDTRAIL_TRAIL, props: { s3BucketName: "audit", kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/07070707-2222-3333-4444-555555555555" } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails a trail whose log files get SSE-S3 only", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: CLOUDTRAIL_TRAIL, name: "org-trail", props: { s3BucketName: "audit" } })), [
            `cloudtrail.Trail "org-trail" kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.deepStrictEqual((await validateResource(policy, { type: CLOUDTRAIL_TRAIL, props: { s3BucketName: "audit" } }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:cloudtrail/eventDataStore:EventDataStore" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: CLOUDTRAIL_TRAIL, props: { s3BucketName: "audit", kmsKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
