/**
 * uploadFile and `ingest upload` against a real S3 emulator (s3rver) on loopback, behind the recording proxy of
 * ./emulators.ts. What s3rver cannot check (SSE-KMS, tagging, checksum verification) is asserted on the requests the
 * client sent, exactly as S3 would receive them; everything s3rver stores (bytes, content type, multipart state on
 * disk) is asserted on s3rver itself.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createS3Client } from "../../../apps/ingest-client/clients";
import { runCli } from "../../../apps/ingest-client/cli";
import { IngestionError } from "../../../apps/ingest-client/errors";
import { checkUploadKey, contentTypeFor, defaultUploadKey, openMultipartUploads, uploadFile, UploadFileOptions } from "../../../apps/ingest-client/upload";
import { ROOT } from "../../support/platform";
import { EMULATOR_CREDENTIALS, EXPIRED_CREDENTIALS, Proxy, S3Emulator, s3Hooks, S3HookOptions, startProxy, startS3rver } from "./emulators";

const BUCKET = "hdp-dev-landing-210987654321-us-east-1";
const KEY_ARN = "arn:aws:kms:us-east-1:210987654321:key/00000001-aaaa-4bbb-8ccc-000000000009";
const OTHER_KEY = "arn:aws:kms:us-east-1:210987654321:key/0000000f-aaaa-4bbb-8ccc-00000000000f";
const DENIED_KEY = "arn:aws:kms:us-east-1:210987654321:key/00000002-aaaa-4bbb-8ccc-000000000009";
const MiB = 1024 * 1024;
const UPLOAD_ID = "3f2c6a1e-8d4b-4c1a-9e7f-5b0d2a6c9e11";
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;

class Capture {
    text = "";
    constructor(readonly isTTY = false) {}
    write(chunk: string): boolean {
        this.text += chunk;
        return true;
    }
}

function sha256b64(data: Buffer): string {
    return crypto.createHash("sha256").update(data).digest("base64");
}

describe("apps/ingest-client: uploadFile against s3rver", function () {
    let s3rver: S3Emulator;
    let proxy: Proxy;
    let s3: S3Client;
    let tmp: string;
    let hookOptions: S3HookOptions;

    const options = (over: Partial<UploadFileOptions> & { filePath: string }): UploadFileOptions => ({
        bucket: BUCKET,
        key: defaultUploadKey("st-marys", over.filePath, new Date(Date.UTC(2025, 2, 7)), UPLOAD_ID),
        customer: "st-marys",
        kmsKeyId: KEY_ARN,
        partSize: 5 * MiB,
        ...over,
    });
    const writeFile = (name: string, bytes: Buffer): string => {
        const file = path.join(tmp, name);
        fs.writeFileSync(file, bytes);
        return file;
    };
    const requestsTo = (pred: (url: URL, method: string) => boolean) =>
        proxy.requests.filter((r) => pred(new URL(r.url, "http://localhost"), r.method));

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-upload-"));
        s3rver = await startS3rver([BUCKET]);
        hookOptions = { knownKeys: [KEY_ARN, DENIED_KEY], deniedKeys: [DENIED_KEY] };
        // The hooks read hookOptions on every request, so a test can change them.
        proxy = await startProxy(s3rver.port, s3Hooks(s3rver, new Proxy0(() => hookOptions)));
        s3 = createS3Client({ region: "us-east-1", endpoint: proxy.endpoint, credentials: EMULATOR_CREDENTIALS });
    });
    after(async () => {
        s3.destroy();
        await proxy.close();
        await s3rver.close();
        fs.rmSync(tmp, { recursive: true, force: true });
    });
    beforeEach(async () => {
        proxy.requests.length = 0;
        hookOptions = { knownKeys: [KEY_ARN, DENIED_KEY], deniedKeys: [DENIED_KEY] };
    });

    it("uploads a small file in one PutObject with SSE-KMS, the customer tag, a SHA-256 checksum and its content type", async () => {
        const body = Buffer.from(JSON.stringify({ resourceType: "Patient", id: "p-1" }));
        const file = writeFile("patient.json", body);
        const result = await uploadFile(options({ filePath: file }), { s3 });
        assert.deepStrictEqual({ ...result, etag: undefined }, {
            bucket: BUCKET,
            key: `customer=st-marys/source=upload/year=2025/month=03/day=07/${UPLOAD_ID}.json`,
            bytes: body.length,
            contentType: "application/json",
            multipart: false,
            etag: undefined,
            versionId: undefined,
        });
        const puts = requestsTo((u, m) => m === "PUT" && !u.searchParams.has("uploadId"));
        assert.strictEqual(puts.length, 1);
        const h = puts[0].headers;
        // s3rver ignores these headers; S3 encrypts with the key, stores the tag and verifies the checksum from them.
        assert.strictEqual(h["x-amz-server-side-encryption"], "aws:kms");
        assert.strictEqual(h["x-amz-server-side-encryption-aws-kms-key-id"], KEY_ARN);
        assert.strictEqual(h["x-amz-server-side-encryption-bucket-key-enabled"], "true");
        assert.strictEqual(h["x-amz-tagging"], "customer=st-marys");
        assert.strictEqual(h["x-amz-checksum-sha256"], sha256b64(body));
        // What s3rver stores: the bytes and the content type.
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: result.key }));
        assert.strictEqual(head.ContentType, "application/json");
        const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: result.key }));
        assert.ok(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(body));
    });

    it("uploads a large file in checksummed parts, reports progress to the end, and leaves no open upload", async () => {
        const body = crypto.randomBytes(12 * MiB + 123);
        const file = writeFile("scan.dcm", body);
        const progress: number[] = [];
        const result = await uploadFile(options({ filePath: file, onProgress: (p) => progress.push(p.loadedBytes) }), { s3 });
        assert.strictEqual(result.multipart, true);
        assert.strictEqual(result.contentType, "application/dicom");
        const create = requestsTo((u, m) => m === "POST" && u.searchParams.has("uploads"));
        assert.strictEqual(create.length, 1);
        assert.strictEqual(create[0].headers["x-amz-tagging"], "customer=st-marys");
        assert.strictEqual(create[0].headers["x-amz-server-side-encryption"], "aws:kms");
        assert.strictEqual(create[0].headers["x-amz-checksum-algorithm"], "SHA256");
        const parts = requestsTo((u, m) => m === "PUT" && u.searchParams.has("partNumber")).sort(
            (a, b) => Number(new URL(a.url, "http://x").searchParams.get("partNumber")) - Number(new URL(b.url, "http://x").searchParams.get("partNumber")),
        );
        assert.deepStrictEqual(parts.map((p) => p.body.length), [5 * MiB, 5 * MiB, 2 * MiB + 123]);
        for (const p of parts) {
            assert.strictEqual(p.headers["x-amz-checksum-sha256"], sha256b64(p.body), "each part carries the SHA-256 S3 verifies");
        }
        assert.strictEqual(progress[progress.length - 1], body.length);
        assert.ok(progress.every((v, i) => i === 0 || v >= progress[i - 1]), "progress never goes backwards");
        const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: result.key }));
        assert.ok(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(body));
        assert.deepStrictEqual(s3rver.openUploads(BUCKET), []);
    });

    it("aborts a multipart upload that fails midway and verifies that no parts are left", async () => {
        hookOptions = { ...hookOptions, denyPartNumber: 2 };
        const file = writeFile("big.parquet", crypto.randomBytes(11 * MiB));
        const opts = options({ filePath: file });
        await assert.rejects(uploadFile(opts, { s3 }), (err: IngestionError) => {
            assert.strictEqual(err.kind, "access");
            assert.match(err.message, new RegExp(`^Access denied to s3://hdp-dev-landing-210987654321-us-east-1/customer=st-marys/.*/${UPLOAD_ID}\\.parquet \\(AccessDenied\\)`));
            assert.match(err.message, /The incomplete multipart upload [0-9a-f]+ was aborted; no parts are left\./);
            return true;
        });
        const aborts = requestsTo((u, m) => m === "DELETE" && u.searchParams.has("uploadId"));
        assert.strictEqual(aborts.length, 1, "AbortMultipartUpload was sent");
        assert.ok(requestsTo((u, m) => m === "GET" && u.searchParams.has("uploads")).length >= 1, "the abort was verified with ListMultipartUploads");
        assert.deepStrictEqual(await openMultipartUploads(s3, BUCKET, opts.key), []);
        assert.deepStrictEqual(s3rver.openUploads(BUCKET), [], "s3rver holds no parts on disk");
        await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: opts.key })), { name: "NotFound" });
    });

    it("cancels an upload on its signal, waits for parts in flight and aborts it", async () => {
        const controller = new AbortController();
        hookOptions = { ...hookOptions, onPart: (n) => n === 2 && controller.abort() };
        const file = writeFile("cancel.bin", crypto.randomBytes(11 * MiB));
        const opts = options({ filePath: file, signal: controller.signal, queueSize: 1 });
        await assert.rejects(uploadFile(opts, { s3 }), /was cancelled\. The incomplete multipart upload [0-9a-f]+ was aborted; no parts are left\./);
        assert.deepStrictEqual(s3rver.openUploads(BUCKET), []);
        await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: opts.key })), { name: "NotFound" });
    });

    it("says so when the bucket does not exist (s3rver's NoSuchBucket)", async () => {
        const file = writeFile("a.txt", Buffer.from("hello"));
        await assert.rejects(uploadFile(options({ filePath: file, bucket: "hdp-dev-landing-000000000000-us-east-1" }), { s3 }), (err: IngestionError) => {
            assert.strictEqual(err.kind, "not-found");
            assert.strictEqual(err.exitCode, 4);
            assert.match(err.message, /^Bucket 'hdp-dev-landing-000000000000-us-east-1' does not exist/);
            return true;
        });
    });

    it("says which KMS key cannot be used, for a key that does not exist and for one the caller may not use", async () => {
        const file = writeFile("b.txt", Buffer.from("hello"));
        await assert.rejects(uploadFile(options({ filePath: file, kmsKeyId: OTHER_KEY }), { s3 }), (err: IngestionError) => {
            assert.strictEqual(err.kind, "kms");
            assert.ok(err.message.startsWith(`KMS key '${OTHER_KEY}' cannot be used for s3://${BUCKET}/`), err.message);
            assert.match(err.message, /\(KMS\.NotFoundException\): Invalid keyId/);
            return true;
        });
        await assert.rejects(uploadFile(options({ filePath: file, kmsKeyId: DENIED_KEY }), { s3 }), (err: IngestionError) => {
            assert.strictEqual(err.kind, "kms");
            assert.match(err.message, /\(AccessDenied\): .*not authorized to perform: kms:GenerateDataKey/);
            return true;
        });
    });

    it("says the credentials expired instead of printing the SDK error", async () => {
        const expired = createS3Client({ region: "us-east-1", endpoint: proxy.endpoint, credentials: EXPIRED_CREDENTIALS, maxAttempts: 1 });
        const file = writeFile("c.txt", Buffer.from("hello"));
        await assert.rejects(uploadFile(options({ filePath: file }), { s3: expired }), (err: IngestionError) => {
            assert.strictEqual(err.kind, "credentials");
            assert.strictEqual(err.exitCode, 6);
            assert.match(err.message, /^AWS credentials have expired \(ExpiredToken\)\. Refresh them/);
            return true;
        });
        expired.destroy();
    });

    it("checks the file before sending anything: a missing file, a directory", async () => {
        await assert.rejects(uploadFile(options({ filePath: path.join(tmp, "missing.csv") }), { s3 }), {
            name: "IngestionError",
            message: `File not found: ${path.join(tmp, "missing.csv")}`,
        });
        await assert.rejects(uploadFile(options({ filePath: tmp }), { s3 }), { message: `Not a file but a directory: ${tmp}` });
        assert.strictEqual(proxy.requests.length, 0);
    });

    it("refuses a key outside the customer's prefix and a key id that is not a KMS key, before sending anything", async () => {
        const file = writeFile("d.txt", Buffer.from("x"));
        await assert.rejects(uploadFile(options({ filePath: file, key: "customer=northside-clinic/source=upload/d.txt" }), { s3 }), {
            message: "--key must start with the customer's prefix 'customer=st-marys/'",
        });
        for (const bare of ["alias/hdp-dev-data-lake", "00000001-aaaa-4bbb-8ccc-000000000009"]) {
            await assert.rejects(uploadFile(options({ filePath: file, kmsKeyId: bare }), { s3 }), {
                message: `--kms-key-id must be the KMS key ARN or alias ARN (arn:aws:kms:<region>:<account>:key/<id> or :alias/<name>), got '${bare}'`,
            });
        }
        await assert.rejects(uploadFile(options({ filePath: file, customer: "St Marys" }), { s3 }), /--customer must be a customer id/);
        assert.strictEqual(proxy.requests.length, 0);
    });

    describe("object keys", () => {
        const PREFIX = "customer=st-marys/source=upload/";
        it("refuses '.', '..' and empty segments, a nested customer=, control characters, '\\' and keys over 1,024 UTF-8 bytes, without quoting the key", async () => {
            const file = writeFile("Doe, Jane.pdf", Buffer.from("%PDF-1.7"));
            const cases: [string, string][] = [
                [`${PREFIX}Jane/../../customer=northside-clinic/x.pdf`, "--key must not have '.' or '..' segments (segment 4 is '..')"],
                [`${PREFIX}./Jane.pdf`, "--key must not have '.' or '..' segments (segment 3 is '.')"],
                [`${PREFIX}Jane//x.pdf`, "--key must not have empty segments ('//' or a '/' at the start or end; segment 4)"],
                [`${PREFIX}Jane/`, "--key must not have empty segments ('//' or a '/' at the start or end; segment 4)"],
                [`${PREFIX}customer=northside-clinic/Jane.pdf`, "--key must not name a customer again: segment 3 starts with 'customer=' (only the first may)"],
                [`${PREFIX}Customer=northside-clinic/Jane.pdf`, "--key must not name a customer again: segment 3 starts with 'customer=' (only the first may)"],
                [`${PREFIX}Jane\n.pdf`, "--key must not contain control characters (U+000A at character 37)"],
                [`${PREFIX}Jane\u0085.pdf`, "--key must not contain control characters (U+0085 at character 37)"],
                [`${PREFIX}Jane\\x.pdf`, "--key must not contain '\\' (a Windows path separator; S3 keys use '/')"],
                // 33 + 2 x 496 = 1025 bytes in 529 characters: S3 counts bytes (the character count passed before).
                [`${PREFIX}a${"é".repeat(496)}`, "--key must be at most 1024 UTF-8 bytes (S3's limit), got 1025"],
                ["customer=st-marys-2/source=upload/Jane.pdf", "--key must start with the customer's prefix 'customer=st-marys/'"],
            ];
            for (const [key, message] of cases) {
                await assert.rejects(uploadFile(options({ filePath: file, key }), { s3 }), (err: IngestionError) => {
                    assert.strictEqual(err.kind, "usage");
                    assert.strictEqual(err.message, message);
                    assert.ok(!err.message.includes("Jane"), "the key is not quoted");
                    return true;
                });
            }
            const exact = `${PREFIX}${"é".repeat(496)}`;
            assert.strictEqual(Buffer.byteLength(exact), 1024);
            assert.strictEqual(checkUploadKey(exact, "st-marys"), exact);
            assert.strictEqual(proxy.requests.length, 0, "nothing was sent");
        });

        it("stores a key in NFC, so the same name typed on macOS (NFD) and Windows (NFC) is one object", async () => {
            const file = writeFile("n.txt", Buffer.from("x"));
            const nfd = `${PREFIX}Rene\u0301e.txt`;
            const result = await uploadFile(options({ filePath: file, key: nfd }), { s3 });
            assert.strictEqual(result.key, `${PREFIX}Ren\u00e9e.txt`);
            await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}Ren\u00e9e.txt` }));
        });

        it("names the object by an upload id, never the file name, keeping only a known extension", async () => {
            const date = new Date(Date.UTC(2025, 2, 7));
            assert.match(defaultUploadKey("st-marys", "/data/Doe, Jane MRN 00012345.pdf", date), new RegExp(`^customer=st-marys/source=upload/year=2025/month=03/day=07/${UUID.source}\\.pdf$`));
            assert.match(defaultUploadKey("st-marys", "/data/jane.doe", date), new RegExp(`/day=07/${UUID.source}$`), "'.doe' is not an extension the lake knows");
            assert.notStrictEqual(defaultUploadKey("st-marys", "a.pdf", date), defaultUploadKey("st-marys", "a.pdf", date), "a new id per upload");
        });

        it("keeps the file name in metadata only with --keep-file-name", async () => {
            const name = "Doe, Jane MRN 00012345.pdf";
            const file = writeFile(name, Buffer.from("%PDF-1.7 test"));
            const upload = async (extra: string[]) => {
                const stdout = new Capture();
                const stderr = new Capture();
                const code = await runCli(["upload", file, "--bucket", BUCKET, "--customer", "st-marys", "--kms-key-id", KEY_ARN, "--endpoint", proxy.endpoint, "--region", "us-east-1", ...extra], {
                    stdout,
                    stderr,
                    clientOptions: { credentials: EMULATOR_CREDENTIALS },
                });
                assert.strictEqual(code, 0, stderr.text);
                assert.ok(!stdout.text.includes("Jane") && !stderr.text.includes("Jane"), stdout.text);
                const key = (JSON.parse(stdout.text) as { key: string }).key;
                assert.match(key, new RegExp(`^customer=st-marys/source=upload/year=\\d{4}/month=\\d{2}/day=\\d{2}/${UUID.source}\\.pdf$`));
                return (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).Metadata ?? {};
            };
            assert.deepStrictEqual(await upload([]), {});
            assert.deepStrictEqual(await upload(["--keep-file-name"]), { "original-file-name": encodeURIComponent(name) });
        });
    });

    it("maps file extensions to content types", async () => {
        assert.deepStrictEqual(
            ["a.JSON", "b.ndjson", "c.hl7", "d.csv", "e.parquet", "f.unknown", "noext"].map(contentTypeFor),
            ["application/json", "application/x-ndjson", "x-application/hl7-v2+er7", "text/csv", "application/vnd.apache.parquet", "application/octet-stream", "application/octet-stream"],
        );
    });

    describe("ingest upload (CLI)", () => {
        it("uploads, prints the JSON result on stdout and draws the progress bar on stderr", async () => {
            const file = writeFile("ct.bin", crypto.randomBytes(9 * MiB));
            const stdout = new Capture();
            const stderr = new Capture(false);
            const code = await runCli(
                ["upload", file, "--bucket", BUCKET, "--customer", "northside-clinic", "--kms-key-id", KEY_ARN, "--endpoint", proxy.endpoint, "--region", "us-east-1"],
                { stdout, stderr, clientOptions: { credentials: EMULATOR_CREDENTIALS } },
            );
            assert.strictEqual(code, 0, stderr.text);
            const result = JSON.parse(stdout.text) as { key: string; bytes: number; multipart: boolean };
            // .bin is not a known extension, so the key is the upload id alone.
            assert.match(result.key, new RegExp(`^customer=northside-clinic/source=upload/year=\\d{4}/month=\\d{2}/day=\\d{2}/${UUID.source}$`));
            assert.strictEqual(result.bytes, 9 * MiB);
            assert.strictEqual(result.multipart, true);
            // Not a terminal: plain lines at quarters, ending at 100%, no carriage returns or escape codes.
            const lines = stderr.text.trim().split("\n");
            assert.ok(lines.length >= 2 && lines.length <= 5, stderr.text);
            assert.match(lines[lines.length - 1], /\[#+\] 100\.0% {2}9\.0 MiB\/9\.0 MiB/);
            assert.ok(!stderr.text.includes("\r") && !stderr.text.includes("\x1b"));
        });

        it("exits 4 with a clear message for a missing bucket, and 2 for a missing option", async () => {
            const file = writeFile("e.txt", Buffer.from("x"));
            const stderr = new Capture();
            const code = await runCli(
                ["upload", file, "--bucket", "no-such-bucket-here", "--customer", "st-marys", "--kms-key-id", KEY_ARN, "--endpoint", proxy.endpoint, "--region", "us-east-1"],
                { stdout: new Capture(), stderr, clientOptions: { credentials: EMULATOR_CREDENTIALS } },
            );
            assert.strictEqual(code, 4);
            assert.match(stderr.text, /^error: Bucket 'no-such-bucket-here' does not exist/);
            const usage = new Capture();
            assert.strictEqual(await runCli(["upload", file, "--customer", "st-marys"], { stdout: new Capture(), stderr: usage }), 2);
            assert.match(usage.text, /^error: --bucket is required\n\nUsage:/);
        });

        it("prints the usage with --help (exit 0) and without a command (exit 2)", async () => {
            const out = new Capture();
            assert.strictEqual(await runCli(["--help"], { stdout: out, stderr: new Capture() }), 0);
            assert.match(out.text, /^Usage:\n {2}ingest upload <file>/);
            assert.match(out.text, /Exit codes: 0 ok, 1 other AWS error, 2 usage, 3 file missing\/unreadable/);
            assert.strictEqual(await runCli([], { stdout: new Capture(), stderr: new Capture() }), 2);
            const unknown = new Capture();
            assert.strictEqual(await runCli(["upload", "x", "--bukket", "b"], { stdout: new Capture(), stderr: unknown }), 2);
            assert.match(unknown.text, /^error: Unknown option '--bukket'/);
        });

        it("runs as a program: a file the user cannot read fails with exit 3 before any request", async function () {
            const cli = path.join(ROOT, "apps", "ingest-client", "cli.ts");
            const env = { ...process.env, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
            const run = (args: string[], uid?: number) =>
                spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", cli, ...args], { cwd: ROOT, env, encoding: "utf8", uid, gid: uid, timeout: 60000 });
            const file = writeFile("locked.csv", Buffer.from("mrn,name\n1,x\n"));
            fs.chmodSync(file, 0o000);
            fs.chmodSync(tmp, 0o755);
            // root reads any file, so the check runs as 'nobody' when the suite runs as root (as CI does).
            const uid = process.getuid?.() === 0 ? 65534 : undefined;
            const args = ["upload", file, "--bucket", BUCKET, "--customer", "st-marys", "--kms-key-id", KEY_ARN, "--endpoint", proxy.endpoint];
            const probe = uid === undefined ? undefined : spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(cli)})`], { uid, gid: uid });
            if (probe && probe.status !== 0) {
                this.skip(); // the checkout is not readable by 'nobody' (e.g. under /root): no unprivileged user to test with
            }
            const denied = run(args, uid);
            assert.strictEqual(denied.status, 3, denied.stderr);
            assert.strictEqual(denied.stderr.trim(), `error: File is not readable (permission denied): ${file}`);
            assert.strictEqual(proxy.requests.length, 0, "nothing was sent");
        });
    });
});

/** Reads the hook options through a getter so that each test can change them on the running proxy. */
class Proxy0 implements S3HookOptions {
    constructor(private readonly current: () => S3HookOptions) {}
    get knownKeys() {
        return this.current().knownKeys;
    }
    get deniedKeys() {
        return this.current().deniedKeys;
    }
    get denyPartNumber() {
        return this.current().denyPartNumber;
    }
    onPart(n: number) {
        this.current().onPart?.(n);
    }
}
