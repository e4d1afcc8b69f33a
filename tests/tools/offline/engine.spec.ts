import * as assert from "assert";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { allowedAccount, runOffline, OfflineResult } from "../../../tools/offline/engine";
import { recordProgram } from "../../../tools/offline/recorder";
import { resource, SECRET_SIG_KEY, TOY_PROJECT, UNKNOWN, urnOf } from "./fixtures";

const BUCKET = "aws:s3/bucket:Bucket";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";

async function run(stack: string, mode: "preview" | "up", extra: { programPath?: string } = {}): Promise<OfflineResult> {
    return runOffline({ stack, mode, projectDir: TOY_PROJECT, policyPackDir: null, ...extra });
}

describe("offline engine: running programs", () => {
    const recorded: Record<string, OfflineResult> = {};
    before(async () => {
        recorded.preview = await run("secure", "preview");
        recorded.up = await run("secure", "up");
        for (const [mode, r] of Object.entries(recorded)) {
            assert.strictEqual(r.exitCode, 0, `${mode}: ${r.error?.message}`);
        }
    });

    const vaultBucket = (stack: string) => urnOf(stack, "toy:storage:Vault$aws:s3/bucket:Bucket", "vault-bucket");
    const vaultKey = (stack: string) => urnOf(stack, "toy:storage:Vault$aws:kms/key:Key", "vault-key");

    for (const mode of ["preview", "up"] as const) {
        it(`records property dependencies of inputs built from other resources' outputs (${mode})`, async () => {
            const rec = recorded[mode].recording!;
            const sse = resource(rec, SSE, "vault-sse");
            assert.deepStrictEqual(sse.propertyDependencies.bucket, [vaultBucket("secure")]);
            assert.deepStrictEqual(sse.propertyDependencies.rules, [vaultKey("secure")]);
            assert.deepStrictEqual([...sse.dependencies].sort(), [vaultBucket("secure"), vaultKey("secure")].sort());
            const policy = resource(rec, POLICY, "vault-tls");
            assert.deepStrictEqual(policy.propertyDependencies.policy, [vaultBucket("secure")]);
            assert.strictEqual(sse.parent, urnOf("secure", "toy:storage:Vault", "vault"));
        });
    }

    it("leaves computed outputs unknown in preview: the bucket's id and ARN reach dependants as the unknown sentinel", async () => {
        const rec = recorded.preview.recording!;
        const bucket = resource(rec, BUCKET, "vault-bucket");
        assert.strictEqual(bucket.id, undefined);
        assert.strictEqual(bucket.outputs.arn, UNKNOWN);
        assert.strictEqual(bucket.outputs.bucketRegionalDomainName, UNKNOWN);
        // Inputs stay known in the planned state.
        assert.strictEqual(bucket.outputs.bucket, "toy-vault-data");
        assert.strictEqual(resource(rec, SSE, "vault-sse").inputs.bucket, UNKNOWN);
        assert.strictEqual(resource(rec, POLICY, "vault-tls").inputs.policy, UNKNOWN);
        assert.strictEqual(rec.stackOutputs.bucketName, "toy-vault-data");
        assert.ok(!("bucketArn" in rec.stackOutputs), "an unknown stack output is not shown as a value");
    });

    it("resolves the same outputs in up mode to realistic ids and ARNs for the stack's region", async () => {
        const rec = recorded.up.recording!;
        const bucket = resource(rec, BUCKET, "vault-bucket");
        assert.strictEqual(bucket.id, "toy-vault-data");
        assert.strictEqual(bucket.outputs.arn, "arn:aws:s3:::toy-vault-data");
        assert.strictEqual(bucket.outputs.bucketRegionalDomainName, "toy-vault-data.s3.us-west-2.amazonaws.com");
        assert.strictEqual(resource(rec, SSE, "vault-sse").inputs.bucket, "toy-vault-data");
        const doc = JSON.parse(resource(rec, POLICY, "vault-tls").inputs.policy as string);
        assert.deepStrictEqual(doc.Statement[0].Resource, ["arn:aws:s3:::toy-vault-data", "arn:aws:s3:::toy-vault-data/*"]);
        const key = resource(rec, "aws:kms/key:Key", "vault-key");
        assert.match(key.outputs.arn as string, new RegExp(`^arn:aws:kms:us-west-2:123456789012:key/${key.id}$`));
        assert.strictEqual(rec.stackOutputs.bucketArn, "arn:aws:s3:::toy-vault-data");
    });

    it("returns only properties the resource type has in up mode (no ARN on a bucket policy)", async () => {
        const policy = resource(recorded.up.recording!, POLICY, "vault-tls");
        assert.ok(!("arn" in policy.outputs), `unexpected outputs ${Object.keys(policy.outputs).join(", ")}`);
        assert.ok(!("name" in policy.outputs));
        assert.strictEqual(policy.outputs.region, "us-west-2");
    });

    it("auto-names a bucket the program did not name, identically in preview and up", async () => {
        const preview = resource(recorded.preview.recording!, BUCKET, "logs");
        const up = resource(recorded.up.recording!, BUCKET, "logs");
        assert.strictEqual(preview.inputs.bucket, undefined, "the program sent no name");
        assert.match(preview.outputs.bucket as string, /^logs-[0-9a-f]{7}$/);
        assert.strictEqual(up.outputs.bucket, preview.outputs.bucket);
        assert.strictEqual(recorded.up.recording!.stackOutputs.logsBucket, up.outputs.bucket);
    });

    it("is deterministic in up mode: two runs record the same resources", async () => {
        const again = await run("secure", "up");
        assert.deepStrictEqual(again.recording!.resources, recorded.up.recording!.resources);
    });

    it("records the resource options the engine acts on", async () => {
        const rec = recorded.preview.recording!;
        const key = resource(rec, "aws:kms/key:Key", "vault-key");
        assert.strictEqual(key.options.protect, true);
        assert.strictEqual(key.options.retainOnDelete, true);
        const bucket = resource(rec, BUCKET, "vault-bucket");
        assert.deepStrictEqual(bucket.options.ignoreChanges, ["tags"]);
        assert.strictEqual(bucket.options.deleteBeforeReplace, true);
        assert.strictEqual(bucket.options.deleteBeforeReplaceDefined, true);
        assert.strictEqual(bucket.options.protect, false);
        const logs = resource(rec, BUCKET, "logs");
        assert.strictEqual(logs.options.deleteBeforeReplace, false);
        assert.deepStrictEqual(logs.options.ignoreChanges, []);
        // The explicit provider is recorded as the vault children's provider reference.
        assert.match(bucket.provider ?? "", /^urn:pulumi:secure::toy-offline::pulumi:providers:aws::regional::/);
        assert.strictEqual(logs.provider, undefined);
    });

    it("records provider functions the program called", async () => {
        const tokens = recorded.preview.recording!.invokes.map((i) => i.token);
        assert.deepStrictEqual(tokens, ["aws:index/getCallerIdentity:getCallerIdentity"]);
        const bucket = resource(recorded.preview.recording!, BUCKET, "vault-bucket");
        assert.deepStrictEqual(bucket.inputs.tags, { owners: "platform", account: "123456789012" });
    });

    it("passes secret config as secrets: the placeholder reaches the program wrapped as a secret", async () => {
        const r = await run("test", "up");
        assert.strictEqual(r.exitCode, 0, r.error?.message);
        assert.strictEqual(r.recording!.stackOutputs.password, "offline-secret-toy-offline:dbPassword");
        const stack = resource(r.recording!, "pulumi:pulumi:Stack", "toy-offline-test");
        assert.deepStrictEqual(stack.outputs.password, { [SECRET_SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", value: "offline-secret-toy-offline:dbPassword" });
        assert.strictEqual(r.recording!.stackOutputs.networkCidr, "10.1.0.0/16");
        assert.ok(r.warnings.some((w) => w.includes("toy-offline:dbPassword")), r.warnings.join("\n"));
    });

    it("calls a program that exports a function and uses its result as the stack outputs", async () => {
        const r = await run("secure", "up", { programPath: path.join(TOY_PROJECT, "function-program.ts") });
        assert.strictEqual(r.exitCode, 0, r.error?.message);
        assert.deepStrictEqual(r.recording!.stackOutputs, { topicName: "toy-alerts", fromFunction: true });
        assert.deepStrictEqual(r.recording!.resources.map((x) => x.type), ["pulumi:pulumi:Stack", "aws:sns/topic:Topic"]);
    });

    it("fails with exit code 2 and the program's own message, naming the config key", async () => {
        const r = await run("broken", "preview");
        assert.strictEqual(r.exitCode, 2);
        assert.deepStrictEqual(r.error, {
            phase: "program",
            message: "toy-offline:bucketPrefix: expected lowercase letters, digits and hyphens, got 'Toy_Prefix'",
            configKeys: ["toy-offline:bucketPrefix"],
        });
        assert.strictEqual(r.recording, undefined);
    });

    it("fails with exit code 2 naming the stack file when the stack has no config file", async () => {
        const r = await run("staging", "preview");
        assert.strictEqual(r.exitCode, 2);
        assert.strictEqual(r.error?.phase, "config");
        assert.ok(r.error?.message.includes(path.join(TOY_PROJECT, "Pulumi.staging.yaml")), r.error?.message);
    });

    it("fails with exit code 2 naming the key when a stack value has the wrong type", async () => {
        const r = await run("badtype", "preview");
        assert.strictEqual(r.exitCode, 2);
        assert.strictEqual(r.error?.phase, "config");
        assert.deepStrictEqual(r.error?.configKeys, ["toy-offline:retentionDays"]);
        assert.match(r.error?.message ?? "", /^Stack 'badtype' with configuration key 'retentionDays' must be of type 'integer'/);
    });

    it("fails loudly, naming the token, when the program calls a provider function that has no mock", async () => {
        const r = await run("unmocked", "preview");
        assert.strictEqual(r.exitCode, 2);
        assert.strictEqual(r.error?.phase, "program");
        assert.match(r.error?.message ?? "", /offline engine: no mock for invoke 'aws:ec2\/getAmi:getAmi'/);
    });

    it("runs each program fresh: a second run registers everything again", async () => {
        const first = await run("secure", "preview");
        const second = await run("secure", "preview");
        assert.strictEqual(second.recording!.resources.length, first.recording!.resources.length);
        assert.strictEqual(second.summary.resources, 9);
        assert.deepStrictEqual(second.summary.byComponent.find((c) => c.type === "toy:storage:Vault")?.children, {
            "aws:kms/key:Key": 1,
            [BUCKET]: 1,
            [SSE]: 1,
            [POLICY]: 1,
        });
    });

    it("recordProgram keeps an unknown output unresolvable inside the program during preview", async () => {
        const seen: Record<string, unknown> = {};
        for (const mode of ["preview", "up"] as const) {
            await recordProgram(
                async () => {
                    const b = new aws.s3.Bucket("b", { bucket: "known-name" });
                    seen[`${mode}-known`] = await new Promise((resolve) => b.bucket.apply((v) => resolve(v)));
                    seen[`${mode}-arnKnown`] = await (b.arn as unknown as { isKnown: Promise<boolean> }).isKnown;
                    return { arn: b.arn };
                },
                { mode, project: "probe", stack: "s" },
            );
        }
        assert.strictEqual(seen["preview-known"], "known-name");
        assert.strictEqual(seen["preview-arnKnown"], false);
        assert.strictEqual(seen["up-arnKnown"], true);
    });
});

describe("offline engine: the mock account is the stack's one allowed account", () => {
    it("reads aws:allowedAccountIds as the CLI passes it (a JSON list)", async () => {
        assert.strictEqual(allowedAccount('["345678901234"]'), "345678901234");
        assert.strictEqual(allowedAccount('["345678901234","111111111111"]'), undefined);
        assert.strictEqual(allowedAccount("not json"), undefined);
        assert.strictEqual(allowedAccount(undefined), undefined);
    });
});
