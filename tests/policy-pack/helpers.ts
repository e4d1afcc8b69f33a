/**
 * The one harness of the policy unit specs: a policy runs through `@pulumi/policy`'s REAL analyzer handlers
 * (server.js Analyze, AnalyzeStack, Remediate, Configure, ConfigureStack; tools/offline/analyzer/in-process.ts), fed
 * the protobuf requests the engine sends. Nothing of the SDK's semantics is re-implemented here: properties are
 * deserialized and proxied by the SDK, unknown-value errors become its "can't run policy during preview" diagnostic,
 * `notApplicable` and the type fast path are its own, and config reaches `getConfig()` through its Configure call
 * (WITHOUT the schema defaults the CLI would add). This file only builds requests from short test descriptions and
 * reads the responses back into {@link Verdict}s.
 */
import * as assert from "assert";
import { Policy, PolicyResourceOptions, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzedResource, analyzeRequest, analyzerFor, analyzeStackRequest, PolicyConfigs } from "../../tools/offline/analyzer/in-process";

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
    /** Messages the SDK turns into advisory "can't run policy during preview" diagnostics (without that prefix). */
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

const PACK = "healthcare-data-guardrails";
const VERSION = "0.1.0";

/** Wire form: what the engine would send (JSON values; unknowns are the sentinel string). */
function wire<T>(value: T): T {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function providerOf(p?: FakeProvider): AnalyzedResource["provider"] {
    if (!p) {
        return undefined;
    }
    const type = p.type ?? "pulumi:providers:aws";
    const name = p.name ?? "default_7_48_0";
    return { type, name, urn: p.urn ?? urnOf(type, name), props: wire(p.props) };
}

function analyzed(r: FakeResource): AnalyzedResource {
    const name = r.name ?? "test";
    return {
        type: r.type,
        name,
        urn: r.urn ?? urnOf(r.type, name),
        props: wire(r.props ?? {}),
        provider: providerOf(r.provider),
        options: { protect: r.opts?.protect, ignoreChanges: r.opts?.ignoreChanges, aliases: r.opts?.aliases, additionalSecretOutputs: r.opts?.additionalSecretOutputs },
    };
}

/** Configures the SDK for one policy run: the policy's level (or `level`) and exactly the given config. */
async function configured(policy: Policy, opts: RunOptions, level?: PolicyConfigs[string]["enforcementLevel"]) {
    const analyzer = analyzerFor([policy], PACK, VERSION);
    await analyzer.configure({ [policy.name]: { enforcementLevel: level ?? policy.enforcementLevel ?? "advisory", properties: opts.config ?? {} } });
    await analyzer.configureStack(opts.stackTags ?? {});
    return analyzer;
}

function previewPrefix(kind: "policy" | "remediation", policy: Policy): string {
    return `can't run ${kind} '${policy.name}' from policy pack '${PACK}@v${VERSION}' during preview: `;
}

function verdictOf(policy: Policy, resp: analyzerpb.AnalyzeResponse): Verdict {
    const verdict: Verdict = { violations: [], notApplicable: [], previewSkipped: [] };
    const skipped = previewPrefix("policy", policy);
    for (const d of resp.getDiagnosticsList().filter((x) => x.getPolicyname() === policy.name)) {
        const message = d.getMessage();
        if (message.startsWith(skipped)) {
            verdict.previewSkipped.push(message.slice(skipped.length));
            continue;
        }
        // The SDK prefixes every violation with the policy's description.
        const description = d.getDescription();
        const own = message === description ? "" : message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message;
        const urn = d.getUrn();
        verdict.violations.push(urn ? { message: own, urn } : { message: own, urn: undefined });
    }
    verdict.notApplicable = resp
        .getNotApplicableList()
        .filter((na) => na.getPolicyName() === policy.name)
        .map((na) => na.getReason() || "Policy does not apply");
    return verdict;
}

/**
 * Runs several policies the way the engine does: ONE Configure (each policy at its own level, no config), then one
 * Analyze per resource and one AnalyzeStack, and splits every response into a verdict per policy.
 */
export async function analyzeAll(policies: readonly Policy[], resources: readonly FakeResource[], stack: readonly FakeStackResource[]): Promise<{ perResource: Map<string, Verdict>[]; stack: Map<string, Verdict> }> {
    const analyzer = analyzerFor([...policies], PACK, VERSION);
    await analyzer.configure(Object.fromEntries(policies.map((p) => [p.name, { enforcementLevel: p.enforcementLevel ?? "advisory", properties: {} }])));
    await analyzer.configureStack({});
    const split = (resp: analyzerpb.AnalyzeResponse) => new Map(policies.map((p) => [p.name, verdictOf(p, resp)]));
    const perResource: Map<string, Verdict>[] = [];
    for (const r of resources) {
        perResource.push(split(await analyzer.analyze(analyzeRequest(analyzed(r))).catch((err) => Promise.reject(policyError(err)))));
    }
    return { perResource, stack: split(await analyzer.analyzeStack(stackRequest(stack)).catch((err) => Promise.reject(policyError(err)))) };
}

/**
 * The SDK wraps an error thrown by a policy as `Error validating resource with policy ...:\n<stack>`; the spec sees the
 * policy's own error again (name stripped), so exact-message assertions keep their meaning.
 */
function policyError(err: unknown): Error {
    const text = err instanceof Error ? err.message : String(err);
    const m = /^Error (?:validating|remediating) resource with (?:policy|remediation) '[^']*' from policy pack '[^']*':\n(?:[A-Za-z]*Error: )?([\s\S]*?)(?:\n {4}at [\s\S]*)?$/.exec(text);
    return m ? Object.assign(new Error(m[1]), { cause: err }) : (err as Error);
}

/** Runs a resource policy's `validateResource` on one resource through the SDK's Analyze handler. */
export async function validateResource(policy: Policy, r: FakeResource, opts: RunOptions = {}): Promise<Verdict> {
    const p = policy as ResourceValidationPolicy;
    if (p.validateResource === undefined && p.remediateResource === undefined) {
        throw new Error(`policy ${policy.name} is not a resource policy`);
    }
    const analyzer = await configured(policy, opts);
    try {
        return verdictOf(policy, await analyzer.analyze(analyzeRequest(analyzed(r))));
    } catch (err) {
        throw policyError(err);
    }
}

export interface Remediation {
    /** The properties after remediation (wire form), or `undefined` when the policy changed nothing. */
    props?: Record<string, unknown>;
    notApplicable: string[];
    previewSkipped: string[];
}

/** Runs a resource policy's `remediateResource` through the SDK's Remediate handler, at the remediate level. */
export async function remediateResource(policy: Policy, r: FakeResource, opts: RunOptions = {}): Promise<Remediation> {
    const analyzer = await configured(policy, opts, "remediate");
    let resp: analyzerpb.RemediateResponse;
    try {
        resp = await analyzer.remediate(analyzeRequest(analyzed(r)));
    } catch (err) {
        throw policyError(err);
    }
    const out: Remediation = { notApplicable: resp.getNotApplicableList().map((na) => na.getReason() || "Policy does not apply"), previewSkipped: [] };
    const skipped = previewPrefix("remediation", policy);
    for (const rem of resp.getRemediationsList()) {
        if (rem.getDiagnostic()) {
            out.previewSkipped.push(rem.getDiagnostic().replace(skipped, ""));
        } else if (rem.hasProperties()) {
            out.props = rem.getProperties()!.toJavaScript() as Record<string, unknown>;
        }
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

/** The AnalyzeStack request for a test stack: names resolved to URNs, providers to their recorded resource. */
export function stackRequest(resources: readonly FakeStackResource[]): analyzerpb.AnalyzeStackRequest {
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
    const byUrn = new Map(resources.map((r) => [r.urn ?? urnOf(r.type, r.name ?? "test"), r]));
    return analyzeStackRequest(
        resources.map((r) => {
            const a = analyzed(r);
            if (r.providerRef) {
                const p = byUrn.get(resolveUrn(r.providerRef))!;
                a.provider = { type: p.type, name: p.name ?? "test", urn: resolveUrn(r.providerRef), props: wire(p.props ?? {}) };
            }
            a.parent = r.parent ? resolveUrn(r.parent) : undefined;
            a.dependencies = (r.dependencies ?? []).map(resolveUrn);
            a.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, refs]) => [k, refs.map(resolveUrn)]));
            return a;
        }),
    );
}

/** Runs a stack policy's `validateStack` on a whole stack through the SDK's AnalyzeStack handler. */
export async function validateStack(policy: Policy, resources: FakeStackResource[], opts: RunOptions = {}): Promise<Verdict> {
    if (typeof (policy as StackValidationPolicy).validateStack !== "function") {
        throw new Error(`policy ${policy.name} is not a stack policy`);
    }
    const req = stackRequest(resources);
    const analyzer = await configured(policy, opts);
    try {
        return verdictOf(policy, await analyzer.analyzeStack(req));
    } catch (err) {
        throw policyError(err);
    }
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
