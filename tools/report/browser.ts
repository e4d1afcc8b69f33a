/**
 * Headless Chromium for the report: printing the PDF, taking the README screenshots, and the readability tests.
 * Debian's chromium (installed by .ci/run); CHROMIUM_PATH points elsewhere.
 */
import * as fs from "fs";
import { Browser, chromium } from "playwright-core";

/** Read at each launch, so a caller (or a test) can point CHROMIUM_PATH elsewhere. */
export function chromiumPath(): string {
    return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

/** No network, no updates, no sync: the report is self-contained and must render offline. */
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

/** The viewport an auditor's laptop gives the report (and the screenshots are taken at). */
export const VIEWPORT = { width: 1400, height: 900 };

export function chromiumAvailable(): boolean {
    return fs.existsSync(chromiumPath());
}

export async function launchChromium(purpose: string): Promise<Browser> {
    if (!chromiumAvailable()) {
        throw new Error(`${purpose} needs headless Chromium, and there is none at ${chromiumPath()}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
    }
    return chromium.launch({ executablePath: chromiumPath(), args: FLAGS });
}

/** Opens the report and waits until Mermaid has drawn the diagram. */
export async function openReport(browser: Browser, htmlFile: string) {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`file://${htmlFile}`);
    await page.waitForSelector("#architecture svg", { timeout: 60_000 });
    return { page, errors };
}
