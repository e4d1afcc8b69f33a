/**
 * The analyzer protocol's vocabulary, shared by the pack session (session.ts), the policy-pack config (pack-config.ts)
 * and the in-process SDK handlers (in-process.ts): what GetAnalyzerInfo, Analyze, AnalyzeStack and Remediate carry,
 * and the conversions between the engine's wire form and the protobuf messages.
 */
import { createRequire } from "module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import type { WireProperties } from "../recorder";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../wire";

// The generated clients check messages with `instanceof` against their own copies of grpc-js and
// google-protobuf; load those exact copies rather than whatever a bare import would resolve to.
const protoRequire = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb"));
export const grpc = protoRequire("@grpc/grpc-js") as typeof grpcTypes;
const { Struct } = protoRequire("google-protobuf/google/protobuf/struct_pb.js") as typeof structTypes;
export const { Empty } = protoRequire("google-protobuf/google/protobuf/empty_pb.js") as typeof emptyTypes;

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type Severity = "low" | "medium" | "high" | "critical";
export type JSONSchema = Record<string, unknown>;

export const ENFORCEMENT_LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface PolicyComplianceFramework {
    name?: string;
    version?: string;
    /** Section of the framework, e.g. `164.312(a)(2)(iv)`. */
    reference?: string;
    specification?: string;
}

/** One policy as GetAnalyzerInfo describes it. */
export interface PolicyInfo {
    name: string;
    displayName?: string;
    description: string;
    message?: string;
    enforcementLevel: EnforcementLevel;
    policyType: "resource" | "stack" | "unknown";
    severity?: Severity;
    framework?: PolicyComplianceFramework;
    tags: string[];
    remediationSteps?: string;
    url?: string;
    configSchema?: { properties: Record<string, JSONSchema>; required: string[] };
}

export interface PolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}

/** The pack as GetAnalyzerInfo and GetPluginInfo describe it. */
export interface PolicyPackInfo {
    name: string;
    displayName?: string;
    /** PulumiPolicy.yaml's `version` wins over the pack's, as in the CLI. */
    version: string;
    supportsConfig: boolean;
    description?: string;
    policies: PolicyInfo[];
    initialConfig: Record<string, PolicyConfigEntry>;
    pluginVersion?: string;
    dir: string;
}

/** A violation as the CLI reports it, enriched with the policy's metadata. */
export interface PolicyDiagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    description: string;
    /** The resource; empty for stack-level findings that name none. */
    urn?: string;
    resourceType?: string;
    severity?: Severity;
    framework?: PolicyComplianceFramework;
    remediationSteps?: string;
    url?: string;
    policyType: PolicyInfo["policyType"];
    /** Which RPC produced it. */
    source: "analyze" | "analyze-stack" | "remediate";
    /** The policy could not run because a value it read is unknown during preview. */
    unknownDuringPreview: boolean;
}

export interface NotApplicableResult {
    policyName: string;
    reason: string;
    urn?: string;
    source: "analyze" | "analyze-stack" | "remediate";
}

export interface RemediationResult {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    urn: string;
    resourceType: string;
    /** Properties before and after, in wire form. */
    before: WireProperties;
    after: WireProperties;
    /** Top-level keys the remediation added, removed or changed. */
    changed: string[];
}

export interface AnalyzerLogEntry {
    source: "engine" | "stdout" | "stderr";
    severity: "debug" | "info" | "warning" | "error";
    message: string;
    urn?: string;
}

/** What the engine knows of a resource when it analyzes it. */
export interface AnalyzerResourceInput {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** Checked inputs, sent to Remediate and Analyze. */
    inputs: WireProperties;
    /** State sent to AnalyzeStack: outputs after `up`, the planned state (unknown computed outputs) in a preview. */
    state: WireProperties;
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Provider reference `<provider urn>::<provider id>`. */
    provider?: string;
    options: {
        protect: boolean;
        ignoreChanges: string[];
        deleteBeforeReplace: boolean;
        deleteBeforeReplaceDefined?: boolean;
        additionalSecretOutputs: string[];
        aliases: string[];
        customTimeouts?: { create?: string; update?: string; delete?: string };
    };
}

export interface PolicyEvaluation {
    diagnostics: PolicyDiagnostic[];
    notApplicable: NotApplicableResult[];
    remediations: RemediationResult[];
    /** Inputs after remediation, by URN (only resources a remediation changed). */
    remediatedInputs: Record<string, WireProperties>;
    /** Size of the AnalyzeStack reply on the wire, in bytes (gRPC refuses replies above its 4 MiB default). */
    stackReplyBytes: number;
}

export interface StackContext {
    stack: string;
    project: string;
    organization?: string;
    dryRun: boolean;
    /** Fully qualified stack config, as the CLI passes it. */
    config?: Record<string, string>;
    secretKeys?: string[];
    tags?: Record<string, string>;
}

export class PolicyPackError extends Error {
    constructor(
        message: string,
        readonly kind: "start" | "config" | "rpc",
    ) {
        super(message);
        this.name = "PolicyPackError";
    }
}

export const MAX_MESSAGE = 400 * 1024 * 1024;
export const GRPC_UNIMPLEMENTED = 12;

/** The engine's enforcement levels and their wire values, in one table both directions read. */
const LEVEL_WIRE: readonly (readonly [EnforcementLevel, analyzerProto.EnforcementLevel])[] = [
    ["advisory", analyzerProto.EnforcementLevel.ADVISORY],
    ["mandatory", analyzerProto.EnforcementLevel.MANDATORY],
    ["remediate", analyzerProto.EnforcementLevel.REMEDIATE],
    ["disabled", analyzerProto.EnforcementLevel.DISABLED],
];

/** A wire level as the engine names it; anything unknown is advisory, as the CLI treats it. */
export function levelFromProto(el: analyzerProto.EnforcementLevel): EnforcementLevel {
    return LEVEL_WIRE.find(([, wire]) => wire === el)?.[0] ?? "advisory";
}

export function levelToProto(el: EnforcementLevel): analyzerProto.EnforcementLevel {
    return LEVEL_WIRE.find(([name]) => name === el)?.[1] ?? analyzerProto.EnforcementLevel.ADVISORY;
}

export function severityFromProto(s: analyzerProto.PolicySeverity): Severity | undefined {
    switch (s) {
        case analyzerProto.PolicySeverity.POLICY_SEVERITY_LOW:
            return "low";
        case analyzerProto.PolicySeverity.POLICY_SEVERITY_MEDIUM:
            return "medium";
        case analyzerProto.PolicySeverity.POLICY_SEVERITY_HIGH:
            return "high";
        case analyzerProto.PolicySeverity.POLICY_SEVERITY_CRITICAL:
            return "critical";
        default:
            return undefined;
    }
}

export function isObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}


// ------------------------------------------------------------------------------------------------
// Wire helpers
// ------------------------------------------------------------------------------------------------

/** The engine strips internal keys (`__defaults`, `__meta`) before analysis. */
export function skipInternalKeys(props: WireProperties): WireProperties {
    return Object.fromEntries(Object.entries(props).filter(([k]) => !k.startsWith("__")));
}

export function toStruct(props: WireProperties | Record<string, unknown>): structTypes.Struct {
    // JSON round trip drops `undefined`, which Struct cannot encode.
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(props ?? {})));
}

/** Go duration strings (`5m`, `1h30m`, `90s`) to seconds, as the engine sends custom timeouts. */
export function durationSeconds(value: string | undefined): number {
    if (!value) {
        return 0;
    }
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, "µs": 0.000001, ns: 1e-9 };
    let total = 0;
    const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(value)) !== null) {
        total += parseFloat(m[1]) * units[m[2]];
    }
    return total;
}

export function resourceOptions(r: AnalyzerResourceInput): analyzerProto.AnalyzerResourceOptions {
    const o = new analyzerProto.AnalyzerResourceOptions();
    o.setProtect(r.options.protect);
    o.setIgnorechangesList(r.options.ignoreChanges);
    o.setDeletebeforereplace(r.options.deleteBeforeReplace);
    o.setDeletebeforereplacedefined(r.options.deleteBeforeReplaceDefined ?? r.options.deleteBeforeReplace);
    o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
    o.setAliasesList(r.options.aliases);
    const t = new analyzerProto.AnalyzerResourceOptions.CustomTimeouts();
    t.setCreate(durationSeconds(r.options.customTimeouts?.create));
    t.setUpdate(durationSeconds(r.options.customTimeouts?.update));
    t.setDelete(durationSeconds(r.options.customTimeouts?.delete));
    o.setCustomtimeouts(t);
    if (r.parent) {
        o.setParent(r.parent);
    }
    return o;
}

/** Splits a provider reference `<urn>::<id>` (URNs themselves contain `::`). */
export function providerUrn(ref: string | undefined): string | undefined {
    if (!ref) {
        return undefined;
    }
    const i = ref.lastIndexOf("::");
    return i > 0 ? ref.slice(0, i) : ref;
}

export function changedKeys(before: WireProperties, after: WireProperties): string[] {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

export function isUnknownMessage(message: string): boolean {
    return /^can't run (policy|remediation) '.*' from policy pack '.*' during preview/.test(message);
}

/** Wraps the values of `keys` as secrets, as the engine marks additional secret outputs. */
export function markSecret(props: WireProperties, keys: string[]): WireProperties {
    if (keys.length === 0) {
        return props;
    }
    const out = { ...props };
    for (const k of keys) {
        const v = out[k];
        if (v !== undefined && v !== UNKNOWN && !(isObject(v) && v[SIG_KEY] === SECRET_SIG)) {
            out[k] = { [SIG_KEY]: SECRET_SIG, value: v };
        }
    }
    return out;
}
