/**
 * The real-engine lane: the platform program (and the insecure sample) run by the real Pulumi CLI, at the version of
 * @pulumi/pulumi in the lockfile, with the policy pack loaded by the CLI itself.
 *
 * Everything happens in a throw-away folder: a `file://` backend, a PULUMI_HOME, and a generated test-only project
 * (`Pulumi.yaml` = the real one plus `main` pointing at the real program and `plugins.providers` pointing at the test
 * providers of tools/engine/providers; the committed `Pulumi.yaml` stays clean). The stack file is the committed one;
 * its encrypted values (`secure: v1:...`, readable only with the stack's own secrets provider) are re-encrypted for the
 * lane's passphrase with `pulumi config set --secret` from generated test values, so the state can be searched for them.
 *
 * Used by `npm run preview:engine -- --stack dev|prod` (see {@link main}) and by tests/tools/engine/*.spec.ts.
 */
import * as cp from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const POLICY_PACK_DIR = path.join(REPO_ROOT, "policy-pack");
export const INSECURE_PROGRAM_DIR = path.join(REPO_ROOT, "tests", "policy-pack", "fixtures", "insecure-program");
/** Test providers (one folder per provider, each a Node.js plugin with PulumiPlugin.yaml). */
export const PROVIDERS_DIR = process.env.ENGINE_PROVIDERS_DIR ? path.resolve(process.env.ENGINE_PROVIDERS_DIR) : path.join(REPO_ROOT, "tools", "engine", "providers");
const INSTALL_SCRIPT = path.join(REPO_ROOT, "tools", "pulumi-cli", "install.sh");

/** Where the CLI is, or why there is none. */
export type CliLocation = { ok: true; dir: string; version: string } | { ok: false; reason: string };

/** The @pulumi/pulumi version of the lockfile: the CLI version the lane needs. */
export function lockfilePulumiVersion(): string {
    const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages?: Record<string, { version?: string }> };
    const v = lock.packages?.["node_modules/@pulumi/pulumi"]?.version;
    if (!v) {
        throw new Error("package-lock.json has no node_modules/@pulumi/pulumi entry");
    }
    return v;
}

/**
 * Finds the CLI through tools/pulumi-cli/install.sh: `--print` only looks (PATH at the right version, or the cache);
 * `build: true` builds it when missing (minutes on a cold machine, with progress on stderr).
 */
export function locateCli(options: { build?: boolean } = {}): CliLocation {
    const version = lockfilePulumiVersion();
    const args = options.build ? [] : ["--print"];
    const r = cp.spawnSync("bash", [INSTALL_SCRIPT, ...args], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", options.build ? "inherit" : "pipe"] });
    const dir = (r.stdout ?? "").trim().split("\n").pop() ?? "";
    if (r.status === 0 && dir && fs.existsSync(path.join(dir, "pulumi"))) {
        return { ok: true, dir, version };
    }
    const hasGo = cp.spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
    return {
        ok: false,
        reason: hasGo
            ? `no Pulumi CLI v${version} is built yet: run tools/pulumi-cli/install.sh (exit ${r.status}${r.stderr ? `: ${r.stderr.trim().split("\n").pop()}` : ""})`
            : `no Pulumi CLI v${version} on PATH and no Go toolchain to build one (tools/pulumi-cli/install.sh needs go)`,
    };
}

export interface PulumiResult {
    args: string[];
    code: number;
    stdout: string;
    stderr: string;
    /** Wall-clock duration of the command. */
    ms: number;
    /** Engine events (`--event-log`), when the command was given one. */
    events: EngineEvent[];
}

/** The engine events the lane reads (see the CLI's apitype.EngineEvent). */
export interface EngineEvent {
    policyEvent?: {
        resourceUrn?: string;
        message: string;
        policyName: string;
        policyPackName: string;
        enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
        severity?: string;
    };
    diagnosticEvent?: { urn?: string; message: string; severity: string };
    summaryEvent?: { resourceChanges?: Record<string, number> };
    resourcePreEvent?: { metadata: { op: string; urn: string; type: string } };
    [key: string]: unknown;
}

/** A mandatory or advisory finding, as the CLI reported it. */
export interface Violation {
    policyName: string;
    enforcementLevel: string;
    urn?: string;
    message: string;
}

export function violations(r: PulumiResult): Violation[] {
    return r.events
        .map((e) => e.policyEvent)
        .filter((p): p is NonNullable<EngineEvent["policyEvent"]> => !!p)
        .map((p) => ({ policyName: p.policyName, enforcementLevel: p.enforcementLevel, urn: p.resourceUrn, message: p.message }));
}

/** Resource operations of a preview or update, counted by kind (`same`, `create`, `update`, `replace`, ...). */
export function changeCounts(r: PulumiResult): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of r.events) {
        const op = e.resourcePreEvent?.metadata.op;
        if (op) {
            counts[op] = (counts[op] ?? 0) + 1;
        }
    }
    return counts;
}

export interface ProjectOptions {
    /**
     * `platform`: the repository's program and Pulumi.yaml; `insecure`: tests/policy-pack/fixtures/insecure-program;
     * or any folder holding Pulumi.yaml, Pulumi.<stack>.yaml and index.ts.
     */
    program: "platform" | "insecure" | { dir: string };
    stack: string;
    cli: { dir: string };
    /** Echo every command and its output to stderr as it runs. */
    verbose?: boolean;
    /**
     * Keys the stack's operators set with `pulumi config set --secret` and that no stack file commits (prod's
     * onPremDbPassword): set here from generated test values, like the committed ciphertexts.
     */
    secrets?: string[];
}

/** Provider folders the generated project loads, by provider name. */
export function providerPlugins(): { name: string; path: string }[] {
    return ["aws", "awsx"].map((name) => ({ name, path: path.join(PROVIDERS_DIR, name) })).filter((p) => fs.existsSync(p.path));
}

function isObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * A generated project with its own backend, ready to run `pulumi` commands on one stack. Call {@link dispose}
 * when done (the temp folder holds the state; it is kept when ENGINE_KEEP=1 for debugging).
 */
export class EngineProject {
    /** Test values given to the keys whose committed values are encrypted, by bare key. */
    readonly secretValues: Record<string, string> = {};
    readonly passphrase = `engine-lane-${randomBytes(12).toString("hex")}`;

    private constructor(
        readonly options: ProjectOptions,
        readonly root: string,
        readonly projectDir: string,
        readonly projectName: string,
    ) {}

    static async create(options: ProjectOptions): Promise<EngineProject> {
        const label = typeof options.program === "string" ? options.program : path.basename(options.program.dir);
        const root = fs.mkdtempSync(path.join(os.tmpdir(), `engine-${label}-${options.stack}-`));
        const projectDir = path.join(root, "project");
        fs.mkdirSync(projectDir);
        fs.mkdirSync(path.join(root, "state"));
        fs.mkdirSync(path.join(root, "home"));
        const sourceDir = options.program === "platform" ? REPO_ROOT : options.program === "insecure" ? INSECURE_PROGRAM_DIR : path.resolve(options.program.dir);
        const project = yaml.load(fs.readFileSync(path.join(sourceDir, "Pulumi.yaml"), "utf8"));
        if (!isObject(project) || typeof project.name !== "string") {
            throw new Error(`${path.join(sourceDir, "Pulumi.yaml")}: not a Pulumi project file`);
        }
        // The program's entry file, absolute: the CLI runs it from its own folder (node_modules, tsconfig.json).
        project.main = path.join(sourceDir, "index.ts");
        const plugins = providerPlugins();
        if (plugins.length > 0) {
            project.plugins = { providers: plugins };
        }
        fs.writeFileSync(
            path.join(projectDir, "Pulumi.yaml"),
            `# Generated by tools/engine/lane.ts for the real-engine lane; the project is ${path.join(sourceDir, "Pulumi.yaml")}.\n` +
                yaml.dump(project, { lineWidth: -1 }),
        );
        const p = new EngineProject(options, root, projectDir, project.name);

        // The committed stack file, minus its encrypted values (re-set below for this backend's passphrase).
        const stackDoc = yaml.load(fs.readFileSync(path.join(sourceDir, `Pulumi.${options.stack}.yaml`), "utf8"));
        const config = isObject(stackDoc) && isObject(stackDoc.config) ? stackDoc.config : {};
        const encrypted: string[] = [];
        for (const [key, value] of Object.entries(config)) {
            if (isObject(value) && typeof value.secure === "string") {
                encrypted.push(key);
                delete config[key];
            }
        }
        fs.writeFileSync(path.join(projectDir, `Pulumi.${options.stack}.yaml`), yaml.dump({ ...(isObject(stackDoc) ? stackDoc : {}), config }, { lineWidth: -1 }));

        await p.pulumiOk(["login", `file://${path.join(root, "state")}`]);
        await p.pulumiOk(["stack", "init", options.stack, "--secrets-provider", "passphrase"]);
        for (const key of [...encrypted, ...(options.secrets ?? []).filter((k) => !encrypted.includes(k))]) {
            const bare = key.startsWith(`${project.name}:`) ? key.slice(project.name.length + 1) : key;
            const value = `engine-test-${bare}-${randomBytes(9).toString("hex")}`;
            p.secretValues[bare] = value;
            // `--` keeps a value starting with '-' from being read as a flag.
            await p.pulumiOk(["config", "set", "--secret", key, "--", value]);
        }
        return p;
    }

    /** The environment every command runs with: this folder's backend, home and passphrase; no network. */
    env(): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const k of Object.keys(env)) {
            // The caller's ts-node or Pulumi settings must not leak into the CLI's program and plugins.
            if (k.startsWith("TS_NODE_") || (k.startsWith("PULUMI_") && k !== "PULUMI_CONFIG_PASSPHRASE")) {
                delete env[k];
            }
        }
        return {
            ...env,
            PATH: `${this.options.cli.dir}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: this.passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            // Plugins come from plugins.providers; the CLI must never try to download one (no network here).
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            // Enables --event-log, the structured record of policy findings and resource operations.
            PULUMI_DEBUG_COMMANDS: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            // The real-engine test lane runs the committed stack files, whose account ids and VPN peer are examples the
            // program's config reader refuses outside a test lane (components/shared/config.ts isTestLane).
            HDP_TEST_LANE: "real-engine",
            NO_COLOR: "1",
        };
    }

    /** Runs `pulumi <args>` in the project folder; adds `--event-log` to operations when `events` is set. */
    pulumi(args: string[], options: { events?: boolean; stdin?: string } = {}): Promise<PulumiResult> {
        const eventLog = options.events ? path.join(this.root, `events-${Date.now()}-${randomBytes(3).toString("hex")}.jsonl`) : undefined;
        const fullArgs = eventLog ? [...args, "--event-log", eventLog] : args;
        if (this.options.verbose) {
            process.stderr.write(`[engine] $ pulumi ${fullArgs.join(" ")}\n`);
        }
        const started = Date.now();
        return new Promise((resolve, reject) => {
            const child = cp.spawn(path.join(this.options.cli.dir, "pulumi"), fullArgs, { cwd: this.projectDir, env: this.env(), stdio: ["pipe", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d: Buffer) => {
                stdout += d.toString();
                if (this.options.verbose) process.stderr.write(d);
            });
            child.stderr.on("data", (d: Buffer) => {
                stderr += d.toString();
                if (this.options.verbose) process.stderr.write(d);
            });
            child.stdin.end(options.stdin ?? "");
            child.on("error", reject);
            child.on("close", (code) => {
                const events: EngineEvent[] = [];
                if (eventLog && fs.existsSync(eventLog)) {
                    for (const line of fs.readFileSync(eventLog, "utf8").split("\n")) {
                        if (line.trim()) events.push(JSON.parse(line) as EngineEvent);
                    }
                }
                resolve({ args: fullArgs, code: code ?? -1, stdout, stderr, ms: Date.now() - started, events });
            });
        });
    }

    /** Like {@link pulumi}, but a non-zero exit throws with the command's output. */
    async pulumiOk(args: string[], options: { events?: boolean } = {}): Promise<PulumiResult> {
        const r = await this.pulumi(args, options);
        if (r.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
        }
        return r;
    }

    preview(extra: string[] = []): Promise<PulumiResult> {
        return this.pulumi(["preview", "--color", "never", "--suppress-progress", ...extra], { events: true });
    }

    /** `pulumi stack export` (secrets stay encrypted) or, with `showSecrets`, decrypted. */
    async exportState(showSecrets = false): Promise<StateExport> {
        const r = await this.pulumiOk(["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])]);
        return JSON.parse(r.stdout) as StateExport;
    }

    dispose(): void {
        if (process.env.ENGINE_KEEP === "1") {
            process.stderr.write(`[engine] kept ${this.root}\n`);
            return;
        }
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

export interface StateResource {
    urn: string;
    type: string;
    custom?: boolean;
    protect?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

export interface StateExport {
    version: number;
    deployment: { resources?: StateResource[]; secrets_providers?: { type: string } };
}

/** The SDK's signature of a secret value in state and on the wire. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Every decrypted secret in a `--show-secrets` export: the plaintext of each secret envelope, JSON-decoded. */
export function secretPlaintexts(state: StateExport): unknown[] {
    const out: unknown[] = [];
    const walk = (v: unknown): void => {
        if (Array.isArray(v)) {
            v.forEach(walk);
        } else if (isObject(v)) {
            if (v[SIG_KEY] === SECRET_SIG && typeof v.plaintext === "string") {
                out.push(JSON.parse(v.plaintext));
                return;
            }
            Object.values(v).forEach(walk);
        }
    };
    walk(state.deployment.resources ?? []);
    return out;
}

/** Leaf strings of a value (a decrypted JSON string is searched as its fields as well). */
export function leafStrings(v: unknown): string[] {
    if (typeof v === "string") {
        try {
            const parsed: unknown = JSON.parse(v);
            if (isObject(parsed) || Array.isArray(parsed)) {
                return [v, ...leafStrings(parsed)];
            }
        } catch {
            // not JSON: a plain string
        }
        return [v];
    }
    if (Array.isArray(v)) return v.flatMap(leafStrings);
    if (isObject(v)) return Object.values(v).flatMap(leafStrings);
    return [];
}

/** The generated passwords in a decrypted export: the `password` field of every secret string of a SecretVersion. */
export function generatedPasswords(decrypted: StateExport): string[] {
    const out: string[] = [];
    for (const r of decrypted.deployment.resources ?? []) {
        if (r.type !== "aws:secretsmanager/secretVersion:SecretVersion") continue;
        for (const s of secretPlaintexts({ version: 3, deployment: { resources: [r] } }).flatMap(leafStrings)) {
            try {
                const parsed = JSON.parse(s) as { password?: unknown };
                if (typeof parsed.password === "string") out.push(parsed.password);
            } catch {
                // not a JSON secret string
            }
        }
    }
    return [...new Set(out)];
}

/** Protected resources of a state, by URN. */
export function protectedUrns(state: StateExport): string[] {
    return (state.deployment.resources ?? []).filter((r) => r.protect).map((r) => r.urn);
}

/** The result of one stack's run through the lane (what `npm run preview:engine` prints). */
export interface LaneStep {
    name: string;
    ok: boolean;
    ms: number;
    detail: string;
}

/** Secret values whose plaintext appears in the encrypted export (each with where it was found). */
export function plaintextLeaks(rawExport: string, secrets: string[]): string[] {
    // Short values (booleans, tiny numbers) would match by accident; what must not leak are real secrets.
    return [...new Set(secrets.filter((s) => s.length >= 8 && rawExport.includes(s)))];
}

/** Runs the whole lane for one stack of the platform program; returns the steps with their verdicts. */
export async function runStack(stack: string, cli: { dir: string }, verbose = false, secrets: string[] = []): Promise<LaneStep[]> {
    const steps: LaneStep[] = [];
    const step = (name: string, ok: boolean, ms: number, detail: string) => {
        steps.push({ name, ok, ms, detail });
        process.stderr.write(`[engine] ${ok ? "ok  " : "FAIL"} ${stack} ${name} (${(ms / 1000).toFixed(1)}s) ${detail}\n`);
    };
    const p = await EngineProject.create({ program: "platform", stack, cli, verbose, secrets });
    try {
        const bare = await p.preview();
        step("pulumi preview (no pack)", bare.code === 0, bare.ms, `exit ${bare.code}; ${JSON.stringify(changeCounts(bare))}${bare.code ? `\n${tail(bare)}` : ""}`);
        const pre = await p.preview(["--policy-pack", POLICY_PACK_DIR]);
        const v = violations(pre);
        const mandatory = v.filter((x) => x.enforcementLevel === "mandatory");
        step(
            "pulumi preview --policy-pack",
            pre.code === 0 && mandatory.length === 0,
            pre.ms,
            `exit ${pre.code}; ${mandatory.length} mandatory, ${v.length - mandatory.length} advisory${mandatory.map((m) => `\n  ${m.policyName} ${m.urn ?? ""}: ${m.message}`).join("")}${pre.code ? `\n${tail(pre)}` : ""}`,
        );
        const up = await p.pulumi(["up", "--yes", "--color", "never", "--suppress-progress", "--policy-pack", POLICY_PACK_DIR], { events: true });
        step("pulumi up --yes --policy-pack", up.code === 0, up.ms, `exit ${up.code}; ${JSON.stringify(changeCounts(up))}${up.code ? `\n${tail(up)}` : ""}`);
        if (up.code !== 0) {
            // Nothing was deployed: the state checks below would pass on an empty state, so they fail as not run.
            for (const name of ["pulumi preview --expect-no-changes", "pulumi stack export: no plaintext secret", ...(stack === "prod" ? ["pulumi destroy --yes refuses protected resources"] : [])]) {
                step(name, false, 0, "not run: pulumi up failed");
            }
            return steps;
        }
        const again = await p.pulumi(["preview", "--expect-no-changes", "--color", "never", "--suppress-progress"], { events: true });
        const changed = Object.entries(changeCounts(again)).filter(([op]) => op !== "same");
        step("pulumi preview --expect-no-changes", again.code === 0, again.ms, `exit ${again.code}; changes ${JSON.stringify(Object.fromEntries(changed))}${again.code ? `\n${tail(again)}` : ""}`);
        const raw = JSON.stringify(await p.exportState());
        const decrypted = await p.exportState(true);
        // What must never be readable: the configured secrets and the passwords generated for the platform. (Other
        // strings inside a secret, such as the user name next to a password, may legitimately appear elsewhere.)
        const configured = Object.values(p.secretValues);
        const passwords = generatedPasswords(decrypted);
        const leaks = plaintextLeaks(raw, [...configured, ...passwords]);
        step(
            "pulumi stack export: no plaintext secret",
            leaks.length === 0 && passwords.length > 0 && configured.every((v) => JSON.stringify(decrypted).includes(v)),
            0,
            `${configured.length} configured secret(s) (${Object.keys(p.secretValues).join(", ") || "none"}), ${passwords.length} generated password(s); ` +
                `in plain text: ${leaks.length}${leaks.map((l) => `\n  ${l}`).join("")}`,
        );
        if (stack === "prod") {
            const protectedBefore = protectedUrns(decrypted);
            const destroy = await p.pulumi(["destroy", "--yes", "--color", "never", "--suppress-progress"], { events: true });
            const output = destroy.stdout + destroy.stderr;
            const named = protectedBefore.filter((u) => output.includes(u));
            const kept = protectedUrns(await p.exportState());
            step(
                "pulumi destroy --yes refuses protected resources",
                destroy.code !== 0 && named.length > 0 && protectedBefore.every((u) => kept.includes(u)),
                destroy.ms,
                `exit ${destroy.code}; ${protectedBefore.length} protected, ${named.length} named in the refusal, ${kept.length} still in state`,
            );
        }
    } finally {
        p.dispose();
    }
    return steps;
}

/** The last lines of a command's output, for an error message. */
export function tail(r: PulumiResult, lines = 40): string {
    return (r.stdout + r.stderr).trim().split("\n").slice(-lines).join("\n");
}

/** `npm run preview:engine -- --stack dev|prod [--verbose]`. Exit 0 when every step passed. */
export async function main(argv: string[]): Promise<number> {
    const stacks: string[] = [];
    const secrets: string[] = [];
    let verbose = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stack") stacks.push(argv[++i] ?? "");
        else if (a.startsWith("--stack=")) stacks.push(a.slice(8));
        else if (a === "--secret") secrets.push(argv[++i] ?? "");
        else if (a.startsWith("--secret=")) secrets.push(a.slice(9));
        else if (a === "--verbose") verbose = true;
        else {
            process.stderr.write(`unknown argument '${a}'\nusage: npm run preview:engine -- --stack <dev|prod> [--stack ...] [--secret <key>]... [--verbose]\n`);
            return 64;
        }
    }
    if (stacks.length === 0 || stacks.some((s) => !/^[A-Za-z0-9_.-]+$/.test(s))) {
        process.stderr.write("usage: npm run preview:engine -- --stack <dev|prod> [--stack ...] [--secret <key>]... [--verbose]\n");
        return 64;
    }
    const cli = locateCli({ build: true });
    if (!cli.ok) {
        process.stderr.write(`[engine] cannot run the real engine: ${cli.reason}\n`);
        return 3;
    }
    process.stderr.write(`[engine] pulumi v${cli.version} from ${cli.dir}; providers: ${providerPlugins().map((p) => p.path).join(", ") || "none"}\n`);
    let failed = 0;
    for (const stack of stacks) {
        const steps = await runStack(stack, cli, verbose, secrets);
        for (const s of steps.filter((x) => !x.ok)) {
            failed++;
            process.stdout.write(`FAILED ${stack}: ${s.name}\n${s.detail}\n`);
        }
        process.stdout.write(`${stack}: ${steps.filter((s) => s.ok).length}/${steps.length} steps passed; ` + steps.map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)}s`).join(", ") + "\n");
    }
    return failed === 0 ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
            process.exit(2);
        },
    );
}
