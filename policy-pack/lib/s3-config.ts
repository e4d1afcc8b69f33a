/**
 * Pack configuration shared by the S3 policies: exemptions by bucket name pattern, and strict readers that
 * apply the schema defaults in code (unit tests and the offline engine do not get JSON-schema defaults) and
 * reject bad values with an error naming the policy, the key, what was expected and what was given.
 */
import { PolicyConfigSchema } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { globMatches } from "./s3-glob";

/** One exemption: buckets whose name matches `bucketPattern` are not judged, for the stated `reason`. */
export interface S3Exemption {
    /** A wildcard pattern (`*`, `?`) or a regular expression written as `/.../` (flags `i` allowed). */
    bucketPattern: string;
    /** Why the bucket is exempt; shown in the not-applicable report. Required. */
    reason: string;
}

/** JSON schema of `exemptions`, shared by every S3 policy. */
export const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
    type: "array",
    description:
        "Buckets this policy does not judge. bucketPattern is matched against the bucket's physical name and its Pulumi " +
        "logical name: a wildcard pattern (* and ?) or a regular expression written as /.../ (flag i allowed). reason is required.",
    items: {
        type: "object",
        properties: {
            bucketPattern: { type: "string", minLength: 1 },
            reason: { type: "string", minLength: 1 },
        },
        required: ["bucketPattern", "reason"],
        additionalProperties: false,
    },
    default: [],
};

/** A config schema for an S3 policy: `exemptions` plus the policy's own options. */
export function s3ConfigSchema(properties: Record<string, PolicyConfigJSONSchema>): PolicyConfigSchema {
    return { properties: { exemptions: EXEMPTIONS_SCHEMA, ...properties } };
}

/** Bad pack configuration: the message names the policy, the key, what was expected and what was given. */
export class S3ConfigError extends Error {
    constructor(policy: string, key: string, expected: string, given: unknown) {
        super(`Policy '${policy}': config '${key}' must be ${expected}; got ${JSON.stringify(given)}.`);
        this.name = "S3ConfigError";
    }
}

/** Typed access to one policy's config with the schema defaults applied in code. */
export class ConfigReader {
    private readonly values: Record<string, unknown>;

    constructor(
        private readonly policy: string,
        config: object | undefined,
    ) {
        this.values = (config ?? {}) as Record<string, unknown>;
    }

    bool(key: string, fallback: boolean): boolean {
        const v = this.values[key];
        if (v === undefined || v === null) {
            return fallback;
        }
        if (typeof v !== "boolean") {
            throw new S3ConfigError(this.policy, key, "a boolean", v);
        }
        return v;
    }

    int(key: string, fallback: number, min: number, max: number): number {
        const v = this.values[key];
        if (v === undefined || v === null) {
            return fallback;
        }
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
            throw new S3ConfigError(this.policy, key, `an integer from ${min} to ${max}`, v);
        }
        return v;
    }

    number(key: string, fallback: number, min: number, max: number): number {
        const v = this.values[key];
        if (v === undefined || v === null) {
            return fallback;
        }
        if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
            throw new S3ConfigError(this.policy, key, `a number from ${min} to ${max}`, v);
        }
        return v;
    }

    string(key: string, fallback: string): string {
        const v = this.values[key];
        if (v === undefined || v === null) {
            return fallback;
        }
        if (typeof v !== "string" || v === "") {
            throw new S3ConfigError(this.policy, key, "a non-empty string", v);
        }
        return v;
    }

    strings(key: string, fallback: readonly string[]): string[] {
        const v = this.values[key];
        if (v === undefined || v === null) {
            return [...fallback];
        }
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) {
            throw new S3ConfigError(this.policy, key, "a list of non-empty strings", v);
        }
        return v as string[];
    }

    /** A list of bucket name patterns, compiled (bad regular expressions are reported here). */
    patterns(key: string): BucketPattern[] {
        return this.strings(key, []).map((p, i) => compilePattern(this.policy, `${key}[${i}]`, p));
    }

    exemptions(): CompiledExemption[] {
        const v = this.values.exemptions;
        if (v === undefined || v === null) {
            return [];
        }
        if (!Array.isArray(v)) {
            throw new S3ConfigError(this.policy, "exemptions", "a list of { bucketPattern, reason }", v);
        }
        return v.map((e: unknown, i) => {
            const key = `exemptions[${i}]`;
            if (e === null || typeof e !== "object" || Array.isArray(e)) {
                throw new S3ConfigError(this.policy, key, "an object { bucketPattern, reason }", e);
            }
            const { bucketPattern, reason } = e as Record<string, unknown>;
            if (typeof bucketPattern !== "string" || bucketPattern === "") {
                throw new S3ConfigError(this.policy, `${key}.bucketPattern`, "a non-empty string", bucketPattern);
            }
            if (typeof reason !== "string" || reason.trim() === "") {
                throw new S3ConfigError(this.policy, `${key}.reason`, "a non-empty string stating why the bucket is exempt", reason);
            }
            return { pattern: compilePattern(this.policy, `${key}.bucketPattern`, bucketPattern), reason: reason.trim() };
        });
    }
}

/** A compiled bucket name pattern. */
export interface BucketPattern {
    readonly source: string;
    test(name: string): boolean;
}

export interface CompiledExemption {
    readonly pattern: BucketPattern;
    readonly reason: string;
}

function compilePattern(policy: string, key: string, source: string): BucketPattern {
    const re = /^\/(.*)\/([i]*)$/s.exec(source);
    if (re) {
        let regex: RegExp;
        try {
            regex = new RegExp(re[1], re[2]);
        } catch (e) {
            throw new S3ConfigError(policy, key, `a valid regular expression (${(e as Error).message})`, source);
        }
        return { source, test: (name) => regex.test(name) };
    }
    return { source, test: (name) => globMatches(source, name) };
}

/** True when any pattern matches one of the names (physical name and logical name). */
export function matchesAny(patterns: readonly BucketPattern[], names: readonly (string | undefined)[]): BucketPattern | undefined {
    for (const p of patterns) {
        if (names.some((n) => n !== undefined && p.test(n))) {
            return p;
        }
    }
    return undefined;
}
