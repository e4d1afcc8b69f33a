/**
 * Serves a CrossGuard policy pack exactly as the Pulumi CLI does, and speaks the analyzer protocol to it.
 *
 * The CLI starts a Node.js pack through its `pulumi-analyzer-policy` plugin, which runs
 * `@pulumi/pulumi/cmd/run-policy-pack <engine-address> . -<runtime option>=<value>...` with the pack folder
 * as working directory and the stack's config in `PULUMI_CONFIG`. `run-policy-pack` compiles the pack with
 * ts-node (type-checked), the pack's `new PolicyPack(...)` starts `@pulumi/policy`'s gRPC server, and the
 * server prints the port it listens on as the first line of stdout. The engine then calls, in order:
 * Handshake (optional), ConfigureStack, GetPluginInfo, GetAnalyzerInfo, Configure (with the
 * `--policy-pack-config` file reconciled against the policies' schemas and defaults), then for every resource
 * Remediate and Analyze on its inputs, and finally AnalyzeStack over every resource's state.
 *
 * This module does all of that, so a pack that passes here has had its constructor, name, version, config
 * schema and every policy exercised the way `pulumi preview --policy-pack` exercises them.
 */
import * as cp from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import type { WireProperties } from "../recorder";
import { reconcilePolicyPackConfig } from "./pack-config";
import {
    AnalyzerLogEntry,
    AnalyzerResourceInput,
    changedKeys,
    Empty,
    JSONSchema,
    GRPC_UNIMPLEMENTED,
    grpc,
    isObject,
    isUnknownMessage,
    levelFromProto,
    levelToProto,
    markSecret,
    MAX_MESSAGE,
    NotApplicableResult,
    PolicyConfigEntry,
    PolicyDiagnostic,
    PolicyEvaluation,
    PolicyInfo,
    PolicyPackError,
    PolicyPackInfo,
    providerUrn,
    RemediationResult,
    resourceOptions,
    severityFromProto,
    skipInternalKeys,
    StackContext,
    toStruct,
} from "./protocol";

export interface StartAnalyzerOptions {
    /** Folder with PulumiPolicy.yaml. */
    packDir: string;
    /** Stack the pack is evaluated for (sent through ConfigureStack and the environment, like the CLI). */
    stack?: StackContext;
    /** How long the pack may take to compile and print its port. */
    startTimeoutMs?: number;
    /** Deadline of each RPC. */
    callTimeoutMs?: number;
    onLog?: (entry: AnalyzerLogEntry) => void;
}


async function pool<T>(items: T[], size: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
    let next = 0;
    const runners = Array.from({ length: Math.min(size, items.length) }, async () => {
        while (next < items.length) {
            const i = next++;
            await work(items[i], i);
        }
    });
    await Promise.all(runners);
}

// ------------------------------------------------------------------------------------------------
// The session: one pack process, one gRPC connection.
// ------------------------------------------------------------------------------------------------

interface PolicyPackProject {
    runtime: string;
    options: Record<string, unknown>;
    version?: string;
}

function readPolicyPackProject(packDir: string): PolicyPackProject {
    const file = ["PulumiPolicy.yaml", "PulumiPolicy.yml"].map((f) => path.join(packDir, f)).find((f) => fs.existsSync(f));
    if (!file) {
        throw new PolicyPackError(`failed to load Pulumi policy project located at "${packDir}": no PulumiPolicy.yaml`, "start");
    }
    const doc = yaml.load(fs.readFileSync(file, "utf8"));
    if (!isObject(doc)) {
        throw new PolicyPackError(`${file}: expected a mapping with 'runtime'`, "start");
    }
    const runtime = isObject(doc.runtime) ? doc.runtime.name : doc.runtime;
    if (typeof runtime !== "string") {
        throw new PolicyPackError(`${file}: policy pack is missing a 'runtime' attribute`, "start");
    }
    const options = isObject(doc.runtime) && isObject(doc.runtime.options) ? doc.runtime.options : {};
    return { runtime, options, version: doc.version === undefined ? undefined : String(doc.version) };
}

type Callback<T> = (err: grpcTypes.ServiceError | null, res?: T) => void;

/**
 * A running policy pack. Start it with {@link AnalyzerSession.start}; always {@link AnalyzerSession.close} it
 * (the child process is also killed if this process exits).
 */
export class AnalyzerSession {
    readonly logs: AnalyzerLogEntry[] = [];
    info!: PolicyPackInfo;
    /** The config last sent with Configure (after reconciliation). */
    configured: Record<string, PolicyConfigEntry> = {};
    private stderrTail: string[] = [];
    private closed = false;
    private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    private readonly exitHook = () => this.killNow();

    private constructor(
        readonly packDir: string,
        private readonly child: cp.ChildProcess,
        private readonly engine: grpcTypes.Server,
        readonly engineAddress: string,
        private readonly project: PolicyPackProject,
        private readonly callTimeoutMs: number,
        private readonly onLog?: (entry: AnalyzerLogEntry) => void,
    ) {
        process.on("exit", this.exitHook);
    }

    private client!: AnalyzerClient;

    /** Spawns the pack, connects, and runs Handshake, ConfigureStack, GetPluginInfo and GetAnalyzerInfo. */
    static async start(options: StartAnalyzerOptions): Promise<AnalyzerSession> {
        const packDir = path.resolve(options.packDir);
        if (!fs.existsSync(packDir)) {
            throw new PolicyPackError(`policy pack not found at "${packDir}"`, "start");
        }
        const project = readPolicyPackProject(packDir);
        if (project.runtime !== "nodejs") {
            throw new PolicyPackError(`policy pack at "${packDir}" uses runtime '${project.runtime}'; the offline engine serves nodejs packs only`, "start");
        }
        let entry: string;
        try {
            entry = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        } catch {
            throw new PolicyPackError(
                `it looks like the policy pack's dependencies are not installed; try running npm install in "${packDir}"`,
                "start",
            );
        }
        const early: AnalyzerLogEntry[] = [];
        let sink: (e: AnalyzerLogEntry) => void = (e) => early.push(e);
        const { server, address } = await startEngineService((e) => sink(e));
        const args = [entry, address, "."];
        for (const [k, v] of Object.entries(project.options)) {
            const s = v === null || v === undefined ? "" : String(v);
            if (s !== "") {
                args.push(`-${k}=${s}`);
            }
        }
        const env: NodeJS.ProcessEnv = { ...process.env };
        // The caller's ts-node settings (e.g. a TS_NODE_PROJECT for the program) must not leak into the pack's compile.
        for (const k of Object.keys(env)) {
            if (k.startsWith("TS_NODE_")) {
                delete env[k];
            }
        }
        const stack = options.stack;
        if (stack) {
            Object.assign(env, stackEnvironment(stack));
        }
        const child = cp.spawn(process.execPath, args, { cwd: packDir, env, stdio: ["ignore", "pipe", "pipe"] });
        const session = new AnalyzerSession(packDir, child, server, address, project, options.callTimeoutMs ?? 60_000, options.onLog);
        early.forEach((e) => session.log(e));
        sink = (e) => session.log(e);
        try {
            const port = await session.waitForPort(options.startTimeoutMs ?? 120_000);
            session.client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
                "grpc.max_receive_message_length": MAX_MESSAGE,
                "grpc.max_send_message_length": MAX_MESSAGE,
            });
            await session.handshake();
            if (stack) {
                await session.configureStack(stack);
            }
            const pluginVersion = await session.getPluginInfo();
            session.info = await session.getAnalyzerInfo(pluginVersion);
            return session;
        } catch (err) {
            await session.close();
            throw err;
        }
    }

    private log(entry: AnalyzerLogEntry): void {
        this.logs.push(entry);
        this.onLog?.(entry);
    }

    private waitForPort(timeoutMs: number): Promise<number> {
        return new Promise<number>((resolve, reject) => {
            let stdoutBuf = "";
            let stderrBuf = "";
            let port: number | undefined;
            const timer = setTimeout(() => {
                fail(`policy pack at "${this.packDir}" did not report its port within ${Math.round(timeoutMs / 1000)}s`);
            }, timeoutMs);
            const fail = (msg: string) => {
                clearTimeout(timer);
                const tail = this.stderrTail.join("\n").trim();
                reject(new PolicyPackError(tail ? `${msg}:\n${tail}` : msg, "start"));
            };
            this.child.stdout?.setEncoding("utf8");
            this.child.stderr?.setEncoding("utf8");
            this.child.stdout?.on("data", (chunk: string) => {
                stdoutBuf += chunk;
                let nl: number;
                while ((nl = stdoutBuf.indexOf("\n")) >= 0) {
                    const line = stdoutBuf.slice(0, nl).trim();
                    stdoutBuf = stdoutBuf.slice(nl + 1);
                    if (port === undefined && /^\d+$/.test(line)) {
                        // The first line is the port; anything after is the pack's own output, which the CLI shows as logs.
                        port = parseInt(line, 10);
                        clearTimeout(timer);
                        resolve(port);
                    } else if (line) {
                        this.log({ source: "stdout", severity: "info", message: line });
                    }
                }
            });
            this.child.stderr?.on("data", (chunk: string) => {
                stderrBuf += chunk;
                let nl: number;
                while ((nl = stderrBuf.indexOf("\n")) >= 0) {
                    const line = stderrBuf.slice(0, nl);
                    stderrBuf = stderrBuf.slice(nl + 1);
                    this.stderrTail.push(line);
                    if (this.stderrTail.length > 60) {
                        this.stderrTail.shift();
                    }
                    if (line.trim()) {
                        this.log({ source: "stderr", severity: "error", message: line });
                    }
                }
            });
            this.child.on("error", (err) => fail(`policy pack at "${this.packDir}" failed to start: ${err.message}`));
            this.child.on("exit", (code, signal) => {
                this.exited = { code, signal };
                if (stderrBuf.trim()) {
                    this.stderrTail.push(stderrBuf);
                    this.log({ source: "stderr", severity: "error", message: stderrBuf.trim() });
                    stderrBuf = "";
                }
                if (port === undefined) {
                    fail(`policy pack at "${this.packDir}" failed to start (exit code ${code ?? signal})`);
                }
            });
        });
    }

    private rpc<T>(name: string, invoke: (md: grpcTypes.Metadata, opts: Partial<grpcTypes.CallOptions>, cb: Callback<T>) => void): Promise<T> {
        if (this.closed) {
            return Promise.reject(new PolicyPackError(`${name}: the policy pack session is closed`, "rpc"));
        }
        return new Promise<T>((resolve, reject) => {
            invoke(new grpc.Metadata(), { deadline: Date.now() + this.callTimeoutMs }, (err, res) => {
                if (err) {
                    reject(err);
                } else {
                    resolve(res as T);
                }
            });
        });
    }

    private rpcError(name: string, err: unknown): PolicyPackError {
        const e = err as grpcTypes.ServiceError;
        let message = e?.details || e?.message || String(err);
        if (this.exited) {
            message += ` (the policy pack process exited with ${this.exited.code ?? this.exited.signal})`;
            const tail = this.stderrTail.join("\n").trim();
            if (tail) {
                message += `:\n${tail}`;
            }
        }
        return new PolicyPackError(`${name}: ${message}`, "rpc");
    }

    private async handshake(): Promise<void> {
        const req = new analyzerProto.AnalyzerHandshakeRequest();
        req.setEngineAddress(this.engineAddress);
        req.setRootDirectory(this.packDir);
        req.setProgramDirectory(this.packDir);
        try {
            await this.rpc<analyzerProto.AnalyzerHandshakeResponse>("Handshake", (md, o, cb) => this.client.handshake(req, md, o, cb));
        } catch (err) {
            // Packs built on @pulumi/policy do not implement Handshake; the CLI falls back just like this.
            if ((err as grpcTypes.ServiceError).code !== GRPC_UNIMPLEMENTED) {
                throw this.rpcError("Handshake", err);
            }
        }
    }

    /** ConfigureStack: which stack is being evaluated, its config and whether this is a preview. */
    async configureStack(stack: StackContext): Promise<void> {
        const req = new analyzerProto.AnalyzerStackConfigureRequest();
        req.setStack(stack.stack);
        req.setProject(stack.project);
        req.setOrganization(stack.organization ?? "organization");
        req.setDryRun(stack.dryRun);
        const config = req.getConfigMap();
        for (const [k, v] of Object.entries(stack.config ?? {})) {
            config.set(k, v);
        }
        req.setConfigSecretKeysList(stack.secretKeys ?? []);
        const tags = req.getTagsMap();
        for (const [k, v] of Object.entries(stack.tags ?? {})) {
            tags.set(k, v);
        }
        try {
            await this.rpc<analyzerProto.AnalyzerStackConfigureResponse>("ConfigureStack", (md, o, cb) => this.client.configureStack(req, md, o, cb));
        } catch (err) {
            if ((err as grpcTypes.ServiceError).code !== GRPC_UNIMPLEMENTED) {
                throw this.rpcError("ConfigureStack", err);
            }
        }
    }

    private async getPluginInfo(): Promise<string | undefined> {
        try {
            const res = await this.rpc<PluginInfo>("GetPluginInfo", (md, o, cb) => this.client.getPluginInfo(new Empty(), md, o, cb));
            return res.getVersion() || undefined;
        } catch (err) {
            throw this.rpcError("GetPluginInfo", err);
        }
    }

    private async getAnalyzerInfo(pluginVersion: string | undefined): Promise<PolicyPackInfo> {
        let res: analyzerProto.AnalyzerInfo;
        try {
            res = await this.rpc<analyzerProto.AnalyzerInfo>("GetAnalyzerInfo", (md, o, cb) => this.client.getAnalyzerInfo(new Empty(), md, o, cb));
        } catch (err) {
            throw this.rpcError("GetAnalyzerInfo", err);
        }
        const policies: PolicyInfo[] = res.getPoliciesList().map((p) => {
            const fw = p.getFramework();
            const schema = p.getConfigschema();
            const type = p.getPolicyType();
            return {
                name: p.getName(),
                displayName: p.getDisplayname() || undefined,
                description: p.getDescription(),
                message: p.getMessage() || undefined,
                enforcementLevel: levelFromProto(p.getEnforcementlevel()),
                policyType:
                    type === analyzerProto.PolicyType.POLICY_TYPE_RESOURCE ? "resource" : type === analyzerProto.PolicyType.POLICY_TYPE_STACK ? "stack" : "unknown",
                severity: severityFromProto(p.getSeverity()),
                framework: fw
                    ? {
                          name: fw.getName() || undefined,
                          version: fw.getVersion() || undefined,
                          reference: fw.getReference() || undefined,
                          specification: fw.getSpecification() || undefined,
                      }
                    : undefined,
                tags: p.getTagsList(),
                remediationSteps: p.getRemediationSteps() || undefined,
                url: p.getUrl() || undefined,
                configSchema: schema
                    ? {
                          properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, JSONSchema>,
                          required: schema.getRequiredList(),
                      }
                    : undefined,
            };
        });
        policies.sort((a, b) => a.name.localeCompare(b.name));
        const initialConfig: Record<string, PolicyConfigEntry> = {};
        res.getInitialconfigMap().forEach((v, k) => {
            const props = v.getProperties()?.toJavaScript();
            initialConfig[k] = {
                enforcementLevel: levelFromProto(v.getEnforcementlevel()),
                properties: props && Object.keys(props).length > 0 ? (props as Record<string, unknown>) : undefined,
            };
        });
        return {
            name: res.getName(),
            displayName: res.getDisplayname() || undefined,
            version: this.project.version ?? res.getVersion(),
            supportsConfig: res.getSupportsconfig(),
            description: res.getDescription() || undefined,
            policies,
            initialConfig,
            pluginVersion,
            dir: this.packDir,
        };
    }

    /**
     * Reconciles `config` (a parsed `--policy-pack-config`) with the policies' defaults, validates it against
     * each policy's schema and sends it with Configure. Invalid config fails with every problem listed.
     */
    async configure(config?: Record<string, PolicyConfigEntry>): Promise<Record<string, PolicyConfigEntry>> {
        if (!this.info.supportsConfig) {
            if (config && Object.keys(config).length > 0) {
                throw new PolicyPackError(`policy pack "${this.info.name}" at "${this.packDir}" does not support config`, "config");
            }
            return {};
        }
        const { config: reconciled, errors } = reconcilePolicyPackConfig(this.info.policies, this.info.initialConfig, config);
        if (errors.length > 0) {
            throw new PolicyPackError(
                `validating policy config for "${this.info.name}@v${this.info.version}" failed:\n${errors.map((e) => `  ${e}`).join("\n")}`,
                "config",
            );
        }
        this.configured = reconciled;
        if (Object.keys(reconciled).length === 0) {
            // Nothing to configure (a pack without policies and no config): the CLI skips the call.
            return reconciled;
        }
        const req = new analyzerProto.ConfigureAnalyzerRequest();
        const map = req.getPolicyconfigMap();
        for (const [name, entry] of Object.entries(reconciled)) {
            const pc = new analyzerProto.PolicyConfig();
            pc.setEnforcementlevel(levelToProto(entry.enforcementLevel ?? "advisory"));
            // The pack reads `getProperties().toJavaScript()` unconditionally; the CLI always sends a (maybe empty) struct.
            pc.setProperties(toStruct((entry.properties ?? {}) as WireProperties));
            map.set(name, pc);
        }
        try {
            await this.rpc<emptyTypes.Empty>("Configure", (md, o, cb) => this.client.configure(req, md, o, cb));
        } catch (err) {
            throw this.rpcError(`configuring policy pack "${this.info.name}"`, err);
        }
        return reconciled;
    }

    private policy(name: string): PolicyInfo | undefined {
        return this.info.policies.find((p) => p.name === name);
    }

    private diagnostic(d: analyzerProto.AnalyzeDiagnostic, source: PolicyDiagnostic["source"], urn: string | undefined, type?: string): PolicyDiagnostic {
        const p = this.policy(d.getPolicyname());
        let level = levelFromProto(d.getEnforcementlevel());
        if (level === "remediate") {
            // A violation left after remediation is reported as mandatory, as the engine does.
            level = "mandatory";
        }
        return {
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: this.project.version ?? d.getPolicypackversion(),
            enforcementLevel: level,
            message: d.getMessage(),
            description: d.getDescription(),
            urn,
            resourceType: type,
            severity: severityFromProto(d.getSeverity()) ?? p?.severity,
            framework: p?.framework,
            remediationSteps: p?.remediationSteps,
            url: p?.url,
            policyType: p?.policyType ?? "unknown",
            source,
            unknownDuringPreview: isUnknownMessage(d.getMessage()),
        };
    }

    private analyzeRequest(r: AnalyzerResourceInput, props: WireProperties, byUrn: Map<string, AnalyzerResourceInput>): analyzerProto.AnalyzeRequest {
        const req = new analyzerProto.AnalyzeRequest();
        req.setUrn(r.urn);
        req.setType(r.type);
        req.setName(r.name);
        req.setProperties(toStruct(props));
        req.setOptions(resourceOptions(r));
        const prov = this.providerResource(r, byUrn);
        if (prov) {
            req.setProvider(prov);
        }
        return req;
    }

    private providerResource(r: AnalyzerResourceInput, byUrn: Map<string, AnalyzerResourceInput>): analyzerProto.AnalyzerProviderResource | undefined {
        const urn = providerUrn(r.provider);
        const p = urn ? byUrn.get(urn) : undefined;
        if (!p) {
            return undefined;
        }
        const msg = new analyzerProto.AnalyzerProviderResource();
        msg.setUrn(p.urn);
        msg.setType(p.type);
        msg.setName(p.name);
        msg.setProperties(toStruct(skipInternalKeys(p.inputs)));
        return msg;
    }

    /** Remediate then Analyze every resource (in registration order), then AnalyzeStack over all of them. */
    async evaluate(resources: AnalyzerResourceInput[], options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<PolicyEvaluation> {
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const perResource: { diagnostics: PolicyDiagnostic[]; notApplicable: NotApplicableResult[]; remediations: RemediationResult[]; inputs: WireProperties }[] =
            new Array(resources.length);
        let done = 0;
        await pool(resources, options.concurrency ?? 8, async (r, i) => {
            const out = { diagnostics: [] as PolicyDiagnostic[], notApplicable: [] as NotApplicableResult[], remediations: [] as RemediationResult[], inputs: r.inputs };
            // First pass: remediations, so that analysis sees the properties as they will be deployed.
            let remediated: analyzerProto.RemediateResponse;
            try {
                remediated = await this.rpc<analyzerProto.RemediateResponse>("Remediate", (md, o, cb) =>
                    this.client.remediate(this.analyzeRequest(r, r.inputs, byUrn), md, o, cb),
                );
            } catch (err) {
                if ((err as grpcTypes.ServiceError).code !== GRPC_UNIMPLEMENTED) {
                    throw this.rpcError(`failed to run remediation on ${r.urn}`, err);
                }
                remediated = new analyzerProto.RemediateResponse();
            }
            for (const rem of remediated.getRemediationsList()) {
                if (rem.getDiagnostic()) {
                    const p = this.policy(rem.getPolicyname());
                    out.diagnostics.push({
                        policyName: rem.getPolicyname(),
                        policyPackName: rem.getPolicypackname(),
                        policyPackVersion: this.project.version ?? rem.getPolicypackversion(),
                        enforcementLevel: "advisory",
                        message: rem.getDiagnostic(),
                        description: rem.getDescription(),
                        urn: r.urn,
                        resourceType: r.type,
                        severity: p?.severity,
                        framework: p?.framework,
                        remediationSteps: p?.remediationSteps,
                        url: p?.url,
                        policyType: p?.policyType ?? "resource",
                        source: "remediate",
                        unknownDuringPreview: isUnknownMessage(rem.getDiagnostic()),
                    });
                } else if (rem.hasProperties()) {
                    const after = (rem.getProperties()?.toJavaScript() ?? {}) as WireProperties;
                    out.remediations.push({
                        policyName: rem.getPolicyname(),
                        policyPackName: rem.getPolicypackname(),
                        policyPackVersion: this.project.version ?? rem.getPolicypackversion(),
                        description: rem.getDescription(),
                        urn: r.urn,
                        resourceType: r.type,
                        before: out.inputs,
                        after,
                        changed: changedKeys(out.inputs, after),
                    });
                    out.inputs = after;
                }
            }
            for (const na of remediated.getNotApplicableList()) {
                out.notApplicable.push({ policyName: na.getPolicyName(), reason: na.getReason(), urn: r.urn, source: "remediate" });
            }
            // Second pass: analysis of the (possibly remediated) inputs.
            let analyzed: analyzerProto.AnalyzeResponse;
            try {
                analyzed = await this.rpc<analyzerProto.AnalyzeResponse>("Analyze", (md, o, cb) =>
                    this.client.analyze(this.analyzeRequest(r, skipInternalKeys(out.inputs), byUrn), md, o, cb),
                );
            } catch (err) {
                throw this.rpcError(`failed to run policy on ${r.urn}`, err);
            }
            for (const d of analyzed.getDiagnosticsList()) {
                // The engine reports Analyze findings against the analyzed resource, whatever URN the policy named.
                out.diagnostics.push(this.diagnostic(d, "analyze", r.urn, r.type));
            }
            for (const na of analyzed.getNotApplicableList()) {
                out.notApplicable.push({ policyName: na.getPolicyName(), reason: na.getReason(), urn: r.urn, source: "analyze" });
            }
            perResource[i] = out;
            done++;
            options.onProgress?.(done, resources.length);
        });

        const remediatedInputs: Record<string, WireProperties> = {};
        const stackReq = new analyzerProto.AnalyzeStackRequest();
        stackReq.setResourcesList(
            resources.map((r, i) => {
                const result = perResource[i];
                let state = r.state;
                if (result.remediations.length > 0) {
                    remediatedInputs[r.urn] = result.inputs;
                    // The deployed resource follows the remediated inputs.
                    state = { ...state };
                    for (const k of Object.keys(r.inputs)) {
                        if (!(k in result.inputs)) {
                            delete state[k];
                        }
                    }
                    Object.assign(state, result.inputs);
                }
                const res = new analyzerProto.AnalyzerResource();
                res.setUrn(r.urn);
                res.setType(r.type);
                res.setName(r.name);
                res.setProperties(toStruct(skipInternalKeys(markSecret(state, r.options.additionalSecretOutputs))));
                res.setOptions(resourceOptions(r));
                const prov = this.providerResource(r, byUrn);
                if (prov) {
                    res.setProvider(prov);
                }
                if (r.parent) {
                    res.setParent(r.parent);
                }
                res.setDependenciesList(r.dependencies);
                const deps = res.getPropertydependenciesMap();
                for (const [k, urns] of Object.entries(r.propertyDependencies)) {
                    // The engine leaves out properties without dependencies.
                    if (urns.length > 0) {
                        const pd = new analyzerProto.AnalyzerPropertyDependencies();
                        pd.setUrnsList(urns);
                        deps.set(k, pd);
                    }
                }
                return res;
            }),
        );
        const diagnostics = perResource.flatMap((r) => r.diagnostics);
        const notApplicable = perResource.flatMap((r) => r.notApplicable);
        const remediations = perResource.flatMap((r) => r.remediations);
        let stackRes: analyzerProto.AnalyzeResponse | undefined;
        try {
            stackRes = await this.rpc<analyzerProto.AnalyzeResponse>("AnalyzeStack", (md, o, cb) => this.client.analyzeStack(stackReq, md, o, cb));
        } catch (err) {
            if ((err as grpcTypes.ServiceError).code !== GRPC_UNIMPLEMENTED) {
                throw this.rpcError("failed to run stack policies", err);
            }
        }
        for (const d of stackRes?.getDiagnosticsList() ?? []) {
            const urn = d.getUrn() || undefined;
            diagnostics.push(this.diagnostic(d, "analyze-stack", urn, urn ? byUrn.get(urn)?.type : undefined));
        }
        for (const na of stackRes?.getNotApplicableList() ?? []) {
            notApplicable.push({ policyName: na.getPolicyName(), reason: na.getReason(), source: "analyze-stack" });
        }
        return { diagnostics, notApplicable, remediations, remediatedInputs, stackReplyBytes: stackRes?.serializeBinary().length ?? 0 };
    }

    /** Stops the pack (SIGTERM, then SIGKILL after two seconds) and the engine service. Safe to call twice. */
    async close(): Promise<void> {
        if (this.closed) {
            return;
        }
        this.closed = true;
        process.removeListener("exit", this.exitHook);
        try {
            this.client?.close();
        } catch {
            // A client that never connected has nothing to close.
        }
        if (!this.exited && this.child.exitCode === null && this.child.signalCode === null) {
            await new Promise<void>((resolve) => {
                const force = setTimeout(() => {
                    this.child.kill("SIGKILL");
                }, 2000);
                this.child.once("exit", () => {
                    clearTimeout(force);
                    resolve();
                });
                this.child.kill("SIGTERM");
            });
        }
        this.engine.forceShutdown();
    }

    private killNow(): void {
        if (this.child.exitCode === null && this.child.signalCode === null) {
            this.child.kill("SIGKILL");
        }
    }

    /** The process id of the pack (for diagnostics and tests). */
    get pid(): number | undefined {
        return this.child.pid;
    }

    get running(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }
}

/** The environment the CLI gives a nodejs policy pack: stack config and identity. */
function stackEnvironment(stack: StackContext): Record<string, string> {
    const env: Record<string, string> = {};
    if (stack.config && Object.keys(stack.config).length > 0) {
        env.PULUMI_CONFIG = JSON.stringify(stack.config);
    }
    const org = stack.organization ?? "organization";
    for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
        env[`${prefix}ORGANIZATION`] = org;
        env[`${prefix}PROJECT`] = stack.project;
        env[`${prefix}STACK`] = stack.stack;
        env[`${prefix}DRY_RUN`] = String(stack.dryRun);
    }
    return env;
}

/**
 * A minimal Engine service on 127.0.0.1: the address the pack is given as its first argument, and the place
 * `pulumi.log` calls land when a pack is pointed at an engine.
 */
async function startEngineService(onLog: (e: AnalyzerLogEntry) => void): Promise<{ server: grpcTypes.Server; address: string }> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": MAX_MESSAGE });
    const severities: Record<number, AnalyzerLogEntry["severity"]> = {
        [engineProto.LogSeverity.DEBUG]: "debug",
        [engineProto.LogSeverity.INFO]: "info",
        [engineProto.LogSeverity.WARNING]: "warning",
        [engineProto.LogSeverity.ERROR]: "error",
    };
    server.addService(EngineService, {
        log: (call: grpcTypes.ServerUnaryCall<engineProto.LogRequest, emptyTypes.Empty>, cb: grpcTypes.sendUnaryData<emptyTypes.Empty>) => {
            const req = call.request;
            onLog({ source: "engine", severity: severities[req.getSeverity()] ?? "info", message: req.getMessage(), urn: req.getUrn() || undefined });
            cb(null, new Empty());
        },
        getRootResource: (_c: unknown, cb: grpcTypes.sendUnaryData<engineProto.GetRootResourceResponse>) => cb(null, new engineProto.GetRootResourceResponse()),
        setRootResource: (_c: unknown, cb: grpcTypes.sendUnaryData<engineProto.SetRootResourceResponse>) => cb(null, new engineProto.SetRootResourceResponse()),
        startDebugging: (_c: unknown, cb: grpcTypes.sendUnaryData<emptyTypes.Empty>) => cb(null, new Empty()),
        requirePulumiVersion: (_c: unknown, cb: grpcTypes.sendUnaryData<engineProto.RequirePulumiVersionResponse>) =>
            cb(null, new engineProto.RequirePulumiVersionResponse()),
    });
    const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    return { server, address: `127.0.0.1:${port}` };
}
