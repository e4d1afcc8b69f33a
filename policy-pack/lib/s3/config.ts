/**
 * What is S3-specific in the S3 policies' config: exemptions and allow-lists by bucket name pattern. Options are
 * declared once with lib/config.ts (schema and reader from one declaration); every S3 policy takes `exemptions`.
 */
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ConfigOption, ConfigOptions, ConfigReader, option } from "../config";
import { globMatches } from "../policy-doc";

/** A compiled bucket name pattern. */
export interface BucketPattern {
    readonly source: string;
    test(name: string): boolean;
}

/** One exemption: buckets whose name matches `pattern` are not judged, for the stated `reason`. */
export interface CompiledExemption {
    readonly pattern: BucketPattern;
    readonly reason: string;
}

/** A wildcard pattern (`*`, `?`) or a regular expression written as `/.../` (flag `i` allowed). */
function compilePattern(reader: ConfigReader, key: string, source: string): BucketPattern {
    const re = /^\/(.*)\/([i]*)$/s.exec(source);
    if (re) {
        let regex: RegExp;
        try {
            regex = new RegExp(re[1], re[2]);
        } catch (e) {
            throw reader.error(key, `a valid regular expression (${(e as Error).message})`, source);
        }
        return { source, test: (name) => regex.test(name) };
    }
    return { source, test: (name) => globMatches(source, name) };
}

const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema & { default: CompiledExemption[] } = {
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

function readExemptions(reader: ConfigReader, key: string): CompiledExemption[] {
    const v = reader.value(key);
    if (v === undefined) {
        return [];
    }
    if (!Array.isArray(v)) {
        throw reader.error(key, "a list of { bucketPattern, reason }", v);
    }
    return v.map((e: unknown, i) => {
        const at = `${key}[${i}]`;
        if (e === null || typeof e !== "object" || Array.isArray(e)) {
            throw reader.error(at, "an object { bucketPattern, reason }", e);
        }
        const { bucketPattern, reason } = e as Record<string, unknown>;
        if (typeof bucketPattern !== "string" || bucketPattern === "") {
            throw reader.error(`${at}.bucketPattern`, "a non-empty string", bucketPattern);
        }
        if (typeof reason !== "string" || reason.trim() === "") {
            throw reader.error(`${at}.reason`, "a non-empty string stating why the bucket is exempt", reason);
        }
        return { pattern: compilePattern(reader, `${at}.bucketPattern`, bucketPattern), reason: reason.trim() };
    });
}

/** The `exemptions` option every S3 policy takes. */
export const exemptionsOption: ConfigOption<CompiledExemption[]> = option.custom(EXEMPTIONS_SCHEMA, readExemptions);

/** A list of bucket name patterns (default none), compiled: a bad regular expression is reported at read time. */
export function bucketPatternsOption(description: string): ConfigOption<BucketPattern[]> {
    const base = option.strings([], description);
    return option.custom({ ...base.schema, default: [] as BucketPattern[] }, (r, k) => base.read(r, k).map((p, i) => compilePattern(r, `${k}[${i}]`, p)));
}

/** An S3 policy's options: `exemptions` plus its own. */
export function s3Options<T>(own: ConfigOptions<T>): ConfigOptions<T & { exemptions: CompiledExemption[] }> {
    return { exemptions: exemptionsOption, ...own } as ConfigOptions<T & { exemptions: CompiledExemption[] }>;
}

/** The pattern that matches one of the names (physical name and logical name), if any. */
export function matchesAny(patterns: readonly BucketPattern[], names: readonly (string | undefined)[]): BucketPattern | undefined {
    for (const p of patterns) {
        if (names.some((n) => n !== undefined && p.test(n))) {
            return p;
        }
    }
    return undefined;
}
