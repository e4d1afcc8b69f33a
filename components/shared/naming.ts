/**
 * Deterministic physical names, known at preview time.
 *
 * Why not auto-naming: the provider's random suffix is unknown until the plan is computed, and `bucket.id`
 * or `bucket.arn` are unknown until the bucket exists. Bucket policies, IAM documents and Macie jobs that
 * refer to a bucket would then be unknown in `pulumi preview`, and the policy pack could not judge them
 * in a pull request. Every name here is a pure function of the stack's config.
 */
import * as crypto from "crypto";

/** What a name is derived from. All fields come from validated stack config. */
export interface NamingContext {
    /** Short project prefix, lowercase letters and digits (`hdp`). */
    prefix: string;
    /** Stack environment (`dev`, `staging`, `prod`). */
    environment: string;
    /** AWS region (`us-east-1`). */
    region: string;
    /** The one AWS account the stack may deploy to (12 digits). */
    accountId: string;
    /** AWS partition (`aws`, `aws-us-gov`, `aws-cn`). */
    partition: string;
}

/** Service naming rules: maximum length and the characters each service accepts. */
export interface NameRule {
    maxLength: number;
    /** Lowercase only (S3, RDS, ElastiCache, Redshift, OpenSearch). */
    lowercase: boolean;
    /** The name must start with a letter (RDS, ElastiCache, Redshift, OpenSearch). */
    startsWithLetter: boolean;
    /** Characters other than letters, digits and hyphens that the service accepts. */
    extraCharacters: string;
}

/**
 * Limits per service, from each service's API reference. A name that would exceed a limit is shortened and
 * given a hash of the full name, so two long names never collide after truncation.
 */
export const NAME_RULES = {
    s3: { maxLength: 63, lowercase: true, startsWithLetter: false, extraCharacters: "" },
    iam: { maxLength: 64, lowercase: false, startsWithLetter: false, extraCharacters: "_+=,.@" },
    lambda: { maxLength: 64, lowercase: false, startsWithLetter: false, extraCharacters: "_" },
    rds: { maxLength: 63, lowercase: true, startsWithLetter: true, extraCharacters: "" },
    elasticache: { maxLength: 40, lowercase: true, startsWithLetter: true, extraCharacters: "" },
    redshift: { maxLength: 63, lowercase: true, startsWithLetter: true, extraCharacters: "" },
    opensearch: { maxLength: 28, lowercase: true, startsWithLetter: true, extraCharacters: "" },
    firehose: { maxLength: 64, lowercase: false, startsWithLetter: false, extraCharacters: "_." },
    kinesis: { maxLength: 128, lowercase: false, startsWithLetter: false, extraCharacters: "_." },
    glue: { maxLength: 255, lowercase: true, startsWithLetter: false, extraCharacters: "_" },
    athena: { maxLength: 128, lowercase: false, startsWithLetter: false, extraCharacters: "_." },
    sns: { maxLength: 256, lowercase: false, startsWithLetter: false, extraCharacters: "_" },
    sqs: { maxLength: 80, lowercase: false, startsWithLetter: false, extraCharacters: "_" },
    dynamodb: { maxLength: 255, lowercase: false, startsWithLetter: false, extraCharacters: "_." },
    logGroup: { maxLength: 512, lowercase: false, startsWithLetter: false, extraCharacters: "_./#" },
    generic: { maxLength: 128, lowercase: false, startsWithLetter: false, extraCharacters: "_" },
} satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

function shortHash(value: string, length: number): string {
    return crypto.createHash("sha256").update(value).digest("hex").slice(0, length);
}

/**
 * Fits `full` to `rule`: disallowed characters become hyphens, and a name over the limit keeps its start
 * and ends with 8 hex characters of the full name's hash.
 */
export function fitName(full: string, rule: NameRule): string {
    const allowed = new RegExp(`[^A-Za-z0-9\\-${rule.extraCharacters.replace(/[\\\]^-]/g, "\\$&")}]`, "g");
    let name = full.replace(allowed, "-");
    if (rule.lowercase) {
        name = name.toLowerCase();
    }
    // RDS, ElastiCache and Redshift reject consecutive or trailing hyphens.
    name = name.replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "");
    if (rule.startsWithLetter && !/^[A-Za-z]/.test(name)) {
        name = `n${name}`;
    }
    if (name.length > rule.maxLength) {
        const hash = shortHash(full, 8);
        name = `${name.slice(0, rule.maxLength - hash.length - 1).replace(/-+$/, "")}-${hash}`;
    }
    return name;
}

/** `<prefix>-<environment>-<role>` fitted to the service's rule, e.g. `hdp-prod-curated-crawler`. */
export function resourceName(ctx: NamingContext, role: string, kind: NameKind = "generic"): string {
    return fitName(`${ctx.prefix}-${ctx.environment}-${role}`, NAME_RULES[kind]);
}

/**
 * Globally unique S3 bucket name: `<prefix>-<environment>-<purpose>-<account>-<region>`.
 * The account and region make it unique across AWS without a random suffix; S3 allows 3 to 63 characters,
 * lowercase letters, digits and hyphens (dots are avoided: they break virtual-hosted TLS certificates).
 */
export function bucketName(ctx: NamingContext, purpose: string): string {
    const suffix = `-${ctx.accountId}-${ctx.region}`;
    const head = fitName(`${ctx.prefix}-${ctx.environment}-${purpose}`, {
        ...NAME_RULES.s3,
        maxLength: NAME_RULES.s3.maxLength - suffix.length,
    });
    const name = `${head}${suffix}`;
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
        throw new Error(`bucket name '${name}' for purpose '${purpose}' does not satisfy S3's naming rules (3-63 lowercase letters, digits, hyphens)`);
    }
    return name;
}

/** ARN of a bucket by name; known at preview, unlike `bucket.arn`. */
export function bucketArn(ctx: Pick<NamingContext, "partition">, name: string): string {
    return `arn:${ctx.partition}:s3:::${name}`;
}

/** ARN covering every object of a bucket. */
export function bucketObjectsArn(ctx: Pick<NamingContext, "partition">, name: string): string {
    return `${bucketArn(ctx, name)}/*`;
}

/** ARN of a resource in this stack's account and region, e.g. `arn(ctx, "kinesis", "stream/x")`. */
export function regionalArn(ctx: NamingContext, service: string, resource: string): string {
    return `arn:${ctx.partition}:${service}:${ctx.region}:${ctx.accountId}:${resource}`;
}

/** ARN of a global (IAM) resource in this stack's account. */
export function globalArn(ctx: NamingContext, service: string, resource: string): string {
    return `arn:${ctx.partition}:${service}::${ctx.accountId}:${resource}`;
}

/** The account's root principal ARN, used in key policies. */
export function accountRootArn(ctx: NamingContext): string {
    return globalArn(ctx, "iam", "root");
}
