/**
 * `ingest send` stopping and resuming, against kinesalite behind the fault-injecting proxy of ./emulators.ts: an
 * expired session from the Nth PutRecords call on, records throttled on their first send, and calls held while the
 * test interrupts the client. What Kinesis stored is read back from kinesalite after every run, so "no duplicate,
 * no loss" is checked on the stream, not on the client's own counts.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { runCli } from "../../../apps/ingest-client/cli";
import { createKinesisClient } from "../../../apps/ingest-client/clients";
import { ResumePoint } from "../../../apps/ingest-client/resume";
import { EMULATOR_CREDENTIALS, isPutRecords, kinesisBench, KinesisFaults, kinesisFaultHooks, Proxy, putRecordsEntries, readStream } from "./emulators";

class Capture {
    text = "";
    write(chunk: string): boolean {
        this.text += chunk;
        return true;
    }
}

interface Summary {
    total: number;
    succeeded: number;
    rejected: number;
    failed: number;
    startLine: number;
    deliveredInAllRuns: number;
    failures: { errorCode: string; errorMessage: string }[];
    resumePoint?: ResumePoint;
}

const PHI = "Jane Doe MRN 00012345";

describe("apps/ingest-client: ingest send stops and resumes (kinesalite + fault proxy)", function () {
    const bench = kinesisBench("resume-test", createKinesisClient);
    const newStream = () => bench.newStream();
    const proxyWith = (faults: KinesisFaults = {}) => bench.proxy(kinesisFaultHooks(faults));
    /** A JSONL file of `n` records `{"seq": i, ...}` (line i + 1 holds seq i). */
    const eventsFile = (name: string, n: number): { file: string; lines: string[] } => {
        const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ seq: i, type: "ADT^A01", body: `message ${i}` }));
        const file = path.join(bench.tmp, name);
        fs.writeFileSync(file, `${lines.join("\n")}\n`);
        return { file, lines };
    };
    const send = async (file: string, stream: string, proxy: Proxy, extra: string[] = [], signal?: AbortSignal) => {
        const stdout = new Capture();
        const stderr = new Capture();
        const code = await runCli(["send", file, "--stream", stream, "--customer", "st-marys", "--endpoint", proxy.endpoint, "--region", "us-east-1", ...extra], {
            stdout,
            stderr,
            signal,
            clientOptions: { credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 },
        });
        return { code, stdout: stdout.text, stderr: stderr.text, summary: stdout.text ? (JSON.parse(stdout.text) as Summary) : undefined };
    };
    /** Sequence numbers stored in the stream, sorted (duplicates kept). */
    const storedSeqs = async (stream: string) =>
        (await readStream(bench.direct, stream)).map((r) => (JSON.parse(r.data) as { seq: number }).seq).sort((a, b) => a - b);
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    const prefixHash = (lines: string[], count: number) => crypto.createHash("sha256").update(lines.slice(0, count).map((l) => `${l}\n`).join("")).digest("hex");
    const readPoint = (file: string) => JSON.parse(fs.readFileSync(`${file}.resume.json`, "utf8")) as ResumePoint;

    it("stops on expired credentials mid-file after the failing call, prints and writes the resume point, and exits 6", async () => {
        const stream = await newStream();
        const { file, lines } = eventsFile("expire.jsonl", 1203);
        const run = await send(file, stream, await proxyWith({ expireFromCall: 2 }));
        assert.strictEqual(run.code, 6, run.stderr);
        const resumeFile = `${file}.resume.json`;
        assert.strictEqual(
            run.stderr,
            "error: AWS credentials have expired (ExpiredTokenException). Refresh them (for example 'aws sso login' or re-assume the role) and retry.\n" +
                'stopped at line 501. 500 record(s) delivered in all runs, 0 rejected, 0 failed (see "failures").\n' +
                `resume point written to ${resumeFile}; continue with --resume-from 501 (same file, --stream and --customer).\n`,
        );
        const point = readPoint(file);
        assert.deepStrictEqual({ ...point, writtenAt: "" }, {
            format: "hdp-ingest-send-resume/1",
            stream,
            customer: "st-marys",
            nextLine: 501,
            byteOffset: Buffer.byteLength(lines.slice(0, 500).map((l) => `${l}\n`).join("")),
            prefixSha256: prefixHash(lines, 500),
            deliveredLines: [],
            inDoubtLines: [],
            delivered: 500,
            rejected: 0,
            failed: 0,
            stoppedBy: "ExpiredTokenException",
            writtenAt: "",
        });
        assert.deepStrictEqual(run.summary?.resumePoint?.nextLine, 501, "the point is printed on stdout too");
        assert.deepStrictEqual(await storedSeqs(stream), range(0, 500), "the first call's records were delivered, nothing after");
        assert.strictEqual((fs.statSync(resumeFile).mode & 0o777).toString(8), "600");

        // A plain re-run would send lines 1-500 again: it is refused while the resume point exists.
        const again = await send(file, stream, await proxyWith());
        assert.strictEqual(again.code, 2);
        assert.strictEqual(
            again.stderr,
            `error: ${resumeFile} holds the resume point of an interrupted send of this file (next line 501, 500 record(s) delivered). ` +
                "Pass --resume-from 501 to continue without duplicates, or delete the resume file to send the whole file again.\n",
        );
        const wrongLine = await send(file, stream, await proxyWith(), ["--resume-from", "500"]);
        assert.strictEqual(wrongLine.code, 2);
        assert.match(wrongLine.stderr, /^error: --resume-from 500 does not match the resume point in .*, which continues at line 501\n/);

        const proxy = await proxyWith();
        const resumed = await send(file, stream, proxy, ["--resume-from", "501"]);
        assert.strictEqual(resumed.code, 0, resumed.stderr);
        assert.strictEqual(resumed.summary?.startLine, 501);
        assert.strictEqual(resumed.summary?.total, 703);
        assert.strictEqual(resumed.summary?.deliveredInAllRuns, 1203);
        assert.deepStrictEqual(
            proxy.requests.filter(isPutRecords).map((r) => putRecordsEntries(r).map((e) => (JSON.parse(e.data.toString("utf8")) as { seq: number }).seq)),
            [range(500, 1000), range(1000, 1203)],
        );
        assert.deepStrictEqual(await storedSeqs(stream), range(0, 1203), "every record stored exactly once over both runs");
        assert.ok(!fs.existsSync(resumeFile), "a completed resume removes the resume point");
    });

    it("lists the lines of a partly delivered call in the resume point, and the resumed run sends only the others", async () => {
        const stream = await newStream();
        const { file } = eventsFile("partial.jsonl", 600);
        // Call 1: lines 1-500. Call 2: lines 501-600, seq 520 and 530 throttled. Call 3 (their retry): expired.
        const faulty = await proxyWith({ throttle: (data, n) => n === 1 && [520, 530].includes((JSON.parse(data.toString("utf8")) as { seq: number }).seq), expireFromCall: 3 });
        const run = await send(file, stream, faulty);
        assert.strictEqual(run.code, 6, run.stderr);
        const point = readPoint(file);
        assert.strictEqual(point.nextLine, 521);
        assert.deepStrictEqual(point.deliveredLines, range(522, 601).filter((l) => l !== 531));
        assert.strictEqual(point.delivered, 598);
        assert.match(run.stderr, /\nstopped at line 521; lines 522-530, 532-600 after it were delivered and will be skipped\. 598 record\(s\) delivered in all runs/);
        assert.deepStrictEqual(await storedSeqs(stream), range(0, 600).filter((s) => s !== 520 && s !== 530));

        const proxy = await proxyWith();
        const resumed = await send(file, stream, proxy, ["--resume-from", "521"]);
        assert.strictEqual(resumed.code, 0, resumed.stderr);
        assert.deepStrictEqual(
            proxy.requests.filter(isPutRecords).map((r) => putRecordsEntries(r).map((e) => (JSON.parse(e.data.toString("utf8")) as { seq: number }).seq)),
            [[520, 530]],
        );
        assert.strictEqual(resumed.summary?.deliveredInAllRuns, 600);
        assert.deepStrictEqual(await storedSeqs(stream), range(0, 600), "each record exactly once");
    });

    it("refuses a resume point for a file whose bytes before the point changed, or that is shorter, sending nothing", async () => {
        const stream = await newStream();
        const { file, lines } = eventsFile("edited.jsonl", 700);
        assert.strictEqual((await send(file, stream, await proxyWith({ expireFromCall: 2 }))).code, 6);
        const resumeFile = `${file}.resume.json`;
        const point = readPoint(file);
        // Same length, one digit changed on line 10: lines do not shift, but the file is not the one sent.
        const edited = [...lines];
        edited[9] = edited[9].replace("message 9", "message 8");
        fs.writeFileSync(file, `${edited.join("\n")}\n`);
        const proxy = await proxyWith();
        const changed = await send(file, stream, proxy, ["--resume-from", "501"]);
        assert.strictEqual(changed.code, 2);
        assert.strictEqual(
            changed.stderr,
            `error: --resume-from 501: ${file} is not the file the resume point in ${resumeFile} was written for ` +
                `(the SHA-256 of its first ${point.byteOffset} bytes differs). Resume with the original file, or delete the resume file to send this one from the start.\n`,
        );
        fs.writeFileSync(file, `${lines.slice(0, 100).join("\n")}\n`);
        const shorter = await send(file, stream, proxy, ["--resume-from", "501"]);
        assert.strictEqual(shorter.code, 2);
        assert.match(shorter.stderr, new RegExp(`\\(it has \\d+ bytes, the point is at byte ${point.byteOffset}\\)`));
        assert.strictEqual(proxy.requests.length, 0, "nothing was sent");
        assert.deepStrictEqual(readPoint(file), point, "the resume point is kept");
        // Appending after the point is fine (an export that grew).
        fs.writeFileSync(file, `${[...lines, JSON.stringify({ seq: 700, body: "late" })].join("\n")}\n`);
        const appended = await send(file, stream, await proxyWith(), ["--resume-from", "501"]);
        assert.strictEqual(appended.code, 0, appended.stderr);
        assert.deepStrictEqual(await storedSeqs(stream), range(0, 701));
    });

    it("honours an abort signal after the call in flight: that call's records are delivered, no further call is made, exit 130", async () => {
        const stream = await newStream();
        const { file } = eventsFile("abort.jsonl", 1203);
        const controller = new AbortController();
        let release: () => void = () => undefined;
        const proxy = await proxyWith({
            hold: (call) => {
                if (call !== 2) return undefined;
                controller.abort();
                return new Promise<void>((resolve) => (release = resolve));
            },
        });
        const running = send(file, stream, proxy, ["--resume-file", path.join(bench.tmp, "abort.point.json")], controller.signal);
        // The abort is already signalled while call 2 is held; the client must still wait for its answer.
        await new Promise((r) => setTimeout(r, 200));
        release();
        const run = await running;
        assert.strictEqual(run.code, 130, run.stderr);
        assert.match(run.stderr, /^interrupted: Stopped on request: the PutRecords call in flight finished and no further call was made\.\nstopped at line 1001\. 1000 record\(s\) delivered/);
        assert.strictEqual(proxy.requests.filter(isPutRecords).length, 2, "no call after the one in flight");
        assert.deepStrictEqual(await storedSeqs(stream), range(0, 1000));
        const point = JSON.parse(fs.readFileSync(path.join(bench.tmp, "abort.point.json"), "utf8")) as ResumePoint;
        assert.strictEqual(point.nextLine, 1001);
        assert.strictEqual(point.stoppedBy, "Interrupted");
        assert.ok(!fs.existsSync(`${file}.resume.json`), "--resume-file replaces the default place");

        const resumed = await send(file, stream, await proxyWith(), ["--resume-from", "1001", "--resume-file", path.join(bench.tmp, "abort.point.json")]);
        assert.strictEqual(resumed.code, 0, resumed.stderr);
        assert.deepStrictEqual(await storedSeqs(stream), range(0, 1203));
    });

    it("refuses a line over the limit by its number, without its content, and delivers the rest", async () => {
        const stream = await newStream();
        const file = path.join(bench.tmp, "long.jsonl");
        const long = JSON.stringify({ seq: 1, note: `${PHI} ${"x".repeat(2 * 1024 * 1024)}` });
        fs.writeFileSync(file, [JSON.stringify({ seq: 0 }), long, JSON.stringify({ seq: 2, note: "y".repeat(300) }), JSON.stringify({ seq: 3 })].join("\n"));
        const run = await send(file, stream, await proxyWith());
        assert.strictEqual(run.code, 7, run.stderr);
        assert.deepStrictEqual(run.summary?.failures.map((f) => [f.errorCode, f.errorMessage]), [["LineTooLong", "line 2: longer than the 1048576-byte line limit (--max-line-bytes); not read or sent"]]);
        assert.deepStrictEqual(await storedSeqs(stream), [0, 2, 3]);
        assert.ok(!run.stdout.includes("Jane") && !run.stderr.includes("Jane"));

        const limited = await send(file, await newStream(), await proxyWith(), ["--max-line-bytes", "200"]);
        assert.deepStrictEqual(limited.summary?.failures.map((f) => f.errorMessage), [
            "line 2: longer than the 200-byte line limit (--max-line-bytes); not read or sent",
            "line 3: longer than the 200-byte line limit (--max-line-bytes); not read or sent",
        ]);
        const bad = await send(file, stream, await proxyWith(), ["--max-line-bytes", "2000000"]);
        assert.strictEqual(bad.code, 2);
        assert.match(bad.stderr, /^error: --max-line-bytes must be an integer from 1 to 1048576, got '2000000'\n/);
    });

    it("names a line that is not JSON by number and error class, never quoting it (nor another customer's id)", async () => {
        const stream = await newStream();
        const file = path.join(bench.tmp, "phi.jsonl");
        fs.writeFileSync(file, [JSON.stringify({ seq: 0 }), PHI, `{"seq": 2, "name": "${PHI}"`, JSON.stringify({ seq: 3, customer: PHI }), "[1, 2]"].join("\n"));
        const run = await send(file, stream, await proxyWith());
        assert.strictEqual(run.code, 7, run.stderr);
        assert.deepStrictEqual(run.summary?.failures.map((f) => [f.errorCode, f.errorMessage]), [
            ["InvalidJson", "line 2: not JSON (SyntaxError)"],
            ["InvalidJson", "line 3: not JSON (SyntaxError)"],
            ["CustomerMismatch", "line 4: the record names another customer than --customer 'st-marys' (each customer has its own stream)"],
            ["NotAnObject", "line 5: not a JSON object"],
        ]);
        assert.strictEqual(run.stderr, `error: ${file}: 0 record(s) failed and 4 were rejected of 5; see "failures" in the summary (by line number)\n`);
        for (const out of [run.stdout, run.stderr]) {
            assert.ok(!out.includes("Jane") && !out.includes("00012345"), out);
        }
        assert.deepStrictEqual(await storedSeqs(stream), [0]);
    });
});
