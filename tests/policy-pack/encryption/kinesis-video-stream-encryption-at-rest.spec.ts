import * as assert from "assert";
import { KINESIS_VIDEO_STREAM, kinesisVideoStreamEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/kinesis-video-stream-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

describe("kinesis-video-stream-encryption-at-rest", () => {
    it("fails the AWS-managed aws/kinesisvideo key and passes a key created by the program", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: KINESIS_VIDEO_STREAM, name: "consults", props: { kmsKeyId: "alias/aws/kinesisvideo" } })), [
            `kinesis.VideoStream "consults" kmsKeyId is the AWS-managed key "alias/aws/kinesisvideo"; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.deepStrictEqual((await validateResource(policy, { type: KINESIS_VIDEO_STREAM, props: { kmsKeyId: UNKNOWN } })).violations, []);
    });
});
