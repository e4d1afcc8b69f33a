/**
 * putRecords and `ingest send` against a real Kinesis emulator (kinesalite) on loopback. kinesalite enforces
 * PutRecords' 500-record and 1 MiB-per-record limits itself; the proxy of ./emulators.ts records each call (for the
 * 5 MiB-per-call limit, which kinesalite does not check) and throttles chosen records the way a hot shard does.
 * After each run the stream is read back, so "delivered exactly once" is checked on what Kinesis stored.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { runCli } from "../../../apps/ingest-client/cli";
import { createKinesisClient } from "../../../apps/ingest-client/clients";
import { explainAwsError, IngestionError } from "../../../apps/ingest-client/errors";
import { backoffDelay, KINESIS_MAX_BYTES_PER_CALL, putRecords } from "../../../apps/ingest-client/records";
import { createStream, EMULATOR_CREDENTIALS, EXPIRED_CREDENTIALS, Emulator, isPutRecords, kinesisHooks, Proxy, putRecordsEntries, readStream, startKinesalite, startProxy } from "./emulators";

interface Event {
    customer: string;
    seq: number;
    body: string;
}

class Capture {
    text = "";
    write(chunk: string): boolean {
        this.text += chunk;
        return true;
    }
}

describe("apps/ingest-client: putRecords against kinesalite", function () {
    let kinesalite: Emulator;
    let direct: KinesisClient;
    let streams = 0;
    const proxies: Proxy[] = [];
    const newStream = async () => {
        const name = `ingest-test-${++streams}`;
        await createStream(direct, name);
        return name;
    };
    const viaProxy = async (throttle?: (data: Buffer, send: number) => boolean) => {
        const proxy = await startProxy(kinesalite.port, kinesisHooks(throttle));
        proxies.push(proxy);
        return { proxy, kinesis: createKinesisClient({ region: "us-east-1", endpoint: proxy.endpoint, credentials: EMULATOR_CREDENTIALS }) };
    };
    const events = (n: number, customers = ["st-marys", "northside-clinic", "lakeview-hospital"]): Event[] =>
        Array.from({ length: n }, (_, i) => ({ customer: customers[i % customers.length], seq: i, body: `ADT^A01 message ${i}` }));

    before(async () => {
        kinesalite = await startKinesalite();
        direct = createKinesisClient({ region: "us-east-1", endpoint: kinesalite.endpoint, credentials: EMULATOR_CREDENTIALS });
    });
    after(async () => {
        direct.destroy();
        await Promise.all(proxies.map((p) => p.close()));
        await kinesalite.close();
    });

    it("sends 1203 records in calls of at most 500, partitioned by customer, each stored exactly once", async () => {
        const stream = await newStream();
        const { proxy, kinesis } = await viaProxy();
        const summary = await putRecords({ stream, records: events(1203), customerOf: (e) => e.customer }, { kinesis });
        assert.deepStrictEqual(summary, { stream, total: 1203, succeeded: 1203, failed: 0, rejected: 0, calls: 3, retriedSends: 0, failures: [] });
        assert.deepStrictEqual(proxy.requests.filter(isPutRecords).map((r) => putRecordsEntries(r).length), [500, 500, 203]);
        const stored = await readStream(direct, stream);
        assert.strictEqual(stored.length, 1203);
        const seqs = stored.map((r) => (JSON.parse(r.data) as Event).seq).sort((a, b) => a - b);
        assert.deepStrictEqual(seqs, Array.from({ length: 1203 }, (_, i) => i));
        for (const r of stored) assert.strictEqual(r.partitionKey, (JSON.parse(r.data) as Event).customer);
        kinesis.destroy();
    });

    it("keeps every call within 5 MiB of data and partition keys, and rejects a record over 1 MiB without sending it", async () => {
        const stream = await newStream();
        const { proxy, kinesis } = await viaProxy();
        const big = (i: number) => ({ customer: "st-marys", seq: i, body: "x".repeat(900 * 1024) });
        const records = [...Array.from({ length: 6 }, (_, i) => big(i)), { customer: "st-marys", seq: 99, body: "y".repeat(1024 * 1024) }];
        const summary = await putRecords({ stream, records, customerOf: (e) => e.customer }, { kinesis });
        assert.strictEqual(summary.succeeded, 6);
        assert.strictEqual(summary.rejected, 1);
        assert.deepStrictEqual(summary.failures.map((f) => [f.index, f.errorCode]), [[6, "RecordTooLarge"]]);
        assert.match(summary.failures[0].errorMessage, /^record is 10\d{5} bytes with its partition key; Kinesis accepts at most 1048576$/);
        const calls = proxy.requests.filter(isPutRecords).map(putRecordsEntries);
        // 5 x 900 KiB fit in 5 MiB, a sixth would not.
        assert.deepStrictEqual(calls.map((c) => c.length), [5, 1]);
        for (const c of calls) {
            assert.ok(c.reduce((n, e) => n + e.data.length + Buffer.byteLength(e.partitionKey), 0) <= KINESIS_MAX_BYTES_PER_CALL);
        }
        assert.ok(!calls.flat().some((e) => e.data.includes("yyyy")), "the oversized record was never sent");
        assert.strictEqual((await readStream(direct, stream)).length, 6);
        kinesis.destroy();
    });

    it("retries only the throttled records, with exponential backoff and full jitter, and reports what never got through", async () => {
        const stream = await newStream();
        // Records 3, 7 and 11 are throttled twice, record 5 on every send; everything else goes through at once.
        const { proxy, kinesis } = await viaProxy((data, send) => {
            const seq = (JSON.parse(data.toString("utf8")) as Event).seq;
            return seq === 5 || ([3, 7, 11].includes(seq) && send <= 2);
        });
        const delays: number[] = [];
        const summary = await putRecords(
            { stream, records: events(20), customerOf: (e) => e.customer, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 },
            { kinesis, sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
        );
        assert.strictEqual(summary.succeeded, 19);
        assert.strictEqual(summary.failed, 1);
        assert.deepStrictEqual(summary.failures.map((f) => [f.index, f.errorCode]), [[5, "ProvisionedThroughputExceededException"]]);
        assert.strictEqual(summary.calls, 4);
        // Sends beyond the first: record 5 three times, records 3, 7 and 11 twice each.
        assert.strictEqual(summary.retriedSends, 3 + 3 * 2);
        const sent = proxy.requests.filter(isPutRecords).map((r) => putRecordsEntries(r).map((e) => (JSON.parse(e.data.toString("utf8")) as Event).seq));
        assert.deepStrictEqual(sent, [Array.from({ length: 20 }, (_, i) => i), [3, 5, 7, 11], [3, 5, 7, 11], [5]]);
        // Full jitter: random(0.5) x min(cap 300, 100 x 2^attempt) = 100, 150, 150.
        assert.deepStrictEqual(delays, [100, 150, 150]);
        const stored = (await readStream(direct, stream)).map((r) => (JSON.parse(r.data) as Event).seq).sort((a, b) => a - b);
        assert.deepStrictEqual(stored, Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 5), "each delivered record is stored once");
        kinesis.destroy();
    });

    it("computes full-jitter delays within [0, min(cap, base * 2^retry))", async () => {
        assert.deepStrictEqual([1, 2, 3, 4, 10].map((r) => backoffDelay(r, 100, 1000, () => 0.999)), [199, 399, 799, 999, 999]);
        assert.deepStrictEqual([1, 5].map((r) => backoffDelay(r, 100, 1000, () => 0)), [0, 0]);
    });

    it("rejects records whose customer is not a customer id, without sending them", async () => {
        const stream = await newStream();
        const { proxy, kinesis } = await viaProxy();
        const records = [...events(3), { customer: "St Marys", seq: 3, body: "" }, { customer: "", seq: 4, body: "" }];
        const summary = await putRecords({ stream, records, customerOf: (e) => e.customer }, { kinesis });
        assert.strictEqual(summary.succeeded, 3);
        assert.deepStrictEqual(summary.failures.map((f) => [f.index, f.errorCode]), [[3, "InvalidCustomer"], [4, "InvalidCustomer"]]);
        assert.strictEqual(proxy.requests.filter(isPutRecords).flatMap(putRecordsEntries).length, 3);
        kinesis.destroy();
    });

    it("says the stream was not found (kinesalite's ResourceNotFoundException), without retrying", async () => {
        const { proxy, kinesis } = await viaProxy();
        await assert.rejects(putRecords({ stream: "no-such-stream", records: events(2), customerOf: (e) => e.customer }, { kinesis }), (err: IngestionError) => {
            assert.strictEqual(err.kind, "not-found");
            assert.strictEqual(err.exitCode, 4);
            assert.match(err.message, /^Stream 'no-such-stream' was not found \(check --stream, the region and the account\): /);
            return true;
        });
        assert.strictEqual(proxy.requests.filter(isPutRecords).length, 1);
        kinesis.destroy();
    });

    it("says the credentials expired (ExpiredTokenException)", async () => {
        const { proxy } = await viaProxy();
        const kinesis = createKinesisClient({ region: "us-east-1", endpoint: proxy.endpoint, credentials: EXPIRED_CREDENTIALS, maxAttempts: 1 });
        await assert.rejects(putRecords({ stream: "any", records: events(1), customerOf: (e) => e.customer }, { kinesis }), {
            message: "AWS credentials have expired (ExpiredTokenException). Refresh them (for example 'aws sso login' or re-assume the role) and retry.",
        });
        kinesis.destroy();
    });

    it("explains the stream's KMS errors as KMS problems", async () => {
        const err = explainAwsError({ name: "KMSAccessDeniedException", message: "User is not authorized to perform kms:GenerateDataKey" }, { stream: "s" });
        assert.strictEqual(err.kind, "kms");
        assert.match(err.message, /^The stream's KMS key cannot be used for stream 's' \(KMSAccessDeniedException\)/);
    });

    describe("ingest send (CLI)", () => {
        let tmp: string;
        before(() => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-send-"));
        });
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("sends a JSONL file to one customer's stream by a nested customer field, sets the top-level customer, and exits 7 listing bad lines", async () => {
            const stream = await newStream();
            const { proxy } = await viaProxy();
            const file = path.join(tmp, "events.jsonl");
            const lines = [
                JSON.stringify({ meta: { tenant: "st-marys" }, type: "ADT^A01", id: 1 }),
                "",
                JSON.stringify({ meta: { tenant: "northside-clinic" }, type: "ORU^R01", id: 2 }),
                "{not json",
                JSON.stringify({ meta: { tenant: "st-marys" }, customer: "northside-clinic", id: 4 }),
                JSON.stringify({ meta: {}, id: 5 }),
                JSON.stringify({ meta: { tenant: 7 }, id: 6 }),
            ];
            fs.writeFileSync(file, `${lines.join("\n")}\n`);
            const stdout = new Capture();
            const stderr = new Capture();
            const code = await runCli(["send", file, "--stream", stream, "--customer", "st-marys", "--customer-field", "meta.tenant", "--endpoint", proxy.endpoint, "--region", "us-east-1"], {
                stdout,
                stderr,
                clientOptions: { credentials: EMULATOR_CREDENTIALS },
            });
            assert.strictEqual(code, 7, stderr.text);
            const summary = JSON.parse(stdout.text) as { total: number; succeeded: number; rejected: number; failures: { errorCode: string; errorMessage: string }[] };
            assert.strictEqual(summary.total, 6);
            assert.strictEqual(summary.succeeded, 2);
            assert.strictEqual(summary.rejected, 4);
            assert.deepStrictEqual(
                summary.failures.map((f) => [f.errorCode, f.errorMessage.replace(/\(.*\)$/, "(...)")]),
                [
                    ["CustomerMismatch", "line 3: the record names another customer than --customer 'st-marys' (...)"],
                    ["InvalidJson", "line 4: not JSON (...)"],
                    ["InvalidCustomer", "line 5: 'customer' and 'meta.tenant' disagree"],
                    ["InvalidCustomer", "line 7: field 'meta.tenant' is not a string"],
                ],
            );
            assert.strictEqual(stderr.text, `error: ${file}: 0 record(s) failed and 4 were rejected of 6; see "failures" in the summary (by line number)\n`);
            const stored = await readStream(direct, stream);
            assert.deepStrictEqual(
                stored.map((r) => [r.partitionKey, (JSON.parse(r.data) as { customer: string; id: number }).customer, (JSON.parse(r.data) as { id: number }).id]).sort((a, b) => Number(a[2]) - Number(b[2])),
                [
                    ["st-marys", "st-marys", 1],
                    ["st-marys", "st-marys", 5],
                ],
            );
        });

        it("requires --customer, a customer id, before reading the file or reaching the network", async () => {
            const file = path.join(tmp, "two.jsonl");
            fs.writeFileSync(file, `${JSON.stringify({ customer: "st-marys" })}\n`);
            const missing = new Capture();
            assert.strictEqual(await runCli(["send", file, "--stream", "x"], { stdout: new Capture(), stderr: missing }), 2);
            assert.match(missing.text, /^error: --customer is required\n/);
            const bad = new Capture();
            assert.strictEqual(await runCli(["send", file, "--stream", "x", "--customer", "St Marys"], { stdout: new Capture(), stderr: bad }), 2);
            assert.match(bad.text, /^error: --customer must be a customer id \(1-32 lowercase letters, digits and inner hyphens\), got 'St Marys'\n/);
        });

        it("exits 4 for a missing stream and 3 for a missing file", async () => {
            const { proxy } = await viaProxy();
            const file = path.join(tmp, "one.jsonl");
            fs.writeFileSync(file, `${JSON.stringify({ customer: "st-marys" })}\n`);
            const stderr = new Capture();
            const io = { stdout: new Capture(), stderr, clientOptions: { credentials: EMULATOR_CREDENTIALS } };
            assert.strictEqual(await runCli(["send", file, "--stream", "nope", "--customer", "st-marys", "--endpoint", proxy.endpoint, "--region", "us-east-1"], io), 4);
            assert.match(stderr.text, /^error: Stream 'nope' was not found/);
            const missing = new Capture();
            assert.strictEqual(await runCli(["send", path.join(tmp, "none.jsonl"), "--stream", "x", "--customer", "st-marys"], { stdout: new Capture(), stderr: missing }), 3);
            assert.strictEqual(missing.text, `error: File not found: ${path.join(tmp, "none.jsonl")}\n`);
        });
    });
});
