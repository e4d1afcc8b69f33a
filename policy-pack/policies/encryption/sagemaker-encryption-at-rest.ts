import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const SAGEMAKER_NOTEBOOK_INSTANCE = "aws:sagemaker/notebookInstance:NotebookInstance";
export const SAGEMAKER_DOMAIN = "aws:sagemaker/domain:Domain";
export const SAGEMAKER_ENDPOINT_CONFIGURATION = "aws:sagemaker/endpointConfiguration:EndpointConfiguration";
export const SAGEMAKER_FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup";
export const SAGEMAKER_TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob";

/**
 * Where SageMaker keeps data: notebook and Studio home volumes (analysts' copies of PHI), endpoint instance volumes,
 * captured requests and responses, asynchronous inference results, and feature store records. Optional blocks
 * (data capture, async output, online/offline store) are judged when present.
 */
export const SAGEMAKER_RULES: AtRestRules = {
    [SAGEMAKER_NOTEBOOK_INSTANCE]: [{ kind: "key", path: "kmsKeyId" }],
    [SAGEMAKER_DOMAIN]: [{ kind: "key", path: "kmsKeyId" }],
    [SAGEMAKER_ENDPOINT_CONFIGURATION]: [
        { kind: "key", path: "kmsKeyArn" },
        { kind: "key", path: "dataCaptureConfig?.kmsKeyId" },
        { kind: "key", path: "asyncInferenceConfig?.outputConfig.kmsKeyId" },
    ],
    [SAGEMAKER_FEATURE_GROUP]: [
        { kind: "key", path: "onlineStoreConfig?.securityConfig.kmsKeyId" },
        { kind: "key", path: "offlineStoreConfig?.s3StorageConfig.kmsKeyId" },
    ],
    // Training reads PHI onto its ML storage volumes and writes model artifacts (which can memorise records) to S3.
    [SAGEMAKER_TRAINING_JOB]: [
        { kind: "key", path: "resourceConfig?.volumeKmsKeyId" },
        { kind: "key", path: "outputDataConfig?.kmsKeyId" },
    ],
    "aws-native:sagemaker:Domain": [{ kind: "key", path: "kmsKeyId" }],
};

export const sagemakerEncryptionAtRest: ResourceValidationPolicy = {
    name: "sagemaker-encryption-at-rest",
    description:
        "SageMaker notebook instances, Studio domains, endpoint configurations (volumes, data capture, async results), feature groups and training jobs encrypt stored data with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on `aws.sagemaker.NotebookInstance` and `aws.sagemaker.Domain`; on `aws.sagemaker.EndpointConfiguration` set `kmsKeyArn` " +
        "and, where used, `dataCaptureConfig.kmsKeyId` and `asyncInferenceConfig.outputConfig.kmsKeyId`; on `aws.sagemaker.FeatureGroup` set " +
        "`onlineStoreConfig.securityConfig.kmsKeyId` and `offlineStoreConfig.s3StorageConfig.kmsKeyId`; on `aws.sagemaker.TrainingJob` set `resourceConfig.volumeKmsKeyId` and " +
        "`outputDataConfig.kmsKeyId`. Notebook instances and domains are " +
        "replaced to change the key (copy home directories first); endpoint configurations are immutable: create a new one and update the endpoint.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(SAGEMAKER_RULES)),
};
