import * as assert from "assert";
import { buildTemplates } from "../../../apps/analytics-functions/query-templates";
import { cacheKey, createQueryApiHandler, QueryApiDeps, QueryApiEvent, readQueryApiEnvironment } from "../../../apps/analytics-functions/query-api";
import { JwtAuthPolicy, RoleTagsApi } from "../../../apps/analytics-functions/caller-auth";
import { ResultCache } from "../../../apps/analytics-functions/resp-cache";
import { CTX, fakeClock, FakeAthena, FakeAthenaScript } from "./fake-athena";

const WORKGROUP = "hdp-dev-analytics";
const ACCOUNT = "210987654321";
const TENANT_SCOPE = "hdp-api/tenant";
const ANALYST_SCOPE = "hdp-api/analyst";
const JWT_POLICY: JwtAuthPolicy = { mode: "JWT", customerClaim: "customer", tenantScope: TENANT_SCOPE, analystScope: ANALYST_SCOPE };
/** An analyst's token: what the tests that are not about authorisation call with. */
const ANALYST = { claims: { sub: "analyst-7" }, scopes: [ANALYST_SCOPE] };
const TENANT = (customer: unknown, sub = "u1") => ({ claims: { sub, customer }, scopes: [TENANT_SCOPE] });

type Caller = { claims: Record<string, unknown>; scopes?: string[] | null } | { iam: { userArn?: string; accountId?: string } } | "none";

function event(routeKey: string, opts: { queryId?: string; body?: unknown; rawBody?: string; as?: Caller } = {}): QueryApiEvent {
    const as = opts.as ?? ANALYST;
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
            accountId: ACCOUNT,
            apiId: "a1b2c3",
            domainName: "a1b2c3.execute-api.us-east-1.amazonaws.com",
            domainPrefix: "a1b2c3",
            http: { method: routeKey.split(" ")[0], path: "/queries", protocol: "HTTP/1.1", sourceIp: "10.40.1.5", userAgent: "test" },
            requestId: "req-1",
            routeKey,
            stage: "$default",
            time: "07/Mar/2025:10:00:00 +0000",
            timeEpoch: 0,
            authorizer: as === "none" ? undefined : "iam" in as ? { iam: as.iam } : { jwt: { claims: as.claims, scopes: as.scopes ?? null } },
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

/** IAM as ListRoleTags answers it: tags per role name, or an error (named as the SDK names them). */
class FakeIam implements RoleTagsApi {
    readonly calls: string[] = [];
    constructor(private readonly roles: Record<string, { Key: string; Value: string }[] | Error>) {}
    async listRoleTags(input: { RoleName: string }) {
        this.calls.push(input.RoleName);
        const r = this.roles[input.RoleName];
        if (r === undefined) throw Object.assign(new Error(`The role with name ${input.RoleName} cannot be found.`), { name: "NoSuchEntityException" });
        if (r instanceof Error) throw r;
        return { Tags: r, IsTruncated: false };
    }
}

function setup(script: FakeAthenaScript = {}, extra: Partial<QueryApiDeps> = {}) {
    const athena = new FakeAthena(script);
    const clock = fakeClock();
    const logs: Record<string, unknown>[] = [];
    const handler = createQueryApiHandler({
        athena,
        templateContext: CTX,
        workgroup: WORKGROUP,
        queryTimeoutMs: 28_000,
        now: clock.now,
        sleep: clock.sleep,
        log: (e) => logs.push(e),
        auth: JWT_POLICY,
        ...extra,
    });
    return { athena, handler, logs, clock };
}

const ENCOUNTERS = (customer: string) => ({ queryId: "encounters-by-day", body: { parameters: { customer, from: "2025-01-01", to: "2025-01-31" } } });

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
        // Logged by Athena's codes only: the reason text quotes a data value.
        assert.ok(!JSON.stringify(logs).includes("John Smith"));
        assert.deepStrictEqual(
            logs.filter((l) => l.event === "failed").map((l) => [l.queryExecutionId, l.errorCategory, l.errorType, l.retryable, l.subject]),
            [["qe-1", 2, 1003, false, "analyst-7"]],
        );
    });

    it("logs a CANCELLED query's bytes scanned, not Athena's reason", async () => {
        const { handler, logs } = setup({ states: ["CANCELLED"], reason: "Query cancelled near 'MRN 00123456'", bytesScanned: 4096 });
        await handler(event("POST /queries/{queryId}", { queryId: "storage-class-by-zone", body: {} }));
        assert.ok(!JSON.stringify(logs).includes("MRN"));
        assert.deepStrictEqual(logs.filter((l) => l.event === "cancelled").map((l) => [l.queryExecutionId, l.bytesScanned]), [["qe-1", 4096]]);
    });

    it("stops the Athena query when polling fails with an SDK error, answers 500 and logs the error class only", async () => {
        const err = Object.assign(new Error("socket hang up near 'Jane Doe'"), { name: "TimeoutError" });
        const { athena, handler, logs } = setup({ states: ["RUNNING"], pollError: err, pollErrorFrom: 1 });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "storage-class-by-zone", body: {} }));
        assert.deepStrictEqual([res.statusCode, body(res).error], [500, "internal_error"]);
        assert.deepStrictEqual(athena.stopped, ["qe-1"]);
        assert.ok(!JSON.stringify(logs).includes("Jane Doe"));
        assert.deepStrictEqual(logs.filter((l) => l.event === "error").map((l) => l.error), ["TimeoutError"]);
    });

    it("answers 500 with the error class in the log, not the runtime's message and stack, when something unexpected throws", async () => {
        const exploding: ResultCache = {
            get: async () => {
                throw new RangeError("Invalid string length near 'John Smith'");
            },
            set: async () => undefined,
        };
        const { handler, logs } = setup({}, { cache: exploding });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "inventory-health", body: {} }));
        assert.deepStrictEqual([res.statusCode, body(res).error], [500, "internal_error"]);
        assert.deepStrictEqual(logs.filter((l) => l.event === "error").map((l) => l.error), ["RangeError"]);
        assert.ok(!JSON.stringify(logs).includes("John Smith"));
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
        const { athena, handler, logs } = setup();
        const res = await handler(event("POST /queries/{queryId}", { ...ENCOUNTERS("northside-clinic"), as: TENANT("st-marys") }));
        assert.deepStrictEqual([res.statusCode, body(res).error], [403, "forbidden"]);
        assert.strictEqual(athena.started.length, 0);
        assert.deepStrictEqual(logs.at(-1), {
            event: "forbidden",
            requestId: "req-1",
            subject: "u1",
            principal: "tenant",
            pinnedCustomer: "st-marys",
            queryId: "encounters-by-day",
            requestedCustomer: "northside-clinic",
            reason: "customer does not match the caller's customer",
            status: 403,
        });
        const own = await handler(event("POST /queries/{queryId}", { ...ENCOUNTERS("st-marys"), as: TENANT("st-marys") }));
        assert.strictEqual(own.statusCode, 200);
        const crossTenant = await handler(event("POST /queries/{queryId}", { queryId: "objects-by-customer", body: {}, as: TENANT("st-marys") }));
        assert.deepStrictEqual([crossTenant.statusCode, body(crossTenant).message], [403, "this caller is limited to one customer; this query is not customer-scoped"]);
        assert.strictEqual(athena.started.length, 1);
        // An analyst token (the analyst scope, no customer claim) may run every allow-listed query.
        const analyst = await handler(event("POST /queries/{queryId}", { queryId: "objects-by-customer", body: {} }));
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
        const template = buildTemplates(CTX).find((t) => t.id === "objects-for-customer");
        assert.ok(template);
        const key = cacheKey(template, { customer: "st-marys", since: "2025-03-01" }, WORKGROUP);
        assert.deepStrictEqual([...cache.store.keys()], [key]);
        assert.match(key, /^hdp:athena:v2:[0-9a-f]{64}$/);
        assert.strictEqual(cache.store.get(key)?.ttl, 3600);
    });

    it("answers from Athena when the cache fails (a miss, not an error)", async () => {
        const failing: ResultCache = { get: async () => undefined, set: async () => undefined };
        const { handler } = setup({ columns: [{ name: "n", type: "bigint" }], rows: [["1"]] }, { cache: failing });
        const res = await handler(event("POST /queries/{queryId}", { queryId: "inventory-health", body: {} }));
        assert.strictEqual(res.statusCode, 200);
    });

    it("reads its settings from the environment and names a missing variable", async () => {
        const base = { ATHENA_WORKGROUP: WORKGROUP, TEMPLATE_CONTEXT: JSON.stringify(CTX), QUERY_TIMEOUT_MS: "28000" };
        assert.throws(() => readQueryApiEnvironment({ ATHENA_WORKGROUP: WORKGROUP, TEMPLATE_CONTEXT: JSON.stringify(CTX) }), /environment variable QUERY_TIMEOUT_MS is not set/);
        const env = readQueryApiEnvironment({ ...base, AUTH_MODE: "IAM", ACCOUNT_ID: ACCOUNT, CACHE_ENDPOINT: "c.example", CACHE_PORT: "6380", CACHE_NAME: "hdp-dev-cache", CACHE_USER_ID: "query-api", CACHE_SERVERLESS: "true" });
        assert.deepStrictEqual(env.cache, { host: "c.example", port: 6380, cacheName: "hdp-dev-cache", userId: "query-api", serverless: true });
        assert.deepStrictEqual(env.templateContext, CTX);
        assert.deepStrictEqual(env.auth, { mode: "IAM", accountId: ACCOUNT, analystRoleArns: [] });
    });

    it("has no open default: without an authorisation model in the environment there is no handler", async () => {
        const base = { ATHENA_WORKGROUP: WORKGROUP, TEMPLATE_CONTEXT: JSON.stringify(CTX), QUERY_TIMEOUT_MS: "28000" };
        assert.throws(() => readQueryApiEnvironment(base), /^Error: environment variable AUTH_MODE is not set$/);
        assert.throws(() => readQueryApiEnvironment({ ...base, AUTH_MODE: "NONE" }), /^Error: environment variable AUTH_MODE: expected IAM or JWT, got 'NONE'$/);
        assert.throws(() => readQueryApiEnvironment({ ...base, AUTH_MODE: "JWT", CUSTOMER_CLAIM: "customer" }), /^Error: environment variable TENANT_SCOPE is not set$/);
        assert.throws(() => readQueryApiEnvironment({ ...base, AUTH_MODE: "IAM" }), /^Error: environment variable ACCOUNT_ID is not set$/);
        assert.throws(
            () => readQueryApiEnvironment({ ...base, AUTH_MODE: "IAM", ACCOUNT_ID: ACCOUNT, ANALYST_ROLE_ARNS: "analyst" }),
            /^Error: environment variable ANALYST_ROLE_ARNS: expected comma-separated IAM role ARNs, got 'analyst'$/,
        );
        assert.deepStrictEqual(
            readQueryApiEnvironment({ ...base, AUTH_MODE: "JWT", CUSTOMER_CLAIM: "custom:customer", TENANT_SCOPE: TENANT_SCOPE, ANALYST_SCOPE: ANALYST_SCOPE }).auth,
            { mode: "JWT", customerClaim: "custom:customer", tenantScope: TENANT_SCOPE, analystScope: ANALYST_SCOPE },
        );
        assert.deepStrictEqual(
            readQueryApiEnvironment({ ...base, AUTH_MODE: "IAM", ACCOUNT_ID: ACCOUNT, ANALYST_ROLE_ARNS: `arn:aws:iam::${ACCOUNT}:role/hdp-dev-analyst,arn:aws:iam::${ACCOUNT}:role/team/x` }).auth,
            { mode: "IAM", accountId: ACCOUNT, analystRoleArns: [`arn:aws:iam::${ACCOUNT}:role/hdp-dev-analyst`, `arn:aws:iam::${ACCOUNT}:role/team/x`] },
        );
    });


    it("serves a corrupt cached entry as a miss: runs the query, overwrites the entry, logs no cached text", async () => {
        const cache = new MemoryCache();
        const template = buildTemplates(CTX).find((t) => t.id === "inventory-health");
        assert.ok(template);
        const { athena, handler, logs } = setup({ columns: [{ name: "n", type: "bigint" }], rows: [["1"]] }, { cache });
        const req = () => event("POST /queries/{queryId}", { queryId: "inventory-health", body: { parameters: { since: "2025-03-01" } } });
        const key = cacheKey(template, { since: "2025-03-01" }, WORKGROUP);
        const corrupts = ['{"rows": [{"name": "John Smith"', '"John Smith"', '{"columns":[],"rows":"x","rowCount":1,"truncated":false,"queryExecutionId":"qe-0"}'];
        for (const corrupt of corrupts) {
            cache.store.set(key, { value: corrupt, ttl: 60 });
            const res = await handler(req());
            assert.deepStrictEqual([res.statusCode, body(res).cached, body(res).rows], [200, false, [{ n: 1 }]], corrupt);
            assert.deepStrictEqual(JSON.parse(cache.store.get(key)?.value ?? "null").rows, [{ n: 1 }]);
        }
        assert.strictEqual(athena.started.length, 3);
        assert.deepStrictEqual(logs.filter((l) => l.event === "cache_corrupt").map((l) => l.bytes), corrupts.map((c) => Buffer.byteLength(c)));
        assert.ok(!JSON.stringify(logs).includes("John Smith"));
    });

    it("versions cache keys by template: a deployment whose SQL changed does not serve the old result", async () => {
        const cache = new MemoryCache();
        const req = () => event("POST /queries/{queryId}", { queryId: "inventory-health", body: { parameters: { since: "2025-03-01" } } });
        const before = setup({ columns: [{ name: "n", type: "bigint" }], rows: [["1"]] }, { cache });
        assert.strictEqual((await before.handler(req())).statusCode, 200);
        // Same id, workgroup and values, but the curated zone's lifecycle changed: the template's SQL is different.
        const ctx = { ...CTX, zones: CTX.zones.map((z) => (z.zone === "curated" ? { ...z, infrequentAccessDays: 120 } : z)) };
        const after = setup({ columns: [{ name: "n", type: "bigint" }], rows: [["2"]] }, { cache, templateContext: ctx });
        const res = await after.handler(req());
        assert.deepStrictEqual([body(res).cached, body(res).rows, after.athena.started.length], [false, [{ n: 2 }], 1]);
        // And within one deployment the same request is served from the cache.
        const again = await after.handler(req());
        assert.deepStrictEqual([body(again).cached, after.athena.started.length], [true, 1]);
        const t = buildTemplates(CTX)[0];
        const values = { since: "2025-03-01" };
        assert.strictEqual(cacheKey(t, values, WORKGROUP), cacheKey({ ...t }, values, WORKGROUP));
        assert.notStrictEqual(cacheKey(t, values, WORKGROUP), cacheKey({ ...t, params: t.params.map((p) => ({ ...p, required: !p.required })) }, values, WORKGROUP));
        assert.notStrictEqual(cacheKey(t, values, WORKGROUP), cacheKey({ ...t, sql: `${t.sql}\n` }, values, WORKGROUP));
    });

    it("audits a cache hit like a miss: subject, customer and the query execution that produced the rows", async () => {
        const cache = new MemoryCache();
        const { handler, logs } = setup({ columns: [{ name: "zone", type: "varchar" }], rows: [["raw"]] }, { cache });
        const req = () => event("POST /queries/{queryId}", { queryId: "objects-for-customer", body: { parameters: { customer: "st-marys", since: "2025-03-01" } }, as: TENANT("st-marys") });
        await handler(req());
        await handler(req());
        const served = logs.filter((l) => l.event === "served");
        const common = { event: "served", requestId: "req-1", subject: "u1", principal: "tenant", pinnedCustomer: "st-marys", queryId: "objects-for-customer", customer: "st-marys", queryExecutionId: "qe-1", rows: 1 };
        assert.deepStrictEqual(served, [
            { ...common, cache: "miss", bytesScanned: 1024 },
            { ...common, cache: "hit" },
        ]);
    });

    describe("JWT authorisation fails closed", () => {
        const run = async (as: Caller, req: { queryId: string; body: unknown } = ENCOUNTERS("st-marys")) => {
            const t = setup({ columns: [{ name: "n", type: "bigint" }], rows: [] });
            const res = await t.handler(event("POST /queries/{queryId}", { ...req, as }));
            return { status: res.statusCode, error: body(res).error, started: t.athena.started.length, forbidden: t.logs.filter((l) => l.event === "forbidden") };
        };

        it("refuses a token without the customer claim unless it carries the analyst scope, and logs subject and requested tenant", async () => {
            const r = await run({ claims: { sub: "u9" }, scopes: [TENANT_SCOPE] });
            assert.deepStrictEqual([r.status, r.error, r.started], [403, "forbidden", 0]);
            assert.deepStrictEqual(r.forbidden, [
                { event: "forbidden", requestId: "req-1", queryId: "encounters-by-day", subject: "u9", requestedCustomer: "st-marys", reason: "tenant-scoped token without the customer claim", status: 403 },
            ]);
            // No scope at all (API Gateway would already refuse it): still refused here.
            assert.deepStrictEqual((await run({ claims: { sub: "u9" } })).status, 403);
            assert.deepStrictEqual((await run({ claims: { sub: "u9" }, scopes: ["openid", "profile"] })).forbidden[0].reason, "token carries neither the tenant scope nor the analyst scope");
            assert.deepStrictEqual((await run("none")).forbidden[0].subject, "(none)");
            assert.deepStrictEqual((await run({ claims: { customer: "st-marys" }, scopes: [TENANT_SCOPE] })).forbidden[0].reason, "token has no subject (sub)");
        });

        it("refuses a renamed customer claim (custom:customer, a namespaced URI), even with the analyst scope", async () => {
            for (const name of ["custom:customer", "https://example-health.org/claims/customer", "Customer"]) {
                for (const scopes of [[TENANT_SCOPE], [ANALYST_SCOPE], [TENANT_SCOPE, ANALYST_SCOPE]]) {
                    const r = await run({ claims: { sub: "u1", [name]: "st-marys" }, scopes }, { queryId: "objects-by-customer", body: {} });
                    assert.deepStrictEqual([r.status, r.started], [403, 0], `${name} ${scopes}`);
                    assert.strictEqual(r.forbidden[0].reason, `customer claim under an unexpected name (${name}; expected customer)`);
                }
            }
            // The configured name is read as configured (Cognito's custom attribute).
            const t = setup({}, { auth: { ...JWT_POLICY, customerClaim: "custom:customer" } });
            const own = await t.handler(event("POST /queries/{queryId}", { ...ENCOUNTERS("st-marys"), as: { claims: { sub: "u1", "custom:customer": "st-marys" }, scopes: [TENANT_SCOPE] } }));
            assert.strictEqual(own.statusCode, 200);
        });

        it("refuses non-string, empty and multi-valued customer claims, with the claim's shape (never its value) in the log", async () => {
            const cases: [unknown, string][] = [
                [42, "number"],
                [true, "boolean"],
                [null, "null"],
                [{ id: "st-marys" }, "object"],
                ["", "string(0)"],
                [["st-marys"], "array(1)"],
                [["st-marys", "northside-clinic"], "array(2)"],
                // API Gateway flattens a list claim into one string.
                ["[st-marys northside-clinic]", "string(27)"],
                ["st-marys,northside-clinic", "string(25)"],
                ["st-marys northside-clinic", "string(25)"],
                ["St-Marys", "string(8)"],
            ];
            for (const [value, shape] of cases) {
                for (const scopes of [[TENANT_SCOPE], [TENANT_SCOPE, ANALYST_SCOPE]]) {
                    for (const req of [ENCOUNTERS("st-marys"), { queryId: "objects-by-customer", body: {} }]) {
                        const r = await run({ claims: { sub: "u1", customer: value }, scopes }, req);
                        assert.deepStrictEqual([r.status, r.started], [403, 0], JSON.stringify([value, scopes, req.queryId]));
                        assert.strictEqual(r.forbidden[0].reason, `customer claim is not one customer id (${shape})`);
                        assert.ok(!JSON.stringify(r.forbidden).includes("northside"));
                    }
                }
            }
        });

        it("reads a token with both a customer claim and the analyst scope as pinned to that customer", async () => {
            const both = { claims: { sub: "u1", customer: "st-marys" }, scopes: [ANALYST_SCOPE] };
            assert.deepStrictEqual((await run(both)).status, 200);
            assert.deepStrictEqual((await run({ ...both, scopes: [TENANT_SCOPE, ANALYST_SCOPE] })).status, 200);
            const other = await run(both, ENCOUNTERS("northside-clinic"));
            assert.deepStrictEqual([other.status, other.forbidden[0].pinnedCustomer, other.forbidden[0].requestedCustomer], [403, "st-marys", "northside-clinic"]);
            assert.deepStrictEqual((await run(both, { queryId: "objects-by-customer", body: {} })).status, 403);
        });

        it("lets no token act as an analyst when no analyst scope is configured", async () => {
            const t = setup({}, { auth: { ...JWT_POLICY, analystScope: undefined } });
            const res = await t.handler(event("POST /queries/{queryId}", { queryId: "objects-by-customer", body: {} }));
            assert.strictEqual(res.statusCode, 403);
        });

        it("reads scopes from API Gateway's list or the token's scope/scp claims, and lists only a tenant's own queries", async () => {
            assert.strictEqual((await run({ claims: { sub: "a", scope: `openid ${ANALYST_SCOPE}` } }, { queryId: "objects-by-customer", body: {} })).status, 200);
            assert.strictEqual((await run({ claims: { sub: "a", scp: [ANALYST_SCOPE] } }, { queryId: "objects-by-customer", body: {} })).status, 200);
            const { handler } = setup();
            const listed = await handler(event("GET /queries", { as: TENANT("st-marys") }));
            assert.deepStrictEqual(
                body(listed).queries.map((q: { id: string }) => q.id),
                buildTemplates(CTX).filter((t) => t.params.some((p) => p.kind === "customerId")).map((t) => t.id),
            );
            assert.strictEqual((await handler(event("GET /queries", { as: { claims: { sub: "x" }, scopes: [TENANT_SCOPE] } }))).statusCode, 403);
        });
    });

    describe("IAM authorisation maps roles to tenants through their customer tag", () => {
        const session = (role: string, account = ACCOUNT) => ({ iam: { userArn: `arn:aws:sts::${account}:assumed-role/${role}/jane.doe@example-health.org`, accountId: account } });
        const ANALYST_ROLE = `arn:aws:iam::${ACCOUNT}:role/ops/hdp-dev-analyst`;
        const iamSetup = (roles: ConstructorParameters<typeof FakeIam>[0]) => {
            const iam = new FakeIam(roles);
            const t = setup({ columns: [{ name: "n", type: "bigint" }], rows: [] }, { iam, auth: { mode: "IAM", accountId: ACCOUNT, analystRoleArns: [ANALYST_ROLE] } });
            return { ...t, iam };
        };

        it("pins a role tagged customer=<id> to that customer, and caches the tag briefly", async () => {
            const { handler, iam, logs, clock, athena } = iamSetup({ "hdp-dev-customer-st-marys-reader": [{ Key: "owner", Value: "x" }, { Key: "customer", Value: "st-marys" }] });
            const as = session("hdp-dev-customer-st-marys-reader");
            assert.strictEqual((await handler(event("POST /queries/{queryId}", { ...ENCOUNTERS("st-marys"), as }))).statusCode, 200);
            assert.strictEqual((await handler(event("POST /queries/{queryId}", { ...ENCOUNTERS("northside-clinic"), as }))).statusCode, 403);
            assert.strictEqual((await handler(event("POST /queries/{queryId}", { queryId: "objects-by-customer", body: {}, as }))).statusCode, 403);
            assert.deepStrictEqual(iam.calls, ["hdp-dev-customer-st-marys-reader"]);
            assert.deepStrictEqual(logs.find((l) => l.event === "served")?.subject, as.iam.userArn);
            await clock.sleep(60_000);
            await handler(event("POST /queries/{queryId}", { ...ENCOUNTERS("st-marys"), as }));
            assert.deepStrictEqual([iam.calls.length, athena.started.length], [2, 2]);
        });

        it("lets configured analyst roles query every customer without a tag lookup", async () => {
            const { handler, iam } = iamSetup({});
            const res = await handler(event("POST /queries/{queryId}", { queryId: "objects-by-customer", body: {}, as: session("hdp-dev-analyst") }));
            assert.deepStrictEqual([res.statusCode, iam.calls], [200, []]);
        });

        it("refuses untagged roles, unusable tags, users, root, other accounts and roles it may not read", async () => {
            const denied = Object.assign(new Error("not authorized to perform: iam:ListRoleTags"), { name: "AccessDenied" });
            const { handler, logs, athena } = iamSetup({
                "hdp-dev-data-engineer": [{ Key: "team", Value: "data" }],
                "hdp-dev-two": [{ Key: "customer", Value: "st-marys,northside-clinic" }],
                "hdp-dev-spaced": [{ Key: "customer", Value: "st-marys northside-clinic" }],
                "hdp-dev-empty": [{ Key: "customer", Value: "" }],
                "hdp-dev-upper": [{ Key: "CUSTOMER", Value: "northside-clinic" }],
                "other-team-role": denied,
            });
            const cases: [QueryApiEvent["requestContext"]["authorizer"] | undefined, string][] = [
                [{ iam: session("hdp-dev-data-engineer").iam }, "role has no customer tag and is not an analyst role"],
                [{ iam: session("hdp-dev-two").iam }, "role's customer tag is not one customer id (string(25))"],
                [{ iam: session("hdp-dev-spaced").iam }, "role's customer tag is not one customer id (string(25))"],
                [{ iam: session("hdp-dev-empty").iam }, "role's customer tag is not one customer id (string(0))"],
                [{ iam: session("other-team-role").iam }, "role tags not found or not readable by the API"],
                [{ iam: session("deleted-role").iam }, "role tags not found or not readable by the API"],
                [{ iam: session("hdp-dev-analyst", "111122223333").iam }, "caller belongs to another account"],
                [{ iam: { userArn: `arn:aws:iam::${ACCOUNT}:user/jane` } }, "caller is not an assumed-role session (IAM users and the root user are not mapped to tenants)"],
                [{ iam: { userArn: `arn:aws:iam::${ACCOUNT}:root` } }, "caller is not an assumed-role session (IAM users and the root user are not mapped to tenants)"],
                [undefined, "no IAM authoriser context"],
            ];
            for (const [authorizer, reason] of cases) {
                const e = event("POST /queries/{queryId}", ENCOUNTERS("st-marys"));
                e.requestContext.authorizer = authorizer;
                const res = await handler(e);
                assert.deepStrictEqual([res.statusCode, logs.at(-1)?.reason, logs.at(-1)?.requestedCustomer], [403, reason, "st-marys"], reason);
            }
            // A tag key differing only in case is the same IAM tag: the role is pinned (to northside-clinic), not refused as untagged.
            const upper = await handler(event("POST /queries/{queryId}", { ...ENCOUNTERS("northside-clinic"), as: session("hdp-dev-upper") }));
            assert.strictEqual(upper.statusCode, 200);
            assert.strictEqual(athena.started.length, 1);
        });

        it("answers 503, not a default, when the role's tags cannot be read, and tries again next time", async () => {
            const throttled = Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
            const { handler, iam, athena } = iamSetup({ "hdp-dev-customer-st-marys-reader": throttled });
            const as = session("hdp-dev-customer-st-marys-reader");
            for (let i = 0; i < 2; i++) {
                const res = await handler(event("POST /queries/{queryId}", { ...ENCOUNTERS("st-marys"), as }));
                assert.deepStrictEqual([res.statusCode, body(res).error], [503, "authorization_unavailable"]);
            }
            assert.deepStrictEqual([iam.calls.length, athena.started.length], [2, 0]);
        });
    });
});
