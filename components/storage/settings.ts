/**
 * Storage settings: the data lake's lifecycle and Object Lock, and the databases, warehouse, cache, file systems
 * and backup plan, each on or off by a plain boolean.
 */
import { KeyValues, Problem, problem } from "../shared/config-keys";
import { HIPAA_RETENTION_DAYS, ValidationContext } from "../shared/settings";

/** S3 refuses a transition to STANDARD_IA or ONEZONE_IA earlier than 30 days after creation. */
export const S3_MIN_IA_DAYS = 30;

export type ArchiveStorageClass = "GLACIER" | "GLACIER_IR" | "DEEP_ARCHIVE";
export type DataZone = "landing" | "raw" | "curated" | "results" | "import";
export const DATA_ZONES: readonly DataZone[] = ["landing", "raw", "curated", "results", "import"];
/** Buckets with a lifecycle of their own: the zones, the access-log bucket and the inventory-report bucket. */
export type LifecycleBucket = DataZone | "logs" | "inventory";
const LIFECYCLE_BUCKETS: readonly LifecycleBucket[] = [...DATA_ZONES, "logs", "inventory"];

const DAYS = { type: "integer", min: 0, max: 36500 } as const;
/** Per-bucket overrides of the two transitions; 0 inherits the stack-wide value. */
const ZONE_DAYS = { ...DAYS, default: 0 } as const;

/** The storage keys, as Pulumi.yaml declares them (data lake lifecycle, Object Lock, and the Storage section). */
export const STORAGE_KEYS = {
    lifecycleIaDays: { ...DAYS, default: 30 },
    lifecycleArchiveDays: { ...DAYS, default: 90 },
    lifecycleArchiveStorageClass: { type: "string", default: "GLACIER", allowed: ["GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"] },
    lifecycleNoncurrentExpirationDays: { type: "integer", default: 90, min: 1, max: 36500 },
    lifecycleAbortMultipartDays: { type: "integer", default: 7, min: 1, max: 365 },
    lifecycleLandingIaDays: ZONE_DAYS,
    lifecycleLandingArchiveDays: ZONE_DAYS,
    lifecycleRawIaDays: ZONE_DAYS,
    lifecycleRawArchiveDays: ZONE_DAYS,
    lifecycleCuratedIaDays: ZONE_DAYS,
    lifecycleCuratedArchiveDays: ZONE_DAYS,
    lifecycleResultsIaDays: ZONE_DAYS,
    lifecycleResultsArchiveDays: ZONE_DAYS,
    lifecycleImportIaDays: ZONE_DAYS,
    lifecycleImportArchiveDays: ZONE_DAYS,
    lifecycleLogsIaDays: ZONE_DAYS,
    lifecycleLogsArchiveDays: ZONE_DAYS,
    lifecycleInventoryIaDays: ZONE_DAYS,
    lifecycleInventoryArchiveDays: ZONE_DAYS,
    objectLockEnabled: { type: "boolean", default: false },
    objectLockMode: { type: "string", default: "GOVERNANCE", allowed: ["GOVERNANCE", "COMPLIANCE"] },
    objectLockRetentionDays: { type: "integer", default: HIPAA_RETENTION_DAYS, min: 1, max: 36500 },
    rdsEnabled: { type: "boolean", default: true },
    rdsEngine: { type: "string", default: "postgres", allowed: ["postgres", "aurora-postgresql"] },
    // By major only: AWS retires minor versions, and a pinned retired minor fails the next deploy.
    rdsEngineVersion: { type: "string", default: "16" },
    rdsInstanceClass: { type: "string", default: "db.t4g.micro" },
    rdsAllocatedStorageGiB: { type: "integer", default: 20, min: 20, max: 65536 },
    rdsMultiAz: { type: "boolean", default: true },
    rdsBackupRetentionDays: { type: "integer", default: 7, min: 1, max: 35 },
    redshiftEnabled: { type: "boolean", default: false },
    redshiftMode: { type: "string", default: "serverless", allowed: ["serverless", "provisioned"] },
    redshiftBaseCapacityRpu: { type: "integer", default: 8, min: 8, max: 1024 },
    redshiftNodeType: { type: "string", default: "ra3.large" },
    redshiftNodes: { type: "integer", default: 2, min: 1, max: 128 },
    redshiftSnapshotRetentionDays: { type: "integer", default: 7, min: 1, max: 35 },
    dynamodbEnabled: { type: "boolean", default: true },
    elasticacheEnabled: { type: "boolean", default: true },
    elasticacheMode: { type: "string", default: "serverless", allowed: ["serverless", "replicationGroup"] },
    elasticacheNodeType: { type: "string", default: "cache.t4g.micro" },
    elasticacheReplicas: { type: "integer", default: 1, min: 0, max: 5 },
    elasticacheSnapshotRetentionDays: { type: "integer", default: 7, min: 0, max: 35 },
    efsEnabled: { type: "boolean", default: true },
    ebsVolumeEnabled: { type: "boolean", default: false },
    ebsVolumeSizeGiB: { type: "integer", default: 20, min: 1, max: 16384 },
    backupRetentionDays: { type: "integer", default: 35, min: 1, max: 36500 },
    backupVaultLock: { type: "boolean", default: false },
} as const;

export type StorageValues = KeyValues<typeof STORAGE_KEYS>;

/** Lifecycle of one bucket: current objects to IA, then to an archive class; old versions and uploads expire. */
export interface LifecycleSettings {
    /** Days after creation before STANDARD_IA (S3 minimum 30). */
    infrequentAccessDays: number;
    /** Days after creation before the archive class; later than `infrequentAccessDays`. */
    archiveDays: number;
    archiveStorageClass: ArchiveStorageClass;
    /** Days a noncurrent version is kept before it expires. */
    noncurrentVersionExpirationDays: number;
    /** Days before an incomplete multipart upload is aborted (its parts are billed until then). */
    abortIncompleteMultipartUploadDays: number;
}

export interface ObjectLockSettings {
    enabled: boolean;
    mode: "GOVERNANCE" | "COMPLIANCE";
    retentionDays: number;
}

export interface DataLakeConfig {
    lifecycle: Record<LifecycleBucket, LifecycleSettings>;
    objectLock: ObjectLockSettings;
}

export interface RdsSettings {
    enabled: boolean;
    engine: "postgres" | "aurora-postgresql";
    engineVersion: string;
    instanceClass: string;
    allocatedStorageGiB: number;
    multiAz: boolean;
    backupRetentionDays: number;
}

export interface StorageConfig {
    rds: RdsSettings;
    redshift: {
        enabled: boolean;
        mode: "serverless" | "provisioned";
        baseCapacityRpu: number;
        nodeType: string;
        numberOfNodes: number;
        snapshotRetentionDays: number;
    };
    dynamodb: { enabled: boolean };
    elasticache: {
        enabled: boolean;
        mode: "serverless" | "replicationGroup";
        nodeType: string;
        replicas: number;
        snapshotRetentionDays: number;
    };
    efs: { enabled: boolean };
    ebs: { volumeEnabled: boolean; volumeSizeGiB: number };
    backup: { retentionDays: number; vaultLock: boolean };
}

/** The area's two settings objects: the data lake's and the stores'. */
export interface StorageSettings {
    dataLake: DataLakeConfig;
    storage: StorageConfig;
}

const capitalised = (zone: LifecycleBucket) => `${zone.charAt(0).toUpperCase()}${zone.slice(1)}`;
const zoneKey = (zone: LifecycleBucket, what: "IaDays" | "ArchiveDays") => `lifecycle${capitalised(zone)}${what}` as keyof StorageValues;

/** The stack-wide lifecycle, and each bucket's with its overrides applied (0 inherits). */
function lifecycles(v: StorageValues): Record<LifecycleBucket, LifecycleSettings> {
    const base: LifecycleSettings = {
        infrequentAccessDays: v.lifecycleIaDays,
        archiveDays: v.lifecycleArchiveDays,
        archiveStorageClass: v.lifecycleArchiveStorageClass as ArchiveStorageClass,
        noncurrentVersionExpirationDays: v.lifecycleNoncurrentExpirationDays,
        abortIncompleteMultipartUploadDays: v.lifecycleAbortMultipartDays,
    };
    const out = {} as Record<LifecycleBucket, LifecycleSettings>;
    for (const zone of LIFECYCLE_BUCKETS) {
        const ia = v[zoneKey(zone, "IaDays")] as number;
        const archive = v[zoneKey(zone, "ArchiveDays")] as number;
        out[zone] = { ...base, infrequentAccessDays: ia || base.infrequentAccessDays, archiveDays: archive || base.archiveDays };
    }
    return out;
}

/** Minimum days an object stays in STANDARD_IA before a lifecycle rule may move it on (S3 refuses shorter gaps). */
export const S3_IA_MIN_STORAGE_DAYS = 30;

/** Problems of the storage keys. Pure. */
export function validateStorageSettings(v: StorageValues, ctx: ValidationContext): Problem[] {
    const problems: Problem[] = [];
    const archiveClass = v.lifecycleArchiveStorageClass;
    const minIa = `at least ${S3_MIN_IA_DAYS} days (S3's minimum before a transition to STANDARD_IA)`;
    // The stack-wide pair.
    if (v.lifecycleIaDays < S3_MIN_IA_DAYS) problems.push(problem("lifecycleIaDays", minIa, v.lifecycleIaDays));
    // S3 keeps an object in STANDARD_IA at least 30 days: a rule whose archive transition comes sooner after its
    // STANDARD_IA transition is refused by PutBucketLifecycleConfiguration (AWS knowledge center
    // "s3-lifecycle-rule-glacier-storage"; S3 user guide, "Transitioning objects using Amazon S3 Lifecycle").
    const after = (ia: number) => `the ${archiveClass} transition at least ${S3_IA_MIN_STORAGE_DAYS} days after the STANDARD_IA transition (${ia} days; S3 keeps objects in STANDARD_IA ${S3_IA_MIN_STORAGE_DAYS} days)`;
    if (v.lifecycleArchiveDays < v.lifecycleIaDays + S3_IA_MIN_STORAGE_DAYS) {
        problems.push(problem("lifecycleArchiveDays", after(v.lifecycleIaDays), v.lifecycleArchiveDays));
    }
    // Each override; a bucket that sets neither key inherits a pair already checked.
    const lifecycle = lifecycles(v);
    for (const zone of LIFECYCLE_BUCKETS) {
        const iaKey = zoneKey(zone, "IaDays");
        const archiveKey = zoneKey(zone, "ArchiveDays");
        const ownIa = (v[iaKey] as number) !== 0;
        const ownArchive = (v[archiveKey] as number) !== 0;
        const { infrequentAccessDays: ia, archiveDays: archive } = lifecycle[zone];
        if (ownIa && ia < S3_MIN_IA_DAYS) problems.push(problem(iaKey, minIa, ia));
        if ((ownIa || ownArchive) && archive < ia + S3_IA_MIN_STORAGE_DAYS) {
            problems.push(
                ownArchive
                    ? problem(archiveKey, after(ia), archive)
                    : problem(iaKey, `a STANDARD_IA transition at least ${S3_IA_MIN_STORAGE_DAYS} days before the ${archiveClass} transition (${archive} days)`, ia),
            );
        }
    }
    if (!/^\d+$/.test(v.rdsEngineVersion)) {
        // The parameter-group family is derived from the major version (postgres16, aurora-postgresql16).
        problems.push(problem("rdsEngineVersion", "a PostgreSQL major version such as 16 (AWS retires minor versions; autoMinorVersionUpgrade keeps the minor current)", v.rdsEngineVersion));
    }
    if (ctx.isProd && v.elasticacheMode === "replicationGroup" && v.elasticacheReplicas < 1) {
        problems.push(problem("elasticacheReplicas", "at least 1 in prod (automatic failover needs a replica)", v.elasticacheReplicas));
    }
    return problems;
}

/** The storage settings of valid values. Pure. */
export function storageSettings(v: StorageValues): StorageSettings {
    return {
        dataLake: {
            lifecycle: lifecycles(v),
            objectLock: { enabled: v.objectLockEnabled, mode: v.objectLockMode as ObjectLockSettings["mode"], retentionDays: v.objectLockRetentionDays },
        },
        storage: {
            rds: {
                enabled: v.rdsEnabled,
                engine: v.rdsEngine as RdsSettings["engine"],
                engineVersion: v.rdsEngineVersion,
                instanceClass: v.rdsInstanceClass,
                allocatedStorageGiB: v.rdsAllocatedStorageGiB,
                multiAz: v.rdsMultiAz,
                backupRetentionDays: v.rdsBackupRetentionDays,
            },
            redshift: {
                enabled: v.redshiftEnabled,
                mode: v.redshiftMode as StorageConfig["redshift"]["mode"],
                baseCapacityRpu: v.redshiftBaseCapacityRpu,
                nodeType: v.redshiftNodeType,
                numberOfNodes: v.redshiftNodes,
                snapshotRetentionDays: v.redshiftSnapshotRetentionDays,
            },
            dynamodb: { enabled: v.dynamodbEnabled },
            elasticache: {
                enabled: v.elasticacheEnabled,
                mode: v.elasticacheMode as StorageConfig["elasticache"]["mode"],
                nodeType: v.elasticacheNodeType,
                replicas: v.elasticacheReplicas,
                snapshotRetentionDays: v.elasticacheSnapshotRetentionDays,
            },
            efs: { enabled: v.efsEnabled },
            ebs: { volumeEnabled: v.ebsVolumeEnabled, volumeSizeGiB: v.ebsVolumeSizeGiB },
            backup: { retentionDays: v.backupRetentionDays, vaultLock: v.backupVaultLock },
        },
    };
}
