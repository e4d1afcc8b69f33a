import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const KINESIS_VIDEO_STREAM = "aws:kinesis/videoStream:VideoStream";

/** Without kmsKeyId Kinesis Video Streams uses the AWS-managed key aws/kinesisvideo. */
export const KINESIS_VIDEO_RULES: AtRestRules = {
    [KINESIS_VIDEO_STREAM]: [{ kind: "key", path: "kmsKeyId" }],
};

export const kinesisVideoStreamEncryptionAtRest: ResourceValidationPolicy = {
    name: "kinesis-video-stream-encryption-at-rest",
    description: "Kinesis Video Streams encrypt stored media (for example recorded consultations) with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on `aws.kinesis.VideoStream`. The key is fixed at creation: create a new stream and switch producers.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(KINESIS_VIDEO_RULES)),
};
