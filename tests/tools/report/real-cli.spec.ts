/**
 * `npm run report -- --real-cli`: the evidence names every engine that judged the stack (the offline engine and the
 * real Pulumi CLI, each with its version, exit code and counts) and fails loudly where they disagree.
 *
 * The evidence and rendering tests feed buildEvidence a real offline run of dev and a CLI judgement built from it (no
 * CLI needed). The end-to-end test runs the CLI: like tests/tools/engine/*.spec.ts it is skipped, with the reason
 * printed, only where no CLI at the lockfile's version can be had; with CI=true the CLI is built when missing and a
 * missing CLI is a failure, never a skip.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { locateCli, lockfilePulumiVersion, Violation } from "../../../tools/engine/lane";
import { runOffline } from "../../../tools/offline/engine";
import type { OfflineResult } from "../../../tools/offline/engine";
import { parseArgs, writeReport } from "../../../tools/report/cli";
import { buildEvidence, CliJudgement, Evidence, findingKey, pulumiSdkVersion } from "../../../tools/report/evidence";
import { requireCli } from "../../../tools/report/real-cli";
import { engineLine, engineVerdicts, firstScreenHtml, renderHtml, renderMarkdown, SUMMARY_TITLE } from "../../../tools/report/render";

const CI = process.env.CI === "true";

/** What the CLI would report for the same findings: the offline engine's judged diagnostics in the lane's shape. */
function asCli(result: OfflineResult): Violation[] {
    return result.diagnostics.filter((d) => !d.unknownDuringPreview).map((d) => ({ policyName: d.policyName, enforcementLevel: d.enforcementLevel, urn: d.urn, message: d.message }));
}

/** The Markdown's summary section, from its title to the diagram. */
const summaryOf = (markdown: string) => markdown.slice(markdown.indexOf(`## ${SUMMARY_TITLE}`), markdown.indexOf("## Data flows"));

describe("tools/report/real-cli: evidence from the offline engine and the Pulumi CLI", function () {
    this.timeout(600_000);
    let result: OfflineResult;
    const sdk = pulumiSdkVersion();
    const offlineName = `offline engine (@pulumi/pulumi ${sdk})`;

    before(async () => {
        result = await runOffline({ stack: "dev", mode: "preview" });
        assert.ok(result.recording && result.exitCode === 0, `the offline run of dev failed: ${result.error?.message}`);
    });

    /** A mandatory policy of the pack citing encryption at rest, and a bucket of dev: a finding the pack could make. */
    function encryptionFinding(): Violation & { section: string } {
        const policy = result.policyPack?.policies.find((p) => p.enforcementLevel === "mandatory" && (p.framework?.reference ?? "").includes("164.312(a)(2)(iv)"));
        const bucket = result.recording?.resources.find((r) => r.type === "aws:s3/bucket:Bucket");
        assert.ok(policy && bucket, "dev has a bucket and the pack a mandatory encryption policy");
        return { policyName: policy.name, enforcementLevel: "mandatory", urn: bucket.urn, message: "bucket is not encrypted with a customer-managed key", section: "164.312(a)(2)(iv)" };
    }

    it("two engines that agree: both named with their versions, exit codes and counts; the summary says they agree", () => {
        const cli: CliJudgement = { version: "3.276.0", exitCode: 0, findings: asCli(result) };
        const ev = buildEvidence(result, undefined, cli);
        const advisory = result.summary.violations.advisory;
        assert.ok(advisory > 0, "dev has advisory findings: the comparison is not vacuous");
        assert.deepStrictEqual(ev.engines, [
            { kind: "offline", version: sdk, exitCode: 0, mandatory: 0, advisory },
            { kind: "pulumi-cli", version: "3.276.0", exitCode: 0, mandatory: 0, advisory },
        ]);
        assert.deepStrictEqual(ev.engineComparison, { agree: true, mandatory: { onlyOffline: [], onlyCli: [] }, advisory: { onlyOffline: [], onlyCli: [] } });
        assert.strictEqual(
            engineLine(ev),
            `offline engine (program under the @pulumi/pulumi ${sdk} mock runtime, policy pack over the analyzer protocol), exit code 0, and the Pulumi CLI v3.276.0 (pulumi preview --policy-pack), exit code 0`,
        );
        const text = `policy verdicts: ${offlineName} and Pulumi CLI v3.276.0, both 0 mandatory, both ${advisory} advisory`;
        assert.deepStrictEqual(engineVerdicts(ev), { fail: false, text });
        const markdown = renderMarkdown(ev);
        assert.ok(summaryOf(markdown).includes(`\n${text}\n`), summaryOf(markdown));
        assert.ok(!/\*\*FAIL\*\*:|disagree/.test(summaryOf(markdown)), "agreeing engines get a FAIL line");
        assert.ok(firstScreenHtml(ev).includes(`<p class="meta" id="engine-verdicts">${text}</p>`));
        assert.match(markdown, /<details><summary>Engine comparison: 0 findings reported by one engine only<\/summary>/);
        assert.ok(markdown.includes(`| offline engine | ${sdk} | 0 | 0 | ${advisory} |\n| Pulumi CLI | 3.276.0 | 0 | 0 | ${advisory} |`));
        // The JSON carries both engines.
        assert.deepStrictEqual((JSON.parse(JSON.stringify(ev)) as Evidence).engines.map((e) => e.kind), ["offline", "pulumi-cli"]);
    });

    it("the CLI rejects what the offline engine accepts: a FAIL line on the first screen, and the policy and resource count it", () => {
        const extra = encryptionFinding();
        const agreeing = buildEvidence(result, undefined, { version: "3.276.0", exitCode: 0, findings: asCli(result) });
        assert.strictEqual(agreeing.safeguards.find((s) => s.section === extra.section)?.verdict, "pass", "encryption at rest passes offline");
        const ev = buildEvidence(result, undefined, { version: "3.276.0", exitCode: 255, findings: [...asCli(result), extra] });
        const key = findingKey(extra);
        assert.deepStrictEqual(ev.engineComparison?.mandatory, { onlyOffline: [], onlyCli: [key] });
        assert.strictEqual(ev.engineComparison?.agree, false);
        assert.deepStrictEqual(ev.engines.map((e) => [e.kind, e.exitCode, e.mandatory]), [["offline", 0, 0], ["pulumi-cli", 255, 1]]);
        const text = `the engines disagree on mandatory violations: ${offlineName} 0 mandatory, Pulumi CLI v3.276.0 1 mandatory; the Pulumi CLI rejects what the offline engine accepts: ${key}`;
        assert.deepStrictEqual(engineVerdicts(ev), { fail: true, text });
        // The verdicts never show PASS for what the CLI rejects.
        const atRest = ev.safeguards.find((s) => s.section === extra.section);
        assert.strictEqual(atRest?.verdict, "fail");
        const pv = atRest.policies.find((p) => p.policy === extra.policyName);
        assert.deepStrictEqual(pv?.violations, [{ urn: extra.urn, message: `reported by the Pulumi CLI only: ${extra.message}`, enforcementLevel: "mandatory" }]);
        assert.strictEqual(ev.resources.find((r) => r.urn === extra.urn)?.violations, (agreeing.resources.find((r) => r.urn === extra.urn)?.violations ?? 0) + 1);
        const markdown = renderMarkdown(ev);
        assert.ok(summaryOf(markdown).includes(`\n**FAIL**: ${text.replace(/\|/g, "\\|")}\n`), summaryOf(markdown));
        assert.ok(markdown.includes(`- **mandatory**, only the Pulumi CLI: ${key}`));
        const html = renderHtml(ev, "");
        assert.ok(html.includes(`<p class="meta" id="engine-verdicts"><span class="verdict v-fail">FAIL</span> the engines disagree on mandatory violations: `), "no FAIL line in the HTML");
        assert.ok(html.indexOf('id="engine-verdicts"') < html.indexOf('id="safeguards"'), "the FAIL line comes before the summary table");
    });

    it("the offline engine rejects what the CLI accepts: FAIL as well, naming that side", () => {
        const extra = encryptionFinding();
        const cli = asCli(result);
        const diagnostic = { ...result.diagnostics[0], policyName: extra.policyName, enforcementLevel: "mandatory" as const, urn: extra.urn, message: extra.message, unknownDuringPreview: false };
        const ev = buildEvidence({ ...result, diagnostics: [...result.diagnostics, diagnostic] }, undefined, { version: "3.276.0", exitCode: 0, findings: cli });
        assert.deepStrictEqual(ev.engineComparison?.mandatory, { onlyOffline: [findingKey(extra)], onlyCli: [] });
        const verdicts = engineVerdicts(ev);
        assert.strictEqual(verdicts?.fail, true);
        assert.ok(verdicts.text.endsWith(`; the offline engine rejects what the Pulumi CLI accepts: ${findingKey(extra)}`), verdicts.text);
    });

    it("advisory findings that differ are told, not a FAIL; a finding reported twice by one engine and once by the other is a difference", () => {
        const cli = asCli(result);
        const [dropped, ...rest] = cli;
        const ev = buildEvidence(result, undefined, { version: "3.276.0", exitCode: 0, findings: [...rest, rest[0]] });
        assert.strictEqual(ev.engineComparison?.agree, true);
        assert.deepStrictEqual(ev.engineComparison?.advisory, { onlyOffline: [findingKey(dropped)], onlyCli: [findingKey(rest[0])] });
        const verdicts = engineVerdicts(ev);
        assert.strictEqual(verdicts?.fail, false);
        assert.ok(verdicts.text.endsWith("both 0 mandatory, advisory findings differ (1 only offline, 1 only the CLI; see the engine comparison)"), verdicts.text);
    });

    it("--real-cli is parsed; without a CLI it fails before running anything, naming tools/pulumi-cli/install.sh", async () => {
        assert.strictEqual(parseArgs(["--stack", "dev", "--real-cli"]).realCli, true);
        assert.strictEqual(parseArgs(["--stack", "dev"]).realCli, false);
        assert.throws(() => requireCli({ ok: false, reason: "no Pulumi CLI v3.276.0 is built yet: run tools/pulumi-cli/install.sh (exit 1)" }), /^Error: --real-cli needs the Pulumi CLI at the lockfile's version: no Pulumi CLI v3\.276\.0 is built yet: run tools\/pulumi-cli\/install\.sh/);
        // No pulumi on PATH and an empty cache: what a machine that never ran install.sh looks like.
        const saved = { PATH: process.env.PATH, PULUMI_CLI_CACHE: process.env.PULUMI_CLI_CACHE };
        process.env.PATH = (process.env.PATH ?? "").split(path.delimiter).filter((d) => !fs.existsSync(path.join(d, "pulumi"))).join(path.delimiter);
        process.env.PULUMI_CLI_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-cli-"));
        const outDir = path.join(os.tmpdir(), `hipaa-real-cli-missing-${process.pid}`);
        const lines: string[] = [];
        try {
            await assert.rejects(
                writeReport({ stack: "dev", mode: "preview", outDir, pdf: false, realCli: true }, (l) => lines.push(l)),
                new RegExp(`^Error: --real-cli needs the Pulumi CLI at the lockfile's version: no Pulumi CLI v${lockfilePulumiVersion().replace(/\./g, "\\.")} .*tools/pulumi-cli/install\\.sh`),
            );
        } finally {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
        }
        assert.deepStrictEqual(lines, [], "the offline engine ran before the missing CLI was told");
        assert.ok(!fs.existsSync(outDir), "a report was written");
    });
});

describe("tools/report/real-cli: npm run report -- --stack dev --real-cli through the real Pulumi CLI", function () {
    this.timeout(1_200_000);
    const cli = locateCli({ build: CI });
    let evidence: Evidence;
    let markdown: string;
    let html: string;

    before(async function () {
        if (!cli.ok) {
            if (CI) throw new Error(`CI=true and no Pulumi CLI could be had: ${cli.reason}`);
            process.stdout.write(`      skipped: ${cli.reason}\n`);
            this.skip();
        }
        // One preview of dev, offline and through the CLI; no `up`, no PDF: the engines' verdicts are what is tested.
        const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "hipaa-real-cli-"));
        const written = await writeReport({ stack: "dev", mode: "preview", outDir, pdf: false, realCli: true });
        evidence = JSON.parse(fs.readFileSync(written.json, "utf8")) as Evidence;
        markdown = fs.readFileSync(written.markdown, "utf8");
        html = fs.readFileSync(written.html, "utf8");
    });

    it("names the CLI's version on the engine line, and the CLI's counts equal the offline engine's", () => {
        const version = lockfilePulumiVersion();
        const [offline, real] = evidence.engines;
        assert.strictEqual(evidence.engines.length, 2);
        assert.strictEqual(offline.kind, "offline");
        assert.deepStrictEqual(real, { kind: "pulumi-cli", version, exitCode: 0, mandatory: offline.mandatory, advisory: offline.advisory });
        assert.strictEqual(offline.mandatory, 0);
        assert.ok(offline.advisory > 0, "dev's advisory findings (short log retention, no deletion protection) are counted by both");
        assert.deepStrictEqual(evidence.engineComparison, { agree: true, mandatory: { onlyOffline: [], onlyCli: [] }, advisory: { onlyOffline: [], onlyCli: [] } });
        assert.ok(markdown.includes(`, exit code 0, and the Pulumi CLI v${version} (pulumi preview --policy-pack), exit code 0`), markdown.slice(0, 600));
        assert.ok(summaryOf(markdown).includes(`policy verdicts: offline engine (@pulumi/pulumi ${offline.version}) and Pulumi CLI v${version}, both 0 mandatory, both ${offline.advisory} advisory`));
        assert.match(html, new RegExp(`<span id="engine">[^<]*Pulumi CLI v${version.replace(/\./g, "\\.")} \\(pulumi preview --policy-pack\\), exit code 0</span>`));
    });
});
