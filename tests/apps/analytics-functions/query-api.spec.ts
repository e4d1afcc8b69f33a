import * as assert from "assert";
import { buildTemplates } from "../../../apps/analytics-functions/query-templates";
import { cacheKey, createQueryApiHandler, QueryApiDeps, QueryApiEvent, readQueryApiEnvironment } from "../../../apps/analytics-functions/query-api";
import { ResultCache } from "../../../apps/analytics-functions/resp-cache";
import { CTX, fakeClock, FakeAthena, FakeAthenaScript } from "./fake-athena";

const WORKGROUP = "hdp-dev-analytics";

function event(routeKey: string, opts: { queryId?: string; body?: unknown; rawBody?: string; claims?: Record<string, string> } = {}): QueryApiEvent {
    return {
        version: "2.0",
        routeKey,
        rawPath: opts.queryId ? `/queries/${opts.queryId}` : "/queries",
        rawQueryString: "",
        headers: {},
        isBase64Encoded: false,
        pathParameters: opts.queryId ? { queryId: opts.queryId } : undefined,
        body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
        requestContext: {
            accountId: "210987654321",
            apiId: "a1b2c3",
            domainName: "a1b2c3.execute-api.us-east-1.amazonaws.com",
            domainPrefix: "a1b2c3",
            http: { method: routeKey.split(" ")[0], path: "/queries", protocol: "HTTP/1.1", sourceIp: "10.40.1.5", userAgent: "test" },
            requestId: "req-1",
            routeKey,
            stage: "$default",
            time: "07/Mar/2025:10:00:00 +0000",
            timeEpoch: 0,
            authorizer: opts.claims ? { jwt: { claims: opts.claims, scopes: null } } : undefined,
        },
    };
}

class MemoryCache implements ResultCache {
    readonly store = new Map<string, { value: string; ttl: number }>();
    gets = 0;
    async get(key: string) {
        this.gets++;
        return this.store.get(key)?.value;
    }
    async set(key: string, value: string, ttl: number) {
        this.store.set(key, { value, ttl });
    }
}

function setup(script: FakeAthenaScript = {}, extra: Partial<QueryApiDeps> = {}) {
    const athena = new FakeAthena(script);
    const clock = fakeClock();
    const logs: Record<string, unknown>[] = [];
    const handler = createQueryApiHandler({ athena, templateContext: CTX, workgroup: WORKGROUP, queryTimeoutMs: 28_000, now: clock.now, sleep: clock.sleep, log: (e) => logs.push(e), ...extra });
    return { athena, handler, logs, clock };
}

const body = (res: { body?: string }) => JSON.parse(res.body ?? "null");

describe("apps/analytics-functions/query-api", () => {
    it("lists the allow-list with typed parameters and no SQL", async () => {
        const { handler } = setup();
        const res = await handler(event("GET /queries"));
        assert.strictEqual(res.statusCode, 200);
        const listed = body(res).queries;
        assert.strictEqual(listed.length, buildTemplates(CTX).length);
        const enc = listed.find((q: { id: string }) => q.id === "encounters-by-day");
        assert.deepStrictEqual(enc.parameters.map((p: { name: string; type: string }) => `${p.name}:${p.type}`), ["customer:customerId", "from:date", "to:date"]);
        assert.ok(!res.body?.includes("SELECT"));
        assert.strictEqual(res.headers?.["cache-control"], "no-store");
    });

    it("runs the template's SQL verbatim with the values only in ExecutionParameters", async () => {
        const { athena, handler } = setup({ columns: [{ name: "day", type: "date" }, { name: "encounters", type: "bigint" }, { name: "patients", type: "bigint" }], rows: [["2025-01-02", "40", "31"]] });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "encounters-by-day", body: { parameters: { customer: "st-marys", from: "2025-01-01", to: "2025-01-31" } } }));
        assert.strictEqual(res.statusCode, 200);
        const template = buildTemplates(CTX).find((t) => t.id === "encounters-by-day");
        assert.strictEqual(athena.started.length, 1);
        assert.strictEqual(athena.started[0].QueryString, template?.sql);
        assert.deepStrictEqual(athena.started[0].ExecutionParameters, ["'st-marys'", "CAST('2025-01-01' AS DATE)", "CAST('2025-01-31' AS DATE)"]);
        assert.strictEqual(athena.started[0].WorkGroup, WORKGROUP);
        assert.strictEqual(athena.started[0].QueryExecutionContext?.Database, "hdp_dev_curated");
        assert.deepStrictEqual(body(res), {
            queryId: "encounters-by-day",
            cached: false,
            columns: [{ name: "day", type: "date" }, { name: "encounters", type: "bigint" }, { name: "patients", type: "bigint" }],
            rows: [{ day: "2025-01-02", encounters: 40, patients: 31 }],
            rowCount: 1,
            truncated: false,
            queryExecutionId: "qe-1",
        });
    });

    it("rejects `' OR 1=1 --` with 400 and never calls Athena", async () => {
        const { athena, handler, logs } = setup();
        const res = await handler(event("POST /queries/{queryId}", { queryId: "objects-for-customer", body: { parameters: { customer: "' OR 1=1 --" } } }));
        assert.strictEqual(res.statusCode, 400);
        assert.deepStrictEqual(body(res), {
            error: "invalid_parameters",
            problems: ["customer: expected a customer id (1-32 lowercase letters, digits and inner hyphens), got '' OR 1=1 --'"],
        });
        assert.deepStrictEqual([athena.started.length, athena.polled.length], [0, 0]);
        // The rejected value is not written to the logs.
        assert.ok(!JSON.stringify(logs).includes("OR 1=1"));
    });

    it("passes a quote-bearing prefix only as one escaped ExecutionParameter, never in the SQL", async () => {
        const { athena, handler } = setup({ columns: [{ name: "storage_class", type: "varchar" }], rows: [] });
        const prefix = "a')OR('1'='1";
        const res = await handler(event("POST /queries/{queryId}", { queryId: "objects-under-prefix", body: { parameters: { zone: "curated", prefix } } }));
        assert.strictEqual(res.statusCode, 200);
        const sent = athena.started[0];
        assert.ok(!sent.QueryString?.includes(prefix) && !sent.QueryString?.includes("OR('1'"));
        assert.strictEqual(sent.QueryString, buildTemplates(CTX).find((t) => t.id === "objects-under-prefix")?.sql);
        assert.deepStrictEqual(sent.ExecutionParameters?.slice(1), ["'hdp-dev-curated-210987654321-us-east-1'", "'a'')OR(''1''=''1'"]);
    });

    it("answers an unknown query id with 404 and the allow-list", async () => {
        const { athena, handler } = setup();
        const res = await handler(event("POST /queries/{queryId}", { queryId: "select * from patients", body: {} }));
        assert.strictEqual(res.statusCode, 404);
        assert.strictEqual(body(res).error, "unknown_query");
        assert.ok(body(res).queries.includes("inventory-health"));
        assert.strictEqual(athena.started.length, 0);
    });

    it("answers malformed bodies with 400", async () => {
        const { handler } = setup();
        const bad = await handler(event("POST /queries/{queryId}", { queryId: "inventory-health", rawBody: "{not json" }));
        assert.deepStrictEqual([bad.statusCode, body(bad).problems], [400, ['body: expected JSON such as {"parameters": {"customer": "st-marys"}}']]);
        const arr = await handler(event("POST /queries/{queryId}", { queryId: "inventory-health", body: { parameters: ["x"] } }));
        assert.deepStrictEqual([arr.statusCode, body(arr).problems], [400, ["parameters: expected a JSON object of parameter names to string values"]]);
        const big = await handler(event("POST /queries/{queryId}", { queryId: "inventory-health", rawBody: JSON.stringify({ parameters: { since: "x".repeat(9000) } }) }));
        assert.strictEqual(big.statusCode, 400);
    });

    it("turns an Athena FAILED state into 502 without echoing Athena's reason", async () => {
        const { handler, logs } = setup({ states: ["RUNNING", "FAILED"], reason: "INVALID_CAST_ARGUMENT: Value cannot be cast: 'John Smith'", errorType: 1003 });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "inventory-health", body: {} }));
        assert.strictEqual(res.statusCode, 502);
        assert.deepStrictEqual(body(res), { error: "query_failed", message: "Athena could not run the query", queryExecutionId: "qe-1" });
        assert.ok(!res.body?.includes("John Smith"));
        assert.ok(logs.some((l) => l.event === "failed" && l.reason === "INVALID_CAST_ARGUMENT: Value cannot be cast: 'John Smith'"));
    });

    it("turns CANCELLED into 502 query_cancelled", async () => {
        const { handler } = setup({ states: ["CANCELLED"], reason: "bytes scanned limit" });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "storage-class-by-zone", body: {} }));
        assert.deepStrictEqual([res.statusCode, body(res).error], [502, "query_cancelled"]);
    });

    it("stops a query that would outlive API Gateway's timeout and answers 504", async () => {
        const { athena, handler } = setup({ states: ["RUNNING"] });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "storage-class-by-zone", body: {} }));
        assert.strictEqual(res.statusCode, 504);
        assert.strictEqual(body(res).error, "query_timeout");
        assert.deepStrictEqual(athena.stopped, ["qe-1"]);
    });

    it("serves an empty result as 200 with no rows", async () => {
        const { handler } = setup({ columns: [{ name: "zone", type: "varchar" }], rows: [] });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "unencrypted-objects", body: { parameters: { since: "2025-03-01" } } }));
        assert.strictEqual(res.statusCode, 200);
        assert.deepStrictEqual([body(res).rows, body(res).rowCount], [[], 0]);
    });

    it("refuses another customer's data, and unscoped queries, when the JWT pins the caller to a customer", async () => {
        const { athena, handler } = setup();
        const res = await handler(
            event("POST /queries/{queryId}", { queryId: "encounters-by-day", body: { parameters: { customer: "northside-clinic", from: "2025-01-01", to: "2025-01-31" } }, claims: { sub: "u1", customer: "st-marys" } }),
        );
        assert.deepStrictEqual([res.statusCode, body(res).error], [403, "forbidden"]);
        assert.strictEqual(athena.started.length, 0);
        const own = await handler(
            event("POST /queries/{queryId}", { queryId: "encounters-by-day", body: { parameters: { customer: "st-marys", from: "2025-01-01", to: "2025-01-31" } }, claims: { sub: "u1", customer: "st-marys" } }),
        );
        assert.strictEqual(own.statusCode, 200);
        const crossTenant = await handler(event("POST /queries/{queryId}", { queryId: "objects-by-customer", body: {}, claims: { sub: "u1", customer: "st-marys" } }));
        assert.deepStrictEqual([crossTenant.statusCode, body(crossTenant).message], [403, "this token is limited to one customer; this query is not customer-scoped"]);
        assert.strictEqual(athena.started.length, 1);
        // Without a customer claim (an internal analyst's token) every allow-listed query is open.
        const analyst = await handler(event("POST /queries/{queryId}", { queryId: "objects-by-customer", body: {}, claims: { sub: "analyst-7" } }));
        assert.strictEqual(analyst.statusCode, 200);
    });

    it("caches a result under a hashed key with the template's TTL and serves the next call from the cache", async () => {
        const cache = new MemoryCache();
        const { athena, handler } = setup({ columns: [{ name: "zone", type: "varchar" }], rows: [["raw"]] }, { cache });
        const req = () => event("POST /queries/{queryId}", { queryId: "objects-for-customer", body: { parameters: { customer: "st-marys", since: "2025-03-01" } } });
        const first = await handler(req());
        const second = await handler(req());
        assert.strictEqual(athena.started.length, 1);
        assert.deepStrictEqual([body(first).cached, body(second).cached], [false, true]);
        assert.deepStrictEqual(body(second).rows, [{ zone: "raw" }]);
        const key = cacheKey("objects-for-customer", { customer: "st-marys", since: "2025-03-01" }, WORKGROUP);
        assert.deepStrictEqual([...cache.store.keys()], [key]);
        assert.match(key, /^hdp:athena:v1:[0-9a-f]{64}$/);
        assert.strictEqual(cache.store.get(key)?.ttl, 3600);
    });

    it("answers from Athena when the cache fails (a miss, not an error)", async () => {
        const failing: ResultCache = { get: async () => undefined, set: async () => undefined };
        const { handler } = setup({ columns: [{ name: "n", type: "bigint" }], rows: [["1"]] }, { cache: failing });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "inventory-health", body: {} }));
        assert.strictEqual(res.statusCode, 200);
    });

    it("reads its settings from the environment and names a missing variable", async () => {
        assert.throws(() => readQueryApiEnvironment({ ATHENA_WORKGROUP: WORKGROUP, TEMPLATE_CONTEXT: JSON.stringify(CTX) }), /environment variable QUERY_TIMEOUT_MS is not set/);
        const env = readQueryApiEnvironment({ ATHENA_WORKGROUP: WORKGROUP, TEMPLATE_CONTEXT: JSON.stringify(CTX), QUERY_TIMEOUT_MS: "28000", CACHE_ENDPOINT: "c.example", CACHE_PORT: "6380", CACHE_NAME: "hdp-dev-cache", CACHE_USER_ID: "query-api", CACHE_SERVERLESS: "true" });
        assert.deepStrictEqual(env.cache, { host: "c.example", port: 6380, cacheName: "hdp-dev-cache", userId: "query-api", serverless: true });
        assert.deepStrictEqual(env.templateContext, CTX);
    });
});
