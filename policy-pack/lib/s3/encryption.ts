/**
 * The default-encryption rules that apply to a bucket, from whichever shape declares them: the split
 * `BucketServerSideEncryptionConfiguration(V2)` when one manages the bucket (it wins over the deprecated inline
 * block, whose output after apply only mirrors what S3 reports), else the inline v7/v6 block, else the
 * aws-native `bucketEncryption`.
 */
import { PolicyResource } from "@pulumi/policy";
import { BucketEntry } from "./buckets";
import { sdkName } from "../resources";
import { get, getAny, isUnknown, list, str, Unknown } from "../values";

/** One default-encryption rule found for a bucket, with where it came from. */
export interface DefaultRule {
    readonly algorithm: string | Unknown | undefined;
    readonly keyId: string | Unknown | undefined;
    /** What configured it, for messages. */
    readonly source: string;
    readonly urn: string;
    /** Resources the rule's inputs were computed from (to recognise a CMK whose ARN is unknown at preview). */
    readonly deps: readonly PolicyResource[];
}

/** Rules from the (single) split resource, else the inline configuration; `[]` when nothing is declared. */
export function defaultEncryptionRules(e: BucketEntry): DefaultRule[] | Unknown {
    const sides = e.sides.encryption;
    if (sides.length === 0) {
        return rulesFromBucket(e);
    }
    const out: DefaultRule[] = [];
    for (const s of sides) {
        const rs = list(s.props.rules);
        if (isUnknown(rs)) {
            return rs;
        }
        for (const r of rs) {
            const d = get(r, "applyServerSideEncryptionByDefault");
            if (isUnknown(d)) {
                return d;
            }
            if (d !== undefined) {
                out.push({
                    algorithm: str(get(d, "sseAlgorithm")),
                    keyId: str(get(d, "kmsMasterKeyId")),
                    source: `${sdkName(s.resource.type)} '${s.resource.name}'`,
                    urn: s.resource.urn,
                    deps: s.resource.propertyDependencies?.rules ?? [],
                });
            }
        }
    }
    return out;
}

function rulesFromBucket(e: BucketEntry): DefaultRule[] | Unknown {
    const p = e.props;
    const source = `inline encryption on ${sdkName(e.resource.type)} '${e.logicalName}'`;
    const out: DefaultRule[] = [];
    const push = (byDefault: unknown, key: string) =>
        out.push({
            algorithm: str(get(byDefault, "sseAlgorithm")),
            keyId: str(getAny(byDefault, "kmsMasterKeyId", "kmsMasterKeyID")),
            source,
            urn: e.resource.urn,
            deps: e.resource.propertyDependencies?.[key] ?? [],
        });
    if (e.shape === "native") {
        const rules = list(get(p, "bucketEncryption", "serverSideEncryptionConfiguration"));
        if (isUnknown(rules)) {
            return rules;
        }
        for (const r of rules) {
            const byDefault = get(r, "serverSideEncryptionByDefault");
            if (isUnknown(byDefault)) {
                return byDefault;
            }
            if (byDefault !== undefined) {
                push(byDefault, "bucketEncryption");
            }
        }
        return out;
    }
    // v7 Bucket: serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault (singular blocks);
    // v6 BucketV2: serverSideEncryptionConfigurations[].rules[].applyServerSideEncryptionByDefaults[].
    const key = p.serverSideEncryptionConfigurations !== undefined ? "serverSideEncryptionConfigurations" : "serverSideEncryptionConfiguration";
    const configs = list(p[key]);
    if (isUnknown(configs)) {
        return configs;
    }
    for (const c of configs) {
        const rules = list(getAny(c, "rule", "rules"));
        if (isUnknown(rules)) {
            return rules;
        }
        for (const r of rules) {
            const defaults = list(getAny(r, "applyServerSideEncryptionByDefault", "applyServerSideEncryptionByDefaults"));
            if (isUnknown(defaults)) {
                return defaults;
            }
            for (const d of defaults) {
                push(d, key);
            }
        }
    }
    return out;
}

