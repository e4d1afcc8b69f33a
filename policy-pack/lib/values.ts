/**
 * Reading resource properties the way the policy SDK hands them over.
 *
 * `@pulumi/policy` wraps every property bag in `unknownCheckingProxy`: reading a value that is unknown
 * at preview (a computed output such as `key.arn` of a key that does not exist yet) throws
 * `UnknownValueError`, and the analyzer turns that into an advisory "can't run policy during preview"
 * diagnostic. Policies let that happen for every value they must judge by content. `probe` is the one
 * exception, for values whose PRESENCE is what matters (a KMS key reference, a tag key): it reports an
 * unknown value as `unknown` instead of aborting the policy.
 */
import { UnknownValueError } from "@pulumi/policy";

/** Result of reading one property without letting an unknown value abort the policy. */
export type Probe =
    | { readonly state: "absent" }
    | { readonly state: "unknown" }
    | { readonly state: "known"; readonly value: unknown };

const ABSENT: Probe = { state: "absent" };
const UNKNOWN: Probe = { state: "unknown" };

/**
 * True for the SDK's unknown-value error. The duck-typed fallback covers a policy pack whose
 * `@pulumi/policy` copy differs from the one that built the proxy (nested installs).
 */
export function isUnknownValueError(err: unknown): boolean {
    return err instanceof UnknownValueError || (err instanceof Error && "unknownTypeSentinel" in err && "props" in err);
}

/** Reads `obj[key]`: absent for `undefined`/`null`/missing, unknown when the SDK proxy says so. */
export function probe(obj: unknown, key: string): Probe {
    if (obj === null || typeof obj !== "object") {
        return ABSENT;
    }
    let value: unknown;
    try {
        value = (obj as Record<string, unknown>)[key];
    } catch (err) {
        if (isUnknownValueError(err)) {
            return UNKNOWN;
        }
        throw err;
    }
    return value === undefined || value === null ? ABSENT : { state: "known", value };
}

/**
 * Interprets a provider boolean. Some v7 arguments are strings on the wire (`aws.redshift.Cluster.encrypted`,
 * launch-template `ebs.encrypted`), so `"true"`/`"false"` count like their boolean twins.
 */
export function truthy(value: unknown): boolean {
    return value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");
}

/** `true` only when the value is explicitly false (boolean or string); `undefined` is not false. */
export function explicitlyFalse(value: unknown): boolean {
    return value === false || (typeof value === "string" && value.trim().toLowerCase() === "false");
}

/** The value as an array: `undefined`/`null` give `[]`, a scalar gives a one-element array. */
export function asArray<T = unknown>(value: unknown): T[] {
    if (value === undefined || value === null) {
        return [];
    }
    return Array.isArray(value) ? (value as T[]) : [value as T];
}

/**
 * Pack config with the schema's defaults applied in code: the CLI applies `configSchema` defaults,
 * unit tests and the offline engine do not, so every policy merges its defaults itself.
 */
export function withDefaults<T extends object>(given: Partial<T> | undefined, defaults: T): T {
    const merged: T = { ...defaults };
    if (given) {
        for (const key of Object.keys(given) as (keyof T)[]) {
            const value = given[key];
            if (value !== undefined && value !== null) {
                merged[key] = value as T[keyof T];
            }
        }
    }
    return merged;
}
