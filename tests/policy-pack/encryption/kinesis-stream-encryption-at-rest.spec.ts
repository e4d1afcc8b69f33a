import * as assert from "assert";
import { KINESIS_STREAM, kinesisStreamEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/kinesis-stream-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/dddddddd-2222-3333-4444-555555555555";

describe("kinesis-stream-encryption-at-rest", () => {
    it("passes a KMS-encrypted stream on a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: KINESIS_STREAM, props: { encryptionType: "KMS", kmsKeyId: CMK } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails a stream without encryption (absent or NONE)", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: KINESIS_STREAM, name: "hl7", props: {} })), [
            'kinesis.Stream "hl7" stores records unencrypted (encryptionType is not set): set encryptionType: "KMS" and kmsKeyId to a customer-managed KMS key ARN.',
        ]);
        assert.match(messages(await validateResource(policy, { type: KINESIS_STREAM, name: "hl7", props: { encryptionType: "NONE", kmsKeyId: CMK } }))[0], /encryptionType is "NONE"/);
    });

    it("fails the AWS-managed alias/aws/kinesis key unless config accepts AWS-managed keys", async () => {
        const props = { encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis" };
        assert.match(messages(await validateResource(policy, { type: KINESIS_STREAM, name: "hl7", props }))[0], /AWS-managed key "alias\/aws\/kinesis"/);
        assert.deepStrictEqual((await validateResource(policy, { type: KINESIS_STREAM, props }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("reports other types as not applicable, naming the type it covers", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream" })).notApplicable, ["Policy only applies to resources of type 'aws:kinesis/stream:Stream'"]);
    });

    it("passes at preview with an unknown key ARN", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: KINESIS_STREAM, props: { encryptionType: "KMS", kmsKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
