/**
 * sendFile: a JSONL file into one customer's Kinesis stream (what `ingest send` runs), able to stop and resume
 * without sending a record twice or skipping one.
 *
 * - Lines are read with a bounded reader (./lines.ts): a line over `maxLineBytes` is rejected by number and never
 *   held in memory whole.
 * - Messages name line numbers, error classes and codes, never a record's content (it is PHI).
 * - When delivery stops (an abort signal, or an error retrying cannot fix, such as expired credentials), the call in
 *   flight finishes and a resume point (./resume.ts) is written; {@link SendStopped} says where it is.
 * - With `resumeFrom`, the resume point is checked against the file (SHA-256 of the bytes before it) and the run
 *   continues at its line, skipping the lines it lists as delivered. Without it, an existing resume point refuses
 *   the run: sending the file from the start again would duplicate what the interrupted run delivered.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE } from "../../components/shared/lake-layout";
import { IngestionError, IngestionErrorKind } from "./errors";
import { LinePosition, LineReader } from "./lines";
import { DeliveryCheckpoint, DeliveryStopped, KINESIS_MAX_RECORD_BYTES, putRecords, PutRecordsSummary } from "./records";
import { defaultResumeFile, readResumePoint, RESUME_FORMAT, ResumePoint, tryWriteResumePoint, verifyResumePoint } from "./resume";

/**
 * Default longest line: a Kinesis record holds at most 1 MiB (data + partition key), so a longer line could only
 * be sent after shrinking on re-serialisation; refusing it while reading bounds memory to about one record.
 */
export const DEFAULT_MAX_LINE_BYTES = KINESIS_MAX_RECORD_BYTES;

export interface SendFileOptions {
    filePath: string;
    /** Stream name or ARN: the customer's own stream. */
    stream: string;
    /** The stream's customer; every record must belong to it. */
    customer: string;
    /** Where a record names its customer (dots for nested fields). @default "customer" */
    customerField?: string;
    /** Sends per record. @default 5 */
    maxAttempts?: number;
    /** Longest line in bytes (line break excluded), at most 1 MiB. @default 1 MiB */
    maxLineBytes?: number;
    /** Where the resume point is written and read. @default `<filePath>.resume.json` */
    resumeFile?: string;
    /** Continue an interrupted run at this line (it must be the resume point's line). @default start at line 1 */
    resumeFrom?: number;
    /** Stops after the call in flight. */
    signal?: AbortSignal;
    /** Called with the resume point as of now, before and after each call (for a forced exit). */
    onResumePoint?: (point: ResumePoint) => void;
    /** Backoff base and cap in ms (tests shorten them). @default 100, 5000 */
    baseDelayMs?: number;
    maxDelayMs?: number;
}

export interface SendFileSummary extends PutRecordsSummary {
    /** The line this run started at (1 unless resumed). */
    startLine: number;
    /** Records delivered by this run and the runs it resumes. */
    deliveredInAllRuns: number;
}

export interface SendFileDeps {
    kinesis: KinesisClient;
    sleep?: (ms: number) => Promise<void>;
}

/** Delivery stopped: the summary so far and the resume point (written to `resumeFile` unless `writeError`). */
export class SendStopped extends IngestionError {
    constructor(
        kind: IngestionErrorKind,
        message: string,
        readonly summary: SendFileSummary,
        readonly point: ResumePoint,
        readonly resumeFile: string,
        /** Why the resume point could not be written (error code), if it could not. */
        readonly writeError?: string,
        options?: { cause?: unknown },
    ) {
        super(kind, message, options);
        this.name = "SendStopped";
    }
}

interface Line {
    line: number;
    start: LinePosition;
    value?: unknown;
    /** The error class of a line that is not JSON (its message quotes the line, so it is not kept). */
    parseError?: string;
    tooLong?: boolean;
}

/** Reads a dotted field (`patient.customer`) of a parsed record. */
function field(record: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), record);
}

function rejection(code: string, message: string): Error {
    return Object.assign(new Error(message), { code });
}

function usage(message: string): IngestionError {
    return new IngestionError("usage", message);
}

/** The resume point to continue from, checked against the options and the file; undefined to start at line 1. */
async function startingPoint(opts: SendFileOptions, resumeFile: string): Promise<{ point?: ResumePoint; hash: crypto.Hash }> {
    const existing = readResumePoint(resumeFile);
    if (opts.resumeFrom === undefined) {
        if (existing) {
            throw usage(
                `${resumeFile} holds the resume point of an interrupted send of this file (next line ${existing.nextLine}, ${existing.delivered} record(s) delivered). ` +
                    `Pass --resume-from ${existing.nextLine} to continue without duplicates, or delete the resume file to send the whole file again.`,
            );
        }
        return { hash: crypto.createHash("sha256") };
    }
    if (!existing) {
        throw usage(`--resume-from ${opts.resumeFrom}: no resume point at ${resumeFile} (written when a send stops; --resume-file names another place). Without it the file cannot be checked.`);
    }
    if (existing.nextLine !== opts.resumeFrom) {
        throw usage(`--resume-from ${opts.resumeFrom} does not match the resume point in ${resumeFile}, which continues at line ${existing.nextLine}`);
    }
    if (existing.stream !== opts.stream) throw usage(`--stream '${opts.stream}' is not the stream of the resume point in ${resumeFile} ('${existing.stream}')`);
    if (existing.customer !== opts.customer) throw usage(`--customer '${opts.customer}' is not the customer of the resume point in ${resumeFile} ('${existing.customer}')`);
    return { point: existing, hash: await verifyResumePoint(opts.filePath, existing, resumeFile) };
}

/** Sends `opts.filePath` as the module comment describes. Throws {@link SendStopped} when delivery stops. */
export async function sendFile(opts: SendFileOptions, deps: SendFileDeps): Promise<SendFileSummary> {
    if (!CUSTOMER_ID_PATTERN.test(opts.customer)) throw usage(`--customer must be a customer id (${CUSTOMER_ID_RULE}), got '${opts.customer}'`);
    const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1 || maxLineBytes > KINESIS_MAX_RECORD_BYTES) {
        throw usage(`--max-line-bytes must be an integer from 1 to ${KINESIS_MAX_RECORD_BYTES} (Kinesis's record limit), got '${opts.maxLineBytes}'`);
    }
    const customerField = opts.customerField ?? "customer";
    const resumeFile = opts.resumeFile ?? defaultResumeFile(opts.filePath);
    const { point: previous, hash } = await startingPoint(opts, resumeFile);
    const startLine = previous?.nextLine ?? 1;
    const skip = new Set(previous?.deliveredLines ?? []);

    const reader = new LineReader(fs.createReadStream(opts.filePath, { start: previous?.byteOffset ?? 0 }), {
        maxLineBytes,
        start: { line: startLine, offset: previous?.byteOffset ?? 0, hash },
    });
    // Start of each record read and not yet settled, by index (pruned as delivery advances: about one batch).
    const starts = new Map<number, LinePosition>();
    let read = 0;
    async function* records(): AsyncGenerator<Line> {
        for await (const raw of reader.lines()) {
            // Delivered by the interrupted run (the batch that was unsettled when it stopped).
            if (skip.has(raw.line)) continue;
            starts.set(read++, raw.start);
            if (raw.tooLong) {
                yield { line: raw.line, start: raw.start, tooLong: true };
                continue;
            }
            try {
                yield { line: raw.line, start: raw.start, value: JSON.parse(raw.text ?? "") };
            } catch (err) {
                yield { line: raw.line, start: raw.start, parseError: (err as Error).name };
            }
        }
    }

    const customerOf = (l: Line): string => {
        // No message quotes the record: an error message is printed and logged, and the record is PHI.
        if (l.tooLong) throw rejection("LineTooLong", `line ${l.line}: longer than the ${maxLineBytes}-byte line limit (--max-line-bytes); not read or sent`);
        if (l.parseError !== undefined) throw rejection("InvalidJson", `line ${l.line}: not JSON (${l.parseError})`);
        if (l.value === null || typeof l.value !== "object" || Array.isArray(l.value)) throw rejection("NotAnObject", `line ${l.line}: not a JSON object`);
        const named = field(l.value, customerField);
        const top = field(l.value, "customer");
        if (named !== undefined && typeof named !== "string") throw rejection("InvalidCustomer", `line ${l.line}: field '${customerField}' is not a string`);
        if (customerField !== "customer" && top !== undefined && named !== undefined && top !== named) {
            throw rejection("InvalidCustomer", `line ${l.line}: 'customer' and '${customerField}' disagree`);
        }
        // The named field, else a top-level "customer" (the same field when customerField is its default).
        const customer = named ?? top ?? opts.customer;
        if (customer !== opts.customer) {
            throw rejection("CustomerMismatch", `line ${l.line}: the record names another customer than --customer '${opts.customer}' (each customer has its own stream)`);
        }
        return opts.customer;
    };

    let summary: PutRecordsSummary | undefined;
    const summarize = (s: PutRecordsSummary): SendFileSummary => ({ ...s, startLine, deliveredInAllRuns: (previous?.delivered ?? 0) + s.succeeded });
    const prune = (cp: DeliveryCheckpoint) => {
        for (const i of starts.keys()) {
            if (i >= cp.nextIndex) break;
            starts.delete(i);
        }
    };
    const pointAt = (cp: DeliveryCheckpoint, s: PutRecordsSummary, stoppedBy: string): ResumePoint => {
        prune(cp);
        const at = cp.nextIndex < read ? starts.get(cp.nextIndex) : reader.position;
        if (!at) throw new Error(`internal: no start position for record ${cp.nextIndex}`);
        const lineOf = (i: number) => starts.get(i)?.line ?? 0;
        const carried = (previous?.deliveredLines ?? []).filter((l) => l >= at.line);
        return {
            format: RESUME_FORMAT,
            stream: opts.stream,
            customer: opts.customer,
            nextLine: at.line,
            byteOffset: at.offset,
            prefixSha256: at.hash.copy().digest("hex"),
            deliveredLines: [...new Set([...carried, ...cp.deliveredAfter.map(lineOf)])].sort((a, b) => a - b),
            inDoubtLines: cp.inFlight.map(lineOf),
            delivered: (previous?.delivered ?? 0) + s.succeeded,
            rejected: (previous?.rejected ?? 0) + s.rejected,
            failed: (previous?.failed ?? 0) + s.failed,
            stoppedBy,
            writtenAt: new Date().toISOString(),
        };
    };

    try {
        summary = await putRecords<Line>(
            {
                stream: opts.stream,
                records: records(),
                maxAttempts: opts.maxAttempts,
                customerOf,
                label: (l) => `line ${l.line}`,
                serialize: (l) => JSON.stringify({ ...(l.value as Record<string, unknown>), customer: opts.customer }),
                signal: opts.signal,
                baseDelayMs: opts.baseDelayMs,
                maxDelayMs: opts.maxDelayMs,
                // Only a forced exit uses these points (an ordinary stop computes its own below).
                onCheckpoint: (cp, s) => (opts.onResumePoint ? opts.onResumePoint(pointAt(cp, s, "Forced")) : prune(cp)),
            },
            { kinesis: deps.kinesis, sleep: deps.sleep },
        );
    } catch (err) {
        if (!(err instanceof DeliveryStopped)) throw err;
        const point = pointAt(err.checkpoint, err.summary, err.code);
        const writeError = tryWriteResumePoint(resumeFile, point);
        throw new SendStopped(err.kind, err.message, summarize(err.summary), point, resumeFile, writeError, { cause: err });
    }
    // Done: a resume point left behind would refuse (or, worse, mislead) the next send of this file.
    if (previous) fs.rmSync(resumeFile, { force: true });
    return summarize(summary);
}
