/**
 * DataLake: the S3 zones that hold PHI, plus the server-access-log and inventory buckets that watch them.
 *
 * Zones (all SSE-KMS with the data-lake key, TLS-only, versioned, private, logged, inventoried):
 * - `landing`: ingestion target (Firehose, Storage Gateway file shares, batch ETL). Objects are moved or deleted
 *   once processed, so it never carries Object Lock.
 * - `raw`: immutable copy of what arrived, the system of record. Object Lock (WORM) when
 *   `dataLake.objectLock.enabled` (HIPAA 164.312(c)(1) integrity).
 * - `curated`: cleaned, partitioned Parquet for analytics; jobs overwrite partitions, so no lock.
 * - `results`: analytics results (Athena query results, exports); may contain PHI.
 * - `import`: target of bulk migrations (DataSync / Snowball / one-off copies) before promotion to `raw`.
 *
 * Keys follow the lake layout of components/shared/lake-layout.ts (Hive style,
 * `customer=<id>/source=<system>/year=YYYY/month=MM/day=DD/<file>`, e.g.
 * `customer=st-marys/source=ehr/year=2025/month=03/day=07/encounters-0001.parquet`); the `results` zone uses
 * `athena/<workgroup>/` and `exports/customer=<id>/`.
 *
 * Supporting buckets:
 * - `access-logs`: target of the S3 server access logs of every bucket of the stack (HIPAA 164.312(b) audit
 *   controls). SSE-S3, because S3 server access logging cannot deliver to a bucket whose default encryption is
 *   SSE-KMS; its policy admits only `logging.s3.amazonaws.com` on behalf of this account's buckets. No Object Lock
 *   (S3 does not deliver logs to a locked bucket).
 * - `inventory`: daily S3 Inventory reports (Parquet) of every bucket, the log bucket included (evidence of
 *   encryption, Bucket Key and Object Lock status per object version). SSE-KMS with the data-lake key; its policy
 *   admits only `s3.amazonaws.com` delivering for this account's buckets.
 * - `assets` (opt-in, `assetsBucket: true`): Glue job scripts (`glue/scripts/`) and job temp files (`glue/temp/`).
 *   Spark temp and shuffle files of an ETL over PHI hold PHI, so it is a PHI bucket with the data-lake key.
 *
 * Creation order: the log bucket first (S3 refuses a logging configuration whose target does not exist), then the
 * inventory bucket, then the zones (explicit `dependsOn`, since buckets refer to each other by name only).
 *
 * Bucket names are deterministic (`<prefix>-<env>-<purpose>-<account>-<region>`) and known at preview, so the
 * bucket ARNs handed to CloudTrail data events, Macie and IAM policies are judged by the policy pack in a PR.
 */
import * as pulumi from "@pulumi/pulumi";
import { DATA_ZONES, DataLakeConfig, DataZone, LifecycleSettings } from "./settings";
import { PolicyStatement } from "../shared/iam";
import { bucketArn, bucketName } from "../shared/naming";
import { BucketRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { SecureBucket } from "./secure-bucket";

/** Purpose segment of each zone's bucket name. */
export const ZONE_PURPOSE: Readonly<Record<DataZone, string>> = {
    landing: "landing",
    raw: "raw",
    curated: "curated",
    results: "results",
    import: "import",
};

/** Zones that hold PHI (all of them; the supporting buckets hold object keys and request metadata only). */
export const PHI_ZONES: readonly DataZone[] = DATA_ZONES;

/** Zones that get Object Lock when it is enabled: only the immutable system of record. */
export const OBJECT_LOCK_ZONES: readonly DataZone[] = ["raw"];

export interface DataLakeArgs {
    context: PlatformContext;
    /** Only `dataLake` is used (SSE-KMS of the zones and the inventory bucket). */
    keys: Pick<PlatformKeyRefs, "dataLake">;
    /** `PlatformConfig.dataLake`: lifecycle per zone (and for `logs`, `inventory`) and Object Lock. */
    config: DataLakeConfig;
    /**
     * Prefix of the purpose segment of every bucket name, for a second lake in the same stack
     * (`lake2` gives `hdp-prod-lake2-raw-...`). @default "" (bucket purposes are the zone names)
     */
    purposePrefix?: string;
    /**
     * Also create the `assets` bucket for Glue scripts and temp files (batch ETL needs it). A plain boolean: it
     * decides whether the bucket exists. @default false
     */
    assetsBucket?: boolean;
    /** Lifecycle of the assets bucket (temp files are transient). @default `config.lifecycle.landing` */
    assetsLifecycle?: LifecycleSettings;
    /** Extra bucket-policy statements per zone (service principals that deliver into a zone). @default {} */
    zonePolicyStatements?: Partial<Record<DataZone, PolicyStatement[]>>;
    /**
     * Let `pulumi destroy` delete non-empty buckets. Refused when `context.protect` is true (prod).
     * @default false
     */
    forceDestroy?: boolean;
}

export class DataLake extends pulumi.ComponentResource {
    /** Zone buckets by zone, names and ARNs known at preview. */
    readonly buckets: Readonly<Record<DataZone, BucketRef>>;
    /** Target of S3 server access logs (SSE-S3). Other areas may log their buckets here too. */
    readonly accessLogs: BucketRef;
    /** Destination of S3 Inventory reports. */
    readonly inventory: BucketRef;
    /** Glue scripts and temp files, when `assetsBucket` is true. */
    readonly assets?: BucketRef;
    /** Names of the buckets that hold PHI: the zones and `assets` (CloudTrail S3 data events, Macie jobs, IAM conditions). */
    readonly phiBucketNames: string[];
    /** ARNs of the buckets that hold PHI. */
    readonly phiBucketArns: string[];
    /** The SecureBucket components, for `dependsOn` (a bucket named by string has no implicit dependency). */
    readonly secureBuckets: Readonly<Record<DataZone | "accessLogs" | "inventory", SecureBucket>> & { assets?: SecureBucket };

    constructor(name: string, args: DataLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:storage:DataLake", name, {}, opts);
        const { naming, protect } = args.context;
        const forceDestroy = args.forceDestroy ?? false;
        if (forceDestroy && protect) {
            throw new Error(`DataLake '${name}': forceDestroy must be false when stateful resources are protected (prod), got true`);
        }
        const prefix = args.purposePrefix ? `${args.purposePrefix}-` : "";
        const purpose = (p: string) => `${prefix}${p}`;
        const inventoryName = bucketName(naming, purpose("inventory"));
        // Who may deliver logs and inventory reports here: every bucket of the stack for the default lake (other
        // areas log their buckets into it too), only this lake's buckets for a prefixed one.
        const deliverySourceBucketArnPattern = prefix ? `arn:${naming.partition}:s3:::${naming.prefix}-${naming.environment}-${prefix}*` : undefined;

        // Created first: S3 refuses a logging configuration whose target bucket does not exist yet.
        const accessLogs = new SecureBucket(
            `${name}-access-logs`,
            {
                naming,
                purpose: purpose("access-logs"),
                dataClassification: "confidential",
                encryption: "sse-s3",
                receivesAccessLogs: true,
                deliverySourceBucketArnPattern,
                lifecycle: args.config.lifecycle.logs,
                // S3 does not check an inventory destination when the configuration is written, so the log bucket
                // can point at the inventory bucket created after it (which logs into this one).
                inventoryBucketName: inventoryName,
                inventoryEncryptionKey: args.keys.dataLake,
                protect,
                forceDestroy,
                tags: { "data-zone": "access-logs" },
            },
            { parent: this },
        );

        const inventory = new SecureBucket(
            `${name}-inventory`,
            {
                naming,
                purpose: purpose("inventory"),
                dataClassification: "confidential",
                encryption: "kms",
                kmsKey: args.keys.dataLake,
                receivesInventory: true,
                deliverySourceBucketArnPattern,
                lifecycle: args.config.lifecycle.inventory,
                accessLogBucketName: accessLogs.bucketName,
                protect,
                forceDestroy,
                tags: { "data-zone": "inventory" },
            },
            { parent: this, dependsOn: [accessLogs] },
        );

        const zoneBuckets = {} as Record<DataZone, SecureBucket>;
        for (const zone of DATA_ZONES) {
            const locked = args.config.objectLock.enabled && OBJECT_LOCK_ZONES.includes(zone);
            zoneBuckets[zone] = new SecureBucket(
                `${name}-${zone}`,
                {
                    naming,
                    purpose: purpose(ZONE_PURPOSE[zone]),
                    dataClassification: "phi",
                    encryption: "kms",
                    kmsKey: args.keys.dataLake,
                    lifecycle: args.config.lifecycle[zone],
                    accessLogBucketName: accessLogs.bucketName,
                    inventoryBucketName: inventory.bucketName,
                    // Object Lock can only be chosen when a bucket is created: turning it on later replaces the
                    // bucket, so the raw zone's setting must be decided before the first deployment.
                    objectLock: locked ? args.config.objectLock : { ...args.config.objectLock, enabled: false },
                    additionalPolicyStatements: args.zonePolicyStatements?.[zone],
                    protect,
                    forceDestroy,
                    tags: { "data-zone": zone },
                },
                { parent: this, dependsOn: [accessLogs, inventory] },
            );
        }

        let assets: SecureBucket | undefined;
        if (args.assetsBucket ?? false) {
            assets = new SecureBucket(
                `${name}-assets`,
                {
                    naming,
                    purpose: purpose("assets"),
                    dataClassification: "phi",
                    encryption: "kms",
                    kmsKey: args.keys.dataLake,
                    lifecycle: args.assetsLifecycle ?? args.config.lifecycle.landing,
                    accessLogBucketName: accessLogs.bucketName,
                    inventoryBucketName: inventory.bucketName,
                    protect,
                    forceDestroy,
                    tags: { "data-zone": "assets" },
                },
                { parent: this, dependsOn: [accessLogs, inventory] },
            );
        }

        const ref = (b: SecureBucket): BucketRef => ({ name: b.bucketName, arn: b.bucketArn });
        this.buckets = Object.fromEntries(DATA_ZONES.map((z) => [z, ref(zoneBuckets[z])])) as Record<DataZone, BucketRef>;
        this.accessLogs = ref(accessLogs);
        this.inventory = ref(inventory);
        this.assets = assets ? ref(assets) : undefined;
        this.phiBucketNames = [...PHI_ZONES.map((z) => this.buckets[z].name), ...(this.assets ? [this.assets.name] : [])];
        this.phiBucketArns = this.phiBucketNames.map((n) => bucketArn(naming, n));
        this.secureBuckets = { ...zoneBuckets, accessLogs, inventory, assets };

        this.registerOutputs({
            buckets: this.buckets,
            accessLogs: this.accessLogs,
            inventory: this.inventory,
            assets: this.assets,
            phiBucketNames: this.phiBucketNames,
        });
    }
}
