import * as assert from "assert";
import { formatBytes, ProgressBar, renderProgressLine } from "../../../apps/ingest-client/progress";

class Fake {
    writes: string[] = [];
    constructor(
        readonly isTTY: boolean,
        readonly columns = 80,
    ) {}
    write(chunk: string): boolean {
        this.writes.push(chunk);
        return true;
    }
}

const MiB = 1024 * 1024;

describe("apps/ingest-client: progress bar", () => {
    it("formats sizes in binary units", async () => {
        assert.deepStrictEqual([0, 1023, 1536, 5 * MiB, 3.25 * 1024 * MiB].map(formatBytes), ["0 B", "1023 B", "1.5 KiB", "5.0 MiB", "3.3 GiB"]);
    });

    it("renders the filled share, percentage, sizes and rate within the terminal width", async () => {
        const line = renderProgressLine("up", 6 * MiB, 12 * MiB, 2000, 80);
        const m = /^up \[(#+)(-+)\] {2}50\.0% {2}6\.0 MiB\/12\.0 MiB {2}3\.0 MiB\/s$/.exec(line);
        assert.ok(m, line);
        assert.strictEqual(line.length, 79, "the bar takes the width left over, but one column");
        assert.ok(Math.abs(m[1].length - m[2].length) <= 1, "half filled");
        assert.ok(renderProgressLine("a-much-longer-label-for-a-key", 1, 2, 1, 60).length <= 80);
        assert.match(renderProgressLine("x", 0, 0, 0), /\[#+\] 100\.0%/);
    });

    it("redraws one line in place on a terminal, at most every 100 ms, and ends the line when done", async () => {
        let now = 0;
        const tty = new Fake(true);
        const bar = new ProgressBar(tty, 10 * MiB, "f", { now: () => now });
        bar.update(1 * MiB);
        now = 50;
        bar.update(2 * MiB); // within 100 ms: skipped
        now = 150;
        bar.update(3 * MiB);
        bar.finish();
        assert.strictEqual(tty.writes.length, 4);
        assert.ok(tty.writes.slice(0, 3).every((w) => w.startsWith("\r") && w.endsWith("\x1b[K")));
        assert.match(tty.writes[1], / 30\.0%/);
        assert.match(tty.writes[2], /100\.0%/);
        assert.strictEqual(tty.writes[3], "\n");
    });

    it("prints plain lines at each quarter when stderr is not a terminal", async () => {
        const log = new Fake(false);
        const bar = new ProgressBar(log, 100, "f", { now: () => 0 });
        for (let i = 1; i <= 100; i++) bar.update(i);
        bar.finish();
        assert.deepStrictEqual(
            log.writes.map((w) => /(\d+\.\d)%/.exec(w)?.[1]),
            ["1.0", "25.0", "50.0", "75.0", "100.0"],
        );
        assert.ok(log.writes.every((w) => w.endsWith("\n") && !w.includes("\r")));
    });

    it("leaves a failed upload's bar where it stopped", async () => {
        const log = new Fake(false);
        const bar = new ProgressBar(log, 100, "f", { now: () => 0 });
        bar.update(30);
        bar.finish(false);
        bar.update(100);
        assert.deepStrictEqual(log.writes.map((w) => /(\d+\.\d)%/.exec(w)?.[1]), ["30.0"]);
    });
});
