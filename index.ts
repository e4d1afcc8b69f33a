/**
 * healthcare-data-platform: composes the area components for one stack. Reads config, builds, exports.
 * Order follows the data: keys and network first, then the lake and the stores, then the paths into and out of them.
 */
import * as pulumi from "@pulumi/pulumi";
import { AnalyticsFunction } from "./components/analytics/analytics-function";
import { AthenaWorkspace } from "./components/analytics/athena";
import { AnalyticsCatalog } from "./components/analytics/catalog";
import { EmrProcessing } from "./components/analytics/emr";
import { PresentationApi } from "./components/analytics/presentation";
import { Ingestion } from "./components/ingestion/ingestion";
import { DEFAULT_COMPUTE_TLS_PORTS, Network } from "./components/network/network";
import { AccessRoles } from "./components/security/access";
import { AuditTrail } from "./components/security/audit";
import { ComplianceMonitoring, complianceNames, CONFIG_DELIVERY_PREFIX } from "./components/security/compliance-monitoring";
import { AccountGuardrails } from "./components/security/guardrails";
import { PlatformKeys } from "./components/security/keys";
import { MacieDiscovery } from "./components/security/macie";
import { SecurityMonitoring } from "./components/security/monitoring";
import { readPlatformConfig } from "./components/shared/config";
import { DATA_ZONES } from "./components/storage/settings";
import { createPlatformProvider } from "./components/shared/provider";
import { PlatformContext } from "./components/shared/refs";
import { standardTags } from "./components/shared/tags";
import { VALKEY_SERVERLESS_READER_PORT } from "./components/storage/cache";
import { composeStorage } from "./components/storage/compose";

const cfg = readPlatformConfig();

const provider = createPlatformProvider("aws", {
    naming: cfg.naming,
    defaultTags: standardTags({ environment: cfg.environment, dataClassification: "phi", owner: cfg.owner, costCenter: cfg.costCenter }),
});
const opts: pulumi.ComponentResourceOptions = { providers: { aws: provider } };
const context: PlatformContext = { naming: cfg.naming, protect: cfg.protect, logRetentionDays: cfg.logging.retentionDays };
const st = cfg.storage;

// --- Security baseline and network ---
const platformKeys = new PlatformKeys(
    "keys",
    { context, deletionWindowInDays: cfg.security.kmsDeletionWindowDays, administratorArns: cfg.security.keyAdministratorArns },
    opts,
);
const keys = platformKeys.refs;

// A serverless Valkey cache also serves replica reads on 6380: compute egress must reach it.
const serverlessCache = st.elasticache.enabled && st.elasticache.mode === "serverless";
const net = new Network(
    "network",
    {
        context,
        network: cfg.network,
        logsKey: keys.logs,
        computeTlsPorts: [...DEFAULT_COMPUTE_TLS_PORTS, ...(serverlessCache ? [VALKEY_SERVERLESS_READER_PORT] : [])],
    },
    opts,
);
const network = net.refs;

const guardrails = new AccountGuardrails("guardrails", { context, databasesKey: keys.databases, guardDutyEnabled: cfg.security.guardDutyEnabled }, opts);

// --- Storage ---
// Each store exists only when its config boolean says so (components/storage/compose.ts).
const storage = composeStorage(cfg, { context, keys, network, opts });
const dataLake = storage.dataLake;
// Buckets are referenced by deterministic name (known at preview), so consumers wait for them explicitly:
// S3 refuses a logging target or inventory destination that does not exist yet.
const afterLogBuckets: pulumi.ComponentResourceOptions = { ...opts, dependsOn: [dataLake.secureBuckets.accessLogs, dataLake.secureBuckets.inventory] };
const afterLake: pulumi.ComponentResourceOptions = { ...opts, dependsOn: [dataLake] };

const { database, warehouse, metadata, cache, files, backup } = storage;

// --- Audit, monitoring, PHI discovery, detective controls, access ---
// The detective controls deliver into the audit bucket and alert through the monitoring topic: both policies
// admit them by deterministic name, known before ComplianceMonitoring exists.
const compliance = cfg.security.compliance;
const complianceRuleNames = compliance.enabled ? Object.values(complianceNames(cfg.naming, "compliance").ruleNames) : [];
const configDelivers = compliance.enabled && !compliance.config.managedByDelegatedAdministrator;
const audit = new AuditTrail(
    "audit",
    {
        context,
        logsKey: keys.logs,
        auditRetentionDays: cfg.logging.auditRetentionDays,
        objectLock: cfg.dataLake.objectLock,
        lifecycle: cfg.dataLake.lifecycle.logs,
        accessLogBucketName: dataLake.accessLogs.name,
        inventoryBucketName: dataLake.inventory.name,
        phiBucketNames: dataLake.phiBucketNames,
        configDeliveryPrefix: configDelivers ? CONFIG_DELIVERY_PREFIX : undefined,
    },
    afterLogBuckets,
);
const monitoring = new SecurityMonitoring(
    "monitoring",
    {
        context,
        logsKey: keys.logs,
        alertEmails: cfg.alertEmails,
        trailLogGroupName: audit.logGroupName,
        macieMinimumSeverity: cfg.security.macie.alertMinimumSeverity,
        externalRuleNames: complianceRuleNames,
    },
    opts,
);
// PutDeliveryChannel checks the audit bucket policy and key; the rules' targets need the topic policy.
const complianceMonitoring = compliance.enabled
    ? new ComplianceMonitoring(
          "compliance",
          {
              context,
              settings: compliance,
              logsKey: keys.logs,
              auditBucketName: audit.bucketName,
              alertTopicArn: monitoring.topicArn,
              logRetentionDays: cfg.logging.retentionDays,
              backupRetentionDays: cfg.storage.backup.retentionDays,
          },
          { ...opts, dependsOn: [audit, monitoring] },
      )
    : undefined;
const macie = new MacieDiscovery(
    "macie",
    {
        context,
        dataLakeKey: keys.dataLake,
        macie: cfg.security.macie,
        lifecycle: cfg.dataLake.lifecycle.logs,
        accessLogBucketName: dataLake.accessLogs.name,
        inventoryBucketName: dataLake.inventory.name,
    },
    afterLogBuckets,
);
const access = new AccessRoles(
    "access",
    {
        context,
        customers: cfg.customers,
        zones: dataLake.buckets,
        dataLakeKey: keys.dataLake,
        trustedPrincipalArns: cfg.security.access.trustedPrincipalArns.length > 0 ? cfg.security.access.trustedPrincipalArns : undefined,
        requireMfa: cfg.security.access.requireMfa,
    },
    opts,
);

// --- Ingestion ---
const ingestion = new Ingestion(
    "ingest",
    {
        context,
        config: cfg.ingestion,
        keys,
        network,
        buckets: { landing: dataLake.buckets.landing, raw: dataLake.buckets.raw, import: dataLake.buckets.import, glueAssets: dataLake.assets },
        // File-access audit logs are audit evidence (164.316(b)(2)).
        auditLogRetentionDays: cfg.logging.auditRetentionDays,
    },
    afterLake,
);

// --- Analytics ---
const catalog = new AnalyticsCatalog(
    "analytics-catalog",
    {
        context,
        keys,
        rawBucket: dataLake.buckets.raw,
        curatedBucket: dataLake.buckets.curated,
        // Every bucket with an S3 inventory configuration, with the IA transition its lifecycle promises.
        inventory: {
            bucket: dataLake.inventory,
            sources: [
                ...DATA_ZONES.map((zone) => ({ zone, bucket: dataLake.buckets[zone], infrequentAccessDays: cfg.dataLake.lifecycle[zone].infrequentAccessDays })),
                // S3 delivers server access logs only to SSE-S3 buckets: the inventory check expects SSE-S3 there.
                { zone: "access-logs", bucket: dataLake.accessLogs, infrequentAccessDays: cfg.dataLake.lifecycle.logs.infrequentAccessDays, encryption: "SSE-S3" as const },
                ...(dataLake.assets ? [{ zone: "assets", bucket: dataLake.assets, infrequentAccessDays: cfg.dataLake.lifecycle.landing.infrequentAccessDays }] : []),
                { zone: "audit", bucket: { name: audit.bucket.bucketName, arn: audit.bucket.bucketArn }, infrequentAccessDays: cfg.dataLake.lifecycle.logs.infrequentAccessDays },
                { zone: "macie-results", bucket: { name: macie.resultsBucket.bucketName, arn: macie.resultsBucket.bucketArn }, infrequentAccessDays: cfg.dataLake.lifecycle.logs.infrequentAccessDays },
            ],
        },
        securityConfigurationName: ingestion.batch?.securityConfigurationName,
    },
    { ...opts, dependsOn: [dataLake, ingestion] },
);
const athena = new AthenaWorkspace(
    "analytics-athena",
    { context, keys, bytesScannedCutoffPerQuery: cfg.analytics.athenaBytesScannedCutoff, resultsBucket: dataLake.buckets.results, catalog: catalog.refs },
    afterLake,
);
const emr = new EmrProcessing(
    "analytics-emr",
    { context, keys, network, settings: cfg.analytics.emr, catalog: catalog.refs, logs: { bucket: dataLake.buckets.results, prefix: "emr-logs/" } },
    afterLake,
);
const inventoryCheck = new AnalyticsFunction(
    "analytics-inventory-check",
    {
        context,
        keys,
        network,
        settings: cfg.analytics.lambda,
        role: "inventory-check",
        workload: { kind: "inventory-check" },
        athena: athena.queryAccess,
        alarmTopicArn: monitoring.topicArn,
    },
    opts,
);
const presentation = new PresentationApi(
    "analytics-presentation",
    {
        context,
        keys,
        network,
        settings: cfg.analytics,
        athena: athena.queryAccess,
        cache: cache
            ? {
                  endpoint: cache.endpoint,
                  port: cache.port,
                  iamAuth: { cacheName: cache.cacheName, userId: cache.appUserName, serverless: st.elasticache.mode === "serverless" },
              }
            : undefined,
        alarmTopicArn: monitoring.topicArn,
        // API access logs and OpenSearch audit logs are audit evidence (164.316(b)(2)).
        auditLogRetentionDays: cfg.logging.auditRetentionDays,
    },
    opts,
);

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
export const configRecorderName = complianceMonitoring?.recorder ? complianceMonitoring.names.recorderName : undefined;
export const conformancePackName = complianceMonitoring?.conformancePack ? complianceMonitoring.names.conformancePackName : undefined;
export const securityHubStandards = complianceMonitoring?.standards.map((s) => s.standardsArn);
export const roleArns = {
    dataEngineer: access.dataEngineerRole.arn,
    analyst: access.analystRole.arn,
    customerReaders: Object.fromEntries(Object.entries(access.customerReaderRoles).map(([c, r]) => [c, r.arn])),
};
export const ingestStreamName = ingestion.streaming?.streamName;
export const ingestProducerRoleArn = ingestion.streaming?.producerRoleArn;
export const ingestDeliveryStreamName = ingestion.streaming?.deliveryStreamName;
export const etlJobName = ingestion.batch?.jobName;
export const fileGatewayArn = ingestion.hybrid?.gateway.arn;
export const snowballRoleArn = ingestion.bulkMigration?.snowballRoleArn;
export const glueDatabases = { raw: catalog.refs.rawDatabase, curated: catalog.refs.curatedDatabase, inventory: catalog.refs.inventoryDatabase };
export const athenaWorkgroup = athena.workgroupName;
export const athenaResultsLocation = `s3://${athena.queryAccess.resultsBucket.name}/${athena.queryAccess.resultsPrefix}`;
export const emrApplicationId = emr.application?.id;
export const emrExecutionRoleArn = emr.executionRole?.arn;
export const inventoryCheckFunction = inventoryCheck.functionName;
export const analyticsApiUrl = presentation.url;
export const opensearchEndpoint = presentation.domain?.endpoint;
