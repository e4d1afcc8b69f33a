/**
 * uploadFile: one file into the landing zone, the way the platform expects every object to arrive.
 *
 * - SSE-KMS with the platform's key (`aws:kms` + the key id) and an S3 Bucket Key; the landing bucket's policy
 *   refuses anything else anyway (HIPAA 164.312(a)(2)(iv)).
 * - Tagged `customer=<id>`, and stored under `customer=<id>/`: tag-based access and the per-customer prefix agree.
 * - An integrity checksum (SHA-256 by default, or CRC32) computed by the SDK and verified by S3 per part
 *   (164.312(c)(2)).
 * - Multipart for large files (8 MiB parts, 4 in flight); a failed upload is aborted and the abort is verified with
 *   ListMultipartUploads, so no invisible, billed, half-uploaded PHI is left behind.
 * - The file is checked before anything is sent: missing or unreadable files fail fast with a clear message.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { AbortMultipartUploadCommand, ChecksumAlgorithm, ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE, customerPrefix, LAKE_SOURCES, partitionPrefix } from "../../components/shared/lake-layout";
import { explainAwsError, explainFileError, IngestionError } from "./errors";

/** S3's smallest part (except the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Default part size; files up to this size go in one PutObject. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".hl7": "x-application/hl7-v2+er7",
    ".dcm": "application/dicom",
    ".pdf": "application/pdf",
    ".parquet": "application/vnd.apache.parquet",
    ".avro": "application/avro",
    ".gz": "application/gzip",
    ".zip": "application/zip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
};

/** Content type by file extension (`scan.dcm` -> `application/dicom`); unknown extensions are octet streams. */
export function contentTypeFor(filePath: string): string {
    return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? "application/octet-stream";
}

/**
 * `customer=<id>/source=upload/year=YYYY/month=MM/day=DD/<upload id><extension>`: the lake's layout (lake-layout.ts)
 * for a manual upload. The local file name is not used: it is often a patient's name or MRN, and an object key is
 * copied into S3 Inventory reports, access logs, CloudTrail data events and Athena's `$path`, none of which is
 * protected like the object. The extension is kept only when it is one of {@link contentTypeFor}'s (so `scan.dcm`
 * gives `.dcm`, but `jane.doe` gives none).
 */
export function defaultUploadKey(customer: string, filePath: string, date = new Date(), uploadId: string = crypto.randomUUID()): string {
    checkCustomer(customer);
    const ext = path.extname(filePath).toLowerCase();
    return `${partitionPrefix({ customer, source: LAKE_SOURCES.upload, date })}${uploadId}${CONTENT_TYPES[ext] === undefined ? "" : ext}`;
}

/** S3's longest object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * The key, NFC-normalised, if it is a safe key in `customer`'s prefix; else a usage error naming the rule broken.
 * The key itself is never quoted: a key typed by an operator can hold a file name, and errors are printed and logged.
 *
 * - NFC: the same visible name typed on macOS (NFD) and Windows (NFC) must be one object, not two.
 * - `customer=<id>/` first, and no other `customer=` segment: a nested one is read as another tenant's partition by
 *   partition discovery (Glue crawlers, Athena partition projection) and by `customerOfKey`.
 * - No `.`/`..` or empty segments: S3 keeps them literally, but consoles, sync tools and the Hive layout resolve or
 *   collapse them, so `customer=a/../customer=b/x` lands elsewhere once copied.
 * - No control characters or `\`: S3 advises against them; they break XML listings and log lines and hide a Windows
 *   path pasted as a key.
 * - At most 1,024 UTF-8 bytes: S3's limit, which counts bytes, not characters.
 */
export function checkUploadKey(key: string | undefined, customer: string): string {
    checkCustomer(customer);
    const prefix = customerPrefix(customer);
    const fail = (rule: string) => new IngestionError("usage", `--key ${rule}`);
    if (typeof key !== "string" || key === "") throw fail(`must be an object key under '${prefix}'`);
    const normalised = key.normalize("NFC");
    if (!normalised.startsWith(prefix)) throw fail(`must start with the customer's prefix '${prefix}'`);
    // C0 and C1 controls and DEL.
    const control = [...normalised].findIndex((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));
    if (control !== -1) {
        const code = [...normalised][control].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
        throw fail(`must not contain control characters (U+${code} at character ${control + 1})`);
    }
    if (normalised.includes("\\")) throw fail(`must not contain '\\' (a Windows path separator; S3 keys use '/')`);
    const segments = normalised.split("/");
    segments.forEach((segment, i) => {
        if (segment === "") throw fail(`must not have empty segments ('//' or a '/' at the start or end; segment ${i + 1})`);
        if (segment === "." || segment === "..") throw fail(`must not have '.' or '..' segments (segment ${i + 1} is '${segment}')`);
        if (i > 0 && /^customer=/i.test(segment)) throw fail(`must not name a customer again: segment ${i + 1} starts with 'customer=' (only the first may)`);
    });
    const bytes = Buffer.byteLength(normalised, "utf8");
    if (bytes > MAX_KEY_BYTES) throw fail(`must be at most ${MAX_KEY_BYTES} UTF-8 bytes (S3's limit), got ${bytes}`);
    return normalised;
}

/** The customer id rule of config validation (lake-layout.ts), as a usage error of the CLI. */
function checkCustomer(customer: string | undefined): void {
    if (!CUSTOMER_ID_PATTERN.test(customer ?? "")) {
        throw new IngestionError("usage", `--customer must be a customer id (${CUSTOMER_ID_RULE}), got '${customer ?? ""}'`);
    }
}

export interface UploadProgress {
    loadedBytes: number;
    totalBytes: number;
}

export interface UploadFileOptions {
    bucket: string;
    /** Object key: under `customer=<customer>/`, checked and NFC-normalised by {@link checkUploadKey}. */
    key: string;
    filePath: string;
    /** Customer (tenant) id; becomes the `customer` tag. */
    customer: string;
    /** The platform's KMS key for the landing zone: its key ARN or alias ARN. */
    kmsKeyId: string;
    /** @default by extension, see {@link contentTypeFor} */
    contentType?: string;
    onProgress?: (progress: UploadProgress) => void;
    /** @default "SHA256" */
    checksumAlgorithm?: "SHA256" | "CRC32";
    /** Part size in bytes (at least 5 MiB). @default 8 MiB */
    partSize?: number;
    /** Parts in flight. @default 4 */
    queueSize?: number;
    /** Cancels the upload (then aborted and verified like a failure). */
    signal?: AbortSignal;
    /**
     * Keep the local file name in the object's metadata (`x-amz-meta-original-file-name`, percent-encoded). Off
     * by default: the name is often a patient's name or MRN, and metadata is returned to anyone who may HeadObject.
     * @default false
     */
    keepFileName?: boolean;
}

export interface UploadResult {
    bucket: string;
    key: string;
    bytes: number;
    contentType: string;
    multipart: boolean;
    etag?: string;
    versionId?: string;
}

export interface UploadDeps {
    s3: S3Client;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Checks the options before anything is read or sent; returns the normalised key. */
function validate(opts: UploadFileOptions): string {
    if (!BUCKET_NAME.test(opts.bucket ?? "")) {
        throw new IngestionError("usage", `--bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), got '${opts.bucket ?? ""}'`);
    }
    checkCustomer(opts.customer);
    // The landing bucket's policy compares the header as sent and accepts only this account's key ARNs or the
    // zone key's alias ARN; a bare key id or alias name would be refused by S3 after the file was read.
    if (!opts.kmsKeyId || !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/.test(opts.kmsKeyId)) {
        throw new IngestionError(
            "usage",
            `--kms-key-id must be the KMS key ARN or alias ARN (arn:aws:kms:<region>:<account>:key/<id> or :alias/<name>), got '${opts.kmsKeyId ?? ""}'`,
        );
    }
    if (opts.partSize !== undefined && (!Number.isInteger(opts.partSize) || opts.partSize < MIN_PART_SIZE)) {
        throw new IngestionError("usage", `partSize must be an integer of at least ${MIN_PART_SIZE} bytes (S3's minimum part), got ${opts.partSize}`);
    }
    return checkUploadKey(opts.key, opts.customer);
}

/** Fails before any request when the file is missing, unreadable or not a regular file. */
export async function checkReadableFile(filePath: string): Promise<number> {
    try {
        await fs.promises.access(filePath, fs.constants.R_OK);
        const stat = await fs.promises.stat(filePath);
        if (stat.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
        if (!stat.isFile()) {
            throw new IngestionError("file", `Not a regular file: ${filePath}`);
        }
        // access() can pass for root on a file whose open() still fails (e.g. some FUSE or /proc files).
        const handle = await fs.promises.open(filePath, "r");
        await handle.close();
        return stat.size;
    } catch (err) {
        throw err instanceof IngestionError ? err : explainFileError(err, filePath);
    }
}

/** Multipart uploads still open for `key`: what a failed upload could leave behind. */
export async function openMultipartUploads(s3: S3Client, bucket: string, key: string): Promise<string[]> {
    const ids: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
        const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
        for (const u of page.Uploads ?? []) {
            if (u.Key === key && u.UploadId) ids.push(u.UploadId);
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker !== undefined);
    return ids;
}

/**
 * Aborts `uploadId` and checks with ListMultipartUploads that it is gone. A part still in flight when the abort
 * lands can re-create storage, so the check is repeated a few times (S3's documented advice).
 */
async function abortAndVerify(s3: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
        try {
            await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
        } catch (err) {
            if ((err as { name?: string }).name !== "NoSuchUpload") throw err;
        }
        const open = await openMultipartUploads(s3, bucket, key);
        if (!open.includes(uploadId)) return;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
    throw new Error(`multipart upload ${uploadId} of s3://${bucket}/${key} is still listed after 3 aborts`);
}

/** Uploads `filePath` as described in the module comment. Throws {@link IngestionError}. */
export async function uploadFile(opts: UploadFileOptions, deps: UploadDeps): Promise<UploadResult> {
    const key = validate(opts);
    const size = await checkReadableFile(opts.filePath);
    const contentType = opts.contentType ?? contentTypeFor(opts.filePath);
    const target = { bucket: opts.bucket, key, kmsKeyId: opts.kmsKeyId };
    const partSize = opts.partSize ?? DEFAULT_PART_SIZE;

    const upload = new Upload({
        client: deps.s3,
        partSize,
        queueSize: opts.queueSize ?? 4,
        // The abort is done (and verified) below, so that a failing abort cannot hide the upload's own error.
        leavePartsOnError: true,
        params: {
            Bucket: opts.bucket,
            Key: key,
            Body: fs.createReadStream(opts.filePath),
            ContentLength: size,
            ContentType: contentType,
            ChecksumAlgorithm: opts.checksumAlgorithm === "CRC32" ? ChecksumAlgorithm.CRC32 : ChecksumAlgorithm.SHA256,
            ServerSideEncryption: "aws:kms",
            SSEKMSKeyId: opts.kmsKeyId,
            BucketKeyEnabled: true,
            Tagging: `customer=${encodeURIComponent(opts.customer)}`,
            // Percent-encoded: S3 metadata travels as HTTP headers, which cannot carry most non-ASCII characters.
            Metadata: opts.keepFileName ? { "original-file-name": encodeURIComponent(path.basename(opts.filePath)) } : undefined,
        },
    });
    upload.on("httpUploadProgress", (p) => opts.onProgress?.({ loadedBytes: p.loaded ?? 0, totalBytes: size }));
    const onAbort = () => void upload.abort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    try {
        const out = await upload.done();
        return {
            bucket: opts.bucket,
            key,
            bytes: size,
            contentType,
            multipart: size > partSize,
            etag: out.ETag,
            versionId: out.VersionId,
        };
    } catch (err) {
        // A cancelled upload rejects at once; parts already in flight finish first, or they would land after the abort.
        const internals = upload as unknown as { uploadId?: string; concurrentUploaders?: Promise<unknown>[] };
        await Promise.allSettled(internals.concurrentUploaders ?? []);
        const uploadId = internals.uploadId;
        const explained = (err as { name?: string }).name === "AbortError" ? new IngestionError("aws", `Upload of s3://${opts.bucket}/${key} was cancelled.`) : explainAwsError(err, target);
        if (uploadId) {
            try {
                await abortAndVerify(deps.s3, opts.bucket, key, uploadId);
                explained.message += ` The incomplete multipart upload ${uploadId} was aborted; no parts are left.`;
            } catch (abortErr) {
                explained.message +=
                    ` WARNING: the incomplete multipart upload ${uploadId} could not be aborted (${(abortErr as Error).message}); ` +
                    `abort it with 'aws s3api abort-multipart-upload --bucket ${opts.bucket} --key ${key} --upload-id ${uploadId}' ` +
                    "(the bucket's lifecycle rule also removes it after a few days).";
            }
        }
        throw explained;
    } finally {
        opts.signal?.removeEventListener("abort", onAbort);
    }
}
