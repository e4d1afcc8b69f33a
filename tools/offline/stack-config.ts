/**
 * Stack configuration as the Pulumi CLI hands it to a program: `Pulumi.yaml` project declarations and
 * defaults merged with `Pulumi.<stack>.yaml`, every key fully qualified (`<project>:<key>`, `aws:region`),
 * every value a string (structured values as compact JSON), plus the list of secret keys.
 *
 * The CLI's own checks run here too, with its messages: a project key with neither a default nor a stack
 * value ("Stack 'dev' is missing configuration value 'x'"), a value of the wrong type ("Stack 'dev' with
 * configuration key 'x' must be of type 'integer'"), a secret declared in the project but stored in
 * plain text. Encrypted values (`secure: v1:...`) cannot be decrypted without the stack's secrets
 * provider; they become a deterministic placeholder (`offline-secret-<project>:<key>`), are marked secret
 * and are listed in `placeholders` so callers can say so.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

/** One declaration of the project-level `config:` block. */
export interface ConfigDeclaration {
    /** Fully qualified key. */
    key: string;
    /** The key as Pulumi.yaml spells it (bare or namespaced): the CLI's messages and ordering use this form. */
    declaredAs?: string;
    type?: "string" | "integer" | "boolean" | "array";
    /** Element type of arrays, nested (`array<array<string>>`). */
    items?: ConfigItems;
    description?: string;
    default?: unknown;
    /** A value set for every stack (the only form allowed for other namespaces such as `aws:`). */
    value?: unknown;
    secret: boolean;
}

export interface ConfigItems {
    type: string;
    items?: ConfigItems;
}

export interface ProjectInfo {
    name: string;
    runtime: string;
    description?: string;
    /** `main` from Pulumi.yaml, relative to the project directory. */
    main?: string;
    /** Directory holding `Pulumi.<stack>.yaml` (the project directory unless `stackConfigDir` says otherwise). */
    stackConfigDir: string;
    dir: string;
    file: string;
    declarations: ConfigDeclaration[];
}

export interface StackConfig {
    project: ProjectInfo;
    stack: string;
    /** Absolute path of `Pulumi.<stack>.yaml`. */
    stackFile: string;
    /** Fully qualified key -> string value, as `pulumi.Config` reads it. */
    config: Record<string, string>;
    /** Fully qualified keys whose values are secrets. */
    secretKeys: string[];
    /** Fully qualified keys whose encrypted values were replaced by `offline-secret-<key>`. */
    placeholders: string[];
    /** Where each value came from. */
    sources: Record<string, "stack" | "project-default" | "project-value">;
    /** Things the CLI would resolve but the offline engine cannot (ESC environments). */
    warnings: string[];
}

/** Placeholder for an encrypted value that cannot be decrypted offline. */
export function secretPlaceholder(qualifiedKey: string): string {
    return `offline-secret-${qualifiedKey}`;
}

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml"];

/** Thrown for every configuration problem, naming the file and key. */
export class StackConfigError extends Error {
    constructor(
        message: string,
        readonly file: string,
        readonly key?: string,
    ) {
        super(message);
        this.name = "StackConfigError";
    }
}

function readYaml(file: string): unknown {
    try {
        return yaml.load(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new StackConfigError(`${file}: not valid YAML: ${(err as Error).message}`, file);
    }
}

function isObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Finds and reads the project file of `projectDir`. */
export function loadProject(projectDir: string): ProjectInfo {
    const dir = path.resolve(projectDir);
    const file = PROJECT_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) {
        throw new StackConfigError(`no Pulumi project file: expected ${path.join(dir, "Pulumi.yaml")}`, path.join(dir, "Pulumi.yaml"));
    }
    const doc = readYaml(file);
    if (!isObject(doc)) {
        throw new StackConfigError(`${file}: expected a YAML mapping with 'name' and 'runtime'`, file);
    }
    const name = doc.name;
    if (typeof name !== "string" || name === "") {
        throw new StackConfigError(`${file}: project is missing a non-empty string 'name' attribute`, file);
    }
    const runtime = isObject(doc.runtime) ? doc.runtime.name : doc.runtime;
    if (typeof runtime !== "string") {
        throw new StackConfigError(`${file}: project is missing a 'runtime' attribute`, file);
    }
    let stackConfigDir = typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : undefined;
    let configBlock: unknown = doc.config;
    if (typeof configBlock === "string") {
        // Older projects point `config:` at the directory of the stack files.
        if (stackConfigDir) {
            throw new StackConfigError(`${file}: Should not use both config and stackConfigDir to define the stack config directory`, file);
        }
        stackConfigDir = configBlock;
        configBlock = undefined;
    }
    const declarations: ConfigDeclaration[] = [];
    if (configBlock !== undefined && configBlock !== null) {
        if (!isObject(configBlock)) {
            throw new StackConfigError(`${file}: 'config' must be a mapping of keys to declarations`, file);
        }
        for (const [rawKey, raw] of Object.entries(configBlock)) {
            declarations.push(parseDeclaration(file, name, rawKey, raw));
        }
    }
    return {
        name,
        runtime,
        description: typeof doc.description === "string" ? doc.description : undefined,
        main: typeof doc.main === "string" ? doc.main : undefined,
        stackConfigDir: path.resolve(dir, stackConfigDir ?? "."),
        dir,
        file,
        declarations,
    };
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function parseDeclaration(file: string, project: string, rawKey: string, raw: unknown): ConfigDeclaration {
    const key = qualify(project, rawKey);
    const own = key.startsWith(`${project}:`);
    if (!isObject(raw)) {
        // Shorthand: a plain value is a default for project keys and a value for other namespaces.
        return own ? { key, declaredAs: rawKey, default: raw, secret: false } : { key, declaredAs: rawKey, value: raw, secret: false };
    }
    const known = ["type", "items", "description", "default", "value", "secret"];
    if (!Object.keys(raw).some((k) => known.includes(k))) {
        // An object with none of the declaration attributes is a structured default.
        return own ? { key, declaredAs: rawKey, default: raw, secret: false } : { key, declaredAs: rawKey, value: raw, secret: false };
    }
    if ("default" in raw && "value" in raw) {
        throw new StackConfigError(`${file}: project config '${rawKey}' cannot have both a 'default' and 'value' attribute`, file, key);
    }
    if (!own && raw.type !== undefined) {
        throw new StackConfigError(
            `${file}: Configuration key '${rawKey}' is not namespaced by the project and should not define a type`,
            file,
            key,
        );
    }
    if (!own && "default" in raw) {
        throw new StackConfigError(
            `${file}: Configuration key '${rawKey}' is not namespaced by the project and should not define a default value. ` +
                "Did you mean to use the 'value' attribute instead of 'default'?",
            file,
            key,
        );
    }
    const type = raw.type;
    if (type !== undefined && !["string", "integer", "boolean", "array"].includes(type as string)) {
        throw new StackConfigError(
            `${file}: configuration key '${rawKey}' has type '${String(type)}'; expected one of string, integer, boolean, array`,
            file,
            key,
        );
    }
    const items = isObject(raw.items) ? parseItems(raw.items) : undefined;
    if (type === "array" && !items) {
        throw new StackConfigError(
            `${file}: The configuration key '${rawKey}' declares an array but does not specify the underlying type via the 'items' attribute`,
            file,
            key,
        );
    }
    const decl: ConfigDeclaration = {
        key,
        declaredAs: rawKey,
        type: type as ConfigDeclaration["type"],
        items,
        description: typeof raw.description === "string" ? raw.description : undefined,
        secret: raw.secret === true,
    };
    if ("default" in raw) {
        decl.default = raw.default;
        if (decl.type && !matchesType(raw.default, decl.type, items)) {
            throw new StackConfigError(
                `${file}: The default value specified for configuration key '${rawKey}' is not of the expected type '${typeName(decl)}'`,
                file,
                key,
            );
        }
    }
    if ("value" in raw) {
        decl.value = raw.value;
    }
    return decl;
}

function parseItems(raw: Record<string, unknown>): ConfigItems {
    return { type: String(raw.type), items: isObject(raw.items) ? parseItems(raw.items) : undefined };
}

function typeName(decl: { type?: string; items?: ConfigItems }): string {
    if (decl.type === "array" && decl.items) {
        return `array<${typeName(decl.items)}>`;
    }
    return decl.type ?? "";
}

function matchesType(value: unknown, type: string, items?: ConfigItems): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return typeof value === "number" && Number.isInteger(value);
        case "boolean":
            return typeof value === "boolean";
        case "array":
            return Array.isArray(value) && (!items || value.every((v) => matchesType(v, items.type, items.items)));
        default:
            return true;
    }
}

/** A stack-file value as the CLI reads it: YAML scalars as typed, `"20"` strings stay strings. */
function matchesStackValue(value: unknown, decl: ConfigDeclaration): boolean {
    if (!decl.type) {
        return true;
    }
    if (decl.type === "string") {
        // The CLI stores every scalar as a string; a number or boolean in the stack file is fine for a string key.
        return !isObject(value) && !Array.isArray(value);
    }
    if (decl.type === "integer" && typeof value === "string") {
        return /^-?\d+$/.test(value);
    }
    if (decl.type === "boolean" && typeof value === "string") {
        return value === "true" || value === "false";
    }
    return matchesType(value, decl.type, decl.items);
}

interface Converted {
    value: string;
    secret: boolean;
    placeholder: boolean;
}

/** Replaces `{ secure: ... }` leaves with placeholders; reports whether any were found. */
function stripSecure(value: unknown, key: string, pathSoFar: string): { value: unknown; secure: boolean } {
    if (isObject(value)) {
        if (Object.keys(value).length === 1 && typeof value.secure === "string") {
            return { value: secretPlaceholder(pathSoFar ? `${key}.${pathSoFar}` : key), secure: true };
        }
        let secure = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const r = stripSecure(v, key, pathSoFar ? `${pathSoFar}.${k}` : k);
            secure = secure || r.secure;
            out[k] = r.value;
        }
        return { value: out, secure };
    }
    if (Array.isArray(value)) {
        let secure = false;
        const out = value.map((v, i) => {
            const r = stripSecure(v, key, pathSoFar ? `${pathSoFar}[${i}]` : `[${i}]`);
            secure = secure || r.secure;
            return r.value;
        });
        return { value: out, secure };
    }
    return { value, secure: false };
}

function convert(value: unknown, key: string): Converted {
    const { value: clear, secure } = stripSecure(value, key, "");
    if (typeof clear === "string") {
        return { value: clear, secret: secure, placeholder: secure };
    }
    if (clear === null || clear === undefined) {
        return { value: "", secret: false, placeholder: false };
    }
    if (typeof clear === "number" || typeof clear === "boolean") {
        return { value: String(clear), secret: false, placeholder: false };
    }
    // Structured config reaches the program as compact JSON, exactly as the CLI passes it.
    return { value: JSON.stringify(clear), secret: secure, placeholder: secure };
}

/** Go's sort.Strings order (byte-wise), which the CLI uses for config keys; localeCompare differs on case. */
function compareGo(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function listKeys(keys: string[]): string {
    const quoted = keys.map((k) => `'${k}'`);
    return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/** The path of `Pulumi.<stack>.yaml` for a project (the CLI mirrors the project file's extension). */
export function stackFileOf(project: ProjectInfo, stack: string): string {
    const ext = path.extname(project.file);
    return path.join(project.stackConfigDir, `Pulumi.${stack}${ext}`);
}

/** Loads the CLI-equivalent configuration of `stack` in `projectDir`. */
/**
 * Loads a stack's config as the CLI does. `overrides` act like `pulumi config set` on the stack file before it is
 * read (bare keys are project keys, `undefined` removes a key, `{ secure: "..." }` is an encrypted value).
 */
export function loadStackConfig(projectDir: string, stack: string, overrides: Record<string, unknown> = {}): StackConfig {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
        throw new StackConfigError(`invalid stack name '${stack}': use letters, digits, '-', '_' and '.'`, projectDir);
    }
    const project = loadProject(projectDir);
    const stackFile = stackFileOf(project, stack);
    if (!fs.existsSync(stackFile)) {
        throw new StackConfigError(
            `stack '${stack}' has no configuration file: expected ${stackFile} (create it with 'pulumi stack init ${stack}' ` +
                `or copy an existing Pulumi.<stack>.yaml)`,
            stackFile,
        );
    }
    const doc = readYaml(stackFile);
    if (doc !== null && doc !== undefined && !isObject(doc)) {
        throw new StackConfigError(`${stackFile}: expected a YAML mapping with a 'config' key`, stackFile);
    }
    const stackDoc = (doc ?? {}) as Record<string, unknown>;
    const rawConfig = stackDoc.config ?? {};
    if (!isObject(rawConfig)) {
        throw new StackConfigError(`${stackFile}: 'config' must be a mapping of keys to values`, stackFile);
    }
    const warnings: string[] = [];
    if (stackDoc.environment !== undefined) {
        warnings.push(`${stackFile}: 'environment' (Pulumi ESC) is not resolved offline; only the 'config' block is used`);
    }

    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const placeholders: string[] = [];
    const sources: StackConfig["sources"] = {};
    const stackValues = new Map<string, unknown>();
    for (const [rawKey, raw] of Object.entries(rawConfig)) {
        const key = qualify(project.name, rawKey);
        if (stackValues.has(key)) {
            throw new StackConfigError(`${stackFile}: configuration key '${key}' is set twice ('${rawKey}')`, stackFile, key);
        }
        stackValues.set(key, raw);
    }
    for (const [rawKey, raw] of Object.entries(overrides)) {
        const key = qualify(project.name, rawKey);
        if (raw === undefined) stackValues.delete(key);
        else stackValues.set(key, raw);
    }

    const bare = (key: string) => (key.startsWith(`${project.name}:`) ? key.slice(project.name.length + 1) : key);
    const missing: string[] = [];
    const byKey = new Map(project.declarations.map((d) => [d.key, d]));
    // The CLI's order (pkg/workspace mergeConfig): project defaults and values are written into the stack's config
    // first (as plain values), every missing key is reported at once, then each explicitly typed declaration is
    // validated, in the sorted order of the keys as Pulumi.yaml spells them. The first problem ends the run.
    for (const decl of project.declarations) {
        if (stackValues.has(decl.key)) {
            continue;
        }
        const projectValue = decl.value ?? decl.default;
        if (projectValue === undefined || projectValue === null) {
            // The CLI requires every project key without a default, typed or not, secret or not, before the program runs.
            if (decl.key.startsWith(`${project.name}:`)) {
                missing.push(decl.declaredAs ?? bare(decl.key));
            }
            continue;
        }
        const c = convert(projectValue, decl.key);
        config[decl.key] = c.value;
        sources[decl.key] = decl.value !== undefined ? "project-value" : "project-default";
        if (decl.secret || c.secret) {
            secretKeys.add(decl.key);
        }
        if (c.placeholder) {
            placeholders.push(decl.key);
        }
    }
    if (missing.length > 0) {
        const noun = missing.length === 1 ? "value" : "values";
        throw new StackConfigError(
            `Stack '${stack}' is missing configuration ${noun} ${listKeys(missing.sort(compareGo))} (set ${missing.length === 1 ? "it" : "them"} in ${stackFile})`,
            stackFile,
            qualify(project.name, missing[0]),
        );
    }
    const typed = project.declarations.filter((d) => d.type !== undefined).sort((a, b) => compareGo(a.declaredAs ?? bare(a.key), b.declaredAs ?? bare(b.key)));
    for (const decl of typed) {
        const name = decl.declaredAs ?? bare(decl.key);
        if (!stackValues.has(decl.key)) {
            // A project default became a plain stack value: the CLI rejects it for a secret key.
            if (decl.secret) {
                throw new StackConfigError(
                    `Stack '${stack}' with configuration key '${name}' must be encrypted as it's secret ` +
                        `(${project.file} gives it a plain-text default, which the CLI writes into the stack's config; ` +
                        `a 'secret: true' key takes no default: set it with 'pulumi config set --secret ${name}' in every stack)`,
                    stackFile,
                    decl.key,
                );
            }
            continue;
        }
        const raw = stackValues.get(decl.key);
        const encrypted = isObject(raw) && typeof raw.secure === "string";
        if (decl.secret && !encrypted) {
            throw new StackConfigError(`Stack '${stack}' with configuration key '${name}' must be encrypted as it's secret (${stackFile})`, stackFile, decl.key);
        }
        if (!encrypted && !matchesStackValue(raw, decl)) {
            throw new StackConfigError(
                `Stack '${stack}' with configuration key '${name}' must be of type '${typeName(decl)}' (${stackFile} has ${JSON.stringify(raw)})`,
                stackFile,
                decl.key,
            );
        }
    }
    for (const [key, raw] of stackValues) {
        const c = convert(raw, key);
        config[key] = c.value;
        sources[key] = "stack";
        if (c.secret || byKey.get(key)?.secret) {
            secretKeys.add(key);
        }
        if (c.placeholder) {
            placeholders.push(key);
        }
    }
    return {
        project,
        stack,
        stackFile,
        config,
        secretKeys: [...secretKeys].sort(),
        placeholders: placeholders.sort(),
        sources,
        warnings,
    };
}
