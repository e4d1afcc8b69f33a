/**
 * SecureBucket: the only way the platform creates an S3 bucket.
 *
 * CONTRACT (implementation in progress by the security engineer; other areas may already construct it):
 * args and public fields below are fixed; the constructor body is filled in by issue 4.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LifecycleSettings, ObjectLockSettings } from "../shared/config";
import { bucketArn, NamingContext } from "../shared/naming";
import { DataClassification } from "../shared/tags";
import { KeyRef } from "../shared/refs";

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
    additionalPolicyStatements?: pulumi.Input<aws.types.input.iam.GetPolicyDocumentStatementArgs>[];
    /** Deny uploads without SSE-KMS with this bucket's key. @default true when `encryption` is `kms` */
    requireKmsUploads?: boolean;
    /** Put `protect` on the bucket (prod). @default false */
    protect?: boolean;
    /** Allow deleting a non-empty bucket (never in prod). @default false */
    forceDestroy?: boolean;
    /** Extra tags on the bucket. */
    tags?: Record<string, string>;
}

export class SecureBucket extends pulumi.ComponentResource {
    /** Deterministic physical name, known at preview. */
    readonly bucketName: string;
    /** `arn:<partition>:s3:::<name>`, known at preview. */
    readonly bucketArn: string;
    readonly bucket: aws.s3.Bucket;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:storage:SecureBucket", name, {}, opts);
        this.bucketName = `${args.naming.prefix}-${args.naming.environment}-${args.purpose}-${args.naming.accountId}-${args.naming.region}`;
        this.bucketArn = bucketArn(args.naming, this.bucketName);
        this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: this.bucketName }, { parent: this });
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
