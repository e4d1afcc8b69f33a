import * as assert from "assert";
import { MANAGED_SERVICE_RULES, managedServiceEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/managed-service-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("managed-service-encryption-at-rest", () => {
    it("fails every listed type without its key argument, naming that argument", async () => {
        for (const [type, checks] of Object.entries(MANAGED_SERVICE_RULES)) {
            // Types with optional blocks, lists or a key-mode selector have their own cases below.
            if (checks.some((c) => c.kind === "mode" || ("path" in c && /[?[]/.test(c.path)))) {
                continue;
            }
            const first = checks.find((c) => c.kind === "key")!;
            const props = Object.fromEntries(checks.filter((c) => c.kind === "switch").map((c) => [c.path, true]));
            const v = await validateResource(policy, { type, name: "x", props });
            assert.ok(messages(v)[0].endsWith(` ${"path" in first ? first.path : ""} is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`), `${type}: ${messages(v)}`);
        }
    });

    it("passes a customer-managed key, known or unknown at preview", async () => {
        for (const key of [CMK, UNKNOWN]) {
            assert.deepStrictEqual((await validateResource(policy, { type: "aws:cloudtrail/eventDataStore:EventDataStore", props: { kmsKeyId: key } })).violations, []);
            assert.deepStrictEqual(
                (await validateResource(policy, { type: "aws:comprehend/documentClassifier:DocumentClassifier", props: { volumeKmsKeyId: key, modelKmsKeyId: key } })).violations,
                [],
            );
        }
    });

    it("requires storage gateway volumes to be KMS-encrypted even when AWS keys are accepted", async () => {
        const v = await validateResource(policy, { type: "aws:storagegateway/storedIscsiVolume:StoredIscsiVolume", name: "v", props: {} }, { config: { requireCustomerManagedKey: false } });
        assert.deepStrictEqual(messages(v), [
            `storagegateway.StoredIscsiVolume "v" stores data unencrypted (kmsEncrypted is not set): set kmsEncrypted: true with kmsKey, a customer-managed KMS key ARN (a new volume is needed).`,
        ]);
    });
});

describe("managed-service-encryption-at-rest: EMR Serverless logs", () => {
    const EMR_SERVERLESS = "aws:emrserverless/application:Application";

    it("judges managed persistence (on by default) unless it is switched off, and the CloudWatch and S3 log keys where configured", async () => {
        const monitoring = (m: Record<string, unknown>) => ({ name: "spark", type: "spark", releaseLabel: "emr-7.5.0", monitoringConfiguration: m });
        const compliant = monitoring({
            managedPersistenceMonitoringConfiguration: { enabled: false },
            cloudwatchLoggingConfiguration: { enabled: true, encryptionKeyArn: CMK },
            s3MonitoringConfiguration: { logUri: "s3://logs/emr/", encryptionKeyArn: CMK },
        });
        assert.deepStrictEqual((await validateResource(policy, { type: EMR_SERVERLESS, props: compliant })).violations, []);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: EMR_SERVERLESS, name: "spark", props: monitoring({ cloudwatchLoggingConfiguration: { enabled: false } }) })), [
            `emrserverless.Application "spark" monitoringConfiguration.managedPersistenceMonitoringConfiguration.encryptionKeyArn is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.match(
            messages(await validateResource(policy, { type: EMR_SERVERLESS, props: monitoring({ managedPersistenceMonitoringConfiguration: { enabled: false }, cloudwatchLoggingConfiguration: { enabled: true } }) }))[0],
            /cloudwatchLoggingConfiguration\.encryptionKeyArn is not set/,
        );
    });
});

describe("managed-service-encryption-at-rest: the types the coverage scan had left for review", () => {
    const NO_KEY = "is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.";
    const judge = async (type: string, props: Record<string, unknown>, config?: Record<string, unknown>) =>
        messages(await validateResource(policy, { type, name: "x", props }, config ? { config } : undefined));

    it("fails each without its key, at the exact argument path of the @pulumi/aws typings", async () => {
        const cases: [string, Record<string, unknown>, string][] = [
            ["aws:apprunner/service:Service", {}, `apprunner.Service "x" encryptionConfiguration.kmsKey ${NO_KEY}`],
            ["aws:bedrock/agentDataSource:AgentDataSource", {}, `bedrock.AgentDataSource "x" serverSideEncryptionConfiguration.kmsKeyArn ${NO_KEY}`],
            [
                "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase",
                { knowledgeBaseConfiguration: { type: "MANAGED", managedKnowledgeBaseConfiguration: { embeddingModelArn: "m" } } },
                `bedrock.AgentKnowledgeBase "x" knowledgeBaseConfiguration.managedKnowledgeBaseConfiguration.serverSideEncryptionConfiguration.kmsKeyArn ${NO_KEY}`,
            ],
            ["aws:bedrock/agentcoreHarness:AgentcoreHarness", { memory: { managedMemoryConfiguration: {} } }, `bedrock.AgentcoreHarness "x" memory.managedMemoryConfiguration.encryptionKeyArn ${NO_KEY}`],
            ["aws:eks/cluster:Cluster", { name: "phi" }, `eks.Cluster "x" encryptionConfig.provider.keyArn ${NO_KEY}`],
            ["aws:ecs/service:Service", { volumeConfiguration: { name: "data", managedEbsVolume: { roleArn: "r", encrypted: true } } }, `ecs.Service "x" volumeConfiguration.managedEbsVolume.kmsKeyId ${NO_KEY}`],
            ["aws:kendra/index:Index", { edition: "ENTERPRISE_EDITION" }, `kendra.Index "x" serverSideEncryptionConfiguration.kmsKeyId ${NO_KEY}`],
            ["aws:codebuild/project:Project", { artifacts: { type: "S3" } }, `codebuild.Project "x" encryptionKey ${NO_KEY}`],
            [
                "aws:sfn/stateMachine:StateMachine",
                { encryptionConfiguration: { type: "AWS_OWNED_KEY" } },
                `sfn.StateMachine "x" encryptionConfiguration.type is "AWS_OWNED_KEY", an AWS key: set encryptionConfiguration: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: key.arn }.`,
            ],
            [
                "aws:sfn/activity:Activity",
                {},
                `sfn.Activity "x" encryptionConfiguration.type is not set, so an AWS key is used: set encryptionConfiguration: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: key.arn }.`,
            ],
            [
                "aws:kinesisanalyticsv2/application:Application",
                { applicationConfiguration: { applicationEncryptionConfiguration: { keyType: "AWS_OWNED_KEY" } } },
                `kinesisanalyticsv2.Application "x" applicationConfiguration.applicationEncryptionConfiguration.keyType is "AWS_OWNED_KEY", an AWS key: set applicationConfiguration.applicationEncryptionConfiguration to { keyType: "CUSTOMER_MANAGED_KEY", keyId: key.arn }.`,
            ],
            [
                "aws:s3tables/tableBucket:TableBucket",
                { name: "phi" },
                `s3tables.TableBucket "x" encryptionConfiguration.sseAlgorithm is not set, so an AWS key is used: set encryptionConfiguration: { sseAlgorithm: "aws:kms", kmsKeyArn: key.arn }.`,
            ],
            [
                "aws:s3/vectorsVectorBucket:VectorsVectorBucket",
                { encryptionConfigurations: [{ sseType: "AES256" }] },
                `s3.VectorsVectorBucket "x" encryptionConfigurations[0].sseType is "AES256", an AWS key: set encryptionConfigurations: [{ sseType: "aws:kms", kmsKeyArn: key.arn }] (a new bucket is needed).`,
            ],
            [
                "aws:securitylake/dataLake:DataLake",
                { configuration: { region: "us-east-1", encryptionConfigurations: [{ kmsKeyId: "S3_MANAGED_KEY" }] } },
                `securitylake.DataLake "x" configuration.encryptionConfigurations[0].kmsKeyId is the AWS-managed key "S3_MANAGED_KEY"; set it to the ARN of a customer-managed KMS key.`,
            ],
            [
                "aws:ssmincidents/replicationSet:ReplicationSet",
                { regions: [{ name: "us-east-1", kmsKeyArn: CMK }, { name: "us-west-2", kmsKeyArn: "DefaultKey" }] },
                `ssmincidents.ReplicationSet "x" regions[1].kmsKeyArn is the AWS-managed key "DefaultKey"; set it to the ARN of a customer-managed KMS key.`,
            ],
            [
                "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
                { trainingJobDefinitions: [{ resourceConfig: { volumeKmsKeyId: CMK }, outputDataConfig: { s3OutputPath: "s3://out/" } }] },
                `sagemaker.HyperParameterTuningJob "x" trainingJobDefinitions[0].outputDataConfig.kmsKeyId ${NO_KEY}`,
            ],
            [
                "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
                { monitoringScheduleConfig: { monitoringType: "DataQuality", monitoringJobDefinition: { monitoringResources: { clusterConfig: { volumeKmsKeyId: CMK } }, monitoringOutputConfig: {} } } },
                `sagemaker.MonitoringSchedule "x" monitoringScheduleConfig.monitoringJobDefinition.monitoringOutputConfig.kmsKeyId ${NO_KEY}`,
            ],
        ];
        for (const [type, props, expected] of cases) {
            assert.deepStrictEqual(await judge(type, props), [expected], type);
        }
    });

    it("passes them with customer-managed keys, and does not judge blocks that store nothing when absent", async () => {
        const compliant: [string, Record<string, unknown>][] = [
            ["aws:apprunner/service:Service", { encryptionConfiguration: { kmsKey: CMK } }],
            ["aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase", { knowledgeBaseConfiguration: { type: "VECTOR", vectorKnowledgeBaseConfiguration: {} } }],
            ["aws:bedrock/agentcoreHarness:AgentcoreHarness", {}],
            ["aws:ecs/service:Service", { name: "web" }],
            ["aws:eks/cluster:Cluster", { encryptionConfig: { resources: ["secrets"], provider: { keyArn: UNKNOWN } } }],
            ["aws:sfn/stateMachine:StateMachine", { encryptionConfiguration: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: CMK } }],
            ["aws:kinesisanalyticsv2/application:Application", { applicationConfiguration: { applicationEncryptionConfiguration: { keyType: "CUSTOMER_MANAGED_KEY", keyId: CMK } } }],
            ["aws:s3tables/table:Table", {}],
            ["aws:s3tables/tableBucket:TableBucket", { encryptionConfiguration: { sseAlgorithm: "aws:kms", kmsKeyArn: CMK } }],
            ["aws:s3/vectorsIndex:VectorsIndex", {}],
            ["aws:securitylake/dataLake:DataLake", { configuration: { region: "us-east-1", encryptionConfigurations: [{ kmsKeyId: CMK }] } }],
            ["aws:ssmincidents/replicationSet:ReplicationSet", { region: [{ name: "us-east-1", kmsKeyArn: CMK }] }],
            ["aws:sagemaker/labelingJob:LabelingJob", { outputConfig: { s3OutputPath: "s3://out/", kmsKeyId: CMK } }],
        ];
        for (const [type, props] of compliant) {
            assert.deepStrictEqual(await judge(type, props), [], type);
        }
    });

    it("accepts AWS keys for them when requireCustomerManagedKey is false", async () => {
        assert.deepStrictEqual(await judge("aws:sfn/activity:Activity", {}, { requireCustomerManagedKey: false }), []);
        assert.deepStrictEqual(await judge("aws:eks/cluster:Cluster", {}, { requireCustomerManagedKey: false }), []);
    });
});
