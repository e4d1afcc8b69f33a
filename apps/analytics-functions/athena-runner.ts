/**
 * Runs one allow-listed Athena query to completion: start (with execution parameters), poll with backoff,
 * stop on timeout or on any error while it may still be running, read every result page. The Athena API is injected ({@link AthenaApi}) so the handlers are
 * unit-tested against a fake; in Lambda it is the SDK v3 `Athena` client the runtime provides.
 */
import type {
    GetQueryExecutionCommandInput,
    GetQueryExecutionCommandOutput,
    GetQueryResultsCommandInput,
    GetQueryResultsCommandOutput,
    StartQueryExecutionCommandInput,
    StartQueryExecutionCommandOutput,
    StopQueryExecutionCommandInput,
    StopQueryExecutionCommandOutput,
} from "@aws-sdk/client-athena";

/** The four Athena operations the platform's functions use (the SDK's aggregated `Athena` client has them). */
export interface AthenaApi {
    startQueryExecution(input: StartQueryExecutionCommandInput): Promise<StartQueryExecutionCommandOutput>;
    getQueryExecution(input: GetQueryExecutionCommandInput): Promise<GetQueryExecutionCommandOutput>;
    getQueryResults(input: GetQueryResultsCommandInput): Promise<GetQueryResultsCommandOutput>;
    stopQueryExecution(input: StopQueryExecutionCommandInput): Promise<StopQueryExecutionCommandOutput>;
}

export interface QueryRequest {
    sql: string;
    executionParameters: string[];
    workgroup: string;
    database: string;
}

export interface RunOptions {
    /** Give up (and stop the query) after this long. */
    timeoutMs: number;
    /** First poll delay; doubles up to `maxPollMs`. @default 250 */
    pollMs?: number;
    /** @default 2000 */
    maxPollMs?: number;
    /** Rows returned at most; the rest is reported as truncated. @default 1000 */
    maxRows?: number;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
}

export type Cell = string | number | boolean | null;

export interface QueryResult {
    queryExecutionId: string;
    columns: { name: string; type: string }[];
    rows: Record<string, Cell>[];
    truncated: boolean;
    dataScannedBytes?: number;
}

/**
 * Athena ended the query in FAILED. Only Athena's error codes are kept: `StateChangeReason` and
 * `AthenaError.ErrorMessage` can quote data values (`Value cannot be cast: 'John Smith'`), so they never
 * leave this module and can never reach a log (HIPAA 164.312(b) audit logs must not become a PHI store).
 */
export class QueryFailedError extends Error {
    constructor(
        readonly queryExecutionId: string,
        /** `AthenaError.ErrorCategory`: 1 system, 2 user, 3 other. */
        readonly errorCategory?: number,
        /** `AthenaError.ErrorType`, a numeric error code (e.g. 1003). */
        readonly errorType?: number,
        readonly retryable?: boolean,
    ) {
        super(`Athena query ${queryExecutionId} failed`);
        this.name = "QueryFailedError";
    }
}

/** Athena ended the query in CANCELLED (someone stopped it, or the workgroup's bytes-scanned cutoff hit). */
export class QueryCancelledError extends Error {
    constructor(
        readonly queryExecutionId: string,
        /** Bytes scanned when it stopped: tells the bytes-scanned cutoff from a manual stop without the reason text. */
        readonly dataScannedBytes?: number,
    ) {
        super(`Athena query ${queryExecutionId} was cancelled`);
        this.name = "QueryCancelledError";
    }
}

/** The query did not finish in time; it was asked to stop so it does not keep scanning (and billing). */
export class QueryTimeoutError extends Error {
    constructor(
        readonly queryExecutionId: string,
        readonly timeoutMs: number,
    ) {
        super(`Athena query ${queryExecutionId} did not finish within ${timeoutMs} ms`);
        this.name = "QueryTimeoutError";
    }
}

const NUMERIC = new Set(["tinyint", "smallint", "integer", "bigint", "double", "float", "real", "decimal"]);

function convert(value: string | undefined, type: string): Cell {
    if (value === undefined) {
        return null;
    }
    if (NUMERIC.has(type)) {
        const n = Number(value);
        // bigint sums beyond 2^53 stay strings rather than silently losing precision.
        return Number.isFinite(n) && (Number.isSafeInteger(n) || !/^-?\d+$/.test(value)) ? n : value;
    }
    if (type === "boolean") {
        return value === "true";
    }
    return value;
}

/** Runs `request` and returns its rows; throws the errors above for FAILED, CANCELLED and timeouts. */
export async function runQuery(api: AthenaApi, request: QueryRequest, options: RunOptions): Promise<QueryResult> {
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const now = options.now ?? Date.now;
    const maxRows = options.maxRows ?? 1000;
    const started = now();
    const start = await api.startQueryExecution({
        QueryString: request.sql,
        // Only present when the template has placeholders: Athena rejects an empty list.
        ExecutionParameters: request.executionParameters.length > 0 ? request.executionParameters : undefined,
        WorkGroup: request.workgroup,
        QueryExecutionContext: { Database: request.database },
    });
    const id = start.QueryExecutionId;
    if (!id) {
        throw new Error("Athena StartQueryExecution returned no QueryExecutionId");
    }

    let delay = options.pollMs ?? 250;
    let dataScannedBytes: number | undefined;
    // Until Athena reports a final state the query may be running (and billing, and scanning PHI): any way out of
    // this loop other than a final state stops it, including an SDK error (throttling, network) while polling.
    let terminal = false;
    try {
        for (;;) {
            const exec = await api.getQueryExecution({ QueryExecutionId: id });
            const status = exec.QueryExecution?.Status;
            const state = status?.State;
            dataScannedBytes = exec.QueryExecution?.Statistics?.DataScannedInBytes ?? dataScannedBytes;
            if (state === "SUCCEEDED") {
                terminal = true;
                break;
            }
            if (state === "FAILED") {
                terminal = true;
                const e = status?.AthenaError;
                throw new QueryFailedError(id, e?.ErrorCategory, e?.ErrorType, e?.Retryable);
            }
            if (state === "CANCELLED") {
                terminal = true;
                throw new QueryCancelledError(id, dataScannedBytes);
            }
            if (now() - started + delay > options.timeoutMs) {
                throw new QueryTimeoutError(id, options.timeoutMs);
            }
            await sleep(delay);
            delay = Math.min(delay * 2, options.maxPollMs ?? 2000);
        }
    } catch (err) {
        if (!terminal) {
            // Best effort: a stop that fails must not hide the original error from the caller.
            await api.stopQueryExecution({ QueryExecutionId: id }).catch(() => undefined);
        }
        throw err;
    }

    const rows: Record<string, Cell>[] = [];
    let columns: { name: string; type: string }[] = [];
    let token: string | undefined;
    let first = true;
    let truncated = false;
    do {
        const page = await api.getQueryResults({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 });
        if (first) {
            columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Name ?? c.Label ?? "", type: (c.Type ?? "varchar").toLowerCase() }));
        }
        const pageRows = page.ResultSet?.Rows ?? [];
        // A SELECT's first page starts with the header row (the column labels).
        for (const [i, row] of pageRows.entries()) {
            if (first && i === 0 && columns.length > 0 && (row.Data ?? []).every((d, j) => d.VarCharValue === columns[j]?.name)) {
                continue;
            }
            if (rows.length >= maxRows) {
                truncated = true;
                break;
            }
            const out: Record<string, Cell> = {};
            (row.Data ?? []).forEach((d, j) => {
                const col = columns[j] ?? { name: `col${j}`, type: "varchar" };
                out[col.name] = convert(d.VarCharValue, col.type);
            });
            rows.push(out);
        }
        first = false;
        token = truncated ? undefined : page.NextToken;
    } while (token);
    return { queryExecutionId: id, columns, rows, truncated, dataScannedBytes };
}
