/**
 * Tags as AWS applies them: a resource's own `tags` merged over its provider's `defaultTags`.
 */
import { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { AWS_TAGGABLE_TYPES } from "./aws-taggable-types";
import { get, isUnknown, probe, UNKNOWN } from "./values";

const TAGGABLE = new Set(AWS_TAGGABLE_TYPES);

export const AWS_PROVIDER_TYPE = "pulumi:providers:aws";

/**
 * True for AWS resources that accept tags: the generated list of @pulumi/aws types, or any `aws:` resource
 * that carries `tags`/`tagsAll` (types added by a newer provider).
 */
export function isTaggable(type: string, props: unknown): boolean {
    if (TAGGABLE.has(type)) {
        return true;
    }
    return type.startsWith("aws:") && (probe(props, "tags").state !== "absent" || probe(props, "tagsAll").state !== "absent");
}

/** Tag keys with a non-empty (or unknown-at-preview) value; `unknown` when the whole map is unknown. */
export interface TagKeys {
    keys: Set<string>;
    unknown: boolean;
}

/** Keys of a tag map read through the SDK proxy: a tag whose value is unknown at preview still counts. */
export function tagKeys(tags: unknown): TagKeys {
    const keys = new Set<string>();
    if (tags === null || typeof tags !== "object") {
        return { keys, unknown: false };
    }
    for (const key of Object.keys(tags)) {
        const v = probe(tags, key);
        if (v.state === "unknown" || (v.state === "known" && String(v.value).trim() !== "")) {
            keys.add(key);
        }
    }
    return { keys, unknown: false };
}

/** Keys of `props[key]` (a tag map), tolerating an unknown map. */
export function tagKeysOf(props: unknown, key: "tags" | "tagsAll"): TagKeys {
    const p = probe(props, key);
    if (p.state === "unknown") {
        return { keys: new Set(), unknown: true };
    }
    return p.state === "known" ? tagKeys(p.value) : { keys: new Set(), unknown: false };
}

/**
 * The `defaultTags.tags` map of an AWS provider's properties, as plain data: `UNKNOWN` when it is unknown at preview,
 * `undefined` when absent or unparsable. Provider inputs travel as JSON strings (`defaultTags: '{"tags":{...}}'`,
 * from the SDK or from `aws:defaultTags` stack config), or as objects (the aws-native provider).
 */
export function providerDefaultTags(providerProps: unknown): unknown {
    let defaults = get(providerProps, "defaultTags");
    if (isUnknown(defaults)) {
        return UNKNOWN;
    }
    if (typeof defaults === "string") {
        try {
            defaults = JSON.parse(defaults) as unknown;
        } catch {
            return undefined;
        }
    }
    return get(defaults, "tags");
}

/** Keys of a provider's `defaultTags.tags` (see {@link providerDefaultTags}). */
export function providerDefaultTagKeys(providerProps: unknown): TagKeys {
    const tags = providerDefaultTags(providerProps);
    return isUnknown(tags) ? { keys: new Set(), unknown: true } : tagKeys(tags);
}

/**
 * Resolves the AWS provider of a resource to its recorded `pulumi:providers:aws` resource in the stack (by URN),
 * falling back to the provider the analyzer attached, then to the stack's default AWS provider.
 */
export function resolveProvider(
    r: PolicyResource,
    providersByUrn: ReadonlyMap<string, PolicyResource>,
    defaultProvider: PolicyResource | undefined,
): PolicyResource | PolicyProviderResource | undefined {
    if (r.provider) {
        return providersByUrn.get(r.provider.urn) ?? r.provider;
    }
    return defaultProvider;
}
