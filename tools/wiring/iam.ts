/**
 * IAM evaluation: one request against recorded policy documents with @cloud-copilot/iam-simulate
 * (a real IAM evaluation engine, not string matching). Shared by the wiring proof (`tools/wiring/`) and every spec that evaluates a document; the
 * area supports (`tests/components/security/support.ts` `simulate`, `tests/components/ingestion/support.ts`
 * `decide`, `tests/components/security/iam-eval.ts` `evaluate`) only shape the request for their callers.
 *
 * `runSimulation` validates every policy, action, resource type and context key first, and drops context keys the
 * action does not define; `evaluate` fails (throws) on a validation error or a dropped key, so a misspelt key
 * cannot silently turn a Deny test into a pass. Exception: keys of the form `kms:EncryptionContext:<key>` are
 * defined with a variable after a colon, which the library's validated path cannot match (it drops them), so
 * requests that carry one run through `runUnsafeSimulation` on policies validated up front with the same library.
 */
import * as assert from "assert";
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { EvaluationResult, runSimulation, runUnsafeSimulation, Simulation } from "@cloud-copilot/iam-simulate";

/** `Allowed | ExplicitlyDenied | ImplicitlyDenied`. */
export type Decision = EvaluationResult;

/** An identity policy that allows everything, for requests where only the other documents may decide. */
export const ALLOW_ALL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** One request and the documents that decide it, exactly as given (nothing is added to the context). */
export interface IamRequest {
    /** IAM principal ARN, or a service principal such as `macie.amazonaws.com`. */
    principal: string;
    action: string;
    resource: string;
    /** Account that owns the resource. */
    resourceAccount: string;
    context?: Record<string, string | string[]>;
    /** The caller's identity policies (parsed documents). */
    identityPolicies?: unknown[];
    /** The resource's policy (bucket, key, topic, ... policy), parsed. */
    resourcePolicy?: unknown;
    /** A VPC endpoint policy the request passes through, parsed. */
    endpointPolicy?: unknown;
}

/** The decision of a request, failing the test on any validation error or dropped context key. */
export async function evaluate(req: IamRequest): Promise<Decision> {
    const context = req.context ?? {};
    const identity = (req.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy }));
    const simulation: Simulation = {
        request: { principal: req.principal, action: req.action, resource: { resource: req.resource, accountId: req.resourceAccount }, contextVariables: context },
        identityPolicies: identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: req.resourcePolicy,
        vpcEndpointPolicies: req.endpointPolicy === undefined ? undefined : [{ name: "endpoint", policy: req.endpointPolicy }],
    };
    if (Object.keys(context).some((k) => /^kms:EncryptionContext:/i.test(k))) {
        // The unsafe path validates nothing itself: every document it reads is validated here.
        assert.strictEqual(req.endpointPolicy, undefined, "encryption-context probes run without an endpoint policy");
        const validated = identity.map((p) => createValidatedPolicy(p.policy, validateIdentityPolicy, { name: p.name }));
        const resource = req.resourcePolicy === undefined ? undefined : createValidatedPolicy(req.resourcePolicy, validateResourcePolicy, { name: "resource-policy" });
        for (const v of [...validated, ...(resource ? [resource] : [])]) {
            assert.deepStrictEqual(v.errors, [], `policy ${JSON.stringify(v.metadata)} is not valid IAM`);
        }
        return runUnsafeSimulation({ ...simulation, identityPolicies: validated.map((v, i) => ({ name: identity[i].name, policy: v })), resourcePolicy: resource }, {});
    }
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") {
        assert.fail(`iam-simulate rejected ${req.action} on ${req.resource} by ${req.principal} (context ${JSON.stringify(context)}): ${JSON.stringify(result.errors)}`);
    }
    if (result.resultType === "single") {
        assert.deepStrictEqual(result.result.ignoredContextKeys ?? [], [], `context keys not defined for ${req.action}`);
    }
    return result.overallResult;
}
