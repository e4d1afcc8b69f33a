/**
 * Provider functions the platform calls, answered as the AWS provider would for the mock account.
 * An invoke without an entry here fails loudly (see `OfflineMocks.call`).
 */
import { createHash } from "crypto";
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
    // Route tables by filter, as EC2 DescribeRouteTables answers for an awsx VPC: every subnet has its own route
    // table, so an `association.subnet-id` filter yields one table per subnet; without it, the VPC's main table.
    "aws:ec2/getRouteTables:getRouteTables": (inputs, ctx) => {
        const filters = (inputs.filters as { name: string; values: string[] }[] | undefined) ?? [];
        const vpcId = typeof inputs.vpcId === "string" ? inputs.vpcId : undefined;
        const subnets = filters.find((f) => f.name === "association.subnet-id")?.values ?? [];
        const owners = subnets.length > 0 ? subnets : [`${vpcId ?? "vpc"}::main`];
        const ids = owners.map((o) => `rtb-${createHash("sha256").update(`route-table::${o}`).digest("hex").slice(0, 17)}`);
        return { id: ctx.region, ids, vpcId, filters, region: ctx.region, tags: {} };
    },
    "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => {
        const doc = renderPolicyDocument(inputs);
        return { id: "policy", json: JSON.stringify(doc, null, 2), minifiedJson: JSON.stringify(doc) };
    },
    // A subnet looked up by id (the Glue JDBC connection needs its availability zone). The zone is derived from the
    // id so that repeated runs agree; a real subnet reports the zone it was created in.
    "aws:ec2/getSubnet:getSubnet": (inputs, ctx) => {
        const id = String(inputs.id ?? "");
        if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) {
            throw new Error(`offline engine: aws.ec2.getSubnet needs a subnet id such as subnet-0123456789abcdef0, got ${JSON.stringify(inputs.id)}`);
        }
        const index = parseInt(id.slice(-4), 16) % ctx.availabilityZones.length;
        return {
            id,
            arn: `arn:${ctx.partition}:ec2:${ctx.region}:${ctx.accountId}:subnet/${id}`,
            availabilityZone: ctx.availabilityZones[index],
            availabilityZoneId: `${regionCode(ctx.region)}-az${index + 1}`,
            ownerId: ctx.accountId,
            state: "available",
            mapPublicIpOnLaunch: false,
        };
    },
    // Storage Gateway ListLocalDisks, as getLocalDisk answers for an appliance VM: the disk id is the SCSI path of the
    // device node (/dev/sdb -> target 1), so repeated runs agree. A real appliance reports its own disks.
    "aws:storagegateway/getLocalDisk:getLocalDisk": (inputs, ctx) => {
        const gatewayArn = String(inputs.gatewayArn ?? "");
        if (!/^arn:[\w-]+:storagegateway:[\w-]+:\d{12}:gateway\/[\w-]+$/.test(gatewayArn)) {
            throw new Error(`offline engine: aws.storagegateway.getLocalDisk needs a gateway ARN, got ${JSON.stringify(inputs.gatewayArn)}`);
        }
        const node = typeof inputs.diskNode === "string" ? inputs.diskNode : undefined;
        const diskPath = typeof inputs.diskPath === "string" ? inputs.diskPath : undefined;
        const device = node ?? diskPath;
        const m = device ? /^\/dev\/(?:sd|xvd|hd)([a-z])$/.exec(device) : null;
        if (!device || !m || m[1] === "a") {
            // The appliance's root disk is /dev/sda; ListLocalDisks lists only disks that can be allocated.
            throw new Error(`offline engine: the gateway has no allocatable local disk ${JSON.stringify(device)} (an appliance VM exposes /dev/sdb, /dev/sdc, ...)`);
        }
        const target = m[1].charCodeAt(0) - "a".charCodeAt(0);
        return {
            id: `${gatewayArn}:${device}`,
            diskId: `pci-0000:03:00.0-scsi-0:0:${target}:0`,
            diskNode: node ?? device,
            diskPath: diskPath ?? device,
            gatewayArn,
            region: ctx.region,
        };
    },
    // Secrets Manager GetRandomPassword: honours the length and character-class flags like the API (default 32
    // characters, each included class present when requireEachIncludedType). The real value is random; here it
    // derives from the arguments so repeated runs agree. Callers must treat it as a secret.
    "aws:secretsmanager/getRandomPassword:getRandomPassword": (inputs, ctx) => {
        const length = typeof inputs.passwordLength === "number" ? inputs.passwordLength : 32;
        if (!Number.isInteger(length) || length < 1 || length > 4096) {
            throw new Error(`offline engine: GetRandomPassword PasswordLength must be 1-4096, got ${JSON.stringify(inputs.passwordLength)}`);
        }
        const exclude = new Set(String(inputs.excludeCharacters ?? ""));
        const classes = [
            inputs.excludeLowercase ? "" : "abcdefghijklmnopqrstuvwxyz",
            inputs.excludeUppercase ? "" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            inputs.excludeNumbers ? "" : "0123456789",
            inputs.excludePunctuation ? "" : "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
            inputs.includeSpace ? " " : "",
        ]
            .map((c) => [...c].filter((ch) => !exclude.has(ch)).join(""))
            .filter((c) => c.length > 0);
        if (classes.length === 0) {
            throw new Error("offline engine: GetRandomPassword excludes every character class");
        }
        const all = classes.join("");
        const bytes: number[] = [];
        for (let i = 0; bytes.length < length; i++) {
            bytes.push(...createHash("sha256").update(`random-password::${ctx.accountId}::${JSON.stringify(inputs)}::${i}`).digest());
        }
        const chars = bytes.slice(0, length).map((b) => all[b % all.length]);
        if (inputs.requireEachIncludedType !== false) {
            classes.slice(0, length).forEach((c, i) => {
                chars[i] = c[bytes[i] % c.length];
            });
        }
        return { id: ctx.region, randomPassword: chars.join(""), passwordLength: length };
    },
};
