/**
 * npm run report -- --stack prod [--mode up|preview] [--out <dir>] [--policy-pack-config file.json] [--secret key]... [--no-pdf] [--real-cli]
 *
 * Runs the offline engine (program + policy pack over the analyzer protocol) and writes the HIPAA evidence
 * report as Markdown, self-contained HTML, JSON and a PDF of the HTML printed by headless Chromium (for evidence
 * packages). Without Chromium the report fails unless `--no-pdf` says the PDF is not wanted. With `--real-cli` the
 * real Pulumi CLI previews the same stack with the pack too (./real-cli.ts), and the report names both engines and
 * says whether they agree. Exit 0 when written (whatever the verdicts), 2 when the program or the pack failed, the
 * CLI is missing or failed, or the PDF could not be printed.
 */
import * as fs from "fs";
import * as path from "path";
import { secretOverrides } from "../offline/cli";
import { runOffline, REPO_ROOT } from "../offline/engine";
import type { Mode } from "../offline/recorder";
import { proveWiring } from "../wiring/prove";
import { launchChromium, openReport } from "./browser";
import { buildEvidence } from "./evidence";
import { judgeWithCli, requireCli } from "./real-cli";
import { mermaidBrowserScript, renderHtml, renderJson, renderMarkdown } from "./render";

export interface ReportOptions {
    stack: string;
    mode: Mode;
    outDir: string;
    policyPackConfigPath?: string;
    /** Secret keys to run as set though the stack file does not hold them (as `preview:offline --secret`). */
    secrets?: string[];
    /** Print hipaa-evidence.pdf with headless Chromium. @default true */
    pdf?: boolean;
    /**
     * Also judge the stack with the real Pulumi CLI (`pulumi preview --policy-pack`, tools/engine/lane.ts); fails
     * before any run when the CLI at the lockfile's version is missing. @default false
     */
    realCli?: boolean;
}

export interface WrittenReport {
    markdown: string;
    html: string;
    json: string;
    /** Absent when `pdf: false`. */
    pdf?: string;
}

/**
 * Prints the report as A4 landscape (the diagram is wide) with every folded section open: an evidence package is read
 * on paper, where nothing unfolds.
 */
export async function printPdf(htmlFile: string, pdfFile: string): Promise<void> {
    const browser = await launchChromium("printing the report's PDF (pass --no-pdf to write the report without it)");
    try {
        const { page, errors } = await openReport(browser, htmlFile);
        await page.evaluate(`document.querySelectorAll("details").forEach((d) => d.setAttribute("open", ""))`);
        await page.pdf({ path: pdfFile, format: "A4", landscape: true, printBackground: true, margin: { top: "10mm", bottom: "10mm", left: "8mm", right: "8mm" } });
        if (errors.length) throw new Error(`the report's page raised errors while printing: ${errors.join("; ")}`);
    } finally {
        await browser.close();
    }
}

export async function writeReport(options: ReportOptions, log: (line: string) => void = () => undefined): Promise<WrittenReport> {
    // Before the offline run: a missing CLI is told in a second, not after it.
    const cli = options.realCli ? requireCli() : undefined;
    const result = await runOffline({
        stack: options.stack,
        mode: options.mode,
        policyPackConfigPath: options.policyPackConfigPath,
        configOverrides: secretOverrides(options.secrets ?? []),
        onProgress: (e) => log(`[${e.phase}] ${e.message}`),
    });
    if (result.exitCode === 2 || !result.recording) {
        throw new Error(`offline run failed in ${result.error?.phase ?? "unknown"} phase: ${result.error?.message ?? "no recording"}`);
    }
    // The wiring proof needs key ARNs, which only an `up` recording has.
    const wiring = options.mode === "up" ? await proveWiring(result.recording) : undefined;
    // After the offline run, not beside it: the offline engine runs the program in this process, and the CLI's
    // environment is copied from it.
    const judgement = cli ? await judgeWithCli({ stack: options.stack, secrets: options.secrets, policyPackConfigPath: options.policyPackConfigPath }, cli, log) : undefined;
    const evidence = buildEvidence(result, wiring, judgement);
    fs.mkdirSync(options.outDir, { recursive: true });
    const written: WrittenReport = {
        markdown: path.join(options.outDir, "hipaa-evidence.md"),
        html: path.join(options.outDir, "hipaa-evidence.html"),
        json: path.join(options.outDir, "hipaa-evidence.json"),
    };
    fs.writeFileSync(written.markdown, renderMarkdown(evidence));
    fs.writeFileSync(written.html, renderHtml(evidence, mermaidBrowserScript()));
    fs.writeFileSync(written.json, renderJson(evidence));
    if (options.pdf === false) return written;
    const pdf = path.join(options.outDir, "hipaa-evidence.pdf");
    await printPdf(written.html, pdf);
    return { ...written, pdf };
}

export function parseArgs(argv: string[]): ReportOptions {
    const get = (flag: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const stack = get("--stack");
    if (!stack) throw new Error("usage: npm run report -- --stack <stack> [--mode up|preview] [--out <dir>] [--policy-pack-config <file>] [--secret <key>]... [--no-pdf] [--real-cli]");
    const mode = (get("--mode") ?? "up") as Mode;
    if (mode !== "up" && mode !== "preview") throw new Error(`--mode: expected up or preview, got '${mode}'`);
    return {
        stack,
        mode,
        outDir: path.resolve(get("--out") ?? path.join(REPO_ROOT, ".offline", "report", stack)),
        policyPackConfigPath: get("--policy-pack-config"),
        secrets: argv.flatMap((a, i) => (a === "--secret" && argv[i + 1] ? [argv[i + 1]] : [])),
        pdf: !argv.includes("--no-pdf"),
        realCli: argv.includes("--real-cli"),
    };
}

if (require.main === module) {
    (async () => {
        const options = parseArgs(process.argv.slice(2));
        const written = await writeReport(options, (line) => process.stderr.write(`${line}\n`));
        for (const file of Object.values(written).filter((f): f is string => typeof f === "string")) console.log(`wrote ${path.relative(process.cwd(), file)}`);
    })().catch((err: unknown) => {
        console.error(err instanceof Error ? err.message : err);
        process.exitCode = 2;
    });
}
