/**
 * Drives `@pulumi/policy`'s own analyzer RPC handlers (server.js `makeAnalyzeRpcFun` / `makeAnalyzeStackRpcFun`) in
 * process: requests are the protobuf messages the Pulumi engine sends, responses the ones it receives. Nothing is
 * served over gRPC and no PolicyPack is constructed, so policy lists can be compared side by side (pack vs no-op).
 */
import { Policies } from "@pulumi/policy";
import * as serverModule from "@pulumi/policy/server";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

type Handler<Req, Resp = analyzerpb.AnalyzeResponse> = (call: { request: Req }, callback: (err: Error | undefined, resp?: Resp) => void) => void;
interface AnalyzerServer {
    makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: Policies): Handler<analyzerpb.AnalyzeRequest>;
    makeAnalyzeStackRpcFun(pack: string, version: string, level: string, policies: Policies): Handler<analyzerpb.AnalyzeStackRequest>;
    makeRemediateRpcFun(pack: string, version: string, level: string, policies: Policies): Handler<analyzerpb.AnalyzeRequest, analyzerpb.RemediateResponse>;
}
// The handlers are exported by server.js but marked @internal, so its typings declare nothing.
const server = serverModule as unknown as AnalyzerServer;

/** A resource as the engine describes it to an analyzer. References are URNs. */
export interface AnalyzedResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    parent?: string;
    provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

function options(): analyzerpb.AnalyzerResourceOptions {
    const o = new analyzerpb.AnalyzerResourceOptions();
    o.setProtect(false);
    return o;
}

function provider(p: NonNullable<AnalyzedResource["provider"]>): analyzerpb.AnalyzerProviderResource {
    const msg = new analyzerpb.AnalyzerProviderResource();
    msg.setType(p.type);
    msg.setName(p.name);
    msg.setUrn(p.urn);
    msg.setProperties(Struct.fromJavaScript(p.props as Parameters<typeof Struct.fromJavaScript>[0]));
    return msg;
}

/** The per-resource request (`Analyze`), sent before each resource is created or updated. */
export function analyzeRequest(r: AnalyzedResource): analyzerpb.AnalyzeRequest {
    const req = new analyzerpb.AnalyzeRequest();
    req.setType(r.type);
    req.setName(r.name);
    req.setUrn(r.urn);
    req.setProperties(Struct.fromJavaScript(r.props as Parameters<typeof Struct.fromJavaScript>[0]));
    req.setOptions(options());
    if (r.provider) {
        req.setProvider(provider(r.provider));
    }
    return req;
}

/** The whole-stack request (`AnalyzeStack`), sent once at the end of a preview or update. */
export function analyzeStackRequest(resources: readonly AnalyzedResource[]): analyzerpb.AnalyzeStackRequest {
    const req = new analyzerpb.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const msg = new analyzerpb.AnalyzerResource();
            msg.setType(r.type);
            msg.setName(r.name);
            msg.setUrn(r.urn);
            msg.setProperties(Struct.fromJavaScript(r.props as Parameters<typeof Struct.fromJavaScript>[0]));
            msg.setOptions(options());
            if (r.parent) {
                msg.setParent(r.parent);
            }
            if (r.provider) {
                msg.setProvider(provider(r.provider));
            }
            msg.setDependenciesList(r.dependencies ?? []);
            const deps = msg.getPropertydependenciesMap();
            for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const d = new analyzerpb.AnalyzerPropertyDependencies();
                d.setUrnsList(urns);
                deps.set(key, d);
            }
            return msg;
        }),
    );
    return req;
}

export interface Analyzer {
    analyze(req: analyzerpb.AnalyzeRequest): Promise<analyzerpb.AnalyzeResponse>;
    analyzeStack(req: analyzerpb.AnalyzeStackRequest): Promise<analyzerpb.AnalyzeResponse>;
    /** Runs the policies whose level is `remediate` (the engine calls this before Analyze). */
    remediate(req: analyzerpb.AnalyzeRequest): Promise<analyzerpb.RemediateResponse>;
}

/** The SDK's analyzer handlers for a policy list, as promises. */
export function analyzerFor(policies: Policies, packName = "healthcare-data-guardrails", version = "0.1.0"): Analyzer {
    const analyze = server.makeAnalyzeRpcFun(packName, version, "mandatory", policies);
    const analyzeStack = server.makeAnalyzeStackRpcFun(packName, version, "mandatory", policies);
    const remediate = server.makeRemediateRpcFun(packName, version, "mandatory", policies);
    const call =
        <Req, Resp>(fn: Handler<Req, Resp>) =>
        (request: Req) =>
            new Promise<Resp>((resolve, reject) => fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp!))));
    return { analyze: call(analyze), analyzeStack: call(analyzeStack), remediate: call(remediate) };
}

/** Diagnostics of a response as plain objects. */
export function diagnostics(resp: analyzerpb.AnalyzeResponse): { policyName: string; message: string; enforcementLevel: number; urn: string }[] {
    return resp.getDiagnosticsList().map((d) => ({ policyName: d.getPolicyname(), message: d.getMessage(), enforcementLevel: d.getEnforcementlevel(), urn: d.getUrn() }));
}
