/**
 * Local emulators for the ingestion client's specs, started on 127.0.0.1 on free ports:
 * - kinesalite (Kinesis, in memory);
 * - s3rver (S3, in a temp directory);
 * - a loopback HTTP proxy in front of either, which records every request and can play the parts of the real
 *   services the emulators lack, each documented where it is added:
 *   - Kinesis partial failures: records chosen by the test are taken out of a PutRecords request before it reaches
 *     kinesalite and answered as throttled (`ProvisionedThroughputExceededException`), exactly as Kinesis reports a
 *     partly failed call; kinesalite stores only what "succeeded", so the stream's contents prove what was sent.
 *   - S3: s3rver 3.7 has no ListMultipartUploads and no AbortMultipartUpload. The proxy implements both on s3rver's
 *     own on-disk store (`<dir>/<bucket>/._S3rver_uploads/<uploadId>/`), which CreateMultipartUpload and UploadPart
 *     fill in, so aborting really removes what s3rver stored. s3rver ignores SSE-KMS headers; the proxy answers a
 *     request for an unknown or forbidden key as S3 does (`KMS.NotFoundException`, `AccessDenied` naming kms:).
 *   - Expired sessions: a request signed with the session token `expired` gets the service's expired-token error.
 *   - Faults by call (kinesisFaultHooks): the Nth PutRecords and every later one answered with a non-retryable
 *     error (an SSO session expiring mid-file), and PutRecords calls held until the test releases them (to send a
 *     signal while a call is in flight).
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";

// Neither emulator ships type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require("kinesalite") as (opts: Record<string, unknown>) => http.Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as new (opts: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> };

export const EMULATOR_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
export const EXPIRED_CREDENTIALS = { accessKeyId: "ASIAEXPIRED", secretAccessKey: "S3RVER", sessionToken: "expired" };

export interface Emulator {
    endpoint: string;
    port: number;
    close(): Promise<void>;
}

function listen(server: http.Server): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
}

function closeServer(server: http.Server): Promise<void> {
    return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
    });
}

export async function startKinesalite(): Promise<Emulator> {
    const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 });
    const port = await listen(server);
    return { endpoint: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}

export interface S3Emulator extends Emulator {
    /** s3rver's data directory. */
    dir: string;
    /** Upload ids s3rver holds (on disk) for a bucket: what an incomplete multipart upload leaves. */
    openUploads(bucket: string): string[];
}

export async function startS3rver(buckets: string[]): Promise<S3Emulator> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-s3rver-"));
    const server = new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
    const address = await server.run();
    return {
        endpoint: `http://127.0.0.1:${address.port}`,
        port: address.port,
        dir,
        openUploads: (bucket) => {
            const uploads = path.join(dir, bucket, "._S3rver_uploads");
            return fs.existsSync(uploads) ? fs.readdirSync(uploads) : [];
        },
        close: async () => {
            await server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

export interface ProxiedRequest {
    method: string;
    /** Path and query, e.g. `/bucket/key?partNumber=2&uploadId=...`. */
    url: string;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

export interface SyntheticResponse {
    status: number;
    headers?: Record<string, string>;
    body?: string | Buffer;
}

export interface ProxyHooks {
    /** Answer a request without the emulator (return undefined to forward it). */
    answer?(req: ProxiedRequest): SyntheticResponse | undefined | Promise<SyntheticResponse | undefined>;
    /** Change the request body sent to the emulator; `finish` then changes the emulator's response body. */
    rewrite?(req: ProxiedRequest): { body: Buffer; finish(responseBody: Buffer): Buffer } | undefined;
}

export interface Proxy extends Emulator {
    /** Every request the client sent, in order. */
    requests: ProxiedRequest[];
}

function readBody(stream: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => resolve(Buffer.concat(chunks)));
        stream.on("error", reject);
    });
}

/** A recording HTTP proxy on 127.0.0.1 in front of `targetPort`. */
export async function startProxy(targetPort: number, hooks: ProxyHooks = {}): Promise<Proxy> {
    const requests: ProxiedRequest[] = [];
    const server = http.createServer((inReq, outRes) => {
        void (async () => {
            const req: ProxiedRequest = { method: inReq.method ?? "GET", url: inReq.url ?? "/", headers: inReq.headers, body: await readBody(inReq) };
            requests.push(req);
            const synthetic = await hooks.answer?.(req);
            if (synthetic) {
                const body = synthetic.body === undefined ? Buffer.alloc(0) : Buffer.from(synthetic.body);
                outRes.writeHead(synthetic.status, { ...synthetic.headers, "content-length": String(body.length) });
                outRes.end(body);
                return;
            }
            const rewrite = hooks.rewrite?.(req);
            const body = rewrite ? rewrite.body : req.body;
            const headers = { ...inReq.headers, "content-length": String(body.length) };
            const upstream = http.request({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers }, (upRes) => {
                void readBody(upRes).then((resBody) => {
                    const finalBody = rewrite ? rewrite.finish(resBody) : resBody;
                    const resHeaders = { ...upRes.headers };
                    delete resHeaders["transfer-encoding"];
                    resHeaders["content-length"] = String(finalBody.length);
                    outRes.writeHead(upRes.statusCode ?? 500, resHeaders);
                    outRes.end(finalBody);
                });
            });
            upstream.on("error", (err) => {
                outRes.writeHead(502);
                outRes.end(String(err));
            });
            upstream.end(body);
        })().catch((err: unknown) => {
            outRes.writeHead(500);
            outRes.end(String(err));
        });
    });
    const port = await listen(server);
    return { endpoint: `http://127.0.0.1:${port}`, port, requests, close: () => closeServer(server) };
}

// ---------------------------------------------------------------------------------------------------------------
// Kinesis behaviour the proxy adds

const KINESIS_JSON = { "content-type": "application/x-amz-json-1.1" };

function kinesisError(type: string, message: string): SyntheticResponse {
    return { status: 400, headers: KINESIS_JSON, body: JSON.stringify({ __type: type, message }) };
}

interface WireRecord {
    Data: string;
    PartitionKey: string;
    ExplicitHashKey?: string;
}

/** Whether a PutRecords request is one. */
export function isPutRecords(req: ProxiedRequest): boolean {
    return String(req.headers["x-amz-target"] ?? "").endsWith(".PutRecords");
}

/** The records of a recorded PutRecords request, data decoded. */
export function putRecordsEntries(req: ProxiedRequest): { data: Buffer; partitionKey: string }[] {
    const body = JSON.parse(req.body.toString("utf8")) as { Records: WireRecord[] };
    return body.Records.map((r) => ({ data: Buffer.from(r.Data, "base64"), partitionKey: r.PartitionKey }));
}

/**
 * Kinesis as a throttled shard answers: `throttle(data, send)` decides per record and per send (1 for the first
 * time the proxy sees that data, 2 for its first retry, ...) whether the shard refuses it.
 */
export function kinesisHooks(throttle: (data: Buffer, send: number) => boolean = () => false): ProxyHooks {
    const seen = new Map<string, number>();
    return {
        answer(req) {
            if (req.headers["x-amz-security-token"] === "expired") {
                return kinesisError("ExpiredTokenException", "The security token included in the request is expired");
            }
            if (!isPutRecords(req)) return undefined;
            const body = JSON.parse(req.body.toString("utf8")) as { Records: WireRecord[] };
            const failing = body.Records.map((r) => {
                const send = (seen.get(r.Data) ?? 0) + 1;
                seen.set(r.Data, send);
                return throttle(Buffer.from(r.Data, "base64"), send);
            });
            (req as ProxiedRequest & { failing?: boolean[] }).failing = failing;
            if (failing.every((f) => f)) {
                // Nothing reaches a shard: Kinesis still answers 200 with every record failed.
                return { status: 200, headers: KINESIS_JSON, body: JSON.stringify({ FailedRecordCount: failing.length, Records: failing.map(() => throttled()) }) };
            }
            return undefined;
        },
        rewrite(req) {
            const failing = (req as ProxiedRequest & { failing?: boolean[] }).failing;
            if (!failing || !failing.some((f) => f)) return undefined;
            const body = JSON.parse(req.body.toString("utf8")) as { Records: WireRecord[] } & Record<string, unknown>;
            const forwarded = { ...body, Records: body.Records.filter((_, i) => !failing[i]) };
            return {
                body: Buffer.from(JSON.stringify(forwarded)),
                finish(responseBody) {
                    const res = JSON.parse(responseBody.toString("utf8")) as { FailedRecordCount: number; Records: Record<string, unknown>[] };
                    const results: Record<string, unknown>[] = [];
                    let next = 0;
                    for (const f of failing) results.push(f ? throttled() : res.Records[next++]);
                    return Buffer.from(JSON.stringify({ ...res, FailedRecordCount: res.FailedRecordCount + failing.filter((f) => f).length, Records: results }));
                },
            };
        },
    };
}

export interface KinesisFaults {
    /** Records refused as by a throttled shard (see {@link kinesisHooks}). */
    throttle?: (data: Buffer, send: number) => boolean;
    /** PutRecords call number (1-based) from which every PutRecords gets `ExpiredTokenException`. */
    expireFromCall?: number;
    /** Called as PutRecords call number `call` arrives; the call is forwarded when the returned promise settles. */
    hold?: (call: number) => Promise<void> | undefined;
}

/**
 * Kinesis with faults by call, in front of kinesalite: an expired session from the Nth PutRecords on (nothing of
 * that call reaches kinesalite, as AWS refuses the whole request), and calls held while a test interrupts the client.
 */
export function kinesisFaultHooks(faults: KinesisFaults): ProxyHooks & { putRecordsCalls(): number } {
    const base = kinesisHooks(faults.throttle);
    let calls = 0;
    return {
        putRecordsCalls: () => calls,
        async answer(req) {
            if (isPutRecords(req)) {
                const call = ++calls;
                await faults.hold?.(call);
                if (faults.expireFromCall !== undefined && call >= faults.expireFromCall) {
                    return kinesisError("ExpiredTokenException", "The security token included in the request is expired");
                }
            }
            return base.answer?.(req);
        },
        rewrite: (req) => base.rewrite?.(req),
    };
}

export async function createStream(k: KinesisClient, name: string, shards = 2): Promise<void> {
    await k.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    for (let i = 0; i < 100; i++) {
        const d = await k.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return;
        await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`stream ${name} did not become ACTIVE`);
}

/** Every record in the stream, from all shards, as [partition key, data]. */
export async function readStream(k: KinesisClient, name: string): Promise<{ partitionKey: string; data: string }[]> {
    const shards = await k.send(new ListShardsCommand({ StreamName: name }));
    const out: { partitionKey: string; data: string }[] = [];
    for (const shard of shards.Shards ?? []) {
        let it = (await k.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
        while (it) {
            const page = await k.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
            for (const r of page.Records ?? []) out.push({ partitionKey: r.PartitionKey ?? "", data: Buffer.from(r.Data ?? new Uint8Array()).toString("utf8") });
            it = page.Records?.length ? page.NextShardIterator : undefined;
        }
    }
    return out;
}

function throttled(): Record<string, string> {
    return {
        ErrorCode: "ProvisionedThroughputExceededException",
        ErrorMessage: "Rate exceeded for shard shardId-000000000000 in stream ingest under account 000000000000.",
    };
}

// ---------------------------------------------------------------------------------------------------------------
// S3 behaviour the proxy adds

const S3_XML = { "content-type": "application/xml" };

function s3Error(status: number, code: string, message: string, extra = ""): SyntheticResponse {
    return {
        status,
        headers: S3_XML,
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>proxy</RequestId></Error>`,
    };
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export interface S3HookOptions {
    /** KMS key ids the emulated account has; any other SSE-KMS key id is answered with KMS.NotFoundException. */
    knownKeys: string[];
    /** Keys that exist but the caller may not use: answered with AccessDenied naming kms:GenerateDataKey. */
    deniedKeys?: string[];
    /** Answer UploadPart number N with 403 AccessDenied (a permission revoked mid-upload). */
    denyPartNumber?: number;
    /** Called when a part upload arrives (tests cancel uploads from here). */
    onPart?(partNumber: number): void;
}

/** S3 features s3rver lacks, played against s3rver's on-disk store in `s3.dir`. */
export function s3Hooks(s3: S3Emulator, options: S3HookOptions): ProxyHooks {
    return {
        answer(req) {
            const url = new URL(req.url, "http://localhost");
            const [, bucket = "", ...keyParts] = url.pathname.split("/").filter((part, i) => i === 0 || part !== "");
            const key = decodeURIComponent(keyParts.join("/"));
            const uploadsDir = path.join(s3.dir, bucket, "._S3rver_uploads");
            if (req.headers["x-amz-security-token"] === "expired") {
                return s3Error(400, "ExpiredToken", "The provided token has expired.");
            }
            const kmsKey = req.headers["x-amz-server-side-encryption-aws-kms-key-id"];
            if (typeof kmsKey === "string") {
                if (options.deniedKeys?.includes(kmsKey)) {
                    return s3Error(
                        403,
                        "AccessDenied",
                        `User: arn:aws:sts::123456789012:assumed-role/uploader/test is not authorized to perform: kms:GenerateDataKey on resource: ${kmsKey} because no identity-based policy allows the kms:GenerateDataKey action`,
                    );
                }
                if (!options.knownKeys.includes(kmsKey)) {
                    return s3Error(400, "KMS.NotFoundException", `Invalid keyId '${kmsKey}'`);
                }
            }
            if (req.method === "GET" && url.searchParams.has("uploads") && keyParts.length === 0) {
                if (!fs.existsSync(path.join(s3.dir, bucket))) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist");
                const prefix = url.searchParams.get("prefix") ?? "";
                const uploads = (fs.existsSync(uploadsDir) ? fs.readdirSync(uploadsDir) : [])
                    .map((id) => ({ id, key: fs.readFileSync(path.join(uploadsDir, id, "key"), "utf8") }))
                    .filter((u) => u.key.startsWith(prefix));
                const items = uploads.map((u) => `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.id}</UploadId><StorageClass>STANDARD</StorageClass></Upload>`).join("");
                return {
                    status: 200,
                    headers: S3_XML,
                    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket><Prefix>${xmlEscape(prefix)}</Prefix><IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`,
                };
            }
            const uploadId = url.searchParams.get("uploadId");
            if (req.method === "DELETE" && uploadId !== null) {
                const dir = path.join(uploadsDir, uploadId);
                if (!/^[0-9a-f]+$/.test(uploadId) || !fs.existsSync(dir) || fs.readFileSync(path.join(dir, "key"), "utf8") !== key) {
                    return s3Error(404, "NoSuchUpload", "The specified multipart upload does not exist.", `<UploadId>${uploadId}</UploadId>`);
                }
                fs.rmSync(dir, { recursive: true, force: true });
                return { status: 204 };
            }
            const partNumber = Number(url.searchParams.get("partNumber"));
            if (req.method === "PUT" && uploadId !== null && partNumber > 0) {
                options.onPart?.(partNumber);
                if (partNumber === options.denyPartNumber) {
                    return s3Error(403, "AccessDenied", "Access Denied");
                }
            }
            return undefined;
        },
    };
}

/** Kinesalite, a client straight to it, a scratch folder and the proxies a describe block starts; all torn down after it. */
export interface KinesisBench {
    readonly kinesalite: Emulator;
    readonly direct: KinesisClient;
    readonly tmp: string;
    /** A new two-shard stream, `<prefix>-<n>`. */
    newStream(): Promise<string>;
    /** A proxy in front of kinesalite, closed after the block. */
    proxy(hooks?: ProxyHooks): Promise<Proxy>;
    /** Runs first when the block ends (to release calls a proxy still holds before it closes). */
    beforeTeardown(fn: () => void): void;
}

/**
 * Registers the block's `before`/`after` hooks (call it inside `describe`) and returns the bench they fill in.
 * `createClient` is the ingestion client's own constructor, so the specs read back through the code under test.
 */
export function kinesisBench(name: string, createClient: (options: { region: string; endpoint: string; credentials: typeof EMULATOR_CREDENTIALS }) => KinesisClient): KinesisBench {
    let emulator: Emulator | undefined;
    let client: KinesisClient | undefined;
    let folder: string | undefined;
    let streams = 0;
    const proxies: Proxy[] = [];
    const teardown: (() => void)[] = [];
    const ready = <T>(value: T | undefined, what: string): T => {
        if (value === undefined) throw new Error(`kinesisBench(${name}): ${what} is used before the block's before() hook ran`);
        return value;
    };
    before(async () => {
        emulator = await startKinesalite();
        client = createClient({ region: "us-east-1", endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS });
        folder = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
    });
    after(async () => {
        teardown.forEach((fn) => fn());
        client?.destroy();
        await Promise.all(proxies.map((p) => p.close()));
        await emulator?.close();
        if (folder) fs.rmSync(folder, { recursive: true, force: true });
    });
    return {
        get kinesalite() {
            return ready(emulator, "kinesalite");
        },
        get direct() {
            return ready(client, "the direct client");
        },
        get tmp() {
            return ready(folder, "the scratch folder");
        },
        async newStream() {
            const stream = `${name}-${++streams}`;
            await createStream(ready(client, "the direct client"), stream);
            return stream;
        },
        async proxy(hooks: ProxyHooks = {}) {
            const p = await startProxy(ready(emulator, "kinesalite").port, hooks);
            proxies.push(p);
            return p;
        },
        beforeTeardown(fn) {
            teardown.push(fn);
        },
    };
}
