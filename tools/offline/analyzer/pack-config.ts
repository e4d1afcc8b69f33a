/**
 * Policy pack config: the `--policy-pack-config` file, parsed, reconciled with the policies' schemas and defaults,
 * and validated as the CLI does before it sends Configure.
 */
import * as fs from "fs";
import Ajv, { ErrorObject } from "ajv";
import { ENFORCEMENT_LEVELS, EnforcementLevel, isObject, JSONSchema, PolicyConfigEntry, PolicyInfo, PolicyPackError } from "./protocol";

/** `{ "all": "advisory", "<policy>": "mandatory" | { enforcementLevel?, ...properties } }`. */
export type PolicyPackConfigInput = Record<string, unknown>;

function parseLevel(value: unknown, key: string): EnforcementLevel {
    if (typeof value !== "string") {
        throw new PolicyPackError(`parsing enforcement level for "${key}": ${JSON.stringify(value)} is not a valid enforcement level; must be a string`, "config");
    }
    if (!ENFORCEMENT_LEVELS.includes(value as EnforcementLevel)) {
        throw new PolicyPackError(
            `parsing enforcement level for "${key}": "${value}" is not a valid enforcement level (expected one of ${ENFORCEMENT_LEVELS.join(", ")})`,
            "config",
        );
    }
    return value as EnforcementLevel;
}

/** Parses policy pack config with the CLI's rules (strings are levels, objects carry properties). */
export function parsePolicyPackConfig(input: PolicyPackConfigInput, source = "policy pack config"): Record<string, PolicyConfigEntry> {
    if (!isObject(input)) {
        throw new PolicyPackError(`${source}: expected a JSON object of policy names to levels or objects`, "config");
    }
    const out: Record<string, PolicyConfigEntry> = {};
    for (const [key, value] of Object.entries(input)) {
        let entry: PolicyConfigEntry;
        if (typeof value === "string") {
            entry = { enforcementLevel: parseLevel(value, key) };
        } else if (isObject(value)) {
            const { enforcementLevel, ...properties } = value;
            entry = {};
            if (enforcementLevel !== undefined) {
                entry.enforcementLevel = parseLevel(enforcementLevel, key);
            }
            if (Object.keys(properties).length > 0) {
                entry.properties = properties;
            }
        } else {
            throw new PolicyPackError(`${source}: parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`, "config");
        }
        if (entry.enforcementLevel === undefined && entry.properties === undefined) {
            continue;
        }
        out[key] = entry;
    }
    return out;
}

/** Reads a `--policy-pack-config` JSON file. An empty file is no config, as in the CLI. */
export function loadPolicyPackConfigFile(file: string): Record<string, PolicyConfigEntry> {
    if (!fs.existsSync(file)) {
        throw new PolicyPackError(`policy pack config file not found: ${file}`, "config");
    }
    const text = fs.readFileSync(file, "utf8");
    if (text.trim() === "") {
        return {};
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (err) {
        throw new PolicyPackError(`${file}: not valid JSON: ${(err as Error).message}`, "config");
    }
    return parsePolicyPackConfig(json as PolicyPackConfigInput, file);
}

/** gojsonschema-style wording, which is what `pulumi preview` prints for invalid policy config. */
function describeSchemaError(e: ErrorObject): string {
    const field = e.instancePath.replace(/^\//, "").replace(/\//g, ".");
    const where = field ? `${field}: ` : "";
    switch (e.keyword) {
        case "required":
            return `${field ? `${field}.` : ""}${(e.params as { missingProperty: string }).missingProperty} is required`;
        case "type": {
            const expected = (e.params as { type: string | string[] }).type;
            return `${where}Invalid type. Expected: ${Array.isArray(expected) ? expected.join(" or ") : expected}, given: ${jsonTypeOf(e.data)}`;
        }
        case "enum":
            return `${where}${field || "value"} must be one of the following: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? [])
                .map((v) => JSON.stringify(v))
                .join(", ")}`;
        case "minimum":
            return `${where}Must be greater than or equal to ${(e.params as { limit: number }).limit}`;
        case "maximum":
            return `${where}Must be less than or equal to ${(e.params as { limit: number }).limit}`;
        case "additionalProperties":
            return `${where}Additional property ${(e.params as { additionalProperty: string }).additionalProperty} is not allowed`;
        default:
            return `${where}${e.message ?? e.keyword} (given ${JSON.stringify(e.data)})`;
    }
}

function jsonTypeOf(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "array";
    if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
    return typeof v;
}

/**
 * The CLI's `ReconcilePolicyPackConfig`: schema defaults and each policy's own level first, then the pack's
 * initial config, then the given config (`all` sets every level, per-policy entries override). Returns the
 * config to send with Configure and the validation errors (`<policy>: <problem>`), sorted as the CLI prints them.
 */
export function reconcilePolicyPackConfig(
    policies: PolicyInfo[],
    initialConfig: Record<string, PolicyConfigEntry>,
    config: Record<string, PolicyConfigEntry> | undefined,
): { config: Record<string, PolicyConfigEntry>; errors: string[] } {
    const result: Record<string, PolicyConfigEntry> = {};
    for (const p of policies) {
        let props: Record<string, unknown> | undefined;
        for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (isObject(schema) && "default" in schema) {
                props = props ?? {};
                props[k] = schema.default;
            }
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel, properties: props };
    }
    const apply = (given: Record<string, PolicyConfigEntry>) => {
        const all = given.all;
        if (all?.enforcementLevel) {
            for (const k of Object.keys(result)) {
                result[k] = { ...result[k], enforcementLevel: all.enforcementLevel };
            }
        }
        for (const [policy, g] of Object.entries(given)) {
            const current = result[policy] ?? {};
            const properties = g.properties && Object.keys(g.properties).length > 0 ? { ...(current.properties ?? {}), ...g.properties } : current.properties;
            result[policy] = { enforcementLevel: g.enforcementLevel ?? current.enforcementLevel, properties };
        }
    };
    apply(initialConfig);
    if (config) {
        apply(config);
    }

    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    const errors: string[] = [];
    for (const p of policies) {
        if (!p.configSchema) {
            continue;
        }
        const schema: JSONSchema = { type: "object" };
        if (Object.keys(p.configSchema.properties).length > 0) {
            schema.properties = p.configSchema.properties;
        }
        if (p.configSchema.required.length > 0) {
            schema.required = p.configSchema.required;
        }
        let validate;
        try {
            validate = ajv.compile(schema);
        } catch (err) {
            errors.push(`${p.name}: the policy's config schema is invalid: ${(err as Error).message}`);
            continue;
        }
        const props = result[p.name]?.properties ?? {};
        if (!validate(props)) {
            for (const e of validate.errors ?? []) {
                errors.push(`${p.name}: ${describeSchemaError(e)}`);
            }
        }
    }
    return { config: result, errors: errors.sort() };
}
