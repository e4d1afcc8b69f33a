/**
 * npm run report:screenshots
 *
 * Regenerates the README's screenshots of the evidence report (docs/images/report-first-screen.png: the first screen at
 * 1400x900; docs/images/report-diagram.png: the data-flow diagram) from a fresh report of the prod stack, and
 * docs/images/report-screenshots.json: the fingerprint of what they show (render.ts `screenshotFingerprint`). PNG bytes
 * differ between Chromium builds, the fingerprint does not: tests/tools/report/screenshots.spec.ts recomputes it from a
 * fresh report and fails when the screenshots are stale.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../offline/engine";
import { launchChromium, openReport, VIEWPORT } from "./browser";
import { ReportOptions, writeReport } from "./cli";
import type { Evidence } from "./evidence";
import { screenshotFingerprint } from "./render";

export const IMAGES_DIR = path.join(REPO_ROOT, "docs", "images");
export const SIDECAR = path.join(IMAGES_DIR, "report-screenshots.json");
export const FIRST_SCREEN = "report-first-screen.png";
export const DIAGRAM = "report-diagram.png";

/**
 * The report the screenshots show: prod after `up`, with the two secrets Pulumi.prod.yaml leaves to the operator set
 * to the offline engine's placeholders (their values appear nowhere in the report).
 */
export function screenshotReportOptions(outDir: string): ReportOptions {
    return { stack: "prod", mode: "up", outDir, secrets: ["onPremDbPassword", "storageGatewayActivationKey"], pdf: false };
}

export interface ScreenshotRecord {
    stack: string;
    mode: string;
    viewport: { width: number; height: number };
    /** sha256 of the first screen's HTML, the page style and the diagram source. */
    fingerprint: string;
    /** sha256 of each PNG as written, so a PNG replaced by hand is told apart from one the script wrote. */
    files: Record<string, string>;
    regenerate: string;
}

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

export async function takeScreenshots(imagesDir = IMAGES_DIR, log: (l: string) => void = () => undefined): Promise<ScreenshotRecord> {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "hipaa-screens-"));
    const options = screenshotReportOptions(outDir);
    const written = await writeReport(options, log);
    const evidence = JSON.parse(fs.readFileSync(written.json, "utf8")) as Evidence;
    fs.mkdirSync(imagesDir, { recursive: true });
    const browser = await launchChromium("taking the report's screenshots");
    try {
        const { page, errors } = await openReport(browser, written.html);
        await page.screenshot({ path: path.join(imagesDir, FIRST_SCREEN) });
        await page.locator("#architecture").screenshot({ path: path.join(imagesDir, DIAGRAM) });
        if (errors.length) throw new Error(`the report's page raised errors: ${errors.join("; ")}`);
    } finally {
        await browser.close();
    }
    const record: ScreenshotRecord = {
        stack: options.stack,
        mode: options.mode,
        viewport: VIEWPORT,
        fingerprint: screenshotFingerprint(evidence),
        files: Object.fromEntries([FIRST_SCREEN, DIAGRAM].map((f) => [f, sha256(fs.readFileSync(path.join(imagesDir, f)))])),
        regenerate: "npm run report:screenshots",
    };
    fs.writeFileSync(path.join(imagesDir, path.basename(SIDECAR)), `${JSON.stringify(record, null, 2)}\n`);
    return record;
}

if (require.main === module) {
    takeScreenshots(IMAGES_DIR, (l) => process.stderr.write(`${l}\n`)).then(
        (r) => console.log(`wrote ${[...Object.keys(r.files), path.basename(SIDECAR)].map((f) => path.relative(process.cwd(), path.join(IMAGES_DIR, f))).join(", ")}`),
        (err: unknown) => {
            console.error(err instanceof Error ? err.message : err);
            process.exitCode = 2;
        },
    );
}
