import * as assert from "assert";
import { QueryCancelledError, QueryFailedError, QueryTimeoutError, runQuery } from "../../../apps/analytics-functions/athena-runner";
import { fakeClock, FakeAthena } from "./fake-athena";

const REQUEST = { sql: "SELECT 1 WHERE x = ?", executionParameters: ["'a'"], workgroup: "hdp-dev-analytics", database: "hdp_dev_inventory" };

describe("apps/analytics-functions/athena-runner", () => {
    it("starts the query in the workgroup with its execution parameters and polls with backoff", async () => {
        const athena = new FakeAthena({ states: ["QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"], columns: [{ name: "n", type: "bigint" }], rows: [["7"]] });
        const clock = fakeClock();
        const result = await runQuery(athena, REQUEST, { timeoutMs: 20_000, sleep: clock.sleep, now: () => clock.now().getTime() });
        assert.deepStrictEqual(athena.started, [
            { QueryString: REQUEST.sql, ExecutionParameters: ["'a'"], WorkGroup: "hdp-dev-analytics", QueryExecutionContext: { Database: "hdp_dev_inventory" } },
        ]);
        assert.deepStrictEqual(clock.slept, [250, 500, 1000]);
        assert.deepStrictEqual(result.rows, [{ n: 7 }]);
        assert.strictEqual(result.dataScannedBytes, 1024);
    });

    it("sends no ExecutionParameters for a query without placeholders (Athena rejects an empty list)", async () => {
        const athena = new FakeAthena({ columns: [{ name: "n", type: "integer" }], rows: [] });
        await runQuery(athena, { ...REQUEST, executionParameters: [] }, { timeoutMs: 1000, sleep: async () => undefined });
        assert.strictEqual(athena.started[0].ExecutionParameters, undefined);
    });

    it("skips the header row, types cells, keeps NULLs and big integers exact", async () => {
        const athena = new FakeAthena({
            columns: [{ name: "zone", type: "varchar" }, { name: "bytes", type: "bigint" }, { name: "ok", type: "boolean" }, { name: "gib", type: "double" }],
            rows: [["raw", "9007199254740993", "true", "1.5"], ["curated", undefined, "false", undefined]],
        });
        const result = await runQuery(athena, REQUEST, { timeoutMs: 1000, sleep: async () => undefined });
        assert.deepStrictEqual(result.rows, [
            { zone: "raw", bytes: "9007199254740993", ok: true, gib: 1.5 },
            { zone: "curated", bytes: null, ok: false, gib: null },
        ]);
    });

    it("follows result pages and truncates at maxRows", async () => {
        const rows = Array.from({ length: 25 }, (_, i) => [String(i)]);
        const athena = new FakeAthena({ columns: [{ name: "i", type: "integer" }], rows, pageSize: 10 });
        const all = await runQuery(athena, REQUEST, { timeoutMs: 1000, sleep: async () => undefined });
        assert.strictEqual(all.rows.length, 25);
        assert.strictEqual(all.truncated, false);
        assert.strictEqual(athena.resultCalls.length, 3);
        const capped = await runQuery(new FakeAthena({ columns: [{ name: "i", type: "integer" }], rows, pageSize: 10 }), REQUEST, { timeoutMs: 1000, maxRows: 12, sleep: async () => undefined });
        assert.deepStrictEqual([capped.rows.length, capped.truncated], [12, true]);
    });

    it("returns an empty result without rows or even a result set", async () => {
        const empty = await runQuery(new FakeAthena({ columns: [{ name: "n", type: "bigint" }], rows: [] }), REQUEST, { timeoutMs: 1000, sleep: async () => undefined });
        assert.deepStrictEqual([empty.rows, empty.truncated], [[], false]);
        const none = await runQuery(new FakeAthena({ noResultSet: true }), REQUEST, { timeoutMs: 1000, sleep: async () => undefined });
        assert.deepStrictEqual([none.rows, none.columns], [[], []]);
    });

    it("raises FAILED with Athena's error codes and CANCELLED with the bytes scanned, never the reason text (it can quote data)", async () => {
        const reason = "INVALID_CAST_ARGUMENT: Value cannot be cast to date: 'John Smith 1957-03-02'";
        await assert.rejects(
            runQuery(new FakeAthena({ states: ["RUNNING", "FAILED"], reason, errorType: 1006 }), REQUEST, { timeoutMs: 10_000, sleep: async () => undefined }),
            (err: unknown) => {
                assert.ok(err instanceof QueryFailedError);
                assert.deepStrictEqual([err.queryExecutionId, err.errorCategory, err.errorType, err.retryable], ["qe-1", 2, 1006, false]);
                // Nothing of the reason survives anywhere on the error (message, properties, stack).
                assert.ok(!JSON.stringify({ ...err, message: err.message, stack: err.stack }).includes("John Smith"));
                return true;
            },
        );
        await assert.rejects(
            runQuery(new FakeAthena({ states: ["CANCELLED"], reason: "Query exhausted bytes scanned limit of 'Jane Doe'", bytesScanned: 2048 }), REQUEST, { timeoutMs: 10_000, sleep: async () => undefined }),
            (err: unknown) => err instanceof QueryCancelledError && err.dataScannedBytes === 2048 && !JSON.stringify({ ...err, m: err.message }).includes("Jane Doe"),
        );
    });

    it("stops the query when polling fails with an SDK error, and rethrows that error even if the stop fails too", async () => {
        const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
        const athena = new FakeAthena({ states: ["RUNNING"], pollError: throttled, pollErrorFrom: 1 });
        await assert.rejects(runQuery(athena, REQUEST, { timeoutMs: 10_000, sleep: async () => undefined }), (err: unknown) => err === throttled);
        assert.deepStrictEqual([athena.polled.length, athena.stopped], [2, ["qe-1"]]);
        const both = new FakeAthena({ pollError: throttled, stopError: Object.assign(new Error("denied"), { name: "AccessDeniedException" }) });
        await assert.rejects(runQuery(both, REQUEST, { timeoutMs: 10_000, sleep: async () => undefined }), (err: unknown) => err === throttled);
        assert.deepStrictEqual(both.stopped, ["qe-1"]);
    });

    it("does not stop a query that already ended (FAILED, CANCELLED, SUCCEEDED)", async () => {
        for (const states of [["FAILED"], ["CANCELLED"], ["SUCCEEDED"]] as const) {
            const athena = new FakeAthena({ states: [...states], errorType: 1, columns: [{ name: "n", type: "bigint" }], rows: [] });
            await runQuery(athena, REQUEST, { timeoutMs: 10_000, sleep: async () => undefined }).catch(() => undefined);
            assert.deepStrictEqual(athena.stopped, [], states[0]);
        }
    });

    it("stops a query that outlives the timeout instead of letting it scan on", async () => {
        const athena = new FakeAthena({ states: ["RUNNING"] });
        const clock = fakeClock();
        await assert.rejects(
            runQuery(athena, REQUEST, { timeoutMs: 5000, sleep: clock.sleep, now: () => clock.now().getTime() }),
            (err: unknown) => err instanceof QueryTimeoutError && err.timeoutMs === 5000,
        );
        assert.deepStrictEqual(athena.stopped, ["qe-1"]);
        assert.ok(clock.slept.reduce((a, b) => a + b, 0) <= 5000);
    });
});
