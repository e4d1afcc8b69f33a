/**
 * The pack's one value model: every property a policy reads is KNOWN (a plain value), UNKNOWN (computed by the
 * provider, not known until apply) or SECRET (known, but to be kept out of messages).
 *
 * `@pulumi/policy` wraps every property bag in `unknownCheckingProxy`: touching a computed value throws
 * `UnknownValueError`, and the analyzer turns that into an advisory "can't run policy during preview". Two ways to
 * read follow from it, both over the same three states:
 *
 * - `probe(obj, key)` reads THROUGH the proxy, for policies that let an unknown value inside a known one abort the
 *   policy (the SDK then says which value it could not read). Only the value whose presence matters (a KMS key
 *   reference, a tag key) is reported as `{ state: "unknown" }` instead of aborting.
 * - `get(obj, ...path)` reads the proxy's TARGET, for stack policies that judge many resources at once: one unknown
 *   value must not silence the verdict on every other resource, so unknowns come back as the {@link UNKNOWN} symbol,
 *   everything known is judged, and what stayed undecided is reported at the end with {@link unknownPreviewError}.
 *
 * Secrets: the Analyze handler unwraps them before a policy sees them; the Remediate handler keeps them behind a
 * secrets-preserving proxy (reads unwrap); a value still in the engine's wire form (`{<sig>: <secret sig>, value}`)
 * is unwrapped by `get`.
 */
import { UnknownValueError } from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";

export { withDefaults } from "./config";

/** The shape of `@pulumi/policy/proxy` at runtime; its declarations are stripped as `@internal`. */
interface ProxyInternals {
    readonly getSpecialProxyTarget: string;
    readonly unknownBooleanValue: string;
    readonly unknownNumberValue: string;
    readonly unknownStringValue: string;
    readonly unknownArrayValue: string;
    readonly unknownAssetValue: string;
    readonly unknownArchiveValue: string;
    readonly unknownObjectValue: string;
}

const internals = policyProxy as unknown as ProxyInternals;

/** The sentinels the engine sends for computed values (one per value type). */
const SENTINELS: ReadonlySet<string> = new Set([
    internals.unknownBooleanValue,
    internals.unknownNumberValue,
    internals.unknownStringValue,
    internals.unknownArrayValue,
    internals.unknownAssetValue,
    internals.unknownArchiveValue,
    internals.unknownObjectValue,
]);

/** A value that is computed by the provider and not known until apply. */
export const UNKNOWN: unique symbol = Symbol("unknown until apply");
export type Unknown = typeof UNKNOWN;

/** The engine's sentinel for an unknown string (also the text an `apply` embeds when it meets an unknown). */
export const UNKNOWN_STRING_SENTINEL: string = internals.unknownStringValue;

// The engine's wire signature of a secret (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": ...}`).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** True for `UNKNOWN` and for any of the engine's unknown sentinels. */
export function isUnknown(v: unknown): v is Unknown {
    return v === UNKNOWN || (typeof v === "string" && SENTINELS.has(v));
}

/** True for a secret still in the engine's wire form. */
export function isSecret(v: unknown): v is { value: unknown } {
    return isRecord(v) && v[SIG_KEY] === SECRET_SIG;
}

/**
 * True for the SDK's unknown-value error. The duck-typed fallback covers a policy pack whose `@pulumi/policy` copy
 * differs from the one that built the proxy (nested installs).
 */
export function isUnknownValueError(err: unknown): boolean {
    return err instanceof UnknownValueError || (err instanceof Error && "unknownTypeSentinel" in err && "props" in err);
}

/**
 * The SDK's own error for a value that cannot be known during preview. Thrown from a policy, the analyzer reports
 * "can't run policy ... during preview: <message>" as an advisory diagnostic instead of failing the run; violations
 * reported before the throw are kept.
 */
export function unknownPreviewError(message: string, path: string[]): Error {
    const err = new UnknownValueError(internals.unknownStringValue, path);
    err.message = message;
    return err;
}

export type Record_ = Record<string, unknown>;

export function isRecord(v: unknown): v is Record_ {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading through the proxy
// ---------------------------------------------------------------------------------------------------------------

/** Result of reading one property without letting an unknown value abort the policy. */
export type Probe = { readonly state: "absent" } | { readonly state: "unknown" } | { readonly state: "known"; readonly value: unknown };

const ABSENT: Probe = { state: "absent" };
const UNKNOWN_PROBE: Probe = { state: "unknown" };

/** Reads `obj[key]` through the SDK proxy: absent for `undefined`/`null`/missing, unknown when the proxy says so. */
export function probe(obj: unknown, key: string): Probe {
    if (obj === null || typeof obj !== "object") {
        return ABSENT;
    }
    // Peek at the target first: for an unknown value the proxy would throw, and an exception (with its stack trace)
    // per unknown read was a measurable share of a preview's cost (tools/bench/protocol.ts).
    if (isUnknown((raw(obj) as Record_)[key])) {
        return UNKNOWN_PROBE;
    }
    let value: unknown;
    try {
        value = (obj as Record_)[key];
    } catch (err) {
        if (isUnknownValueError(err)) {
            return UNKNOWN_PROBE;
        }
        throw err;
    }
    return value === undefined || value === null ? ABSENT : { state: "known", value };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the proxy's target
// ---------------------------------------------------------------------------------------------------------------

/**
 * The plain object behind an `unknownCheckingProxy` (or `v` itself). Only the outermost value needs this: the proxy
 * wraps values lazily on access, so everything reached from the target is plain data.
 */
export function raw(v: unknown): unknown {
    if (v !== null && typeof v === "object") {
        const target = (v as Record_)[internals.getSpecialProxyTarget];
        if (target !== undefined) {
            return target;
        }
    }
    return v;
}

/** Follows `path` from `v`; `UNKNOWN` as soon as an unknown value is met, `undefined` when a step is missing. */
export function get(v: unknown, ...path: (string | number)[]): unknown {
    let cur: unknown = raw(v);
    for (const step of path) {
        if (isUnknown(cur)) {
            return UNKNOWN;
        }
        if (isSecret(cur)) {
            cur = cur.value;
        }
        if (cur === null || cur === undefined || typeof cur !== "object") {
            return undefined;
        }
        cur = (cur as Record<string | number, unknown>)[step];
    }
    if (isSecret(cur)) {
        cur = cur.value;
    }
    return isUnknown(cur) ? UNKNOWN : cur;
}

/** Reads the first of several property names that is present (SDK generations spell fields differently). */
export function getAny(v: unknown, ...names: string[]): unknown {
    for (const n of names) {
        const x = get(v, n);
        if (x !== undefined && x !== null) {
            return x;
        }
    }
    return undefined;
}

/** A string, `UNKNOWN`, or `undefined` for anything else. */
export function str(v: unknown): string | Unknown | undefined {
    if (isUnknown(v)) {
        return UNKNOWN;
    }
    return typeof v === "string" ? v : undefined;
}

/** A number (numeric strings included, as the engine may stringify), `UNKNOWN`, or `undefined`. */
export function num(v: unknown): number | Unknown | undefined {
    if (isUnknown(v)) {
        return UNKNOWN;
    }
    if (typeof v === "number" && Number.isFinite(v)) {
        return v;
    }
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) {
        return Number(v);
    }
    return undefined;
}

/** A boolean (`"true"`/`"false"` strings included), `UNKNOWN`, or `undefined`. */
export function bool(v: unknown): boolean | Unknown | undefined {
    if (isUnknown(v)) {
        return UNKNOWN;
    }
    if (typeof v === "boolean") {
        return v;
    }
    if (typeof v === "string" && /^\s*(true|false)\s*$/i.test(v)) {
        return v.trim().toLowerCase() === "true";
    }
    return undefined;
}

/**
 * A list from a value that may be a list, a single item (older SDKs used singular blocks), absent (empty), or
 * unknown. Unknown elements stay in the list as `UNKNOWN`.
 */
export function list(v: unknown): unknown[] | Unknown {
    if (isUnknown(v)) {
        return UNKNOWN;
    }
    if (v === undefined || v === null) {
        return [];
    }
    const items = Array.isArray(v) ? v : [v];
    return items.map((x) => (isUnknown(x) ? UNKNOWN : x));
}

/** True when `v` or anything inside it is unknown. */
export function containsUnknown(v: unknown): boolean {
    if (isUnknown(v)) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknown);
    }
    if (isRecord(v)) {
        return Object.values(v).some(containsUnknown);
    }
    return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Interpreting known values
// ---------------------------------------------------------------------------------------------------------------

/**
 * Interprets a provider boolean. Some v7 arguments are strings on the wire (`aws.redshift.Cluster.encrypted`,
 * launch-template `ebs.encrypted`), so `"true"`/`"false"` count like their boolean twins.
 */
export function truthy(value: unknown): boolean {
    return bool(value) === true;
}

/** `true` only when the value is explicitly false (boolean or string); `undefined` is not false. */
export function explicitlyFalse(value: unknown): boolean {
    return bool(value) === false;
}

/** The value as an array: `undefined`/`null` give `[]`, a scalar gives a one-element array. */
export function asArray<T = unknown>(value: unknown): T[] {
    if (value === undefined || value === null) {
        return [];
    }
    return Array.isArray(value) ? (value as T[]) : [value as T];
}

/** Three-valued truth for checks that may depend on values unknown at preview. */
export type Tri = true | false | Unknown;

/** `true` if any is true, else `UNKNOWN` if any is unknown, else `false`. */
export function anyTri(values: Iterable<Tri>): Tri {
    let unknown = false;
    for (const v of values) {
        if (v === true) {
            return true;
        }
        if (v === UNKNOWN) {
            unknown = true;
        }
    }
    return unknown ? UNKNOWN : false;
}

/** `false` if any is false, else `UNKNOWN` if any is unknown, else `true`. */
export function allTri(values: Iterable<Tri>): Tri {
    let unknown = false;
    for (const v of values) {
        if (v === false) {
            return false;
        }
        if (v === UNKNOWN) {
            unknown = true;
        }
    }
    return unknown ? UNKNOWN : true;
}
