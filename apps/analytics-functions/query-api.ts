/**
 * Presentation API handler (API Gateway HTTP API, payload format 2.0).
 *
 *   GET  /queries             the allow-list: id, title, description and typed parameters of each query
 *   POST /queries/{queryId}   body `{"parameters": {...}}`: validates, runs the template with Athena
 *                             ExecutionParameters in the workgroup, returns the rows (or a cached copy)
 *
 * Callers are authenticated by API Gateway (IAM SigV4 or a JWT authorizer) before this code runs; this code then
 * decides, fail-closed, whether the caller is a tenant pinned to one customer or a configured analyst
 * (caller-auth.ts), refuses everyone else with 403, and refuses a tenant any other customer's data (HIPAA
 * 164.312(a)(1)). Every decision, and every served result (from Athena or the cache), is logged with the caller's
 * subject, the customer and the query execution id (164.312(b)). Parameter values are never concatenated into SQL
 * (see query-templates.ts) and never logged; of Athena's failures only error codes are logged, since the reason
 * text can quote data values.
 */
import type {
    APIGatewayEventRequestContextV2,
    APIGatewayProxyEventV2WithRequestContext,
    APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { Athena } from "@aws-sdk/client-athena";
import * as crypto from "crypto";
import { createRequire } from "module";
import { CUSTOMER_ID_PATTERN } from "../../components/shared/lake-layout";
import { AuthPolicy, IamCallerResolver, JwtAuthPolicy, Resolution, resolveJwtCaller, RoleTagsApi, roleArnParts } from "./caller-auth";
import { AthenaApi, QueryCancelledError, QueryFailedError, QueryResult, QueryTimeoutError, runQuery } from "./athena-runner";
import { bindParameters, buildTemplates, ParameterError, QueryTemplate, TemplateContext } from "./query-templates";
import { environmentCredentials, RespCache, ResultCache } from "./resp-cache";

/** The request context with whichever authorizer the route uses. */
export type QueryApiEvent = APIGatewayProxyEventV2WithRequestContext<
    APIGatewayEventRequestContextV2 & {
        authorizer?: {
            jwt?: { claims: Record<string, unknown>; scopes: string[] | null };
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
    /** Who may call, and how a caller is pinned to a customer (see caller-auth.ts). Required: there is no open default. */
    auth: AuthPolicy;
    /** Reads role tags in IAM mode. */
    iam?: RoleTagsApi;
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

/**
 * Version of a template: a hash of everything that decides its result (SQL, database, parameter specs and
 * placeholder order). Part of the cache key, so a deployment that changes a template (or the lifecycle days and
 * bucket names the SQL is built from) never serves a result computed by the old one.
 */
export function templateVersion(t: Pick<QueryTemplate, "id" | "sql" | "database" | "params" | "placeholders">): string {
    const canonical = JSON.stringify([t.id, t.database, t.sql, t.params.map((p) => [p.name, p.kind, p.required]), t.placeholders]);
    return crypto.createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** Cache key: a hash of the template and its version, the normalised values and the workgroup (no value appears in the key). */
export function cacheKey(template: Pick<QueryTemplate, "id" | "sql" | "database" | "params" | "placeholders">, values: Record<string, string>, workgroup: string): string {
    const canonical = JSON.stringify([template.id, templateVersion(template), Object.keys(values).sort().map((k) => [k, values[k]]), workgroup]);
    return `hdp:athena:v2:${crypto.createHash("sha256").update(canonical).digest("hex")}`;
}

interface CachedPayload {
    columns: { name: string; type: string }[];
    rows: Record<string, unknown>[];
    rowCount: number;
    truncated: boolean;
    queryExecutionId: string;
}

/** A cached entry as this code writes it, or undefined (corrupt, truncated, written by other code): then it is a miss. */
export function parseCachedPayload(text: string): CachedPayload | undefined {
    let v: unknown;
    try {
        v = JSON.parse(text);
    } catch {
        return undefined;
    }
    if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
    const p = v as Record<string, unknown>;
    const columnsOk = Array.isArray(p.columns) && p.columns.every((c) => !!c && typeof c === "object" && typeof (c as { name?: unknown }).name === "string" && typeof (c as { type?: unknown }).type === "string");
    const rowsOk = Array.isArray(p.rows) && p.rows.every((r) => !!r && typeof r === "object" && !Array.isArray(r));
    if (!columnsOk || !rowsOk || p.rowCount !== (p.rows as unknown[]).length || typeof p.truncated !== "boolean" || typeof p.queryExecutionId !== "string") {
        return undefined;
    }
    return { columns: p.columns as CachedPayload["columns"], rows: p.rows as CachedPayload["rows"], rowCount: p.rowCount as number, truncated: p.truncated as boolean, queryExecutionId: p.queryExecutionId as string };
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

/** The customer a request asks for, for the audit log of a refusal: only a well-formed id, never an arbitrary value. */
function requestedCustomer(event: QueryApiEvent): string | undefined {
    try {
        const c = parseBody(event).customer;
        return typeof c === "string" && CUSTOMER_ID_PATTERN.test(c) ? c : c === undefined ? undefined : "(malformed)";
    } catch {
        return undefined;
    }
}

/** Builds the handler around injected dependencies (tests pass a fake Athena, IAM and cache). */
export function createQueryApiHandler(deps: QueryApiDeps): (event: QueryApiEvent) => Promise<APIGatewayProxyStructuredResultV2> {
    const templates = buildTemplates(deps.templateContext);
    const byId = new Map(templates.map((t) => [t.id, t]));
    const now = deps.now ?? (() => new Date());
    const log = deps.log ?? ((entry: Record<string, unknown>) => console.log(JSON.stringify(entry)));
    const policy = deps.auth;
    let iamResolver: IamCallerResolver | undefined;
    if (policy.mode === "IAM") {
        if (!deps.iam) throw new Error("query API: IAM authorisation needs an IAM client to read the callers' role tags");
        iamResolver = new IamCallerResolver(policy, deps.iam, () => now().getTime());
    }
    const resolve = async (event: QueryApiEvent): Promise<Resolution> =>
        iamResolver ? iamResolver.resolve(event.requestContext?.authorizer?.iam) : resolveJwtCaller(event.requestContext?.authorizer?.jwt, policy as JwtAuthPolicy);
    const scoped = (t: QueryTemplate) => t.params.some((p) => p.kind === "customerId");

    const handle = async (event: QueryApiEvent): Promise<APIGatewayProxyStructuredResultV2> => {
        const requestId = event.requestContext?.requestId;
        if (event.routeKey !== "GET /queries" && event.routeKey !== "POST /queries/{queryId}") {
            return respond(404, { error: "not_found", message: `no route ${event.routeKey}` });
        }
        const queryId = event.routeKey === "GET /queries" ? undefined : (event.pathParameters?.queryId ?? "");

        // Who is calling is decided before anything else, on every route: a caller that is neither pinned to one
        // customer nor an analyst gets 403 and an audit entry naming its subject and the tenant it asked for.
        const who = await resolve(event);
        if (!who.ok) {
            log({ event: "forbidden", requestId, queryId, subject: who.subject, requestedCustomer: queryId === undefined ? undefined : requestedCustomer(event), reason: who.reason, status: who.status });
            return respond(who.status, { error: who.status === 403 ? "forbidden" : "authorization_unavailable", message: who.message });
        }
        const principal = who.principal;
        const pinned = principal.kind === "tenant" ? principal.customer : undefined;
        const audit = { requestId, subject: principal.subject, principal: principal.kind, pinnedCustomer: pinned };

        if (queryId === undefined) {
            // A tenant is shown only the queries it may run.
            return respond(200, { queries: templates.filter((t) => !pinned || scoped(t)).map(describe) });
        }
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
                log({ event: "rejected", ...audit, queryId, problems: err.problems.length });
                return respond(400, { error: "invalid_parameters", problems: err.problems });
            }
            throw err;
        }
        const customer = bound.values.customer;

        // A pinned caller may run only customer-scoped queries, and only for its customer (cross-customer storage
        // metadata is still another tenant's information).
        if (pinned !== undefined && (!scoped(template) || customer !== pinned)) {
            log({ event: "forbidden", ...audit, queryId, requestedCustomer: customer, reason: scoped(template) ? "customer does not match the caller's customer" : "query not scoped to a customer", status: 403 });
            return respond(403, {
                error: "forbidden",
                message: scoped(template) ? "the caller's customer does not match the customer parameter" : "this caller is limited to one customer; this query is not customer-scoped",
            });
        }

        const key = cacheKey(template, bound.values, deps.workgroup);
        const cachedText = deps.cache ? await deps.cache.get(key) : undefined;
        if (cachedText !== undefined) {
            const cached = parseCachedPayload(cachedText);
            if (cached) {
                // Audited like a miss: who, which customer, and the execution that produced the rows.
                log({ event: "served", ...audit, queryId, customer, cache: "hit", queryExecutionId: cached.queryExecutionId, rows: cached.rowCount });
                return respond(200, { queryId, cached: true, ...cached });
            }
            // Never parse-error text into the log: it can quote the cached rows.
            log({ event: "cache_corrupt", requestId, queryId, bytes: Buffer.byteLength(cachedText) });
        }

        let result: QueryResult;
        try {
            result = await runQuery(
                deps.athena,
                { sql: template.sql, executionParameters: bound.executionParameters, workgroup: deps.workgroup, database: template.database },
                { timeoutMs: deps.queryTimeoutMs, sleep: deps.sleep, now: () => now().getTime() },
            );
        } catch (err) {
            // Only error classes and Athena's codes are logged: Athena's reason text can quote data values.
            if (err instanceof QueryFailedError) {
                log({ event: "failed", ...audit, queryId, customer, queryExecutionId: err.queryExecutionId, errorCategory: err.errorCategory, errorType: err.errorType, retryable: err.retryable });
                return respond(502, { error: "query_failed", message: "Athena could not run the query", queryExecutionId: err.queryExecutionId });
            }
            if (err instanceof QueryCancelledError) {
                log({ event: "cancelled", ...audit, queryId, customer, queryExecutionId: err.queryExecutionId, bytesScanned: err.dataScannedBytes });
                return respond(502, { error: "query_cancelled", message: "the query was cancelled (for example by the workgroup's bytes-scanned limit)", queryExecutionId: err.queryExecutionId });
            }
            if (err instanceof QueryTimeoutError) {
                log({ event: "timeout", ...audit, queryId, customer, queryExecutionId: err.queryExecutionId, timeoutMs: err.timeoutMs });
                return respond(504, { error: "query_timeout", message: `the query did not finish within ${err.timeoutMs} ms and was stopped`, queryExecutionId: err.queryExecutionId });
            }
            log({ event: "error", ...audit, queryId, customer, error: (err as Error).name });
            return respond(500, { error: "internal_error", message: "the query could not be run" });
        }

        const payload: CachedPayload = { columns: result.columns, rows: result.rows, rowCount: result.rows.length, truncated: result.truncated, queryExecutionId: result.queryExecutionId };
        if (deps.cache && !result.truncated) {
            await deps.cache.set(key, JSON.stringify(payload), template.cacheTtlSeconds);
        }
        log({ event: "served", ...audit, queryId, customer, cache: deps.cache ? "miss" : "off", queryExecutionId: result.queryExecutionId, rows: result.rows.length, bytesScanned: result.dataScannedBytes });
        return respond(200, { queryId, cached: false, ...payload });
    };

    return async (event) => {
        try {
            return await handle(event);
        } catch (err) {
            // An unexpected error thrown to the runtime would be logged with its message and stack, which can quote
            // request or result data: log its class only and answer 500.
            log({ event: "error", requestId: event.requestContext?.requestId, error: (err as Error)?.name ?? typeof err });
            return respond(500, { error: "internal_error", message: "the request could not be handled" });
        }
    };
}

/** Settings the program passes through environment variables (all non-secret names). */
export interface QueryApiEnvironment {
    workgroup: string;
    templateContext: TemplateContext;
    queryTimeoutMs: number;
    auth: AuthPolicy;
    cache?: { host: string; port: number; cacheName?: string; userId?: string; serverless: boolean };
}

/** Reads and checks the environment; a missing value names the variable. Without an authorisation model, no handler. */
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
    const mode = need("AUTH_MODE");
    let auth: AuthPolicy;
    if (mode === "JWT") {
        auth = { mode, customerClaim: need("CUSTOMER_CLAIM"), tenantScope: need("TENANT_SCOPE"), analystScope: env.ANALYST_SCOPE || undefined };
    } else if (mode === "IAM") {
        const accountId = need("ACCOUNT_ID");
        if (!/^\d{12}$/.test(accountId)) throw new Error(`environment variable ACCOUNT_ID: expected a 12-digit account id, got '${accountId}'`);
        const analystRoleArns = (env.ANALYST_ROLE_ARNS ?? "").split(",").filter(Boolean);
        for (const arn of analystRoleArns) {
            if (!roleArnParts(arn)) throw new Error(`environment variable ANALYST_ROLE_ARNS: expected comma-separated IAM role ARNs, got '${arn}'`);
        }
        auth = { mode, accountId, analystRoleArns };
    } else {
        throw new Error(`environment variable AUTH_MODE: expected IAM or JWT, got '${mode}'`);
    }
    const host = env.CACHE_ENDPOINT;
    return {
        workgroup: need("ATHENA_WORKGROUP"),
        templateContext: JSON.parse(need("TEMPLATE_CONTEXT")) as TemplateContext,
        queryTimeoutMs: timeout,
        auth,
        cache: host
            ? { host, port: Number(env.CACHE_PORT || "6379"), cacheName: env.CACHE_NAME || undefined, userId: env.CACHE_USER_ID || undefined, serverless: env.CACHE_SERVERLESS === "true" }
            : undefined,
    };
}

/**
 * The IAM client of the runtime's SDK v3 (not a dependency of this repository, and external to the bundle), with
 * short timeouts: a tag lookup must fail fast (503) rather than spend API Gateway's 30 s.
 */
function runtimeIamClient(): RoleTagsApi {
    const load = createRequire(__filename);
    const { IAM } = load("@aws-sdk/client-iam") as { IAM: new (config: Record<string, unknown>) => RoleTagsApi };
    return new IAM({ maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } });
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
                  // Class and code only, as everywhere in this function's logs.
                  onError: (operation, err) => console.warn(JSON.stringify({ event: "cache_unavailable", operation, error: err.name, code: (err as NodeJS.ErrnoException).code })),
              })
            : undefined;
        live = createQueryApiHandler({
            // The Lambda runtime provides SDK v3; the bundle keeps @aws-sdk/* external.
            athena: new Athena({}),
            iam: cfg.auth.mode === "IAM" ? runtimeIamClient() : undefined,
            cache,
            templateContext: cfg.templateContext,
            workgroup: cfg.workgroup,
            queryTimeoutMs: cfg.queryTimeoutMs,
            auth: cfg.auth,
        });
    }
    return live(event);
}
