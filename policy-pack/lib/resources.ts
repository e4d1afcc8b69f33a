/**
 * Indexes for stack policies. Every index is built in one pass over the stack (hash maps), so a stack
 * policy runs in time linear in the number of resources and property dependencies; no policy scans the
 * resource list once per resource.
 *
 * Joins go through property dependencies first: they are recorded by the engine for every input that
 * came from another resource's output, so they work in preview when ids and generated names are still
 * unknown. Resolved names are the fallback for references written as plain strings.
 */
import { PolicyResource } from "@pulumi/policy";
import { get, isRecord, probe, raw, Record_, str, Unknown } from "./values";

export class StackIndex {
    private readonly byType = new Map<string, PolicyResource[]>();
    private readonly propIndexes = new Map<string, Map<string, PolicyResource[]>>();
    private readonly reverseIndexes = new Map<string, Map<PolicyResource, PolicyResource[]>>();
    readonly byUrn = new Map<string, PolicyResource>();

    constructor(readonly resources: readonly PolicyResource[]) {
        for (const r of resources) {
            this.byUrn.set(r.urn, r);
            let list = this.byType.get(r.type);
            if (!list) {
                list = [];
                this.byType.set(r.type, list);
            }
            list.push(r);
        }
    }

    /** Resources of any of `types`, in stack order per type. */
    ofType(...types: string[]): PolicyResource[] {
        if (types.length === 1) {
            return this.byType.get(types[0]) ?? [];
        }
        const out: PolicyResource[] = [];
        for (const t of types) {
            const list = this.byType.get(t);
            if (list) {
                out.push(...list);
            }
        }
        return out;
    }

    /** True when the stack holds at least one resource of any of `types`. */
    has(...types: string[]): boolean {
        return types.some((t) => (this.byType.get(t)?.length ?? 0) > 0);
    }

    /** Resources of `types` that `r`'s input `key` was computed from (its property dependencies). */
    referenced(r: PolicyResource, key: string, types: ReadonlySet<string>): PolicyResource[] {
        const deps = r.propertyDependencies[key];
        return deps ? deps.filter((d) => types.has(d.type)) : [];
    }

    /**
     * Resources of `types` whose known string property `prop` equals `value`. The index per (types, prop)
     * is built once; unknown or non-string values are not indexed.
     */
    withProp(types: readonly string[], prop: string, value: string): PolicyResource[] {
        const cacheKey = `${types.join(",")}#${prop}`;
        let index = this.propIndexes.get(cacheKey);
        if (!index) {
            index = new Map();
            for (const r of this.ofType(...types)) {
                const p = probe(r.props, prop);
                if (p.state === "known" && typeof p.value === "string") {
                    const list = index.get(p.value);
                    if (list) {
                        list.push(r);
                    } else {
                        index.set(p.value, [r]);
                    }
                }
            }
            this.propIndexes.set(cacheKey, index);
        }
        return index.get(value) ?? [];
    }

    /**
     * Resources of `fromTypes` whose input `key` depends on `target` (reverse property dependencies),
     * for example the file-system policies attached to an EFS file system. Built once per (types, key).
     */
    referrers(target: PolicyResource, fromTypes: readonly string[], key: string): PolicyResource[] {
        const cacheKey = `${fromTypes.join(",")}#${key}`;
        let index = this.reverseIndexes.get(cacheKey);
        if (!index) {
            index = new Map();
            for (const r of this.ofType(...fromTypes)) {
                for (const d of r.propertyDependencies[key] ?? []) {
                    const list = index.get(d);
                    if (list) {
                        list.push(r);
                    } else {
                        index.set(d, [r]);
                    }
                }
            }
            this.reverseIndexes.set(cacheKey, index);
        }
        return index.get(target) ?? [];
    }
}

/** The last path segment of an ARN (`arn:aws:elasticfilesystem:...:file-system/fs-1` gives `fs-1`). */
export function arnResourceId(arn: string): string {
    const slash = arn.lastIndexOf("/");
    if (slash >= 0) {
        return arn.slice(slash + 1);
    }
    const colon = arn.lastIndexOf(":");
    return colon >= 0 ? arn.slice(colon + 1) : arn;
}

/** Raw properties of a resource (unwrapped from the preview proxy). */
export function propsOf(r: { props: Record<string, unknown> }): Record_ {
    const p = raw(r.props);
    return isRecord(p) ? p : {};
}

/** The region a resource is created in: its own `region` input (v7), else its provider's. */
export function regionOf(r: PolicyResource): string | Unknown | undefined {
    const own = str(get(r.props, "region"));
    if (own !== undefined && own !== "") {
        return own;
    }
    const providerRegion = r.provider ? str(get(r.provider.props, "region")) : undefined;
    return providerRegion === "" ? undefined : providerRegion;
}

/** Same region, or at least one side not known (region checks never raise a false alarm on a guess). */
export function sameRegion(a: string | Unknown | undefined, b: string | Unknown | undefined): boolean {
    return typeof a !== "string" || typeof b !== "string" || a === b;
}

/** The ARN partition for a region (`aws-us-gov`, `aws-cn`, else `aws`). */
export function partitionOf(region: string | Unknown | undefined): string {
    if (typeof region === "string") {
        if (region.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
    }
    return "aws";
}

/** The Pulumi type token of a side resource, shortened for messages (`aws.s3.BucketPolicy`). */
export function sdkName(type: string): string {
    const m = /^([a-z0-9-]+):([a-z0-9]+)\/?[a-zA-Z0-9]*:([A-Za-z0-9]+)$/.exec(type);
    if (!m) {
        return type;
    }
    const pkg = m[1] === "aws-native" ? "awsnative" : m[1];
    return `${pkg}.${m[2]}.${m[3]}`;
}
