/**
 * The pack's one config reader. The CLI applies a policy's `configSchema` defaults; unit tests and the offline engine
 * do not, so every policy applies its defaults in code. To keep the two from drifting, a policy declares each option
 * ONCE ({@link option}) and derives both its schema ({@link configSchema}) and its reader ({@link readConfig}) from
 * that declaration. A value the schema would have rejected throws {@link PolicyConfigError}, whose message names the
 * policy, the key, what was expected and what was given.
 */
import { PolicyConfigSchema, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** Thrown for a config value the schema would have rejected; the message names policy, key, expectation and value. */
export class PolicyConfigError extends Error {
    constructor(policy: string, key: string, expected: string, given: unknown) {
        super(`policy ${policy}: config ${key} must be ${expected}; got ${given === undefined ? "undefined" : JSON.stringify(given)}`);
        this.name = "PolicyConfigError";
    }
}

/**
 * Pack config with the schema's defaults applied in code: keys given as `undefined`/`null` keep their default.
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

type ConfigArgs = Pick<ResourceValidationArgs | StackValidationArgs, "getConfig">;

/** The policy's config merged over `defaults`. */
export function policyConfig<T extends object>(args: ConfigArgs, defaults: T): T {
    return withDefaults<T>(args.getConfig<Partial<T>>(), defaults);
}

/** A string-array config value, or a clear error. */
export function stringList(policy: string, key: string, value: unknown): string[] {
    return new ConfigReader(policy, { [key]: value }).strings(key, [], { allowEmpty: true });
}

/** A number-array config value, or a clear error. */
export function numberList(policy: string, key: string, value: unknown): number[] {
    return new ConfigReader(policy, { [key]: value }).numbers(key, []);
}

/** Typed, checked access to one policy's config; a missing key gives the fallback. */
export class ConfigReader {
    private readonly values: Record<string, unknown>;

    constructor(
        readonly policy: string,
        config: object | undefined,
    ) {
        this.values = (config ?? {}) as Record<string, unknown>;
    }

    /** The raw value of `key` (`undefined` when absent or null). */
    value(key: string): unknown {
        const v = this.values[key];
        return v === null ? undefined : v;
    }

    error(key: string, expected: string, given: unknown): PolicyConfigError {
        return new PolicyConfigError(this.policy, key, expected, given);
    }

    bool(key: string, fallback: boolean): boolean {
        const v = this.value(key);
        if (v === undefined) {
            return fallback;
        }
        if (typeof v !== "boolean") {
            throw this.error(key, "a boolean", v);
        }
        return v;
    }

    int(key: string, fallback: number, min: number, max: number): number {
        const v = this.value(key);
        if (v === undefined) {
            return fallback;
        }
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
            throw this.error(key, `an integer from ${min} to ${max}`, v);
        }
        return v;
    }

    number(key: string, fallback: number, min: number, max: number): number {
        const v = this.value(key);
        if (v === undefined) {
            return fallback;
        }
        if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
            throw this.error(key, `a number from ${min} to ${max}`, v);
        }
        return v;
    }

    string(key: string, fallback: string): string {
        const v = this.value(key);
        if (v === undefined) {
            return fallback;
        }
        if (typeof v !== "string" || v === "") {
            throw this.error(key, "a non-empty string", v);
        }
        return v;
    }

    /** A list of strings; non-empty strings unless `allowEmpty`. */
    strings(key: string, fallback: readonly string[], opts: { allowEmpty?: boolean } = {}): string[] {
        const v = this.value(key);
        if (v === undefined) {
            return [...fallback];
        }
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || (!opts.allowEmpty && x === ""))) {
            throw this.error(key, opts.allowEmpty ? "a list of strings" : "a list of non-empty strings", v);
        }
        return v as string[];
    }

    numbers(key: string, fallback: readonly number[]): number[] {
        const v = this.value(key);
        if (v === undefined) {
            return [...fallback];
        }
        if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
            throw this.error(key, "a list of numbers", v);
        }
        return v as number[];
    }
}

/** One config option: its JSON schema (with the default) and how to read it. The default is written only here. */
export interface ConfigOption<T> {
    readonly schema: PolicyConfigJSONSchema;
    readonly default: T;
    read(reader: ConfigReader, key: string): T;
}

/** Declarations of a policy's options, one per key. */
export type ConfigOptions<T> = { readonly [K in keyof T]: ConfigOption<T[K]> };

/** Option constructors: each takes the default and the description, and checks what the schema checks. */
export const option = {
    boolean(defaultValue: boolean, description: string): ConfigOption<boolean> {
        return { default: defaultValue, schema: { type: "boolean", default: defaultValue, description }, read: (r, k) => r.bool(k, defaultValue) };
    },
    integer(defaultValue: number, min: number, max: number, description: string): ConfigOption<number> {
        return {
            default: defaultValue,
            schema: { type: "integer", default: defaultValue, minimum: min, maximum: max, description },
            read: (r, k) => r.int(k, defaultValue, min, max),
        };
    },
    number(defaultValue: number, min: number, max: number, description: string): ConfigOption<number> {
        return {
            default: defaultValue,
            schema: { type: "number", default: defaultValue, minimum: min, maximum: max, description },
            read: (r, k) => r.number(k, defaultValue, min, max),
        };
    },
    string(defaultValue: string, description: string): ConfigOption<string> {
        return { default: defaultValue, schema: { type: "string", minLength: 1, default: defaultValue, description }, read: (r, k) => r.string(k, defaultValue) };
    },
    strings(defaultValue: readonly string[], description: string): ConfigOption<string[]> {
        return {
            default: [...defaultValue],
            schema: { type: "array", items: { type: "string", minLength: 1 }, default: [...defaultValue], description },
            read: (r, k) => r.strings(k, defaultValue),
        };
    },
    /** An option with its own schema and reader (for example a list of objects). */
    custom<T>(schema: PolicyConfigJSONSchema & { default: T }, read: (r: ConfigReader, key: string) => T): ConfigOption<T> {
        return { default: schema.default, schema, read };
    },
};

/** The `configSchema` of a policy, from its option declarations. */
export function configSchema<T>(options: ConfigOptions<T>): PolicyConfigSchema {
    const properties: Record<string, PolicyConfigJSONSchema> = {};
    for (const key of Object.keys(options) as (keyof T & string)[]) {
        properties[key] = options[key].schema;
    }
    return { properties };
}

/** The policy's config, every option read and checked, defaults applied from the same declarations. */
export function readConfig<T>(policy: string, args: ConfigArgs, options: ConfigOptions<T>): T {
    const reader = new ConfigReader(policy, args.getConfig());
    const out = {} as T;
    for (const key of Object.keys(options) as (keyof T & string)[]) {
        out[key] = options[key].read(reader, key);
    }
    return out;
}

/** The config type a policy's option declarations read to. */
export type ConfigOf<O> = O extends ConfigOptions<infer T> ? T : never;
