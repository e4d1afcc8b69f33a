/**
 * In-process recording of a Pulumi program under `@pulumi/pulumi`'s mock runtime.
 *
 * The Pulumi CLI hands every registration to its engine over the resource-monitor protocol. Here a
 * {@link RecordingMonitor} stands in for that engine: it sees the same `RegisterResourceRequest`s the
 * real engine would (inputs in wire form, parent, provider, dependencies, property dependencies and
 * resource options), records them, and answers with outputs from {@link OfflineMocks}. Preview mode
 * leaves computed outputs unknown, exactly as `pulumi preview` does for resources that do not exist yet.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { OfflineMocks, MockContext, DEFAULT_CONTEXT } from "./mocks";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "./wire";

/** `preview` leaves computed outputs unknown; `up` returns deterministic, realistic ids and ARNs. */
export type Mode = "preview" | "up";

/** Wire-form property bag: secrets keep the `4dabf18193072939515e22adb298388d` signature, unknowns the sentinel. */
export type WireProperties = Record<string, unknown>;

/** Resource options the engine acts on, as the program sent them. */
export interface RecordedOptions {
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    /** Whether the program set `deleteBeforeReplace` at all (the analyzer protocol distinguishes unset from false). */
    deleteBeforeReplaceDefined?: boolean;
    replaceOnChanges: string[];
    aliases: string[];
    additionalSecretOutputs: string[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
    deletedWith?: string;
    importId?: string;
}

/** One registration as the engine received it. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN; every resource but the stack has one. */
    parent?: string;
    /** Provider reference (`<provider urn>::<provider id>`) for custom resources, if one was given or inherited. */
    provider?: string;
    custom: boolean;
    /** Remote (multi-language) component, such as `awsx:ec2:Vpc`. */
    remote: boolean;
    /** Physical id; `undefined` in preview mode for new resources (unknown to the engine until created). */
    id?: string;
    /** Inputs as sent by the program (wire form). */
    inputs: WireProperties;
    /** Outputs as returned to the program (wire form); for components, what `registerOutputs` set. */
    outputs: WireProperties;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    options: RecordedOptions;
}

/** One provider function call. */
export interface RecordedInvoke {
    token: string;
    args: Record<string, unknown>;
    provider?: string;
}

export interface Recording {
    project: string;
    stack: string;
    organization: string;
    mode: Mode;
    resources: RecordedResource[];
    invokes: RecordedInvoke[];
    /** Stack outputs in plain form (unknowns as `undefined`), as `pulumi stack output` would show after `up`. */
    stackOutputs: Record<string, unknown>;
}

export interface RecordOptions {
    mode: Mode;
    project?: string;
    stack?: string;
    organization?: string;
    /** Fully qualified config (`project:key` / `aws:region`) to string values, as the CLI passes it. */
    config?: Record<string, string>;
    /** Fully qualified keys of `config` that are secrets. */
    secretKeys?: string[];
    /** Account, region and partition the mocks answer with. */
    context?: Partial<MockContext>;
}

type Callback<T> = (err: Error | null, resp?: T) => void;
// The mock monitor speaks in generated protobuf message classes; only the accessors used are typed here.
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getRemote(): boolean;
    getProvider(): string;
    getObject(): { toJavaScript(): WireProperties } | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
    getDeletebeforereplacedefined(): boolean;
    getReplaceonchangesList(): string[];
    getAliasesList(): { getUrn(): string; getSpec(): { getName(): string } | undefined }[];
    getAliasurnsList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getDeletedwith(): string;
    getImportid(): string;
}
interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): { toJavaScript(): WireProperties } | undefined;
}
interface OutputsRequest {
    getUrn(): string;
    getOutputs(): { toJavaScript(): WireProperties } | undefined;
}
interface InvokeRequest {
    getTok(): string;
    getArgs(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProvider(): string;
}

/** A mock monitor that records each request before answering it like the base mock monitor. */
export class RecordingMonitor extends MockMonitor {
    readonly recorded: RecordedResource[] = [];
    readonly recordedInvokes: RecordedInvoke[] = [];
    private readonly byUrn = new Map<string, RecordedResource>();

    constructor(mocks: OfflineMocks) {
        super(mocks);
        // The base mock monitor prefixes only the parent's last type segment and keeps the root stack's type;
        // the engine prefixes the parent's full qualified type and leaves the stack out
        // (`urn:pulumi:dev::proj::toy:Vault$aws:s3/bucket:Bucket::b`), and URNs are what policies and reports show.
        (this as unknown as { newUrn: (parent: string, type: string, name: string) => string }).newUrn = engineUrn;
    }

    async registerResource(req: RegisterRequest, callback: Callback<RegisterResponse>): Promise<void> {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v, k) => {
            propertyDependencies[k] = v.getUrnsList();
        });
        const timeouts = req.getCustomtimeouts();
        const partial: Omit<RecordedResource, "urn" | "outputs" | "id"> = {
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() || undefined,
            provider: req.getProvider() || undefined,
            custom: req.getCustom(),
            remote: req.getRemote(),
            inputs: req.getObject()?.toJavaScript() ?? {},
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            options: {
                protect: req.getProtect(),
                retainOnDelete: req.getRetainondelete(),
                ignoreChanges: req.getIgnorechangesList(),
                deleteBeforeReplace: req.getDeletebeforereplace(),
                deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined(),
                replaceOnChanges: req.getReplaceonchangesList(),
                aliases: [...req.getAliasurnsList(), ...req.getAliasesList().map((a) => a.getUrn() || a.getSpec()?.getName() || "")].filter((a) => a),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                customTimeouts: timeouts
                    ? { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined }
                    : undefined,
                deletedWith: req.getDeletedwith() || undefined,
                importId: req.getImportid() || undefined,
            },
        };
        await super.registerResource(req, (err, resp) => {
            if (!err && resp) {
                const rec: RecordedResource = {
                    ...partial,
                    urn: resp.getUrn(),
                    id: resp.getId() || undefined,
                    outputs: resp.getObject()?.toJavaScript() ?? {},
                };
                this.recorded.push(rec);
                this.byUrn.set(rec.urn, rec);
            }
            callback(err, resp);
        });
    }

    registerResourceOutputs(req: OutputsRequest, callback: Callback<object>): void {
        const rec = this.byUrn.get(req.getUrn());
        if (rec) {
            rec.outputs = req.getOutputs()?.toJavaScript() ?? {};
        }
        super.registerResourceOutputs(req, callback);
    }

    async invoke(req: InvokeRequest, callback: Callback<unknown>): Promise<void> {
        this.recordedInvokes.push({ token: req.getTok(), args: req.getArgs()?.toJavaScript() ?? {}, provider: req.getProvider() || undefined });
        await super.invoke(req, callback);
    }
}

/** A URN as the Pulumi engine builds it (see `RecordingMonitor`). */
export function engineUrn(parent: string, type: string, name: string): string {
    let qualifiedType = type;
    if (parent) {
        const parentType = parent.split("::")[2];
        if (parentType !== "pulumi:pulumi:Stack") {
            qualifiedType = `${parentType}$${type}`;
        }
    }
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualifiedType}::${name}`;
}

// Only one program can run at a time: @pulumi/pulumi keeps its runtime settings in process-wide state.
let running: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` as a Pulumi stack under the recording monitor and returns what the engine saw.
 * The program's own exception (for example a config validation error) is rethrown unchanged.
 */
export function recordProgram(
    program: () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void,
    options: RecordOptions,
): Promise<Recording> {
    const run = running.then(() => recordOnce(program, options));
    running = run.catch(() => undefined);
    return run;
}

async function recordOnce(
    program: () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void,
    options: RecordOptions,
): Promise<Recording> {
    const project = options.project ?? "healthcare-data-platform";
    const stack = options.stack ?? "dev";
    const organization = options.organization ?? "organization";
    const context: MockContext = { ...DEFAULT_CONTEXT, ...options.context };
    const mocks = new OfflineMocks(options.mode, context);
    const monitor = new RecordingMonitor(mocks);

    pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
    // setMocks configures the feature flags the SDK negotiates with a real engine; the monitor is then swapped
    // for the recording one with the same settings.
    await pulumi.runtime.setMocks(mocks, project, stack, options.mode === "preview", organization);
    const settings = await import("@pulumi/pulumi/runtime/settings");
    settings.setMockOptions(monitor, project, stack, options.mode === "preview", organization);

    let failure: unknown;
    let outputs: Record<string, unknown> = {};
    try {
        const result = await pulumi.runtime.runInPulumiStack(async () => (await program()) ?? undefined);
        outputs = (result as Record<string, unknown> | undefined) ?? {};
    } catch (err) {
        failure = err;
    }
    // Registrations still in flight (for example children created after an await) finish before the record is read.
    // `waitForRPCs` is internal to the SDK (absent from its typings) but is what `pulumi up` awaits too.
    const internal = settings as unknown as { waitForRPCs(): Promise<void> };
    await internal.waitForRPCs().catch((err: unknown) => {
        failure = failure ?? err;
    });
    if (failure !== undefined) {
        throw failure;
    }
    // In a preview the stack's output promise resolves to nothing as soon as one output is unknown; the
    // registered stack outputs still hold every known value, as `pulumi preview` shows them.
    const stackResource = monitor.recorded.find((r) => r.type === "pulumi:pulumi:Stack" && !r.parent);
    if (stackResource && Object.keys(outputs).length === 0) {
        outputs = plainValue(stackResource.outputs) as Record<string, unknown>;
    }
    return {
        project,
        stack,
        organization,
        mode: options.mode,
        resources: monitor.recorded,
        invokes: monitor.recordedInvokes,
        stackOutputs: outputs,
    };
}


/** Wire form to plain values: unknowns become `undefined`, secrets their value. */
export function plainValue(value: unknown): unknown {
    if (value === UNKNOWN) {
        return undefined;
    }
    if (Array.isArray(value)) {
        return value.map(plainValue);
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) {
            return plainValue(obj.value);
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
            const plain = plainValue(v);
            if (plain !== undefined) {
                out[k] = plain;
            }
        }
        return out;
    }
    return value;
}
