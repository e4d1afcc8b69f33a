/**
 * The S3 Inventory report schema as Athena reads it, shared by the Glue table (program side) and the query
 * templates (Lambda side) so a column name cannot drift between the two.
 *
 * Columns and types follow "Querying Amazon S3 Inventory with Amazon Athena" (S3 User Guide) for the ORC and
 * Parquet formats. Those formats are self-describing and Athena reads them BY COLUMN NAME, so a column whose
 * optional field is not configured on a bucket simply reads as NULL; CSV reports are positional and untyped
 * (every column a string, keys URL-encoded), which is why the catalog refuses CSV.
 *
 * The inventory does NOT carry the SSE-KMS key id of an object (there is no such optional field; see the
 * `InventoryOptionalField` enum): "encrypted with the expected key" is therefore judged as `encryption_status`
 * SSE-KMS/DSSE-KMS plus `bucket_key_status` ENABLED, while the bucket policy's deny of uploads with any other
 * key (SecureBucket `requireKmsUploads`) guarantees which key that is. S3 Metadata live inventory tables
 * (`kms_key_arn` column) are the AWS feature that exposes the key per object, if an auditor needs it.
 */

/** Report formats Athena can read by column name. */
export type InventoryFormat = "Parquet" | "ORC";

export interface InventoryColumn {
    name: string;
    type: string;
    comment: string;
}

/** Columns of an ORC/Parquet inventory report (optional fields included; unconfigured ones read as NULL). */
export const INVENTORY_COLUMNS: readonly InventoryColumn[] = [
    { name: "bucket", type: "string", comment: "Source bucket name" },
    { name: "key", type: "string", comment: "Object key (not URL-encoded in ORC/Parquet)" },
    { name: "version_id", type: "string", comment: "Version id (only with IncludedObjectVersions=All)" },
    { name: "is_latest", type: "boolean", comment: "Current version (only with IncludedObjectVersions=All)" },
    { name: "is_delete_marker", type: "boolean", comment: "Delete marker (only with IncludedObjectVersions=All)" },
    { name: "size", type: "bigint", comment: "Object size in bytes" },
    { name: "last_modified_date", type: "timestamp", comment: "Creation or last modification time" },
    { name: "e_tag", type: "string", comment: "Entity tag" },
    { name: "storage_class", type: "string", comment: "STANDARD, STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE, ..." },
    { name: "is_multipart_uploaded", type: "boolean", comment: "Uploaded in parts" },
    { name: "replication_status", type: "string", comment: "Replication status" },
    { name: "encryption_status", type: "string", comment: "NOT-SSE, SSE-S3, SSE-C, SSE-KMS or DSSE-KMS" },
    { name: "object_lock_retain_until_date", type: "bigint", comment: "Object Lock retain-until date" },
    { name: "object_lock_mode", type: "string", comment: "GOVERNANCE or COMPLIANCE" },
    { name: "object_lock_legal_hold_status", type: "string", comment: "ON or OFF" },
    { name: "intelligent_tiering_access_tier", type: "string", comment: "Intelligent-Tiering access tier" },
    { name: "bucket_key_status", type: "string", comment: "ENABLED or DISABLED (S3 Bucket Key used for SSE-KMS)" },
    { name: "checksum_algorithm", type: "string", comment: "Additional checksum algorithm" },
    { name: "object_access_control_list", type: "string", comment: "Object ACL (base64 JSON)" },
    { name: "object_owner", type: "string", comment: "Canonical id of the owner" },
];

/**
 * The optional fields a bucket's inventory configuration must list for the analytics queries to work
 * (`aws.s3.Inventory` `optionalFields`). Exported so the storage area can reuse the exact list.
 */
export const REQUIRED_INVENTORY_FIELDS: readonly string[] = [
    "Size",
    "LastModifiedDate",
    "StorageClass",
    "EncryptionStatus",
    "BucketKeyStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "IntelligentTieringAccessTier",
];

/** Partition column holding the source bucket (projected from a fixed list, since `bucket` is a data column). */
export const INVENTORY_SOURCE_PARTITION = "source_bucket";
/** Partition column of the report time, `YYYY-MM-DD-HH-MM` as S3 writes it under `hive/dt=`. */
export const INVENTORY_DT_PARTITION = "dt";

/** Hive SerDe per format. The input format is always the symlink manifest S3 writes under `hive/`. */
export const INVENTORY_SERDE: Record<InventoryFormat, string> = {
    Parquet: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    ORC: "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
};
export const SYMLINK_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat";
export const IGNORE_KEY_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.IgnoreKeyTextOutputFormat";

/** `YYYY-MM-DD` (a calendar date) to the `dt` partition value of that day's first hour. */
export function inventoryDtOf(date: string): string {
    return `${date}-00-00`;
}

/** Metrics the scheduled inventory check publishes (EMF) and the component alarms on. */
export const INVENTORY_METRICS = ["ObjectsNotEncryptedAsRequired", "ObjectsWithoutBucketKey", "ObjectsPastTransition", "InventoryReportsMissing"] as const;
