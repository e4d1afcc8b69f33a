/**
 * putRecords: records into the ingestion stream, in batches Kinesis accepts, retrying only what failed.
 *
 * Kinesis limits (PutRecords): at most 500 records and 5 MiB per call, counting each record's data and partition
 * key; at most 1 MiB per record (data + partition key) on a stream with the default maximum record size. A
 * PutRecords call succeeds as a whole even when some records fail: `FailedRecordCount` and a per-record
 * `ErrorCode` (`ProvisionedThroughputExceededException`, `InternalFailure`, KMS errors) say which. Only those are
 * sent again, with exponential backoff and full jitter (delay = random(0, min(cap, base * 2^attempt))), so a
 * throttled shard is not hammered in lockstep by every producer. Attempts are bounded; what still fails is
 * reported, never dropped silently.
 *
 * The partition key is the customer id, so one customer's records keep their order within a shard and the
 * landing zone's Firehose partitions by the same value.
 *
 * Stopping: calls are made one at a time, so at any moment at most one batch is unsettled. On an abort signal or a
 * call error that retrying cannot fix (expired credentials, access denied, a missing stream) the call in flight is
 * allowed to finish (cancelling it would leave unknown whether Kinesis stored its records), no further call is
 * made, and {@link DeliveryStopped} carries a {@link DeliveryCheckpoint}: the first record not yet settled plus the
 * records after it that were already delivered, which is exactly what a later run must skip to send each record
 * once.
 */
import { KinesisClient, PutRecordsCommand, PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { CUSTOMER_ID_PATTERN } from "../../components/shared/lake-layout";
import { explainAwsError, IngestionError, IngestionErrorKind } from "./errors";

export const KINESIS_MAX_RECORDS_PER_CALL = 500;
export const KINESIS_MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
export const KINESIS_MAX_RECORD_BYTES = 1024 * 1024;

/** Per-record errors worth retrying; anything else (e.g. a KMS access error) will fail the same way again. */
const RETRYABLE_RECORD_ERRORS = new Set(["ProvisionedThroughputExceededException", "InternalFailure", "KMSThrottlingException", "ServiceUnavailable"]);
/** Whole-call errors worth retrying after the SDK's own retries gave up. */
const RETRYABLE_CALL_ERRORS = new Set(["ProvisionedThroughputExceededException", "LimitExceededException", "InternalFailure", "ServiceUnavailable", "ThrottlingException", "KMSThrottlingException"]);

export interface PutRecordsOptions<T> {
    /** Stream name or ARN. */
    stream: string;
    records: Iterable<T> | AsyncIterable<T>;
    /** The customer (tenant) of a record; the partition key. A throw rejects the record (`err.code` is reported). */
    customerOf: (record: T) => string;
    /** Bytes sent for a record. @default JSON.stringify */
    serialize?: (record: T) => Uint8Array | string;
    /** Sends per record, the first included. @default 5 */
    maxAttempts?: number;
    /** Backoff base and cap in ms. @default 100, 5000 */
    baseDelayMs?: number;
    maxDelayMs?: number;
    /** Largest record (data + partition key), for streams configured with a larger maximum. @default 1 MiB */
    maxRecordBytes?: number;
    /** Where a record is, for failure messages (e.g. `line 12`); never the record's content. @default none */
    label?: (record: T) => string;
    /**
     * Stops sending: the call in flight finishes, no other call (retries included) starts, and the promise rejects
     * with {@link DeliveryStopped} (kind `cancelled`). @default never
     */
    signal?: AbortSignal;
    /** Called before and after every PutRecords call and when reading stops, with where delivery stands. */
    onCheckpoint?: (checkpoint: DeliveryCheckpoint, summary: PutRecordsSummary) => void;
}

export interface RecordFailure {
    /** Position of the record in `records` (0-based). */
    index: number;
    errorCode: string;
    errorMessage: string;
}

export interface PutRecordsSummary {
    stream: string;
    total: number;
    succeeded: number;
    /** Sent but still failing after the last attempt, or failed with an error that is not retried. */
    failed: number;
    /** Never sent: invalid customer id or too large. */
    rejected: number;
    /** PutRecords calls made, retries included. */
    calls: number;
    /** Record sends beyond the first (how much retrying happened). */
    retriedSends: number;
    /** The first 100 failures and rejections. */
    failures: RecordFailure[];
}

/**
 * Where delivery stands. Every record before `nextIndex` is settled: delivered, failed for good or rejected (each
 * failure is in the summary). Of the records from `nextIndex` on, exactly those in `deliveredAfter` were delivered.
 */
export interface DeliveryCheckpoint {
    /** Records taken from `records` so far. */
    read: number;
    /** The first record not settled: a new run continues here. */
    nextIndex: number;
    /** Records after `nextIndex` already delivered (from the unsettled batch only, so at most 499). */
    deliveredAfter: number[];
    /** Records of the PutRecords call in flight: whether Kinesis stored them is unknown until it answers. */
    inFlight: number[];
}

/** Delivery stopped before the end of `records`: an abort or an error retrying cannot fix. */
export class DeliveryStopped extends IngestionError {
    constructor(
        kind: IngestionErrorKind,
        message: string,
        /** What was done up to the stop. */
        readonly summary: PutRecordsSummary,
        /** Where to continue; nothing is in flight any more. */
        readonly checkpoint: DeliveryCheckpoint,
        /** The error code of the cause (`ExpiredTokenException`), or `Interrupted`. */
        readonly code: string,
        options?: { cause?: unknown },
    ) {
        super(kind, message, options);
        this.name = "DeliveryStopped";
    }
}

export interface PutRecordsDeps {
    kinesis: KinesisClient;
    /** @default setTimeout-based sleep */
    sleep?: (ms: number) => Promise<void>;
    /** Uniform [0, 1). @default Math.random */
    random?: () => number;
}

interface Entry {
    index: number;
    data: Uint8Array;
    partitionKey: string;
    bytes: number;
    attempts: number;
    label?: string;
}

const MAX_REPORTED_FAILURES = 100;

/** Full-jitter backoff delay before retry number `retry` (1-based). */
export function backoffDelay(retry: number, baseMs: number, capMs: number, random: () => number): number {
    return Math.floor(random() * Math.min(capMs, baseMs * 2 ** retry));
}

/** `sleep(ms)` cut short by `signal` (a backoff wait must not delay an interrupt). */
function abortableSleep(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return sleep(ms);
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
        const onAbort = () => resolve();
        signal.addEventListener("abort", onAbort, { once: true });
        sleep(ms).then(
            () => {
                signal.removeEventListener("abort", onAbort);
                resolve();
            },
            (err: unknown) => {
                signal.removeEventListener("abort", onAbort);
                reject(err);
            },
        );
    });
}

const encoder = new TextEncoder();

export async function putRecords<T>(opts: PutRecordsOptions<T>, deps: PutRecordsDeps): Promise<PutRecordsSummary> {
    if (!opts.stream) throw new IngestionError("usage", "--stream must name a Kinesis stream (name or ARN)");
    const maxAttempts = opts.maxAttempts ?? 5;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20) {
        throw new IngestionError("usage", `maxAttempts must be an integer from 1 to 20, got ${maxAttempts}`);
    }
    const maxRecordBytes = opts.maxRecordBytes ?? KINESIS_MAX_RECORD_BYTES;
    const baseMs = opts.baseDelayMs ?? 100;
    const capMs = opts.maxDelayMs ?? 5000;
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const random = deps.random ?? Math.random;
    const serialize = opts.serialize ?? ((r: T) => JSON.stringify(r));
    const streamParam = opts.stream.startsWith("arn:") ? { StreamARN: opts.stream } : { StreamName: opts.stream };
    const signal = opts.signal;

    const summary: PutRecordsSummary = { stream: opts.stream, total: 0, succeeded: 0, failed: 0, rejected: 0, calls: 0, retriedSends: 0, failures: [] };
    const fail = (index: number, errorCode: string, errorMessage: string, label?: string) => {
        if (summary.failures.length < MAX_REPORTED_FAILURES) summary.failures.push({ index, errorCode, errorMessage: label === undefined ? errorMessage : `${label}: ${errorMessage}` });
    };

    // The unsettled batch (sent or being retried), what of it was delivered, and the records read but not sent yet.
    let open: Entry[] = [];
    let deliveredInBatch: number[] = [];
    let inFlight: Entry[] = [];
    let buffer: Entry[] = [];
    let bufferBytes = 0;
    let index = 0;

    const checkpoint = (): DeliveryCheckpoint => {
        const nextIndex = Math.min(open[0]?.index ?? index, buffer[0]?.index ?? index, index);
        return { read: index, nextIndex, deliveredAfter: deliveredInBatch.filter((i) => i > nextIndex), inFlight: inFlight.map((e) => e.index) };
    };
    const report = () => opts.onCheckpoint?.(checkpoint(), summary);
    const stopped = (kind: IngestionErrorKind, message: string, code: string, cause?: unknown) =>
        new DeliveryStopped(kind, message, summary, checkpoint(), code, cause === undefined ? undefined : { cause });
    const interrupted = () => stopped("cancelled", "Stopped on request: the PutRecords call in flight finished and no further call was made.", "Interrupted");

    /** Sends `entries` (one call's worth) until each succeeded, failed for good, or ran out of attempts. */
    const send = async (initial: Entry[]): Promise<void> => {
        open = initial;
        deliveredInBatch = [];
        while (open.length > 0) {
            if (signal?.aborted) throw interrupted();
            const pending = open;
            pending.forEach((e) => {
                if (e.attempts > 0) summary.retriedSends += 1;
                e.attempts += 1;
            });
            const request: PutRecordsRequestEntry[] = pending.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey }));
            const retry: Entry[] = [];
            summary.calls += 1;
            inFlight = pending;
            report();
            try {
                // No abortSignal on the call: cancelling a request Kinesis may already have applied would leave
                // unknown which records were stored.
                const out = await deps.kinesis.send(new PutRecordsCommand({ ...streamParam, Records: request }));
                inFlight = [];
                const results = out.Records ?? [];
                pending.forEach((e, i) => {
                    const r = results[i];
                    if (r && !r.ErrorCode) {
                        summary.succeeded += 1;
                        deliveredInBatch.push(e.index);
                    } else if (r?.ErrorCode && RETRYABLE_RECORD_ERRORS.has(r.ErrorCode) && e.attempts < maxAttempts) {
                        retry.push(e);
                    } else {
                        summary.failed += 1;
                        fail(e.index, r?.ErrorCode ?? "MissingResult", r?.ErrorMessage ?? "no result for this record in the response", e.label);
                    }
                });
            } catch (err) {
                inFlight = [];
                const code = (err as { name?: string }).name ?? "";
                if (!RETRYABLE_CALL_ERRORS.has(code)) {
                    // Nothing of this call was stored: `open` still holds it, so the checkpoint starts at it.
                    const explained = explainAwsError(err, { stream: opts.stream });
                    throw stopped(explained.kind, explained.message, code || "Error", err);
                }
                retry.push(...pending.filter((e) => e.attempts < maxAttempts));
                for (const e of pending.filter((p) => p.attempts >= maxAttempts)) {
                    summary.failed += 1;
                    fail(e.index, code, (err as Error).message, e.label);
                }
            }
            open = retry;
            report();
            if (retry.length > 0) {
                const attempt = Math.max(...retry.map((e) => e.attempts));
                await abortableSleep(sleep, backoffDelay(attempt, baseMs, capMs, random), signal);
            }
        }
        deliveredInBatch = [];
    };

    // Records are read as they come (a JSONL file can be larger than memory) and sent one full call at a time.
    try {
        for await (const record of opts.records as AsyncIterable<T>) {
            if (signal?.aborted) break;
            const i = index++;
            summary.total += 1;
            const label = opts.label?.(record);
            let customer: string;
            try {
                customer = opts.customerOf(record);
            } catch (err) {
                // customerOf may name the problem (e.g. InvalidJson for an unparsable line) through err.code.
                summary.rejected += 1;
                fail(i, (err as { code?: string }).code ?? "InvalidCustomer", (err as Error).message);
                continue;
            }
            if (typeof customer !== "string" || !CUSTOMER_ID_PATTERN.test(customer)) {
                summary.rejected += 1;
                // The value is not quoted: a wrong field mapping can put any record value (a patient name) here.
                fail(i, "InvalidCustomer", "customer must be a customer id (lowercase letters, digits, inner hyphens)", label);
                continue;
            }
            const raw = serialize(record);
            const data = typeof raw === "string" ? encoder.encode(raw) : raw;
            const bytes = data.byteLength + Buffer.byteLength(customer, "utf8");
            if (bytes > maxRecordBytes) {
                summary.rejected += 1;
                fail(i, "RecordTooLarge", `record is ${bytes} bytes with its partition key; Kinesis accepts at most ${maxRecordBytes}`, label);
                continue;
            }
            const entry: Entry = { index: i, data, partitionKey: customer, bytes, attempts: 0, label };
            if (buffer.length > 0 && (buffer.length >= KINESIS_MAX_RECORDS_PER_CALL || bufferBytes + bytes > KINESIS_MAX_BYTES_PER_CALL)) {
                // The new record starts the next batch before this one is sent, so a checkpoint taken during the
                // call still counts it as unsent.
                const batch = buffer;
                buffer = [entry];
                bufferBytes = bytes;
                await send(batch);
            } else {
                buffer.push(entry);
                bufferBytes += bytes;
            }
        }
        if (signal?.aborted) throw interrupted();
        if (buffer.length > 0) {
            const batch = buffer;
            buffer = [];
            bufferBytes = 0;
            await send(batch);
        }
    } catch (err) {
        if (err instanceof DeliveryStopped) {
            report();
            throw err;
        }
        // Reading failed (e.g. the file became unreadable): nothing is in flight, the checkpoint is exact.
        const explained = err instanceof IngestionError ? err : new IngestionError("file", `Reading the records failed (${(err as { code?: string }).code ?? (err as Error).name ?? "Error"})`, { cause: err });
        const stop = stopped(explained.kind, explained.message, (err as { code?: string }).code ?? "ReadError", err);
        report();
        throw stop;
    }
    report();
    return summary;
}
