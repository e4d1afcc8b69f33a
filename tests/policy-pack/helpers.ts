/**
 * Test helpers for the policy pack: run a policy's validate / remediate functions the way
 * `@pulumi/policy`'s analyzer (server.js) runs them, without starting a gRPC server.
 *
 * What is reproduced from the SDK, because verdicts depend on it:
 * - properties arrive as plain wire JSON wrapped in the SDK's own `unknownCheckingProxy`; a computed value
 *   at preview is the engine's unknown sentinel {@link UNKNOWN} (the same string for every type);
 * - `UnknownValueError` thrown by a policy becomes a "can't run policy during preview" entry
 *   ({@link Verdict.previewSkipped}) and keeps the violations reported before it;
 * - `notApplicable(reason)` stops the policy for that resource and is recorded with its reason;
 * - a validate / remediate function tagged with `__pulumiType` is skipped for other types (fast path);
 * - `getConfig()` returns exactly the config given (the CLI's schema defaults are NOT applied);
 * - stack resources get `dependencies`, `propertyDependencies`, `parent` and `provider` resolved to objects.
 *
 * Shared by every policy spec (encryption, controls, s3): add helpers, do not change these semantics.
 */
import * as assert from "assert";
import {
    Policy,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** The engine's marker for a value computed at preview (sent for booleans, numbers, strings and objects alike). */
export const UNKNOWN: string = unknownValue;

export const PROJECT = "healthcare-data-platform";
export const STACK = "dev";

/** URN of a resource named `name` of `type` in the test stack. */
export function urnOf(type: string, name: string): string {
    return `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;
}

export interface Violation {
    message: string;
    urn?: string;
}

export interface Verdict {
    violations: Violation[];
    /** Reasons given through `notApplicable(reason)` (or the SDK's type fast path). */
    notApplicable: string[];
    /** Messages the SDK turns into advisory "can't run policy during preview" diagnostics. */
    previewSkipped: string[];
}

export interface FakeProvider {
    type?: string;
    name?: string;
    urn?: string;
    props: Record<string, unknown>;
}

export interface FakeResource {
    type: string;
    name?: string;
    props?: Record<string, unknown>;
    urn?: string;
    provider?: FakeProvider;
    opts?: Partial<PolicyResourceOptions>;
}

export interface RunOptions {
    /** The policy's config as `pulumi` would pass it, WITHOUT schema defaults. */
    config?: Record<string, unknown>;
    stackTags?: Record<string, string>;
}

class NotApplicableSignal extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableSignal(reason);
}

function pulumiTypeOf(fn: unknown): string | undefined {
    const t = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof t === "string" && t.length > 0 ? t : undefined;
}

/** Wire form: what the engine would send (JSON values; unknowns are the sentinel string). */
function wire<T>(value: T): T {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function options(opts?: Partial<PolicyResourceOptions>): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...opts,
    };
}

function providerOf(p?: FakeProvider): PolicyProviderResource | undefined {
    if (!p) {
        return undefined;
    }
    const type = p.type ?? "pulumi:providers:aws";
    const name = p.name ?? "default_7_48_0";
    return { type, name, urn: p.urn ?? urnOf(type, name), props: unknownCheckingProxy(wire(p.props)) };
}

function emptyVerdict(): Verdict {
    return { violations: [], notApplicable: [], previewSkipped: [] };
}

function collect(verdict: Verdict): ReportViolation {
    return (message: string, urn?: string) => {
        verdict.violations.push({ message, urn });
    };
}

function record(verdict: Pick<Verdict, "previewSkipped" | "notApplicable">, err: unknown): void {
    if (err instanceof UnknownValueError) {
        verdict.previewSkipped.push((err as Error).message);
    } else if (err instanceof NotApplicableSignal) {
        verdict.notApplicable.push(err.reason ?? "Policy does not apply");
    } else {
        throw err;
    }
}

function resourceArgs(r: FakeResource, opts: RunOptions): ResourceValidationArgs {
    const name = r.name ?? "test";
    const props = unknownCheckingProxy(wire(r.props ?? {}));
    const args: ResourceValidationArgs = {
        type: r.type,
        props,
        urn: r.urn ?? urnOf(r.type, name),
        name,
        opts: options(r.opts),
        stackTags: new Map(Object.entries(opts.stackTags ?? {})),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({ ...(opts.config ?? {}) }) as T,
        notApplicable: throwNotApplicable,
    };
    const provider = providerOf(r.provider);
    if (provider) {
        args.provider = provider;
    }
    return args;
}

function asResourcePolicy(policy: Policy): ResourceValidationPolicy {
    const p = policy as ResourceValidationPolicy;
    if (typeof p.validateResource !== "function" && !Array.isArray(p.validateResource) && typeof p.remediateResource !== "function") {
        throw new Error(`policy ${policy.name} is not a resource policy`);
    }
    return p;
}

/** Runs a resource policy's `validateResource` on one resource, as the analyzer's Analyze RPC does. */
export async function validateResource(policy: Policy, r: FakeResource, opts: RunOptions = {}): Promise<Verdict> {
    const p = asResourcePolicy(policy);
    const verdict = emptyVerdict();
    if (!p.validateResource) {
        verdict.notApplicable.push("Policy does not implement validateResource");
        return verdict;
    }
    if (!Array.isArray(p.validateResource)) {
        const t = pulumiTypeOf(p.validateResource);
        if (t && t !== r.type) {
            verdict.notApplicable.push(`Policy only applies to resources of type '${t}'`);
            return verdict;
        }
    }
    const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
    for (const validate of validations) {
        try {
            // A fresh deserialisation per validation, as the SDK does.
            await validate(resourceArgs(r, opts), collect(verdict));
        } catch (err) {
            record(verdict, err);
        }
    }
    return verdict;
}

export interface Remediation {
    /** The properties after remediation (plain objects), or `undefined` when the policy changed nothing. */
    props?: Record<string, unknown>;
    notApplicable: string[];
    previewSkipped: string[];
}

function unwrap(value: unknown): unknown {
    if (value === null || typeof value !== "object") {
        return value;
    }
    let v = value as Record<string, unknown>;
    // Same unwrapping as the SDK's serializeProperties: proxies expose their target under a special key.
    while (v["__isSpecialProxy"] === true) {
        v = v["__getSpecialProxyTarget"] as Record<string, unknown>;
    }
    if (Array.isArray(v)) {
        return v.map(unwrap);
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
        out[k] = unwrap(v[k]);
    }
    return out;
}

/** Runs a resource policy's `remediateResource` as the analyzer's Remediate RPC does. */
export async function remediateResource(policy: Policy, r: FakeResource, opts: RunOptions = {}): Promise<Remediation> {
    const p = asResourcePolicy(policy);
    const out: Remediation = { notApplicable: [], previewSkipped: [] };
    if (!p.remediateResource) {
        out.notApplicable.push("Policy does not implement remediateResource");
        return out;
    }
    const t = pulumiTypeOf(p.remediateResource);
    if (t && t !== r.type) {
        out.notApplicable.push(`Policy only applies to resources of type '${t}'`);
        return out;
    }
    try {
        const result = await p.remediateResource(resourceArgs(r, opts));
        if (result) {
            out.props = unwrap(result) as Record<string, unknown>;
        }
    } catch (err) {
        record(out, err);
    }
    return out;
}

/** A resource of a stack under test. References (`parent`, `provider`, dependencies) are names or URNs. */
export interface FakeStackResource extends FakeResource {
    parent?: string;
    /** Name or URN of a provider resource of the same stack (`pulumi:providers:aws`). */
    providerRef?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

/** Runs a stack policy's `validateStack` on a whole stack, as the analyzer's AnalyzeStack RPC does. */
export async function validateStack(policy: Policy, resources: FakeStackResource[], opts: RunOptions = {}): Promise<Verdict> {
    const p = policy as StackValidationPolicy;
    if (typeof p.validateStack !== "function") {
        throw new Error(`policy ${policy.name} is not a stack policy`);
    }
    const verdict = emptyVerdict();
    const t = pulumiTypeOf(p.validateStack);
    if (t && !resources.some((r) => r.type === t)) {
        verdict.notApplicable.push(`Policy only applies to resources of type '${t}'`);
        return verdict;
    }
    const urns = new Map<string, string>();
    for (const r of resources) {
        const u = r.urn ?? urnOf(r.type, r.name ?? "test");
        urns.set(u, u);
        if (r.name) {
            urns.set(r.name, u);
        }
    }
    const resolveUrn = (ref: string): string => {
        const u = urns.get(ref);
        if (!u) {
            throw new Error(`test stack has no resource "${ref}"`);
        }
        return u;
    };
    const built = resources.map((r) => {
        const name = r.name ?? "test";
        const resource: PolicyResource = {
            type: r.type,
            props: unknownCheckingProxy(wire(r.props ?? {})),
            urn: r.urn ?? urnOf(r.type, name),
            name,
            opts: options(r.opts),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
        return { spec: r, resource };
    });
    const byUrn = new Map(built.map((b) => [b.resource.urn, b]));
    for (const { spec, resource } of built) {
        if (spec.parent) {
            resource.parent = byUrn.get(resolveUrn(spec.parent))?.resource;
        }
        resource.dependencies = (spec.dependencies ?? []).map((d) => byUrn.get(resolveUrn(d))!.resource);
        for (const [k, refs] of Object.entries(spec.propertyDependencies ?? {})) {
            resource.propertyDependencies[k] = refs.map((d) => byUrn.get(resolveUrn(d))!.resource);
        }
        if (spec.providerRef) {
            const prov = byUrn.get(resolveUrn(spec.providerRef))!;
            resource.provider = { type: prov.resource.type, name: prov.resource.name, urn: prov.resource.urn, props: unknownCheckingProxy(wire(prov.spec.props ?? {})) };
        } else if (spec.provider) {
            resource.provider = providerOf(spec.provider);
        }
    }
    const args: StackValidationArgs = {
        resources: built.map((b) => b.resource),
        getConfig: <T extends object>() => ({ ...(opts.config ?? {}) }) as T,
        stackTags: new Map(Object.entries(opts.stackTags ?? {})),
        notApplicable: throwNotApplicable,
    };
    try {
        await p.validateStack(args, collect(verdict));
    } catch (err) {
        record(verdict, err);
    }
    return verdict;
}

/** Messages of a verdict, for readable assertions. */
export function messages(v: Verdict): string[] {
    return v.violations.map((x) => x.message);
}

/** The defaults a policy's config schema declares (what the CLI would fill in). */
export function schemaDefaults(p: Policy): Record<string, unknown> {
    return Object.fromEntries(Object.entries(p.configSchema?.properties ?? {}).map(([k, s]) => [k, (s as { default?: unknown }).default]));
}

/**
 * Asserts the metadata every policy of the pack must carry: kebab-case name, full-sentence description, default
 * enforcement level, severity, HIPAA framework reference, remediation steps, and a default for every config option.
 */
export function checkMetadata(p: Policy, expectedLevel: string): void {
    assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${p.name}: kebab-case name`);
    assert.match(p.description, /^[A-Z].{30,}\.$/s, `${p.name}: full-sentence description`);
    assert.strictEqual(p.enforcementLevel, expectedLevel, `${p.name}: default enforcement level`);
    assert.ok(p.severity && ["low", "medium", "high", "critical"].includes(p.severity), `${p.name}: severity`);
    assert.strictEqual(p.framework?.name, "HIPAA", `${p.name}: framework`);
    assert.match(p.framework?.reference ?? "", /^164\.3\d\d\([a-z]\)/, `${p.name}: HIPAA section`);
    assert.ok((p.remediationSteps ?? "").length > 40, `${p.name}: remediationSteps`);
    for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
        const s = schema as { default?: unknown; description?: string };
        assert.notStrictEqual(s.default, undefined, `${p.name}: config ${key} has a default`);
        assert.ok(s.description, `${p.name}: config ${key} is described`);
    }
}
