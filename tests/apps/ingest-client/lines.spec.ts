/**
 * The bounded line reader of `ingest send`: lines split as bytes arrive, positions (line, byte offset, SHA-256 of
 * the bytes before) exact across chunk boundaries, and a line over the limit reported before it has been read whole.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import { LineReader, RawLine } from "../../../apps/ingest-client/lines";

const fresh = () => ({ line: 1, offset: 0, hash: crypto.createHash("sha256") });
const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(reader: LineReader): Promise<RawLine[]> {
    const out: RawLine[] = [];
    for await (const l of reader.lines()) out.push(l);
    return out;
}

describe("apps/ingest-client: LineReader", () => {
    it("reports a line over the limit as soon as the limit is passed, without reading the rest of it", async () => {
        const MiB = 1024 * 1024;
        let produced = 0;
        // A line that never ends (a binary file, a truncated export): 1 GiB of 'x' without a newline, made lazily.
        async function* endless(): AsyncGenerator<Buffer> {
            const block = Buffer.alloc(64 * 1024, 0x78);
            while (produced < 1024 * MiB) {
                produced += block.length;
                yield block;
            }
        }
        const reader = new LineReader(endless(), { maxLineBytes: MiB, start: fresh() });
        const it = reader.lines();
        const first = await it.next();
        assert.deepStrictEqual({ line: first.value?.line, tooLong: first.value?.tooLong, text: first.value?.text }, { line: 1, tooLong: true, text: undefined });
        assert.ok(produced <= MiB + 128 * 1024, `read ${produced} bytes before reporting the line; a bounded reader needs at most the limit and a chunk`);
        await it.return(undefined);
    });

    it("skips an over-long line to its end and goes on with the right line numbers and positions", async () => {
        const data = Buffer.from(`{"a":1}\n${"z".repeat(5000)}\n{"b":2}\n`);
        const lines = await collect(new LineReader(chunks(data, 700), { maxLineBytes: 1000, start: fresh() }));
        assert.deepStrictEqual(
            lines.map((l) => [l.line, l.start.offset, l.text ?? "(too long)"]),
            [
                [1, 0, '{"a":1}'],
                [2, 8, "(too long)"],
                [3, 5009, '{"b":2}'],
            ],
        );
        assert.strictEqual(lines[2].start.hash.digest("hex"), sha(data.subarray(0, 5009)), "the hash covers the skipped line");
    });

    it("splits across chunk boundaries, strips CR and a BOM, counts blank lines, and ends a last line without newline", async () => {
        const text = '\ufeff{"n":1}\r\n\n  \n{"n":"é"}\r\n{"n":3}';
        const data = Buffer.from(text, "utf8");
        for (const size of [1, 2, 3, 7, data.length]) {
            const reader = new LineReader(chunks(data, size), { maxLineBytes: 64, start: fresh() });
            const lines = await collect(reader);
            assert.deepStrictEqual(
                lines.map((l) => [l.line, l.text]),
                [
                    [1, '{"n":1}'],
                    [4, '{"n":"é"}'],
                    [5, '{"n":3}'],
                ],
                `chunks of ${size}`,
            );
            const line4 = data.indexOf(Buffer.from('{"n":"é"}'));
            assert.strictEqual(lines[1].start.offset, line4);
            assert.strictEqual(lines[1].start.hash.copy().digest("hex"), sha(data.subarray(0, line4)));
            assert.deepStrictEqual([reader.position.line, reader.position.offset], [6, data.length]);
            assert.strictEqual(reader.position.hash.digest("hex"), sha(data));
        }
    });

    it("continues from a given position (a resumed run) with its line numbers and hash", async () => {
        const data = Buffer.from('{"n":1}\n{"n":2}\n{"n":3}\n');
        const hash = crypto.createHash("sha256").update(data.subarray(0, 8));
        const lines = await collect(new LineReader(chunks(data.subarray(8), 5), { maxLineBytes: 64, start: { line: 2, offset: 8, hash } }));
        assert.deepStrictEqual(lines.map((l) => [l.line, l.start.offset, l.text]), [
            [2, 8, '{"n":2}'],
            [3, 16, '{"n":3}'],
        ]);
        assert.strictEqual(lines[1].start.hash.digest("hex"), sha(data.subarray(0, 16)));
    });

    it("counts the limit in bytes, without the line break", async () => {
        const data = Buffer.from("ééé\r\nabcdef\nabcdefg\n");
        const lines = await collect(new LineReader(chunks(data, 4), { maxLineBytes: 6, start: fresh() }));
        assert.deepStrictEqual(lines.map((l) => [l.line, l.text ?? "(too long)"]), [
            [1, "ééé"],
            [2, "abcdef"],
            [3, "(too long)"],
        ]);
    });
});
