/**
 * The S3 policies of the pack: one stack policy per file, each joining the split S3 resources to their
 * bucket through lib/s3/buckets.ts. Importable without starting the analyzer server.
 */
import { Policies } from "@pulumi/policy";
import { s3BucketAccessLogging } from "./s3-bucket-access-logging";
import { s3BucketKmsEncryption } from "./s3-bucket-kms-encryption";
import { s3BucketLifecycleRules } from "./s3-bucket-lifecycle-rules";
import { s3BucketOwnerEnforced } from "./s3-bucket-owner-enforced";
import { s3BucketPublicAccessBlock } from "./s3-bucket-public-access-block";
import { s3BucketTlsOnlyPolicy } from "./s3-bucket-tls-only-policy";
import { s3BucketVersioning } from "./s3-bucket-versioning";
import { s3MaciePhiDiscovery } from "./s3-macie-phi-discovery";

export {
    s3BucketAccessLogging,
    s3BucketKmsEncryption,
    s3BucketLifecycleRules,
    s3BucketOwnerEnforced,
    s3BucketPublicAccessBlock,
    s3BucketTlsOnlyPolicy,
    s3BucketVersioning,
    s3MaciePhiDiscovery,
};

/** Mandatory families first (encryption, TLS, Macie, lifecycle), then the advisory controls. */
export const s3Policies: Policies = [
    s3BucketKmsEncryption,
    s3BucketTlsOnlyPolicy,
    s3MaciePhiDiscovery,
    s3BucketLifecycleRules,
    s3BucketPublicAccessBlock,
    s3BucketOwnerEnforced,
    s3BucketVersioning,
    s3BucketAccessLogging,
];
