/**
 * SecureBucket: the only way the platform creates an S3 bucket.
 *
 * HIPAA mapping:
 * - 164.312(a)(2)(iv) encryption at rest: default SSE-KMS with a customer-managed key and an S3 Bucket Key; SSE-C
 *   uploads blocked; uploads that ask for another algorithm, for `aws:kms` without a key (S3 would use the AWS
 *   managed `aws/s3` key) or for a key outside this account and region are denied by the bucket policy.
 * - 164.312(e)(1), (e)(2)(i)-(ii) transmission security: every request without TLS, or with TLS below 1.2, is
 *   denied on the bucket and on its objects.
 * - 164.312(a)(1) access control: all four public access block settings, `BucketOwnerEnforced` (ACLs off, the
 *   account owns every object, access is decided by policies alone).
 * - 164.312(b) audit controls: server access logs to the platform's log bucket, partitioned by date; a daily
 *   S3 Inventory with encryption, Bucket Key and Object Lock status per object.
 * - 164.312(c)(1) integrity: versioning, and Object Lock with a default retention where config asks for it.
 * - 164.310(d)(2)(i)-(ii) disposal and re-use: one whole-bucket lifecycle rule (IA, archive, noncurrent expiry,
 *   abort incomplete multipart uploads).
 *
 * Every side resource and every policy document names the bucket by its deterministic name
 * (`bucketName(naming, purpose)`), known at preview, never by `bucket.id`/`bucket.arn`. The side resources take
 * `bucket: this.bucket.bucket`: the same literal name (an input the engine echoes in preview), and an output of
 * the bucket, so the engine records the bucket's URN under `propertyDependencies.bucket`; the policy pack joins
 * side resources to their bucket through exactly that.
 *
 * Facts from AWS documentation this component relies on:
 * - Server access logs: "You can use default bucket encryption on the target bucket only if you use SSE-S3 ...
 *   SSE-KMS is not supported", "You can't enable S3 Object Lock on the target bucket", and with
 *   `BucketOwnerEnforced` the target bucket must grant `logging.s3.amazonaws.com` `s3:PutObject` in its bucket
 *   policy (ACL grants are ignored). Hence `encryption: "sse-s3"` and `receivesAccessLogs` for the log bucket.
 * - Inventory: the destination bucket policy grants `s3.amazonaws.com` `s3:PutObject` with `aws:SourceAccount`,
 *   `aws:SourceArn` and `s3:x-amz-acl = bucket-owner-full-control`; an SSE-KMS report needs the key policy to
 *   grant `s3.amazonaws.com` `kms:GenerateDataKey` (the `PlatformKeys` data-lake key does).
 * - `x-amz-server-side-encryption: aws:kms` without `x-amz-server-side-encryption-aws-kms-key-id` makes S3 use the
 *   AWS managed key `aws/s3`, not the bucket's default key; a request with no encryption header gets the bucket
 *   default (this bucket's key). So the policy denies the former and lets the latter through: uploads that rely on
 *   default encryption are never refused.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LifecycleSettings, ObjectLockSettings, S3_MIN_IA_DAYS } from "./settings";
import { PolicyStatement, policyJson } from "../shared/iam";
import { bucketArn, bucketName, bucketObjectsArn, NamingContext } from "../shared/naming";
import { DataClassification, classificationTags } from "../shared/tags";
import { KeyRef } from "../shared/refs";

/** Key prefix of server access logs in the log bucket (S3 appends `<account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/`). */
export const ACCESS_LOG_PREFIX = "s3-access-logs/";
/**
 * Prefix of inventory reports in the inventory bucket. S3 writes
 * `<prefix>/<source bucket>/<configuration name>/` with `data/`, dated manifests and, for Parquet, Hive-style
 * `hive/dt=YYYY-MM-DD-HH-MM/symlink.txt` that Athena partition projection can read.
 */
export const INVENTORY_PREFIX = "inventory";
/** Name of each bucket's inventory configuration. */
export const INVENTORY_CONFIGURATION_NAME = "daily-parquet";
/** Fields of the inventory report that inventory analytics (encryption, tiering, retention) needs. */
export const INVENTORY_FIELDS = [
    "Size",
    "LastModifiedDate",
    "StorageClass",
    "ETag",
    "IsMultipartUploaded",
    "ReplicationStatus",
    "EncryptionStatus",
    "BucketKeyStatus",
    "ObjectLockRetainUntilDate",
    "ObjectLockMode",
    "ObjectLockLegalHoldStatus",
    "IntelligentTieringAccessTier",
    "ChecksumAlgorithm",
] as const;

/** S3's minimum storage durations (days) of the archive classes: a transition that expires sooner is billed anyway. */
const ARCHIVE_MINIMUM_DAYS: Record<LifecycleSettings["archiveStorageClass"], number> = { GLACIER_IR: 90, GLACIER: 90, DEEP_ARCHIVE: 180 };

export interface SecureBucketArgs {
    naming: NamingContext;
    /** Purpose segment of the deterministic name (`landing`, `raw`, `audit`, ...). */
    purpose: string;
    /** What the bucket holds; PHI buckets are selected by Macie's classification job through this tag. */
    dataClassification: DataClassification;
    /**
     * Encryption: `kms` (SSE-KMS with the key and an S3 Bucket Key) or `sse-s3` (AES256). `sse-s3` is only for
     * server access log target buckets, which S3 cannot deliver to with SSE-KMS.
     * @default "kms"
     */
    encryption?: "kms" | "sse-s3";
    /** Customer-managed key for SSE-KMS; required when `encryption` is `kms`. */
    kmsKey?: KeyRef;
    lifecycle: LifecycleSettings;
    /** Target of server access logs (name of a SecureBucket with `encryption: "sse-s3"`); omit only for that log bucket itself. */
    accessLogBucketName?: string;
    /** Destination of the daily S3 inventory report; omit only for the inventory bucket itself. */
    inventoryBucketName?: string;
    /** Object Lock; can only be set at creation. @default { enabled: false } */
    objectLock?: ObjectLockSettings;
    /** Extra statements merged into the bucket policy (service principals that deliver into the bucket). */
    additionalPolicyStatements?: PolicyStatement[];
    /** Deny uploads without SSE-KMS with this bucket's key. @default true when `encryption` is `kms` */
    requireKmsUploads?: boolean;
    /** Put `protect` on the bucket (prod). @default false */
    protect?: boolean;
    /** Allow deleting a non-empty bucket (never in prod). @default false */
    forceDestroy?: boolean;
    /** Extra tags on the bucket. */
    tags?: Record<string, string>;
    /**
     * This bucket is the server access log target: its policy lets `logging.s3.amazonaws.com` write under
     * {@link ACCESS_LOG_PREFIX} for source buckets matching `deliverySourceBucketArnPattern` in this account.
     * Requires `encryption: "sse-s3"` and no Object Lock (S3 refuses both on a log target).
     * @default false
     */
    receivesAccessLogs?: boolean;
    /**
     * This bucket is the inventory destination: its policy lets `s3.amazonaws.com` write reports under
     * {@link INVENTORY_PREFIX} for source buckets matching `deliverySourceBucketArnPattern` in this account.
     * @default false
     */
    receivesInventory?: boolean;
    /**
     * Source buckets allowed to deliver logs or inventory here (`aws:SourceArn`, ArnLike).
     * @default `arn:<partition>:s3:::<prefix>-<environment>-*` (every bucket this stack names)
     */
    deliverySourceBucketArnPattern?: string;
    /**
     * Key that encrypts this bucket's inventory report (normally the inventory bucket's own key). When omitted,
     * a `kms` bucket's report is encrypted with `kmsKey`; an `sse-s3` bucket's report is written without an
     * encryption choice and takes the inventory bucket's default SSE-KMS encryption.
     * @default kmsKey
     */
    inventoryEncryptionKey?: KeyRef;
}

export class SecureBucket extends pulumi.ComponentResource {
    /** Deterministic physical name, known at preview. */
    readonly bucketName: string;
    /** `arn:<partition>:s3:::<name>`, known at preview. */
    readonly bucketArn: string;
    readonly bucket: aws.s3.Bucket;
    readonly versioning: aws.s3.BucketVersioning;
    readonly encryptionConfiguration: aws.s3.BucketServerSideEncryptionConfiguration;
    readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
    readonly ownershipControls: aws.s3.BucketOwnershipControls;
    readonly policy: aws.s3.BucketPolicy;
    /** The bucket policy document (JSON), known at preview when every additional statement is. */
    readonly policyDocument: pulumi.Output<string>;
    readonly lifecycleConfiguration: aws.s3.BucketLifecycleConfiguration;
    readonly logging?: aws.s3.BucketLogging;
    readonly inventory?: aws.s3.Inventory;
    readonly objectLockConfiguration?: aws.s3.BucketObjectLockConfiguration;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:storage:SecureBucket", name, {}, opts);
        const { naming } = args;
        const encryption = args.encryption ?? "kms";
        const objectLock = args.objectLock ?? { enabled: false, mode: "GOVERNANCE", retentionDays: 1 };
        const protect = args.protect ?? false;
        const forceDestroy = args.forceDestroy ?? false;
        const receivesAccessLogs = args.receivesAccessLogs ?? false;
        const receivesInventory = args.receivesInventory ?? false;
        const what = `SecureBucket '${name}'`;

        if (encryption === "kms" && !args.kmsKey) {
            throw new Error(`${what}: kmsKey is required when encryption is "kms" (a customer-managed key, HIPAA 164.312(a)(2)(iv)), got none`);
        }
        if (forceDestroy && protect) {
            throw new Error(`${what}: forceDestroy must be false when protect is true (prod buckets are never emptied by a destroy), got true`);
        }
        if (receivesAccessLogs && encryption !== "sse-s3") {
            throw new Error(`${what}: receivesAccessLogs needs encryption "sse-s3" (S3 cannot deliver server access logs to a bucket whose default encryption is SSE-KMS), got "${encryption}"`);
        }
        if (receivesAccessLogs && objectLock.enabled) {
            throw new Error(`${what}: objectLock.enabled must be false on a server access log target (S3 does not deliver access logs to buckets with Object Lock), got true`);
        }
        if (args.accessLogBucketName !== undefined && args.accessLogBucketName === bucketName(naming, args.purpose)) {
            throw new Error(`${what}: accessLogBucketName is the bucket itself ('${args.accessLogBucketName}'); logging a bucket into itself loops forever`);
        }
        if (objectLock.enabled && (!Number.isInteger(objectLock.retentionDays) || objectLock.retentionDays < 1)) {
            throw new Error(`${what}: objectLock.retentionDays must be a positive whole number of days, got ${objectLock.retentionDays}`);
        }

        this.bucketName = bucketName(naming, args.purpose);
        this.bucketArn = bucketArn(naming, this.bucketName);
        const objectsArn = bucketObjectsArn(naming, this.bucketName);
        const child = { parent: this };
        const stateful = { parent: this, protect };

        this.bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            {
                bucket: this.bucketName,
                // Object Lock can only be switched on when the bucket is created; changing this replaces the bucket.
                objectLockEnabled: objectLock.enabled,
                forceDestroy,
                tags: classificationTags(args.dataClassification, args.tags ?? {}),
            },
            stateful,
        );
        // The deterministic name, as an output of the bucket: known at preview, and a recorded property dependency.
        const bucketRef = this.bucket.bucket;

        this.ownershipControls = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucketRef, rule: { objectOwnership: "BucketOwnerEnforced" } },
            child,
        );
        this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: bucketRef, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            child,
        );
        // Protected with the bucket: deleting this resource would suspend versioning on a bucket that holds PHI.
        this.versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucketRef, versioningConfiguration: { status: "Enabled" } }, stateful);

        const kmsKeyArn = args.kmsKey?.arn;
        this.encryptionConfiguration = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucketRef,
                rules: [
                    encryption === "kms"
                        ? {
                              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
                              // One KMS call per bucket key period instead of per object: KMS request cost and throttling.
                              bucketKeyEnabled: true,
                              // SSE-C: the object key would be the caller's, outside KMS audit and revocation.
                              blockedEncryptionTypes: ["SSE-C"],
                          }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, blockedEncryptionTypes: ["SSE-C"] },
                ],
            },
            child,
        );

        // Bucket policy: deterministic ARNs only, so the document is known at preview.
        const everything = [this.bucketArn, objectsArn];
        const statements: PolicyStatement[] = [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: everything,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "DenyOutdatedTls",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: everything,
                Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
            },
        ];
        if (args.requireKmsUploads ?? encryption === "kms") {
            statements.push(...kmsUploadStatements(naming, objectsArn, args.kmsKey));
        }
        const sourcePattern = args.deliverySourceBucketArnPattern ?? `arn:${naming.partition}:s3:::${naming.prefix}-${naming.environment}-*`;
        if (receivesAccessLogs) {
            statements.push({
                Sid: "S3ServerAccessLogsPolicy",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${this.bucketArn}/${ACCESS_LOG_PREFIX}*`,
                Condition: { StringEquals: { "aws:SourceAccount": naming.accountId }, ArnLike: { "aws:SourceArn": sourcePattern } },
            });
        }
        if (receivesInventory) {
            statements.push({
                Sid: "S3InventoryDelivery",
                Effect: "Allow",
                Principal: { Service: "s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${this.bucketArn}/${INVENTORY_PREFIX}/*`,
                Condition: {
                    StringEquals: { "aws:SourceAccount": naming.accountId, "s3:x-amz-acl": "bucket-owner-full-control" },
                    ArnLike: { "aws:SourceArn": sourcePattern },
                },
            });
        }
        statements.push(...(args.additionalPolicyStatements ?? []));
        this.policyDocument = policyJson(statements);
        this.policy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            { bucket: bucketRef, policy: this.policyDocument },
            // S3 evaluates a new policy against Block Public Access; apply the block first.
            { parent: this, dependsOn: [this.publicAccessBlock] },
        );

        this.lifecycleConfiguration = new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucketRef,
                // Objects under 128 KiB are not transitioned: the per-object transition fee exceeds what IA saves.
                transitionDefaultMinimumObjectSize: "all_storage_classes_128K",
                rules: [lifecycleRule(args.lifecycle)],
            },
            // Noncurrent-version rules act on versions, so versioning is on first.
            { parent: this, dependsOn: [this.versioning] },
        );

        if (args.accessLogBucketName !== undefined) {
            this.logging = new aws.s3.BucketLogging(
                `${name}-access-logging`,
                {
                    bucket: bucketRef,
                    targetBucket: args.accessLogBucketName,
                    targetPrefix: ACCESS_LOG_PREFIX,
                    // <prefix><account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/: one partition per bucket and day for Athena.
                    targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
                },
                child,
            );
        }

        if (args.inventoryBucketName !== undefined) {
            const reportKey = args.inventoryEncryptionKey ?? args.kmsKey;
            this.inventory = new aws.s3.Inventory(
                `${name}-inventory`,
                {
                    bucket: bucketRef,
                    name: INVENTORY_CONFIGURATION_NAME,
                    enabled: true,
                    // Every version: evidence of what a noncurrent or locked version is encrypted with, too.
                    includedObjectVersions: "All",
                    schedule: { frequency: "Daily" },
                    optionalFields: [...INVENTORY_FIELDS],
                    destination: {
                        bucket: {
                            bucketArn: bucketArn(naming, args.inventoryBucketName),
                            accountId: naming.accountId,
                            format: "Parquet",
                            prefix: INVENTORY_PREFIX,
                            encryption: reportKey ? { sseKms: { keyId: reportKey.arn } } : undefined,
                        },
                    },
                },
                child,
            );
        }

        if (objectLock.enabled) {
            this.objectLockConfiguration = new aws.s3.BucketObjectLockConfiguration(
                `${name}-object-lock`,
                {
                    bucket: bucketRef,
                    rule: { defaultRetention: { mode: objectLock.mode, days: objectLock.retentionDays } },
                },
                { parent: this, protect, dependsOn: [this.versioning] },
            );
        }

        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, policyDocument: this.policyDocument });
    }
}

/**
 * Upload-encryption statements of an SSE-KMS bucket.
 *
 * A request without `x-amz-server-side-encryption` is encrypted with the bucket default (this bucket's key) and is
 * allowed. Denied: another algorithm (AES256, DSSE), `aws:kms` without a key id (S3 would use `aws/s3`), and a key
 * id that is not a key of this account and region or this bucket's alias. The exact key ARN is not used because it
 * is unknown until the key exists, which would leave the whole bucket policy unknown in every first preview; the
 * default encryption and the key policy pin the key, these statements keep callers from choosing a foreign one.
 * S3 compares the header as sent, so callers that name the key pass its ARN (or the alias ARN), as AWS recommends.
 */
function kmsUploadStatements(naming: NamingContext, objectsArn: string, key: KeyRef | undefined): PolicyStatement[] {
    const acceptedKeys = [`arn:${naming.partition}:kms:${naming.region}:${naming.accountId}:key/*`];
    if (key) {
        acceptedKeys.push(`arn:${naming.partition}:kms:${naming.region}:${naming.accountId}:${key.aliasName}`);
    }
    return [
        {
            Sid: "DenyNonKmsEncryptionHeader",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: objectsArn,
            // Null=false: only a request that names an algorithm; without the header the bucket default applies.
            Condition: {
                Null: { "s3:x-amz-server-side-encryption": "false" },
                StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
            },
        },
        {
            Sid: "DenyKmsWithoutKeyId",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: objectsArn,
            Condition: {
                StringEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
                Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "true" },
            },
        },
        {
            Sid: "DenyForeignKmsKey",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: objectsArn,
            Condition: {
                Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
                StringNotLike: { "s3:x-amz-server-side-encryption-aws-kms-key-id": acceptedKeys },
            },
        },
    ];
}

/**
 * The one whole-bucket rule. Noncurrent versions follow the current objects' tiers only when they live long enough
 * to pay for it: STANDARD_IA after S3's 30-day minimum, the archive class only when the version outlives the class's
 * minimum storage duration (otherwise the early-deletion charge exceeds the saving).
 */
export function lifecycleRule(l: LifecycleSettings): aws.types.input.s3.BucketLifecycleConfigurationRule {
    const noncurrentTransitions: aws.types.input.s3.BucketLifecycleConfigurationRuleNoncurrentVersionTransition[] = [];
    if (l.noncurrentVersionExpirationDays > S3_MIN_IA_DAYS) {
        noncurrentTransitions.push({ noncurrentDays: S3_MIN_IA_DAYS, storageClass: "STANDARD_IA" });
        const archiveAt = S3_MIN_IA_DAYS + (l.archiveDays - l.infrequentAccessDays);
        if (archiveAt + ARCHIVE_MINIMUM_DAYS[l.archiveStorageClass] <= l.noncurrentVersionExpirationDays) {
            noncurrentTransitions.push({ noncurrentDays: archiveAt, storageClass: l.archiveStorageClass });
        }
    }
    return {
        id: "tier-archive-expire-noncurrent",
        status: "Enabled",
        // An empty filter is the whole bucket (a prefix, tag or size filter would leave objects uncovered).
        filter: {},
        transitions: [
            { days: l.infrequentAccessDays, storageClass: "STANDARD_IA" },
            { days: l.archiveDays, storageClass: l.archiveStorageClass },
        ],
        noncurrentVersionTransitions: noncurrentTransitions.length > 0 ? noncurrentTransitions : undefined,
        noncurrentVersionExpiration: { noncurrentDays: l.noncurrentVersionExpirationDays },
        // Removes delete markers left without versions, so listings and inventory stay small.
        expiration: { expiredObjectDeleteMarker: true },
        abortIncompleteMultipartUpload: { daysAfterInitiation: l.abortIncompleteMultipartUploadDays },
    };
}
