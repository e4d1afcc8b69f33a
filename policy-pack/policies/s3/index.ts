/**
 * The S3 policies of the pack: one stack policy per file, each joining the split S3 resources to their
 * bucket through lib/s3-index.ts. Importable without starting the analyzer server.
 */
import { Policies } from "@pulumi/policy";
import { s3BucketAccessLogging } from "./bucket-access-logging";
import { s3BucketKmsEncryption } from "./bucket-kms-encryption";
import { s3BucketLifecycleRules } from "./bucket-lifecycle";
import { s3BucketOwnerEnforced } from "./bucket-owner-enforced";
import { s3BucketPublicAccessBlock } from "./bucket-public-access-block";
import { s3BucketTlsOnlyPolicy } from "./bucket-tls-only";
import { s3BucketVersioning } from "./bucket-versioning";
import { s3MaciePhiDiscovery } from "./macie-phi-discovery";

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
