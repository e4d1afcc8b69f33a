/**
 * Ingestion: every path by which PHI reaches the platform, each on or off by config.
 *
 * | path       | component             | config that turns it on                           | lands in                                   |
 * |------------|-----------------------|---------------------------------------------------|--------------------------------------------|
 * | streaming  | StreamingIngestion    | `streamingEnabled` (default true; one stream per entry of `customers`) | landing `customer=<id>/source=stream/` |
 * | batch ETL  | BatchEtl              | `batchEtlEnabled` (+ JDBC url, user, password)    | raw `customer=<id>/source=<schema>-<table>/` |
 * | hybrid     | HybridFileGateway     | `storageGatewayEnabled` (+ activation, CIDRs/SMB) | landing `customer=<id>/source=file-gateway/` |
 * | bulk       | BulkMigrationLanding  | `bulkMigrationEnabled` (default true)             | import zone (Snowball)                     |
 *
 * Also owns the account's Glue Data Catalog encryption settings (data-lake key; connection passwords with the secrets
 * key), which every path that uses the catalog relies on.
 *
 * The SDK client (`apps/ingest-client/`) uploads files and sends records into what these create; it is a
 * separate program, not a resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { IngestionConfig } from "./settings";
import { BucketRef, NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { BatchEtl, createCatalogEncryption } from "./batch-etl";
import { BulkMigrationLanding } from "./bulk-migration";
import { HybridFileGateway } from "./hybrid";
import { StreamingIngestion } from "./streaming";

export interface IngestionArgs {
    context: PlatformContext;
    /** `PlatformConfig.ingestion`: which paths exist and how they are shaped. */
    config: IngestionConfig;
    /** The stack's customers (`customers`): streaming gives each its own stream and producer role. */
    customers: readonly string[];
    keys: Pick<PlatformKeyRefs, "dataLake" | "streaming" | "secrets" | "logs">;
    network: NetworkRefs;
    /** Data-lake zones, plus the Glue assets bucket (scripts, temp) that batch ETL needs. */
    buckets: { landing: BucketRef; raw: BucketRef; import: BucketRef; glueAssets?: BucketRef };
    /** Retention of the file gateway's audit log (`PlatformConfig.logging.auditRetentionDays`). @default context.logRetentionDays */
    auditLogRetentionDays?: number;
    /**
     * Own the account's Data Catalog encryption settings (one per account and region; the catalog also holds the
     * streaming schema and the analytics databases). False when another stack in the account owns them. @default true
     */
    manageCatalogEncryption?: boolean;
    /** SNS topic Snowball jobs notify (its topic policy must admit the Snowball role). @default none */
    bulkMigrationNotificationTopicArn?: string;
    /** DNS name of a Storage Gateway interface endpoint for activation over the VPN. @default none (public endpoint, TLS) */
    storageGatewayVpcEndpoint?: pulumi.Input<string>;
}

export class Ingestion extends pulumi.ComponentResource {
    readonly streaming?: StreamingIngestion;
    readonly batch?: BatchEtl;
    readonly hybrid?: HybridFileGateway;
    readonly bulkMigration?: BulkMigrationLanding;

    constructor(name: string, args: IngestionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:ingestion:Ingestion", name, {}, opts);
        const cfg = args.config;

        // Created here, not in BatchEtl, so that turning batch ETL off never deletes the account-wide setting.
        if (args.manageCatalogEncryption ?? true) {
            createCatalogEncryption(`${name}-catalog-encryption`, args.keys, this);
        }
        // One stream per customer: with no customer configured yet there is nothing to stream for (and no tenant a
        // producer could be bound to), so the path waits for the first `customers` entry.
        if (cfg.streaming.enabled && args.customers.length > 0) {
            this.streaming = new StreamingIngestion(
                `${name}-stream`,
                { context: args.context, config: cfg.streaming, customers: args.customers, keys: args.keys, landingBucket: args.buckets.landing },
                { parent: this },
            );
        }
        if (cfg.batch.enabled) {
            if (!args.buckets.glueAssets) {
                throw new Error(`Ingestion '${name}': batchEtlEnabled is true but buckets.glueAssets (Glue scripts and temp files) was not given`);
            }
            this.batch = new BatchEtl(
                `${name}-batch`,
                {
                    context: args.context,
                    config: cfg.batch,
                    customer: cfg.onPremCustomer,
                    keys: args.keys,
                    network: args.network,
                    rawBucket: args.buckets.raw,
                    assetsBucket: args.buckets.glueAssets,
                    manageCatalogEncryption: false,
                },
                { parent: this },
            );
        }
        if (cfg.storageGateway.enabled) {
            this.hybrid = new HybridFileGateway(
                `${name}-hybrid`,
                {
                    context: args.context,
                    config: cfg.storageGateway,
                    customer: cfg.onPremCustomer,
                    keys: args.keys,
                    landingBucket: args.buckets.landing,
                    auditLogRetentionDays: args.auditLogRetentionDays,
                    gatewayVpcEndpoint: args.storageGatewayVpcEndpoint,
                },
                { parent: this },
            );
        }
        if (cfg.bulkMigration.enabled) {
            this.bulkMigration = new BulkMigrationLanding(
                `${name}-bulk`,
                {
                    context: args.context,
                    keys: args.keys,
                    importBucket: args.buckets.import,
                    notificationTopicArn: args.bulkMigrationNotificationTopicArn,
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            streams: this.streaming ? Object.fromEntries(Object.values(this.streaming.streams).map((s) => [s.customer, s.streamName])) : undefined,
            etlJobName: this.batch?.jobName,
            gatewayName: this.hybrid?.gatewayName,
            snowballRoleArn: this.bulkMigration?.snowballRoleArn,
        });
    }
}
