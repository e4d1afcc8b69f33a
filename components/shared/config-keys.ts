/**
 * The vocabulary every area's `settings.ts` uses to declare its config keys and report problems.
 *
 * An area declares each of its keys once (type, default, per-key limits) in a {@link KeyTable}; Pulumi.yaml
 * declares the same keys with the same types and defaults (tests/components/shared/config.spec.ts holds the
 * two together). The reader (components/shared/config.ts) reads every key of every table into typed
 * {@link KeyValues}, reporting a value of the wrong form; each area's pure validator then reports what one key
 * alone cannot say (cross-key rules, patterns, prod requirements). Every problem has one form:
 * `<project>:<key>: expected <form>, got <value>`.
 */
import type * as pulumi from "@pulumi/pulumi";

export const PROJECT = "healthcare-data-platform";

/** One config problem: the key (bare project key, `key[i]` for a list element, or `aws:...`), what was expected, what was given. */
export interface Problem {
    key: string;
    expected: string;
    got: unknown;
}

export const problem = (key: string, expected: string, got: unknown): Problem => ({ key, expected, got });

const show = (v: unknown): string => (typeof v === "string" ? `'${v}'` : v === undefined ? "undefined" : JSON.stringify(v));

/** The one message form of a config problem. */
export function formatProblem(p: Problem): string {
    const name = p.key.includes(":") ? p.key : `${PROJECT}:${p.key}`;
    return `${name}: expected ${p.expected}, got ${show(p.got)}`;
}

/** A string key. An empty string means "not set" (the default applies) unless the key says otherwise. */
export interface StringKey {
    type: "string";
    /** Pulumi.yaml default; absent only for required keys. */
    default?: string;
    /** An explicit empty string is a value of its own (it switches something off) rather than "not set". */
    emptyIsValue?: boolean;
    /** Accepted values (the key is then an enumeration). */
    allowed?: readonly string[];
    /** No value and no default is a problem (`... (the key is required)`). */
    required?: boolean;
}

/** A secret string key: Pulumi.yaml marks it `secret: true` and gives it no default (the CLI rejects a plaintext default). */
export interface SecretKey {
    type: "string";
    secret: true;
}

export interface IntegerKey {
    type: "integer";
    default: number;
    min: number;
    max: number;
    /** Accepted values within [min, max] (CloudWatch retention periods). */
    allowed?: readonly number[];
    /** The form named in a problem, when "an integer from <min> to <max>" would not say it. */
    form?: string;
}

export interface BooleanKey {
    type: "boolean";
    default: boolean;
}

export interface ListKey {
    type: "array";
    default: readonly string[];
}

export type KeySpec = StringKey | SecretKey | IntegerKey | BooleanKey | ListKey;
export type KeyTable = Readonly<Record<string, KeySpec>>;

/** The typed value of one key after reading. */
export type KeyValue<S extends KeySpec> = S extends SecretKey
    ? pulumi.Output<string> | undefined
    : S extends IntegerKey
      ? number
      : S extends BooleanKey
        ? boolean
        : S extends ListKey
          ? string[]
          : string;

/** Every key of a table, typed: what an area's validator and settings builder receive. */
export type KeyValues<T extends KeyTable> = { -readonly [K in keyof T]: KeyValue<T[K]> };

export const isSecretKey = (spec: KeySpec): spec is SecretKey => "secret" in spec && spec.secret === true;

/** The form of a key's value, as a problem names it. */
export function expectedForm(spec: KeySpec): string {
    if (isSecretKey(spec)) return "a secret string";
    switch (spec.type) {
        case "string":
            return spec.allowed ? `one of ${spec.allowed.join(", ")}` : "a string";
        case "integer":
            return spec.form ?? `an integer from ${spec.min} to ${spec.max}`;
        case "boolean":
            return "true or false";
        case "array":
            return "a list of strings";
    }
}

/** Parses `a.b.c.d/n`; returns [network address as uint32, prefix length] or undefined. */
export function parseCidr(cidr: string): [number, number] | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    // A CIDR with host bits set is almost always a typo (10.0.0.1/16); AWS rejects it for VPCs.
    if ((addr & ~mask) >>> 0 !== 0) return undefined;
    return [addr, prefix];
}

/** True when two valid CIDR blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const pa = parseCidr(a);
    const pb = parseCidr(b);
    if (!pa || !pb) return false;
    const prefix = Math.min(pa[1], pb[1]);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return (pa[0] & mask) >>> 0 === (pb[0] & mask) >>> 0;
}

export const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Levenshtein distance, for "did you mean" on an undeclared key. */
export function editDistance(a: string, b: string): number {
    const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diag = prev[0];
        prev[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = prev[j];
            // Case differences count half, so `LifecycleIaDays` finds `lifecycleIaDays` before a one-letter neighbour.
            const cost = a[i - 1] === b[j - 1] ? 0 : a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0.5 : 1;
            prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + cost);
            diag = tmp;
        }
    }
    return prev[b.length];
}

/** The declared key closest to `key` (ties go to the first declared). */
export function closestKey(key: string, declared: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of declared) {
        const d = editDistance(key, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}
