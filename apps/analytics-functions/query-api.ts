/**
 * Presentation API handler (API Gateway HTTP API, payload format 2.0).
 *
 *   GET  /queries             the allow-list: id, title, description and typed parameters of each query
 *   POST /queries/{queryId}   body `{"parameters": {...}}`: validates, runs the template with Athena
 *                             ExecutionParameters in the workgroup, returns the rows (or a cached copy)
 *
 * Callers are authenticated by API Gateway (IAM SigV4 or a JWT authorizer) before this code runs. With JWT,
 * a `customer` claim (name configurable) pins the caller to that tenant: a request for another customer's
 * data is refused here (HIPAA 164.312(a)(1)). Parameter values are never concatenated into SQL (see
 * query-templates.ts) and never logged; Athena failure reasons are logged but not returned, since they can
 * quote data values.
 */
import type {
    APIGatewayEventRequestContextV2,
    APIGatewayProxyEventV2WithRequestContext,
    APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { Athena } from "@aws-sdk/client-athena";
import * as crypto from "crypto";
import { AthenaApi, QueryCancelledError, QueryFailedError, QueryResult, QueryTimeoutError, runQuery } from "./athena-runner";
import { bindParameters, buildTemplates, ParameterError, QueryTemplate, TemplateContext } from "./query-templates";
import { environmentCredentials, RespCache, ResultCache } from "./resp-cache";

/** The request context with whichever authorizer the route uses. */
export type QueryApiEvent = APIGatewayProxyEventV2WithRequestContext<
    APIGatewayEventRequestContextV2 & {
        authorizer?: {
            jwt?: { claims: Record<string, string | number | boolean | string[]>; scopes: string[] | null };
            iam?: { userArn?: string; accountId?: string; callerId?: string };
        };
    }
>;

export interface QueryApiDeps {
    athena: AthenaApi;
    cache?: ResultCache;
    templateContext: TemplateContext;
    workgroup: string;
    /** Budget for one query; below API Gateway's 30 s integration timeout. */
    queryTimeoutMs: number;
    /** JWT claim that pins a caller to one customer. @default "customer" */
    customerClaim?: string;
    now?: () => Date;
    sleep?: (ms: number) => Promise<void>;
    log?: (entry: Record<string, unknown>) => void;
}

/** Bodies above this are refused before parsing (the allow-list needs a few hundred bytes). */
export const MAX_BODY_BYTES = 8192;

const HEADERS = {
    "content-type": "application/json",
    // Results can derive from PHI: no shared or browser cache may keep them.
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
};

function respond(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
    return { statusCode, headers: HEADERS, body: JSON.stringify(body) };
}

/** The part of a template a caller may see. */
function describe(t: QueryTemplate): Record<string, unknown> {
    return {
        id: t.id,
        title: t.title,
        description: t.description,
        phi: t.phi,
        parameters: t.params.map((p) => ({ name: p.name, type: p.kind, required: p.required, description: p.description })),
    };
}

/** Cache key: a hash of the template, the normalised values and the workgroup (no value appears in the key). */
export function cacheKey(templateId: string, values: Record<string, string>, workgroup: string): string {
    const canonical = JSON.stringify([templateId, Object.keys(values).sort().map((k) => [k, values[k]]), workgroup]);
    return `hdp:athena:v1:${crypto.createHash("sha256").update(canonical).digest("hex")}`;
}

function parseBody(event: QueryApiEvent): Record<string, unknown> {
    if (!event.body) {
        return {};
    }
    const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
        throw new ParameterError([`body: expected at most ${MAX_BODY_BYTES} bytes, got ${Buffer.byteLength(text)}`]);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new ParameterError(["body: expected JSON such as {\"parameters\": {\"customer\": \"st-marys\"}}"]);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new ParameterError(["body: expected a JSON object"]);
    }
    const params = (parsed as Record<string, unknown>).parameters ?? {};
    if (!params || typeof params !== "object" || Array.isArray(params)) {
        throw new ParameterError(["parameters: expected a JSON object of parameter names to string values"]);
    }
    return params as Record<string, unknown>;
}

/** Builds the handler around injected dependencies (tests pass a fake Athena and cache). */
export function createQueryApiHandler(deps: QueryApiDeps): (event: QueryApiEvent) => Promise<APIGatewayProxyStructuredResultV2> {
    const templates = buildTemplates(deps.templateContext);
    const byId = new Map(templates.map((t) => [t.id, t]));
    const now = deps.now ?? (() => new Date());
    const log = deps.log ?? ((entry: Record<string, unknown>) => console.log(JSON.stringify(entry)));
    const claim = deps.customerClaim ?? "customer";

    return async (event) => {
        const requestId = event.requestContext?.requestId;
        if (event.routeKey === "GET /queries") {
            return respond(200, { queries: templates.map(describe) });
        }
        if (event.routeKey !== "POST /queries/{queryId}") {
            return respond(404, { error: "not_found", message: `no route ${event.routeKey}` });
        }
        const queryId = event.pathParameters?.queryId ?? "";
        const template = byId.get(queryId);
        if (!template) {
            return respond(404, { error: "unknown_query", message: `'${queryId.slice(0, 64)}' is not an allow-listed query`, queries: [...byId.keys()] });
        }

        let bound;
        try {
            const raw = parseBody(event);
            bound = bindParameters(template, raw, deps.templateContext, now());
        } catch (err) {
            if (err instanceof ParameterError) {
                log({ event: "rejected", requestId, queryId, problems: err.problems.length });
                return respond(400, { error: "invalid_parameters", problems: err.problems });
            }
            throw err;
        }

        // A caller pinned to one customer may run only customer-scoped queries, and only for that customer
        // (cross-customer storage metadata is still another tenant's information).
        const pinned = event.requestContext?.authorizer?.jwt?.claims?.[claim];
        if (typeof pinned === "string" && bound.values.customer !== pinned) {
            const scoped = template.params.some((p) => p.kind === "customerId");
            log({ event: "forbidden", requestId, queryId, reason: scoped ? "customer claim mismatch" : "query not scoped to a customer" });
            return respond(403, {
                error: "forbidden",
                message: scoped ? "the token's customer claim does not match the customer parameter" : "this token is limited to one customer; this query is not customer-scoped",
            });
        }

        const key = cacheKey(template.id, bound.values, deps.workgroup);
        const cached = deps.cache ? await deps.cache.get(key) : undefined;
        if (cached !== undefined) {
            log({ event: "served", requestId, queryId, cache: "hit" });
            return respond(200, { queryId, cached: true, ...JSON.parse(cached) });
        }

        let result: QueryResult;
        try {
            result = await runQuery(
                deps.athena,
                { sql: template.sql, executionParameters: bound.executionParameters, workgroup: deps.workgroup, database: template.database },
                { timeoutMs: deps.queryTimeoutMs, sleep: deps.sleep, now: () => now().getTime() },
            );
        } catch (err) {
            if (err instanceof QueryFailedError) {
                log({ event: "failed", requestId, queryId, queryExecutionId: err.queryExecutionId, reason: err.reason, errorType: err.errorType });
                return respond(502, { error: "query_failed", message: "Athena could not run the query", queryExecutionId: err.queryExecutionId });
            }
            if (err instanceof QueryCancelledError) {
                log({ event: "cancelled", requestId, queryId, queryExecutionId: err.queryExecutionId, reason: err.reason });
                return respond(502, { error: "query_cancelled", message: "the query was cancelled (for example by the workgroup's bytes-scanned limit)", queryExecutionId: err.queryExecutionId });
            }
            if (err instanceof QueryTimeoutError) {
                log({ event: "timeout", requestId, queryId, queryExecutionId: err.queryExecutionId, timeoutMs: err.timeoutMs });
                return respond(504, { error: "query_timeout", message: `the query did not finish within ${err.timeoutMs} ms and was stopped`, queryExecutionId: err.queryExecutionId });
            }
            log({ event: "error", requestId, queryId, error: (err as Error).name });
            return respond(500, { error: "internal_error", message: "the query could not be run" });
        }

        const payload = { columns: result.columns, rows: result.rows, rowCount: result.rows.length, truncated: result.truncated, queryExecutionId: result.queryExecutionId };
        if (deps.cache && !result.truncated) {
            await deps.cache.set(key, JSON.stringify(payload), template.cacheTtlSeconds);
        }
        log({ event: "served", requestId, queryId, cache: deps.cache ? "miss" : "off", rows: result.rows.length, bytesScanned: result.dataScannedBytes });
        return respond(200, { queryId, cached: false, ...payload });
    };
}

/** Settings the program passes through environment variables (all non-secret names). */
export interface QueryApiEnvironment {
    workgroup: string;
    templateContext: TemplateContext;
    queryTimeoutMs: number;
    customerClaim: string;
    cache?: { host: string; port: number; cacheName?: string; userId?: string; serverless: boolean };
}

/** Reads and checks the environment; a missing value names the variable. */
export function readQueryApiEnvironment(env: NodeJS.ProcessEnv): QueryApiEnvironment {
    const need = (name: string): string => {
        const v = env[name];
        if (!v) throw new Error(`environment variable ${name} is not set`);
        return v;
    };
    const timeout = Number(need("QUERY_TIMEOUT_MS"));
    if (!Number.isInteger(timeout) || timeout <= 0) {
        throw new Error(`environment variable QUERY_TIMEOUT_MS: expected a positive integer, got '${env.QUERY_TIMEOUT_MS}'`);
    }
    const host = env.CACHE_ENDPOINT;
    return {
        workgroup: need("ATHENA_WORKGROUP"),
        templateContext: JSON.parse(need("TEMPLATE_CONTEXT")) as TemplateContext,
        queryTimeoutMs: timeout,
        customerClaim: env.CUSTOMER_CLAIM || "customer",
        cache: host
            ? { host, port: Number(env.CACHE_PORT || "6379"), cacheName: env.CACHE_NAME || undefined, userId: env.CACHE_USER_ID || undefined, serverless: env.CACHE_SERVERLESS === "true" }
            : undefined,
    };
}

let live: ((event: QueryApiEvent) => Promise<APIGatewayProxyStructuredResultV2>) | undefined;

/** Lambda entry point: dependencies are built once per execution environment and reused while warm. */
export async function handler(event: QueryApiEvent): Promise<APIGatewayProxyStructuredResultV2> {
    if (!live) {
        const cfg = readQueryApiEnvironment(process.env);
        const region = process.env.AWS_REGION ?? "";
        const cache = cfg.cache
            ? new RespCache({
                  host: cfg.cache.host,
                  port: cfg.cache.port,
                  iamAuth:
                      cfg.cache.cacheName && cfg.cache.userId
                          ? { cacheName: cfg.cache.cacheName, userId: cfg.cache.userId, serverless: cfg.cache.serverless, region, credentials: () => environmentCredentials() }
                          : undefined,
                  onError: (operation, err) => console.warn(JSON.stringify({ event: "cache_unavailable", operation, error: err.message })),
              })
            : undefined;
        live = createQueryApiHandler({
            // The Lambda runtime provides SDK v3; the bundle keeps @aws-sdk/* external.
            athena: new Athena({}),
            cache,
            templateContext: cfg.templateContext,
            workgroup: cfg.workgroup,
            queryTimeoutMs: cfg.queryTimeoutMs,
            customerClaim: cfg.customerClaim,
        });
    }
    return live(event);
}
