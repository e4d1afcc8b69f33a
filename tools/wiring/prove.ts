/**
 * The wiring proof: every integration derived from a recorded stack (`derive.ts`), each step evaluated with
 * @cloud-copilot/iam-simulate (`iam.ts`) the way AWS would: the caller's identity policies, the resource's policy,
 * and the request context AWS sets. An integration is proven when every step decides as expected and the derivation
 * found no problem; the stack is proven when every integration is and no resource is left unexplained.
 *
 * Used by `tests/tools/wiring/wiring.spec.ts` (dev and prod in `npm test`) and by the evidence report.
 */
import type { Recording } from "../offline/recorder";
import { deriveIntegrations, Derivation, Integration, IntegrationKind, Party, Step, Unexplained } from "./derive";
import { ALLOW_ALL, Decision, evaluate, IamRequest } from "./iam";
import type { StackFacts } from "./stack";

export interface StepResult {
    what: string;
    principal: string;
    action: string;
    resource: string;
    expect: "Allowed" | "Denied";
    decision: Decision;
    ok: boolean;
}

export interface IntegrationResult {
    kind: IntegrationKind;
    title: string;
    source: string;
    proven: boolean;
    problems: string[];
    steps: StepResult[];
}

export interface WiringProof {
    stack: string;
    account: string;
    integrations: IntegrationResult[];
    unexplained: Unexplained[];
    /** Every integration proven and nothing unexplained. */
    proven: boolean;
}

function partyPrincipal(party: Party, account: string, partition: string): string {
    switch (party.kind) {
        case "service":
            return party.service;
        case "service-linked-role":
            return party.arn;
        case "principal":
            return party.arn;
        case "role":
            // The caller is a session of the role, as it is at run time.
            return `arn:${partition}:sts::${account}:assumed-role/${party.role.name}/wiring-proof`;
    }
}

/** The IAM request of one step, with the keys AWS adds for the caller and the transport. */
export function requestOf(step: Step, account: string, partition: string): IamRequest {
    const context: Record<string, string | string[]> = { "aws:SecureTransport": "true", ...step.context };
    let identityPolicies: unknown[] = [];
    if (step.party.kind === "role") {
        context["aws:PrincipalArn"] = step.party.role.arn;
        context["aws:PrincipalAccount"] = account;
        for (const [k, v] of Object.entries(step.party.role.tags)) context[`aws:PrincipalTag/${k}`] = v;
        identityPolicies = step.party.role.policies;
    } else if (step.party.kind === "service-linked-role") {
        context["aws:PrincipalArn"] = step.party.arn;
        context["aws:PrincipalAccount"] = account;
    } else if (step.party.kind === "principal") {
        // Not one of the stack's roles: its own policies are taken to allow, so only the resource's policy decides.
        context["aws:PrincipalArn"] = step.party.arn;
        context["aws:PrincipalAccount"] = account;
        if (step.party.mfa) context["aws:MultiFactorAuthPresent"] = "true";
        for (const [k, v] of Object.entries(step.party.tags)) context[`aws:PrincipalTag/${k}`] = v;
        identityPolicies = [ALLOW_ALL];
    }
    return {
        principal: partyPrincipal(step.party, account, partition),
        action: step.action,
        resource: step.resource,
        resourceAccount: account,
        context,
        identityPolicies,
        resourcePolicy: step.resourcePolicy,
    };
}

async function decide(step: Step, account: string, partition: string): Promise<Decision> {
    return evaluate(requestOf(step, account, partition));
}

/** Evaluates every step of a derivation. */
export async function proveDerivation(d: Derivation, partition = "aws"): Promise<WiringProof> {
    const integrations: IntegrationResult[] = [];
    for (const i of d.integrations) integrations.push(await proveIntegration(i, d.account, partition));
    return { stack: d.stack, account: d.account, integrations, unexplained: d.unexplained, proven: d.unexplained.length === 0 && integrations.every((i) => i.proven) };
}

async function proveIntegration(i: Integration, account: string, partition: string): Promise<IntegrationResult> {
    const steps: StepResult[] = [];
    for (const s of i.steps) {
        const decision = await decide(s, account, partition);
        const ok = s.expect === "Allowed" ? decision === "Allowed" : decision !== "Allowed";
        steps.push({ what: s.what, principal: partyPrincipal(s.party, account, partition), action: s.action, resource: s.resource, expect: s.expect, decision, ok });
    }
    return { kind: i.kind, title: i.title, source: i.source, problems: i.problems, steps, proven: i.problems.length === 0 && steps.length > 0 && steps.every((s) => s.ok) };
}

/** Derives and proves the integrations of a recorded stack (an `up` recording: key ARNs must be known). */
export async function proveWiring(recording: Recording): Promise<WiringProof> {
    const d = deriveIntegrations(recording);
    const partition = d.region.startsWith("us-gov-") ? "aws-us-gov" : d.region.startsWith("cn-") ? "aws-cn" : "aws";
    return proveDerivation(d, partition);
}

/** One line per failure: what was expected, what IAM decided, and which resource set it up. */
export function failures(proof: WiringProof): string[] {
    const out: string[] = [];
    for (const u of proof.unexplained) out.push(`unexplained ${u.type} '${u.name}' (${u.urn}): ${u.reason}`);
    for (const i of proof.integrations) {
        for (const p of i.problems) out.push(`${i.title} [${i.source}]: ${p}`);
        for (const s of i.steps.filter((x) => !x.ok)) out.push(`${i.title} [${i.source}]: ${s.what}: ${s.principal} ${s.action} ${s.resource} expected ${s.expect}, IAM decided ${s.decision}`);
        if (i.steps.length === 0 && i.problems.length === 0) out.push(`${i.title} [${i.source}]: no step derived`);
    }
    return out;
}

/** Proven integrations per kind (for the evidence report). */
export function summary(proof: WiringProof): Record<string, { proven: number; total: number }> {
    const out: Record<string, { proven: number; total: number }> = {};
    for (const i of proof.integrations) {
        const s = (out[i.kind] ??= { proven: 0, total: 0 });
        s.total++;
        if (i.proven) s.proven++;
    }
    return out;
}

export type { StackFacts };
