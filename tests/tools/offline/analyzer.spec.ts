/**
 * The toy policy pack served through the real `run-policy-pack` entry (its own process, compiled by ts-node,
 * spoken to over gRPC). One pack process serves the whole file; each run configures it anew, as the CLI does
 * with a fresh one.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { AnalyzerSession, loadPolicyPackConfigFile, parsePolicyPackConfig, PolicyPackError, reconcilePolicyPackConfig } from "../../../tools/offline/analyzer";
import { runOffline, OfflineResult } from "../../../tools/offline/engine";
import { BROKEN_PACK, scratchDir, TOY_PACK, TOY_PROJECT, urnOf, writeFiles } from "./fixtures";

const VAULT_BUCKET = "toy:storage:Vault$aws:s3/bucket:Bucket";

function alive(pid: number | undefined): boolean {
    if (!pid) {
        return false;
    }
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe("offline engine: policy pack over the analyzer protocol", () => {
    let session: AnalyzerSession;
    let scratch: string;
    const runs: Record<string, OfflineResult> = {};

    before(async () => {
        session = await AnalyzerSession.start({ packDir: TOY_PACK });
        scratch = scratchDir("pack-config");
    });
    after(async () => {
        await session?.close();
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    async function run(key: string, stack: string, mode: "preview" | "up", extra: { policyPackConfig?: Record<string, unknown>; policyPackConfigPath?: string } = {}) {
        const r = await runOffline({ stack, mode, projectDir: TOY_PROJECT, analyzer: session, ...extra });
        runs[key] = r;
        return r;
    }

    it("describes the pack and its policies as GetAnalyzerInfo reports them", async () => {
        const info = session.info;
        assert.strictEqual(info.name, "toy-guardrails");
        assert.strictEqual(info.version, "0.0.1");
        assert.ok(info.supportsConfig);
        assert.deepStrictEqual(
            info.policies.map((p) => [p.name, p.enforcementLevel, p.policyType]),
            [
                ["toy-bucket-encrypted", "mandatory", "stack"],
                ["toy-bucket-name-prefix", "advisory", "resource"],
                ["toy-bucket-no-force-destroy", "remediate", "resource"],
                ["toy-bucket-tls-only", "advisory", "stack"],
                ["toy-kms-rotation", "mandatory", "resource"],
                ["toy-provider-region", "advisory", "resource"],
                ["toy-stateful-protected", "advisory", "resource"],
            ],
        );
        const encrypted = info.policies.find((p) => p.name === "toy-bucket-encrypted")!;
        assert.strictEqual(encrypted.severity, "high");
        assert.strictEqual(encrypted.framework?.reference, "164.312(a)(2)(iv)");
        assert.strictEqual(encrypted.remediationSteps, "Add an aws.s3.BucketServerSideEncryptionConfiguration whose bucket is the bucket's id.");
        assert.deepStrictEqual(info.policies.find((p) => p.name === "toy-bucket-name-prefix")!.configSchema?.properties.prefix, { type: "string", default: "toy-" });
        assert.ok(alive(session.pid), "the pack runs as its own process");
    });

    it("fails with exit code 1 and the policy's message on a mandatory violation", async () => {
        const r = await run("test-preview", "test", "preview");
        assert.strictEqual(r.exitCode, 1, r.error?.message);
        const mandatory = r.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
        assert.deepStrictEqual(
            mandatory.map((d) => [d.policyName, d.urn, d.message]),
            [
                [
                    "toy-bucket-encrypted",
                    urnOf("test", VAULT_BUCKET, "vault-bucket"),
                    "Every S3 bucket has a server-side encryption configuration that references it.\nBucket 'vault-bucket' has no server-side encryption configuration.",
                ],
            ],
        );
        assert.strictEqual(mandatory[0].severity, "high");
        assert.strictEqual(mandatory[0].framework?.reference, "164.312(a)(2)(iv)");
        assert.strictEqual(mandatory[0].policyPackName, "toy-guardrails");
        assert.strictEqual(mandatory[0].source, "analyze-stack");
        assert.strictEqual(r.summary.violations.mandatory, 1);
    });

    it("exits 0 when the same policy is configured advisory through a --policy-pack-config file", async () => {
        const file = path.join(scratch, "advisory.json");
        writeFiles(scratch, { "advisory.json": JSON.stringify({ "toy-bucket-encrypted": "advisory" }) });
        const r = await run("test-advisory", "test", "preview", { policyPackConfigPath: file });
        assert.strictEqual(r.exitCode, 0, r.error?.message);
        const d = r.diagnostics.filter((x) => x.policyName === "toy-bucket-encrypted");
        assert.deepStrictEqual(d.map((x) => [x.enforcementLevel, x.urn]), [["advisory", urnOf("test", VAULT_BUCKET, "vault-bucket")]]);
        assert.strictEqual(r.policyConfig?.["toy-bucket-encrypted"].enforcementLevel, "advisory");
        assert.strictEqual(r.summary.violations.mandatory, 0);
    });

    it("joins a stack policy through property dependencies although the bucket id is unknown in preview", async () => {
        const r = await run("secure-preview", "secure", "preview");
        assert.strictEqual(r.exitCode, 0, r.error?.message);
        const sse = r.recording!.resources.find((x) => x.name === "vault-sse")!;
        assert.strictEqual(sse.inputs.bucket, "04da6b54-80e4-46f7-96ec-b56ff0331ba9");
        assert.deepStrictEqual(r.diagnostics.filter((d) => d.policyName === "toy-bucket-encrypted"), []);
        // The default-provider bucket is encrypted by its own configuration and still judged (name prefix advisory).
        assert.deepStrictEqual(
            r.diagnostics.filter((d) => d.policyName === "toy-bucket-name-prefix").map((d) => d.message.split("\n")[1]),
            [`Bucket name '${r.recording!.resources.find((x) => x.name === "logs")!.outputs.bucket}' must start with 'toy-' and have at most 63 characters.`],
        );
    });

    it("reports not-applicable results per policy and resource", async () => {
        const r = runs["test-preview"];
        const kms = r.notApplicable.filter((n) => n.policyName === "toy-kms-rotation");
        const keyUrn = urnOf("test", "toy:storage:Vault$aws:kms/key:Key", "vault-key");
        // Every analyzed resource but the key (the default provider included), and only from Analyze.
        assert.strictEqual(kms.length, r.recording!.resources.length + r.defaultProviders.length - 1);
        assert.ok(kms.every((n) => n.reason === "applies to KMS keys only" && n.source === "analyze" && n.urn !== keyUrn));
        assert.deepStrictEqual(r.diagnostics.filter((d) => d.policyName === "toy-kms-rotation"), []);
        assert.strictEqual(r.summary.notApplicable, r.notApplicable.length);
    });

    it("applies remediations before analysis and reports them", async () => {
        const r = runs["test-preview"];
        const urn = urnOf("test", VAULT_BUCKET, "vault-bucket");
        assert.deepStrictEqual(
            r.remediations.map((x) => [x.policyName, x.urn, x.changed, x.before.forceDestroy, x.after.forceDestroy]),
            [["toy-bucket-no-force-destroy", urn, ["forceDestroy"], true, false]],
        );
        // Analyze saw the remediated inputs, so the same policy's validation does not fire.
        assert.deepStrictEqual(r.diagnostics.filter((d) => d.policyName === "toy-bucket-no-force-destroy"), []);
        // The recording keeps what the program sent.
        assert.strictEqual(r.recording!.resources.find((x) => x.urn === urn)!.inputs.forceDestroy, true);
    });

    it("cannot run a policy on a value unknown during preview, and runs it after up", async () => {
        const preview = runs["test-preview"].diagnostics.filter((d) => d.policyName === "toy-bucket-tls-only");
        assert.deepStrictEqual(
            preview.map((d) => [d.enforcementLevel, d.unknownDuringPreview, d.message]),
            [["advisory", true, "can't run policy 'toy-bucket-tls-only' from policy pack 'toy-guardrails@v0.0.1' during preview: string value at .policy can't be known during preview"]],
        );
        assert.strictEqual(runs["test-preview"].summary.violations.unknownDuringPreview, 1);
        const up = await run("test-up", "test", "up");
        assert.strictEqual(up.exitCode, 1);
        assert.deepStrictEqual(up.diagnostics.filter((d) => d.policyName === "toy-bucket-tls-only"), []);
        assert.strictEqual(up.summary.violations.unknownDuringPreview, 0);
    });

    it("analyzes resources with their provider, including the default provider the CLI creates", async () => {
        const r = await run("regions", "test", "preview", { policyPackConfig: { "toy-provider-region": { regions: ["us-east-1"] } } });
        assert.strictEqual(r.exitCode, 1);
        assert.deepStrictEqual(r.defaultProviders.map((p) => p.urn), ["urn:pulumi:test::toy-offline::pulumi:providers:aws::default_7_48_0"]);
        assert.deepStrictEqual(r.defaultProviders[0].inputs, { region: "eu-west-1", version: "7.48.0" });
        const messages = r.diagnostics.filter((d) => d.policyName === "toy-provider-region").map((d) => `${d.urn?.split("::").pop()}: ${d.message.split("\n")[1]}`);
        const explicit = "urn:pulumi:test::toy-offline::pulumi:providers:aws::regional";
        const implicit = "urn:pulumi:test::toy-offline::pulumi:providers:aws::default_7_48_0";
        assert.deepStrictEqual(messages.sort(), [
            `logs-sse: Provider ${implicit} uses region 'eu-west-1', not one of us-east-1.`,
            `logs: Provider ${implicit} uses region 'eu-west-1', not one of us-east-1.`,
            `vault-bucket: Provider ${explicit} uses region 'eu-west-1', not one of us-east-1.`,
            `vault-key: Provider ${explicit} uses region 'eu-west-1', not one of us-east-1.`,
            `vault-tls: Provider ${explicit} uses region 'eu-west-1', not one of us-east-1.`,
        ].sort());
    });

    it("sends resource options to the analyzer", async () => {
        const r = runs["test-preview"];
        const found = r.diagnostics.filter((d) => d.policyName === "toy-stateful-protected").map((d) => d.message.split("\n")[1]);
        // The key is protected; the buckets are not, and the vault bucket ignores changes to its tags.
        assert.deepStrictEqual(found.sort(), ["logs is not protected (ignoreChanges: none).", "vault-bucket is not protected (ignoreChanges: tags)."]);
    });

    it("fills schema defaults into the policy config and overrides them from the config file", async () => {
        assert.deepStrictEqual(runs["test-preview"].policyConfig?.["toy-bucket-name-prefix"], { enforcementLevel: "advisory", properties: { prefix: "toy-", maxLength: 63 } });
        const r = await run("prefix", "secure", "preview", { policyPackConfig: { "toy-bucket-name-prefix": { prefix: "logs-" } } });
        assert.deepStrictEqual(r.policyConfig?.["toy-bucket-name-prefix"].properties, { prefix: "logs-", maxLength: 63 });
        assert.deepStrictEqual(
            r.diagnostics.filter((d) => d.policyName === "toy-bucket-name-prefix").map((d) => d.message.split("\n")[1]),
            ["Bucket name 'toy-vault-data' must start with 'logs-' and have at most 63 characters."],
        );
    });

    it("sets every policy's level with `all`", async () => {
        const r = await run("all", "test", "preview", { policyPackConfig: { all: "advisory" } });
        assert.strictEqual(r.exitCode, 0);
        assert.ok(r.diagnostics.length >= 4);
        assert.ok(r.diagnostics.every((d) => d.enforcementLevel === "advisory"), JSON.stringify(r.diagnostics.map((d) => d.enforcementLevel)));
    });

    it("rejects config that does not match a policy's schema before the program's resources are analyzed (exit 2)", async () => {
        const r = await run("bad-config", "test", "preview", { policyPackConfig: { "toy-bucket-name-prefix": { prefix: 5, maxLength: 1 } } });
        assert.strictEqual(r.exitCode, 2);
        assert.strictEqual(r.error?.phase, "policy");
        assert.strictEqual(
            r.error?.message,
            'validating policy config for "toy-guardrails@v0.0.1" failed:\n' +
                "  toy-bucket-name-prefix: maxLength: Must be greater than or equal to 3\n" +
                "  toy-bucket-name-prefix: prefix: Invalid type. Expected: string, given: integer",
        );
        assert.deepStrictEqual(r.diagnostics, []);
        assert.ok(session.running, "a shared pack stays usable after a rejected config");
    });

    it("parses policy pack config with the CLI's rules", async () => {
        assert.deepStrictEqual(parsePolicyPackConfig({ all: "mandatory", p: { enforcementLevel: "disabled", x: 1 }, q: {} }), {
            all: { enforcementLevel: "mandatory" },
            p: { enforcementLevel: "disabled", properties: { x: 1 } },
        });
        assert.throws(() => parsePolicyPackConfig({ p: "sometimes" }), (e: Error) => e instanceof PolicyPackError && /"sometimes" is not a valid enforcement level/.test(e.message));
        assert.throws(() => parsePolicyPackConfig({ p: 3 }), /parsing "p": 3 is not a valid value; must be a string or object/);
        const { errors } = reconcilePolicyPackConfig(
            [{ name: "r", description: "", enforcementLevel: "advisory", policyType: "resource", tags: [], configSchema: { properties: { n: { type: "string" } }, required: ["n"] } }],
            {},
            {},
        );
        assert.deepStrictEqual(errors, ["r: n is required"]);
        writeFiles(scratch, { "broken.json": "{ all: advisory }" });
        assert.throws(() => loadPolicyPackConfigFile(path.join(scratch, "broken.json")), /broken\.json: not valid JSON/);
        writeFiles(scratch, { "empty.json": "  \n" });
        assert.deepStrictEqual(loadPolicyPackConfigFile(path.join(scratch, "empty.json")), {});
    });

    it("stops the pack process when the session closes", async () => {
        const pid = session.pid;
        await session.close();
        assert.strictEqual(alive(pid), false);
        await session.close();
    });

    it("reports a pack that exits at start-up with its own message and leaves no process behind", async () => {
        let failed: PolicyPackError | undefined;
        try {
            const s = await AnalyzerSession.start({ packDir: BROKEN_PACK });
            await s.close();
        } catch (err) {
            failed = err as PolicyPackError;
        }
        assert.ok(failed instanceof PolicyPackError, String(failed));
        assert.strictEqual(failed.kind, "start");
        assert.match(failed.message, /^policy pack at ".*broken-pack" failed to start \(exit code 1\):\n/);
        assert.match(failed.message, /Invalid policy pack name "broken guardrails!"/);
    });

    it("fails with exit code 2 when the policy pack folder does not exist", async () => {
        const r = await runOffline({ stack: "secure", projectDir: TOY_PROJECT, policyPackDir: path.join(scratch, "no-such-pack") });
        assert.strictEqual(r.exitCode, 2);
        assert.deepStrictEqual([r.error?.phase, r.error?.message], ["policy", `policy pack not found at "${path.join(scratch, "no-such-pack")}"`]);
    });
});
