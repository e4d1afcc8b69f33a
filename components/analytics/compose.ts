/**
 * The analytics area as the stack's config asks for it: the catalog over the lake, Athena, EMR, the inventory check
 * and the presentation layer (API, OpenSearch, QuickSight). `index.ts` calls it; the analytics specs call the same function.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Ingestion } from "../ingestion/ingestion";
import type { Security } from "../security/compose";
import { PlatformConfig } from "../shared/config";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import type { Storage } from "../storage/compose";
import { DATA_ZONES } from "../storage/settings";
import { AnalyticsFunction, CacheRef } from "./analytics-function";
import { AthenaQueryAccess, AthenaWorkspace } from "./athena";
import { AnalyticsCatalog } from "./catalog";
import { EmrProcessing } from "./emr";
import { OpenSearchDomain } from "./opensearch";
import { PresentationApi } from "./presentation";
import { QuickSightDataSource } from "./quicksight";

export interface AnalyticsDeps {
    context: PlatformContext;
    keys: PlatformKeyRefs;
    network: NetworkRefs;
    storage: Pick<Storage, "dataLake" | "cache">;
    /** The audit and Macie results buckets (inventoried) and the alert topic (function alarms). */
    security: Pick<Security, "audit" | "macie" | "monitoring">;
    /** Batch ETL's Glue security configuration, which the crawlers reuse. */
    ingestion: Ingestion;
    opts?: pulumi.ComponentResourceOptions;
}

export interface Analytics {
    catalog: AnalyticsCatalog;
    athena: AthenaWorkspace;
    emr: EmrProcessing;
    inventoryCheck: AnalyticsFunction;
    presentation: PresentationApi;
    /** When `opensearchEnabled`. */
    search?: OpenSearchDomain;
    /** When `quicksightEnabled`. */
    quicksight?: QuickSightDataSource;
}

export function composeAnalytics(cfg: PlatformConfig, deps: AnalyticsDeps): Analytics {
    const { context, keys, network, opts } = deps;
    const { dataLake, cache } = deps.storage;
    const { audit, macie, monitoring } = deps.security;
    const lifecycle = cfg.dataLake.lifecycle;
    const afterLake: pulumi.ComponentResourceOptions = { ...opts, dependsOn: [dataLake] };
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
                    ...DATA_ZONES.map((zone) => ({ zone, bucket: dataLake.buckets[zone], infrequentAccessDays: lifecycle[zone].infrequentAccessDays })),
                    // S3 delivers server access logs only to SSE-S3 buckets: the inventory check expects SSE-S3 there.
                    { zone: "access-logs", bucket: dataLake.accessLogs, infrequentAccessDays: lifecycle.logs.infrequentAccessDays, encryption: "SSE-S3" as const },
                    ...(dataLake.assets ? [{ zone: "assets", bucket: dataLake.assets, infrequentAccessDays: lifecycle.landing.infrequentAccessDays }] : []),
                    { zone: "audit", bucket: { name: audit.bucket.bucketName, arn: audit.bucket.bucketArn }, infrequentAccessDays: lifecycle.logs.infrequentAccessDays },
                    { zone: "macie-results", bucket: { name: macie.resultsBucket.bucketName, arn: macie.resultsBucket.bucketArn }, infrequentAccessDays: lifecycle.logs.infrequentAccessDays },
                ],
            },
            securityConfigurationName: deps.ingestion.batch?.securityConfigurationName,
        },
        { ...opts, dependsOn: [dataLake, deps.ingestion] },
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
    const { presentation, search, quicksight } = composePresentation(cfg, {
        context,
        keys,
        network,
        athena: athena.queryAccess,
        cache: cache
            ? {
                  endpoint: cache.endpoint,
                  port: cache.port,
                  iamAuth: { cacheName: cache.cacheName, userId: cache.appUserName, serverless: cfg.storage.elasticache.mode === "serverless" },
              }
            : undefined,
        alarmTopicArn: monitoring.topicArn,
        opts,
    });
    return { catalog, athena, emr, inventoryCheck, presentation, search, quicksight };
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
