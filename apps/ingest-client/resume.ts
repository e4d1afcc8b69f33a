/**
 * Resume points of `ingest send`: a small JSON file (by default `<input>.resume.json`, next to the input) written
 * whenever a send stops before the end of its file, and read by `--resume-from <line>`.
 *
 * It holds numbers and a hash, never record content: the next line to send, the lines after it that were already
 * delivered (from the batch that was unsettled at the stop), counts, and the SHA-256 of every byte of the input
 * before the next line. A resumed run re-hashes those bytes and refuses a file that differs, so a resume point is
 * never applied to another file, or to the same file after an edit before the point (which would shift lines and
 * skip or duplicate records). Bytes after the point may change (an export that was appended to).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { IngestionError } from "./errors";

export const RESUME_FORMAT = "hdp-ingest-send-resume/1";

export interface ResumePoint {
    format: typeof RESUME_FORMAT;
    /** The stream and customer of the interrupted run; a resumed run must name the same. */
    stream: string;
    customer: string;
    /** The first line not yet sent (or sent but not delivered): the resumed run starts here. */
    nextLine: number;
    /** Bytes of the input before `nextLine`, and their SHA-256 (hex). */
    byteOffset: number;
    prefixSha256: string;
    /** Lines after `nextLine` that were already delivered; the resumed run skips them. */
    deliveredLines: number[];
    /**
     * Lines whose PutRecords call was still in flight when the run was forced to exit: Kinesis may or may not have
     * stored them. The resumed run sends them again (at-least-once: possible duplicates, never a loss).
     */
    inDoubtLines: number[];
    /** Records delivered by this and every earlier run of the file. */
    delivered: number;
    /** Records rejected (never sent) or failed for good before `nextLine`, over every run; the summaries list them. */
    rejected: number;
    failed: number;
    /** Why the run stopped: `Interrupted`, `Forced`, or the error code (`ExpiredTokenException`). */
    stoppedBy: string;
    /** When the point was written (ISO 8601). */
    writtenAt: string;
}

/** `<input>.resume.json`, next to the input. */
export function defaultResumeFile(inputPath: string): string {
    return `${inputPath}.resume.json`;
}

/**
 * Writes `point` atomically (temporary file, then rename) so that a crash mid-write never leaves a half-written
 * point. Synchronous on purpose: it also runs from a signal handler just before a forced exit.
 */
export function writeResumePoint(file: string, point: ResumePoint): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, `${JSON.stringify(point, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
}

/**
 * Writes the resume point where a stopping send can: undefined when written, else why not (the error's code). A stop
 * must still be reported when the point cannot be saved, so the caller prints it instead.
 */
export function tryWriteResumePoint(file: string, point: ResumePoint): string | undefined {
    try {
        writeResumePoint(file, point);
        return undefined;
    } catch (err) {
        return (err as { code?: string }).code ?? (err as Error).name;
    }
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isLines = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => Number.isInteger(n) && n >= 1);

/** The resume point in `file`, or undefined when there is none. A file that is not one is a usage error. */
export function readResumePoint(file: string): ResumePoint | undefined {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return undefined;
        throw new IngestionError("file", `Cannot read the resume file ${file} (${(err as { code?: string }).code ?? "error"})`, { cause: err });
    }
    let value: Record<string, unknown>;
    try {
        value = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
        throw new IngestionError("usage", `The resume file ${file} is not JSON (${(err as Error).name}); delete it to send the whole file again`, { cause: err });
    }
    const problems: string[] = [];
    if (value?.format !== RESUME_FORMAT) problems.push(`format is not '${RESUME_FORMAT}'`);
    for (const k of ["stream", "customer", "prefixSha256", "stoppedBy", "writtenAt"] as const) if (typeof value?.[k] !== "string") problems.push(`'${k}' is not a string`);
    for (const k of ["byteOffset", "delivered", "rejected", "failed"] as const) if (!isCount(value?.[k])) problems.push(`'${k}' is not a count`);
    if (!(isCount(value?.nextLine) && value.nextLine >= 1)) problems.push("'nextLine' is not a line number");
    for (const k of ["deliveredLines", "inDoubtLines"] as const) if (!isLines(value?.[k])) problems.push(`'${k}' is not a list of line numbers`);
    if (typeof value?.prefixSha256 === "string" && !/^[0-9a-f]{64}$/.test(value.prefixSha256)) problems.push("'prefixSha256' is not a SHA-256 in hex");
    if (problems.length > 0) {
        throw new IngestionError("usage", `The resume file ${file} is not a resume point of ingest send: ${problems.join("; ")}`);
    }
    return value as unknown as ResumePoint;
}

/**
 * Hashes the first `point.byteOffset` bytes of `inputPath` and compares them with the point. Returns the hash state
 * (to continue from the point) or throws a usage error saying the file is not the one the point was written for.
 */
export async function verifyResumePoint(inputPath: string, point: ResumePoint, resumeFile: string): Promise<crypto.Hash> {
    const hash = crypto.createHash("sha256");
    const mismatch = (why: string) =>
        new IngestionError(
            "usage",
            `--resume-from ${point.nextLine}: ${inputPath} is not the file the resume point in ${resumeFile} was written for (${why}). ` +
                "Resume with the original file, or delete the resume file to send this one from the start.",
        );
    const size = (await fs.promises.stat(inputPath)).size;
    if (size < point.byteOffset) throw mismatch(`it has ${size} bytes, the point is at byte ${point.byteOffset}`);
    if (point.byteOffset > 0) {
        for await (const chunk of fs.createReadStream(inputPath, { start: 0, end: point.byteOffset - 1 })) hash.update(chunk as Buffer);
    }
    if (hash.copy().digest("hex") !== point.prefixSha256) throw mismatch(`the SHA-256 of its first ${point.byteOffset} bytes differs`);
    return hash;
}
