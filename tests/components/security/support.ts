/**
 * Shared by the security and network component specs (the analytics specs import `runPack` and `simulate` too).
 *
 * `runPack` runs the real policy pack over a component recording, the way the analyzer does (`tests/support/pack.ts`).
 * `simulate` evaluates a request against a policy document with @cloud-copilot/iam-simulate (`tests/support/iam.ts`),
 * with the request context AWS would add.
 * `recordWithKeys` records a component next to the real PlatformKeys.
 */
import { composeKeys } from "../../../components/security/compose";
import { PlatformConfig } from "../../../components/shared/config";
import { PlatformKeyRefs } from "../../../components/shared/refs";
import { Mode, Recording, recordProgram } from "../../../tools/offline/recorder";
import { ALLOW_ALL, Decision, evaluate } from "../../support/iam";
import { contextOf } from "../../support/platform";

export type { Decision } from "../../support/iam";
export type { PackVerdict } from "../../support/pack";
export { platformProvider, runPack } from "../../support/pack";

/**
 * Records `build` next to the stack's real PlatformKeys, composed as index.ts composes them (`composeKeys`), with the mocks answering for
 * the stack's account: key ARNs are unknown at preview, as in `pulumi preview`, and the key policies are the keys
 * engineer's real documents.
 */
export function recordWithKeys(cfg: PlatformConfig, stack: "dev" | "prod", mode: Mode, build: (keys: PlatformKeyRefs) => void): Promise<Recording> {
    return recordProgram(
        async () => {
            const keys = composeKeys(cfg, { context: contextOf(cfg) });
            build(keys.refs);
        },
        { mode, stack, context: { accountId: cfg.naming.accountId } },
    );
}

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
 * Invalid IAM and context keys the action does not define fail the test (`evaluate` in tests/support/iam.ts).
 */
export async function simulate(probe: Probe, policies: { resourcePolicy?: unknown; endpointPolicy?: unknown; identityPolicy?: unknown }): Promise<Decision> {
    const account = principalAccount(probe.principal);
    const context: Record<string, string | string[]> = { "aws:SecureTransport": "true", "aws:ResourceAccount": probe.resourceAccount, ...probe.context };
    if (account) {
        context["aws:PrincipalAccount"] ??= account;
        context["aws:PrincipalArn"] ??= principalArn(probe.principal);
    }
    const parse = (d: unknown) => (typeof d === "string" ? JSON.parse(d) : d);
    return evaluate({
        principal: probe.principal,
        action: probe.action,
        resource: probe.resource,
        resourceAccount: probe.resourceAccount,
        context,
        identityPolicies: account ? [parse(policies.identityPolicy ?? ALLOW_ALL)] : [],
        resourcePolicy: policies.resourcePolicy === undefined ? undefined : parse(policies.resourcePolicy),
        endpointPolicy: policies.endpointPolicy === undefined ? undefined : parse(policies.endpointPolicy),
    });
}
