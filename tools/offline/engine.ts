/**
 * The offline preview engine: `pulumi preview` / `pulumi up` with a policy pack, without a cloud or the CLI.
 *
 * 1. Stack config from `Pulumi.yaml` + `Pulumi.<stack>.yaml`, with the CLI's checks (`stack-config.ts`).
 * 2. The program runs in this process under the recording monitor (`recorder.ts`), loaded fresh like the
 *    Node.js language host loads it: its module exports are the stack outputs, an exported function is called.
 * 3. The policy pack runs as its own process and is evaluated over gRPC (`analyzer.ts`): Remediate and
 *    Analyze per resource, AnalyzeStack over all of them, with the providers the engine would attach
 *    (including the default provider the CLI creates for resources that name none).
 *
 * Exit codes: 2 when the config, the program or the pack fails; 1 on any mandatory violation; 0 otherwise.
 */
import * as fs from "fs";
import * as path from "path";
import { createRequire } from "module";
import { recordProgram, Mode, Recording, RecordedResource, WireProperties } from "./recorder";
import { autoName, MockContext, NAME_PROPERTY, uuidFrom } from "./mocks";
import { resourceSchema } from "./schema";
import { loadProject, loadStackConfig, StackConfig, StackConfigError } from "./stack-config";
import { UNKNOWN } from "./wire";
import {
    AnalyzerLogEntry,
    AnalyzerResourceInput,
    AnalyzerSession,
    loadPolicyPackConfigFile,
    NotApplicableResult,
    parsePolicyPackConfig,
    PolicyConfigEntry,
    PolicyDiagnostic,
    PolicyPackConfigInput,
    PolicyPackError,
    PolicyPackInfo,
    RemediationResult,
    StackContext,
} from "./analyzer";

/** The repository root (this file lives in `tools/offline/`). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");


export interface ProgressEvent {
    phase: "config" | "program" | "policy-start" | "policy-config" | "analyze" | "analyze-stack" | "done";
    message: string;
    done?: number;
    total?: number;
}

export interface RunOfflineOptions {
    stack: string;
    /** `preview` (default): computed outputs unknown; `up`: deterministic ids and ARNs. */
    mode?: Mode;
    /** Folder with `Pulumi.yaml`. Default: the folder of `programPath` (or its nearest ancestor) with a
     * `Pulumi.yaml`, else the repository root. */
    projectDir?: string;
    /** Program entry point. Default: `main` from Pulumi.yaml, else `index.ts` in the project folder. */
    programPath?: string;
    /**
     * Policy pack folder. Default: `<projectDir>/policy-pack` when it exists. `null` or `"none"` skips policy
     * evaluation. A folder that was asked for explicitly and does not exist is an error.
     */
    policyPackDir?: string | null;
    /** `--policy-pack-config` JSON file. */
    policyPackConfigPath?: string;
    /** The same config inline (ignored when `policyPackConfigPath` is given). */
    policyPackConfig?: PolicyPackConfigInput;
    /** A running pack to reuse (it is configured for this run and left running). */
    analyzer?: AnalyzerSession;
    organization?: string;
    /** Account and partition of the mocks; the region comes from `aws:region` unless given here. */
    context?: Partial<MockContext>;
    onProgress?: (event: ProgressEvent) => void;
    /** Values set over the stack file, as `pulumi config set` would (bare keys are project keys; `undefined` unsets). */
    configOverrides?: Record<string, unknown>;
    /** Stack tags sent with ConfigureStack. */
    stackTags?: Record<string, string>;
}

export interface OfflineError {
    phase: "config" | "program" | "policy";
    /** The failing step's own message, verbatim. */
    message: string;
    /** Fully qualified config keys the message names. */
    configKeys: string[];
}

export interface ComponentCount {
    urn: string;
    type: string;
    name: string;
    /** Direct children by type. */
    children: Record<string, number>;
    total: number;
}

export interface OfflineSummary {
    project: string;
    stack: string;
    mode: Mode;
    program: string;
    policyPack?: { name: string; version: string; dir: string; policies: number };
    resources: number;
    customResources: number;
    components: number;
    byType: Record<string, number>;
    byComponent: ComponentCount[];
    violations: { mandatory: number; advisory: number; total: number; unknownDuringPreview: number };
    notApplicable: number;
    remediations: number;
    secretPlaceholders: string[];
    durationMs: { config: number; program: number; policy: number; total: number };
}

export interface OfflineResult {
    exitCode: 0 | 1 | 2;
    projectDir: string;
    programPath: string;
    config?: StackConfig;
    recording?: Recording;
    /** Default providers the CLI would create for resources that name no provider (not counted as resources). */
    defaultProviders: RecordedResource[];
    policyPack?: PolicyPackInfo;
    /** Policy config after reconciliation (what Configure sent). */
    policyConfig?: Record<string, PolicyConfigEntry>;
    diagnostics: PolicyDiagnostic[];
    notApplicable: NotApplicableResult[];
    remediations: RemediationResult[];
    analyzerLogs: AnalyzerLogEntry[];
    warnings: string[];
    error?: OfflineError;
    summary: OfflineSummary;
}

function findProjectDir(start: string): string | undefined {
    let dir = path.resolve(start);
    for (;;) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml")) || fs.existsSync(path.join(dir, "Pulumi.yml"))) {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            return undefined;
        }
        dir = parent;
    }
}

function resolveProgram(projectDir: string, programPath: string | undefined, main: string | undefined): string {
    if (programPath) {
        return path.resolve(programPath);
    }
    const entry = path.resolve(projectDir, main ?? ".");
    if (fs.existsSync(entry) && fs.statSync(entry).isDirectory()) {
        for (const candidate of ["index.ts", "index.js"]) {
            if (fs.existsSync(path.join(entry, candidate))) {
                return path.join(entry, candidate);
            }
        }
    }
    return entry;
}

/** Registers ts-node (transpile only, as `ts-node --transpile-only`) unless TypeScript can already be required. */
function ensureTypeScript(projectDir: string): void {
    if (require.extensions[".ts"]) {
        return;
    }
    const load = createRequire(path.join(projectDir, "package.json"));
    const tsNode = load("ts-node") as { register(opts: object): void };
    const project = path.join(projectDir, "tsconfig.json");
    tsNode.register({ transpileOnly: true, project: fs.existsSync(project) ? project : undefined });
}

/**
 * Drops the program and every module of the project (outside node_modules) from the require cache, so each
 * run registers its resources again; the engine's own modules stay, they hold the recorder's state.
 */
function clearProjectModules(projectDir: string, programPath: string): void {
    const root = path.resolve(projectDir) + path.sep;
    const own = path.resolve(__dirname) + path.sep;
    for (const key of Object.keys(require.cache)) {
        const inProject = key.startsWith(root) && !key.includes(`${path.sep}node_modules${path.sep}`);
        if ((inProject && !key.startsWith(own)) || key === programPath) {
            delete require.cache[key];
        }
    }
}

/**
 * The test-lane flag the program's config reader checks (`components/shared/config.ts` `isTestLane`): the offline
 * engine runs the committed stack files, whose account ids and VPN peer are examples a real deploy must refuse.
 */
export const TEST_LANE_ENV = "HDP_TEST_LANE";

/** Runs the program module the way the Node.js language host does (CommonJS), in the offline test lane. */
function programOf(programPath: string, projectDir: string): () => Promise<Record<string, unknown> | void> {
    return async () => {
        clearProjectModules(projectDir, programPath);
        const previous = process.env[TEST_LANE_ENV];
        process.env[TEST_LANE_ENV] = "offline";
        try {
            const load = createRequire(programPath);
            const exported = load(programPath) as unknown;
            const result = exported instanceof Function ? await (exported as () => unknown)() : exported;
            return (result ?? undefined) as Record<string, unknown> | undefined;
        } finally {
            if (previous === undefined) delete process.env[TEST_LANE_ENV];
            else process.env[TEST_LANE_ENV] = previous;
        }
    };
}

function errorMessage(err: unknown): string {
    if (err instanceof Error) {
        return err.message;
    }
    return String(err);
}

/** Fully qualified config keys named in `message` (known keys first, then anything shaped like one). */
export function configKeysIn(message: string, config: StackConfig | undefined, projectName?: string): string[] {
    const found = new Set<string>();
    const known = new Set<string>([...Object.keys(config?.config ?? {}), ...(config?.project.declarations.map((d) => d.key) ?? [])]);
    const project = config?.project.name ?? projectName;
    const pattern = /\b([A-Za-z][A-Za-z0-9_.-]*:[A-Za-z][A-Za-z0-9_.-]*)/g;
    let m: RegExpExecArray | null;
    while ((m = pattern.exec(message)) !== null) {
        const candidate = m[1].replace(/[.]+$/, "");
        const ns = candidate.split(":")[0];
        if (known.has(candidate) || ns === project) {
            found.add(candidate);
        }
    }
    return [...found];
}

function packageVersion(pkg: string, projectDir: string): string | undefined {
    try {
        const load = createRequire(path.join(projectDir, "package.json"));
        return (load(`@pulumi/${pkg}/package.json`) as { version?: string }).version?.replace(/^v/, "");
    } catch {
        return undefined;
    }
}

/**
 * The default providers the CLI registers for custom resources that name no provider
 * (`pulumi:providers:aws::default_7_48_0`), configured from the stack's `<package>:*` keys.
 */
export function defaultProvidersFor(recording: Recording, config: Record<string, string>, projectDir: string): RecordedResource[] {
    const packages: string[] = [];
    for (const r of recording.resources) {
        const pkg = r.type.split(":")[0];
        if (r.custom && !r.provider && pkg !== "pulumi" && !packages.includes(pkg)) {
            packages.push(pkg);
        }
    }
    return packages.map((pkg) => {
        const version = packageVersion(pkg, projectDir);
        const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
        const urn = `urn:pulumi:${recording.stack}::${recording.project}::pulumi:providers:${pkg}::${name}`;
        const inputs: WireProperties = {};
        for (const [k, v] of Object.entries(config)) {
            if (k.startsWith(`${pkg}:`)) {
                inputs[k.slice(pkg.length + 1)] = v;
            }
        }
        if (version) {
            inputs.version = version;
        }
        return {
            urn,
            type: `pulumi:providers:${pkg}`,
            name,
            custom: true,
            remote: false,
            id: recording.mode === "preview" ? undefined : uuidFrom(urn),
            inputs,
            outputs: { ...inputs },
            dependencies: [],
            propertyDependencies: {},
            options: {
                protect: false,
                retainOnDelete: false,
                ignoreChanges: [],
                deleteBeforeReplace: false,
                replaceOnChanges: [],
                aliases: [],
                additionalSecretOutputs: [],
            },
        };
    });
}

function isAbsent(v: unknown): boolean {
    return v === undefined || v === null || v === "";
}

/**
 * Inputs as the analyzer sees them: after the provider's Check, which fills in the auto-generated physical
 * name when the program gave none.
 */
function checkedInputs(r: RecordedResource): WireProperties {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) {
        return r.inputs;
    }
    const schema = resourceSchema(r.type);
    const nameProp = NAME_PROPERTY[r.type] ?? "name";
    if (schema?.inputs.has(nameProp) && isAbsent(r.inputs[nameProp]) && isAbsent(r.inputs[`${nameProp}Prefix`])) {
        return { ...r.inputs, [nameProp]: autoName(r.type, r.name, nameProp, r.inputs) };
    }
    return r.inputs;
}

/** What the engine hands the analyzer for each resource (default providers first, as they are registered first). */
export function analyzerResources(recording: Recording, defaults: RecordedResource[]): AnalyzerResourceInput[] {
    const defaultRef = new Map(defaults.map((d) => [d.type.split(":")[2], `${d.urn}::${d.id ?? UNKNOWN}`]));
    return [...defaults, ...recording.resources].map((r) => {
        const pkg = r.type.split(":")[0];
        const provider = r.provider ?? (r.custom && pkg !== "pulumi" ? defaultRef.get(pkg) : undefined);
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            custom: r.custom,
            inputs: checkedInputs(r),
            // Preview: the planned state (inputs and unknown computed outputs); up: the outputs.
            state: r.outputs,
            parent: r.parent,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            provider,
            options: {
                protect: r.options.protect ?? false,
                ignoreChanges: r.options.ignoreChanges ?? [],
                deleteBeforeReplace: r.options.deleteBeforeReplace ?? false,
                deleteBeforeReplaceDefined: r.options.deleteBeforeReplaceDefined,
                additionalSecretOutputs: r.options.additionalSecretOutputs ?? [],
                aliases: r.options.aliases ?? [],
                customTimeouts: r.options.customTimeouts,
            },
        };
    });
}

/** Counts per type and per parent component, as the CLI's resource summary groups them. */
export function countResources(resources: RecordedResource[]): Pick<OfflineSummary, "resources" | "customResources" | "components" | "byType" | "byComponent"> {
    const byType: Record<string, number> = {};
    const components = new Map<string, ComponentCount>();
    for (const r of resources) {
        byType[r.type] = (byType[r.type] ?? 0) + 1;
        if (!r.custom) {
            components.set(r.urn, { urn: r.urn, type: r.type, name: r.name, children: {}, total: 0 });
        }
    }
    for (const r of resources) {
        const parent = r.parent ? components.get(r.parent) : undefined;
        if (parent) {
            parent.children[r.type] = (parent.children[r.type] ?? 0) + 1;
            parent.total++;
        }
    }
    return {
        resources: resources.length,
        customResources: resources.filter((r) => r.custom).length,
        components: resources.filter((r) => !r.custom).length,
        byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))),
        byComponent: [...components.values()],
    };
}

/**
 * Runs `run` with the process's unhandled-rejection listeners swapped for a collector. A program error
 * rejects the stack's output promises several times over; the Node.js language host catches those and
 * fails the program with the first error, and so does this (instead of crashing the process or failing an
 * unrelated test). The previous listeners are restored afterwards.
 */
async function captureRejections<T>(run: () => Promise<T>): Promise<{ value?: T; error?: unknown; unhandled: unknown[] }> {
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const unhandled: unknown[] = [];
    const collect = (reason: unknown) => {
        if (!unhandled.includes(reason)) {
            unhandled.push(reason);
        }
    };
    process.on("unhandledRejection", collect);
    try {
        return { value: await run(), unhandled };
    } catch (error) {
        return { error, unhandled };
    } finally {
        // Rejections are reported after the microtask queue drains; let the last ones arrive.
        await new Promise((resolve) => setImmediate(resolve));
        process.removeListener("unhandledRejection", collect);
        for (const listener of saved) {
            process.on("unhandledRejection", listener);
        }
    }
}

/** Runs `stack` offline: config, program, policy pack. Never throws for a failing config, program or pack. */
/** The single account of `aws:allowedAccountIds` (a JSON list, as the CLI passes structured config), if exactly one. */
export function allowedAccount(raw: string | undefined): string | undefined {
    if (!raw) return undefined;
    try {
        const ids = JSON.parse(raw) as unknown;
        return Array.isArray(ids) && ids.length === 1 && /^\d{12}$/.test(String(ids[0])) ? String(ids[0]) : undefined;
    } catch {
        return undefined;
    }
}

export async function runOffline(options: RunOfflineOptions): Promise<OfflineResult> {
    const t0 = Date.now();
    const mode: Mode = options.mode ?? "preview";
    const progress = (e: ProgressEvent) => options.onProgress?.(e);
    const warnings: string[] = [];
    const projectDir = path.resolve(
        options.projectDir ?? (options.programPath ? findProjectDir(path.dirname(path.resolve(options.programPath))) : undefined) ?? REPO_ROOT,
    );
    let programPath = options.programPath ? path.resolve(options.programPath) : path.join(projectDir, "index.ts");
    const durations = { config: 0, program: 0, policy: 0, total: 0 };
    let projectName = "";
    const result: OfflineResult = {
        exitCode: 0,
        projectDir,
        programPath,
        defaultProviders: [],
        diagnostics: [],
        notApplicable: [],
        remediations: [],
        analyzerLogs: [],
        warnings,
        summary: emptySummary(options.stack, mode, programPath),
    };
    const finish = (): OfflineResult => {
        durations.total = Date.now() - t0;
        const counts = countResources(result.recording?.resources ?? []);
        const mandatory = result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
        const advisory = result.diagnostics.filter((d) => d.enforcementLevel === "advisory").length;
        result.summary = {
            project: result.config?.project.name ?? (projectName || result.recording?.project) ?? "",
            stack: options.stack,
            mode,
            program: path.relative(process.cwd(), result.programPath) || result.programPath,
            policyPack: result.policyPack
                ? { name: result.policyPack.name, version: result.policyPack.version, dir: result.policyPack.dir, policies: result.policyPack.policies.length }
                : undefined,
            ...counts,
            violations: {
                mandatory,
                advisory,
                total: result.diagnostics.length,
                unknownDuringPreview: result.diagnostics.filter((d) => d.unknownDuringPreview).length,
            },
            notApplicable: result.notApplicable.length,
            remediations: result.remediations.length,
            secretPlaceholders: result.config?.placeholders ?? [],
            durationMs: { ...durations },
        };
        if (!result.error) {
            result.exitCode = mandatory > 0 ? 1 : 0;
        }
        progress({ phase: "done", message: `finished with exit code ${result.exitCode}` });
        return result;
    };
    const fail = (phase: OfflineError["phase"], err: unknown): OfflineResult => {
        const message = errorMessage(err);
        // The first failure is the one the user must fix; a later one (e.g. the pack after the program) is kept as a warning.
        if (result.error) {
            warnings.push(`${phase}: ${message}`);
        } else {
            const named = err instanceof StackConfigError && err.key ? [err.key] : [];
            result.error = { phase, message, configKeys: [...new Set([...named, ...configKeysIn(message, result.config, projectName)])] };
        }
        result.exitCode = 2;
        return result;
    };

    // 1. Config.
    progress({ phase: "config", message: `loading config of stack '${options.stack}' from ${projectDir}` });
    try {
        const project = loadProject(projectDir);
        projectName = project.name;
        if (!options.programPath) {
            programPath = resolveProgram(projectDir, undefined, project.main);
            result.programPath = programPath;
        }
        result.config = loadStackConfig(projectDir, options.stack, options.configOverrides);
        warnings.push(...result.config.warnings);
        if (result.config.placeholders.length > 0) {
            warnings.push(
                `encrypted config cannot be decrypted offline; placeholders used for: ${result.config.placeholders.join(", ")} ` +
                    `(value 'offline-secret-<key>', marked secret)`,
            );
        }
    } catch (err) {
        durations.config = Date.now() - t0;
        fail("config", err);
        return finish();
    }
    durations.config = Date.now() - t0;
    const stackConfig = result.config;
    if (!fs.existsSync(programPath)) {
        fail("program", new Error(`program not found: ${programPath}`));
        return finish();
    }

    // 2. Policy pack: started before the program runs, as the CLI loads analyzers first (and it overlaps the compile).
    const packDir = resolvePackDir(options, projectDir, warnings);
    const stackContext: StackContext = {
        stack: options.stack,
        project: stackConfig.project.name,
        organization: options.organization,
        dryRun: mode === "preview",
        config: stackConfig.config,
        secretKeys: stackConfig.secretKeys,
        tags: options.stackTags,
    };
    const tPolicy = Date.now();
    let policyTime = 0;
    // Read before the program runs (and before the working directory changes to the project).
    let policyConfig: Record<string, PolicyConfigEntry> | undefined;
    try {
        policyConfig = options.policyPackConfigPath
            ? loadPolicyPackConfigFile(path.resolve(options.policyPackConfigPath))
            : options.policyPackConfig
              ? parsePolicyPackConfig(options.policyPackConfig)
              : undefined;
    } catch (err) {
        fail("policy", err);
        return finish();
    }
    const packReady: Promise<AnalyzerSession | undefined> = (async () => {
        if (!packDir && !options.analyzer) {
            return undefined;
        }
        let session = options.analyzer;
        if (session) {
            await session.configureStack(stackContext);
        } else {
            progress({ phase: "policy-start", message: `starting policy pack ${packDir}` });
            session = await AnalyzerSession.start({ packDir: packDir as string, stack: stackContext });
        }
        progress({ phase: "policy-config", message: `configuring ${session.info.name}@${session.info.version} (${session.info.policies.length} policies)` });
        const config = policyConfig;
        try {
            result.policyPack = session.info;
            const unknownPolicies = Object.keys(config ?? {}).filter((k) => k !== "all" && !session.info.policies.some((p) => p.name === k));
            if (unknownPolicies.length > 0) {
                warnings.push(`policy pack config names policies the pack does not define: ${unknownPolicies.join(", ")}`);
            }
            result.policyConfig = await session.configure(config);
        } catch (err) {
            if (!options.analyzer) {
                await session.close();
            }
            throw err;
        }
        policyTime += Date.now() - tPolicy;
        return session;
    })();
    // Keep a rejection from surfacing as unhandled while the program runs; it is awaited below.
    packReady.catch(() => undefined);

    // 3. Program.
    const tProgram = Date.now();
    progress({ phase: "program", message: `running ${path.relative(process.cwd(), programPath) || programPath} (${mode})` });
    const context: Partial<MockContext> = { ...options.context };
    const region = stackConfig.config["aws:region"];
    if (region && !context.region) {
        context.region = region;
        context.availabilityZones ??= ["a", "b", "c"].map((z) => `${region}${z}`);
    }
    // The provider refuses credentials of any other account, so the mock caller is the one allowed account.
    const allowed = allowedAccount(stackConfig.config["aws:allowedAccountIds"]);
    if (allowed && !context.accountId) {
        context.accountId = allowed;
    }
    if (region && !context.partition) {
        context.partition = region.startsWith("us-gov-") ? "aws-us-gov" : region.startsWith("cn-") ? "aws-cn" : "aws";
    }
    let programError: unknown;
    const cwd = process.cwd();
    try {
        ensureTypeScript(projectDir);
        // The language host runs the program in the project folder; relative paths in programs depend on it.
        process.chdir(projectDir);
        const run = await captureRejections(() =>
            recordProgram(programOf(programPath, projectDir), {
                mode,
                project: stackConfig.project.name,
                stack: options.stack,
                organization: options.organization,
                config: stackConfig.config,
                secretKeys: stackConfig.secretKeys,
                context,
            }),
        );
        result.recording = run.value;
        programError = run.error ?? run.unhandled[0];
    } catch (err) {
        programError = err;
    } finally {
        process.chdir(cwd);
    }
    durations.program = Date.now() - tProgram;

    let session: AnalyzerSession | undefined;
    try {
        session = await packReady;
    } catch (err) {
        if (programError !== undefined) {
            fail("program", programError);
        }
        durations.policy = Date.now() - tPolicy;
        fail("policy", err);
        return finish();
    }
    if (programError !== undefined) {
        if (session && !options.analyzer) {
            await session.close();
        }
        fail("program", programError);
        return finish();
    }
    const recording = result.recording as Recording;
    progress({ phase: "program", message: `${recording.resources.length} resources registered` });

    // 4. Policies.
    if (session) {
        const tAnalyze = Date.now();
        try {
            result.defaultProviders = defaultProvidersFor(recording, stackConfig.config, projectDir);
            const inputs = analyzerResources(recording, result.defaultProviders);
            const evaluation = await session.evaluate(inputs, {
                onProgress: (done, total) => {
                    if (done === total || done % 25 === 0) {
                        progress({ phase: "analyze", message: `analyzed ${done}/${total} resources`, done, total });
                    }
                },
            });
            progress({ phase: "analyze-stack", message: `stack policies evaluated over ${inputs.length} resources` });
            result.diagnostics = evaluation.diagnostics;
            result.notApplicable = evaluation.notApplicable;
            result.remediations = evaluation.remediations;
        } catch (err) {
            fail("policy", err);
        } finally {
            result.analyzerLogs = [...session.logs];
            if (!options.analyzer) {
                await session.close();
            }
            policyTime += Date.now() - tAnalyze;
        }
    }
    durations.policy = policyTime;
    return finish();
}

function resolvePackDir(options: RunOfflineOptions, projectDir: string, warnings: string[]): string | undefined {
    if (options.analyzer) {
        return options.analyzer.packDir;
    }
    if (options.policyPackDir === null || options.policyPackDir === "none") {
        return undefined;
    }
    if (options.policyPackDir !== undefined) {
        // An explicit folder that does not exist is reported by AnalyzerSession.start in the CLI's words.
        return path.resolve(options.policyPackDir);
    }
    const dir = path.join(projectDir, "policy-pack");
    if (fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
        return dir;
    }
    warnings.push(`no policy pack at ${dir}; policies were not evaluated`);
    return undefined;
}

function emptySummary(stack: string, mode: Mode, program: string): OfflineSummary {
    return {
        project: "",
        stack,
        mode,
        program,
        resources: 0,
        customResources: 0,
        components: 0,
        byType: {},
        byComponent: [],
        violations: { mandatory: 0, advisory: 0, total: 0, unknownDuringPreview: 0 },
        notApplicable: 0,
        remediations: 0,
        secretPlaceholders: [],
        durationMs: { config: 0, program: 0, policy: 0, total: 0 },
    };
}

export { PolicyPackError };
