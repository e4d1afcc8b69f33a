/**
 * The analytics area as the stack's config asks for it: the catalog over the lake, Athena, EMR, the inventory check
 * and the presentation layer (API, OpenSearch, QuickSight). `index.ts` calls it; the analytics specs call the same
 * function.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../shared/config";
import { BucketRef, NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { Cache } from "../storage/cache";
import { DATA_ZONES, DataZone } from "../storage/settings";
import { AnalyticsFunction, CacheRef } from "./analytics-function";
import { AthenaQueryAccess, AthenaWorkspace } from "./athena";
import { AnalyticsCatalog } from "./catalog";
import { EmrProcessing } from "./emr";
import { OpenSearchDomain } from "./opensearch";
import { PresentationApi } from "./presentation";
import { QuickSightDataSource } from "./quicksight";

/** What analytics uses of the other areas: references only, so a spec can pass its own. */
export interface AnalyticsDeps {
    context: PlatformContext;
    keys: PlatformKeyRefs;
    network: NetworkRefs;
    /** The data lake's buckets (`DataLake`). */
    lake: { buckets: Readonly<Record<DataZone, BucketRef>>; accessLogs: BucketRef; inventory: BucketRef; assets?: BucketRef };
    /** Audit evidence buckets that S3 inventories too: the trail's bucket and Macie's results bucket. */
    evidenceBuckets: { audit: BucketRef; macieResults: BucketRef };
    /** The cache the presentation functions read through (IAM authentication), when the stack has one. */
    cache?: Cache | CacheRef;
    /** Alert topic of the functions' alarms (`SecurityMonitoring`). */
    alarmTopicArn?: pulumi.Input<string>;
    /** Batch ETL's Glue security configuration, which the crawlers reuse. */
    glueSecurityConfigurationName?: string;
    /**
     * What to wait for: the lake's buckets are named, not referenced, so the catalog, Athena and EMR depend on the
     * lake explicitly; the catalog also on ingestion (its security configuration).
     */
    waitFor?: { lake?: pulumi.Resource; ingestion?: pulumi.Resource };
    opts?: pulumi.ComponentResourceOptions;
}

export interface Analytics {
    catalog: AnalyticsCatalog;
    athena: AthenaWorkspace;
    emr: EmrProcessing;
    inventoryCheck: AnalyticsFunction;
    /** Tags new lake objects with the customer their key names; undefined without customers. */
    objectTagger?: AnalyticsFunction;
    presentation: PresentationApi;
    /** When `opensearchEnabled`. */
    search?: OpenSearchDomain;
    /** When `quicksightEnabled`. */
    quicksight?: QuickSightDataSource;
}

export function composeAnalytics(cfg: PlatformConfig, deps: AnalyticsDeps): Analytics {
    const { context, keys, network, lake, evidenceBuckets, opts } = deps;
    const lifecycle = cfg.dataLake.lifecycle;
    const waitLake = deps.waitFor?.lake ? [deps.waitFor.lake] : [];
    const afterLake: pulumi.ComponentResourceOptions = waitLake.length > 0 ? { ...opts, dependsOn: waitLake } : { ...opts };
    const catalogWait = [...waitLake, ...(deps.waitFor?.ingestion ? [deps.waitFor.ingestion] : [])];
    const cache: CacheRef | undefined =
        deps.cache instanceof Cache
            ? {
                  endpoint: deps.cache.endpoint,
                  port: deps.cache.port,
                  // The functions sign in as the cache's IAM-authenticated user (no password anywhere).
                  iamAuth: { cacheName: deps.cache.cacheName, userId: deps.cache.appUserName, serverless: cfg.storage.elasticache.mode === "serverless" },
              }
            : deps.cache;
    const catalog = new AnalyticsCatalog(
        "analytics-catalog",
        {
            context,
            keys,
            rawBucket: lake.buckets.raw,
            curatedBucket: lake.buckets.curated,
            // Every bucket with an S3 inventory configuration, with the IA transition its lifecycle promises.
            inventory: {
                bucket: lake.inventory,
                sources: [
                    ...DATA_ZONES.map((zone) => ({ zone, bucket: lake.buckets[zone], infrequentAccessDays: lifecycle[zone].infrequentAccessDays })),
                    // S3 delivers server access logs only to SSE-S3 buckets: the inventory check expects SSE-S3 there.
                    { zone: "access-logs", bucket: lake.accessLogs, infrequentAccessDays: lifecycle.logs.infrequentAccessDays, encryption: "SSE-S3" as const },
                    ...(lake.assets ? [{ zone: "assets", bucket: lake.assets, infrequentAccessDays: lifecycle.landing.infrequentAccessDays }] : []),
                    { zone: "audit", bucket: evidenceBuckets.audit, infrequentAccessDays: lifecycle.logs.infrequentAccessDays },
                    { zone: "macie-results", bucket: evidenceBuckets.macieResults, infrequentAccessDays: lifecycle.logs.infrequentAccessDays },
                ],
            },
            securityConfigurationName: deps.glueSecurityConfigurationName,
        },
        catalogWait.length > 0 ? { ...opts, dependsOn: catalogWait } : { ...opts },
    );
    const athena = new AthenaWorkspace(
        "analytics-athena",
        { context, keys, bytesScannedCutoffPerQuery: cfg.analytics.athenaBytesScannedCutoff, resultsBucket: lake.buckets.results, catalog: catalog.refs },
        afterLake,
    );
    const emr = new EmrProcessing(
        "analytics-emr",
        { context, keys, network, settings: cfg.analytics.emr, catalog: catalog.refs, logs: { bucket: lake.buckets.results, prefix: "emr-logs/" } },
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
            alarmTopicArn: deps.alarmTopicArn,
        },
        opts,
    );
    const { presentation, search, quicksight } = composePresentation(cfg, {
        context,
        keys,
        network,
        athena: athena.queryAccess,
        cache,
        alarmTopicArn: deps.alarmTopicArn,
        opts,
    });
    // Customer readers read only objects tagged with their customer (AccessRoles). Firehose, Glue, EMR, the file gateway
    // and Snowball cannot tag what they write: the tagger tags every new object under a customer prefix of the lake.
    const objectTagger =
        cfg.customers.length > 0
            ? new AnalyticsFunction(
                  "analytics-object-tagger",
                  {
                      context,
                      keys,
                      network,
                      settings: cfg.analytics.lambda,
                      role: "object-tagger",
                      workload: { kind: "object-tagger", buckets: DATA_ZONES.map((zone) => lake.buckets[zone]), customers: cfg.customers },
                      alarmTopicArn: deps.alarmTopicArn,
                  },
                  afterLake,
              )
            : undefined;
    return { catalog, athena, emr, inventoryCheck, objectTagger, presentation, search, quicksight };
}

export interface PresentationDeps {
    context: PlatformContext;
    keys: PlatformKeyRefs;
    network: NetworkRefs;
    athena: AthenaQueryAccess;
    /** The ElastiCache store the query API caches results in, when the storage area has one. */
    cache?: CacheRef;
    alarmTopicArn?: pulumi.Input<string>;
    opts?: pulumi.ComponentResourceOptions;
}

export interface Presentation {
    presentation: PresentationApi;
    /** When `opensearchEnabled`. */
    search?: OpenSearchDomain;
    /** When `quicksightEnabled`. */
    quicksight?: QuickSightDataSource;
}

/** How results reach users: the query API, and OpenSearch and QuickSight when config turns them on. */
export function composePresentation(cfg: PlatformConfig, deps: PresentationDeps): Presentation {
    const { context, keys, network, opts } = deps;
    const presentation = new PresentationApi(
        "analytics-presentation",
        {
            context,
            keys,
            network,
            settings: cfg.analytics,
            athena: deps.athena,
            cache: deps.cache,
            alarmTopicArn: deps.alarmTopicArn,
            // API access logs are audit evidence (164.316(b)(2)).
            auditLogRetentionDays: cfg.logging.auditRetentionDays,
        },
        opts,
    );
    // Search and BI were part of PresentationApi until they got components of their own: their children keep their
    // state through aliases to the URNs they had under it (formerOwner).
    const formerOwner = { component: presentation, name: "analytics-presentation" };
    const search = cfg.analytics.opensearch.enabled
        ? new OpenSearchDomain(
              "analytics-search",
              {
                  context,
                  keys,
                  network,
                  settings: cfg.analytics.opensearch,
                  // OpenSearch audit logs are audit evidence (164.316(b)(2)).
                  auditLogRetentionDays: cfg.logging.auditRetentionDays,
                  admins: cfg.security.access,
                  formerOwner,
              },
              opts,
          )
        : undefined;
    const quicksight = cfg.analytics.quicksight.enabled
        ? new QuickSightDataSource("analytics-quicksight", { context, keys, athena: deps.athena, formerOwner }, opts)
        : undefined;
    return { presentation, search, quicksight };
}
