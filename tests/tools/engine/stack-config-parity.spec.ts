/**
 * Where the two engines disagree, the real one is right: the same stack files go through the real Pulumi CLI
 * (`pulumi preview`, whose config validation runs before any program) and through `preview:offline`'s reader
 * (tools/offline/stack-config.ts), and the verdicts are compared. When the CLI rejects a file, the offline reader
 * must reject it too, with the CLI's own sentence in its message; when the CLI accepts it, so must the offline one.
 *
 * The bad inputs are mutations of a small project (and the committed Pulumi.yaml with both committed stack files).
 * The program is a one-liner with no provider: only the configuration is under test here.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { EngineProject, locateCli, REPO_ROOT } from "../../../tools/engine/lane";
import { loadStackConfig } from "../../../tools/offline/stack-config";

type Doc = Record<string, unknown>;

const BASE_PROJECT: Doc = {
    name: "parity",
    runtime: { name: "nodejs", options: { typescript: true } },
    config: {
        region: { type: "string", default: "us-east-1" },
        replicas: { type: "integer", default: 2 },
        enabled: { type: "boolean", default: true },
        owners: { type: "array", items: { type: "string" }, default: [] },
        apiKey: { type: "string", secret: true, description: "Required secret: no default." },
    },
};

interface Case {
    name: string;
    /** Changes the project document (a deep copy of BASE_PROJECT). */
    project?: (p: Doc & { config: Record<string, Doc> }) => void;
    /** Changes the stack's config block; `secure` is a ciphertext the test stack can decrypt. */
    stack?: (config: Doc, secure: string) => void;
}

const CASES: Case[] = [
    { name: "the valid base files" },
    {
        name: "a secret key with a plain-text default (issue 11)",
        project: (p) => (p.config.dbPassword = { type: "string", secret: true, default: "" }),
    },
    { name: "a secret key set in plain text in the stack file", stack: (c) => (c["parity:apiKey"] = "plain-text-key") },
    { name: "an integer key given a word", stack: (c) => (c["parity:replicas"] = "many") },
    { name: "an integer key given a fraction", stack: (c) => (c["parity:replicas"] = 1.5) },
    { name: "an integer key given a quoted number", stack: (c) => (c["parity:replicas"] = "3") },
    { name: "a boolean key given 'yes'", stack: (c) => (c["parity:enabled"] = "yes") },
    { name: "an array key given a scalar", stack: (c) => (c["parity:owners"] = "team-a") },
    {
        name: "an array<integer> key given words",
        project: (p) => (p.config.ports = { type: "array", items: { type: "integer" }, default: [] }),
        stack: (c) => (c["parity:ports"] = ["http", "https"]),
    },
    { name: "a missing required key", stack: (c) => delete c["parity:apiKey"] },
    {
        name: "two missing required keys",
        project: (p) => (p.config.owner = { type: "string" }),
        stack: (c) => delete c["parity:apiKey"],
    },
    { name: "an undeclared key in the stack file", stack: (c) => (c["parity:undeclaredKey"] = "x") },
    { name: "a default of the wrong type", project: (p) => (p.config.replicas = { type: "integer", default: "two" }) },
    { name: "an array declared without items", project: (p) => (p.config.zones = { type: "array", default: [] }) },
    { name: "a key with both a default and a value", project: (p) => (p.config.region = { type: "string", default: "a", value: "b" }) },
    { name: "a typed key of another namespace", project: (p) => (p.config["aws:region"] = { type: "string", value: "us-east-1" }) },
    {
        name: "a type error and a plain-text secret together (the first in sorted key order wins)",
        stack: (c) => {
            c["parity:replicas"] = "many";
            c["parity:apiKey"] = "plain";
        },
    },
];

interface Verdict {
    accepted: boolean;
    message: string;
}

/** The CLI's own sentence: the last `error:` line, without the CLI's context prefixes. */
function cliSentence(output: string): string {
    const lines = output.split("\n").filter((l) => l.startsWith("error: "));
    const last = lines[lines.length - 1] ?? output.trim().split("\n").pop() ?? "";
    // Context the CLI puts before the sentence: "validating stack config: ", "could not unmarshal '<file>': ".
    return last.replace(/^error: /, "").replace(/^validating stack config: /, "").replace(/^could not unmarshal '[^']*': /, "");
}

function offlineVerdict(dir: string, stack: string): Verdict {
    try {
        loadStackConfig(dir, stack);
        return { accepted: true, message: "" };
    } catch (err) {
        return { accepted: false, message: (err as Error).message };
    }
}

function deepCopy<T>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}

describe("stack config parity: preview:offline rejects what the real CLI rejects, in the CLI's words", function () {
    this.timeout(600_000);
    const cli = locateCli({ build: process.env.CI === "true" });
    let project: EngineProject;
    let secure = "";
    let salt: string | undefined;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "parity-src-"));

    before(async function () {
        if (!cli.ok) {
            if (process.env.CI === "true") {
                throw new Error(`CI=true and no Pulumi CLI: ${cli.reason}`);
            }
            process.stdout.write(`      skipped: ${cli.reason}\n`);
            this.skip();
        }
        // The required secret is set below with `pulumi config set --secret`: its ciphertext is what the cases use.
        writeSource(scratch, BASE_PROJECT, {}, "test");
        project = await EngineProject.create({ program: { dir: scratch }, stack: "test", cli: cli.ok ? cli : { dir: "" } });
        await project.pulumiOk(["config", "set", "--secret", "parity:apiKey", "engine-parity-secret"]);
        const stackDoc = yaml.load(fs.readFileSync(path.join(project.projectDir, "Pulumi.test.yaml"), "utf8")) as Doc;
        secure = ((stackDoc.config as Doc)["parity:apiKey"] as { secure: string }).secure;
        salt = stackDoc.encryptionsalt as string | undefined;
    });

    after(() => {
        project?.dispose();
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    /** Writes Pulumi.yaml (main: index.ts), the stack file and the one-line program into `dir`. */
    function writeSource(dir: string, projectDoc: Doc, config: Doc, stack: string): void {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml.dump(projectDoc));
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yaml.dump({ ...(salt ? { encryptionsalt: salt } : {}), config }));
        fs.writeFileSync(path.join(dir, "index.ts"), 'export const ok = "config accepted";\n');
        if (!fs.existsSync(path.join(dir, "node_modules"))) {
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        }
    }

    /** Runs the files through the CLI: the generated project gets them (with `main` on the one-liner). */
    async function cliVerdict(projectDoc: Doc, stackFile: string, stack: string, init = false): Promise<Verdict> {
        const generated = { ...deepCopy(projectDoc), main: path.join(scratch, "index.ts") };
        fs.writeFileSync(path.join(project.projectDir, "Pulumi.yaml"), yaml.dump(generated));
        if (init) {
            // A stack belongs to the project named in Pulumi.yaml at `stack init` time.
            await project.pulumiOk(["stack", "init", stack, "--secrets-provider", "passphrase"]);
        }
        fs.copyFileSync(stackFile, path.join(project.projectDir, `Pulumi.${stack}.yaml`));
        const r = await project.pulumi(["preview", "--color", "never", "--suppress-progress", "--stack", stack]);
        const output = r.stdout + r.stderr;
        return r.code === 0 ? { accepted: true, message: "" } : { accepted: false, message: cliSentence(output) };
    }

    for (const c of CASES) {
        it(`${c.name}: same verdict`, async () => {
            const projectDoc = deepCopy(BASE_PROJECT) as Doc & { config: Record<string, Doc> };
            c.project?.(projectDoc);
            const config: Doc = { "parity:apiKey": { secure } };
            c.stack?.(config, secure);
            const dir = path.join(scratch, "case");
            fs.rmSync(dir, { recursive: true, force: true });
            writeSource(dir, projectDoc, config, "test");
            const real = await cliVerdict(projectDoc, path.join(dir, "Pulumi.test.yaml"), "test");
            const offline = offlineVerdict(dir, "test");
            process.stdout.write(`        CLI:     ${real.accepted ? "accepted" : real.message}\n        offline: ${offline.accepted ? "accepted" : offline.message}\n`);
            assert.strictEqual(offline.accepted, real.accepted, `the CLI ${real.accepted ? "accepts" : `rejects (${real.message})`}, the offline reader ${offline.accepted ? "accepts" : `rejects (${offline.message})`}`);
            if (!real.accepted) {
                assert.ok(offline.message.includes(real.message), `the offline message must carry the CLI's sentence\n  CLI:     ${real.message}\n  offline: ${offline.message}`);
            }
        });
    }

    for (const stack of ["dev", "prod"]) {
        it(`the committed Pulumi.yaml with Pulumi.${stack}.yaml: same verdict`, async () => {
            // Committed ciphertexts belong to the stack's own secrets provider: re-encrypted for the test passphrase.
            const projectDoc = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Doc;
            const stackDoc = yaml.load(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as Doc;
            const config = { ...((stackDoc.config as Doc) ?? {}) };
            for (const [k, v] of Object.entries(config)) {
                if (v && typeof v === "object" && typeof (v as Doc).secure === "string") {
                    config[k] = { secure };
                }
            }
            const dir = path.join(scratch, `committed-${stack}`);
            writeSource(dir, projectDoc, config, stack);
            // The stack file written above carries the test stack's salt, so the ciphertext decrypts in this stack too.
            const real = await cliVerdict(projectDoc, path.join(dir, `Pulumi.${stack}.yaml`), stack, true);
            const offline = offlineVerdict(dir, stack);
            process.stdout.write(`        CLI:     ${real.accepted ? "accepted" : real.message}\n        offline: ${offline.accepted ? "accepted" : offline.message}\n`);
            assert.strictEqual(offline.accepted, real.accepted, `the CLI ${real.accepted ? "accepts" : `rejects (${real.message})`}, the offline reader ${offline.accepted ? "accepts" : `rejects (${offline.message})`}`);
            if (!real.accepted) {
                assert.ok(offline.message.includes(real.message), `the offline message must carry the CLI's sentence\n  CLI:     ${real.message}\n  offline: ${offline.message}`);
            }
        });
    }
});
