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
import { definedOutputs } from "./components/shared/outputs";
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
// Outputs of features the stack's config turns off are omitted, not exported as undefined (components/shared/outputs.ts).
const outputs = {
    environment: cfg.environment,
    keyAliases: Object.fromEntries(Object.entries(keys).map(([domain, ref]) => [domain, ref.aliasName])),
    keyArns: Object.fromEntries(Object.entries(keys).map(([domain, ref]) => [domain, ref.arn])),
    vpcId: net.vpcId,
    privateSubnetIds: net.privateSubnetIds,
    computeSecurityGroupId: net.computeSecurityGroup.id,
    vpnConnectionId: net.vpn?.connection.id,
    dataLakeBuckets: dataLake.buckets,
    phiBucketNames: dataLake.phiBucketNames,
    accessLogBucketName: dataLake.accessLogs.name,
    inventoryBucketName: dataLake.inventory.name,
    databaseEndpoint: database?.endpoint,
    databaseMasterSecretArn: database?.masterUserSecretArn,
    warehouseEndpoint: warehouse?.endpoint,
    warehouseAdminSecretArn: warehouse?.adminSecretArn,
    metadataTableName: metadata?.tableName,
    cacheEndpoint: cache?.endpoint,
    cacheIamUser: cache?.appUserName,
    fileSystemId: files?.fileSystemId,
    backupVaultName: backup.vaultName,
    auditTrailArn: audit.trailArn,
    auditBucketName: audit.bucketName,
    alertTopicArn: monitoring.topicArn,
    macieJobName: macie.jobName,
    macieResultsBucketName: macie.resultsBucket.bucketName,
    guardDutyDetectorId: guardrails.detector?.id,
    configRecorderName: compliance?.recorder ? compliance.names.recorderName : undefined,
    conformancePackName: compliance?.conformancePack ? compliance.names.conformancePackName : undefined,
    securityHubStandards: compliance?.standards.map((s) => s.standardsArn),
    roleArns: {
        dataEngineer: access.dataEngineerRole.arn,
        analyst: access.analystRole.arn,
        customerReaders: Object.fromEntries(Object.entries(access.customerReaderRoles).map(([c, r]) => [c, r.arn])),
    },
    /** Per customer: the stream its producers put records into, the role they assume (tagged customer=<id>), the delivery stream. */
    ingestStreams: ingestion.streaming?.producerEndpoints,
    etlJobName: ingestion.batch?.jobName,
    fileGatewayArn: ingestion.hybrid?.gateway.arn,
    snowballRoleArn: ingestion.bulkMigration?.snowballRoleArn,
    glueDatabases: { raw: catalog.refs.rawDatabase, curated: catalog.refs.curatedDatabase, inventory: catalog.refs.inventoryDatabase },
    athenaWorkgroup: athena.workgroupName,
    athenaResultsLocation: `s3://${athena.queryAccess.resultsBucket.name}/${athena.queryAccess.resultsPrefix}`,
    emrApplicationId: emr.application?.id,
    emrExecutionRoleArn: emr.executionRole?.arn,
    inventoryCheckFunction: inventoryCheck.functionName,
    objectTaggerFunction: objectTagger?.functionName,
    analyticsApiUrl: presentation.url,
    opensearchEndpoint: search?.domain.endpoint,
};
export = definedOutputs(outputs);
