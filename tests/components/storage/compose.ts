/**
 * The storage part of the composition proposed for index.ts (see /work/brief/wire-storage.md), as a function the
 * storage specs and the offline-engine fixture run: each store exists only when its plain config boolean says so.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../../../components/shared/config";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../../../components/shared/refs";
import { Backup } from "../../../components/storage/backup";
import { Cache } from "../../../components/storage/cache";
import { DataLake } from "../../../components/storage/data-lake";
import { Database } from "../../../components/storage/database";
import { MetadataTable } from "../../../components/storage/dynamodb";
import { FileStorage } from "../../../components/storage/file-storage";
import { Warehouse } from "../../../components/storage/redshift";

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
    const warehouse = st.redshift.enabled ? new Warehouse("warehouse", { context, keys, network, settings: st.redshift }, opts) : undefined;
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
