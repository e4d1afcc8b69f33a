/**
 * A bounded line reader for JSONL input: lines are split on `\n` as bytes arrive, and a line longer than the limit is
 * reported by number as soon as the limit is passed, then skipped to its end without being kept. readline (what the
 * CLI used before) buffers a whole line before returning it, so one line without a newline (a truncated export, a
 * binary file passed by mistake) grew until the process ran out of memory.
 *
 * The reader also tracks where each line starts (line number, byte offset and a SHA-256 of every byte before it),
 * which is what a resume point of `ingest send` records: the hash proves on resume that the bytes before the point
 * are the ones the interrupted run read.
 */
import { Hash } from "crypto";

/** A line boundary: line `line` starts at byte `offset`; `hash` covers bytes [0, offset). */
export interface LinePosition {
    line: number;
    offset: number;
    /** SHA-256 state over the bytes before `offset` (a copy: digest it freely). */
    hash: Hash;
}

export interface RawLine {
    /** 1-based line number in the file. */
    line: number;
    /** Where the line starts. */
    start: LinePosition;
    /** The line without its line break (`\n` or `\r\n`); absent when `tooLong`. */
    text?: string;
    /** The line is longer than `maxLineBytes`: its content was never kept. */
    tooLong?: boolean;
}

export interface ReadLinesOptions {
    /** Longest line accepted, in bytes without the line break. */
    maxLineBytes: number;
    /**
     * Where the source starts: line number, byte offset, and the hash of the bytes before it (continued, not
     * copied). @default line 1 at offset 0 with a fresh hash
     */
    start: LinePosition;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Reads lines from `source` (chunks of a file). Blank lines are not returned but counted. `reader.position` is the
 * boundary after the last line read completely: where a reader of the same file would continue.
 */
export class LineReader {
    private current: LinePosition;

    constructor(
        private readonly source: AsyncIterable<Buffer | string>,
        private readonly options: ReadLinesOptions,
    ) {
        if (!Number.isInteger(options.maxLineBytes) || options.maxLineBytes < 1) {
            throw new RangeError(`maxLineBytes must be a positive integer, got ${options.maxLineBytes}`);
        }
        this.current = { ...options.start, hash: options.start.hash.copy() };
    }

    /** The boundary after the last complete line (a copy of the hash). */
    get position(): LinePosition {
        return { line: this.current.line, offset: this.current.offset, hash: this.current.hash.copy() };
    }

    async *lines(): AsyncGenerator<RawLine> {
        const { maxLineBytes } = this.options;
        // Updated with every byte as it arrives, so a skipped line is hashed without being kept; `current.hash` is
        // a copy taken at each line boundary.
        const running = this.options.start.hash;
        let parts: Buffer[] = [];
        let kept = 0;
        let skipping = false;
        let offset = this.current.offset;

        const finishLine = (endOffset: number): RawLine | undefined => {
            const start = this.current;
            let result: RawLine | undefined;
            // A line skipped for its length was reported when the limit was passed.
            if (!skipping) {
                let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, kept);
                if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
                if (bytes.length > maxLineBytes) {
                    result = { line: start.line, start, tooLong: true };
                } else {
                    let text = bytes.toString("utf8");
                    // A UTF-8 byte order mark (some Windows exports) is not part of the first record.
                    if (start.offset === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
                    result = text.trim() === "" ? undefined : { line: start.line, start, text };
                }
            }
            this.current = { line: start.line + 1, offset: endOffset, hash: running.copy() };
            parts = [];
            kept = 0;
            skipping = false;
            return result;
        };

        for await (const raw of this.source) {
            const chunk = typeof raw === "string" ? Buffer.from(raw, "utf8") : raw;
            let i = 0;
            while (i < chunk.length) {
                const nl = chunk.indexOf(NEWLINE, i);
                const end = nl === -1 ? chunk.length : nl;
                running.update(chunk.subarray(i, nl === -1 ? chunk.length : nl + 1));
                if (!skipping) {
                    const segment = chunk.subarray(i, end);
                    // One byte of slack for the `\r` of a `\r\n` line break, removed when the line ends.
                    if (kept + segment.length > maxLineBytes + 1) {
                        skipping = true;
                        parts = [];
                        kept = 0;
                        yield { line: this.current.line, start: this.current, tooLong: true };
                    } else {
                        parts.push(segment);
                        kept += segment.length;
                    }
                }
                if (nl === -1) {
                    offset += chunk.length - i;
                    break;
                }
                offset += nl + 1 - i;
                i = nl + 1;
                const line = finishLine(offset);
                if (line) yield line;
            }
        }
        if (kept > 0 || skipping) {
            // The last line has no line break.
            const line = finishLine(offset);
            if (line) yield line;
        }
    }
}
