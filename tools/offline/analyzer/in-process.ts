/**
 * `@pulumi/policy`'s own analyzer RPC handlers (server.js `makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`,
 * `makeRemediateRpcFun`, and its `configure`/`configureStack`) driven in process: requests are the protobuf messages
 * the Pulumi engine sends, responses the ones it receives. Nothing is served over gRPC and no PolicyPack is
 * constructed, so policy lists can be compared side by side (the bench: pack vs no-op) and every policy unit spec runs
 * through the SDK's real semantics (tests/policy-pack/helpers.ts).
 *
 * `configure` and `configureStack` are module-level functions of server.js that it only hands to the gRPC server it
 * builds in `serve()`. They are captured once by letting `serve()` register its service on a grpc-js Server whose
 * `addService` records the implementation and whose `bindAsync` does nothing (no port is opened); the originals are
 * restored immediately. The config they set is server.js's own module state, read by every handler.
 */
import { createRequire } from "module";
import { Policies } from "@pulumi/policy";
import * as serverModule from "@pulumi/policy/server";
import type * as grpcTypes from "@grpc/grpc-js";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { levelToProto, toStruct } from "./protocol";

type Handler<Req, Resp = analyzerpb.AnalyzeResponse> = (call: { request: Req }, callback: (err: Error | null | undefined, resp?: Resp) => void) => void;
interface AnalyzerServer {
    makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: Policies): Handler<analyzerpb.AnalyzeRequest>;
    makeAnalyzeStackRpcFun(pack: string, version: string, level: string, policies: Policies): Handler<analyzerpb.AnalyzeStackRequest>;
    makeRemediateRpcFun(pack: string, version: string, level: string, policies: Policies): Handler<analyzerpb.AnalyzeRequest, analyzerpb.RemediateResponse>;
    serve(pack: string, version: string, level: string, args: { policies: Policies }, initialConfig: object): void;
}
// The handlers are exported by server.js but marked @internal, so its typings declare nothing.
const server = serverModule as unknown as AnalyzerServer;

interface ConfigHandlers {
    configure: Handler<analyzerpb.ConfigureAnalyzerRequest, unknown>;
    configureStack: Handler<analyzerpb.AnalyzerStackConfigureRequest, unknown>;
}
let captured: ConfigHandlers | undefined;

function configHandlers(): ConfigHandlers {
    if (!captured) {
        // The grpc-js copy server.js itself loads.
        const grpc = createRequire(require.resolve("@pulumi/policy/server"))("@grpc/grpc-js") as typeof grpcTypes;
        const proto = grpc.Server.prototype as unknown as Record<string, unknown>;
        const { addService, bindAsync } = proto;
        proto.addService = (_service: unknown, impl: ConfigHandlers) => {
            captured = { configure: impl.configure, configureStack: impl.configureStack };
        };
        proto.bindAsync = () => undefined;
        try {
            server.serve("in-process-analyzer", "0.0.0", "mandatory", { policies: [] }, {});
        } finally {
            proto.addService = addService;
            proto.bindAsync = bindAsync;
        }
        if (!captured) {
            throw new Error("@pulumi/policy's serve() registered no analyzer service; the in-process analyzer cannot configure policies");
        }
    }
    return captured;
}

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
    options?: { protect?: boolean; ignoreChanges?: string[]; aliases?: string[]; additionalSecretOutputs?: string[]; deleteBeforeReplace?: boolean };
}

function options(r: AnalyzedResource): analyzerpb.AnalyzerResourceOptions {
    const o = new analyzerpb.AnalyzerResourceOptions();
    o.setProtect(r.options?.protect ?? false);
    o.setIgnorechangesList(r.options?.ignoreChanges ?? []);
    o.setAliasesList(r.options?.aliases ?? []);
    o.setAdditionalsecretoutputsList(r.options?.additionalSecretOutputs ?? []);
    o.setDeletebeforereplace(r.options?.deleteBeforeReplace ?? false);
    o.setCustomtimeouts(new analyzerpb.AnalyzerResourceOptions.CustomTimeouts());
    if (r.parent) {
        o.setParent(r.parent);
    }
    return o;
}

function provider(p: NonNullable<AnalyzedResource["provider"]>): analyzerpb.AnalyzerProviderResource {
    const msg = new analyzerpb.AnalyzerProviderResource();
    msg.setType(p.type);
    msg.setName(p.name);
    msg.setUrn(p.urn);
    msg.setProperties(toStruct(p.props));
    return msg;
}

/** The per-resource request (`Analyze`, and `Remediate` before it), sent before each resource is created or updated. */
export function analyzeRequest(r: AnalyzedResource): analyzerpb.AnalyzeRequest {
    return describe(new analyzerpb.AnalyzeRequest(), r);
}

/** The fields an `AnalyzeRequest` and an `AnalyzerResource` share, set the same way on either. */
function describe<M extends analyzerpb.AnalyzeRequest | analyzerpb.AnalyzerResource>(msg: M, r: AnalyzedResource): M {
    msg.setType(r.type);
    msg.setName(r.name);
    msg.setUrn(r.urn);
    msg.setProperties(toStruct(r.props));
    msg.setOptions(options(r));
    if (r.provider) {
        msg.setProvider(provider(r.provider));
    }
    return msg;
}

/** The whole-stack request (`AnalyzeStack`), sent once at the end of a preview or update. */
export function analyzeStackRequest(resources: readonly AnalyzedResource[]): analyzerpb.AnalyzeStackRequest {
    const req = new analyzerpb.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const msg = describe(new analyzerpb.AnalyzerResource(), r);
            if (r.parent) {
                msg.setParent(r.parent);
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


/** Per policy: its enforcement level and config properties, as the engine's Configure call carries them. */
export type PolicyConfigs = Record<string, { enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled"; properties?: Record<string, unknown> }>;

export interface Analyzer {
    analyze(req: analyzerpb.AnalyzeRequest): Promise<analyzerpb.AnalyzeResponse>;
    analyzeStack(req: analyzerpb.AnalyzeStackRequest): Promise<analyzerpb.AnalyzeResponse>;
    /** Runs the policies whose level is `remediate` (the engine calls this before Analyze). */
    remediate(req: analyzerpb.AnalyzeRequest): Promise<analyzerpb.RemediateResponse>;
    /** The engine's Configure call: replaces the config of every policy (server.js keeps one config per process). */
    configure(config: PolicyConfigs): Promise<void>;
    /** The engine's ConfigureStack call: the stack tags policies see. */
    configureStack(tags: Record<string, string>): Promise<void>;
}

function call<Req, Resp>(fn: Handler<Req, Resp>): (request: Req) => Promise<Resp> {
    return (request) => new Promise<Resp>((resolve, reject) => fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp as Resp))));
}

/** The SDK's analyzer handlers for a policy list, as promises. */
export function analyzerFor(policies: Policies, packName = "healthcare-data-guardrails", version = "0.1.0"): Analyzer {
    return {
        analyze: call(server.makeAnalyzeRpcFun(packName, version, "mandatory", policies)),
        analyzeStack: call(server.makeAnalyzeStackRpcFun(packName, version, "mandatory", policies)),
        remediate: call(server.makeRemediateRpcFun(packName, version, "mandatory", policies)),
        configure: async (config) => {
            const req = new analyzerpb.ConfigureAnalyzerRequest();
            const map = req.getPolicyconfigMap();
            for (const [name, entry] of Object.entries(config)) {
                const pc = new analyzerpb.PolicyConfig();
                pc.setEnforcementlevel(levelToProto(entry.enforcementLevel));
                pc.setProperties(toStruct(entry.properties ?? {}));
                map.set(name, pc);
            }
            await call(configHandlers().configure)(req);
        },
        configureStack: async (tags) => {
            const req = new analyzerpb.AnalyzerStackConfigureRequest();
            const map = req.getTagsMap();
            for (const [k, v] of Object.entries(tags)) {
                map.set(k, v);
            }
            await call(configHandlers().configureStack)(req);
        },
    };
}

/** Diagnostics of a response as plain objects. */
export function diagnostics(resp: analyzerpb.AnalyzeResponse): { policyName: string; message: string; enforcementLevel: number; urn: string }[] {
    return resp.getDiagnosticsList().map((d) => ({ policyName: d.getPolicyname(), message: d.getMessage(), enforcementLevel: d.getEnforcementlevel(), urn: d.getUrn() }));
}
