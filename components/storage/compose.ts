/**
 * The storage area as the stack's config asks for it: the data lake and backup always, each database or store only
 * when its plain config boolean is on. Not a component of its own: the stores stay direct children of the stack, so
 * their URNs do not depend on how they are grouped. `index.ts` calls it; the storage specs record it alone.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../shared/config";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { Backup } from "./backup";
import { Cache } from "./cache";
import { DataLake } from "./data-lake";
import { Database } from "./database";
import { MetadataTable } from "./dynamodb";
import { FileStorage } from "./file-storage";
import { Warehouse } from "./redshift";

export interface StorageDeps {
    context: PlatformContext;
    keys: PlatformKeyRefs;
    network: NetworkRefs;
    opts?: pulumi.ComponentResourceOptions;
}

export interface Storage {
    dataLake: DataLake;
    database?: Database;
    warehouse?: Warehouse;
    metadata?: MetadataTable;
    cache?: Cache;
    files?: FileStorage;
    backup: Backup;
}

export function composeStorage(cfg: PlatformConfig, deps: StorageDeps): Storage {
    const { context, keys, network, opts } = deps;
    const st = cfg.storage;
    const dataLake = new DataLake("data-lake", { context, keys, config: cfg.dataLake, assetsBucket: cfg.ingestion.batch.enabled }, opts);
    const database = st.rds.enabled ? new Database("database", { context, keys, network, settings: st.rds }, opts) : undefined;
    const warehouse = st.redshift.enabled ? new Warehouse("warehouse", { context, keys, network, settings: st.redshift, auditLogRetentionDays: cfg.logging.auditRetentionDays }, opts) : undefined;
    const metadata = st.dynamodb.enabled ? new MetadataTable("ingestion-manifest", { context, keys }, opts) : undefined;
    const cache = st.elasticache.enabled ? new Cache("cache", { context, keys, network, settings: st.elasticache }, opts) : undefined;
    const files =
        st.efs.enabled || st.ebs.volumeEnabled
            ? new FileStorage(
                  "files",
                  { context, keys, network, settings: { efs: st.efs, ebs: st.ebs }, subnetCount: cfg.network.availabilityZones },
                  opts,
              )
            : undefined;
    const backup = new Backup(
        "backup",
        {
            context,
            keys,
            settings: st.backup,
            resourceArns: [...(database?.backupResourceArns ?? []), ...(metadata ? [metadata.tableArn] : [])],
        },
        opts,
    );
    return { dataLake, database, warehouse, metadata, cache, files, backup };
}
