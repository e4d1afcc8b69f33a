/**
 * The architecture diagram of the evidence report: how PHI moves, drawn from the recorded resource graph.
 *
 * Nodes are the platform's components (an area component with several sub-components, such as the data lake and its
 * zones, becomes a group of its sub-components). Edges are data flows, found by the declarative {@link FLOW_KINDS}
 * table: each kind names the resource type that holds a reference, where in its recorded inputs the reference is, and
 * which way the data goes (a Firehose delivery stream's destination bucket, a Glue job's target path, the API
 * integration's Lambda...). A reference resolves to the resource it names through the dependencies the engine
 * recorded or the physical name/ARN the resource was registered with, so the picture follows the code: a flow
 * disappears when the program stops wiring it. Keys, logs, alarms and backups are badges on the nodes, not edges:
 * drawn as edges they turn the diagram into a web (every resource uses a key and a log group).
 */
import type { RecordedResource } from "../offline/recorder";
import { plainInputs } from "../wiring/stack";

/** A party outside the AWS account: the far side of a trust boundary. */
export type ExternalParty = "onprem" | "users" | "stakeholders";

export interface ArchitectureGroup {
    id: string;
    label: string;
    /** Badges all of the group's components share. */
    badges?: string[];
    /** The main resources all of the group's drawn components share (every lake zone is an S3 bucket), said once. */
    detail?: string;
}

/** One component as a node shows it. */
export interface NodeEntry {
    /** Component name (zone name for a lake zone), or the external party's name. */
    name: string;
    /** The main resources, e.g. `3× Kinesis, 3× Firehose`. */
    detail: string;
    /** Keys, logs, alarms, backups: what the component is protected and watched by. */
    badges: string[];
    /** The recorded component (absent for an external party). */
    component?: string;
}

export interface ArchitectureNode {
    id: string;
    group?: string;
    external?: ExternalParty;
    /** One entry: the component (or external party) the node stands for. */
    entries: NodeEntry[];
}

/**
 * A group's components no recorded data flow touches (the security baseline, stores nothing reads yet). They are no
 * boxes of the diagram: stacked there they made its columns three times as tall as the flow, pushing it off the first
 * screen. The report lists them, with their badges, in one strip under the diagram.
 */
export interface QuietComponents {
    /** Label of the group (area) they belong to. */
    group: string;
    entries: NodeEntry[];
}

export interface Flow {
    from: string;
    to: string;
    labels: string[];
    /** Crosses the account's trust boundary (one end is outside AWS). */
    boundary: boolean;
    /** `flow kind: holder resource -> referenced resource`, for the reader who wants the recorded fact. */
    evidence: string[];
}

export interface Architecture {
    groups: ArchitectureGroup[];
    nodes: ArchitectureNode[];
    flows: Flow[];
    quiet: QuietComponents[];
    legend: string[];
    mermaid: string;
}

/** What resolves references: every recorded resource, by URN, and its node. */
interface Graph {
    resources: RecordedResource[];
    byUrn: Map<string, RecordedResource>;
}

/** One kind of data flow: where a recorded reference sits and which way the data moves along it. */
export interface FlowKind {
    id: string;
    /** Type token of the resource that holds the reference. */
    holder: string;
    /** The referenced strings: a flattened-input path pattern, or a function for references inside documents. */
    refs: RegExp | ((holder: RecordedResource, graph: Graph) => string[]);
    /** Type token of the referenced resource, or the external party the holder itself talks to. */
    target: string | { external: ExternalParty };
    /** `out`: data goes from the holder to the target; `in`: from the target to the holder. */
    direction: "out" | "in";
    label: (holder: RecordedResource, graph: Graph) => string;
    /** Extra condition on the holder (a JDBC connection only counts when a VPN reaches its VPC). */
    when?: (holder: RecordedResource, graph: Graph) => boolean;
}

interface PolicyStatement {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
    Principal?: unknown;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function statements(doc: unknown): PolicyStatement[] {
    let parsed = doc;
    if (typeof doc === "string") {
        try {
            parsed = JSON.parse(doc);
        } catch {
            return [];
        }
    }
    return list((parsed as { Statement?: PolicyStatement | PolicyStatement[] } | undefined)?.Statement);
}

/** The role a role policy attaches to, by the dependency the engine recorded. */
function roleOf(policy: RecordedResource, graph: Graph): RecordedResource | undefined {
    return (policy.propertyDependencies.role ?? []).map((u) => graph.byUrn.get(u)).find((r) => r?.type === "aws:iam/role:Role");
}

function trustedServices(role: RecordedResource | undefined): string[] {
    return statements(role?.inputs.assumeRolePolicy).flatMap((s) => list((s.Principal as { Service?: string | string[] } | undefined)?.Service));
}

function trustsAccountPrincipals(role: RecordedResource | undefined): boolean {
    return statements(role?.inputs.assumeRolePolicy).some((s) => list((s.Principal as { AWS?: string | string[] } | undefined)?.AWS).length > 0);
}

/** Resources of allowed statements granting one of `actions`; `wholeBucket` keeps `arn:...:bucket/*` only (a prefix is a log or temp path). */
function grantedResources(policy: RecordedResource, actions: string[], wholeBucket = false): string[] {
    return statements(policy.inputs.policy)
        .filter((s) => s.Effect === "Allow" && list(s.Action).some((a) => actions.includes(a)))
        .flatMap((s) => list(s.Resource))
        .filter((r) => !wholeBucket || /^arn:[^:]+:s3:::[^/]+\/\*$/.test(r));
}

const S3_WRITE = ["s3:PutObject"];
const S3_READ = ["s3:GetObject"];
/** Service roles whose S3 grants are the data path of a processing step (other roles' grants are access, not flow). */
const PROCESSING_SERVICES = ["emr-serverless.amazonaws.com", "importexport.amazonaws.com"];

const input = (r: RecordedResource, key: string): unknown => r.inputs[key];
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** The declarative table of data flows. Order does not matter; flows between the same two nodes merge. */
export const FLOW_KINDS: FlowKind[] = [
    {
        id: "site-to-site-vpn",
        holder: "aws:ec2/vpnConnection:VpnConnection",
        refs: /^customerGatewayId$/,
        target: "aws:ec2/customerGateway:CustomerGateway",
        direction: "in",
        label: (r) => {
            const ike = list(input(r, "tunnel1IkeVersions") as string[] | undefined).join("/");
            const enc = list(input(r, "tunnel1Phase2EncryptionAlgorithms") as string[] | undefined)[0];
            return `IPsec VPN${ike || enc ? `, ${[ike, enc].filter(Boolean).join(", ")}` : ""}`;
        },
    },
    {
        id: "jdbc-over-vpn",
        holder: "aws:glue/connection:Connection",
        refs: /^physicalConnectionRequirements\./,
        target: "awsx:ec2:Vpc",
        direction: "in",
        label: (r) => {
            const props = (input(r, "connectionProperties") as { value?: Record<string, string> } & Record<string, string>) ?? {};
            const ssl = (props.value ?? props).JDBC_ENFORCE_SSL === "true";
            return `JDBC${ssl ? " (SSL)" : ""}`;
        },
        // The on-prem database is reached through the VPC only when a VPN gateway is attached to it.
        when: (r, g) => (r.propertyDependencies.physicalConnectionRequirements ?? []).some((vpc) => g.resources.some((x) => x.type === "aws:ec2/vpnGateway:VpnGateway" && (x.propertyDependencies.vpcId ?? []).includes(vpc))),
    },
    {
        id: "file-gateway-share",
        holder: "aws:storagegateway/smbFileShare:SmbFileShare",
        refs: /^gatewayArn$/,
        target: "aws:storagegateway/gateway:Gateway",
        direction: "in",
        label: () => "SMB file share",
    },
    {
        id: "file-gateway-share",
        holder: "aws:storagegateway/nfsFileShare:NfsFileShare",
        refs: /^gatewayArn$/,
        target: "aws:storagegateway/gateway:Gateway",
        direction: "in",
        label: () => "NFS file share",
    },
    { id: "file-share-location", holder: "aws:storagegateway/smbFileShare:SmbFileShare", refs: /^locationArn$/, target: "aws:s3/bucket:Bucket", direction: "out", label: () => "files" },
    { id: "file-share-location", holder: "aws:storagegateway/nfsFileShare:NfsFileShare", refs: /^locationArn$/, target: "aws:s3/bucket:Bucket", direction: "out", label: () => "files" },
    {
        id: "stream-producers",
        holder: "aws:iam/rolePolicy:RolePolicy",
        refs: () => [],
        target: { external: "onprem" },
        direction: "in",
        label: () => "records (Kinesis, TLS)",
        // A role assumed by principals of the account (not a service) that may put records: the producers' feed.
        when: (r, g) => trustsAccountPrincipals(roleOf(r, g)) && grantedResources(r, ["kinesis:PutRecord", "kinesis:PutRecords"]).length > 0,
    },
    { id: "firehose-destination", holder: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", refs: /^extendedS3Configuration\.bucketArn$/, target: "aws:s3/bucket:Bucket", direction: "out", label: () => "Firehose" },
    { id: "glue-job-target", holder: "aws:glue/job:Job", refs: /^(nonOverridableArguments|defaultArguments)\.--target_path$/, target: "aws:s3/bucket:Bucket", direction: "out", label: () => "Glue ETL" },
    {
        id: "snowball-import",
        holder: "aws:iam/rolePolicy:RolePolicy",
        refs: () => [],
        target: { external: "onprem" },
        direction: "in",
        label: () => "Snowball device",
        when: (r, g) => trustedServices(roleOf(r, g)).includes("importexport.amazonaws.com"),
    },
    {
        id: "processing-writes",
        holder: "aws:iam/rolePolicy:RolePolicy",
        refs: (r) => grantedResources(r, S3_WRITE, true),
        target: "aws:s3/bucket:Bucket",
        direction: "out",
        label: (r, g) => (trustedServices(roleOf(r, g)).includes("importexport.amazonaws.com") ? "import" : "writes"),
        when: (r, g) => trustedServices(roleOf(r, g)).some((s) => PROCESSING_SERVICES.includes(s)),
    },
    {
        id: "processing-reads",
        holder: "aws:iam/rolePolicy:RolePolicy",
        // A bucket the step also writes is its output, not an input: one edge, not a cycle.
        refs: (r) => {
            const written = new Set(grantedResources(r, S3_WRITE, true));
            return grantedResources(r, S3_READ, true).filter((x) => !written.has(x));
        },
        target: "aws:s3/bucket:Bucket",
        direction: "in",
        label: () => "reads",
        when: (r, g) => trustedServices(roleOf(r, g)).includes("emr-serverless.amazonaws.com"),
    },
    { id: "crawler-source", holder: "aws:glue/crawler:Crawler", refs: /^s3Targets\[\d+\]\.path$/, target: "aws:s3/bucket:Bucket", direction: "in", label: () => "crawled" },
    {
        id: "catalog-table-location",
        holder: "aws:glue/catalogTable:CatalogTable",
        refs: /^(storageDescriptor\.location|parameters\.storage\.location\.template)$/,
        target: "aws:s3/bucket:Bucket",
        direction: "in",
        label: () => "table",
        // A Firehose's record-format schema only describes what it writes; nothing reads the bucket through it.
        when: (r, g) =>
            !g.resources.some((f) => {
                const schema = (f.inputs.extendedS3Configuration as { dataFormatConversionConfiguration?: { schemaConfiguration?: { databaseName?: string; tableName?: string } } } | undefined)?.dataFormatConversionConfiguration?.schemaConfiguration;
                return f.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream" && schema?.tableName === r.inputs.name && schema?.databaseName === r.inputs.databaseName;
            }),
    },
    { id: "named-query-database", holder: "aws:athena/namedQuery:NamedQuery", refs: /^database$/, target: "aws:glue/catalogDatabase:CatalogDatabase", direction: "in", label: () => "tables" },
    { id: "athena-results", holder: "aws:athena/workgroup:Workgroup", refs: /^configuration\.resultConfiguration\.outputLocation$/, target: "aws:s3/bucket:Bucket", direction: "out", label: () => "query results" },
    { id: "function-workgroup", holder: "aws:lambda/function:Function", refs: /^environment\.variables\.[A-Z0-9_]+$/, target: "aws:athena/workgroup:Workgroup", direction: "in", label: () => "query results" },
    { id: "function-cache", holder: "aws:lambda/function:Function", refs: /^environment\.variables\.[A-Z0-9_]+$/, target: "aws:elasticache/replicationGroup:ReplicationGroup", direction: "in", label: () => "cached results" },
    { id: "function-table", holder: "aws:lambda/function:Function", refs: /^environment\.variables\.[A-Z0-9_]+$/, target: "aws:dynamodb/table:Table", direction: "in", label: () => "items" },
    { id: "api-integration", holder: "aws:apigatewayv2/integration:Integration", refs: /^integrationUri$/, target: "aws:lambda/function:Function", direction: "in", label: () => "responses" },
    {
        id: "api-callers",
        holder: "aws:apigatewayv2/route:Route",
        refs: () => [],
        target: { external: "users" },
        direction: "out",
        label: (r) => `HTTPS${str(input(r, "authorizationType")) === "AWS_IAM" ? ", SigV4" : str(input(r, "authorizationType")) === "JWT" ? ", JWT" : ""}`,
        // An unauthenticated route is not a flow to users the platform knows; the pack flags it instead.
        when: (r) => !["", "NONE"].includes(str(input(r, "authorizationType"))),
    },
    { id: "alert-subscription", holder: "aws:sns/topicSubscription:TopicSubscription", refs: /^topic$/, target: "aws:sns/topic:Topic", direction: "in", label: (r) => `${str(input(r, "protocol")) || "alert"} alerts` },
];

/** Resource types that stand for a party outside the account: references to them are trust-boundary crossings. */
export const EXTERNAL_TYPES: Record<string, { party: ExternalParty; when?: (r: RecordedResource) => boolean }> = {
    // The on-prem side of the site-to-site VPN.
    "aws:ec2/customerGateway:CustomerGateway": { party: "onprem" },
    // A File Gateway is an appliance in the hospital's data center; only its registration is in AWS.
    "aws:storagegateway/gateway:Gateway": { party: "onprem" },
    // People subscribed to alerts (email/SMS), not a queue or function of the stack.
    "aws:sns/topicSubscription:TopicSubscription": { party: "stakeholders", when: (r) => ["email", "email-json", "sms"].includes(str(r.inputs.protocol)) },
};

const EXTERNAL_LABEL: Record<ExternalParty, string> = {
    onprem: "On-premises (hospital)",
    users: "Analysts and customer apps",
    stakeholders: "Stakeholders",
};

/** Short names of the resource types that say what a component is; the rest are its plumbing. */
const MAIN_TYPES: [string, string][] = [
    ["aws:ec2/vpnConnection:VpnConnection", "VPN"],
    ["awsx:ec2:Vpc", "VPC"],
    ["aws:kinesis/stream:Stream", "Kinesis"],
    ["aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "Firehose"],
    ["aws:glue/job:Job", "Glue job"],
    ["aws:glue/connection:Connection", "JDBC"],
    ["aws:storagegateway/gateway:Gateway", "File Gateway"],
    ["aws:storagegateway/smbFileShare:SmbFileShare", "SMB"],
    ["aws:storagegateway/nfsFileShare:NfsFileShare", "NFS"],
    ["aws:s3/bucket:Bucket", "S3"],
    ["aws:glue/crawler:Crawler", "crawler"],
    ["aws:glue/catalogDatabase:CatalogDatabase", "Glue DB"],
    ["aws:athena/workgroup:Workgroup", "Athena"],
    ["aws:emrserverless/application:Application", "EMR Serverless"],
    ["aws:apigatewayv2/api:Api", "HTTP API"],
    ["aws:lambda/function:Function", "Lambda"],
    ["aws:rds/cluster:Cluster", "Aurora"],
    ["aws:rds/instance:Instance", "RDS"],
    ["aws:redshiftserverless/namespace:Namespace", "Redshift"],
    ["aws:dynamodb/table:Table", "DynamoDB"],
    ["aws:elasticache/replicationGroup:ReplicationGroup", "Valkey"],
    ["aws:efs/fileSystem:FileSystem", "EFS"],
    ["aws:ebs/volume:Volume", "EBS"],
    ["aws:opensearch/domain:Domain", "OpenSearch"],
    ["aws:backup/vault:Vault", "Backup vault"],
    ["aws:kms/key:Key", "KMS key"],
    ["aws:sns/topic:Topic", "SNS"],
    ["aws:cloudtrail/trail:Trail", "CloudTrail"],
    ["aws:guardduty/detector:Detector", "GuardDuty"],
    ["aws:macie2/classificationJob:ClassificationJob", "Macie"],
    ["aws:cfg/recorder:Recorder", "Config"],
    ["aws:securityhub/account:Account", "Security Hub"],
    ["aws:iam/role:Role", "IAM role"],
];

const sanitize = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");
const typeName = (t: string) => t.split(":").pop() ?? t;

/** Strings a reference may carry to name a resource: its physical id, ARN and names. */
function identifiers(r: RecordedResource): string[] {
    const ids = [r.id, r.outputs.arn, r.outputs.name, r.inputs.name, r.inputs.bucket, r.outputs.bucket, r.inputs.replicationGroupId, r.inputs.gatewayName];
    return [...new Set(ids.filter((x): x is string => typeof x === "string" && x.length >= 4))];
}

function names(text: string, id: string): boolean {
    if (text === id) return true;
    const at = text.indexOf(id);
    if (at < 0) return false;
    const before = at === 0 ? "" : text[at - 1];
    const after = text[at + id.length] ?? "";
    const boundary = /^$|[^A-Za-z0-9_-]/;
    return boundary.test(before) && boundary.test(after);
}

/** Flattens plain values (wire form already unwrapped by `plainInputs`) to `path=value` pairs of strings. */
function flattenStrings(value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
    if (Array.isArray(value)) value.forEach((v, i) => flattenStrings(v, `${prefix}[${i}]`, out));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) flattenStrings(v, prefix ? `${prefix}.${k}` : k, out);
    else if (typeof value === "string") out.push([prefix, value]);
    return out;
}

/** The component chain (outermost first) of a resource, without the stack. */
function componentChain(r: RecordedResource, byUrn: Map<string, RecordedResource>): RecordedResource[] {
    const chain: RecordedResource[] = [];
    let p = r.parent ? byUrn.get(r.parent) : undefined;
    while (p && p.type !== "pulumi:pulumi:Stack") {
        chain.unshift(p);
        p = p.parent ? byUrn.get(p.parent) : undefined;
    }
    if (!r.custom && r.type !== "pulumi:pulumi:Stack") chain.push(r);
    return chain;
}

const isPlatformComponent = (r: RecordedResource) => !r.custom && r.type.startsWith("healthcare:");

/** The area of a component type token `healthcare:<area>:<Type>`. */
export const areaOfType = (type: string) => (type.startsWith("healthcare:") ? type.split(":")[1] : "other");

/** Builds the data-flow architecture of a recording. */
export function buildArchitecture(all: readonly RecordedResource[]): Architecture {
    const resources = all.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const graph: Graph = { resources, byUrn };
    const childComponents = new Map<string, RecordedResource[]>();
    for (const r of resources) if (isPlatformComponent(r) && r.parent) childComponents.set(r.parent, [...(childComponents.get(r.parent) ?? []), r]);
    // An area component with several sub-components (the data lake's zones, ingestion's paths) is a group of them.
    const composite = (c: RecordedResource) => (childComponents.get(c.urn) ?? []).filter(isPlatformComponent).length >= 2;

    /** The component that is a node for this resource; for a composite's own resources, the composite itself. */
    const nodeComponentOf = (r: RecordedResource): RecordedResource | undefined => {
        const chain = componentChain(r, byUrn).filter(isPlatformComponent);
        if (chain.length === 0) return undefined;
        return composite(chain[0]) && chain.length > 1 ? chain[1] : chain[0];
    };
    const externalOf = (r: RecordedResource): ExternalParty | undefined => {
        const e = EXTERNAL_TYPES[r.type];
        return e && (!e.when || e.when(r)) ? e.party : undefined;
    };
    const endpointOf = (r: RecordedResource): string | undefined => externalOf(r) ?? nodeComponentOf(r)?.urn;

    // References: identifiers of every resource, by type.
    const byType = new Map<string, RecordedResource[]>();
    for (const r of resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
    const resolve = (holder: RecordedResource, kind: FlowKind, targetType: string): RecordedResource[] => {
        const candidates = byType.get(targetType) ?? [];
        const pairs: [string, string][] = typeof kind.refs === "function" ? kind.refs(holder, graph).map((v) => ["", v]) : flattenStrings(plainInputs(holder)).filter(([p]) => (kind.refs as RegExp).test(p));
        const keys = new Set(typeof kind.refs === "function" ? [] : pairs.map(([p]) => p.split(/[.[]/)[0]));
        const depUrns = new Set([...keys].flatMap((k) => holder.propertyDependencies[k] ?? []));
        return candidates.filter((c) => {
            if (c.urn === holder.urn) return false;
            // A recorded property dependency on the target (under the same input) is the reference itself.
            if (depUrns.has(c.urn)) return true;
            const ids = identifiers(c);
            return pairs.some(([, v]) => ids.some((id) => names(v, id)));
        });
    };

    const flows = new Map<string, Flow>();
    const addFlow = (from: string, to: string, label: string, evidence: string, boundary: boolean) => {
        if (from === to) return;
        const key = `${from}|${to}`;
        const f = flows.get(key) ?? { from, to, labels: [], boundary, evidence: [] };
        if (!f.labels.includes(label)) f.labels.push(label);
        if (!f.evidence.includes(evidence)) f.evidence.push(evidence);
        flows.set(key, f);
    };
    for (const kind of FLOW_KINDS) {
        for (const holder of byType.get(kind.holder) ?? []) {
            if (kind.when && !kind.when(holder, graph)) continue;
            const h = endpointOf(holder);
            if (!h) continue;
            const targets: { end: string; name: string }[] =
                typeof kind.target === "string"
                    ? resolve(holder, kind, kind.target).flatMap((t) => {
                          const end = endpointOf(t);
                          return end ? [{ end, name: t.name }] : [];
                      })
                    : [{ end: kind.target.external, name: EXTERNAL_LABEL[kind.target.external] }];
            for (const t of targets) {
                const [from, to] = kind.direction === "out" ? [h, t.end] : [t.end, h];
                const boundary = [from, to].some((e) => e in EXTERNAL_LABEL);
                addFlow(from, to, kind.label(holder, graph), `${kind.id}: ${holder.name} -> ${t.name}`, boundary);
            }
        }
    }

    // Nodes: every component that owns a main resource or ends a flow, and the external parties flows reach.
    const endpoints = new Set([...flows.values()].flatMap((f) => [f.from, f.to]));
    const members = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        if (!r.custom && !(r.remote && !isPlatformComponent(r))) continue;
        const n = nodeComponentOf(r);
        if (n) members.set(n.urn, [...(members.get(n.urn) ?? []), r]);
    }
    const nodeUrns = [...members.keys()].filter((urn) => {
        const c = byUrn.get(urn) as RecordedResource;
        if (endpoints.has(urn)) return true;
        // A composite's own plumbing (e.g. ingestion's catalog encryption setting) is no node unless data flows through it.
        return !composite(c) && (members.get(urn) ?? []).some((r) => MAIN_TYPES.some(([t]) => t === r.type));
    });

    const keyDomain = (key: RecordedResource) => {
        const parent = key.parent ? byUrn.get(key.parent) : undefined;
        return parent && key.name.startsWith(`${parent.name}-`) ? key.name.slice(parent.name.length + 1) : key.name;
    };
    const topic = (byType.get("aws:sns/topic:Topic") ?? []).flatMap(identifiers);
    const backupSelected = new Set(
        (byType.get("aws:backup/selection:Selection") ?? []).flatMap((s) => list(s.inputs.resources as string[] | undefined)).flatMap((arn) => resources.filter((r) => identifiers(r).some((id) => names(arn, id))).map((r) => r.urn)),
    );
    const backupTags = (byType.get("aws:backup/selection:Selection") ?? []).flatMap((s) => list(s.inputs.selectionTags as { key: string; value: string }[] | undefined));

    const groups = new Map<string, ArchitectureGroup>();
    const nodes: ArchitectureNode[] = [];
    const quiet = new Map<string, QuietComponents>();
    const nodeId = new Map<string, string>();
    for (const urn of nodeUrns) {
        const c = byUrn.get(urn) as RecordedResource;
        const own = members.get(urn) ?? [];
        const chain = componentChain(c, byUrn).filter(isPlatformComponent);
        const top = chain[0];
        const groupKey = composite(top) && top !== c ? top.name : areaOfType(c.type);
        const group = groups.get(groupKey) ?? { id: sanitize(`g_${groupKey}`), label: composite(top) && top !== c ? `${top.name} (${typeName(top.type)})` : `${groupKey[0].toUpperCase()}${groupKey.slice(1)}` };
        groups.set(groupKey, group);
        const counts = MAIN_TYPES.map(([t, label]) => [label, own.filter((r) => r.type === t).length] as const).filter(([, n]) => n > 0);
        // Every processing component has a role; it says what the component is only when it has nothing else.
        const shown = counts.length > 1 ? counts.filter(([label]) => label !== "IAM role") : counts;
        const detail = shown.slice(0, 3).map(([label, n]) => (n > 1 ? `${n}× ${label}` : label)).join(", ") || typeName(c.type);
        const keyDomains = new Set<string>();
        let logs = 0;
        let alarms = 0;
        let backup = false;
        for (const r of own) {
            // The key of the data: a main resource's (the Aurora cluster's, not its log group's or secret's).
            if (MAIN_TYPES.some(([t]) => t === r.type)) {
                for (const d of new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()])) {
                    const dep = byUrn.get(d);
                    if (dep?.type === "aws:kms/key:Key" && nodeComponentOf(dep)?.urn !== urn) keyDomains.add(keyDomain(dep));
                }
            }
            if (r.type === "aws:cloudwatch/logGroup:LogGroup" || r.type === "aws:s3/bucketLogging:BucketLogging") logs++;
            if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && list(r.inputs.alarmActions as string[] | undefined).some((a) => topic.some((id) => names(a, id)))) alarms++;
            const tags = (r.inputs.tags ?? {}) as Record<string, string>;
            if (backupSelected.has(r.urn) || backupTags.some((t) => tags[t.key] === t.value)) backup = true;
        }
        const badges = [
            ...(keyDomains.size ? [`key ${[...keyDomains].sort().join(", ")}`] : []),
            ...(logs ? ["logs"] : []),
            ...(alarms ? [`${alarms} alarm${alarms > 1 ? "s" : ""}`] : []),
            ...(backup ? ["backup"] : []),
        ];
        const zone = own.map((r) => (r.inputs.tags as Record<string, string> | undefined)?.["data-zone"]).find(Boolean);
        const parent = chain.length > 1 ? chain[chain.length - 2] : undefined;
        // A zone by its data-zone tag; a sub-component by its role (`ingest-batch` -> `batch`); an area's component without the area prefix.
        const prefix = parent ? `${parent.name}-` : `${areaOfType(c.type)}-`;
        const name = zone ? `${zone} zone` : c.name.startsWith(prefix) && c.name.length > prefix.length ? c.name.slice(prefix.length) : c.name;
        const entry: NodeEntry = { name, detail, badges, component: c.name };
        if (endpoints.has(urn)) {
            const id = sanitize(`n_${c.name}`);
            nodeId.set(urn, id);
            nodes.push({ id, group: group.id, entries: [entry] });
        } else {
            const q = quiet.get(group.id) ?? { group: group.label, entries: [] };
            q.entries.push(entry);
            quiet.set(group.id, q);
        }
    }
    for (const party of Object.keys(EXTERNAL_LABEL) as ExternalParty[]) {
        if (!endpoints.has(party)) continue;
        const represented = resources.filter((r) => externalOf(r) === party).length;
        const detail = party === "stakeholders" ? `${represented} subscription${represented === 1 ? "" : "s"}` : party === "onprem" ? "outside AWS" : "outside AWS, IAM-authenticated";
        nodeId.set(party, `x_${party}`);
        nodes.push({ id: `x_${party}`, external: party, entries: [{ name: EXTERNAL_LABEL[party], detail, badges: [] }] });
    }
    // Badges and main resources every drawn component of a group shares (all lake zones are S3 buckets under the
    // data-lake key) are said once, on the group: one line less in each of its boxes, and its column is the tallest.
    const drawnGroups = [...groups.values()].filter((g) => nodes.some((n) => n.group === g.id));
    for (const g of drawnGroups) {
        const entries = nodes.filter((n) => n.group === g.id).flatMap((n) => n.entries);
        if (entries.length < 2) continue;
        const shared = entries[0].badges.filter((b) => entries.every((e) => e.badges.includes(b)));
        if (shared.length) g.badges = shared;
        for (const e of entries) e.badges = e.badges.filter((b) => !shared.includes(b));
        if (entries.every((e) => e.detail === entries[0].detail)) {
            g.detail = entries[0].detail;
            for (const e of entries) e.detail = "";
        }
    }
    const flowList = [...flows.values()]
        .filter((f) => nodeId.has(f.from) && nodeId.has(f.to))
        .map((f) => ({ ...f, from: nodeId.get(f.from) as string, to: nodeId.get(f.to) as string, labels: [...f.labels].sort() }));

    const legend = [
        "Solid arrow: data flow recorded in the program (a delivery destination, a job target, an integration...).",
        "Thick arrow: the flow crosses the account's trust boundary; its label names the protection.",
        "Badges: key <domain> = encrypted with that KMS key of the keys component; logs = writes a log group or S3 access logs; N alarms = alarms to the alerts topic; backup = in an AWS Backup plan.",
    ];
    if (quiet.size) legend.push("No recorded data flow: components listed under the diagram, with their badges, instead of boxes.");
    return { groups: drawnGroups, nodes, flows: flowList, quiet: [...quiet.values()], legend, mermaid: toMermaid(drawnGroups, nodes, flowList) };
}

const mermaidText = (s: string) => s.replace(/["<>#]/g, "'");

/**
 * Breaks a `, `/` · `-separated list into lines of about `width` characters. Node width drives the diagram's width
 * (ten components in a row from on-prem to users): narrow nodes keep it readable at 1400 px without scrolling.
 */
export function wrap(text: string, width = 22): string[] {
    if (!text) return [];
    const parts = text.split(/(?<=, | · )/);
    const lines: string[] = [];
    for (const p of parts) {
        if (lines.length && (lines[lines.length - 1] + p).trimEnd().length <= width) lines[lines.length - 1] += p;
        else lines.push(p);
    }
    return lines.map((l) => l.replace(/(,| ·)\s*$/, ""));
}

function toMermaid(groups: ArchitectureGroup[], nodes: ArchitectureNode[], flows: Flow[]): string {
    const label = (n: ArchitectureNode) =>
        n.entries
            .map((e) => {
                const badges = e.badges.join(" · ");
                const both = [e.detail, badges].filter(Boolean).join(" · ");
                // Detail and badges share a line when they fit: fewer lines, shorter columns.
                const rest = both.length <= 24 ? (both ? [`<small>${mermaidText(e.detail)}${e.detail && badges ? " · " : ""}${badges ? `<i>${mermaidText(badges)}</i>` : ""}</small>`] : []) : [...wrap(e.detail).map((l) => `<small>${mermaidText(l)}</small>`), ...wrap(badges).map((l) => `<i><small>${mermaidText(l)}</small></i>`)];
                return [`<b>${mermaidText(e.name)}</b>`, ...rest].join("<br/>");
            })
            .join("<br/>");
    const lines = ["flowchart LR"];
    for (const n of nodes.filter((x) => x.external)) lines.push(`  ${n.id}(["${label(n)}"])`);
    for (const g of groups) {
        const shared = [g.detail && mermaidText(g.detail), g.badges && `<i>${mermaidText(g.badges.join(" · "))}</i>`].filter(Boolean).join(" · ");
        lines.push(`  subgraph ${g.id}["${mermaidText(g.label)}${shared ? `<br/><small>${shared}</small>` : ""}"]`);
        for (const n of nodes.filter((x) => x.group === g.id)) lines.push(`    ${n.id}["${label(n)}"]`);
        lines.push("  end");
    }
    // Only boundary crossings carry a label (their protection): a label is a layout node of its own and doubles the
    // diagram's width; what an internal flow is says the table of flows under the diagram.
    for (const f of flows) lines.push(f.boundary ? `  ${f.from} ==>|"${wrap(f.labels.join(", "), 16).map(mermaidText).join("<br/>")}"| ${f.to}` : `  ${f.from} --> ${f.to}`);
    lines.push("  classDef external fill:#fff8c5,stroke:#9a6700");
    const ext = nodes.filter((n) => n.external).map((n) => n.id);
    if (ext.length) lines.push(`  class ${ext.join(",")} external`);
    return lines.join("\n");
}
