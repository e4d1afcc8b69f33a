/**
 * The one reader of stack config.
 *
 * It only reads: every key each area declares (its `settings.ts`), typed as Pulumi.yaml types it, with the
 * per-key limits the area declares. Then it calls each area's pure validator and reports every problem at once,
 * before any resource is registered, in Pulumi.yaml's key order. A key of the project's namespace that no area
 * declares (a typo such as `lifecycleIaDay`) is a problem naming the closest declared key: otherwise the default
 * would silently apply. Components never read config; they receive validated settings as args.
 */
import * as pulumi from "@pulumi/pulumi";
import { AnalyticsConfig, ANALYTICS_KEYS, analyticsSettings, validateAnalyticsSettings } from "../analytics/settings";
import { IngestionConfig, INGESTION_KEYS, ingestionSettings, validateIngestionSettings } from "../ingestion/settings";
import { hasOnPremises, NetworkConfig, NETWORK_KEYS, networkSettings, validateNetworkSettings } from "../network/settings";
import { SecurityConfig, SECURITY_KEYS, securitySettings, validateSecuritySettings } from "../security/settings";
import { DataLakeConfig, StorageConfig, STORAGE_KEYS, storageSettings, validateStorageSettings } from "../storage/settings";
import { closestKey, expectedForm, formatProblem, isSecretKey, KeySpec, KeyTable, KeyValues, parseCidr, Problem, problem, PROJECT } from "./config-keys";
import { NamingContext } from "./naming";
import { Environment, LoggingConfig, PLATFORM_KEYS, platformSettings, validatePlatformSettings, validationContext } from "./settings";

export { PROJECT };

/** Every project key, area by area, in the order Pulumi.yaml declares them. */
export const DECLARED_KEYS: Readonly<Record<string, KeyTable>> = {
    platform: PLATFORM_KEYS,
    network: NETWORK_KEYS,
    security: SECURITY_KEYS,
    storage: STORAGE_KEYS,
    ingestion: INGESTION_KEYS,
    analytics: ANALYTICS_KEYS,
};

export interface PlatformConfig {
    project: string;
    stack: string;
    environment: Environment;
    naming: NamingContext;
    owner: string;
    costCenter: string;
    /** Stateful resources get the `protect` option and service-side deletion protection. */
    protect: boolean;
    alertEmails: string[];
    /** Tenant ids; each gets a tag-scoped reader role. */
    customers: string[];
    network: NetworkConfig;
    logging: LoggingConfig;
    dataLake: DataLakeConfig;
    security: SecurityConfig;
    storage: StorageConfig;
    ingestion: IngestionConfig;
    analytics: AnalyticsConfig;
}

/** Where raw values come from: `pulumi.Config` in a program, a plain map in tests. */
export interface ConfigSource {
    /** Raw string value of a project key (objects and arrays as JSON), or undefined. */
    get(key: string): string | undefined;
    /** Raw string value of a provider key such as `aws:region`. */
    getQualified(key: string): string | undefined;
    /** A secret value as an Output marked secret, or undefined when the key is not set. */
    getSecret(key: string): pulumi.Output<string> | undefined;
    /** Bare names of every project key the stack sets (to find undeclared ones). */
    keys(): string[];
    stack: string;
}

/** Raised with every invalid value listed; nothing is registered when it is thrown. */
export class ConfigValidationError extends Error {
    constructor(readonly problems: string[]) {
        super(`Stack configuration is invalid:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigValidationError";
    }
}

/** Reads one key as its spec types it; a value of the wrong form is a problem and gives the default. */
function readKey(source: ConfigSource, key: string, spec: KeySpec, problems: Problem[]): unknown {
    if (isSecretKey(spec)) {
        return source.getSecret(key);
    }
    const raw = source.get(key);
    if (spec.type === "string") {
        const value = (raw === "" && !spec.emptyIsValue ? undefined : raw) ?? spec.default ?? "";
        if (value === "" && spec.required) {
            problems.push(problem(key, `${expectedForm(spec)} (the key is required)`, undefined));
        } else if (spec.allowed && !spec.allowed.includes(value)) {
            problems.push(problem(key, expectedForm(spec), value));
            return spec.default ?? "";
        }
        return value;
    }
    // An empty value is "not set" for typed keys, as the CLI passes an absent optional value.
    if (raw === undefined || raw === "") return spec.default;
    switch (spec.type) {
        case "boolean":
            if (raw === "true" || raw === "false") return raw === "true";
            problems.push(problem(key, expectedForm(spec), raw));
            return spec.default;
        case "integer": {
            const n = Number(raw);
            const ok = /^-?\d+$/.test(raw) && Number.isSafeInteger(n) && n >= spec.min && n <= spec.max && (!spec.allowed || spec.allowed.includes(n));
            if (ok) return n;
            problems.push(problem(key, expectedForm(spec), /^-?\d+$/.test(raw) ? n : raw));
            return spec.default;
        }
        case "array": {
            let parsed: unknown;
            try {
                parsed = JSON.parse(raw);
            } catch {
                parsed = raw;
            }
            if (Array.isArray(parsed) && parsed.every((x) => typeof x === "string")) return parsed;
            problems.push(problem(key, expectedForm(spec), parsed));
            return [...spec.default];
        }
    }
}

function readTable<T extends KeyTable>(source: ConfigSource, table: T, problems: Problem[]): KeyValues<T> {
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(table)) out[key] = readKey(source, key, spec, problems);
    return out as KeyValues<T>;
}

/** Problems of keys the stack sets that no area declares, each naming the closest declared key. */
function undeclaredKeys(source: ConfigSource, declared: string[]): Problem[] {
    const known = new Set(declared);
    return source
        .keys()
        .filter((key) => !known.has(key))
        .sort()
        // The value is not shown: a mistyped key may hold a secret (`pulumi config set --secret onPremDbPasword`).
        .map((key) => problem(key, `a key that Pulumi.yaml declares (did you mean ${closestKey(key, declared)}?)`, key));
}

/** Orders problems as Pulumi.yaml orders the keys (provider keys first, undeclared keys last), stable within a key. */
function inDeclarationOrder(problems: Problem[], declared: string[]): Problem[] {
    const rank = (p: Problem) => {
        if (p.key.startsWith("aws:")) return -1;
        const i = declared.indexOf(p.key.replace(/\[\d+\]$/, ""));
        return i < 0 ? declared.length : i;
    };
    return problems.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(({ p }) => p);
}

/**
 * Reads and validates the stack config. Throws {@link ConfigValidationError} listing every problem.
 */
/**
 * Example values of the committed stack files: the accounts of `Pulumi.dev.yaml`/`Pulumi.prod.yaml` (and AWS's
 * documentation account). They keep the offline run deterministic; a real deploy must replace them.
 */
export const EXAMPLE_ACCOUNT_IDS: readonly string[] = ["345678901234", "210987654321", "123456789012"];
/** IPv4 documentation ranges (RFC 5737): never a real VPN peer. */
const DOCUMENTATION_RANGES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

/**
 * The test lanes that run the program on the committed example values: the offline engine (`tools/offline/engine.ts`
 * sets `HDP_TEST_LANE=offline` while the program runs) and a real-engine lane (which sets `HDP_TEST_LANE=real-engine`).
 * Unset: a real deploy, which must not run on example values.
 */
export function isTestLane(env: Record<string, string | undefined> = process.env): boolean {
    const lane = env.HDP_TEST_LANE;
    if (lane === undefined || lane === "") return false;
    if (lane === "offline" || lane === "real-engine") return true;
    throw new Error(`HDP_TEST_LANE: expected offline or real-engine (or unset for a real deploy), got '${lane}'`);
}

function inRange(ip: string, cidr: string): boolean {
    const a = parseCidr(`${ip}/32`);
    const r = parseCidr(cidr);
    if (!a || !r) return false;
    const mask = r[1] === 0 ? 0 : (~0 << (32 - r[1])) >>> 0;
    return ((a[0] & mask) >>> 0) === ((r[0] & mask) >>> 0);
}

/** Example values that only the test lanes may deploy with. Pure. */
export function placeholderProblems(accountId: string, vpnPeerIp: string): Problem[] {
    const problems: Problem[] = [];
    const lane = "(a real deploy needs your values; only the offline engine and the real-engine test lane, HDP_TEST_LANE=offline|real-engine, accept examples)";
    if (EXAMPLE_ACCOUNT_IDS.includes(accountId)) {
        problems.push(problem("aws:allowedAccountIds", `your AWS account id, not the example ${accountId} ${lane}`, [accountId]));
    }
    if (vpnPeerIp !== "" && DOCUMENTATION_RANGES.some((r) => inRange(vpnPeerIp, r))) {
        problems.push(problem("onPremVpnPeerIp", `the public IPv4 address of your VPN device, not an address of a documentation range (RFC 5737) ${lane}`, vpnPeerIp));
    }
    return problems;
}

export interface LoadOptions {
    /** Refuse the stack files' example values (the real deploy path, {@link readPlatformConfig} outside a test lane). @default false */
    rejectPlaceholders?: boolean;
}

export function loadPlatformConfig(source: ConfigSource, options: LoadOptions = {}): PlatformConfig {
    const problems: Problem[] = [];
    const declared = Object.values(DECLARED_KEYS).flatMap((table) => Object.keys(table));
    problems.push(...undeclaredKeys(source, declared));

    const platform = readTable(source, PLATFORM_KEYS, problems);
    const network = readTable(source, NETWORK_KEYS, problems);
    const security = readTable(source, SECURITY_KEYS, problems);
    const storage = readTable(source, STORAGE_KEYS, problems);
    const ingestion = readTable(source, INGESTION_KEYS, problems);
    const analytics = readTable(source, ANALYTICS_KEYS, problems);

    const provider = { region: source.getQualified("aws:region"), allowedAccountIds: source.getQualified("aws:allowedAccountIds") };
    const ctx = validationContext(platform, provider);
    problems.push(
        ...validatePlatformSettings(platform, provider, ctx),
        ...validateNetworkSettings(network, ctx),
        ...validateSecuritySettings(security, ctx),
        ...validateStorageSettings(storage, ctx),
        ...validateIngestionSettings(ingestion, { ...ctx, onPremisesConnected: hasOnPremises(network), onPremDnsDomain: network.onPremDnsDomain }),
        ...validateAnalyticsSettings(analytics, { ...ctx, availabilityZones: network.availabilityZones, natEgress: network.natGateways !== "none" }),
        ...(options.rejectPlaceholders ? placeholderProblems(ctx.accountId, network.onPremVpnPeerIp) : []),
    );
    if (problems.length > 0) {
        throw new ConfigValidationError(inDeclarationOrder(problems, declared).map(formatProblem));
    }

    const general = platformSettings(platform, ctx);
    const { dataLake, storage: stores } = storageSettings(storage);
    return {
        project: PROJECT,
        stack: source.stack,
        environment: general.environment,
        naming: { prefix: general.prefix, environment: general.environment, region: ctx.region, accountId: ctx.accountId, partition: ctx.partition },
        owner: general.owner,
        costCenter: general.costCenter,
        protect: general.protect,
        alertEmails: general.alertEmails,
        customers: general.customers,
        network: networkSettings(network),
        logging: general.logging,
        dataLake,
        security: securitySettings(security),
        storage: stores,
        ingestion: ingestionSettings(ingestion),
        analytics: analyticsSettings(analytics),
    };
}

/** Reads the running stack's config through `pulumi.Config`. */
export function readPlatformConfig(): PlatformConfig {
    const project = new pulumi.Config();
    const prefix = `${PROJECT}:`;
    const rejectPlaceholders = !isTestLane();
    return loadPlatformConfig({
        stack: pulumi.getStack(),
        get: (key) => {
            const v = project.get(key);
            return v === undefined ? undefined : String(v);
        },
        getQualified: (key) => {
            const [ns, k] = key.split(":");
            return new pulumi.Config(ns).get(k);
        },
        // Optional secrets: Pulumi.yaml gives them no default, so an unset key reads as undefined.
        getSecret: (key) => project.getSecret(key),
        keys: () =>
            Object.keys(pulumi.runtime.allConfig())
                .filter((k) => k.startsWith(prefix))
                .map((k) => k.slice(prefix.length)),
    }, { rejectPlaceholders });
}
