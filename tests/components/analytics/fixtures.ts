/**
 * Shared arguments of the analytics specs: bucket references built with the naming helpers (as the storage
 * area names them), the real stack config, fake keys and network from tests/support.
 */
import { PlatformConfig } from "../../../components/shared/config";
import { bucketArn, bucketName } from "../../../components/shared/naming";
import { BucketRef } from "../../../components/shared/refs";
import { AnalyticsCatalogArgs, InventoryTableArgs } from "../../../components/analytics/catalog";
import { contextOf, fakeKeys, fakeNetwork } from "../../support/platform";

export function bucketRef(cfg: PlatformConfig, purpose: string): BucketRef {
    const name = bucketName(cfg.naming, purpose);
    return { name, arn: bucketArn(cfg.naming, name) };
}

export const LAKE_ZONES = ["landing", "raw", "curated", "results", "import"] as const;

export function inventoryArgs(cfg: PlatformConfig, overrides: Partial<InventoryTableArgs> = {}): InventoryTableArgs {
    return {
        bucket: bucketRef(cfg, "inventory"),
        sources: LAKE_ZONES.map((zone) => ({ zone, bucket: bucketRef(cfg, zone), infrequentAccessDays: cfg.dataLake.lifecycle[zone].infrequentAccessDays })),
        ...overrides,
    };
}

export function catalogArgs(cfg: PlatformConfig, overrides: Partial<AnalyticsCatalogArgs> = {}): AnalyticsCatalogArgs {
    return {
        context: contextOf(cfg),
        keys: fakeKeys(cfg),
        rawBucket: bucketRef(cfg, "raw"),
        curatedBucket: bucketRef(cfg, "curated"),
        inventory: inventoryArgs(cfg),
        ...overrides,
    };
}

export { contextOf, fakeKeys, fakeNetwork };

import * as aws from "@pulumi/aws";
import { platformConfig, stackConfigMap } from "../../support/platform";
import { Mode, recordProgram, Recording } from "../../../tools/offline/recorder";
import { PlatformKeyRefs } from "../../../components/shared/refs";
import { CacheRef } from "../../../components/analytics/analytics-function";
import { composeAnalytics } from "../../../components/analytics/compose";

export const ALERT_TOPIC = (cfg: PlatformConfig) => `arn:${cfg.naming.partition}:sns:${cfg.naming.region}:${cfg.naming.accountId}:${cfg.naming.prefix}-${cfg.environment}-alerts`;

export interface AnalyticsRecordOptions {
    stack: "dev" | "prod";
    mode: Mode;
    /** Config overrides (bare project keys). */
    overrides?: Record<string, unknown>;
    /** Create real KMS keys in the program, so their ARNs are unknown in preview (as in the full program). */
    realKeys?: boolean;
    cache?: CacheRef;
    /** Wire an alert topic into the functions' alarms. @default true */
    alarms?: boolean;
}

/** Keys created in the program (unknown ARNs at preview), with the aliases the Keys component uses. */
export function programKeys(cfg: PlatformConfig): PlatformKeyRefs {
    const fake = fakeKeys(cfg);
    const real = (domain: keyof PlatformKeyRefs) => ({ arn: new aws.kms.Key(`key-${domain}`, { enableKeyRotation: true }).arn, aliasName: fake[domain].aliasName });
    return { dataLake: real("dataLake"), databases: real("databases"), streaming: real("streaming"), logs: real("logs"), secrets: real("secrets"), backup: real("backup") };
}

/** Records the analytics area through `composeAnalytics`, the function index.ts calls, over named bucket references. */
export async function recordAnalytics(opts: AnalyticsRecordOptions): Promise<{ cfg: PlatformConfig; rec: Recording }> {
    const cfg = platformConfig(opts.stack, opts.overrides ?? {});
    const rec = await recordProgram(
        async () => {
            composeAnalytics(cfg, {
                context: contextOf(cfg),
                keys: opts.realKeys ? programKeys(cfg) : fakeKeys(cfg),
                network: fakeNetwork(cfg),
                lake: {
                    buckets: Object.fromEntries(LAKE_ZONES.map((zone) => [zone, bucketRef(cfg, zone)])) as Record<(typeof LAKE_ZONES)[number], BucketRef>,
                    accessLogs: bucketRef(cfg, "access-logs"),
                    inventory: bucketRef(cfg, "inventory"),
                    assets: cfg.ingestion.batch.enabled ? bucketRef(cfg, "assets") : undefined,
                },
                evidenceBuckets: { audit: bucketRef(cfg, "audit"), macieResults: bucketRef(cfg, "macie-results") },
                cache: opts.cache,
                alarmTopicArn: opts.alarms === false ? undefined : ALERT_TOPIC(cfg),
            });
        },
        { mode: opts.mode, config: stackConfigMap(opts.stack, opts.overrides ?? {}), stack: opts.stack },
    );
    return { cfg, rec };
}

/** The "enable IAM policies" statement the Keys component puts in every key policy (KMS needs a key policy to allow). */
export function rootDelegationKeyPolicy(cfg: PlatformConfig): unknown {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "EnableIamPoliciesOfThisAccount", Effect: "Allow", Principal: { AWS: `arn:${cfg.naming.partition}:iam::${cfg.naming.accountId}:root` }, Action: "kms:*", Resource: "*" }],
    };
}
