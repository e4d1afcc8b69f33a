/**
 * The ingestion area as the stack's config asks for it: every path into the lake, each on or off by its plain config
 * boolean (see ./ingestion.ts). `index.ts` calls it; the ingestion specs call the same function.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../shared/config";
import { BucketRef, NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { Ingestion } from "./ingestion";

export interface IngestionDeps {
    context: PlatformContext;
    keys: PlatformKeyRefs;
    network: NetworkRefs;
    /** The lake's zones the paths land in, and the Glue assets bucket batch ETL needs (`DataLake`). */
    lake: { buckets: { landing: BucketRef; raw: BucketRef; import: BucketRef }; assets?: BucketRef };
    /** The lake's buckets are named, not referenced: ingestion waits for this resource (the `DataLake`). */
    waitFor?: pulumi.Resource;
    opts?: pulumi.ComponentResourceOptions;
}

export function composeIngestion(cfg: PlatformConfig, deps: IngestionDeps): Ingestion {
    const { context, keys, network, lake, opts } = deps;
    return new Ingestion(
        "ingest",
        {
            context,
            config: cfg.ingestion,
            customers: cfg.customers,
            keys,
            network,
            buckets: { landing: lake.buckets.landing, raw: lake.buckets.raw, import: lake.buckets.import, glueAssets: lake.assets },
            // File-access audit logs are audit evidence (164.316(b)(2)).
            auditLogRetentionDays: cfg.logging.auditRetentionDays,
        },
        deps.waitFor ? { ...opts, dependsOn: [deps.waitFor] } : { ...opts },
    );
}
