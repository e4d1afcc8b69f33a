/**
 * The `ingest` program itself: signals (run as a child process, as an operator would, with PutRecords calls held by
 * the proxy so the signal lands while a call is in flight) and the --endpoint rule.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ChildProcess, spawn } from "child_process";
import { runCli } from "../../../apps/ingest-client/cli";
import { checkEndpoint, createKinesisClient, createS3Client, isLoopbackHost } from "../../../apps/ingest-client/clients";
import { ResumePoint } from "../../../apps/ingest-client/resume";
import { ROOT } from "../../support/platform";
import { EMULATOR_CREDENTIALS, isPutRecords, kinesisBench, kinesisFaultHooks, readStream } from "./emulators";

class Capture {
    text = "";
    write(chunk: string): boolean {
        this.text += chunk;
        return true;
    }
}

const CLI = path.join(ROOT, "apps", "ingest-client", "cli.ts");
const LOOPBACK_RULE = "plain http:// is allowed only for a loopback host (localhost, 127.0.0.0/8, ::1)";

interface Child {
    proc: ChildProcess;
    stderr: () => string;
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[]): Child {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    const proc = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", CLI, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    proc.stderr?.on("data", (c: Buffer) => (err += c.toString("utf8")));
    proc.stdout?.resume();
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
    return { proc, stderr: () => err, exit };
}

async function until(what: string, test: () => boolean, ms = 60000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

describe("apps/ingest-client: the ingest program", function () {
    const bench = kinesisBench("cli-test", createKinesisClient);

    /** A stream, a 1203-line file, and a proxy that holds PutRecords call 2 until released. */
    const setup = async (name: string) => {
        const stream = await bench.newStream();
        const file = path.join(bench.tmp, `${name}.jsonl`);
        fs.writeFileSync(file, `${Array.from({ length: 1203 }, (_, i) => JSON.stringify({ seq: i })).join("\n")}\n`);
        let held = false;
        let release: () => void = () => undefined;
        const proxy = await bench.proxy(
            kinesisFaultHooks({
                hold: (call) => {
                    if (call !== 2) return undefined;
                    held = true;
                    return new Promise<void>((resolve) => {
                        release = resolve;
                        bench.beforeTeardown(resolve);
                    });
                },
            }),
        );
        const args = ["send", file, "--stream", stream, "--customer", "st-marys", "--endpoint", proxy.endpoint];
        return { stream, file, proxy, args, isHeld: () => held, release: () => release() };
    };
    const storedCount = async (stream: string) => (await readStream(bench.direct, stream)).length;

    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        it(`stops 'ingest send' on the first ${signal} after the call in flight, writes the resume point and exits 130`, async () => {
            const s = await setup(`first-${signal}`);
            const child = startCli(s.args);
            await until("PutRecords call 2", s.isHeld);
            child.proc.kill(signal);
            await until("the interrupt message", () => child.stderr().includes(`${signal}: finishing the request in flight`));
            s.release();
            const { code } = await child.exit;
            assert.strictEqual(code, 130, child.stderr());
            assert.match(child.stderr(), /\ninterrupted: Stopped on request: the PutRecords call in flight finished and no further call was made\.\nstopped at line 1001\. 1000 record\(s\) delivered in all runs/);
            assert.strictEqual(s.proxy.requests.filter(isPutRecords).length, 2);
            assert.strictEqual(await storedCount(s.stream), 1000, "the call in flight was finished, nothing after it was sent");
            const point = JSON.parse(fs.readFileSync(`${s.file}.resume.json`, "utf8")) as ResumePoint;
            assert.deepStrictEqual([point.nextLine, point.delivered, point.stoppedBy], [1001, 1000, "Interrupted"]);
        });
    }

    it("exits at once on a second Ctrl-C, printing the lines in flight as in doubt and writing the last known point", async () => {
        const s = await setup("second");
        const child = startCli(s.args);
        await until("PutRecords call 2", s.isHeld);
        child.proc.kill("SIGINT");
        await until("the interrupt message", () => child.stderr().includes("SIGINT: finishing the request in flight"));
        child.proc.kill("SIGINT");
        const { code, signal } = await child.exit;
        assert.deepStrictEqual({ code, signal }, { code: 130, signal: null }, child.stderr());
        assert.match(
            child.stderr(),
            /\nforced exit: 500 record\(s\) \(lines 501-1000\) were in flight; Kinesis may have stored them, and resuming sends them again \(possible duplicates\)\.\nstopped at line 501\. 500 record\(s\) delivered in all runs, 0 rejected, 0 failed/,
        );
        const point = JSON.parse(fs.readFileSync(`${s.file}.resume.json`, "utf8")) as ResumePoint;
        assert.deepStrictEqual([point.nextLine, point.delivered, point.stoppedBy, point.inDoubtLines.length, point.inDoubtLines[0], point.inDoubtLines[499]], [501, 500, "Forced", 500, 501, 1000]);
        s.release();
    });

    describe("--endpoint", () => {
        it("accepts https anywhere and plain http only to loopback hosts", () => {
            for (const ok of ["https://kinesis.us-east-1.amazonaws.com", "https://vpce-0abc.kinesis.us-east-1.vpce.amazonaws.com", "http://127.0.0.1:4567", "http://127.255.255.254", "http://127.1:80", "http://[::1]:4568", "http://localhost:4569", "http://LOCALHOST."]) {
                assert.doesNotThrow(() => checkEndpoint(ok), ok);
            }
            for (const bad of ["http://10.0.0.5:4567", "http://0.0.0.0:4567", "http://128.0.0.1", "http://[::2]", "http://[::ffff:127.0.0.1]", "http://127.0.0.1.nip.io", "http://localhost.example.com", "http://kinesis.us-east-1.amazonaws.com"]) {
                assert.throws(() => checkEndpoint(bad, "--endpoint"), { message: new RegExp(`^--endpoint must use https://; ${LOOPBACK_RULE.replace(/[.()/]/g, "\\$&")}, got host '`) }, bad);
            }
            assert.throws(() => checkEndpoint("ftp://127.0.0.1", "--endpoint"), { message: "--endpoint must be an http(s) URL, got 'ftp://127.0.0.1'" });
            assert.deepStrictEqual(["127.0.0.1", "[::1]", "localhost", "10.0.0.1", "[::ffff:7f00:1]"].map(isLoopbackHost), [true, true, true, false, false]);
        });

        it("refuses plain http to another host as a usage error naming the flag, before reading the file or connecting", async () => {
            const file = path.join(bench.tmp, "endpoint.jsonl");
            fs.writeFileSync(file, `${JSON.stringify({ seq: 1 })}\n`);
            for (const args of [
                ["send", file, "--stream", "s", "--customer", "st-marys", "--endpoint", "http://0.0.0.0:1"],
                ["upload", file, "--bucket", "hdp-dev-landing-210987654321-us-east-1", "--customer", "st-marys", "--kms-key-id", "arn:aws:kms:us-east-1:210987654321:key/00000001-aaaa-4bbb-8ccc-000000000009", "--endpoint", "http://0.0.0.0:1"],
            ]) {
                const stderr = new Capture();
                const code = await runCli([...args, "--region", "us-east-1"], { stdout: new Capture(), stderr, clientOptions: { credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 } });
                assert.strictEqual(code, 2, stderr.text);
                assert.ok(stderr.text.startsWith(`error: --endpoint must use https://; ${LOOPBACK_RULE}, got host '0.0.0.0'\n\nUsage:`), stderr.text);
            }
            // The library refuses it too.
            assert.throws(() => createKinesisClient({ endpoint: "http://10.1.2.3:4567" }), { message: `endpoint must use https://; ${LOOPBACK_RULE}, got host '10.1.2.3'` });
            assert.throws(() => createS3Client({ endpoint: "http://s3.example.com" }), { message: `endpoint must use https://; ${LOOPBACK_RULE}, got host 's3.example.com'` });
        });
    });
});
