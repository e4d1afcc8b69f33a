/**
 * The aws test provider, called as the engine calls it (the same methods the gRPC handlers invoke): Check against
 * the generated SDK, planned and created state, diff and replacement, drift on Read, deletion protection, invokes.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsProvider, DRIFT_FILE_ENV } from "../../../../tools/engine/providers/aws/provider";
import { resourceSchema } from "../../../../tools/offline/schema";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../../../tools/offline/wire";

const ACCOUNT = "111122223333";
const urn = (type: string, name: string, parent = "") =>
    `urn:pulumi:dev::healthcare-data-platform::${parent ? `${parent}$` : ""}${type}::${name}`;
const BUCKET = "aws:s3/bucket:Bucket";
const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

async function configured(env: NodeJS.ProcessEnv = {}): Promise<AwsProvider> {
    const p = new AwsProvider({ env });
    await p.configure({
        variables: {},
        // As the SDK's aws.Provider sends them: every non-string argument JSON-encoded.
        args: { region: "eu-west-1", allowedAccountIds: JSON.stringify([ACCOUNT]), defaultTags: JSON.stringify({ tags: { owner: "platform-team", environment: "dev" } }) },
    });
    return p;
}

describe("engine test provider: aws", () => {
    it("reports the @pulumi/aws version of the lockfile", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../../package-lock.json"), "utf8"));
        assert.strictEqual(new AwsProvider().version, lock.packages["node_modules/@pulumi/aws"].version);
    });

    describe("Check", () => {
        it("rejects a misspelt input property, naming type, resource, property and the likely intended one", async () => {
            const p = await configured();
            const u = urn(BUCKET, "raw", "healthcare:storage:DataLake");
            const result = await p.check(u, {}, { bukcet: "hdp-dev-raw", tags: { a: "b" } });
            assert.deepStrictEqual(result.failures, [
                {
                    property: "bukcet",
                    reason: `aws:s3/bucket:Bucket resource 'raw' has no input property 'bukcet' in @pulumi/aws 7.48.0; did you mean 'bucket'? (${u})`,
                },
            ]);
        });

        it("rejects a property AWS provider v7 removed (Eip.vpc, replaced by domain)", async () => {
            const p = await configured();
            const u = urn("aws:ec2/eip:Eip", "nat");
            const result = await p.check(u, {}, { vpc: true });
            assert.deepStrictEqual(result.failures, [{ property: "vpc", reason: `aws:ec2/eip:Eip resource 'nat' has no input property 'vpc' in @pulumi/aws 7.48.0 (${u})` }]);
        });

        it("accepts the SDK's inputs, auto-names an unnamed resource and keeps the old auto-name on update", async () => {
            const p = await configured();
            const first = await p.check(urn("aws:sqs/queue:Queue", "dlq"), {}, { messageRetentionSeconds: 1209600 });
            assert.deepStrictEqual(first.failures, []);
            assert.match(String(first.inputs.name), /^dlq-[0-9a-f]{7}$/);
            const again = await p.check(urn("aws:sqs/queue:Queue", "dlq"), { name: "dlq-kept01" }, { messageRetentionSeconds: 60 });
            assert.strictEqual(again.inputs.name, "dlq-kept01");
        });

        it("merges the provider's defaultTags under the resource's own tags into tagsAll and leaves tags alone", async () => {
            const p = await configured();
            const result = await p.check(urn(BUCKET, "raw"), {}, { bucket: "hdp-dev-raw", tags: { environment: "override", data: "phi" } });
            assert.deepStrictEqual(result.inputs.tags, { environment: "override", data: "phi" });
            assert.deepStrictEqual(result.inputs.tagsAll, { owner: "platform-team", environment: "override", data: "phi" });
            const untagged = await p.check(urn("aws:s3/bucketPolicy:BucketPolicy", "raw"), {}, { bucket: "hdp-dev-raw", policy: "{}" });
            assert.strictEqual(untagged.inputs.tagsAll, undefined, "BucketPolicy has no tagsAll");
        });

        it("keeps secret tags secret in tagsAll", async () => {
            const p = await configured();
            const perValue = await p.check(urn(BUCKET, "raw"), {}, { bucket: "b", tags: { token: secret("t0k3n") } });
            assert.deepStrictEqual(perValue.inputs.tagsAll, { owner: "platform-team", environment: "dev", token: secret("t0k3n") });
            const whole = await p.check(urn(BUCKET, "raw"), {}, { bucket: "b", tags: secret({ token: "t0k3n" }) });
            assert.deepStrictEqual(whole.inputs.tagsAll, secret({ owner: "platform-team", environment: "dev", token: "t0k3n" }));
        });

        it("leaves tagsAll unknown while the tags are unknown (preview)", async () => {
            const p = await configured();
            const result = await p.check(urn(BUCKET, "raw"), {}, { bucket: "b", tags: UNKNOWN });
            assert.strictEqual(result.inputs.tagsAll, UNKNOWN);
        });
    });

    describe("provider configuration", () => {
        it("CheckConfig names a missing region and an unknown key", async () => {
            const p = new AwsProvider({ env: {} });
            const result = await p.checkConfig("urn:pulumi:dev::p::pulumi:providers:aws::default", {}, { regoin: "us-east-1", version: "7.48.0" });
            assert.deepStrictEqual(result.failures, [
                { property: "regoin", reason: `unknown configuration key "aws:regoin" for the aws provider 7.48.0; did you mean 'region'?` },
                { property: "region", reason: 'missing required configuration key "aws:region": The region where AWS operations will take place. Examples are us-east-1, us-west-2, etc.' },
            ]);
        });

        it("Configure refuses credentials of an account outside allowedAccountIds", async () => {
            const p = new AwsProvider({ env: { HDP_TEST_AWS_ACCOUNT_ID: "999999999999" } });
            await assert.rejects(
                p.configure({ variables: { "aws:region": "us-east-1", "aws:allowedAccountIds": `["${ACCOUNT}"]` }, args: {} }),
                { message: "AWS account ID not allowed: 999999999999" },
            );
        });

        it("answers invokes for the configured account and region (stack config as variables)", async () => {
            const p = new AwsProvider({ env: {} });
            await p.configure({ variables: { "aws:region": "us-west-2", "aws:allowedAccountIds": `["${ACCOUNT}"]` }, args: {} });
            const who = await p.invoke("aws:index/getCallerIdentity:getCallerIdentity", {});
            assert.strictEqual(who.outputs.accountId, ACCOUNT);
            const zones = await p.invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {});
            assert.deepStrictEqual(zones.outputs.names, ["us-west-2a", "us-west-2b", "us-west-2c"]);
            const elb = await p.invoke("aws:elb/getServiceAccount:getServiceAccount", {});
            assert.strictEqual(elb.outputs.arn, "arn:aws:iam::797873946194:root");
        });
    });

    describe("Create", () => {
        it("in a preview returns no id and leaves exactly the computed-only outputs unknown", async () => {
            const p = await configured();
            const inputs = { bucket: "hdp-dev-raw", tags: { a: "b" }, tagsAll: { a: "b" } };
            const result = await p.create(urn(BUCKET, "raw"), inputs, true);
            assert.strictEqual(result.id, "");
            assert.strictEqual(result.outs.bucket, "hdp-dev-raw");
            assert.deepStrictEqual(result.outs.tagsAll, { a: "b" }, "known from Check");
            for (const computed of ["arn", "bucketDomainName", "bucketRegionalDomainName", "hostedZoneId"]) {
                assert.strictEqual(result.outs[computed], UNKNOWN, computed);
            }
            assert.strictEqual(result.outs.region, "eu-west-1", "the provider's region is known before create");
        });

        it("gives deterministic ids and ARNs in the offline engine's scheme", async () => {
            const p = await configured();
            const a = await p.create(urn(BUCKET, "raw"), { bucket: "hdp-dev-raw" });
            const b = await p.create(urn(BUCKET, "raw"), { bucket: "hdp-dev-raw" });
            assert.deepStrictEqual(a, b);
            assert.strictEqual(a.id, "hdp-dev-raw");
            assert.strictEqual(a.outs.arn, "arn:aws:s3:::hdp-dev-raw");
            const key = await p.create(urn("aws:kms/key:Key", "phi"), { description: "PHI" });
            assert.match(key.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
            assert.strictEqual(key.outs.arn, `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${key.id}`);
            assert.strictEqual(key.outs.keyId, key.id);
            const role = await p.create(urn("aws:iam/role:Role", "reader"), { name: "hdp-dev-reader", assumeRolePolicy: "{}" });
            assert.strictEqual(role.outs.arn, `arn:aws:iam::${ACCOUNT}:role/hdp-dev-reader`);
        });

        it("lists every property of the type after create, null where AWS reports none (the SDK would read a missing one as unknown)", async () => {
            const p = await configured();
            const queue = await p.create(urn("aws:sqs/queue:Queue", "dlq"), { name: "hdp-dev-dlq" });
            const schema = resourceSchema("aws:sqs/queue:Queue")!;
            assert.deepStrictEqual(Object.keys(queue.outs).sort(), [...schema.state].sort());
            assert.strictEqual(queue.outs.url, `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/hdp-dev-dlq`);
            assert.strictEqual(queue.outs.policy, null);
            const api = await p.create(urn("aws:apigatewayv2/api:Api", "query"), { name: "hdp-dev-query", protocolType: "HTTP" });
            assert.strictEqual(api.outs.executionArn, `arn:aws:execute-api:eu-west-1:${ACCOUNT}:${api.id}`);
        });

        it("gives a subnet's route table the id aws.ec2.getRouteTables reports for that subnet", async () => {
            const p = await configured();
            const subnet = await p.create(urn("aws:ec2/subnet:Subnet", "net-vpc-private-1"), { vpcId: "vpc-1", cidrBlock: "10.0.0.0/18" });
            const table = await p.create(urn("aws:ec2/routeTable:RouteTable", "net-vpc-private-1"), { vpcId: "vpc-1" });
            const lookup = await p.invoke("aws:ec2/getRouteTables:getRouteTables", { vpcId: "vpc-1", filters: [{ name: "association.subnet-id", values: [subnet.id] }] });
            assert.deepStrictEqual(lookup.outputs.ids, [table.id]);
            const expected = `rtb-${crypto.createHash("sha256").update(`route-table::${subnet.id}`).digest("hex").slice(0, 17)}`;
            assert.strictEqual(table.id, expected);
        });

        it("keeps secret inputs secret in the outputs", async () => {
            const p = await configured();
            const password = secret("s3cr3t-value");
            const result = await p.create(urn("aws:rds/instance:Instance", "db"), { identifier: "hdp-dev-db", password, engine: "postgres" });
            assert.deepStrictEqual(result.outs.password, password);
        });
    });

    describe("Diff", () => {
        const olds = { bucket: "hdp-dev-raw", tags: { a: "b" }, tagsAll: { a: "b" }, arn: "arn:aws:s3:::hdp-dev-raw", region: "eu-west-1" };
        const oldInputs = { bucket: "hdp-dev-raw", tags: { a: "b" }, tagsAll: { a: "b" } };

        it("reports no change for the same inputs (computed outputs are not inputs)", async () => {
            const p = await configured();
            const result = await p.diff("hdp-dev-raw", urn(BUCKET, "raw"), olds, { ...oldInputs }, oldInputs);
            assert.deepStrictEqual(result, { changes: false, diffs: [], replaces: [], deleteBeforeReplace: false });
        });

        it("updates in place when tags change, and replaces when the bucket name changes", async () => {
            const p = await configured();
            const tags = await p.diff("hdp-dev-raw", urn(BUCKET, "raw"), olds, { ...oldInputs, tags: { a: "c" }, tagsAll: { a: "c" } }, oldInputs);
            assert.deepStrictEqual([tags.changes, tags.diffs, tags.replaces], [true, ["tags", "tagsAll"], []]);
            const renamed = await p.diff("hdp-dev-raw", urn(BUCKET, "raw"), olds, { ...oldInputs, bucket: "hdp-dev-raw2" }, oldInputs);
            assert.deepStrictEqual([renamed.changes, renamed.replaces], [true, ["bucket"]]);
        });

        it("replaces on the properties AWS cannot change (kms alias name, rds identifier, dynamodb name, subnet cidr)", async () => {
            const p = await configured();
            const cases: [string, string][] = [
                ["aws:kms/alias:Alias", "name"],
                ["aws:rds/instance:Instance", "identifier"],
                ["aws:dynamodb/table:Table", "name"],
                ["aws:ec2/subnet:Subnet", "cidrBlock"],
            ];
            for (const [type, prop] of cases) {
                const result = await p.diff("id", urn(type, "r"), { [prop]: "a" }, { [prop]: "b" }, { [prop]: "a" });
                assert.deepStrictEqual(result.replaces, [prop], type);
            }
        });

        it("sees a removed input, an unknown new value, and ignores a value that only became secret", async () => {
            const p = await configured();
            const removed = await p.diff("hdp-dev-raw", urn(BUCKET, "raw"), olds, { bucket: "hdp-dev-raw", tagsAll: { a: "b" } }, oldInputs);
            assert.deepStrictEqual(removed.diffs, ["tags"]);
            const unknown = await p.diff("hdp-dev-raw", urn(BUCKET, "raw"), olds, { ...oldInputs, bucket: UNKNOWN }, oldInputs);
            assert.deepStrictEqual(unknown.replaces, ["bucket"]);
            const secretOnly = await p.diff("hdp-dev-raw", urn(BUCKET, "raw"), olds, { ...oldInputs, bucket: secret("hdp-dev-raw") }, oldInputs);
            assert.strictEqual(secretOnly.changes, false);
        });
    });

    describe("Update", () => {
        it("keeps the computed outputs (known in a preview) and takes the new inputs", async () => {
            const p = await configured();
            const created = await p.create(urn(BUCKET, "raw"), { bucket: "hdp-dev-raw", tags: { a: "b" } });
            const updated = await p.update(created.id, urn(BUCKET, "raw"), created.outs, { bucket: "hdp-dev-raw", tags: { a: "c" } }, true);
            assert.strictEqual(updated.outs.arn, "arn:aws:s3:::hdp-dev-raw");
            assert.deepStrictEqual(updated.outs.tags, { a: "c" });
        });
    });

    describe("Read and drift", () => {
        let dir: string;
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-drift-"));
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("returns the stored state when nothing drifted", async () => {
            const p = new AwsProvider({ env: {} });
            const props = { bucket: "hdp-dev-raw", arn: "arn:aws:s3:::hdp-dev-raw" };
            assert.deepStrictEqual(await p.read("hdp-dev-raw", urn(BUCKET, "raw"), props, { bucket: "hdp-dev-raw" }), {
                id: "hdp-dev-raw",
                props,
                inputs: { bucket: "hdp-dev-raw" },
            });
        });

        it("applies a console change from the drift file to state and inputs, and reports a deleted resource", async () => {
            const file = path.join(dir, "drift.json");
            fs.writeFileSync(file, JSON.stringify({ "hdp-dev-raw": { tags: { a: "console" } }, [urn(BUCKET, "gone")]: null }));
            const p = new AwsProvider({ env: { [DRIFT_FILE_ENV]: file } });
            const read = await p.read("hdp-dev-raw", urn(BUCKET, "raw"), { bucket: "hdp-dev-raw", tags: { a: "b" }, arn: "x" }, { bucket: "hdp-dev-raw", tags: { a: "b" } });
            assert.deepStrictEqual(read.props.tags, { a: "console" });
            assert.deepStrictEqual(read.inputs?.tags, { a: "console" });
            const diff = await p.diff("hdp-dev-raw", urn(BUCKET, "raw"), read.props, { bucket: "hdp-dev-raw", tags: { a: "b" } }, read.inputs);
            assert.deepStrictEqual(diff.diffs, ["tags"], "the program's next preview reverts the console change");
            assert.deepStrictEqual(await p.read("other-id", urn(BUCKET, "gone"), { bucket: "x" }), { id: "", props: {} });
        });
    });

    describe("Delete", () => {
        it("fails like AWS while deletion protection is on, and succeeds once it is off", async () => {
            const p = await configured();
            await assert.rejects(p.delete("hdp-prod-db", urn("aws:rds/instance:Instance", "db"), { deletionProtection: true }), {
                message: "deleting RDS DB Instance (hdp-prod-db): InvalidParameterCombination: Cannot delete protected DB Instance, please disable deletion protection and try again.",
            });
            await p.delete("hdp-prod-db", urn("aws:rds/instance:Instance", "db"), { deletionProtection: false });
        });
    });

    describe("Invoke", () => {
        it("renders policy documents like the provider", async () => {
            const p = await configured();
            const result = await p.invoke("aws:iam/getPolicyDocument:getPolicyDocument", {
                statements: [{ effect: "Deny", actions: ["s3:*"], resources: ["arn:aws:s3:::b/*"], principals: [{ type: "*", identifiers: ["*"] }] }],
            });
            assert.deepStrictEqual(JSON.parse(String(result.outputs.json)), {
                Version: "2012-10-17",
                Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::b/*", Principal: "*" }],
            });
        });

        it("fails an invoke it does not know, naming the token", async () => {
            const p = await configured();
            await assert.rejects(p.invoke("aws:ec2/getVpc:getVpc", { id: "vpc-1" }), (e: Error) => {
                assert.match(e.message, /^invoke 'aws:ec2\/getVpc:getVpc' is not implemented by the aws test provider/);
                assert.match(e.message, /"id":"vpc-1"/);
                return true;
            });
        });
    });
});
