/**
 * The drift path of .github/workflows/drift.yml under the real Pulumi CLI (tools/engine/lane.ts) and the test aws
 * provider: after `pulumi up`, a "console change" is injected through the provider's Read
 * (HDP_TEST_AWS_DRIFT_FILE, tools/engine/providers/README.md), and the workflow's command
 * `pulumi preview --refresh --expect-no-changes --policy-pack policy-pack --diff` must report it and exit non-zero;
 * tools/ci/drift-report.ts, fed with that real output, opens the issue; without the change the preview is clean and
 * the report closes it.
 *
 * The change: someone stops the AWS Config recorder (RecorderStatus isEnabled false), the detective control an
 * attacker would switch off first. Skipped, with the reason printed, where no CLI at the lockfile's version can be
 * had (as the lane spec); with CI=true a missing CLI is a failure.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { decide, parsePreview } from "../../../tools/ci/drift-report";
import { EngineProject, locateCli, POLICY_PACK_DIR, PulumiResult } from "../../../tools/engine/lane";

const CI = process.env.CI === "true";
const cli = locateCli({ build: CI });
const STATUS_TYPE = "aws:cfg/recorderStatus:RecorderStatus";

const text = (r: PulumiResult) => `${r.stdout}\n${r.stderr}`;

describe("real engine: nightly drift detection finds a console change (dev)", function () {
    this.timeout(1_800_000);
    let p: EngineProject | undefined;
    let driftFile = "";
    let statusUrn = "";
    const previousDriftEnv = process.env.HDP_TEST_AWS_DRIFT_FILE;

    /** The drift workflow's command, exactly (the lane adds only the project's own backend and --suppress-progress). */
    const refreshPreview = () => (p as EngineProject).preview(["--refresh", "--expect-no-changes", "--policy-pack", POLICY_PACK_DIR, "--diff", "--non-interactive"]);

    before(async function () {
        if (!cli.ok) {
            if (CI) throw new Error(`CI=true and no Pulumi CLI could be had: ${cli.reason}`);
            process.stdout.write(`      skipped: ${cli.reason}\n`);
            this.skip();
        }
        driftFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drift-")), "drift.json");
        fs.writeFileSync(driftFile, "{}");
        // The engine passes its environment to the provider plugins; the provider re-reads the file on every Read.
        process.env.HDP_TEST_AWS_DRIFT_FILE = driftFile;
        p = await EngineProject.create({ program: "platform", stack: "dev", cli });
        const up = await p.pulumi(["up", "--yes", "--color", "never", "--suppress-progress", "--policy-pack", POLICY_PACK_DIR], { events: true });
        assert.strictEqual(up.code, 0, text(up).slice(-4000));
        const state = await p.exportState();
        const status = (state.deployment.resources ?? []).find((r) => r.type === STATUS_TYPE);
        assert.ok(status, "pulumi up created the Config recorder status");
        statusUrn = status.urn;
    });

    after(() => {
        p?.dispose();
        if (previousDriftEnv === undefined) delete process.env.HDP_TEST_AWS_DRIFT_FILE;
        else process.env.HDP_TEST_AWS_DRIFT_FILE = previousDriftEnv;
    });

    let known = "";

    it("without a change outside Pulumi, the refresh preview exits 0: no drift, and dev's known advisory findings are reported once", async () => {
        const r = await refreshPreview();
        assert.strictEqual(r.code, 0, text(r).slice(-4000));
        const first = decide({ stack: "dev", exitCode: r.code, output: text(r) });
        assert.strictEqual(first.drift, false);
        assert.deepStrictEqual(parsePreview(text(r)).changes, []);
        // Dev's deliberate shortcuts (14-day logs, one-day backups) are advisory findings: the first night opens the
        // issue for them, the next night with the same findings stays quiet.
        assert.ok(first.newViolations.length > 0 && first.newViolations.every((f) => f.startsWith("advisory ")), first.newViolations.join("\n"));
        known = first.body;
        assert.strictEqual(decide({ stack: "dev", exitCode: r.code, output: text(r), previousBody: known }).action, "none");
    });

    it("a stopped recorder (console change) is reported by the refresh preview, which exits non-zero; the report opens the issue with the change", async () => {
        fs.writeFileSync(driftFile, JSON.stringify({ [statusUrn]: { isEnabled: false } }));
        const r = await refreshPreview();
        assert.notStrictEqual(r.code, 0, text(r).slice(-4000));
        assert.match(text(r), /error: no changes were expected (for preview )?but changes were proposed/);
        const decision = decide({ stack: "dev", exitCode: r.code, output: text(r), previousBody: known });
        assert.strictEqual(decision.action, "update", "the open issue gets the drift");
        assert.ok(decision.drift);
        const changes = parsePreview(text(r)).changes;
        assert.deepStrictEqual(changes, [
            "~ aws:cfg/recorderStatus:RecorderStatus compliance-recorder-status (refresh)",
            "    ~ isEnabled: true => false",
            "~ aws:cfg/recorderStatus:RecorderStatus compliance-recorder-status (update)",
            "    ~ isEnabled: false => true",
        ]);
        for (const line of changes) assert.ok(decision.body.includes(line), line);
        assert.match(decision.body, /error: no changes were expected (for preview )?but changes were proposed/);

        // Once the change is reverted (here: the drift removed) the next night is clean; with dev's advisory findings
        // still there the issue stays open (only a night without drift and without any violation closes it).
        fs.writeFileSync(driftFile, "{}");
        const clean = await refreshPreview();
        assert.strictEqual(clean.code, 0, text(clean).slice(-4000));
        const after = decide({ stack: "dev", exitCode: clean.code, output: text(clean), previousBody: decision.body });
        assert.deepStrictEqual([after.drift, after.action], [false, "none"]);
    });
});
