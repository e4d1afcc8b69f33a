import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadStackConfig, secretPlaceholder, StackConfigError } from "../../../tools/offline/stack-config";
import { scratchDir, TOY_PROJECT, writeFiles } from "./fixtures";

function configError(fn: () => unknown): StackConfigError {
    try {
        fn();
    } catch (err) {
        assert.ok(err instanceof StackConfigError, `expected a StackConfigError, got ${String(err)}`);
        return err;
    }
    assert.fail("expected the config to be rejected");
}

describe("offline engine: stack config", () => {
    let dir: string;
    afterEach(async () => {
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("merges project defaults and values with the stack file into the fully qualified string map the CLI passes", async () => {
        const c = loadStackConfig(TOY_PROJECT, "test");
        assert.strictEqual(c.stackFile, path.join(TOY_PROJECT, "Pulumi.test.yaml"));
        // Stack values win; scalars become strings.
        assert.strictEqual(c.config["toy-offline:encrypt"], "false");
        assert.strictEqual(c.config["toy-offline:retentionDays"], "10");
        assert.strictEqual(c.config["aws:region"], "eu-west-1");
        // Project defaults fill what the stack leaves out; arrays travel as compact JSON.
        assert.strictEqual(c.config["toy-offline:bucketPrefix"], "toy-");
        assert.strictEqual(c.sources["toy-offline:bucketPrefix"], "project-default");
        assert.strictEqual(c.config["toy-offline:owners"], '["platform"]');
        // Structured config: objects are passed as JSON strings, keys undeclared in the project are allowed.
        assert.strictEqual(c.config["toy-offline:network"], '{"cidr":"10.1.0.0/16","zones":2,"endpoints":["s3","kms"]}');
        assert.strictEqual(c.config["toy-offline:forceDestroy"], "true");
    });

    it("uses a namespaced project `value` when the stack does not set the key", async () => {
        const c = loadStackConfig(TOY_PROJECT, "secure");
        assert.strictEqual(c.config["aws:region"], "us-west-2");
        assert.strictEqual(c.sources["aws:region"], "project-value");
        assert.strictEqual(c.config["toy-offline:encrypt"], "true");
    });

    it("replaces encrypted values with a deterministic placeholder, marks them secret and lists them", async () => {
        const c = loadStackConfig(TOY_PROJECT, "test");
        assert.strictEqual(c.config["toy-offline:dbPassword"], "offline-secret-toy-offline:dbPassword");
        assert.strictEqual(secretPlaceholder("toy-offline:dbPassword"), c.config["toy-offline:dbPassword"]);
        assert.deepStrictEqual(c.secretKeys, ["toy-offline:dbPassword"]);
        assert.deepStrictEqual(c.placeholders, ["toy-offline:dbPassword"]);
    });

    it("treats a structured value with an encrypted leaf as a secret and replaces only the leaf", async () => {
        dir = scratchDir("nested-secret");
        writeFiles(dir, {
            "Pulumi.yaml": "name: nest\nruntime: nodejs\n",
            "Pulumi.dev.yaml": "config:\n  db:\n    user: admin\n    password:\n      secure: v1:abc:def\n",
        });
        const c = loadStackConfig(dir, "dev");
        assert.strictEqual(c.config["nest:db"], JSON.stringify({ user: "admin", password: "offline-secret-nest:db.password" }));
        assert.deepStrictEqual(c.secretKeys, ["nest:db"]);
    });

    it("fails naming the stack file when Pulumi.<stack>.yaml does not exist", async () => {
        const err = configError(() => loadStackConfig(TOY_PROJECT, "qa"));
        const expected = path.join(TOY_PROJECT, "Pulumi.qa.yaml");
        assert.strictEqual(err.file, expected);
        assert.match(err.message, new RegExp(`^stack 'qa' has no configuration file: expected ${expected.replace(/[.]/g, "\\.")} `));
    });

    it("reports every project key without a default or stack value, as the CLI does before running the program", async () => {
        dir = scratchDir("missing");
        writeFiles(dir, {
            "Pulumi.yaml": [
                "name: t",
                "runtime: nodejs",
                "config:",
                "  region:",
                "    type: string",
                "  zones:",
                "    description: untyped, still required without a default",
                "  size:",
                "    type: integer",
                "    default: 2",
                "  aws:region:",
                "    value: us-east-1",
                "",
            ].join("\n"),
            "Pulumi.dev.yaml": "config: {}\n",
        });
        const err = configError(() => loadStackConfig(dir, "dev"));
        assert.strictEqual(err.message, `Stack 'dev' is missing configuration values 'region' and 'zones' (set them in ${path.join(dir, "Pulumi.dev.yaml")})`);
        assert.strictEqual(err.key, "t:region");
    });

    it("rejects a stack value that does not match the declared type", async () => {
        const err = configError(() => loadStackConfig(TOY_PROJECT, "badtype"));
        assert.match(err.message, /^Stack 'badtype' with configuration key 'retentionDays' must be of type 'integer' \(.*Pulumi\.badtype\.yaml has "soon"\)$/);
        assert.strictEqual(err.key, "toy-offline:retentionDays");
    });

    it("rejects a plain-text value for a key the project declares secret", async () => {
        dir = scratchDir("secret");
        writeFiles(dir, {
            "Pulumi.yaml": "name: s\nruntime: nodejs\nconfig:\n  token:\n    type: string\n    secret: true\n",
            "Pulumi.dev.yaml": "config:\n  s:token: hunter2\n",
        });
        const err = configError(() => loadStackConfig(dir, "dev"));
        assert.match(err.message, /^Stack 'dev' with configuration key 'token' must be encrypted as it's secret/);
    });

    it("rejects project declarations the CLI rejects (typed or defaulted keys of other namespaces, arrays without items)", async () => {
        dir = scratchDir("decl");
        writeFiles(dir, { "Pulumi.yaml": "name: d\nruntime: nodejs\nconfig:\n  aws:region:\n    default: us-east-1\n", "Pulumi.dev.yaml": "" });
        assert.match(configError(() => loadStackConfig(dir, "dev")).message, /Configuration key 'aws:region' is not namespaced by the project and should not define a default value/);
        writeFiles(dir, { "Pulumi.yaml": "name: d\nruntime: nodejs\nconfig:\n  zones:\n    type: array\n    default: [a]\n" });
        assert.match(configError(() => loadStackConfig(dir, "dev")).message, /The configuration key 'zones' declares an array but does not specify the underlying type via the 'items' attribute/);
    });

    it("namespaces bare stack keys with the project name", async () => {
        dir = scratchDir("bare");
        writeFiles(dir, { "Pulumi.yaml": "name: b\nruntime: nodejs\n", "Pulumi.dev.yaml": "config:\n  size: 3\n  flags: [x, y]\n" });
        const c = loadStackConfig(dir, "dev");
        assert.deepStrictEqual(c.config, { "b:size": "3", "b:flags": '["x","y"]' });
    });
});

describe("offline engine: config overrides", () => {
    it("sets, replaces and unsets keys over the stack file like `pulumi config set` and `config rm`", async () => {
        const base = loadStackConfig(path.resolve(__dirname, "..", "..", ".."), "dev");
        const c = loadStackConfig(path.resolve(__dirname, "..", "..", ".."), "dev", { rdsEnabled: false, "aws:region": "eu-west-1", owner: undefined });
        assert.strictEqual(c.config["healthcare-data-platform:rdsEnabled"], "false");
        assert.strictEqual(c.config["aws:region"], "eu-west-1");
        // Unset in the stack file: the Pulumi.yaml default applies, as the CLI does after `pulumi config rm owner`.
        assert.notStrictEqual(base.config["healthcare-data-platform:owner"], "platform-team");
        assert.strictEqual(c.config["healthcare-data-platform:owner"], "platform-team");
        assert.strictEqual(c.sources["healthcare-data-platform:owner"], "project-default");
    });

    it("still type-checks an override against the project's declaration", async () => {
        assert.throws(
            () => loadStackConfig(path.resolve(__dirname, "..", "..", ".."), "dev", { availabilityZones: "two" }),
            (err: Error) => err instanceof StackConfigError && /configuration key 'availabilityZones' must be of type 'integer'/.test(err.message),
        );
    });
});
