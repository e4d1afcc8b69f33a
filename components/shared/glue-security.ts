/**
 * The platform's one Glue security configuration shape (a helper, not a component): what Glue crawlers and jobs
 * write is encrypted with customer-managed keys (HIPAA 164.312(a)(2)(iv)):
 * - S3 output with SSE-KMS and the data-lake key;
 * - CloudWatch Logs of crawlers and jobs with the logs key (Glue associates the key with its log groups);
 * - job bookmarks client-side (CSE-KMS) with the data-lake key (bookmarks name source rows and paths).
 *
 * Used by `BatchEtl` (its crawler and job) and by `AnalyticsCatalog` (its crawler) when no batch configuration
 * exists to share; each caller keeps its own resource name, so building it here changes no URN.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformKeyRefs } from "./refs";

export interface GlueSecurityConfigurationArgs {
    /** Physical name (Glue security configuration names are unique per account and region). */
    name: string;
    keys: Pick<PlatformKeyRefs, "dataLake" | "logs">;
}

/** Registers the security configuration as the child `resourceName` of `opts.parent`. */
export function glueSecurityConfiguration(resourceName: string, args: GlueSecurityConfigurationArgs, opts: pulumi.CustomResourceOptions): aws.glue.SecurityConfiguration {
    return new aws.glue.SecurityConfiguration(
        resourceName,
        {
            name: args.name,
            encryptionConfiguration: {
                s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: args.keys.dataLake.arn },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: args.keys.logs.arn },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: args.keys.dataLake.arn },
            },
        },
        opts,
    );
}
