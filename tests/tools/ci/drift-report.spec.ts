import * as assert from "assert";
import * as cp from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { decide, driftTitle, parsePreview, previousViolations } from "../../../tools/ci/drift-report";
import { ROOT } from "../../support/platform";

/** What `pulumi preview --refresh --expect-no-changes --policy-pack policy-pack --diff --color never` prints after a console change. */
const DRIFTED = `Previewing update (acme/prod)

     Type                              Name                        Plan       Info
     pulumi:pulumi:Stack               healthcare-data-platform-prod
     ├─ healthcare:storage:DataLake     lake
 ~   │  ├─ aws:s3:BucketPolicy          lake-raw-policy             refresh    [diff: ~policy]
 ~   │  └─ aws:s3:BucketPolicy          lake-raw-policy             update     [diff: ~policy]
 -   └─ aws:cloudwatch:EventRule        monitoring-macie-rule       delete

Policies:
    ⚠️ healthcare-data-guardrails@v0.1.0 (local: policy-pack)
        - [advisory] [severity: medium]  config-recorder-for-phi  (pulumi:pulumi:Stack: healthcare-data-platform-prod)
          The stack holds 12 PHI-tagged resource(s) in us-east-1 ...
        - [mandatory] [severity: high]  s3-bucket-tls-only-policy  (aws:s3/bucket:Bucket: lake-raw)
          Bucket 'hdp-prod-raw' does not deny insecure transport.

Resources:
    ~ 1 to update
    - 1 to delete
    2 changes. 311 unchanged

error: no changes were expected but changes were proposed
`;

/** The shape \`--diff\` prints (taken from a real CLI run of tests/tools/engine/drift.spec.ts): a refresh, then the update. */
const DIFF_FORMAT = `Previewing update (dev):
~ pulumi:pulumi:Stack: (refresh)
    [urn=urn:pulumi:dev::healthcare-data-platform::pulumi:pulumi:Stack::healthcare-data-platform-dev]
        ~ aws:cfg/recorderStatus:RecorderStatus: (refresh)
            [id=hdp-dev-compliance-recorder]
            [urn=urn:pulumi:dev::healthcare-data-platform::healthcare:security:ComplianceMonitoring$aws:cfg/recorderStatus:RecorderStatus::compliance-recorder-status]
            [provider=urn:pulumi:dev::healthcare-data-platform::pulumi:providers:aws::aws::9cb9d03a-5fb4-479e-b624-b5d9fec75d45]
            --outputs:--
          ~ isEnabled: true => false
  pulumi:pulumi:Stack: (same)
    [urn=urn:pulumi:dev::healthcare-data-platform::pulumi:pulumi:Stack::healthcare-data-platform-dev]
    healthcare-data-guardrails@v0.1.0 [advisory] [severity: medium]  log-retention-minimum  (aws:cloudwatch:LogGroup: network-flow-logs)CloudWatch Logs log groups keep events at least the configured number of days (never-expire counts as long enough).
cloudwatch.LogGroup "network-flow-logs" keeps logs for 14 days, less than the required 365: set retentionInDays to 365 or more (CloudWatch accepts 365, 400, 545...).
    ~ aws:cfg/recorderStatus:RecorderStatus: (update)
        [id=hdp-dev-compliance-recorder]
        [urn=urn:pulumi:dev::healthcare-data-platform::healthcare:security:ComplianceMonitoring$aws:cfg/recorderStatus:RecorderStatus::compliance-recorder-status]
        [provider=urn:pulumi:dev::healthcare-data-platform::pulumi:providers:aws::aws::9cb9d03a-5fb4-479e-b624-b5d9fec75d45]
      ~ isEnabled: false => true
Resources:
    ~ 1 to update
    318 unchanged

Policy Packs run:
    Name                                                              Version
    healthcare-data-guardrails|local|/work/wt/compliance/policy-pack  0.1.0

warning: Undefined value (vpnConnectionId) will not show as a stack output.
error: no changes were expected for preview but changes were proposed
`;

const CLEAN = `Previewing update (acme/prod)

Resources:
    313 unchanged
`;

const ADVISORY_ONLY = `Previewing update (acme/prod)

Policies:
    ⚠️ healthcare-data-guardrails@v0.1.0 (local: policy-pack)
        - [advisory] [severity: medium]  config-recorder-for-phi  (pulumi:pulumi:Stack: healthcare-data-platform-prod)

Resources:
    313 unchanged
`;

describe("tools/ci/drift-report (drift workflow decisions)", () => {
    it("parses the refresh preview: changed steps, the resource summary, violations and errors", () => {
        const p = parsePreview(DRIFTED);
        assert.deepStrictEqual(p.changes, [
            "~ │ ├─ aws:s3:BucketPolicy lake-raw-policy refresh [diff: ~policy]",
            "~ │ └─ aws:s3:BucketPolicy lake-raw-policy update [diff: ~policy]",
            "- └─ aws:cloudwatch:EventRule monitoring-macie-rule delete",
        ]);
        assert.deepStrictEqual(p.summary, ["~ 1 to update", "- 1 to delete", "2 changes. 311 unchanged"]);
        assert.deepStrictEqual(p.violations, [
            { level: "advisory", policy: "config-recorder-for-phi", resource: "pulumi:pulumi:Stack: healthcare-data-platform-prod" },
            { level: "mandatory", policy: "s3-bucket-tls-only-policy", resource: "aws:s3/bucket:Bucket: lake-raw" },
        ]);
        assert.deepStrictEqual(p.errors, ["error: no changes were expected but changes were proposed"]);
        // ANSI colours (a run without --color never) do not change the result.
        assert.deepStrictEqual(parsePreview(DRIFTED.replace(/refresh/g, "\u001b[1mrefresh\u001b[0m").replace("[advisory]", "\u001b[33m[advisory]\u001b[0m")).violations.length, 2);
    });

    it("parses the --diff shape the workflow prints: each step with its name, plan and changed properties", () => {
        const p = parsePreview(DIFF_FORMAT);
        assert.deepStrictEqual(p.changes, [
            "~ aws:cfg/recorderStatus:RecorderStatus compliance-recorder-status (refresh)",
            "    ~ isEnabled: true => false",
            "~ aws:cfg/recorderStatus:RecorderStatus compliance-recorder-status (update)",
            "    ~ isEnabled: false => true",
        ]);
        assert.deepStrictEqual(p.summary, ["~ 1 to update", "318 unchanged"]);
        assert.deepStrictEqual(p.violations, [{ level: "advisory", policy: "log-retention-minimum", resource: "aws:cloudwatch:LogGroup: network-flow-logs" }]);
        assert.deepStrictEqual(p.errors, ["error: no changes were expected for preview but changes were proposed"]);
    });

    it("drift without an open issue opens one with the diff summary and the violations", () => {
        const d = decide({ stack: "prod", exitCode: 255, output: DRIFTED, runUrl: "https://github.com/acme/hdp/actions/runs/7" });
        assert.strictEqual(d.action, "open");
        assert.strictEqual(d.title, "Drift detected: prod");
        assert.ok(d.drift);
        assert.match(d.body, /stack \*\*prod\*\* \(\[run\]\(https:\/\/github\.com\/acme\/hdp\/actions\/runs\/7\)\): exit code 255\./);
        assert.ok(d.body.includes("- └─ aws:cloudwatch:EventRule monitoring-macie-rule delete"));
        assert.ok(d.body.includes("~ 1 to update"));
        assert.ok(d.body.includes("NEW mandatory s3-bucket-tls-only-policy aws:s3/bucket:Bucket: lake-raw"));
        assert.ok(d.body.includes("docs/runbooks/config-noncompliance.md"));
        assert.deepStrictEqual(previousViolations(d.body), [
            "advisory config-recorder-for-phi pulumi:pulumi:Stack: healthcare-data-platform-prod",
            "mandatory s3-bucket-tls-only-policy aws:s3/bucket:Bucket: lake-raw",
        ]);
    });

    it("drift with an open issue updates it; a clean night closes it; nothing to do stays quiet", () => {
        const first = decide({ stack: "prod", exitCode: 255, output: DRIFTED });
        assert.strictEqual(decide({ stack: "prod", exitCode: 255, output: DRIFTED, previousBody: first.body }).action, "update");
        assert.strictEqual(decide({ stack: "prod", exitCode: 0, output: CLEAN, previousBody: first.body }).action, "close");
        assert.strictEqual(decide({ stack: "prod", exitCode: 0, output: CLEAN }).action, "none");
    });

    it("an advisory violation opens an issue once; the same violation the next night is not news, a different one is", () => {
        const first = decide({ stack: "dev", exitCode: 0, output: ADVISORY_ONLY });
        assert.deepStrictEqual([first.action, first.drift, first.newViolations], ["open", false, ["advisory config-recorder-for-phi pulumi:pulumi:Stack: healthcare-data-platform-prod"]]);
        const again = decide({ stack: "dev", exitCode: 0, output: ADVISORY_ONLY, previousBody: first.body });
        assert.deepStrictEqual([again.action, again.newViolations], ["none", []]);
        const other = decide({ stack: "dev", exitCode: 0, output: ADVISORY_ONLY.replace("config-recorder-for-phi", "required-tags"), previousBody: first.body });
        assert.deepStrictEqual([other.action, other.newViolations], ["update", ["advisory required-tags pulumi:pulumi:Stack: healthcare-data-platform-prod"]]);
        // The issue stays open while the known violation remains (only a clean night closes it).
        assert.notStrictEqual(again.action, "close");
    });

    it("keeps the body under GitHub's limit and tolerates a previous body without a marker", () => {
        const huge = `${DRIFTED}\n${Array.from({ length: 4000 }, (_, i) => ` ~   aws:s3:BucketPolicy   p${i}   refresh   [diff: ~policy]`).join("\n")}`;
        const d = decide({ stack: "prod", exitCode: 1, output: huge, previousBody: "written by hand" });
        assert.strictEqual(d.action, "update");
        assert.ok(d.body.length < 65536, String(d.body.length));
        assert.match(d.body, /\(truncated: the full output is in the run's log\)/);
        assert.deepStrictEqual(previousViolations("written by hand"), []);
        assert.strictEqual(driftTitle("dev"), "Drift detected: dev");
    });

    it("the CLI the workflow runs prints the action and title for $GITHUB_OUTPUT and writes the body", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
        fs.writeFileSync(path.join(dir, "preview.txt"), DRIFTED);
        fs.writeFileSync(path.join(dir, "previous.md"), "");
        const out = cp.execFileSync(
            process.execPath,
            [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "tools/ci/drift-report.ts"), "--stack", "prod", "--exit-code", "255", "--output", path.join(dir, "preview.txt"), "--previous", path.join(dir, "previous.md"), "--body", path.join(dir, "report.md")],
            { cwd: ROOT, encoding: "utf8" },
        );
        assert.strictEqual(out, "action=open\ntitle=Drift detected: prod\n");
        assert.ok(fs.readFileSync(path.join(dir, "report.md"), "utf8").includes("<!-- drift-violations: "));
        const bad = cp.spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "tools/ci/drift-report.ts"), "--stack", "prod", "--exit-code", "x"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(bad.status, 2);
        assert.match(bad.stderr, /drift-report: --exit-code must be an integer, got 'x'/);
    });
});
