/**
 * HIPAA evidence from one offline run: which safeguard, which resource implements it, which policy checks it,
 * with what verdict. Pure functions over the engine's result, so the report says only what the run recorded.
 */
import * as fs from "fs";
import type { OfflineResult } from "../offline/engine";
import type { PolicyDiagnostic, PolicyInfo } from "../offline/analyzer";
import type { RecordedResource } from "../offline/recorder";
import type { Violation } from "../engine/lane";
import type { WiringProof } from "../wiring/prove";
import { areaOfType, Architecture, buildArchitecture } from "./diagram";

/** A Security Rule safeguard and the resource types that implement it on this platform. */
export interface Safeguard {
    section: string;
    title: string;
    /** Type tokens (exact) or prefixes ending in `/` or `:` of the resources that implement it. */
    implementedBy: string[];
}

/** The technical safeguards (164.312) and the administrative ones the platform implements technically. */
export const SAFEGUARDS: Safeguard[] = [
    {
        section: "164.312(a)(1)",
        title: "Access control",
        implementedBy: ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:s3/bucketPublicAccessBlock:", "aws:s3/accountPublicAccessBlock:", "aws:ec2/securityGroup:", "aws:vpc/securityGroup", "aws:ec2/vpcEndpoint:", "aws:s3/bucketOwnershipControls:"],
    },
    { section: "164.312(a)(2)(i)", title: "Unique user identification", implementedBy: ["aws:iam/role:Role"] },
    {
        section: "164.312(a)(2)(iv)",
        title: "Encryption and decryption at rest",
        implementedBy: ["aws:kms/", "aws:s3/bucketServerSideEncryptionConfiguration:", "aws:rds/", "aws:redshift", "aws:dynamodb/table:", "aws:elasticache/", "aws:efs/fileSystem:", "aws:ebs/", "aws:kinesis/", "aws:sns/topic:", "aws:sqs/queue:", "aws:cloudwatch/logGroup:", "aws:glue/", "aws:athena/workgroup:", "aws:emr", "aws:opensearch/domain:", "aws:secretsmanager/secret:", "aws:backup/vault:", "aws:storagegateway/"],
    },
    { section: "164.312(b)", title: "Audit controls", implementedBy: ["aws:cloudtrail/", "aws:s3/bucketLogging:", "aws:ec2/flowLog:", "aws:cloudwatch/logGroup:", "aws:apigatewayv2/stage:", "aws:cfg/", "aws:securityhub/"] },
    { section: "164.312(c)(1)", title: "Integrity", implementedBy: ["aws:s3/bucketVersioning:", "aws:s3/bucketObjectLockConfiguration:", "aws:cloudtrail/trail:"] },
    { section: "164.312(d)", title: "Person or entity authentication", implementedBy: ["aws:iam/role:Role", "aws:rds/instance:", "aws:rds/cluster:", "aws:apigatewayv2/authorizer:", "aws:elasticache/user"] },
    {
        section: "164.312(e)(1)",
        title: "Transmission security",
        implementedBy: ["aws:s3/bucketPolicy:", "aws:rds/parameterGroup:", "aws:rds/clusterParameterGroup:", "aws:redshift", "aws:ec2/vpnConnection:", "aws:ec2/customerGateway:", "aws:ec2/vpnGateway:", "aws:efs/fileSystemPolicy:", "aws:apigatewayv2/", "aws:opensearch/domain:", "aws:elasticache/", "aws:sns/topicPolicy:", "aws:ec2/vpcEndpoint:"],
    },
    { section: "164.308(a)(1)(ii)(D)", title: "Information system activity review (incl. PHI discovery)", implementedBy: ["aws:macie2/", "aws:cloudtrail/", "aws:guardduty/", "aws:cfg/", "aws:securityhub/"] },
    { section: "164.308(a)(6)", title: "Security incident procedures and monitoring", implementedBy: ["aws:cloudwatch/metricAlarm:", "aws:cloudwatch/logMetricFilter:", "aws:cloudwatch/eventRule:", "aws:cloudwatch/eventTarget:", "aws:sns/", "aws:guardduty/"] },
    { section: "164.308(a)(7)", title: "Contingency plan: backup and disaster recovery", implementedBy: ["aws:backup/", "aws:dynamodb/table:", "aws:rds/instance:", "aws:rds/cluster:", "aws:redshift"] },
    { section: "164.310(d)(2)(i)", title: "Device and media controls: disposal and re-use", implementedBy: ["aws:s3/bucketLifecycleConfiguration:", "aws:kms/key:"] },
    { section: "164.316(b)(2)", title: "Documentation retention (six years)", implementedBy: ["aws:cloudwatch/logGroup:", "aws:s3/bucketObjectLockConfiguration:", "aws:s3/bucketLifecycleConfiguration:"] },
];

export type Verdict = "pass" | "fail" | "not-applicable" | "unknown-at-preview";

export interface PolicyVerdict {
    policy: string;
    description: string;
    enforcementLevel: string;
    severity?: string;
    reference?: string;
    verdict: Verdict;
    violations: { urn?: string; message: string; enforcementLevel: string }[];
    notApplicable: number;
}

export interface SafeguardEvidence {
    section: string;
    title: string;
    resources: { urn: string; type: string; name: string; component: string }[];
    policies: PolicyVerdict[];
    /** Worst verdict over the safeguard's policies. */
    verdict: Verdict | "no-policy";
    /** AWS Config conformance packs among the implementing resources, with the `# Source:`/`# Version:` of their template. */
    conformancePacks?: { name: string; source: string; version: string }[];
    /** Service integrations the wiring proof evaluated for this safeguard (`tools/wiring/`), when it ran. */
    integrations?: { kind: string; title: string; proven: boolean }[];
    /** Recorded resources that look like a gap in the safeguard and why they are kept (e.g. the VPC's internet gateway). */
    justifications?: { subject: string; text: string }[];
    /** The implementing resources by kind, most first (`IAM role` x 23): the controls column of the summary. */
    controls: { kind: string; count: number }[];
}

/**
 * The internet gateway awsx.ec2.Vpc always attaches to the VPC (the offline record holds the Vpc component, not its
 * children), justified from the Vpc's recorded inputs: whether any subnet is public and whether NAT routes to it.
 */
export function internetGatewayJustifications(resources: readonly RecordedResource[]): { subject: string; text: string }[] {
    return resources
        .filter((r) => r.type === "awsx:ec2:Vpc")
        .map((r) => {
            const specs = Array.isArray(r.inputs.subnetSpecs) ? (r.inputs.subnetSpecs as { type?: string }[]) : [];
            const nat = (r.inputs.natGateways as { strategy?: string } | undefined)?.strategy ?? "None";
            const isPublic = specs.some((sp) => sp.type === "Public");
            const text =
                !isPublic && nat === "None"
                    ? "attached by awsx.ec2.Vpc, which always creates one. It carries no traffic: the VPC has no public subnet and no route to it (natGateways: none), so no resource in the PHI VPC reaches or is reached from the internet; AWS APIs go through VPC endpoints and on-prem traffic through the VPN. It is kept because replacing the awsx VPC with one without it would replace every subnet and data store in it."
                    : `attached by awsx.ec2.Vpc and used: public subnets hold the NAT gateway(s) (natGateways: ${nat}) for outbound-only egress from private subnets; no data store has a public subnet.`;
            return { subject: `internet gateway of awsx.ec2.Vpc ${r.name}`, text };
        });
}

/** Detective controls (164.312(b), 164.308(a)(1)(ii)(D)): a conformance pack's name and its template's provenance. */
function conformancePackOf(r: RecordedResource): { name: string; source: string; version: string } {
    const body = typeof r.inputs.templateBody === "string" ? r.inputs.templateBody : "";
    const line = (key: string) => new RegExp(`^# ${key}: (.+)$`, "m").exec(body)?.[1].trim() ?? "not stated in the template";
    return { name: typeof r.inputs.name === "string" ? r.inputs.name : r.name, source: line("Source"), version: line("Version") };
}

/** Alerting integrations evidence incident procedures; every other proven path (TLS-only, key-policy-checked) transmission security. */
const ALERTING = new Set(["alarm-to-topic", "event-rule-target"]);

export type Posture = "yes" | "no" | "n/a";

export interface ResourcePosture {
    urn: string;
    type: string;
    name: string;
    /** Area of the top-level component's type token (`healthcare:<area>:...`), `other` for resources outside one. */
    area: string;
    /** Top-level component. */
    component: string;
    /** The component the resource is a direct child of (equal to `component` for its own resources). */
    parentComponent: string;
    encryption: string;
    tls: string;
    logging: string;
    backup: string;
    protect: boolean;
    violations: number;
}

/** An engine that judged the stack: the offline engine (mock runtime) or the real Pulumi CLI. */
export interface EngineInfo {
    kind: "offline" | "pulumi-cli";
    /** @pulumi/pulumi version (offline: the SDK whose mock runtime ran the program; CLI: `pulumi version`, without its `v`). */
    version: string;
    /** Exit code of the run (offline: 0 no mandatory violation, 1 violations, 2 the program or the pack failed; CLI: `pulumi preview --policy-pack`'s). */
    exitCode: number;
    /** Mandatory and advisory violations this engine reported (offline: those not left unknown at preview). */
    mandatory: number;
    advisory: number;
}

/**
 * The real CLI's judgement of the same stack (`npm run report -- --real-cli`): `pulumi preview --policy-pack policy-pack`
 * through the real-engine lane (tools/engine/lane.ts).
 */
export interface CliJudgement {
    /** `pulumi version`, without its `v`. */
    version: string;
    exitCode: number;
    findings: Violation[];
}

/** A finding of one engine that the other did not report, as `<policy> <urn or (stack)>`. */
export interface EngineDifference {
    onlyOffline: string[];
    onlyCli: string[];
}

/**
 * Where the two engines' findings differ, by level. The offline engine stands in for the CLI in every PR check, so a
 * mandatory finding only the CLI reports is an offline engine accepting what a deployment would refuse.
 */
export interface EngineComparison {
    /** No mandatory finding of one engine is missing from the other's. */
    agree: boolean;
    mandatory: EngineDifference;
    advisory: EngineDifference;
}

export interface Evidence {
    project: string;
    stack: string;
    mode: string;
    generatedFrom: string;
    /** Every engine that judged the stack: the offline engine (whose recording the report describes) first, then the Pulumi CLI with `--real-cli`. */
    engines: EngineInfo[];
    /** With `--real-cli`: where the offline engine's and the CLI's findings differ. */
    engineComparison?: EngineComparison;
    pack?: { name: string; version: string; policies: number };
    totals: { resources: number; mandatoryViolations: number; advisoryViolations: number; unknownDuringPreview: number };
    safeguards: SafeguardEvidence[];
    resources: ResourcePosture[];
    /** Mermaid source of the data-flow diagram (`architecture.mermaid`). */
    diagram: string;
    architecture: Architecture;
}

function matches(type: string, patterns: string[]): boolean {
    return patterns.some((p) => (p.endsWith("/") || p.endsWith(":") ? type.startsWith(p) : type === p || type.startsWith(p)));
}

/** Top-level component (area) of each resource: the ancestor just below the stack. */
export function areaOf(resources: RecordedResource[]): Map<string, RecordedResource | undefined> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const memo = new Map<string, RecordedResource | undefined>();
    const find = (r: RecordedResource): RecordedResource | undefined => {
        if (memo.has(r.urn)) return memo.get(r.urn);
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        let area: RecordedResource | undefined;
        if (!parent || parent.type === "pulumi:pulumi:Stack") area = r.custom ? undefined : r;
        else area = find(parent);
        memo.set(r.urn, area);
        return area;
    };
    return new Map(resources.map((r) => [r.urn, find(r)]));
}

/** Flattens wire inputs to `path=value` pairs (secrets and unknowns kept as markers). */
function flatten(value: unknown, prefix = "", out: [string, unknown][] = []): [string, unknown][] {
    if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    else if (typeof value === "string" && value.startsWith("{")) {
        // Policy documents and EMR security configurations are JSON strings; their keys are posture evidence too.
        try {
            flatten(JSON.parse(value), prefix, out);
        } catch {
            out.push([prefix, value]);
        }
    } else out.push([prefix, value]);
    return out;
}

const truthy = (v: unknown) => v !== undefined && v !== null && v !== false && v !== "" && v !== "false" && v !== "DISABLED" && v !== "Disabled";

/** Posture of one resource from its own inputs and those of side resources attached to it. */
function posture(props: [string, unknown][]): Pick<ResourcePosture, "encryption" | "tls" | "logging" | "backup"> {
    const find = (re: RegExp) => props.filter(([k, v]) => re.test(k) && truthy(v));
    const kms = find(/kms(KeyId|KeyArn|MasterKeyId|_key|Key)$|kmsKey|kms_key_id|sseAlgorithm|encryptionKey|KmsKey/i);
    const enc = find(/encrypt|sse|serverSideEncryption/i);
    const encryption = kms.some(([, v]) => String(v) === "AES256") && !kms.some(([, v]) => /^arn:|04da6b54/.test(String(v)))
        ? "SSE-S3"
        : kms.length
          ? "KMS (customer-managed)"
          : enc.length
            ? "yes"
            : "n/a";
    const tls = find(/SecureTransport|TlsVersion|transitEncryption|enforceHttps|force_ssl|require_ssl|tlsSecurityPolicy|protocolType|ikeVersions|JDBC_ENFORCE_SSL|inTransit/i).length ? "yes" : "n/a";
    const logging = find(/log(Group|ging|Exports|Destination|Publishing|Configuration)|cloudWatchLogs|accessLog|enabledCloudwatchLogsExports|targetBucket|cloudwatchLogGroupArn|logUri/i).length ? "yes" : "n/a";
    const backup = find(/backupRetention|pointInTimeRecovery|snapshotRetention|automatedSnapshotRetention|finalSnapshot|backupPolicy|copyTagsToSnapshot|^rules\[\d+\]\.lifecycle/i).length ? "yes" : "n/a";
    return { encryption, tls, logging, backup };
}

function worst(verdicts: Verdict[]): Verdict | "no-policy" {
    if (verdicts.length === 0) return "no-policy";
    for (const v of ["fail", "unknown-at-preview", "pass", "not-applicable"] as const) if (verdicts.includes(v)) return v;
    return "pass";
}

/** A finding of either engine, as a policy verdict counts it. */
interface Finding {
    policyName: string;
    urn?: string;
    message: string;
    enforcementLevel: string;
    unknownDuringPreview: boolean;
}

function policyVerdict(policy: PolicyInfo, diagnostics: Finding[], notApplicable: number): PolicyVerdict {
    const violations = diagnostics.filter((d) => !d.unknownDuringPreview);
    const unknown = diagnostics.length - violations.length;
    const verdict: Verdict = violations.length ? "fail" : unknown ? "unknown-at-preview" : policy.enforcementLevel === "disabled" ? "not-applicable" : "pass";
    return {
        policy: policy.name,
        description: policy.description,
        enforcementLevel: policy.enforcementLevel,
        severity: policy.severity,
        reference: policy.framework?.reference,
        verdict,
        violations: diagnostics.map((d) => ({ urn: d.urn, message: d.message, enforcementLevel: d.enforcementLevel })),
        notApplicable,
    };
}

/** `aws:iam/role:Role` -> `iam role`; `aws:s3/bucketPolicy:BucketPolicy` -> `s3 bucket policy`. */
export function kindOf(type: string): string {
    const [, mod = "", name = type] = type.split(":");
    const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
    const service = mod.split("/")[0];
    return words.startsWith(service.toLowerCase()) ? words : `${service} ${words}`;
}

function controlsOf(resources: { type: string }[]): { kind: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(kindOf(r.type), (counts.get(kindOf(r.type)) ?? 0) + 1);
    return [...counts].map(([kind, count]) => ({ kind, count })).sort((x, y) => y.count - x.count || x.kind.localeCompare(y.kind));
}

/** The @pulumi/pulumi version the offline engine ran the program with (the SDK's mock runtime). */
export function pulumiSdkVersion(): string {
    return (JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
}

/** `<policy> <urn>`: how a finding is named when the engines are compared (a stack-level finding has no URN). */
export const findingKey = (f: { policyName: string; urn?: string }): string => `${f.policyName} ${f.urn || "(stack)"}`;

/**
 * The findings of `a` that `b` lacks, at each level, counted as a multiset: one policy may report a resource twice,
 * and one engine reporting it once is a difference.
 */
function missingFrom<T extends { policyName: string; urn?: string; enforcementLevel: string }>(a: T[], b: { policyName: string; urn?: string; enforcementLevel: string }[]): T[] {
    const left = new Map<string, number>();
    for (const f of b) left.set(`${f.enforcementLevel} ${findingKey(f)}`, (left.get(`${f.enforcementLevel} ${findingKey(f)}`) ?? 0) + 1);
    return a.filter((f) => {
        const key = `${f.enforcementLevel} ${findingKey(f)}`;
        const n = left.get(key) ?? 0;
        left.set(key, n - 1);
        return n <= 0;
    });
}

/** Compares the offline engine's findings (those not left unknown at preview) with the CLI's, mandatory and advisory. */
export function compareEngines(offline: readonly PolicyDiagnostic[], cli: readonly Violation[]): EngineComparison {
    const judged = offline.filter((d) => !d.unknownDuringPreview);
    const at = (level: string): EngineDifference => {
        const o = judged.filter((d) => d.enforcementLevel === level);
        const c = cli.filter((v) => v.enforcementLevel === level);
        return { onlyOffline: missingFrom(o, c).map(findingKey), onlyCli: missingFrom(c, o).map(findingKey) };
    };
    const mandatory = at("mandatory");
    return { agree: mandatory.onlyOffline.length === 0 && mandatory.onlyCli.length === 0, mandatory, advisory: at("advisory") };
}

/**
 * Builds the evidence of one offline run and, with `cli`, of the real CLI's judgement of the same stack. A finding only
 * the CLI reported counts against its policy and resource like an offline one: the report never shows PASS for what the
 * CLI rejects.
 */
export function buildEvidence(result: OfflineResult, wiring?: WiringProof, cli?: CliJudgement): Evidence {
    const recording = result.recording;
    if (!recording) {
        throw new Error(`the program did not run (${result.error?.phase}: ${result.error?.message}); no evidence to report`);
    }
    const judged = result.diagnostics.filter((d) => !d.unknownDuringPreview);
    const engines: EngineInfo[] = [
        {
            kind: "offline",
            version: pulumiSdkVersion(),
            exitCode: result.exitCode,
            mandatory: judged.filter((d) => d.enforcementLevel === "mandatory").length,
            advisory: judged.filter((d) => d.enforcementLevel === "advisory").length,
        },
    ];
    let cliOnly: (Violation & { unknownDuringPreview: false })[] = [];
    if (cli) {
        engines.push({
            kind: "pulumi-cli",
            version: cli.version,
            exitCode: cli.exitCode,
            mandatory: cli.findings.filter((v) => v.enforcementLevel === "mandatory").length,
            advisory: cli.findings.filter((v) => v.enforcementLevel === "advisory").length,
        });
        cliOnly = missingFrom(cli.findings, judged).map((v) => ({ ...v, message: `reported by the Pulumi CLI only: ${v.message}`, unknownDuringPreview: false }));
    }
    const findings: Finding[] = [...result.diagnostics, ...cliOnly];
    const resources = recording.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    const area = areaOf(resources);
    const componentName = (r: RecordedResource) => area.get(r.urn)?.name ?? "(stack)";
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const policies = result.policyPack?.policies ?? [];
    const diagByPolicy = new Map<string, Finding[]>();
    for (const d of findings) diagByPolicy.set(d.policyName, [...(diagByPolicy.get(d.policyName) ?? []), d]);
    const naByPolicy = new Map<string, number>();
    for (const n of result.notApplicable) naByPolicy.set(n.policyName, (naByPolicy.get(n.policyName) ?? 0) + 1);
    const verdicts = new Map(policies.map((p) => [p.name, policyVerdict(p, diagByPolicy.get(p.name) ?? [], naByPolicy.get(p.name) ?? 0)]));

    const internetGateways = internetGatewayJustifications(resources);
    const safeguards: SafeguardEvidence[] = SAFEGUARDS.map((s) => {
        const checking = policies.filter((p) => (p.framework?.reference ?? "").split(/,\s*/).some((ref) => ref === s.section || ref.startsWith(s.section)));
        const implementing = resources.filter((r) => r.custom && matches(r.type, s.implementedBy));
        const pv = checking.map((p) => verdicts.get(p.name) as PolicyVerdict);
        return {
            section: s.section,
            title: s.title,
            resources: implementing.map((r) => ({ urn: r.urn, type: r.type, name: r.name, component: componentName(r) })),
            policies: pv,
            verdict: worst(pv.map((v) => v.verdict)),
            controls: controlsOf(implementing),
            ...(implementing.some((r) => r.type === "aws:cfg/conformancePack:ConformancePack")
                ? { conformancePacks: implementing.filter((r) => r.type === "aws:cfg/conformancePack:ConformancePack").map(conformancePackOf) }
                : {}),
            ...(s.section === "164.312(e)(1)" && internetGateways.length > 0 ? { justifications: internetGateways } : {}),
            ...(wiring && (s.section === "164.308(a)(6)" || s.section === "164.312(e)(1)")
                ? { integrations: wiring.integrations.filter((i) => ALERTING.has(i.kind) === (s.section === "164.308(a)(6)")).map((i) => ({ kind: i.kind, title: i.title, proven: i.proven })) }
                : {}),
        };
    });

    // Split S3 resources describe their bucket: fold them into the bucket's row through property dependencies.
    const sideOf = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        if (!r.custom || !r.type.startsWith("aws:s3/bucket") || /:Bucket(V2)?$/.test(r.type)) continue;
        for (const urn of r.propertyDependencies.bucket ?? []) sideOf.set(urn, [...(sideOf.get(urn) ?? []), r]);
    }
    const violationsByUrn = new Map<string, number>();
    for (const d of findings) if (d.urn && !d.unknownDuringPreview) violationsByUrn.set(d.urn, (violationsByUrn.get(d.urn) ?? 0) + 1);
    const table: ResourcePosture[] = resources
        .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
        .map((r) => {
            const props = [r, ...(sideOf.get(r.urn) ?? [])].flatMap((x) => flatten(x.inputs));
            return {
                urn: r.urn,
                type: r.type,
                name: r.name,
                area: area.get(r.urn) ? areaOfType((area.get(r.urn) as RecordedResource).type) : "other",
                component: componentName(r),
                parentComponent: (r.parent && byUrn.get(r.parent)?.name) || componentName(r),
                ...posture(props),
                protect: r.options.protect,
                violations: violationsByUrn.get(r.urn) ?? 0,
            };
        });

    const summary = result.summary;
    const architecture = buildArchitecture(recording.resources);
    return {
        project: recording.project,
        stack: recording.stack,
        mode: recording.mode,
        generatedFrom: `offline ${recording.mode} of stack ${recording.stack} (program ${summary.program})`,
        engines,
        ...(cli ? { engineComparison: compareEngines(result.diagnostics, cli.findings) } : {}),
        pack: result.policyPack ? { name: result.policyPack.name, version: result.policyPack.version, policies: policies.length } : undefined,
        totals: {
            resources: summary.resources,
            mandatoryViolations: summary.violations.mandatory,
            advisoryViolations: summary.violations.advisory,
            unknownDuringPreview: summary.violations.unknownDuringPreview,
        },
        safeguards,
        resources: table,
        diagram: architecture.mermaid,
        architecture,
    };
}
