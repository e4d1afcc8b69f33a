import * as assert from "assert";
import {
    SAGEMAKER_DOMAIN,
    SAGEMAKER_ENDPOINT_CONFIGURATION,
    SAGEMAKER_FEATURE_GROUP,
    SAGEMAKER_NOTEBOOK_INSTANCE,
    SAGEMAKER_TRAINING_JOB,
    sagemakerEncryptionAtRest as policy,
} from "../../../policy-pack/policies/encryption/sagemaker-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("sagemaker-encryption-at-rest", () => {
    it("fails a notebook instance and a domain whose volumes use the AWS-managed key", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: SAGEMAKER_NOTEBOOK_INSTANCE, name: "analysis", props: { instanceType: "ml.t3.medium" } })), [
            `sagemaker.NotebookInstance "analysis" kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.strictEqual((await validateResource(policy, { type: SAGEMAKER_DOMAIN, props: {} })).violations.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: SAGEMAKER_DOMAIN, props: { kmsKeyId: UNKNOWN } })).violations, []);
    });

    it("judges the endpoint volume key, and data capture and async output only where they are configured", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: SAGEMAKER_ENDPOINT_CONFIGURATION, props: { kmsKeyArn: CMK } })).violations, []);
        const v = await validateResource(policy, {
            type: SAGEMAKER_ENDPOINT_CONFIGURATION,
            name: "triage",
            props: { kmsKeyArn: CMK, dataCaptureConfig: { initialSamplingPercentage: 100, destinationS3Uri: "s3://capture" }, asyncInferenceConfig: { outputConfig: { s3OutputPath: "s3://out", kmsKeyId: CMK } } },
        });
        assert.deepStrictEqual(messages(v), [
            `sagemaker.EndpointConfiguration "triage" dataCaptureConfig.kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
    });

    it("judges feature stores and training jobs per configured store", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: SAGEMAKER_FEATURE_GROUP, props: { onlineStoreConfig: { securityConfig: { kmsKeyId: CMK } } } })).violations, []);
        assert.match(messages(await validateResource(policy, { type: SAGEMAKER_FEATURE_GROUP, props: { offlineStoreConfig: { s3StorageConfig: { s3Uri: "s3://f" } } } }))[0], /offlineStoreConfig\.s3StorageConfig\.kmsKeyId is not set/);
        assert.deepStrictEqual(
            messages(await validateResource(policy, { type: SAGEMAKER_TRAINING_JOB, name: "j", props: { resourceConfig: { instanceCount: 1 }, outputDataConfig: { s3OutputPath: "s3://m", kmsKeyId: CMK } } })),
            [`sagemaker.TrainingJob "j" resourceConfig.volumeKmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`],
        );
    });
});
