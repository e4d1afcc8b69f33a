/**
 * Errors of the ingestion client: one class, a kind per cause, an exit code per kind, and a message that says what
 * was wrong and what to do. AWS SDK errors are translated here so that callers (and the CLI) never print a bare
 * `AccessDenied` for a KMS key problem or a stack trace for an expired session.
 */

export type IngestionErrorKind =
    | "usage" // bad arguments
    | "file" // the local file is missing, unreadable or not a file
    | "input" // a record cannot be parsed or sent as given
    | "not-found" // bucket or stream does not exist
    | "kms" // the KMS key does not exist, is disabled, or may not be used
    | "access" // IAM denied the request
    | "credentials" // no, invalid or expired credentials, or no region
    | "partial" // some records were not delivered after every retry
    | "network" // the endpoint could not be reached
    | "cancelled" // stopped by the caller (Ctrl-C, SIGTERM, an abort signal)
    | "aws"; // any other service error

/** Process exit code per kind (documented in the CLI's --help). */
export const EXIT_CODES: Readonly<Record<IngestionErrorKind, number>> = {
    aws: 1,
    usage: 2,
    file: 3,
    input: 3,
    "not-found": 4,
    kms: 5,
    access: 5,
    credentials: 6,
    partial: 7,
    network: 8,
    // 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.
    cancelled: 130,
};

export class IngestionError extends Error {
    readonly exitCode: number;
    constructor(
        readonly kind: IngestionErrorKind,
        message: string,
        options?: { cause?: unknown },
    ) {
        super(message);
        this.name = "IngestionError";
        this.exitCode = EXIT_CODES[kind];
        if (options?.cause !== undefined) {
            (this as { cause?: unknown }).cause = options.cause;
        }
    }
}

/** What the failed request was about, for the message. */
export interface ErrorTarget {
    bucket?: string;
    key?: string;
    stream?: string;
    kmsKeyId?: string;
    endpoint?: string;
}

interface AwsLikeError {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
}

function errorCode(err: AwsLikeError): string {
    return err.Code ?? err.name ?? err.code ?? "";
}

const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired"]);
const BAD_CREDENTIALS = new Set(["InvalidAccessKeyId", "UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignatureException"]);
const KMS_CODES = /^(KMS\.|KMS[A-Z])/;
const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "TimeoutError"]);

/** The target in words, e.g. `s3://bucket/key` or `stream 'x'`. */
function describeTarget(t: ErrorTarget): string {
    if (t.stream) return `stream '${t.stream}'`;
    if (t.bucket) return `s3://${t.bucket}${t.key ? `/${t.key}` : ""}`;
    return "the request";
}

/**
 * Translates an AWS SDK (or network) error into an {@link IngestionError}. An IngestionError passes through.
 */
export function explainAwsError(error: unknown, target: ErrorTarget = {}): IngestionError {
    if (error instanceof IngestionError) return error;
    const err = (error ?? {}) as AwsLikeError;
    const code = errorCode(err);
    const detail = err.message ? `: ${err.message}` : "";
    const what = describeTarget(target);

    if (code === "NoSuchBucket") {
        return new IngestionError(
            "not-found",
            `Bucket '${target.bucket}' does not exist (or not in this account and region)${detail}. Check --bucket: landing buckets are named <prefix>-<env>-landing-<account>-<region>.`,
            { cause: error },
        );
    }
    if (code === "ResourceNotFoundException" && target.stream !== undefined) {
        return new IngestionError(
            "not-found",
            `Stream '${target.stream}' was not found (check --stream, the region and the account)${detail}.`,
            { cause: error },
        );
    }
    if (EXPIRED.has(code)) {
        return new IngestionError(
            "credentials",
            `AWS credentials have expired (${code}). Refresh them (for example 'aws sso login' or re-assume the role) and retry.`,
            { cause: error },
        );
    }
    if (BAD_CREDENTIALS.has(code)) {
        return new IngestionError("credentials", `AWS rejected the credentials (${code})${detail}. Check the profile or environment in use.`, { cause: error });
    }
    if (code === "CredentialsProviderError" || /Could not load credentials/i.test(err.message ?? "")) {
        return new IngestionError(
            "credentials",
            "No AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is available.",
            { cause: error },
        );
    }
    if (/Region is missing/i.test(err.message ?? "")) {
        return new IngestionError("credentials", "No AWS region: set AWS_REGION (or a profile region), or pass --region.", { cause: error });
    }
    const mentionsKms = /\bkms:|KMS key|KmsKey|aws:kms/i.test(err.message ?? "");
    if (KMS_CODES.test(code) || ((code === "AccessDenied" || code === "AccessDeniedException") && mentionsKms) || (code === "InvalidArgument" && mentionsKms)) {
        const key = target.kmsKeyId ? `KMS key '${target.kmsKeyId}'` : "The stream's KMS key";
        return new IngestionError(
            "kms",
            `${key} cannot be used for ${what} (${code})${detail}. Use the platform's key for this target (the data-lake key for the landing zone) and make sure your role may use it (kms:GenerateDataKey, kms:Decrypt).`,
            { cause: error },
        );
    }
    if (code === "AccessDenied" || code === "AccessDeniedException" || err.$metadata?.httpStatusCode === 403) {
        return new IngestionError("access", `Access denied to ${what} (${code || "403"})${detail}. Check that your role may write there.`, { cause: error });
    }
    if (NETWORK.has(code)) {
        return new IngestionError("network", `Cannot reach ${target.endpoint ?? "the AWS endpoint"} (${code})${detail}.`, { cause: error });
    }
    return new IngestionError("aws", `Request to ${what} failed (${code || "unknown error"})${detail}`, { cause: error });
}

/** Translates a local file-system error of `filePath` into an {@link IngestionError}. */
export function explainFileError(error: unknown, filePath: string): IngestionError {
    const code = (error as { code?: string } | undefined)?.code;
    switch (code) {
        case "ENOENT":
            return new IngestionError("file", `File not found: ${filePath}`, { cause: error });
        case "EACCES":
        case "EPERM":
            return new IngestionError("file", `File is not readable (permission denied): ${filePath}`, { cause: error });
        case "EISDIR":
            return new IngestionError("file", `Not a file but a directory: ${filePath}`, { cause: error });
        case "ENOTDIR":
            return new IngestionError("file", `A parent of the path is not a directory: ${filePath}`, { cause: error });
        default:
            return new IngestionError("file", `Cannot read ${filePath} (${code ?? "error"}): ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
}
