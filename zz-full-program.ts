// TEMPORARY (analytics engineer): the full composition of every wire-*.md, to run the offline engine. Deleted after use.
import { readPlatformConfig, DATA_ZONES } from "./components/shared/config";
import { createPlatformProvider } from "./components/shared/provider";
import { standardTags } from "./components/shared/tags";
import { PlatformContext } from "./components/shared/refs";
import { PlatformKeys } from "./components/security/keys";
import { DEFAULT_COMPUTE_TLS_PORTS, Network } from "./components/network/network";
import { AuditTrail } from "./components/security/audit";
import { SecurityMonitoring } from "./components/security/monitoring";
import { MacieDiscovery } from "./components/security/macie";
import { Cache, VALKEY_SERVERLESS_READER_PORT } from "./components/storage/cache";
import { DataLake } from "./components/storage/data-lake";
import { Ingestion } from "./components/ingestion/ingestion";
import { AnalyticsCatalog } from "./components/analytics/catalog";
import { AthenaWorkspace } from "./components/analytics/athena";
import { EmrProcessing } from "./components/analytics/emr";
import { AnalyticsFunction } from "./components/analytics/analytics-function";
import { PresentationApi } from "./components/analytics/presentation";

const cfg = readPlatformConfig();
const provider = createPlatformProvider("aws", {
    naming: cfg.naming,
    defaultTags: standardTags({ environment: cfg.environment, dataClassification: "phi", owner: cfg.owner, costCenter: cfg.costCenter }),
});
const context: PlatformContext = { naming: cfg.naming, protect: cfg.protect, logRetentionDays: cfg.logging.retentionDays };
const opts = { providers: { aws: provider } };
const platformKeys = new PlatformKeys("keys", { context, deletionWindowInDays: cfg.security.kmsDeletionWindowDays, administratorArns: cfg.security.keyAdministratorArns }, opts);
const keys = platformKeys.refs;
const st = cfg.storage;
const serverlessCache = st.elasticache.enabled && st.elasticache.mode === "serverless";
const net = new Network("network", { context, network: cfg.network, logsKey: keys.logs, computeTlsPorts: [...DEFAULT_COMPUTE_TLS_PORTS, ...(serverlessCache ? [VALKEY_SERVERLESS_READER_PORT] : [])] }, opts);
const network = net.refs;
const dataLake = new DataLake("data-lake", { context, keys, config: cfg.dataLake, assetsBucket: cfg.ingestion.batch.enabled }, opts);
const cache = st.elasticache.enabled ? new Cache("cache", { context, keys, network, settings: st.elasticache }, opts) : undefined;
const afterLogBuckets = { ...opts, dependsOn: [dataLake.secureBuckets.accessLogs, dataLake.secureBuckets.inventory] };
const audit = new AuditTrail("audit", { context, logsKey: keys.logs, auditRetentionDays: cfg.logging.auditRetentionDays, objectLock: cfg.dataLake.objectLock, lifecycle: cfg.dataLake.lifecycle.logs, accessLogBucketName: dataLake.accessLogs.name, inventoryBucketName: dataLake.inventory.name, phiBucketNames: dataLake.phiBucketNames }, afterLogBuckets);
const monitoring = new SecurityMonitoring("monitoring", { context, logsKey: keys.logs, alertEmails: cfg.alertEmails, trailLogGroupName: audit.logGroupName, macieMinimumSeverity: cfg.security.macie.alertMinimumSeverity }, opts);
const macie = new MacieDiscovery("macie", { context, dataLakeKey: keys.dataLake, macie: cfg.security.macie, lifecycle: cfg.dataLake.lifecycle.logs, accessLogBucketName: dataLake.accessLogs.name, inventoryBucketName: dataLake.inventory.name }, afterLogBuckets);
const ingestion = new Ingestion("ingest", { context, config: cfg.ingestion, keys, network, buckets: { landing: dataLake.buckets.landing, raw: dataLake.buckets.raw, import: dataLake.buckets.import, glueAssets: dataLake.assets }, auditLogRetentionDays: cfg.logging.auditRetentionDays }, { ...opts, dependsOn: [dataLake] });

// ---- analytics, exactly as wire-analytics.md ----
const afterLake = { ...opts, dependsOn: [dataLake] };
const catalog = new AnalyticsCatalog("analytics-catalog", {
    context,
    keys,
    rawBucket: dataLake.buckets.raw,
    curatedBucket: dataLake.buckets.curated,
    inventory: {
        bucket: dataLake.inventory,
        sources: [
            ...DATA_ZONES.map((zone) => ({ zone, bucket: dataLake.buckets[zone], infrequentAccessDays: cfg.dataLake.lifecycle[zone].infrequentAccessDays })),
            // S3 server access logs can only be delivered to SSE-S3: the inventory check expects SSE-S3 there.
            { zone: "access-logs", bucket: dataLake.accessLogs, infrequentAccessDays: cfg.dataLake.lifecycle.logs.infrequentAccessDays, encryption: "SSE-S3" as const },
            ...(dataLake.assets ? [{ zone: "assets", bucket: dataLake.assets, infrequentAccessDays: cfg.dataLake.lifecycle.landing.infrequentAccessDays }] : []),
            { zone: "audit", bucket: { name: audit.bucket.bucketName, arn: audit.bucket.bucketArn }, infrequentAccessDays: cfg.dataLake.lifecycle.logs.infrequentAccessDays },
            { zone: "macie-results", bucket: { name: macie.resultsBucket.bucketName, arn: macie.resultsBucket.bucketArn }, infrequentAccessDays: cfg.dataLake.lifecycle.logs.infrequentAccessDays },
        ],
    },
    securityConfigurationName: ingestion.batch?.securityConfigurationName,
}, { ...opts, dependsOn: [dataLake, ingestion] });
const athena = new AthenaWorkspace("analytics-athena", { context, keys, bytesScannedCutoffPerQuery: cfg.analytics.athenaBytesScannedCutoff, resultsBucket: dataLake.buckets.results, catalog: catalog.refs }, afterLake);
const emr = new EmrProcessing("analytics-emr", { context, keys, network, settings: cfg.analytics.emr, catalog: catalog.refs, logs: { bucket: dataLake.buckets.results, prefix: "emr-logs/" } }, afterLake);
const inventoryCheck = new AnalyticsFunction("analytics-inventory-check", { context, keys, network, settings: cfg.analytics.lambda, role: "inventory-check", workload: { kind: "inventory-check" }, athena: athena.queryAccess, alarmTopicArn: monitoring.topicArn }, opts);
const presentation = new PresentationApi("analytics-presentation", {
    context,
    keys,
    network,
    settings: cfg.analytics,
    athena: athena.queryAccess,
    cache: cache ? { endpoint: cache.endpoint, port: cache.port, iamAuth: { cacheName: cache.cacheName, userId: cache.appUserName, serverless: cfg.storage.elasticache.mode === "serverless" } } : undefined,
    alarmTopicArn: monitoring.topicArn,
    auditLogRetentionDays: cfg.logging.auditRetentionDays,
}, opts);
export const athenaWorkgroup = athena.workgroupName;
export const emrApplicationId = emr.application?.id;
export const inventoryCheckFunction = inventoryCheck.functionName;
export const analyticsApiUrl = presentation.url;
