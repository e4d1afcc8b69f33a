import * as assert from "assert";
import { LOG_GROUP, cloudwatchLogGroupEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/cloudwatch-log-group-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

describe("cloudwatch-log-group-encryption-at-rest", () => {
    it("passes a log group with a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: LOG_GROUP, props: { kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/12345678-1234-1234-1234-123456789012" } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails a log group without kmsKeyId, naming it and the fix", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: LOG_GROUP, name: "/aws/lambda/ingest", props: { retentionInDays: 365 } })), [
            `cloudwatch.LogGroup "/aws/lambda/ingest" kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
    });

    it("accepts the service-owned key when config does not require customer-managed keys", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: LOG_GROUP, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:cloudwatch/metricAlarm:MetricAlarm" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: LOG_GROUP, props: { kmsKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
