import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { lintWorkflows, workflowFiles } from "../../tools/ci/actionlint";
import { ROOT } from "../support/platform";

type Step = { id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Workflow = {
    on: Record<string, unknown>;
    jobs: Record<string, { steps?: Step[]; environment?: string; needs?: string | string[]; permissions?: Record<string, string>; if?: string; strategy?: { matrix?: Record<string, unknown> } }>;
};
const load = (file: string): Workflow => yaml.load(fs.readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8")) as Workflow;

describe(".github/workflows", () => {
    it("pass actionlint", async () => {
        const findings = await lintWorkflows(workflowFiles(ROOT));
        assert.deepStrictEqual(findings.map((f) => `${path.basename(f.file)}:${f.line}: ${f.message}`), []);
    });

    it("actionlint does report a broken workflow (the check can fail)", async () => {
        const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wf-")), "bad.yml");
        fs.writeFileSync(bad, "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope( }}\n");
        assert.ok((await lintWorkflows([bad])).length > 0);
    });

    it("pull requests run the tests, the offline preview of every stack and a real preview with the pack", async () => {
        const wf = load("pull-request.yml");
        assert.ok("pull_request" in wf.on);
        const runs = (job: string) => (wf.jobs[job].steps ?? []).map((s) => s.run ?? "").join("\n");
        assert.match(runs("test"), /npm test/);
        assert.match(runs("offline-preview"), /npm run preview:offline -- --stack/);
        const pulumi = (wf.jobs["cloud-preview"].steps ?? []).find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.strictEqual(pulumi?.with?.command, "preview");
        assert.strictEqual(pulumi?.with?.policyPacks, "policy-pack");
        assert.strictEqual(pulumi?.with?.["comment-on-pr"], true);
        // OIDC, not stored AWS keys.
        assert.strictEqual(wf.jobs["cloud-preview"].permissions?.["id-token"], "write");
        assert.ok(!fs.readFileSync(path.join(ROOT, ".github", "workflows", "pull-request.yml"), "utf8").includes("AWS_SECRET_ACCESS_KEY"));
    });

    it("merges deploy dev first, then prod behind the protected environment", async () => {
        const wf = load("deploy.yml");
        assert.strictEqual(wf.jobs["up-dev"].environment, "dev");
        assert.strictEqual(wf.jobs["up-prod"].environment, "prod");
        assert.strictEqual(wf.jobs["up-prod"].needs, "up-dev");
    });

    it("pack tags publish the pack and enable it for the organisation's policy group", async () => {
        const wf = load("policy-publish.yml");
        const runs = (wf.jobs.publish.steps ?? []).map((s) => s.run ?? "").join("\n");
        assert.match(runs, /pulumi policy publish/);
        assert.match(runs, /pulumi policy enable .*healthcare-data-guardrails/s);
        assert.match(runs, /--policy-group/);
    });

    it("drift runs nightly per stack: refresh preview with the pack over OIDC, then opens, updates or closes the stack's issue", async () => {
        const text = fs.readFileSync(path.join(ROOT, ".github", "workflows", "drift.yml"), "utf8");
        const wf = load("drift.yml");
        const schedule = wf.on.schedule as { cron: string }[];
        assert.deepStrictEqual(schedule.map((s) => s.cron), ["17 3 * * *"]);
        const job = wf.jobs.drift;
        assert.deepStrictEqual(job.strategy?.matrix?.stack, ["dev", "prod"]);
        assert.deepStrictEqual(job.permissions, { contents: "read", "id-token": "write", issues: "write" });
        const steps = job.steps ?? [];
        // The same OIDC credential pattern as the pull-request preview: the read-only preview role, no stored keys.
        const aws = steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        assert.strictEqual(aws?.with?.["role-to-assume"], "${{ secrets.AWS_PREVIEW_ROLE_ARN }}");
        assert.ok(!/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/.test(text));
        const preview = steps.find((s) => s.id === "preview");
        assert.match(preview?.run ?? "", /pulumi preview --stack "\$STACK" --refresh --expect-no-changes --policy-pack policy-pack/);
        assert.strictEqual(preview?.env?.STACK, "${{ secrets.PULUMI_ORG }}/${{ matrix.stack }}");
        // The decision is the tested tool's, fed with the preview's exit code; the issue step acts on it.
        const report = steps.find((s) => s.id === "report");
        assert.match(report?.run ?? "", /tools\/ci\/drift-report\.ts --stack "\$STACK" --exit-code "\$EXIT_CODE"/);
        assert.strictEqual(report?.env?.EXIT_CODE, "${{ steps.preview.outputs.exit-code }}");
        const issue = steps.find((s) => /gh issue create/.test(s.run ?? ""));
        for (const command of ["gh issue create", "gh issue edit", "gh issue close"]) {
            assert.ok(issue?.run?.includes(command), command);
        }
        assert.strictEqual(issue?.env?.ACTION, "${{ steps.report.outputs.action }}");
        // Drift still turns the run red after the issue is written.
        assert.strictEqual(steps[steps.length - 1].if, "steps.preview.outputs.exit-code != '0'");
    });
});
