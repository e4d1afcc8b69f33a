/**
 * The explicit AWS provider every component uses.
 *
 * Explicit rather than the ambient default provider so that the account and region are pinned by the
 * stack's config (a deploy with credentials for another account fails instead of writing PHI there), and
 * so that the standard tags apply to every taggable resource through `defaultTags`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NamingContext } from "./naming";

export interface PlatformProviderArgs {
    naming: NamingContext;
    /** Tags applied to every taggable resource (see `standardTags`). */
    defaultTags: Record<string, string>;
}

export function createPlatformProvider(name: string, args: PlatformProviderArgs, opts?: pulumi.CustomResourceOptions): aws.Provider {
    return new aws.Provider(
        name,
        {
            region: args.naming.region as aws.Region,
            allowedAccountIds: [args.naming.accountId],
            defaultTags: { tags: args.defaultTags },
        },
        opts,
    );
}
