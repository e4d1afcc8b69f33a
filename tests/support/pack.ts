/**
 * The real policy pack over a component recording, in process, the way the analyzer runs it: resource policies on
 * each custom resource's inputs (Analyze), stack policies once over every custom resource's recorded state
 * (AnalyzeStack; unknown at preview stays the engine's sentinel), providers and property dependencies resolved by
 * URN. Verdicts come from the SDK's own analyzer handlers through `tests/policy-pack/helpers.ts`.
 *
 * `runPolicies` is the one runner; `runPack` reports its verdicts by the pack's default enforcement levels.
 */
import { Policy } from "@pulumi/policy";
import { policies as packPolicies } from "../../policy-pack/policies";
import { PlatformConfig } from "../../components/shared/config";
import { standardTags } from "../../components/shared/tags";
import { Recording } from "../../tools/offline/recorder";
import { analyzeAll, FakeProvider, FakeResource, FakeStackResource, Verdict } from "../policy-pack/helpers";

export function isStackPolicy(p: Policy): boolean {
    return typeof (p as { validateStack?: unknown }).validateStack === "function";
}

/** One policy's verdict: once for a stack policy, once per custom resource for a resource policy. */
export interface PolicyRun {
    policy: Policy;
    verdict: Verdict;
}

/**
 * Runs `policies` (in order) over the recording's custom resources with `provider` as every resource's provider.
 * Property dependencies keep only URNs of custom resources of the recording (components are not in the stack the
 * analyzer sees); a property left with none is dropped.
 */
export async function runPolicies(rec: Recording, provider: FakeProvider, policies: readonly Policy[]): Promise<PolicyRun[]> {
    const custom = rec.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const known = new Set(custom.map((c) => c.urn));
    const stack: FakeStackResource[] = custom.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.outputs,
        provider,
        opts: { protect: r.options.protect },
        propertyDependencies: Object.fromEntries(
            Object.entries(r.propertyDependencies)
                .map(([k, urns]) => [k, urns.filter((u) => known.has(u))] as const)
                .filter(([, urns]) => urns.length > 0),
        ),
    }));
    const analyzed: FakeResource[] = custom.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs, provider, opts: { protect: r.options.protect } }));
    const resourcePolicies = policies.filter((p) => !isStackPolicy(p));
    const { perResource, stack: stackVerdicts } = await analyzeAll(policies, resourcePolicies.length > 0 ? analyzed : [], stack);
    const out: PolicyRun[] = [];
    for (const policy of policies) {
        if (isStackPolicy(policy)) {
            out.push({ policy, verdict: stackVerdicts.get(policy.name)! });
        } else {
            for (const verdicts of perResource) {
                out.push({ policy, verdict: verdicts.get(policy.name)! });
            }
        }
    }
    return out;
}

export interface PackVerdict {
    /** `<policy>: <message>` of every violation of a mandatory policy. */
    mandatory: string[];
    /** `<policy>: <message>` of every violation of an advisory policy. */
    advisory: string[];
    /** `<policy>: <message>` of every "can't run policy during preview" skip. */
    previewSkipped: string[];
}

/**
 * The explicit provider index.ts creates (`createPlatformProvider`): the stack's region and the standard tags as
 * `defaultTags` (JSON text, as @pulumi/aws sends provider inputs).
 */
export function platformProvider(cfg: PlatformConfig): FakeProvider {
    const tags = standardTags({ environment: cfg.environment, dataClassification: "phi", owner: cfg.owner, costCenter: cfg.costCenter });
    return { props: { region: cfg.naming.region, defaultTags: JSON.stringify({ tags }) } };
}

/** Runs every policy of the pack (or `only`) over the recording's custom resources, with the pack's default levels. */
export async function runPack(rec: Recording, cfg: PlatformConfig, only?: readonly Policy[]): Promise<PackVerdict> {
    const out: PackVerdict = { mandatory: [], advisory: [], previewSkipped: [] };
    for (const { policy, verdict } of await runPolicies(rec, platformProvider(cfg), only ?? packPolicies)) {
        const level = policy.enforcementLevel ?? "advisory";
        if (level !== "disabled") {
            (level === "advisory" ? out.advisory : out.mandatory).push(...verdict.violations.map((x) => `${policy.name}: ${x.message}`));
        }
        out.previewSkipped.push(...verdict.previewSkipped.map((m) => `${policy.name}: ${m}`));
    }
    return out;
}
