import * as assert from "assert";
import * as cp from "child_process";
import * as fs from "fs";
import * as path from "path";
import { formatReport, parseArgs, UsageError } from "../../../tools/offline/cli";
import { runOffline } from "../../../tools/offline/engine";
import { REPO, scratchDir, TOY_PACK, TOY_PROJECT } from "./fixtures";

function npmRun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = cp.spawn("npm", ["run", "-s", "preview:offline", "--", ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("offline engine: the preview:offline command", () => {
    it("with --verbose prints resources, violations grouped by policy, not-applicable counts, remediations and a summary, exits 1 and writes --json", async () => {
        const dir = scratchDir("cli");
        try {
            const json = path.join(dir, "record.json");
            const program = path.relative(REPO, path.join(TOY_PROJECT, "index.ts"));
            const { code, stdout, stderr } = await npmRun(["--stack", "test", "--program", program, "--policy-pack", path.relative(REPO, TOY_PACK), "--json", json, "--verbose"]);
            assert.strictEqual(code, 1, `${stdout}\n${stderr}`);
            const lines = stdout.split("\n");
            assert.strictEqual(lines[0], "Offline preview of toy-offline/test");
            assert.ok(lines.includes("Resources: 8 (6 custom, 2 components)"), stdout);
            const vault = lines.indexOf("  toy:storage:Vault vault");
            assert.ok(vault > 0, stdout);
            assert.match(lines[vault + 1], /^ {4}aws:kms\/key:Key +1$/);
            assert.ok(lines.includes("  [mandatory] toy-bucket-encrypted · severity high · HIPAA 164.312(a)(2)(iv) (1)"), stdout);
            assert.ok(lines.includes("    - urn:pulumi:test::toy-offline::toy:storage:Vault$aws:s3/bucket:Bucket::vault-bucket"), stdout);
            assert.ok(lines.includes("      Bucket 'vault-bucket' has no server-side encryption configuration."), stdout);
            assert.ok(lines.some((l) => /^Not applicable: \d+$/.test(l)), stdout);
            assert.ok(lines.some((l) => /^ {2}toy-kms-rotation +\d+ +applies to KMS keys only$/.test(l)), stdout);
            assert.ok(lines.includes("Remediations: 1") && lines.includes("    forceDestroy: true -> false"), stdout);
            assert.match(
                stdout,
                /\nSummary: 8 resources · 1 mandatory · \d+ advisory · \d+ not applicable · 1 remediation · [\d.]+s · FAILED: mandatory policy violations \(exit 1\)\n$/,
            );
            // Progress goes to stderr (with --verbose only), the report to stdout.
            assert.match(stderr, /\[offline +[\d.]+s\] policy-start: starting policy pack /);
            assert.ok(!stdout.includes("[offline"));

            const record = JSON.parse(fs.readFileSync(json, "utf8"));
            assert.strictEqual(record.exitCode, 1);
            assert.strictEqual(record.resources.length, 8);
            assert.deepStrictEqual(
                record.diagnostics.filter((d: { enforcementLevel: string }) => d.enforcementLevel === "mandatory").map((d: { policyName: string }) => d.policyName),
                ["toy-bucket-encrypted"],
            );
            // Secrets never reach the record in clear, not even placeholders.
            assert.strictEqual(record.config.values["toy-offline:dbPassword"], "[secret]");
            assert.strictEqual(record.stackOutputs.password, "[secret]");
            assert.ok(!fs.readFileSync(json, "utf8").includes("offline-secret-toy-offline"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is quiet by default: violations, remediations and the summary; no resource or not-applicable tables, no progress", async () => {
        const program = path.relative(REPO, path.join(TOY_PROJECT, "index.ts"));
        const { code, stdout, stderr } = await npmRun(["--stack", "test", "--program", program, "--policy-pack", path.relative(REPO, TOY_PACK)]);
        assert.strictEqual(code, 1, `${stdout}\n${stderr}`);
        assert.strictEqual(stderr, "");
        const lines = stdout.split("\n");
        assert.ok(lines.includes("Resources: 8 (6 custom, 2 components); --verbose lists them per component and type"), stdout);
        assert.ok(!lines.includes("  toy:storage:Vault vault"), stdout);
        assert.ok(!lines.some((l) => /^Not applicable: /.test(l) || /toy-kms-rotation +\d+/.test(l)), stdout);
        assert.ok(lines.includes("  [mandatory] toy-bucket-encrypted · severity high · HIPAA 164.312(a)(2)(iv) (1)"), stdout);
        assert.ok(lines.includes("Remediations: 1") && lines.includes("    forceDestroy: true -> false"), stdout);
        assert.match(stdout, /\nSummary: 8 resources · 1 mandatory · .* \(exit 1\)\n$/);
    });

    it("prints no warning for the dev stack: outputs of features dev turns off are omitted, not exported as undefined", async function () {
        this.timeout(120_000);
        const dir = scratchDir("cli-dev");
        try {
            const json = path.join(dir, "dev.json");
            const { code, stdout, stderr } = await npmRun(["--stack", "dev", "--json", json]);
            assert.strictEqual(code, 0, `${stdout}\n${stderr}`);
            // Only the --json line reaches stderr; the runtime's "Undefined value (...)" warnings are gone.
            assert.deepStrictEqual(stderr.trim().split("\n"), [`[offline] wrote ${json}`]);
            assert.ok(!/warning/i.test(stdout), stdout);
            assert.ok(!stdout.includes("Not applicable:"), stdout);
            const record = JSON.parse(fs.readFileSync(json, "utf8"));
            assert.deepStrictEqual(record.warnings, []);
            // Dev has no VPN, warehouse, batch ETL, file gateway or OpenSearch: those keys are absent.
            for (const key of ["vpnConnectionId", "warehouseEndpoint", "warehouseAdminSecretArn", "etlJobName", "fileGatewayArn", "opensearchEndpoint"]) {
                assert.ok(!(key in record.stackOutputs), `${key} is exported: ${JSON.stringify(record.stackOutputs[key])}`);
            }
            // The not-applicable results stay in the JSON record.
            assert.ok(record.notApplicable.length > 0);
            assert.strictEqual(record.summary.notApplicable, record.notApplicable.length);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("prints the program's own error and the config key it names when the program fails (exit 2)", async () => {
        const r = await runOffline({ stack: "broken", projectDir: TOY_PROJECT, policyPackDir: null });
        const report = formatReport(r).split("\n");
        const at = report.indexOf("The program failed:");
        assert.ok(at > 0, report.join("\n"));
        assert.deepStrictEqual(report.slice(at, at + 3), [
            "The program failed:",
            "  toy-offline:bucketPrefix: expected lowercase letters, digits and hyphens, got 'Toy_Prefix'",
            "  config key: toy-offline:bucketPrefix",
        ]);
        assert.match(report[report.length - 2], /^Summary: 0 resources · .* · FAILED: program error \(exit 2\)$/);
    });

    it("parses its options and rejects bad usage with a message", async () => {
        assert.deepStrictEqual(parseArgs(["--stack", "dev"]), { stack: "dev", mode: "preview", program: undefined, policyPack: "policy-pack", policyPackConfig: undefined, json: undefined, verbose: false, secrets: [] });
        assert.deepStrictEqual(parseArgs(["--stack=prod", "--mode", "up", "--policy-pack", "none", "--json", "o.json", "--secret", "onPremDbPassword", "--secret=other", "--verbose"]), {
            stack: "prod",
            mode: "up",
            program: undefined,
            policyPack: null,
            policyPackConfig: undefined,
            json: "o.json",
            verbose: true,
            secrets: ["onPremDbPassword", "other"],
        });
        assert.throws(() => parseArgs(["--mode", "up"]), (e: Error) => e instanceof UsageError && e.message === "--stack is required");
        assert.throws(() => parseArgs(["--stack", "dev", "--mode", "apply"]), /--mode must be 'preview' or 'up', got 'apply'/);
        assert.throws(() => parseArgs(["--stack", "dev", "--target", "x"]), /unknown option '--target'/);
        assert.throws(() => parseArgs(["--stack"]), /option '--stack' needs a value/);
    });
});
