/**
 * `ingest`: the command-line entry of the ingestion client.
 *
 *     npm run ingest -- upload ./discharge-summary.pdf --bucket <landing bucket> --customer st-marys \
 *         --kms-key-id arn:aws:kms:us-east-1:<account>:alias/hdp-prod-data-lake
 *     npm run ingest -- send ./adt-events.jsonl --stream hdp-prod-ingest-stream-st-marys --customer st-marys
 *
 * Region and credentials come from the AWS SDK's standard chain (AWS_PROFILE, AWS_REGION, SSO, roles). The JSON
 * result goes to stdout, messages and the progress bar to stderr; the exit code says what went wrong (see --help).
 * The first Ctrl-C (or SIGTERM) stops a command cleanly after the request in flight; a second one exits at once.
 */
import { parseArgs } from "util";
import { checkEndpoint, ClientOptions, createKinesisClient, createS3Client } from "./clients";
import { EXIT_CODES, explainAwsError, IngestionError } from "./errors";
import { CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE } from "../../components/shared/lake-layout";
import { ProgressBar, ProgressStream } from "./progress";
import { defaultResumeFile, ResumePoint, tryWriteResumePoint } from "./resume";
import { DEFAULT_MAX_LINE_BYTES, sendFile, SendFileSummary, SendStopped } from "./send";
import { checkReadableFile, checkUploadKey, DEFAULT_PART_SIZE, defaultUploadKey, uploadFile } from "./upload";

export const USAGE = `Usage:
  ingest upload <file> --bucket <name> --customer <id> --kms-key-id <key> [--key <object key>] [--keep-file-name]
                [--content-type <type>] [--checksum SHA256|CRC32] [--no-progress] [--region <r>] [--endpoint <url>]
  ingest send <jsonl-file> --stream <name|arn> --customer <id> [--customer-field <field>] [--max-attempts <n>]
                [--max-line-bytes <n>] [--resume-from <line>] [--resume-file <path>] [--region <r>] [--endpoint <url>]
  ingest --help

upload   Uploads a file to the landing zone: SSE-KMS with --kms-key-id (the key ARN or alias ARN of the
         landing zone's key), tagged customer=<id>, checksummed
         (SHA-256 by default), multipart above ${DEFAULT_PART_SIZE / 1024 / 1024} MiB with a progress bar on stderr. A failed upload is
         aborted and checked to leave no parts. The key defaults to
         customer=<id>/source=upload/year=YYYY/month=MM/day=DD/<upload id><.ext> (a random id, never the file
         name: names are often patient names or MRNs); --keep-file-name stores the name in the object's metadata
         (original-file-name, percent-encoded). A --key must start with customer=<id>/, have no empty, '.', '..'
         or further customer= segments, no control characters or '\\', and at most 1024 UTF-8 bytes.
send     Sends one JSON object per line to --customer's Kinesis stream (each customer has its own: stack output
         ingestStreams; assume that customer's producer role), in batches of at most 500 records / 5 MiB,
         retrying only failed records (exponential backoff, full jitter). --customer-field (default: customer;
         dots for nested fields) names where each record's customer id is; a record without one is sent as
         --customer's, a record naming another customer is rejected and never sent (it would land under
         --customer's prefix). Each record is sent with a top-level "customer". A line over --max-line-bytes
         (default ${DEFAULT_MAX_LINE_BYTES}, Kinesis's record limit) is rejected by number without being read whole.
         Stopping: on Ctrl-C, SIGTERM or an error retrying cannot fix (e.g. expired credentials) the call in
         flight finishes, then the resume point is printed and written to --resume-file (default
         <jsonl-file>.resume.json); a second Ctrl-C exits at once and marks the lines in flight as in doubt.
         --resume-from <line> continues from that point without duplicates, after checking that the bytes
         before it are unchanged; while a resume point exists, a send without --resume-from is refused.

Region and credentials: the AWS SDK chain (AWS_PROFILE, AWS_REGION, SSO, instance or task roles); --region
overrides the region. --endpoint points at a VPC endpoint or a local emulator (e.g. s3rver, kinesalite): https,
or plain http only to a loopback host (localhost, 127.0.0.0/8, ::1).

Messages name line numbers and error codes, never record content.

Exit codes: 0 ok, 1 other AWS error, 2 usage, 3 file missing/unreadable or invalid input, 4 bucket or stream not
found, 5 access denied or KMS key unusable, 6 credentials missing/expired or no region, 7 some records not
delivered, 8 endpoint unreachable, 130 cancelled.
`;

export interface CliIo {
    stdout: ProgressStream;
    stderr: ProgressStream;
    /** Stops the running command after the request in flight (the CLI wires the first SIGINT/SIGTERM to it). */
    signal?: AbortSignal;
    /**
     * Stops at once, without waiting for the request in flight (the CLI wires a second SIGINT/SIGTERM to it): what
     * is known is printed (and a send's resume point written) and runCli returns 130; the caller then exits.
     */
    force?: AbortSignal;
    /** Client settings that override the SDK chain (tests pass emulator credentials here). */
    clientOptions?: ClientOptions;
}

/** What a command leaves to say and do if it is forced to stop mid-request. */
interface ForceHandler {
    onForce?: () => void;
}

function usageError(message: string): IngestionError {
    return new IngestionError("usage", `${message}\n\n${USAGE}`);
}

function required(values: Record<string, unknown>, name: string): string {
    const v = values[name];
    if (typeof v !== "string" || v === "") throw usageError(`--${name} is required`);
    return v;
}

/** An integer flag in [min, max], or undefined when absent. */
function integerFlag(values: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
    const raw = values[name] as string | undefined;
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) throw usageError(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
    return n;
}

async function runUpload(positionals: string[], values: Record<string, unknown>, io: CliIo, force: ForceHandler): Promise<number> {
    if (positionals.length !== 1) throw usageError("upload takes exactly one <file>");
    const filePath = positionals[0];
    const customer = required(values, "customer");
    const bucket = required(values, "bucket");
    const kmsKeyId = required(values, "kms-key-id");
    const checksum = (values.checksum as string | undefined) ?? "SHA256";
    if (checksum !== "SHA256" && checksum !== "CRC32") throw usageError(`--checksum must be SHA256 or CRC32, got '${checksum}'`);
    // Checked before any client is created, so a typo in the path never reaches the network.
    const size = await checkReadableFile(filePath);
    const key = values.key === undefined ? defaultUploadKey(customer, filePath) : checkUploadKey(values.key as string, customer);
    const s3 = createS3Client({ region: values.region as string | undefined, endpoint: values.endpoint as string | undefined, ...io.clientOptions });
    const bar = values["no-progress"] || size <= DEFAULT_PART_SIZE ? undefined : new ProgressBar(io.stderr, size, `s3://${bucket}/${key}`);
    force.onForce = () => {
        bar?.finish(false);
        io.stderr.write(
            `forced exit: the upload of s3://${bucket}/${key} stopped without its cleanup; an incomplete multipart upload may remain ` +
                "(list it with 'aws s3api list-multipart-uploads'; the landing bucket's lifecycle rule removes it after a few days)\n",
        );
    };
    try {
        const result = await uploadFile(
            {
                bucket,
                key,
                filePath,
                customer,
                kmsKeyId,
                contentType: values["content-type"] as string | undefined,
                checksumAlgorithm: checksum,
                onProgress: (p) => bar?.update(p.loadedBytes),
                signal: io.signal,
                keepFileName: values["keep-file-name"] === true,
            },
            { s3 },
        );
        bar?.finish(true);
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return 0;
    } catch (err) {
        bar?.finish(false);
        throw err;
    } finally {
        s3.destroy();
    }
}

/** `lines 12-14, 20` (at most 10 ranges shown). */
function lineList(lines: number[]): string {
    const ranges: string[] = [];
    for (let i = 0; i < lines.length; ) {
        let j = i;
        while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
        ranges.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
        i = j + 1;
    }
    return `line${lines.length === 1 ? "" : "s"} ${ranges.slice(0, 10).join(", ")}${ranges.length > 10 ? ", ..." : ""}`;
}

function describePoint(point: ResumePoint, resumeFile: string, written: boolean | string): string {
    const counts = `${point.delivered} record(s) delivered in all runs, ${point.rejected} rejected, ${point.failed} failed (see "failures")`;
    const where = written === true ? `resume point written to ${resumeFile}` : `the resume point could not be written to ${resumeFile} (${written}); it is on stdout as "resumePoint": save it there`;
    const skips = point.deliveredLines.length > 0 ? `; ${lineList(point.deliveredLines)} after it were delivered and will be skipped` : "";
    return `stopped at line ${point.nextLine}${skips}. ${counts}.\n${where}; continue with --resume-from ${point.nextLine} (same file, --stream and --customer).\n`;
}

async function runSend(positionals: string[], values: Record<string, unknown>, io: CliIo, force: ForceHandler): Promise<number> {
    if (positionals.length !== 1) throw usageError("send takes exactly one <jsonl-file>");
    const filePath = positionals[0];
    const stream = required(values, "stream");
    // The stream decides the tenant (one stream per customer); the operator names it, and records must agree.
    const customer = required(values, "customer");
    if (!CUSTOMER_ID_PATTERN.test(customer)) throw usageError(`--customer must be a customer id (${CUSTOMER_ID_RULE}), got '${customer}'`);
    const maxAttempts = integerFlag(values, "max-attempts", 1, 20);
    const maxLineBytes = integerFlag(values, "max-line-bytes", 1, DEFAULT_MAX_LINE_BYTES);
    const resumeFrom = integerFlag(values, "resume-from", 1, Number.MAX_SAFE_INTEGER);
    const resumeFile = (values["resume-file"] as string | undefined) ?? defaultResumeFile(filePath);
    await checkReadableFile(filePath);
    const kinesis = createKinesisClient({ region: values.region as string | undefined, endpoint: values.endpoint as string | undefined, ...io.clientOptions });
    let latest: ResumePoint | undefined;
    force.onForce = () => {
        if (!latest) {
            io.stderr.write("forced exit before any record was sent\n");
            return;
        }
        const written = tryWriteResumePoint(resumeFile, latest) ?? true;
        if (written !== true) io.stdout.write(`${JSON.stringify({ resumePoint: latest }, null, 2)}\n`);
        const doubt =
            latest.inDoubtLines.length > 0
                ? `forced exit: ${latest.inDoubtLines.length} record(s) (${lineList(latest.inDoubtLines)}) were in flight; Kinesis may have stored them, and resuming sends them again (possible duplicates).\n`
                : "forced exit: no request was in flight.\n";
        io.stderr.write(doubt + describePoint(latest, resumeFile, written));
    };
    try {
        const summary: SendFileSummary = await sendFile(
            {
                filePath,
                stream,
                customer,
                customerField: values["customer-field"] as string | undefined,
                maxAttempts,
                maxLineBytes,
                resumeFile,
                resumeFrom,
                signal: io.signal,
                onResumePoint: io.force ? (p) => (latest = p) : undefined,
            },
            { kinesis },
        );
        io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        if (summary.failed + summary.rejected > 0) {
            io.stderr.write(`error: ${filePath}: ${summary.failed} record(s) failed and ${summary.rejected} were rejected of ${summary.total}; see "failures" in the summary (by line number)\n`);
            return EXIT_CODES.partial;
        }
        return 0;
    } catch (err) {
        if (!(err instanceof SendStopped)) throw err;
        io.stdout.write(`${JSON.stringify({ ...err.summary, resumePoint: err.point }, null, 2)}\n`);
        const label = err.kind === "cancelled" ? "interrupted" : "error";
        io.stderr.write(`${label}: ${err.message}\n${describePoint(err.point, err.resumeFile, err.writeError ?? true)}`);
        return err.exitCode;
    } finally {
        kinesis.destroy();
    }
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
    try {
        const [command, ...rest] = argv;
        if (command === undefined || command === "--help" || command === "-h" || command === "help") {
            io.stdout.write(USAGE);
            return command === undefined ? EXIT_CODES.usage : 0;
        }
        if (command !== "upload" && command !== "send") throw usageError(`unknown command '${command}'`);
        let parsed;
        try {
            parsed = parseArgs({
                args: rest,
                allowPositionals: true,
                strict: true,
                options: {
                    help: { type: "boolean", short: "h" },
                    bucket: { type: "string" },
                    customer: { type: "string" },
                    "kms-key-id": { type: "string" },
                    key: { type: "string" },
                    "content-type": { type: "string" },
                    checksum: { type: "string" },
                    "no-progress": { type: "boolean" },
                    stream: { type: "string" },
                    "customer-field": { type: "string" },
                    "max-attempts": { type: "string" },
                    "max-line-bytes": { type: "string" },
                    "resume-from": { type: "string" },
                    "resume-file": { type: "string" },
                    "keep-file-name": { type: "boolean" },
                    region: { type: "string" },
                    endpoint: { type: "string" },
                },
            });
        } catch (err) {
            throw usageError((err as Error).message);
        }
        if (parsed.values.help) {
            io.stdout.write(USAGE);
            return 0;
        }
        const endpoint = parsed.values.endpoint;
        if (endpoint !== undefined) {
            try {
                checkEndpoint(endpoint, "--endpoint");
            } catch (err) {
                throw usageError((err as Error).message);
            }
        }
        const force: ForceHandler = {};
        const run = command === "upload" ? runUpload(parsed.positionals, parsed.values, io, force) : runSend(parsed.positionals, parsed.values, io, force);
        if (!io.force) return await run;
        const forceSignal = io.force;
        let onAbort: (() => void) | undefined;
        const forced = new Promise<number>((resolve) => {
            onAbort = () => {
                force.onForce?.();
                resolve(EXIT_CODES.cancelled);
            };
            if (forceSignal.aborted) onAbort();
            else forceSignal.addEventListener("abort", onAbort, { once: true });
        });
        // The command keeps running in the background; the caller exits the process.
        run.catch(() => undefined);
        try {
            return await Promise.race([run, forced]);
        } finally {
            if (onAbort) forceSignal.removeEventListener("abort", onAbort);
        }
    } catch (err) {
        if (io.signal?.aborted) {
            io.stderr.write(`cancelled: ${(err as Error).message}\n`);
            return EXIT_CODES.cancelled;
        }
        const e = explainAwsError(err);
        io.stderr.write(`error: ${e.message}\n`);
        return e.exitCode;
    }
}

if (require.main === module) {
    const interrupt = new AbortController();
    const force = new AbortController();
    // The first SIGINT/SIGTERM asks for a clean stop (the request in flight finishes, a send writes its resume
    // point); the second stops at once. Listening replaces Node's default, which kills the process mid-request.
    const onSignal = (name: NodeJS.Signals) => {
        if (!interrupt.signal.aborted) {
            process.stderr.write(`${name}: finishing the request in flight, then stopping (${name === "SIGINT" ? "Ctrl-C" : name} again to exit at once)\n`);
            interrupt.abort();
        } else {
            force.abort();
        }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal, force: force.signal }).then((code) => {
        // After a forced stop the request in flight still holds the event loop open.
        if (force.signal.aborted) process.exit(code);
        process.exitCode = code;
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    });
}
