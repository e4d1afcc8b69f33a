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
 */
import { KinesisClient, PutRecordsCommand, PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { CUSTOMER_ID_PATTERN } from "../../components/shared/lake-layout";
import { explainAwsError, IngestionError } from "./errors";

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
}

const MAX_REPORTED_FAILURES = 100;

/** Full-jitter backoff delay before retry number `retry` (1-based). */
export function backoffDelay(retry: number, baseMs: number, capMs: number, random: () => number): number {
    return Math.floor(random() * Math.min(capMs, baseMs * 2 ** retry));
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

    const summary: PutRecordsSummary = { stream: opts.stream, total: 0, succeeded: 0, failed: 0, rejected: 0, calls: 0, retriedSends: 0, failures: [] };
    const fail = (index: number, errorCode: string, errorMessage: string) => {
        if (summary.failures.length < MAX_REPORTED_FAILURES) summary.failures.push({ index, errorCode, errorMessage });
    };

    /** Sends `entries` (one call's worth) until each succeeded, failed for good, or ran out of attempts. */
    const send = async (initial: Entry[]): Promise<void> => {
        let pending = initial;
        while (pending.length > 0) {
            pending.forEach((e) => {
                if (e.attempts > 0) summary.retriedSends += 1;
                e.attempts += 1;
            });
            const request: PutRecordsRequestEntry[] = pending.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey }));
            let retry: Entry[] = [];
            summary.calls += 1;
            try {
                const out = await deps.kinesis.send(new PutRecordsCommand({ ...streamParam, Records: request }));
                const results = out.Records ?? [];
                pending.forEach((e, i) => {
                    const r = results[i];
                    if (r && !r.ErrorCode) {
                        summary.succeeded += 1;
                    } else if (r?.ErrorCode && RETRYABLE_RECORD_ERRORS.has(r.ErrorCode) && e.attempts < maxAttempts) {
                        retry.push(e);
                    } else {
                        summary.failed += 1;
                        fail(e.index, r?.ErrorCode ?? "MissingResult", r?.ErrorMessage ?? "no result for this record in the response");
                    }
                });
            } catch (err) {
                const code = (err as { name?: string }).name ?? "";
                if (!RETRYABLE_CALL_ERRORS.has(code)) {
                    throw explainAwsError(err, { stream: opts.stream });
                }
                retry = pending.filter((e) => e.attempts < maxAttempts);
                for (const e of pending.filter((p) => p.attempts >= maxAttempts)) {
                    summary.failed += 1;
                    fail(e.index, code, (err as Error).message);
                }
            }
            if (retry.length > 0) {
                const attempt = Math.max(...retry.map((e) => e.attempts));
                await sleep(backoffDelay(attempt, baseMs, capMs, random));
            }
            pending = retry;
        }
    };

    // Records are read as they come (a JSONL file can be larger than memory) and sent one full call at a time.
    let buffer: Entry[] = [];
    let bufferBytes = 0;
    let index = 0;
    for await (const record of opts.records as AsyncIterable<T>) {
        const i = index++;
        summary.total += 1;
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
            fail(i, "InvalidCustomer", `customer must be a customer id (lowercase letters, digits, inner hyphens), got ${JSON.stringify(customer)}`);
            continue;
        }
        const raw = serialize(record);
        const data = typeof raw === "string" ? encoder.encode(raw) : raw;
        const bytes = data.byteLength + Buffer.byteLength(customer, "utf8");
        if (bytes > maxRecordBytes) {
            summary.rejected += 1;
            fail(i, "RecordTooLarge", `record is ${bytes} bytes with its partition key; Kinesis accepts at most ${maxRecordBytes}`);
            continue;
        }
        if (buffer.length > 0 && (buffer.length >= KINESIS_MAX_RECORDS_PER_CALL || bufferBytes + bytes > KINESIS_MAX_BYTES_PER_CALL)) {
            await send(buffer);
            buffer = [];
            bufferBytes = 0;
        }
        buffer.push({ index: i, data, partitionKey: customer, bytes, attempts: 0 });
        bufferBytes += bytes;
    }
    if (buffer.length > 0) await send(buffer);
    return summary;
}
