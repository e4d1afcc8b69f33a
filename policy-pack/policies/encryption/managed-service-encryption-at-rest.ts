import { ResourceValidationPolicy } from "@pulumi/policy";
import { AtRestCheck, atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

const key = (path: string): readonly AtRestCheck[] => [{ kind: "key", path }];

/**
 * Managed services that keep customer content (event stores, archives, models and their training volumes, agent
 * memories, application state, file systems) encrypted with a key AWS owns or manages unless one argument names a
 * customer-managed key. Found by the SDK scan of tools/pack-coverage; each path is the argument the service reads.
 */
export const MANAGED_SERVICE_RULES: AtRestRules = {
    "aws:amp/workspace:Workspace": key("kmsKeyArn"),
    "aws:appfabric/appBundle:AppBundle": key("customerManagedKeyArn"),
    "aws:appflow/connectorProfile:ConnectorProfile": key("kmsArn"),
    "aws:appflow/flow:Flow": key("kmsArn"),
    "aws:appintegrations/dataIntegration:DataIntegration": key("kmsKey"),
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": key("encryptionKeyArn"),
    "aws:bedrock/agentAgent:AgentAgent": key("customerEncryptionKeyArn"),
    "aws:bedrock/agentFlow:AgentFlow": key("customerEncryptionKeyArn"),
    "aws:bedrock/agentPrompt:AgentPrompt": key("customerEncryptionKeyArn"),
    "aws:bedrock/agentcoreMemory:AgentcoreMemory": key("encryptionKeyArn"),
    "aws:bedrock/customModel:CustomModel": key("customModelKmsKeyId"),
    "aws:bedrock/evaluationJob:EvaluationJob": key("customerEncryptionKeyId"),
    "aws:cloudtrail/eventDataStore:EventDataStore": key("kmsKeyId"),
    "aws:cloudwatch/eventArchive:EventArchive": key("kmsKeyIdentifier"),
    "aws:codeartifact/domain:Domain": key("encryptionKey"),
    "aws:comprehend/documentClassifier:DocumentClassifier": [{ kind: "key", path: "volumeKmsKeyId" }, { kind: "key", path: "modelKmsKeyId" }],
    "aws:comprehend/entityRecognizer:EntityRecognizer": [{ kind: "key", path: "volumeKmsKeyId" }, { kind: "key", path: "modelKmsKeyId" }],
    "aws:customerprofiles/domain:Domain": key("defaultEncryptionKey"),
    "aws:datazone/domain:Domain": key("kmsKeyIdentifier"),
    "aws:dms/replicationInstance:ReplicationInstance": key("kmsKeyArn"),
    "aws:emr/studio:Studio": key("encryptionKeyArn"),
    // Spark driver and executor logs (they can echo records): kept by AWS for the Spark UI unless managed persistence is
    // switched off (it is on by default), and written to CloudWatch or S3 where configured.
    "aws:emrserverless/application:Application": [
        { kind: "key", path: "monitoringConfiguration.managedPersistenceMonitoringConfiguration.encryptionKeyArn", unlessDisabledBy: "enabled" },
        { kind: "key", path: "monitoringConfiguration?.cloudwatchLoggingConfiguration?.encryptionKeyArn", unlessDisabledBy: "enabled" },
        { kind: "key", path: "monitoringConfiguration?.s3MonitoringConfiguration?.encryptionKeyArn" },
    ],
    "aws:finspace/kxEnvironment:KxEnvironment": key("kmsKeyId"),
    "aws:grafana/workspace:Workspace": key("kmsKeyId"),
    "aws:location/geofenceCollection:GeofenceCollection": key("kmsKeyId"),
    "aws:location/tracker:Tracker": key("kmsKeyId"),
    "aws:m2/application:Application": key("kmsKeyId"),
    "aws:m2/environment:Environment": key("kmsKeyId"),
    "aws:mailmanager/archive:Archive": key("kmsKeyArn"),
    "aws:mwaa/environment:Environment": key("kmsKey"),
    "aws:neptunegraph/graph:Graph": key("kmsKeyIdentifier"),
    "aws:opensearch/application:Application": key("kmsKeyArn"),
    "aws:rekognition/streamProcessor:StreamProcessor": key("kmsKeyId"),
    "aws:s3/filesFileSystem:FilesFileSystem": key("kmsKeyId"),
    "aws:storagegateway/cachesIscsiVolume:CachesIscsiVolume": [
        { kind: "switch", path: "kmsEncrypted", fix: "set kmsEncrypted: true with kmsKey, a customer-managed KMS key ARN (a new volume is needed)." },
        { kind: "key", path: "kmsKey" },
    ],
    "aws:storagegateway/storedIscsiVolume:StoredIscsiVolume": [
        { kind: "switch", path: "kmsEncrypted", fix: "set kmsEncrypted: true with kmsKey, a customer-managed KMS key ARN (a new volume is needed)." },
        { kind: "key", path: "kmsKey" },
    ],
    "aws:workmail/organization:Organization": key("kmsKeyArn"),
    "aws:workspacesweb/portal:Portal": key("customerManagedKey"),
    "aws:workspacesweb/sessionLogger:SessionLogger": key("customerManagedKey"),
};

export const managedServiceEncryptionAtRest: ResourceValidationPolicy = {
    name: "managed-service-encryption-at-rest",
    description:
        "Managed services that keep customer content (event stores and archives, ML models and training volumes, agent memory, mail archives, " +
        "application environments, gateway volumes) encrypt it with a customer-managed KMS key instead of the key AWS picks by default.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set the argument the violation names (for example `kmsKeyId`, `kmsKeyArn`, `encryptionKey`, `customerEncryptionKeyArn`) to the ARN of a " +
        "customer-managed KMS key whose key policy lets the service use it. Most of these keys are fixed at creation: create the resource " +
        "anew with the key and move the data; the pack README lists the argument per type.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(MANAGED_SERVICE_RULES)),
};
