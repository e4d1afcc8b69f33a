/**
 * Test support shared by the component specs: config from the real stack files, recorded-resource queries,
 * and wire-form helpers. Everything here reads real artefacts; nothing fakes a verdict.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigSource, ConfigValidationError, loadPlatformConfig, PlatformConfig, PROJECT } from "../../components/shared/config";
import { PlatformContext, PlatformKeyRefs, NetworkRefs } from "../../components/shared/refs";
import { Recording, RecordedResource } from "../../tools/offline/recorder";
import { loadStackConfig } from "../../tools/offline/stack-config";
import { isWireSecret, SIG_KEY, UNKNOWN } from "../../tools/offline/wire";
export { isWireSecret, UNKNOWN };

export const ROOT = path.resolve(__dirname, "..", "..");

/** The wire protocol's signature key of a secret value. */
export const SECRET_SIG = SIG_KEY;

/**
 * Fully qualified config of a stack as the CLI hands it to the program (tools/offline/stack-config.ts: Pulumi.yaml
 * defaults merged with `Pulumi.<stack>.yaml`, structured values as JSON, encrypted values as placeholders).
 * `overrides` act like `pulumi config set` (bare keys are project keys; `undefined` removes a key).
 */
export function stackConfigMap(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    return loadStackConfig(ROOT, stack, { ...(OPERATOR_SECRETS[stack] ?? {}), ...overrides }).config;
}

/**
 * Secrets a stack's operators set with `pulumi config set --secret` and that are never committed: the specs run each
 * stack as its operators would (an encrypted value, which the offline engine turns into its placeholder).
 */
export const OPERATOR_SECRETS: Readonly<Record<string, Record<string, unknown>>> = {
    prod: { onPremDbPassword: { secure: "v1:set-by-the-operator" }, storageGatewayActivationKey: { secure: "v1:pre-fetched-by-the-operator" } },
};

/** Like {@link stackConfigMap} for any stack-shaped YAML file (read as stack `stack` of this project). */
export function configMapFromFile(file: string, overrides: Record<string, unknown> = {}, stack = "template"): Record<string, string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hdp-stack-"));
    try {
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.copyFileSync(file, path.join(dir, `Pulumi.${stack}.yaml`));
        return loadStackConfig(dir, stack, overrides).config;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A ConfigSource over a fully qualified map (what `readPlatformConfig` sees through pulumi.Config). */
export function mapSource(map: Record<string, string>, stack = "test"): ConfigSource {
    const prefix = `${PROJECT}:`;
    return {
        stack,
        get: (key) => map[`${prefix}${key}`],
        getQualified: (key) => map[key],
        getSecret: (key) => (map[`${prefix}${key}`] !== undefined ? pulumi.secret(map[`${prefix}${key}`]) : undefined),
        keys: () => Object.keys(map).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
    };
}

/** The problems the config reader reports for a fully qualified config map; fails the test when it reports none. */
export function configProblems(map: Record<string, string>, stack: string): string[] {
    try {
        loadPlatformConfig(mapSource(map, stack));
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.problems;
        throw err;
    }
    assert.fail(`expected a ConfigValidationError for ${JSON.stringify(map)}`);
}

/** {@link configProblems} of `Pulumi.<stack>.yaml` with overrides (bare keys are project keys). */
export function stackProblems(stack: "dev" | "prod", overrides: Record<string, unknown>): string[] {
    return configProblems(stackConfigMap(stack, overrides), stack);
}

/** Validated config of `Pulumi.<stack>.yaml` with overrides (bare keys are project keys; `undefined` removes a key). */
export function platformConfig(stack: "dev" | "prod", overrides: Record<string, unknown> = {}): PlatformConfig {
    return loadPlatformConfig(mapSource(stackConfigMap(stack, overrides), stack));
}

export function contextOf(cfg: PlatformConfig): PlatformContext {
    return { naming: cfg.naming, protect: cfg.protect, logRetentionDays: cfg.logging.retentionDays };
}

/** Key references with realistic ARNs, for components tested without the Keys component. */
export function fakeKeys(cfg: PlatformConfig): PlatformKeyRefs {
    const { partition, region, accountId, prefix, environment } = cfg.naming;
    const key = (domain: string, n: number) => ({
        arn: `arn:${partition}:kms:${region}:${accountId}:key/0000000${n}-aaaa-4bbb-8ccc-${domain.length.toString().padStart(12, "0")}`,
        aliasName: `alias/${prefix}-${environment}-${domain}`,
    });
    return {
        dataLake: key("data-lake", 1),
        databases: key("databases", 2),
        streaming: key("streaming", 3),
        logs: key("logs", 4),
        secrets: key("secrets", 5),
        backup: key("backup", 6),
    };
}

/** Network references with realistic ids, for components tested without the Network component. */
export function fakeNetwork(cfg: PlatformConfig): NetworkRefs {
    return {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        vpcCidr: cfg.network.vpcCidr,
        privateSubnetIds: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f", "subnet-0fff5555aaaa6666b"].slice(0, cfg.network.availabilityZones),
        computeSecurityGroupId: "sg-0123456789abcdef0",
        onPremCidrs: cfg.network.onPremises?.cidrs ?? [],
    };
}

/** Wire value to plain JS: secrets unwrapped, unknowns left as the UNKNOWN marker. */
export function plain(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (isWireSecret(obj)) return plain(obj.value);
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}


export function ofType(rec: Recording, type: string): RecordedResource[] {
    return rec.resources.filter((r) => r.type === type);
}

/** The single resource of `type` whose logical name is `name`; fails with what exists otherwise. */
export function one(rec: Recording, type: string, name: string): RecordedResource {
    const found = rec.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        const names = ofType(rec, type).map((r) => r.name);
        throw new Error(`expected one ${type} named '${name}', found ${found.length} (have: ${names.join(", ") || "none"})`);
    }
    return found[0];
}

/** Plain inputs of a recorded resource. */
export function inputs(res: RecordedResource): Record<string, unknown> {
    return plain(res.inputs) as Record<string, unknown>;
}

/** Parses a JSON policy document input (string) of a recorded resource. */
export function policyDocument(res: RecordedResource, prop = "policy"): { Statement: Record<string, unknown>[] } {
    const raw = inputs(res)[prop];
    if (typeof raw !== "string" || raw === UNKNOWN) {
        throw new Error(`${res.type} '${res.name}' property '${prop}' is not a known JSON string: ${JSON.stringify(raw)}`);
    }
    return JSON.parse(raw);
}

/** URNs of every resource under `parentUrn`, transitively. */
export function descendants(rec: Recording, parentUrn: string): RecordedResource[] {
    const children = new Map<string, RecordedResource[]>();
    for (const r of rec.resources) {
        if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    }
    const out: RecordedResource[] = [];
    const stack = [parentUrn];
    while (stack.length) {
        for (const c of children.get(stack.pop() as string) ?? []) {
            out.push(c);
            stack.push(c.urn);
        }
    }
    return out;
}
