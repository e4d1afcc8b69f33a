/**
 * Serves a CrossGuard policy pack exactly as the Pulumi CLI does, and speaks the analyzer protocol to it:
 * - analyzer/session.ts: the pack process, its gRPC connection and the RPC sequence of a preview or update;
 * - analyzer/pack-config.ts: the `--policy-pack-config` file, reconciled and validated as the CLI does;
 * - analyzer/protocol.ts: the protocol's types and wire conversions;
 * - analyzer/in-process.ts: the SDK's own handlers without a process (bench and policy unit specs).
 */
export type {
    AnalyzerLogEntry,
    AnalyzerResourceInput,
    EnforcementLevel,
    NotApplicableResult,
    PolicyComplianceFramework,
    PolicyConfigEntry,
    PolicyDiagnostic,
    PolicyEvaluation,
    PolicyInfo,
    PolicyPackInfo,
    RemediationResult,
    Severity,
    StackContext,
} from "./analyzer/protocol";
export { PolicyPackError } from "./analyzer/protocol";
export type { PolicyPackConfigInput } from "./analyzer/pack-config";
export { loadPolicyPackConfigFile, parsePolicyPackConfig, reconcilePolicyPackConfig } from "./analyzer/pack-config";
export type { StartAnalyzerOptions } from "./analyzer/session";
export { AnalyzerSession } from "./analyzer/session";
