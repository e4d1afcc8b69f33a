/**
 * Stacks for the S3 policy specs, in every shape an organisation has: @pulumi/aws v7 `Bucket` with split
 * resources, v6 `BucketV2` with `*V2` side resources, deprecated inline bucket properties (v7 and v6
 * spellings) and `aws-native:s3:Bucket` with `aws-native:s3:BucketPolicy`.
 *
 * Each builder returns what the engine hands a stack policy: outputs after `up`, or at preview the same
 * resources with provider-computed values (ids, ARNs, `tagsAll`, a KMS key's ARN) replaced by the unknown
 * sentinel and side resources joined to their bucket only through `propertyDependencies`, exactly as
 * `bucket: bucket.id` records them. Names stay known because the platform sets them deterministically.
 */
import { FakeProvider, FakeStackResource, UNKNOWN } from "../helpers";

export const T = {
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    nativeBucket: "aws-native:s3:Bucket",
    nativePolicy: "aws-native:s3:BucketPolicy",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    sseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    lifecycleV2: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    accountPab: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    logging: "aws:s3/bucketLogging:BucketLogging",
    loggingV2: "aws:s3/bucketLoggingV2:BucketLoggingV2",
    objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    key: "aws:kms/key:Key",
    macieAccount: "aws:macie2/account:Account",
    macieSession: "aws-native:macie:Session",
    macieJob: "aws:macie2/classificationJob:ClassificationJob",
    trail: "aws:cloudtrail/trail:Trail",
    lb: "aws:lb/loadBalancer:LoadBalancer",
} as const;

export const REGION = "us-east-1";
export const ACCOUNT = "111122223333";
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b7e4c1e-1111-2222-3333-444455556666`;
export const KEY = "data-key";

/** The platform's provider: region and `defaultTags` (JSON text, as @pulumi/aws stores provider inputs). */
export const AWS_PROVIDER: FakeProvider = {
    props: { region: REGION, defaultTags: JSON.stringify({ tags: { "data-classification": "phi", environment: "dev", owner: "data-team" } }) },
};
export const NATIVE_PROVIDER: FakeProvider = {
    type: "pulumi:providers:aws-native",
    name: "default_1_0_0",
    props: { region: REGION, defaultTags: JSON.stringify({ tags: { "data-classification": "phi" } }) },
};

export type Shape = "v7" | "v6" | "v7-inline" | "v6-inline" | "native";
export const SHAPES: readonly Shape[] = ["v7", "v6", "v7-inline", "v6-inline", "native"];

export interface BucketOptions {
    shape?: Shape;
    preview?: boolean;
    /** Default encryption: customer-managed KMS key (default), SSE-S3, or nothing declared. */
    sse?: "kms" | "sse-s3" | "none";
    /** Physical name of the bucket that receives this bucket's server access logs. */
    logTo?: string;
    /** Bucket tags (the provider's defaultTags add data-classification=phi). */
    tags?: Record<string, string>;
    /** Replace the bucket policy document (object or JSON text); `null` for no policy. */
    policy?: unknown;
    /** Replace the lifecycle rules (in the shape's own spelling); `null` for no lifecycle configuration. */
    lifecycleRules?: unknown[] | null;
}

/** The two TLS statements the pack requires, for the bucket `name`. */
export function tlsStatements(name: string, partition = "aws"): Record<string, unknown>[] {
    const resources = [`arn:${partition}:s3:::${name}`, `arn:${partition}:s3:::${name}/*`];
    return [
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: resources, Condition: { Bool: { "aws:SecureTransport": "false" } } },
        { Sid: "DenyOutdatedTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: resources, Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
    ];
}

export function tlsDocument(name: string, extra: Record<string, unknown>[] = []): Record<string, unknown> {
    return { Version: "2012-10-17", Statement: [...tlsStatements(name), ...extra] };
}

/** A v7/v6 split lifecycle rule that meets the defaults (90 days to IA, 365 to archive). */
export function splitLifecycleRule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        id: "tiering",
        status: "Enabled",
        filter: {},
        transitions: [
            { days: 30, storageClass: "STANDARD_IA" },
            { days: 180, storageClass: "GLACIER" },
        ],
        noncurrentVersionExpiration: { noncurrentDays: 90 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        ...overrides,
    };
}

function inlineLifecycleRule(shape: "v7-inline" | "v6-inline"): Record<string, unknown> {
    const base = {
        id: "tiering",
        enabled: true,
        transitions: [
            { days: 30, storageClass: "INTELLIGENT_TIERING" },
            { days: 365, storageClass: "DEEP_ARCHIVE" },
        ],
        abortIncompleteMultipartUploadDays: 7,
    };
    return shape === "v7-inline" ? { ...base, noncurrentVersionExpiration: { days: 90 } } : { ...base, noncurrentVersionExpirations: [{ days: 90 }] };
}

function nativeLifecycleRule(): Record<string, unknown> {
    return {
        id: "tiering",
        status: "Enabled",
        transitions: [
            { storageClass: "STANDARD_IA", transitionInDays: 30 },
            { storageClass: "GLACIER_IR", transitionInDays: 120 },
        ],
        noncurrentVersionExpiration: { noncurrentDays: 90 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    };
}

/** One bucket with everything the pack asks for, in the given shape. */
export function bucketSet(logical: string, name: string, opts: BucketOptions = {}): FakeStackResource[] {
    const shape = opts.shape ?? "v7";
    const preview = opts.preview ?? false;
    const sse = opts.sse ?? "kms";
    const known = <V>(v: V): V | string => (preview ? UNKNOWN : v);
    const keyId = known(KEY_ARN);
    const byDefault = sse === "kms" ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyId } : { sseAlgorithm: "AES256" };
    const doc = opts.policy === undefined ? JSON.stringify(tlsDocument(name)) : opts.policy;
    const tags = { component: "data-lake", ...opts.tags };
    const sideProps = { bucket: known(name) };
    const sideDeps = { bucket: [logical] };
    const out: FakeStackResource[] = [];

    if (shape === "native") {
        const props: Record<string, unknown> = {
            bucketName: name,
            arn: known(`arn:aws:s3:::${name}`),
            tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
            publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            versioningConfiguration: { status: "Enabled" },
            ownershipControls: { rules: [{ objectOwnership: "BucketOwnerEnforced" }] },
        };
        if (sse !== "none") {
            props.bucketEncryption = { serverSideEncryptionConfiguration: [{ bucketKeyEnabled: true, serverSideEncryptionByDefault: byDefault }] };
        }
        if (opts.lifecycleRules !== null) {
            props.lifecycleConfiguration = { rules: opts.lifecycleRules ?? [nativeLifecycleRule()] };
        }
        if (opts.logTo) {
            props.loggingConfiguration = { destinationBucketName: opts.logTo, logFilePrefix: `${name}/` };
        }
        out.push({ type: T.nativeBucket, name: logical, props, provider: NATIVE_PROVIDER, propertyDependencies: { bucketEncryption: sse === "kms" ? [KEY] : [] } });
        if (doc !== null) {
            const document = typeof doc === "string" ? JSON.parse(doc) : doc;
            out.push({ type: T.nativePolicy, name: `${logical}-policy`, props: { bucket: name, policyDocument: document }, provider: NATIVE_PROVIDER, propertyDependencies: sideDeps });
        }
        return out;
    }

    const v6 = shape === "v6" || shape === "v6-inline";
    const inline = shape === "v7-inline" || shape === "v6-inline";
    const bucketProps: Record<string, unknown> = {
        bucket: name,
        id: known(name),
        arn: known(`arn:aws:s3:::${name}`),
        region: REGION,
        tags,
        tagsAll: known({ ...JSON.parse(AWS_PROVIDER.props.defaultTags as string).tags, ...tags }),
    };
    const bucketDeps: Record<string, string[]> = {};
    if (inline) {
        if (shape === "v7-inline") {
            if (sse !== "none") {
                bucketProps.serverSideEncryptionConfiguration = { rule: { applyServerSideEncryptionByDefault: byDefault, bucketKeyEnabled: true } };
                bucketDeps.serverSideEncryptionConfiguration = sse === "kms" ? [KEY] : [];
            }
            bucketProps.versioning = { enabled: true, mfaDelete: false };
            if (opts.logTo) {
                bucketProps.logging = { targetBucket: opts.logTo, targetPrefix: `${name}/` };
            }
        } else {
            if (sse !== "none") {
                bucketProps.serverSideEncryptionConfigurations = [{ rules: [{ applyServerSideEncryptionByDefaults: [byDefault], bucketKeyEnabled: true }] }];
                bucketDeps.serverSideEncryptionConfigurations = sse === "kms" ? [KEY] : [];
            }
            bucketProps.versionings = [{ enabled: true, mfaDelete: false }];
            if (opts.logTo) {
                bucketProps.loggings = [{ targetBucket: opts.logTo, targetPrefix: `${name}/` }];
            }
        }
        if (opts.lifecycleRules !== null) {
            bucketProps.lifecycleRules = opts.lifecycleRules ?? [inlineLifecycleRule(shape)];
        }
        if (doc !== null) {
            bucketProps.policy = typeof doc === "string" ? doc : JSON.stringify(doc);
        }
    }
    out.push({ type: v6 ? T.bucketV2 : T.bucket, name: logical, props: bucketProps, provider: AWS_PROVIDER, propertyDependencies: bucketDeps });
    if (!inline) {
        if (sse !== "none") {
            out.push({
                type: v6 ? T.sseV2 : T.sse,
                name: `${logical}-sse`,
                props: { ...sideProps, rules: [{ applyServerSideEncryptionByDefault: byDefault, bucketKeyEnabled: true }] },
                provider: AWS_PROVIDER,
                propertyDependencies: { ...sideDeps, rules: sse === "kms" ? [KEY] : [] },
            });
        }
        if (doc !== null) {
            out.push({ type: T.policy, name: `${logical}-policy`, props: { ...sideProps, policy: doc }, provider: AWS_PROVIDER, propertyDependencies: sideDeps });
        }
        if (opts.lifecycleRules !== null) {
            out.push({
                type: v6 ? T.lifecycleV2 : T.lifecycle,
                name: `${logical}-lifecycle`,
                props: { ...sideProps, rules: opts.lifecycleRules ?? [splitLifecycleRule()] },
                provider: AWS_PROVIDER,
                propertyDependencies: sideDeps,
            });
        }
        out.push({
            type: v6 ? T.versioningV2 : T.versioning,
            name: `${logical}-versioning`,
            props: { ...sideProps, versioningConfiguration: { status: "Enabled" } },
            provider: AWS_PROVIDER,
            propertyDependencies: sideDeps,
        });
        if (opts.logTo) {
            out.push({
                type: v6 ? T.loggingV2 : T.logging,
                name: `${logical}-logging`,
                props: { ...sideProps, targetBucket: opts.logTo, targetPrefix: `${name}/` },
                provider: AWS_PROVIDER,
                propertyDependencies: sideDeps,
            });
        }
    }
    out.push({
        type: T.pab,
        name: `${logical}-pab`,
        props: { ...sideProps, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        provider: AWS_PROVIDER,
        propertyDependencies: sideDeps,
    });
    out.push({
        type: T.ownership,
        name: `${logical}-ownership`,
        props: { ...sideProps, rule: { objectOwnership: "BucketOwnerEnforced" } },
        provider: AWS_PROVIDER,
        propertyDependencies: sideDeps,
    });
    return out;
}

export const LOGS_NAME = "hdp-dev-access-logs-111122223333-us-east-1";
export const DATA_NAME = "hdp-dev-raw-111122223333-us-east-1";

export function kmsKey(preview = false): FakeStackResource {
    return { type: T.key, name: KEY, props: { arn: preview ? UNKNOWN : KEY_ARN, enableKeyRotation: true }, provider: AWS_PROVIDER };
}

export function macieAccount(status: string | undefined = "ENABLED"): FakeStackResource {
    return { type: T.macieAccount, name: "macie", props: status === undefined ? {} : { status }, provider: AWS_PROVIDER };
}

/** A scheduled classification job selecting PHI buckets by tag (the platform's convention). */
export function macieJob(overrides: Record<string, unknown> = {}): FakeStackResource {
    return {
        type: T.macieJob,
        name: "phi-discovery",
        props: {
            jobType: "SCHEDULED",
            scheduleFrequency: { dailySchedule: true },
            s3JobDefinition: { bucketCriteria: { includes: { ands: [{ tagCriterion: { comparator: "EQ", tagValues: [{ key: "data-classification", value: "phi" }] } }] } } },
            ...overrides,
        },
        provider: AWS_PROVIDER,
    };
}

/** A compliant stack: KMS key, Macie, an SSE-S3 access-log bucket (v7) and one PHI data bucket in `shape`. */
export function compliantStack(shape: Shape, preview = false): FakeStackResource[] {
    return [
        kmsKey(preview),
        macieAccount(),
        macieJob(),
        ...bucketSet("access-logs", LOGS_NAME, { preview, sse: "sse-s3", tags: { "data-classification": "confidential" } }),
        ...bucketSet("raw", DATA_NAME, { shape, preview, logTo: LOGS_NAME }),
    ];
}

/** Replaces the props of the resource named `name` (shallow merge) in a copy of `stack`. */
export function patch(stack: FakeStackResource[], name: string, props: Record<string, unknown>): FakeStackResource[] {
    let found = false;
    const out = stack.map((r) => {
        if (r.name !== name) {
            return r;
        }
        found = true;
        return { ...r, props: { ...r.props, ...props } };
    });
    if (!found) {
        throw new Error(`fixture has no resource named ${name}`);
    }
    return out;
}

/** A copy of `stack` without the resources named in `names`. */
export function without(stack: FakeStackResource[], ...names: string[]): FakeStackResource[] {
    for (const n of names) {
        if (!stack.some((r) => r.name === n)) {
            throw new Error(`fixture has no resource named ${n}`);
        }
    }
    return stack.filter((r) => !names.includes(r.name ?? ""));
}
