import * as assert from "assert";
import { Cache } from "../../../components/storage/cache";
import { inputs, isWireSecret, one, ofType } from "../../support/platform";
import { expectAllUnder, expectOnlyComputeIngress, plainStrings, record, Setup, setup } from "./helpers";

const T = {
    serverless: "aws:elasticache/serverlessCache:ServerlessCache",
    group: "aws:elasticache/replicationGroup:ReplicationGroup",
    user: "aws:elasticache/user:User",
    userGroup: "aws:elasticache/userGroup:UserGroup",
    subnets: "aws:elasticache/subnetGroup:SubnetGroup",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

const build = (s: Setup) => () => new Cache("cache", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.elasticache });

describe("components/storage/cache", () => {
    describe("authentication (both modes)", () => {
        it("puts a disabled default user and an IAM-authenticated application user in a Valkey user group", async () => {
            const s = setup("dev");
            const rec = await record("preview", build(s));
            const def = inputs(one(rec, T.user, "cache-default-user"));
            assert.deepStrictEqual(
                { userName: def.userName, accessString: def.accessString, engine: def.engine, version: def.passwordsWoVersion },
                { userName: "default", accessString: "off -@all", engine: "valkey", version: 1 },
            );
            const app = inputs(one(rec, T.user, "cache-app-user"));
            assert.deepStrictEqual(app.authenticationMode, { type: "iam" });
            assert.strictEqual(app.userId, app.userName, "IAM authentication requires userId == userName");
            assert.strictEqual(app.passwords, undefined);
            const group = inputs(one(rec, T.userGroup, "cache-users"));
            assert.deepStrictEqual(group.userIds, [def.userId, app.userId]);
            assert.strictEqual(group.engine, "valkey");
        });

        it("keeps the default user's password secret and write-only, in a secret encrypted with the secrets key", async () => {
            const s = setup("dev");
            const rec = await record("up", build(s));
            const defaultUser = one(rec, T.user, "cache-default-user");
            assert.ok(isWireSecret(defaultUser.inputs.passwordsWo), "passwordsWo is a secret on the wire");
            assert.strictEqual(defaultUser.inputs.passwords, undefined, "no stored `passwords` input");
            assert.strictEqual(defaultUser.inputs.authenticationMode, undefined);
            const password = inputs(defaultUser).passwordsWo as string;
            assert.strictEqual(password.length, 64);

            const version = one(rec, T.secretVersion, "cache-default-user-secret-value");
            assert.ok(isWireSecret(version.inputs.secretStringWo), "secretStringWo is a secret on the wire");
            assert.strictEqual(version.inputs.secretString, undefined, "no stored `secretString` input");
            assert.deepStrictEqual(JSON.parse(inputs(version).secretStringWo as string), { username: "default", password });
            assert.strictEqual(inputs(one(rec, T.secret, "cache-default-user-secret")).kmsKeyId, s.keys.secrets.arn);
            // A dev stack destroyed and re-created within a recovery window would collide on the secret's name.
            assert.strictEqual(inputs(one(rec, T.secret, "cache-default-user-secret")).recoveryWindowInDays, 0);

            // The plaintext appears nowhere outside a secret wrapper, in any input or output of any resource.
            for (const r of rec.resources) {
                const leaks = [...plainStrings(r.inputs), ...plainStrings(r.outputs)].filter((v) => v.includes(password));
                assert.deepStrictEqual(leaks, [], `${r.type} ${r.name} leaks the password`);
            }
        });

        it("rotates the default user's password by version", async () => {
            const s = setup("dev");
            const rec = await record("preview", () =>
                new Cache("cache", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.elasticache, defaultUserPasswordVersion: 2 }),
            );
            assert.strictEqual(inputs(one(rec, T.user, "cache-default-user")).passwordsWoVersion, 2);
            assert.strictEqual(inputs(one(rec, T.secretVersion, "cache-default-user-secret-value")).secretStringWoVersion, 2);
        });
    });

    it("names the ARNs an IAM policy needs for elasticache:Connect, known at preview, per mode", async () => {
        const arns: Record<string, string[]> = {};
        for (const stack of ["dev", "prod"] as const) {
            const s = setup(stack);
            await record("preview", () => {
                arns[stack] = new Cache("cache", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.elasticache }).connectResourceArns;
            });
        }
        assert.deepStrictEqual(arns, {
            dev: ["arn:aws:elasticache:us-east-1:210987654321:serverlesscache:hdp-dev-cache", "arn:aws:elasticache:us-east-1:210987654321:user:hdp-dev-cache-app"],
            prod: ["arn:aws:elasticache:us-east-1:345678901234:replicationgroup:hdp-prod-cache", "arn:aws:elasticache:us-east-1:345678901234:user:hdp-prod-cache-app"],
        });
    });

    describe("dev: serverless", () => {
        it("encrypts with the databases key, uses the user group and private subnets, keeps snapshots from config", async () => {
            const s = setup("dev");
            const rec = await record("preview", build(s));
            const res = one(rec, T.serverless, "cache-cache");
            const c = inputs(res);
            assert.strictEqual(c.engine, "valkey");
            assert.strictEqual(c.name, "hdp-dev-cache");
            assert.strictEqual(c.kmsKeyId, s.keys.databases.arn);
            assert.strictEqual(c.userGroupId, "hdp-dev-cache-users");
            assert.deepStrictEqual(c.subnetIds, s.network.privateSubnetIds);
            assert.strictEqual(c.snapshotRetentionLimit, 1);
            assert.strictEqual(res.options.protect, false);
            assert.deepStrictEqual(res.propertyDependencies.userGroupId, [one(rec, T.userGroup, "cache-users").urn]);
            assert.strictEqual(ofType(rec, T.group).length, 0);
        });

        it("admits 6379-6380 (primary and read-replica ports) from the compute security group only", async () => {
            const s = setup("dev");
            const rec = await record("preview", build(s));
            expectOnlyComputeIngress(rec, s.network, 6379, 6380);
            expectAllUnder(rec, "healthcare:storage:Cache", "cache");
        });
    });

    describe("prod: replication group", () => {
        it("requires TLS, encrypts at rest with the key, fails over across AZs and keeps snapshots, protected", async () => {
            const s = setup("prod");
            const rec = await record("preview", build(s));
            const res = one(rec, T.group, "cache-cache");
            const g = inputs(res);
            assert.deepStrictEqual(
                {
                    transit: g.transitEncryptionEnabled,
                    mode: g.transitEncryptionMode,
                    atRest: g.atRestEncryptionEnabled,
                    key: g.kmsKeyId,
                    failover: g.automaticFailoverEnabled,
                    multiAz: g.multiAzEnabled,
                    nodes: g.numCacheClusters,
                    snapshots: g.snapshotRetentionLimit,
                    final: g.finalSnapshotIdentifier,
                    userGroups: g.userGroupIds,
                    authToken: g.authToken,
                },
                {
                    transit: true,
                    mode: "required",
                    atRest: true,
                    key: s.keys.databases.arn,
                    failover: true,
                    multiAz: true,
                    nodes: 3,
                    snapshots: 14,
                    final: "hdp-prod-cache-final",
                    userGroups: ["hdp-prod-cache-users"],
                    authToken: undefined,
                },
            );
            assert.strictEqual(res.options.protect, true);
            assert.deepStrictEqual(inputs(one(rec, T.subnets, "cache-subnets")).subnetIds, s.network.privateSubnetIds);
            expectOnlyComputeIngress(rec, s.network, 6379);
        });

        it("delivers slow and engine logs to log groups encrypted with the logs key", async () => {
            const s = setup("prod");
            const rec = await record("preview", build(s));
            const groups = ofType(rec, T.logGroup).map(inputs);
            assert.deepStrictEqual(groups.map((g) => [g.name, g.kmsKeyId, g.retentionInDays]), [
                ["/aws/elasticache/hdp-prod-cache/slow-log", s.keys.logs.arn, 365],
                ["/aws/elasticache/hdp-prod-cache/engine-log", s.keys.logs.arn, 365],
            ]);
            const deliveries = inputs(one(rec, T.group, "cache-cache")).logDeliveryConfigurations as Record<string, string>[];
            assert.deepStrictEqual(deliveries.map((d) => [d.logType, d.destination, d.destinationType]), [
                ["slow-log", "/aws/elasticache/hdp-prod-cache/slow-log", "cloudwatch-logs"],
                ["engine-log", "/aws/elasticache/hdp-prod-cache/engine-log", "cloudwatch-logs"],
            ]);
        });

        it("without replicas (dev) there is no failover, no Multi-AZ, no final snapshot and no protect", async () => {
            const s = setup("dev", { elasticacheMode: "replicationGroup" });
            const rec = await record("preview", build(s));
            const res = one(rec, T.group, "cache-cache");
            const g = inputs(res);
            assert.deepStrictEqual(
                { failover: g.automaticFailoverEnabled, multiAz: g.multiAzEnabled, nodes: g.numCacheClusters, final: g.finalSnapshotIdentifier, protect: res.options.protect },
                { failover: false, multiAz: false, nodes: 1, final: undefined, protect: false },
            );
            assert.strictEqual(g.transitEncryptionMode, "required");
        });
    });

    it("rejects an engine version that is not major.minor", async () => {
        const s = setup("dev");
        await assert.rejects(
            record("preview", () =>
                new Cache("cache", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.elasticache, engineVersion: "8" }),
            ),
            /Cache 'cache' engineVersion: expected a Valkey version such as 8\.0, got '8'/,
        );
    });
});
