/**
 * One linear-time index of every S3 bucket in a stack and the resources that configure it, for all the
 * shapes an organisation has:
 *
 * - `@pulumi/aws` v7 `aws:s3/bucket:Bucket` with the split resources (`BucketServerSideEncryptionConfiguration`,
 *   `BucketPolicy`, `BucketLifecycleConfiguration`, `BucketVersioning`, `BucketPublicAccessBlock`,
 *   `BucketOwnershipControls`, `BucketLogging`, `BucketObjectLockConfiguration`);
 * - v6 `aws:s3/bucketV2:BucketV2` with its `*V2` side resources (v7 still ships them, deprecated);
 * - deprecated inline bucket properties (`serverSideEncryptionConfiguration(s)`, `lifecycleRules`, `policy`,
 *   `versioning(s)`, `logging(s)`), read only when no split resource of that kind manages the bucket;
 * - `aws-native:s3:Bucket` (CloudFormation shape) and `aws-native:s3:BucketPolicy`.
 *
 * Side resources are joined to their bucket through `propertyDependencies` first (the engine records them for
 * every input computed from another resource, so the join works in preview when the bucket's id is unknown),
 * then through the resolved bucket name or id. Two passes over the resources and hash-map lookups: time is
 * linear in resources plus property dependencies.
 */
import { PolicyResource } from "@pulumi/policy";
import { partitionOf, propsOf, regionOf, StackIndex } from "../resources";
import { get, isRecord, isUnknown, list, Record_, str, UNKNOWN, Unknown } from "../values";
import { providerDefaultTags } from "../tags";

export const BUCKET_TYPES = {
    "aws:s3/bucket:Bucket": "v7",
    "aws:s3/bucketV2:BucketV2": "v6",
    "aws-native:s3:Bucket": "native",
} as const;

export type BucketShape = (typeof BUCKET_TYPES)[keyof typeof BUCKET_TYPES];

export type SideKind = "encryption" | "policy" | "lifecycle" | "versioning" | "publicAccessBlock" | "ownership" | "logging" | "objectLock";

/** Side resource types and the input that names their bucket. */
export const SIDE_TYPES: Readonly<Record<string, SideKind>> = {
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "encryption",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "encryption",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws-native:s3:BucketPolicy": "policy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "lifecycle",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "lifecycle",
    "aws:s3/bucketVersioning:BucketVersioning": "versioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "versioning",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "publicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "ownership",
    "aws:s3/bucketLogging:BucketLogging": "logging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "logging",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "objectLock",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": "objectLock",
};

/** Stack-level resources the S3 policies consult. */
export const MACIE_ACCOUNT_TYPES = new Set(["aws:macie2/account:Account", "aws-native:macie:Session"]);
export const MACIE_JOB_TYPE = "aws:macie2/classificationJob:ClassificationJob";
export const TRAIL_TYPES = new Set(["aws:cloudtrail/trail:Trail", "aws:cloudtrail/eventDataStore:EventDataStore", "aws-native:cloudtrail:Trail"]);
export const ACCOUNT_PAB_TYPE = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
/** Load balancers whose access logs go to S3; ELB accepts only SSE-S3 on the log bucket. */
export const LOAD_BALANCER_TYPES = new Set(["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"]);

const SIDE_KINDS: readonly SideKind[] = ["encryption", "policy", "lifecycle", "versioning", "publicAccessBlock", "ownership", "logging", "objectLock"];

/** A side resource joined to a bucket. */
export interface SideResource {
    readonly resource: PolicyResource;
    readonly kind: SideKind;
    /** The resource's properties, unwrapped from the preview proxy (unknowns stay as sentinels). */
    readonly props: Record_;
    /** How the join was made, for messages and tests. */
    readonly joinedBy: "propertyDependencies" | "name";
    /** For `BucketLogging(V2)`: the target bucket, when it is in the stack. */
    target?: BucketEntry;
}

/** A source of server access logs or load-balancer logs that writes into a bucket. */
export interface LogSource {
    readonly resource: PolicyResource;
    readonly via: "BucketLogging" | "inline logging" | "load balancer";
}

/** Effective tags: provider `defaultTags`, then `tagsAll`, then the resource's own `tags`. */
export type TagMap = ReadonlyMap<string, string | Unknown>;

export interface BucketEntry {
    readonly resource: PolicyResource;
    readonly shape: BucketShape;
    readonly logicalName: string;
    /** Physical bucket name: known string, `UNKNOWN` at preview when generated, or `undefined`. */
    readonly name: string | Unknown | undefined;
    readonly props: Record_;
    readonly region: string | Unknown | undefined;
    readonly tags: TagMap | Unknown;
    readonly sides: Readonly<Record<SideKind, SideResource[]>>;
    /** Resources in this stack that deliver access logs into this bucket. */
    readonly logTargetOf: LogSource[];
    /** Server access logging configured inline on this bucket (deprecated inline `logging(s)` or native `loggingConfiguration`). */
    inlineLoggingTarget?: string | Unknown;
    /** The bucket of `inlineLoggingTarget`, when it is in the stack. */
    inlineLoggingTargetEntry?: BucketEntry;
}

export interface S3Index {
    readonly buckets: readonly BucketEntry[];
    readonly byUrn: ReadonlyMap<string, BucketEntry>;
    /** Side resources whose bucket reference is unknown at preview and has no property dependency. */
    readonly unresolved: Readonly<Record<SideKind, SideResource[]>>;
    readonly macieAccounts: readonly PolicyResource[];
    readonly classificationJobs: readonly PolicyResource[];
    readonly trails: readonly PolicyResource[];
    readonly accountPublicAccessBlocks: readonly PolicyResource[];
}

function emptySides(): Record<SideKind, SideResource[]> {
    const out = {} as Record<SideKind, SideResource[]>;
    for (const k of SIDE_KINDS) {
        out[k] = [];
    }
    return out;
}

/** Provider `defaultTags.tags` with their values (lib/tags.ts reads the provider's properties). */
function providerDefaultTagMap(r: PolicyResource): Map<string, string | Unknown> | Unknown {
    const out = new Map<string, string | Unknown>();
    if (!r.provider) {
        return out;
    }
    const tags = providerDefaultTags(r.provider.props);
    return mergeTagObject(out, tags) ? out : UNKNOWN;
}

function mergeTagObject(into: Map<string, string | Unknown>, tags: unknown): boolean {
    if (isUnknown(tags)) {
        return false;
    }
    if (isRecord(tags)) {
        for (const [k, v] of Object.entries(tags)) {
            const s = str(v);
            if (s !== undefined) {
                into.set(k, s);
            }
        }
    }
    return true;
}

function effectiveTags(r: PolicyResource, shape: BucketShape, props: Record_, cache: Map<string, Map<string, string | Unknown> | Unknown>): TagMap | Unknown {
    // One provider serves many buckets: parse its defaultTags once per index build.
    const key = r.provider?.urn ?? "";
    let defaults = cache.get(key);
    if (defaults === undefined) {
        defaults = providerDefaultTagMap(r);
        cache.set(key, defaults);
    }
    if (isUnknown(defaults)) {
        return UNKNOWN;
    }
    const out = new Map(defaults);
    if (shape === "native") {
        const tags = list(props.tags);
        if (isUnknown(tags)) {
            return UNKNOWN;
        }
        for (const t of tags) {
            const k = str(get(t, "key"));
            const v = str(get(t, "value"));
            if (typeof k === "string" && v !== undefined) {
                out.set(k, v);
            }
        }
        return out;
    }
    // `tagsAll` (an output) already merges the provider defaults; it may be computed at preview while
    // `tags` is known, so an unknown `tagsAll` is not fatal.
    mergeTagObject(out, props.tagsAll);
    if (!mergeTagObject(out, props.tags)) {
        return UNKNOWN;
    }
    return out;
}

/** `arn:aws:s3:::name` -> `name`; other strings unchanged. */
function bucketNameFromRef(ref: string): string {
    const m = /^arn:[^:]+:s3:::([^/]+)$/.exec(ref);
    return m ? m[1] : ref;
}

class IndexBuilder {
    readonly buckets: BucketEntry[] = [];
    readonly byUrn = new Map<string, BucketEntry>();
    private readonly byName = new Map<string, BucketEntry>();
    readonly unresolved = emptySides();
    private readonly providerTags = new Map<string, Map<string, string | Unknown> | Unknown>();

    addBucket(r: PolicyResource, shape: BucketShape): void {
        const props = propsOf(r);
        const nameProp = shape === "native" ? props.bucketName : props.bucket;
        let name: string | Unknown | undefined = str(nameProp);
        const id = str(props.id);
        if ((name === undefined || name === "" || isUnknown(name)) && typeof id === "string" && id !== "") {
            name = id;
        }
        if (name === "") {
            name = undefined;
        }
        const entry: BucketEntry = {
            resource: r,
            shape,
            logicalName: r.name,
            name,
            props,
            region: regionOf(r),
            tags: effectiveTags(r, shape, props, this.providerTags),
            sides: emptySides(),
            logTargetOf: [],
        };
        this.buckets.push(entry);
        this.byUrn.set(r.urn, entry);
        if (typeof name === "string") {
            this.byName.set(name, entry);
        }
        if (typeof id === "string" && id !== "" && id !== name) {
            this.byName.set(id, entry);
        }
    }

    /**
     * The bucket that `r`'s input `key` refers to: through property dependencies, then the resolved name.
     * `UNKNOWN` when the reference is unknown and no dependency names the bucket.
     */
    resolve(r: PolicyResource, key: string, value: unknown): { entry?: BucketEntry; joinedBy?: SideResource["joinedBy"]; unknown?: true } {
        const deps = r.propertyDependencies?.[key];
        if (deps) {
            for (const d of deps) {
                const e = this.byUrn.get(d.urn);
                if (e) {
                    return { entry: e, joinedBy: "propertyDependencies" };
                }
            }
        }
        const ref = str(value);
        if (isUnknown(ref)) {
            return { unknown: true };
        }
        if (typeof ref === "string" && ref !== "") {
            const e = this.byName.get(bucketNameFromRef(ref));
            if (e) {
                return { entry: e, joinedBy: "name" };
            }
        }
        return {};
    }

    addSide(r: PolicyResource, kind: SideKind): void {
        const props = propsOf(r);
        const found = this.resolve(r, "bucket", props.bucket);
        const side: SideResource = { resource: r, kind, props, joinedBy: found.joinedBy ?? "name" };
        if (found.entry) {
            found.entry.sides[kind].push(side);
        } else if (found.unknown) {
            this.unresolved[kind].push(side);
        }
        if (kind === "logging") {
            const target = this.resolve(r, "targetBucket", props.targetBucket);
            if (target.entry) {
                side.target = target.entry;
                target.entry.logTargetOf.push({ resource: r, via: "BucketLogging" });
            }
        }
    }

    /** Inline server access logging and ELB access logs: who writes logs into which bucket. */
    linkInlineLogging(e: BucketEntry): void {
        const p = e.props;
        let key: string;
        let targets: unknown[] | Unknown;
        if (e.shape === "native") {
            key = "loggingConfiguration";
            const cfg = p.loggingConfiguration;
            if (cfg === undefined || cfg === null) {
                return;
            }
            if (isUnknown(cfg)) {
                e.inlineLoggingTarget = UNKNOWN;
                return;
            }
            // CloudFormation delivers to the bucket itself when DestinationBucketName is omitted.
            const dest = str(get(cfg, "destinationBucketName")) ?? (typeof e.name === "string" ? e.name : UNKNOWN);
            targets = [dest];
        } else {
            key = e.shape === "v7" && p.logging !== undefined ? "logging" : "loggings";
            targets = list(p[key]);
            if (isUnknown(targets)) {
                e.inlineLoggingTarget = UNKNOWN;
                return;
            }
            targets = targets.map((t) => (isUnknown(t) ? UNKNOWN : get(t, "targetBucket")));
        }
        for (const t of targets) {
            const name = str(t);
            if (name === undefined || name === "") {
                continue;
            }
            e.inlineLoggingTarget = name;
            const found = this.resolve(e.resource, key, name);
            if (found.entry) {
                e.inlineLoggingTargetEntry = found.entry;
                found.entry.logTargetOf.push({ resource: e.resource, via: "inline logging" });
            }
        }
    }

    linkLoadBalancer(r: PolicyResource): void {
        const props = propsOf(r);
        for (const key of ["accessLogs", "connectionLogs"]) {
            const cfg = props[key];
            if (!isRecord(cfg)) {
                continue;
            }
            // Application and network load balancers default `enabled` to false; classic ELB to true.
            const enabled = get(cfg, "enabled");
            const isClassic = r.type === "aws:elb/loadBalancer:LoadBalancer";
            if (enabled === false || enabled === "false" || (!isClassic && enabled === undefined)) {
                continue;
            }
            const found = this.resolve(r, key, get(cfg, "bucket"));
            found.entry?.logTargetOf.push({ resource: r, via: "load balancer" });
        }
    }
}

/**
 * Builds the index in two passes: register buckets (so names resolve regardless of order), then join side
 * resources and collect the stack-level resources.
 */
export function buildS3Index(stack: StackIndex | readonly PolicyResource[]): S3Index {
    const resources = stack instanceof StackIndex ? stack.resources : stack;
    const b = new IndexBuilder();
    const macieAccounts: PolicyResource[] = [];
    const classificationJobs: PolicyResource[] = [];
    const trails: PolicyResource[] = [];
    const accountPublicAccessBlocks: PolicyResource[] = [];
    const loadBalancers: PolicyResource[] = [];
    for (const r of resources) {
        const shape = (BUCKET_TYPES as Readonly<Record<string, BucketShape>>)[r.type];
        if (shape) {
            b.addBucket(r, shape);
        }
    }
    for (const r of resources) {
        const kind = SIDE_TYPES[r.type];
        if (kind) {
            b.addSide(r, kind);
        } else if (MACIE_ACCOUNT_TYPES.has(r.type)) {
            macieAccounts.push(r);
        } else if (r.type === MACIE_JOB_TYPE) {
            classificationJobs.push(r);
        } else if (TRAIL_TYPES.has(r.type)) {
            trails.push(r);
        } else if (r.type === ACCOUNT_PAB_TYPE) {
            accountPublicAccessBlocks.push(r);
        } else if (LOAD_BALANCER_TYPES.has(r.type)) {
            loadBalancers.push(r);
        }
    }
    for (const e of b.buckets) {
        b.linkInlineLogging(e);
    }
    for (const lb of loadBalancers) {
        b.linkLoadBalancer(lb);
    }
    return {
        buckets: b.buckets,
        byUrn: b.byUrn,
        unresolved: b.unresolved,
        macieAccounts,
        classificationJobs,
        trails,
        accountPublicAccessBlocks,
    };
}

/** `'logical' (bucket physical-name)` for messages; says when the physical name is not known yet. */
export function bucketLabel(e: BucketEntry): string {
    if (typeof e.name === "string") {
        return e.name === e.logicalName ? `S3 bucket '${e.logicalName}'` : `S3 bucket '${e.logicalName}' (${e.name})`;
    }
    return `S3 bucket '${e.logicalName}' (name not known until apply)`;
}

/** `arn:<partition>:s3:::<name>` when the name is known. */
export function bucketArn(e: BucketEntry): string | Unknown {
    return typeof e.name === "string" ? `arn:${partitionOf(e.region)}:s3:::${e.name}` : UNKNOWN;
}
