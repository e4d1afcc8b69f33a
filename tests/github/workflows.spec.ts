import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { lintWorkflows, workflowFiles } from "../../tools/ci/actionlint";
import { ROOT } from "../support/platform";

type Workflow = { on: Record<string, unknown>; jobs: Record<string, { steps?: { uses?: string; run?: string; with?: Record<string, unknown> }[]; environment?: string; needs?: string | string[]; permissions?: Record<string, string>; if?: string }> };
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
});
