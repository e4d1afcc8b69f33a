/**
 * A small progress bar for large uploads, written to stderr so stdout stays machine-readable (the CLI prints its
 * JSON result there). On a terminal it redraws one line in place; in a log (CI, cron, a pipe) it prints a plain
 * line at each quarter instead of escape codes.
 */

/** What the bar writes to: `process.stderr`, or a fake in tests. */
export interface ProgressStream {
    isTTY?: boolean;
    columns?: number;
    write(chunk: string): unknown;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** `1536` -> `1.5 KiB`. */
export function formatBytes(bytes: number): string {
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
        value /= 1024;
        unit += 1;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** One line: `label [#####-----]  50.0%  6.0 MiB/12.0 MiB  3.0 MiB/s`, the bar sized to fit `width` columns. */
export function renderProgressLine(label: string, loaded: number, total: number, elapsedMs: number, width = 80): string {
    const fraction = total > 0 ? Math.min(1, Math.max(0, loaded / total)) : 1;
    const percent = `${(fraction * 100).toFixed(1).padStart(5)}%`;
    const rate = elapsedMs > 0 ? `${formatBytes(Math.round((loaded / elapsedMs) * 1000))}/s` : "";
    const tail = `${percent}  ${formatBytes(loaded)}/${formatBytes(total)}${rate ? `  ${rate}` : ""}`;
    // One column spare: a line exactly as wide as the terminal wraps on some terminals and breaks the redraw.
    const barWidth = Math.max(10, Math.min(40, width - label.length - tail.length - 5));
    const filled = Math.round(fraction * barWidth);
    return `${label} [${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${tail}`;
}

export interface ProgressBarOptions {
    /** Clock in milliseconds. @default Date.now */
    now?: () => number;
    /** Least time between two redraws on a terminal. @default 100 */
    minIntervalMs?: number;
}

export class ProgressBar {
    private readonly started: number;
    private lastDraw = -Infinity;
    private lastQuarter = -1;
    private loaded = 0;
    private done = false;
    private readonly now: () => number;
    private readonly minIntervalMs: number;

    constructor(
        private readonly stream: ProgressStream,
        private readonly total: number,
        private readonly label: string,
        options: ProgressBarOptions = {},
    ) {
        this.now = options.now ?? Date.now;
        this.minIntervalMs = options.minIntervalMs ?? 100;
        this.started = this.now();
    }

    update(loaded: number): void {
        if (this.done) return;
        this.loaded = Math.max(this.loaded, loaded);
        if (this.stream.isTTY) {
            const t = this.now();
            if (t - this.lastDraw < this.minIntervalMs && this.loaded < this.total) return;
            this.lastDraw = t;
            // \r returns to the line start, \x1b[K clears what a longer previous line left behind.
            this.stream.write(`\r${renderProgressLine(this.label, this.loaded, this.total, t - this.started, this.stream.columns ?? 80)}\x1b[K`);
            return;
        }
        const quarter = this.total > 0 ? Math.floor((Math.min(this.loaded, this.total) / this.total) * 4) : 4;
        if (quarter > this.lastQuarter) {
            this.lastQuarter = quarter;
            this.stream.write(`${renderProgressLine(this.label, this.loaded, this.total, this.now() - this.started, 100)}\n`);
        }
    }

    /** Draws the final state; `ok: false` leaves the bar where it stopped and ends the line. */
    finish(ok = true): void {
        if (this.done) return;
        if (ok) this.update(this.total);
        this.done = true;
        if (this.stream.isTTY) this.stream.write("\n");
    }
}
