/**
 * Serves a provider written against `@pulumi/pulumi/provider` to the real engine, with the protocol features a
 * bridged provider (pulumi-aws) has and the SDK's generic server leaves out.
 *
 * `provider.main` answers CheckConfig/DiffConfig with UNIMPLEMENTED, never tells the engine it supports previews
 * (so Create/Update are not called in a preview and computed outputs cannot be planned), and drops the
 * `preview` flag, the old inputs of Diff/Update and the inputs of Read. The engine would still run, but not like
 * it runs pulumi-aws: a preview of an update would lose every computed output, a removed input would not show
 * as a change, and refresh could not report drifted inputs. So the service implementation `main` registers is
 * extended here, method by method, with the richer signatures of {@link EngineProvider}; every other RPC
 * (GetPluginInfo, Construct, Invoke, Cancel...) stays the SDK's own.
 */
import * as grpc from "@grpc/grpc-js";
import * as provider from "@pulumi/pulumi/provider";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import type { PropertyMap } from "./values";

/** What Configure receives: stack config as `pkg:key` strings and the provider resource's inputs. */
export interface ConfigureRequest {
    variables: Record<string, string>;
    args: PropertyMap;
}

/** A diff with the changed top-level properties named (the engine shows them; `pulumi preview --diff`). */
export interface EngineDiffResult extends provider.DiffResult {
    readonly diffs?: string[];
}

/** A `@pulumi/pulumi/provider` Provider whose methods may take the extra arguments the engine sends. */
export interface EngineProvider extends provider.Provider {
    configure?: (req: ConfigureRequest) => Promise<void>;
    checkConfig?: (urn: string, olds: PropertyMap, news: PropertyMap) => Promise<provider.CheckResult>;
    diffConfig?: (urn: string, olds: PropertyMap, news: PropertyMap) => Promise<EngineDiffResult>;
    create?: (urn: string, inputs: PropertyMap, preview?: boolean) => Promise<provider.CreateResult>;
    diff?: (id: string, urn: string, olds: PropertyMap, news: PropertyMap, oldInputs?: PropertyMap) => Promise<EngineDiffResult>;
    update?: (id: string, urn: string, olds: PropertyMap, news: PropertyMap, preview?: boolean, oldInputs?: PropertyMap) => Promise<provider.UpdateResult>;
    read?: (id: string, urn: string, props?: PropertyMap, inputs?: PropertyMap) => Promise<provider.ReadResult>;
}

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;
type Call<Req> = { request: Req };

/** A struct for the wire: JSON round-trip drops `undefined`, which `Struct.fromJavaScript` rejects. */
function toStruct(value: unknown): structproto.Struct {
    return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})));
}

function fromStruct(struct: structproto.Struct | undefined): PropertyMap {
    return (struct?.toJavaScript() ?? {}) as PropertyMap;
}

function rpcError(e: unknown): grpc.ServiceError {
    const message = e instanceof Error ? e.message : String(e);
    return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata: new grpc.Metadata() });
}

function failuresOf(failures: readonly provider.CheckFailure[] | undefined): provproto.CheckFailure[] {
    return (failures ?? []).map((f) => {
        const failure = new provproto.CheckFailure();
        failure.setProperty(f.property);
        failure.setReason(f.reason);
        return failure;
    });
}

function diffResponse(result: EngineDiffResult): provproto.DiffResponse {
    const resp = new provproto.DiffResponse();
    resp.setChanges(
        result.changes === true
            ? provproto.DiffResponse.DiffChanges.DIFF_SOME
            : result.changes === false
              ? provproto.DiffResponse.DiffChanges.DIFF_NONE
              : provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN,
    );
    resp.setReplacesList([...(result.replaces ?? [])]);
    resp.setStablesList([...(result.stables ?? [])]);
    resp.setDiffsList([...(result.diffs ?? [])]);
    resp.setDeletebeforereplace(result.deleteBeforeReplace ?? false);
    return resp;
}

function handle<Req, Resp>(body: (req: Req) => Promise<Resp>) {
    return (call: Call<Req>, callback: Callback<Resp>) => {
        body(call.request).then(
            (resp) => callback(null, resp),
            (e: unknown) => callback(rpcError(e)),
        );
    };
}

/** The RPC handlers that replace the SDK's for {@link EngineProvider} (exported for the specs). */
export function engineHandlers(p: EngineProvider): Record<string, unknown> {
    return {
        configure: handle(async (req: provproto.ConfigureRequest) => {
            const variables: Record<string, string> = {};
            req.getVariablesMap().forEach((v: string, k: string) => {
                variables[k] = v;
            });
            await p.configure?.({ variables, args: fromStruct(req.getArgs()) });
            const resp = new provproto.ConfigureResponse();
            resp.setAcceptsecrets(true);
            resp.setAcceptresources(true);
            resp.setAcceptoutputs(true);
            resp.setSupportspreview(true);
            return resp;
        }),
        checkConfig: handle(async (req: provproto.CheckRequest) => {
            const news = fromStruct(req.getNews());
            const result = p.checkConfig ? await p.checkConfig(req.getUrn(), fromStruct(req.getOlds()), news) : { inputs: news };
            const resp = new provproto.CheckResponse();
            resp.setInputs(toStruct(result.inputs ?? news));
            resp.setFailuresList(failuresOf(result.failures));
            return resp;
        }),
        diffConfig: handle(async (req: provproto.DiffRequest) => {
            const result = p.diffConfig ? await p.diffConfig(req.getUrn(), fromStruct(req.getOlds()), fromStruct(req.getNews())) : {};
            return diffResponse(result);
        }),
        check: handle(async (req: provproto.CheckRequest) => {
            const news = fromStruct(req.getNews());
            const result = p.check ? await p.check(req.getUrn(), fromStruct(req.getOlds()), news) : { inputs: news };
            const resp = new provproto.CheckResponse();
            resp.setInputs(toStruct(result.inputs ?? news));
            resp.setFailuresList(failuresOf(result.failures));
            return resp;
        }),
        diff: handle(async (req: provproto.DiffRequest) => {
            const oldInputs = req.hasOldInputs() ? fromStruct(req.getOldInputs()) : undefined;
            const result = p.diff ? await p.diff(req.getId(), req.getUrn(), fromStruct(req.getOlds()), fromStruct(req.getNews()), oldInputs) : {};
            return diffResponse(result);
        }),
        create: handle(async (req: provproto.CreateRequest) => {
            if (!p.create) {
                throw new Error(`unknown resource type ${req.getUrn()}`);
            }
            const result = await p.create(req.getUrn(), fromStruct(req.getProperties()), req.getPreview());
            const resp = new provproto.CreateResponse();
            resp.setId(result.id);
            resp.setProperties(toStruct(result.outs));
            return resp;
        }),
        update: handle(async (req: provproto.UpdateRequest) => {
            const oldInputs = req.hasOldInputs() ? fromStruct(req.getOldInputs()) : undefined;
            const result = p.update
                ? await p.update(req.getId(), req.getUrn(), fromStruct(req.getOlds()), fromStruct(req.getNews()), req.getPreview(), oldInputs)
                : { outs: fromStruct(req.getNews()) };
            const resp = new provproto.UpdateResponse();
            resp.setProperties(toStruct(result.outs));
            return resp;
        }),
        read: handle(async (req: provproto.ReadRequest) => {
            const resp = new provproto.ReadResponse();
            const props = fromStruct(req.getProperties());
            if (!p.read) {
                resp.setId(req.getId());
                resp.setProperties(toStruct(props));
                return resp;
            }
            const inputs = req.hasInputs() ? fromStruct(req.getInputs()) : undefined;
            const result = await p.read(req.getId(), req.getUrn(), props, inputs);
            resp.setId(result.id ?? "");
            resp.setProperties(toStruct(result.props));
            if (result.inputs !== undefined) {
                resp.setInputs(toStruct(result.inputs));
            }
            return resp;
        }),
    };
}

/**
 * Starts the plugin: `provider.main` with the extended handlers. The engine launches the plugin with its own
 * address as the argument and reads the port the plugin prints.
 */
export async function serve(p: EngineProvider, args: string[]): Promise<void> {
    const serverProto = grpc.Server.prototype as unknown as {
        addService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void;
    };
    const original = serverProto.addService;
    serverProto.addService = function (this: grpc.Server, service, implementation) {
        if (service === (provrpc.ResourceProviderService as unknown as grpc.ServiceDefinition)) {
            // Keep the SDK's handlers (they live on its Server instance) and override the ones above.
            implementation = Object.assign(Object.create(implementation) as grpc.UntypedServiceImplementation, engineHandlers(p));
        }
        return original.call(this, service, implementation);
    };
    try {
        await provider.main(p, args);
    } finally {
        serverProto.addService = original;
    }
}
