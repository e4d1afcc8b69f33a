/**
 * The ingestion area as the stack's config asks for it: every path into the lake, each on or off by its plain config
 * boolean (see ./ingestion.ts). `index.ts` calls it; the ingestion specs call the same function.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../shared/config";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import type { Storage } from "../storage/compose";
import { Ingestion } from "./ingestion";

export interface IngestionDeps {
    context: PlatformContext;
    keys: PlatformKeyRefs;
    network: NetworkRefs;
    dataLake: Storage["dataLake"];
    opts?: pulumi.ComponentResourceOptions;
}

export function composeIngestion(cfg: PlatformConfig, deps: IngestionDeps): Ingestion {
    const { context, keys, network, dataLake, opts } = deps;
    return new Ingestion(
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
        // The lake's buckets are named, not referenced: wait for them.
        { ...opts, dependsOn: [dataLake] },
    );
}
