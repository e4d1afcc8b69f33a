/**
 * Reading resource properties for the S3 policies without tripping over values that are unknown at preview.
 *
 * The analyzer wraps every resource's properties in `unknownCheckingProxy`: touching a computed value throws
 * `UnknownValueError`, and the server turns that into one advisory "can't run policy during preview" for the
 * whole stack policy. One unknown bucket policy would then silence the verdict on every other bucket. So the
 * S3 policies read the proxy's target directly, treat the engine's unknown sentinels as a value of their own
 * (`UNKNOWN`), judge everything that is known, and only at the end report what could not be judged through
 * the SDK's own mechanism (`unknownPreviewError`).
 */
import * as policyProxy from "@pulumi/policy/proxy";

/** The shape of `@pulumi/policy/proxy` at runtime; its declarations are stripped as `@internal`. */
interface ProxyInternals {
    readonly UnknownValueError: new (sentinel: string, props: string[]) => Error;
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

/** The engine's sentinel for an unknown string (tests use it to build preview inputs). */
export const UNKNOWN_STRING_SENTINEL: string = internals.unknownStringValue;

/** True for `UNKNOWN` and for any of the engine's unknown sentinels. */
export function isUnknown(v: unknown): v is Unknown {
    return v === UNKNOWN || (typeof v === "string" && SENTINELS.has(v));
}

export type Record_ = Record<string, unknown>;

export function isRecord(v: unknown): v is Record_ {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * The plain object behind an `unknownCheckingProxy` (or `v` itself). Only the outermost value needs this:
 * the proxy wraps values lazily on access, so everything reached from the target is plain data.
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
        if (cur === null || cur === undefined || typeof cur !== "object") {
            return undefined;
        }
        cur = (cur as Record<string | number, unknown>)[step];
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
    if (typeof v === "string" && /^(true|false)$/i.test(v)) {
        return v.toLowerCase() === "true";
    }
    return undefined;
}

/**
 * A list from a value that may be a list, a single item (older SDKs used singular blocks), absent (empty),
 * or unknown. Unknown elements stay in the list as `UNKNOWN`.
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

/**
 * The SDK's own error for a value that cannot be known during preview. Thrown from a stack policy, the
 * analyzer reports "can't run policy ... during preview: <message>" as an advisory diagnostic instead of
 * failing the run; violations reported before the throw are kept.
 */
export function unknownPreviewError(message: string, path: string[]): Error {
    const err = new internals.UnknownValueError(internals.unknownStringValue, path);
    err.message = message;
    return err;
}

/** True for the SDK's `UnknownValueError` (thrown when a proxied unknown value is touched). */
export function isUnknownValueError(e: unknown): boolean {
    return e instanceof internals.UnknownValueError;
}
