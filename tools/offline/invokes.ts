/**
 * Provider functions the platform calls, answered as the AWS provider would for the mock account.
 * An invoke without an entry here fails loudly (see `OfflineMocks.call`).
 */
import type { MockContext } from "./mocks";

export type InvokeMock = (inputs: Record<string, unknown>, ctx: MockContext) => Record<string, unknown>;

interface PolicyStatementArgs {
    sid?: string;
    effect?: string;
    actions?: string[];
    notActions?: string[];
    resources?: string[];
    notResources?: string[];
    principals?: { type: string; identifiers: string[] }[];
    notPrincipals?: { type: string; identifiers: string[] }[];
    conditions?: { test: string; variable: string; values: string[] }[];
}

// The provider renders one-element lists as scalars, like the Terraform data source it wraps.
function scalarOrList(values: string[]): string | string[] {
    return values.length === 1 ? values[0] : values;
}

function principalBlock(principals: { type: string; identifiers: string[] }[]): unknown {
    if (principals.length === 1 && principals[0].type === "*") {
        return "*";
    }
    const block: Record<string, string | string[]> = {};
    for (const p of principals) {
        const merged = [...((block[p.type] ? ([] as string[]).concat(block[p.type]) : []) as string[]), ...p.identifiers];
        block[p.type] = scalarOrList(merged);
    }
    return block;
}

/** Renders `aws.iam.getPolicyDocument` arguments to the IAM JSON policy the provider returns. */
export function renderPolicyDocument(inputs: Record<string, unknown>): Record<string, unknown> {
    const statements = ((inputs.statements as PolicyStatementArgs[] | undefined) ?? []).map((s) => {
        const out: Record<string, unknown> = {};
        if (s.sid) out.Sid = s.sid;
        out.Effect = s.effect ?? "Allow";
        if (s.actions?.length) out.Action = scalarOrList(s.actions);
        if (s.notActions?.length) out.NotAction = scalarOrList(s.notActions);
        if (s.resources?.length) out.Resource = scalarOrList(s.resources);
        if (s.notResources?.length) out.NotResource = scalarOrList(s.notResources);
        if (s.principals?.length) out.Principal = principalBlock(s.principals);
        if (s.notPrincipals?.length) out.NotPrincipal = principalBlock(s.notPrincipals);
        if (s.conditions?.length) {
            const cond: Record<string, Record<string, string | string[]>> = {};
            for (const c of s.conditions) {
                cond[c.test] = cond[c.test] ?? {};
                cond[c.test][c.variable] = scalarOrList(c.values);
            }
            out.Condition = cond;
        }
        return out;
    });
    const doc: Record<string, unknown> = { Version: (inputs.version as string | undefined) ?? "2012-10-17" };
    if (inputs.policyId) doc.Id = inputs.policyId;
    doc.Statement = statements;
    return doc;
}

const DIRECTIONS: Record<string, string> = {
    east: "e", west: "w", north: "n", south: "s", central: "c",
    northeast: "ne", northwest: "nw", southeast: "se", southwest: "sw",
};

/** AZ-id prefix of a region, as AWS spells it: `us-east-1` -> `use1`, `ap-southeast-2` -> `apse2`. */
export function regionCode(region: string): string {
    const [area = "", direction = "", number = ""] = region.split("-");
    return `${area}${DIRECTIONS[direction] ?? direction.charAt(0)}${number}`;
}

export const invokeMocks: Record<string, InvokeMock> = {
    "aws:index/getCallerIdentity:getCallerIdentity": (_i, ctx) => ({
        accountId: ctx.accountId,
        arn: `arn:${ctx.partition}:iam::${ctx.accountId}:user/offline-preview`,
        userId: "AIDAOFFLINEPREVIEW0000",
        id: ctx.accountId,
    }),
    "aws:index/getRegion:getRegion": (_i, ctx) => ({
        name: ctx.region,
        region: ctx.region,
        id: ctx.region,
        description: "Offline region",
        endpoint: `ec2.${ctx.region}.amazonaws.com`,
    }),
    "aws:index/getPartition:getPartition": (_i, ctx) => ({
        partition: ctx.partition,
        id: ctx.partition,
        dnsSuffix: "amazonaws.com",
        reverseDnsSuffix: "com.amazonaws",
    }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_i, ctx) => ({
        id: ctx.region,
        names: ctx.availabilityZones,
        zoneIds: ctx.availabilityZones.map((_, i) => `${regionCode(ctx.region)}-az${i + 1}`),
        groupNames: [ctx.region],
    }),
    "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => {
        const doc = renderPolicyDocument(inputs);
        return { id: "policy", json: JSON.stringify(doc, null, 2), minifiedJson: JSON.stringify(doc) };
    },
};
