/**
 * The bench drives `@pulumi/policy`'s own analyzer handlers in process; the driver lives with the rest of the analyzer
 * protocol (tools/offline/analyzer/in-process.ts), where the policy unit specs use it too.
 */
export { AnalyzedResource, Analyzer, analyzeRequest, analyzerFor, analyzeStackRequest, diagnostics } from "../offline/analyzer/in-process";
