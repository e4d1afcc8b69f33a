/**
 * The test providers under the real Pulumi CLI: a scratch project (file backend and passphrase secrets in a temp
 * folder) that loads both plugins through `plugins.providers`, previews, deploys, re-previews without changes,
 * detects an injected console change on refresh, keeps a secret out of the state, and fails Check on a misspelt
 * property. Skipped, with the reason printed, when no CLI at the lockfile's version is found (PULUMI_CLI_BIN,
 * `tools/pulumi-cli/install.sh --print`, or `pulumi` on PATH).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../../../..");
const PROVIDERS = path.join(ROOT, "tools/engine/providers");
const ACCOUNT = "111122223333";
const PLAINTEXT = "smoke-plaintext-7f3a91";

function lockVersion(): string {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    return lock.packages["node_modules/@pulumi/pulumi"].version as string;
}

/** The CLI binary the real-engine lane would use, or why there is none. */
function findCli(): { bin?: string; reason?: string } {
    if (process.env.PULUMI_CLI_BIN) {
        return fs.existsSync(process.env.PULUMI_CLI_BIN) ? { bin: process.env.PULUMI_CLI_BIN } : { reason: `PULUMI_CLI_BIN=${process.env.PULUMI_CLI_BIN} does not exist` };
    }
    const install = path.join(ROOT, "tools/pulumi-cli/install.sh");
    if (fs.existsSync(install)) {
        const printed = spawnSync("bash", [install, "--print"], { encoding: "utf8" });
        const dir = printed.stdout.trim().split("\n").pop();
        if (printed.status === 0 && dir && fs.existsSync(path.join(dir, "pulumi"))) {
            return { bin: path.join(dir, "pulumi") };
        }
    }
    const onPath = spawnSync("pulumi", ["version"], { encoding: "utf8" });
    if (onPath.status === 0 && onPath.stdout.trim() === `v${lockVersion()}`) {
        return { bin: "pulumi" };
    }
    return { reason: `no Pulumi CLI v${lockVersion()}: set PULUMI_CLI_BIN, or build it with tools/pulumi-cli/install.sh` };
}

const PROGRAM = `
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";

const provider = new aws.Provider("platform", {
    region: "us-east-1",
    allowedAccountIds: ["${ACCOUNT}"],
    defaultTags: { tags: { owner: "smoke" } },
});
const bucket = new aws.s3.Bucket("raw", { bucket: "smoke-raw-${ACCOUNT}", tags: { data: "phi", token: pulumi.secret("${PLAINTEXT}") } }, { provider });
if (process.env.SMOKE_TYPO) {
    // The typed SDK drops unknown arguments; a raw registration (as a transform or another SDK would send) does not.
    class RawBucket extends pulumi.CustomResource {
        constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
            super("aws:s3/bucket:Bucket", name, props, opts);
        }
    }
    new RawBucket("typo", { bukcet: "smoke-typo" }, { provider });
}
const vpc = new awsx.ec2.Vpc("net", {
    cidrBlock: "10.40.0.0/16",
    numberOfAvailabilityZones: 2,
    subnetStrategy: "Auto",
    subnetSpecs: [{ type: "Private", cidrMask: 18, name: "private" }, { type: "Public", cidrMask: 21, name: "public" }],
    natGateways: { strategy: "Single" },
}, { providers: { aws: provider } });
const tables = aws.ec2.getRouteTablesOutput({ vpcId: vpc.vpcId, filters: [{ name: "association.subnet-id", values: vpc.privateSubnetIds }] }, { provider });
export const bucketArn = bucket.arn;
export const privateRouteTableIds = tables.ids;
export const account = aws.getCallerIdentityOutput({}, { provider }).accountId;
`;

interface Run {
    status: number | null;
    stdout: string;
    /** stdout and stderr, for messages and failure reports. */
    out: string;
}

describe("engine test providers under the real Pulumi CLI", function () {
    this.timeout(15 * 60 * 1000);
    let cli: string | undefined;
    let dir: string;
    let project: string;
    let env: NodeJS.ProcessEnv;

    const pulumi = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Run => {
        const r = spawnSync(cli!, [...args, "--non-interactive"], { cwd: project, env: { ...env, ...extraEnv }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        return { status: r.status, stdout: r.stdout, out: `${r.stdout}\n${r.stderr}` };
    };
    const ok = (run: Run, what: string) => assert.strictEqual(run.status, 0, `${what} failed:\n${run.out}`);

    before(function () {
        const found = findCli();
        if (!found.bin) {
            console.log(`      skipped: ${found.reason}`);
            this.skip();
        }
        cli = found.bin;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-providers-smoke-"));
        project = path.join(dir, "project");
        fs.mkdirSync(project);
        fs.mkdirSync(path.join(dir, "state"));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
        fs.writeFileSync(
            path.join(project, "Pulumi.yaml"),
            [
                "name: providers-smoke",
                "runtime:",
                "  name: nodejs",
                "  options:",
                "    typescript: true",
                "plugins:",
                "  providers:",
                `    - name: aws`,
                `      path: ${path.join(PROVIDERS, "aws")}`,
                `    - name: awsx`,
                `      path: ${path.join(PROVIDERS, "awsx")}`,
                "",
            ].join("\n"),
        );
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "providers-smoke", main: "index.ts" }));
        fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", esModuleInterop: true, skipLibCheck: true } }));
        fs.writeFileSync(path.join(project, "index.ts"), PROGRAM);
        const { HDP_TEST_AWS_DRIFT_FILE: _drift, HDP_TEST_AWS_ACCOUNT_ID: _account, ...base } = process.env;
        env = {
            ...base,
            PULUMI_HOME: path.join(dir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "test",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        };
        ok(pulumi(["stack", "init", "smoke"]), "stack init");
    });

    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("previews: the awsx children are planned and computed outputs are unknown", () => {
        const run = pulumi(["preview"]);
        ok(run, "preview");
        for (const line of ["aws:ec2:Vpc", "aws:ec2:InternetGateway", "aws:ec2:Subnet", "aws:ec2:RouteTableAssociation", "aws:ec2:NatGateway", "aws:ec2:Eip", "aws:ec2:Route"]) {
            assert.match(run.out, new RegExp(`\\+\\s+${line} `), line);
        }
        assert.match(run.out, /bucketArn\s*:\s*\[unknown\]/);
        assert.match(run.out, /account\s*:\s*"111122223333"/);
    });

    it("deploys with deterministic ids; the route-table lookup finds the private tables awsx created; secrets stay encrypted", () => {
        ok(pulumi(["up", "--yes"]), "up");
        const outputs = JSON.parse(pulumi(["stack", "output", "--json"]).stdout) as Record<string, unknown>;
        assert.strictEqual(outputs.bucketArn, `arn:aws:s3:::smoke-raw-${ACCOUNT}`);
        const exported = pulumi(["stack", "export"]);
        ok(exported, "stack export");
        const deployment = JSON.parse(exported.stdout);
        const resources = deployment.deployment.resources as { type: string; urn: string; id?: string }[];
        const privateTables = resources.filter((r) => r.type === "aws:ec2/routeTable:RouteTable" && /::net-private-\d$/.test(r.urn)).map((r) => r.id);
        assert.strictEqual(privateTables.length, 2);
        assert.deepStrictEqual([...(outputs.privateRouteTableIds as string[])].sort(), privateTables.sort());
        assert.ok(!exported.stdout.includes(PLAINTEXT), "the secret tag value appears in plain text in the state");
        const bucket = resources.find((r) => r.type === "aws:s3/bucket:Bucket") as unknown as { outputs: { tags: { token: unknown }; tagsAll: { token: unknown } } };
        for (const where of [bucket.outputs.tags.token, bucket.outputs.tagsAll.token]) {
            assert.strictEqual((where as Record<string, unknown>)["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "the tag value is stored as a secret");
        }
    });

    it("re-previews without changes, and a refresh sees a console change", () => {
        ok(pulumi(["preview", "--expect-no-changes"]), "preview --expect-no-changes");
        const driftFile = path.join(dir, "drift.json");
        fs.writeFileSync(driftFile, JSON.stringify({ [`smoke-raw-${ACCOUNT}`]: { tags: { data: "changed-in-console" } } }));
        const drifted = pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"], { HDP_TEST_AWS_DRIFT_FILE: driftFile });
        assert.notStrictEqual(drifted.status, 0, `a drifted refresh must propose changes:\n${drifted.out}`);
        assert.match(drifted.out, /no changes were expected for preview but changes were proposed/);
        assert.match(drifted.out, /data\s*:\s*"changed-in-console" => "phi"/);
    });

    it("fails Check on a misspelt property, naming type, resource and property", () => {
        const run = pulumi(["preview"], { SMOKE_TYPO: "1" });
        assert.notStrictEqual(run.status, 0, run.out);
        assert.match(run.out, /aws:s3\/bucket:Bucket resource 'typo' has no input property 'bukcet' in @pulumi\/aws 7\.48\.0; did you mean 'bucket'\?/);
    });
});
