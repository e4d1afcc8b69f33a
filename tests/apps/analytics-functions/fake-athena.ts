/**
 * A scriptable stand-in for the Athena API the handlers use. It records what the handler sends and answers
 * with the states and result pages a test scripts, shaped exactly like SDK v3 responses (types from
 * @aws-sdk/client-athena), so the handler code under test is the code Lambda runs.
 */
import type {
    GetQueryExecutionCommandInput,
    GetQueryExecutionCommandOutput,
    GetQueryResultsCommandInput,
    GetQueryResultsCommandOutput,
    QueryExecutionState,
    StartQueryExecutionCommandInput,
    StartQueryExecutionCommandOutput,
    StopQueryExecutionCommandInput,
    StopQueryExecutionCommandOutput,
} from "@aws-sdk/client-athena";
import { AthenaApi } from "../../../apps/analytics-functions/athena-runner";
import { TemplateContext } from "../../../apps/analytics-functions/query-templates";

const META = { $metadata: {} };

export interface FakeAthenaScript {
    /** States returned by successive GetQueryExecution calls; the last repeats. @default ["SUCCEEDED"] */
    states?: QueryExecutionState[];
    reason?: string;
    errorType?: number;
    columns?: { name: string; type: string }[];
    /** Data rows (header row added by the fake, as Athena does for SELECT). */
    rows?: (string | undefined)[][];
    /** Rows per GetQueryResults page (the header counts on page one, as in Athena). @default 1000 */
    pageSize?: number;
    /** Omit the ResultSet entirely (no header, no rows). */
    noResultSet?: boolean;
    bytesScanned?: number;
    /** GetQueryExecution throws this (as the SDK does on throttling or a network error) from call `pollErrorFrom` (0-based) on. */
    pollError?: Error;
    /** @default 0 */
    pollErrorFrom?: number;
    /** StopQueryExecution throws this (after recording the call). */
    stopError?: Error;
}

export class FakeAthena implements AthenaApi {
    readonly started: StartQueryExecutionCommandInput[] = [];
    readonly polled: string[] = [];
    readonly resultCalls: GetQueryResultsCommandInput[] = [];
    readonly stopped: string[] = [];
    private poll = 0;

    constructor(private readonly script: FakeAthenaScript = {}) {}

    async startQueryExecution(input: StartQueryExecutionCommandInput): Promise<StartQueryExecutionCommandOutput> {
        this.started.push(input);
        return { ...META, QueryExecutionId: `qe-${this.started.length}` };
    }

    async getQueryExecution(input: GetQueryExecutionCommandInput): Promise<GetQueryExecutionCommandOutput> {
        this.polled.push(input.QueryExecutionId ?? "");
        if (this.script.pollError && this.polled.length - 1 >= (this.script.pollErrorFrom ?? 0)) {
            throw this.script.pollError;
        }
        const states = this.script.states ?? ["SUCCEEDED"];
        const state = states[Math.min(this.poll++, states.length - 1)];
        return {
            ...META,
            QueryExecution: {
                QueryExecutionId: input.QueryExecutionId,
                Status: {
                    State: state,
                    StateChangeReason: state === "FAILED" || state === "CANCELLED" ? this.script.reason : undefined,
                    AthenaError:
                        state === "FAILED" && this.script.errorType !== undefined
                            ? { ErrorCategory: 2, ErrorType: this.script.errorType, Retryable: false, ErrorMessage: this.script.reason }
                            : undefined,
                },
                Statistics: { DataScannedInBytes: this.script.bytesScanned ?? 1024 },
            },
        };
    }

    async getQueryResults(input: GetQueryResultsCommandInput): Promise<GetQueryResultsCommandOutput> {
        this.resultCalls.push(input);
        if (this.script.noResultSet) {
            return { ...META };
        }
        const columns = this.script.columns ?? [];
        const all = [columns.map((c) => c.name), ...(this.script.rows ?? [])];
        const size = this.script.pageSize ?? 1000;
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const page = all.slice(start, start + size);
        const next = start + size < all.length ? String(start + size) : undefined;
        return {
            ...META,
            NextToken: next,
            ResultSet: {
                ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type })) },
                Rows: page.map((row) => ({ Data: row.map((v) => (v === undefined ? {} : { VarCharValue: v })) })),
            },
        };
    }

    async stopQueryExecution(input: StopQueryExecutionCommandInput): Promise<StopQueryExecutionCommandOutput> {
        this.stopped.push(input.QueryExecutionId ?? "");
        if (this.script.stopError) {
            throw this.script.stopError;
        }
        return { ...META };
    }
}

/** A clock that only moves when the handler sleeps (so timeouts are deterministic). */
export function fakeClock(start = Date.parse("2025-03-07T10:00:00Z")): { now: () => Date; sleep: (ms: number) => Promise<void>; slept: number[] } {
    let t = start;
    const slept: number[] = [];
    return {
        now: () => new Date(t),
        sleep: async (ms: number) => {
            slept.push(ms);
            t += ms;
        },
        slept,
    };
}

/** Deployment names the function specs build templates from (dev account, two zones). */
export const CTX: TemplateContext = {
    inventoryDatabase: "hdp_dev_inventory",
    inventoryTable: "s3_inventory",
    curatedDatabase: "hdp_dev_curated",
    zones: [
        { zone: "raw", bucket: "hdp-dev-raw-210987654321-us-east-1", infrequentAccessDays: 30 },
        { zone: "curated", bucket: "hdp-dev-curated-210987654321-us-east-1", infrequentAccessDays: 90 },
    ],
};
