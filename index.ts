/**
 * healthcare-data-platform: reads config, calls each area's composition, exports outputs.
 * Order follows the data: keys and network first, then the lake and the stores, the security baseline over them,
 * then the paths into and out of them.
 */
import * as pulumi from "@pulumi/pulumi";
import { composeAnalytics } from "./components/analytics/compose";
import { composeIngestion } from "./components/ingestion/compose";
import { composeNetwork } from "./components/network/compose";
import { composeKeys, composeSecurity } from "./components/security/compose";
import { readPlatformConfig } from "./components/shared/config";
import { createPlatformProvider } from "./components/shared/provider";
import { PlatformContext } from "./components/shared/refs";
import { standardTags } from "./components/shared/tags";
import { composeStorage } from "./components/storage/compose";

const cfg = readPlatformConfig();

const provider = createPlatformProvider("aws", {
    naming: cfg.naming,
    defaultTags: standardTags({ environment: cfg.environment, dataClassification: "phi", owner: cfg.owner, costCenter: cfg.costCenter }),
});
const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider } };
const context: PlatformContext = { naming: cfg.naming, protect: cfg.protect, logRetentionDays: cfg.logging.retentionDays };

// Each area is one composition (components/<area>/compose.ts); each resource exists only when its config says so.
const keys = composeKeys(cfg, { context, opts }).refs;
const net = composeNetwork(cfg, { context, keys, opts });
const network = net.refs;
const storage = composeStorage(cfg, { context, keys, network, opts });
const { dataLake, database, warehouse, metadata, cache, files, backup } = storage;
const { guardrails, audit, monitoring, macie, access, compliance, evidenceBuckets } = composeSecurity(cfg, { context, keys, dataLake, opts });
const ingestion = composeIngestion(cfg, { context, keys, network, lake: dataLake, waitFor: dataLake, opts });
const { catalog, athena, emr, inventoryCheck, objectTagger, presentation, search } = composeAnalytics(cfg, {
    context,
    keys,
    network,
    lake: dataLake,
    evidenceBuckets,
    cache,
    alarmTopicArn: monitoring.topicArn,
    glueSecurityConfigurationName: ingestion.batch?.securityConfigurationName,
    waitFor: { lake: dataLake, ingestion },
    opts,
});

// --- Outputs ---
export const environment = cfg.environment;
export const keyAliases = Object.fromEntries(Object.entries(keys).map(([domain, ref]) => [domain, ref.aliasName]));
export const keyArns = Object.fromEntries(Object.entries(keys).map(([domain, ref]) => [domain, ref.arn]));
export const vpcId = net.vpcId;
export const privateSubnetIds = net.privateSubnetIds;
export const computeSecurityGroupId = net.computeSecurityGroup.id;
export const vpnConnectionId = net.vpn?.connection.id;
export const dataLakeBuckets = dataLake.buckets;
export const phiBucketNames = dataLake.phiBucketNames;
export const accessLogBucketName = dataLake.accessLogs.name;
export const inventoryBucketName = dataLake.inventory.name;
export const databaseEndpoint = database?.endpoint;
export const databaseMasterSecretArn = database?.masterUserSecretArn;
export const warehouseEndpoint = warehouse?.endpoint;
export const warehouseAdminSecretArn = warehouse?.adminSecretArn;
export const metadataTableName = metadata?.tableName;
export const cacheEndpoint = cache?.endpoint;
export const cacheIamUser = cache?.appUserName;
export const fileSystemId = files?.fileSystemId;
export const backupVaultName = backup.vaultName;
export const auditTrailArn = audit.trailArn;
export const auditBucketName = audit.bucketName;
export const alertTopicArn = monitoring.topicArn;
export const macieJobName = macie.jobName;
export const macieResultsBucketName = macie.resultsBucket.bucketName;
export const guardDutyDetectorId = guardrails.detector?.id;
export const configRecorderName = compliance?.recorder ? compliance.names.recorderName : undefined;
export const conformancePackName = compliance?.conformancePack ? compliance.names.conformancePackName : undefined;
export const securityHubStandards = compliance?.standards.map((s) => s.standardsArn);
export const roleArns = {
    dataEngineer: access.dataEngineerRole.arn,
    analyst: access.analystRole.arn,
    customerReaders: Object.fromEntries(Object.entries(access.customerReaderRoles).map(([c, r]) => [c, r.arn])),
};
/** Per customer: the stream its producers put records into, the role they assume (tagged customer=<id>), the delivery stream. */
export const ingestStreams = ingestion.streaming?.producerEndpoints;
export const etlJobName = ingestion.batch?.jobName;
export const fileGatewayArn = ingestion.hybrid?.gateway.arn;
export const snowballRoleArn = ingestion.bulkMigration?.snowballRoleArn;
export const glueDatabases = { raw: catalog.refs.rawDatabase, curated: catalog.refs.curatedDatabase, inventory: catalog.refs.inventoryDatabase };
export const athenaWorkgroup = athena.workgroupName;
export const athenaResultsLocation = `s3://${athena.queryAccess.resultsBucket.name}/${athena.queryAccess.resultsPrefix}`;
export const emrApplicationId = emr.application?.id;
export const emrExecutionRoleArn = emr.executionRole?.arn;
export const inventoryCheckFunction = inventoryCheck.functionName;
export const objectTaggerFunction = objectTagger?.functionName;
export const analyticsApiUrl = presentation.url;
export const opensearchEndpoint = search?.domain.endpoint;
