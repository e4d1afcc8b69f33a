/**
 * `ingest`: the command-line entry of the ingestion client.
 *
 *     npm run ingest -- upload ./discharge-summary.pdf --bucket <landing bucket> --customer st-marys \
 *         --kms-key-id arn:aws:kms:us-east-1:<account>:alias/hdp-prod-data-lake
 *     npm run ingest -- send ./adt-events.jsonl --stream hdp-prod-ingest-stream-st-marys --customer st-marys
 *
 * Region and credentials come from the AWS SDK's standard chain (AWS_PROFILE, AWS_REGION, SSO, roles). The JSON
 * result goes to stdout, messages and the progress bar to stderr; the exit code says what went wrong (see --help).
 */
import * as fs from "fs";
import * as readline from "readline";
import { parseArgs } from "util";
import { ClientOptions, createKinesisClient, createS3Client } from "./clients";
import { EXIT_CODES, explainAwsError, IngestionError } from "./errors";
import { ProgressBar, ProgressStream } from "./progress";
import { putRecords } from "./records";
import { CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE } from "../../components/shared/lake-layout";
import { checkReadableFile, DEFAULT_PART_SIZE, defaultUploadKey, uploadFile } from "./upload";

export const USAGE = `Usage:
  ingest upload <file> --bucket <name> --customer <id> --kms-key-id <key> [--key <object key>]
                [--content-type <type>] [--checksum SHA256|CRC32] [--no-progress] [--region <r>] [--endpoint <url>]
  ingest send <jsonl-file> --stream <name|arn> --customer <id> [--customer-field <field>] [--max-attempts <n>]
                [--region <r>] [--endpoint <url>]
  ingest --help

upload   Uploads a file to the landing zone: SSE-KMS with --kms-key-id (the key ARN or alias ARN of the
         landing zone's key), tagged customer=<id>, checksummed
         (SHA-256 by default), multipart above ${DEFAULT_PART_SIZE / 1024 / 1024} MiB with a progress bar on stderr. A failed upload is
         aborted and checked to leave no parts. The key defaults to
         customer=<id>/source=upload/year=YYYY/month=MM/day=DD/<file name> and must start with customer=<id>/.
send     Sends one JSON record per line to --customer's Kinesis stream (each customer has its own: stack output
         ingestStreams; assume that customer's producer role), in batches of at most 500 records / 5 MiB,
         retrying only failed records (exponential backoff, full jitter). --customer-field (default: customer;
         dots for nested fields) names where each record's customer id is; a record without one is sent as
         --customer's, a record naming another customer is rejected and never sent (it would land under
         --customer's prefix). Each record is sent with a top-level "customer".

Region and credentials: the AWS SDK chain (AWS_PROFILE, AWS_REGION, SSO, instance or task roles); --region
overrides the region. --endpoint points at a local emulator (e.g. s3rver, kinesalite) or a VPC endpoint.

Exit codes: 0 ok, 1 other AWS error, 2 usage, 3 file missing/unreadable or invalid input, 4 bucket or stream not
found, 5 access denied or KMS key unusable, 6 credentials missing/expired or no region, 7 some records not
delivered, 8 endpoint unreachable, 130 cancelled.
`;

export interface CliIo {
    stdout: ProgressStream;
    stderr: ProgressStream;
    /** Cancels the running command (the CLI wires SIGINT to it). */
    signal?: AbortSignal;
    /** Client settings that override the SDK chain (tests pass emulator credentials here). */
    clientOptions?: ClientOptions;
}

const CANCELLED = 130;

function usageError(message: string): IngestionError {
    return new IngestionError("usage", `${message}\n\n${USAGE}`);
}

function required(values: Record<string, unknown>, name: string): string {
    const v = values[name];
    if (typeof v !== "string" || v === "") throw usageError(`--${name} is required`);
    return v;
}

/** Reads a dotted field (`patient.customer`) of a parsed record. */
function field(record: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), record);
}

interface Line {
    line: number;
    value?: unknown;
    error?: string;
}

async function* jsonLines(filePath: string): AsyncGenerator<Line> {
    const rl = readline.createInterface({ input: fs.createReadStream(filePath, { encoding: "utf8" }), crlfDelay: Infinity });
    let n = 0;
    for await (const text of rl) {
        n += 1;
        if (text.trim() === "") continue;
        try {
            yield { line: n, value: JSON.parse(text) };
        } catch (err) {
            yield { line: n, error: (err as Error).message };
        }
    }
}

async function runUpload(positionals: string[], values: Record<string, unknown>, io: CliIo): Promise<number> {
    if (positionals.length !== 1) throw usageError("upload takes exactly one <file>");
    const filePath = positionals[0];
    const customer = required(values, "customer");
    const bucket = required(values, "bucket");
    const kmsKeyId = required(values, "kms-key-id");
    const checksum = (values.checksum as string | undefined) ?? "SHA256";
    if (checksum !== "SHA256" && checksum !== "CRC32") throw usageError(`--checksum must be SHA256 or CRC32, got '${checksum}'`);
    // Checked before any client is created, so a typo in the path never reaches the network.
    const size = await checkReadableFile(filePath);
    const key = (values.key as string | undefined) ?? defaultUploadKey(customer, filePath);
    const s3 = createS3Client({ region: values.region as string | undefined, endpoint: values.endpoint as string | undefined, ...io.clientOptions });
    const bar = values["no-progress"] || size <= DEFAULT_PART_SIZE ? undefined : new ProgressBar(io.stderr, size, `s3://${bucket}/${key}`);
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

async function runSend(positionals: string[], values: Record<string, unknown>, io: CliIo): Promise<number> {
    if (positionals.length !== 1) throw usageError("send takes exactly one <jsonl-file>");
    const filePath = positionals[0];
    const stream = required(values, "stream");
    // The stream decides the tenant (one stream per customer); the operator names it, and records must agree.
    const streamCustomer = required(values, "customer");
    if (!CUSTOMER_ID_PATTERN.test(streamCustomer)) throw usageError(`--customer must be a customer id (${CUSTOMER_ID_RULE}), got '${streamCustomer}'`);
    const customerField = (values["customer-field"] as string | undefined) ?? "customer";
    const maxAttemptsRaw = values["max-attempts"] as string | undefined;
    const maxAttempts = maxAttemptsRaw === undefined ? undefined : Number(maxAttemptsRaw);
    if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 20)) {
        throw usageError(`--max-attempts must be an integer from 1 to 20, got '${maxAttemptsRaw}'`);
    }
    await checkReadableFile(filePath);
    const kinesis = createKinesisClient({ region: values.region as string | undefined, endpoint: values.endpoint as string | undefined, ...io.clientOptions });
    try {
        const summary = await putRecords<Line>(
            {
                stream,
                records: jsonLines(filePath),
                maxAttempts,
                customerOf: (l) => {
                    if (l.error !== undefined) throw Object.assign(new Error(`line ${l.line}: not JSON (${l.error})`), { code: "InvalidJson" });
                    const named = field(l.value, customerField);
                    const top = field(l.value, "customer");
                    if (named !== undefined && typeof named !== "string") {
                        throw new Error(`line ${l.line}: field '${customerField}' is not a string`);
                    }
                    if (customerField !== "customer" && top !== undefined && named !== undefined && top !== named) {
                        throw new Error(`line ${l.line}: 'customer' (${JSON.stringify(top)}) and '${customerField}' (${JSON.stringify(named)}) disagree`);
                    }
                    // The named field, else a top-level "customer" (the same field when --customer-field is its default).
                    const customer = named ?? top ?? streamCustomer;
                    if (customer !== streamCustomer) {
                        throw Object.assign(new Error(`line ${l.line}: the record names customer ${JSON.stringify(customer)}, but --customer is '${streamCustomer}' (each customer has its own stream)`), { code: "CustomerMismatch" });
                    }
                    return streamCustomer;
                },
                serialize: (l) => JSON.stringify({ ...(l.value as Record<string, unknown>), customer: streamCustomer }),
            },
            { kinesis },
        );
        io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        if (summary.failed + summary.rejected > 0) {
            io.stderr.write(`error: ${summary.failed} record(s) failed and ${summary.rejected} were rejected of ${summary.total}; see "failures" in the summary\n`);
            return EXIT_CODES.partial;
        }
        return 0;
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
        if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) throw usageError(`--endpoint must be an http(s) URL, got '${endpoint}'`);
        return command === "upload" ? await runUpload(parsed.positionals, parsed.values, io) : await runSend(parsed.positionals, parsed.values, io);
    } catch (err) {
        if (io.signal?.aborted) {
            io.stderr.write(`cancelled: ${(err as Error).message}\n`);
            return CANCELLED;
        }
        const e = explainAwsError(err);
        io.stderr.write(`error: ${e.message}\n`);
        return e.exitCode;
    }
}

if (require.main === module) {
    const controller = new AbortController();
    process.once("SIGINT", () => controller.abort());
    void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal }).then((code) => {
        process.exitCode = code;
    });
}
