/**
 * Shared by the security and network component specs.
 *
 * `runPack` runs the real policy pack over a component recording, the way the analyzer does: resource policies on
 * each custom resource's inputs (Analyze), stack policies once over every resource's recorded state
 * (AnalyzeStack), providers and property dependencies resolved by URN. Verdicts come from the pack's own code.
 * `simulate` evaluates a request against a policy document with @cloud-copilot/iam-simulate.
 */
import * as assert from "assert";
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, runUnsafeSimulation, Simulation } from "@cloud-copilot/iam-simulate";
import { Policy } from "@pulumi/policy";
import { policies } from "../../../policy-pack/policies";
import { PlatformConfig } from "../../../components/shared/config";
import { standardTags } from "../../../components/shared/tags";
import { Recording } from "../../../tools/offline/recorder";
import { FakeProvider, FakeStackResource, validateResource, validateStack, Verdict } from "../../policy-pack/helpers";

export interface PackVerdict {
    /** `<policy>: <message>` of every violation of a mandatory policy. */
    mandatory: string[];
    /** `<policy>: <message>` of every violation of an advisory policy. */
    advisory: string[];
    /** `<policy>: <message>` of every "can't run policy during preview" skip. */
    previewSkipped: string[];
}

function isStackPolicy(p: Policy): boolean {
    return typeof (p as { validateStack?: unknown }).validateStack === "function";
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
    const provider = platformProvider(cfg);
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
    const out: PackVerdict = { mandatory: [], advisory: [], previewSkipped: [] };
    const add = (policy: Policy, v: Verdict) => {
        const level = policy.enforcementLevel ?? "advisory";
        if (level !== "disabled") {
            (level === "advisory" ? out.advisory : out.mandatory).push(...v.violations.map((x) => `${policy.name}: ${x.message}`));
        }
        out.previewSkipped.push(...v.previewSkipped.map((m) => `${policy.name}: ${m}`));
    };
    for (const policy of only ?? policies) {
        if (isStackPolicy(policy)) {
            add(policy, await validateStack(policy, stack));
        } else {
            for (const r of custom) {
                add(policy, await validateResource(policy, { type: r.type, name: r.name, urn: r.urn, props: r.inputs, provider, opts: { protect: r.options.protect } }));
            }
        }
    }
    return out;
}

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface Probe {
    /** IAM principal ARN, or a service principal such as `cloudtrail.amazonaws.com`. */
    principal: string;
    action: string;
    resource: string;
    /** Account owning the resource (`aws:ResourceAccount`). */
    resourceAccount: string;
    /** Extra request context (aws:SourceArn, s3:x-amz-acl, aws:SecureTransport, ...). */
    context?: Record<string, string | string[]>;
}

/** `aws:PrincipalArn` of a caller: the role for an assumed-role session, else the ARN itself. */
function principalArn(principal: string): string {
    const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principal);
    return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : principal;
}

const ALLOW_ALL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** Account of an IAM principal ARN; undefined for a service principal. */
function principalAccount(principal: string): string | undefined {
    return /^arn:[^:]+:(iam|sts)::(\d{12}):/.exec(principal)?.[2];
}

/**
 * Evaluates a request with @cloud-copilot/iam-simulate (real IAM evaluation). The request context carries what AWS
 * would add: aws:PrincipalAccount and aws:PrincipalArn for IAM principals, aws:ResourceAccount, aws:SecureTransport
 * true unless given.
 * `resourcePolicy` is the document under test; `endpointPolicy` (if any) is applied as a VPC endpoint policy, and
 * the caller's identity policy then allows everything, so the endpoint policy alone decides.
 *
 * A validation error or a context key the action does not define fails the test, so a misspelt key cannot turn a
 * denial into a pass. `kms:EncryptionContext:<key>` keys (a variable after a colon, which the validated path drops)
 * run through `runUnsafeSimulation` on policies validated up front with the same library.
 */
export async function simulate(probe: Probe, policies: { resourcePolicy?: unknown; endpointPolicy?: unknown; identityPolicy?: unknown }): Promise<Decision> {
    const account = principalAccount(probe.principal);
    const context: Record<string, string | string[]> = { "aws:SecureTransport": "true", "aws:ResourceAccount": probe.resourceAccount, ...probe.context };
    if (account) {
        context["aws:PrincipalAccount"] ??= account;
        context["aws:PrincipalArn"] ??= principalArn(probe.principal);
    }
    const parse = (d: unknown) => (typeof d === "string" ? JSON.parse(d) : d);
    const identity = account ? [{ name: "identity", policy: parse(policies.identityPolicy ?? ALLOW_ALL) }] : [];
    const resourcePolicy = policies.resourcePolicy === undefined ? undefined : parse(policies.resourcePolicy);
    const simulation: Simulation = {
        request: { principal: probe.principal, action: probe.action, resource: { resource: probe.resource, accountId: probe.resourceAccount }, contextVariables: context },
        identityPolicies: identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy,
        vpcEndpointPolicies: policies.endpointPolicy === undefined ? undefined : [{ name: "endpoint", policy: parse(policies.endpointPolicy) }],
    };
    if (Object.keys(context).some((k) => /^kms:EncryptionContext:/i.test(k))) {
        assert.strictEqual(policies.endpointPolicy, undefined, "encryption-context probes run without an endpoint policy");
        const validatedIdentity = identity.map((p) => createValidatedPolicy(p.policy, validateIdentityPolicy, { name: p.name }));
        const validatedResource = resourcePolicy === undefined ? undefined : createValidatedPolicy(resourcePolicy, validateResourcePolicy, { name: "resource" });
        for (const v of [...validatedIdentity, ...(validatedResource ? [validatedResource] : [])]) {
            assert.deepStrictEqual(v.errors, [], `policy ${JSON.stringify(v.metadata)} is not valid IAM`);
        }
        return runUnsafeSimulation(
            { ...simulation, identityPolicies: validatedIdentity.map((v, i) => ({ name: identity[i].name, policy: v })), resourcePolicy: validatedResource },
            {},
        ) as Decision;
    }
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") {
        assert.fail(`iam-simulate rejected the request ${JSON.stringify(probe)}: ${JSON.stringify(result.errors)}`);
    }
    if (result.resultType === "single") {
        assert.deepStrictEqual(result.result.ignoredContextKeys ?? [], [], `context keys not defined for ${probe.action}`);
    }
    return result.overallResult as Decision;
}
