import * as assert from "assert";
import { Database } from "../../../components/storage/database";
import { inputs, isWireSecret, one, ofType } from "../../support/platform";
import { expectAllUnder, expectOnlyComputeIngress, record, setup } from "./helpers";

const T = {
    instance: "aws:rds/instance:Instance",
    cluster: "aws:rds/cluster:Cluster",
    clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    pg: "aws:rds/parameterGroup:ParameterGroup",
    cpg: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    subnets: "aws:rds/subnetGroup:SubnetGroup",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

const TLS_AND_AUDIT = [
    { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
    { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "immediate" },
    { name: "log_connections", value: "1", applyMethod: "immediate" },
    { name: "log_disconnections", value: "1", applyMethod: "immediate" },
];

// Inputs through which a password would reach the state; AWS manages the master password instead.
const PASSWORD_INPUTS = ["password", "passwordWo", "masterPassword", "masterPasswordWo"];

describe("components/storage/database", () => {
    describe("dev: RDS for PostgreSQL instance", () => {
        it("encrypts storage and Performance Insights with the databases key and lets RDS manage the master password", async () => {
            const s = setup("dev");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const db = inputs(one(rec, T.instance, "database-instance"));
            assert.strictEqual(db.engine, "postgres");
            assert.strictEqual(db.identifier, "hdp-dev-database");
            assert.strictEqual(db.storageEncrypted, true);
            assert.strictEqual(db.kmsKeyId, s.keys.databases.arn);
            assert.strictEqual(db.performanceInsightsEnabled, true);
            assert.strictEqual(db.performanceInsightsKmsKeyId, s.keys.databases.arn);
            assert.strictEqual(db.iamDatabaseAuthenticationEnabled, true);
            assert.strictEqual(db.manageMasterUserPassword, true);
            assert.strictEqual(db.masterUserSecretKmsKeyId, s.keys.secrets.arn);
            for (const p of PASSWORD_INPUTS) assert.strictEqual(db[p], undefined, `no ${p} input`);
            assert.strictEqual(db.publiclyAccessible, false);
            assert.deepStrictEqual(db.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
            assert.strictEqual(db.autoMinorVersionUpgrade, true);
            assert.strictEqual(db.copyTagsToSnapshot, true);
            assert.strictEqual(db.storageType, "gp3");
            assert.strictEqual(db.caCertIdentifier, "rds-ca-rsa2048-g1");
        });

        it("takes backups and Multi-AZ from config and skips deletion protection and the final snapshot in dev", async () => {
            const s = setup("dev");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const res = one(rec, T.instance, "database-instance");
            const db = inputs(res);
            assert.strictEqual(db.backupRetentionPeriod, 1);
            assert.strictEqual(db.multiAz, false);
            assert.strictEqual(db.deletionProtection, false);
            assert.strictEqual(db.skipFinalSnapshot, true);
            assert.strictEqual(db.finalSnapshotIdentifier, undefined);
            assert.strictEqual(db.deleteAutomatedBackups, true);
            assert.strictEqual(res.options.protect, false);
        });

        it("forces TLS 1.2+ and connection logging through its parameter group", async () => {
            const s = setup("dev");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const pg = inputs(one(rec, T.pg, "database-params"));
            assert.strictEqual(pg.family, "postgres16");
            assert.deepStrictEqual(pg.parameters, TLS_AND_AUDIT);
            assert.strictEqual(inputs(one(rec, T.instance, "database-instance")).parameterGroupName, pg.name);
            assert.strictEqual(ofType(rec, T.cluster).length, 0);
        });

        it("sits in the private subnets behind a group that admits 5432 only from the compute security group", async () => {
            const s = setup("dev");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const subnets = inputs(one(rec, T.subnets, "database-subnets"));
            assert.deepStrictEqual(subnets.subnetIds, s.network.privateSubnetIds);
            const db = inputs(one(rec, T.instance, "database-instance"));
            assert.strictEqual(db.dbSubnetGroupName, subnets.name);
            expectOnlyComputeIngress(rec, s.network, 5432);
            const dbRes = one(rec, T.instance, "database-instance");
            const sg = one(rec, "aws:ec2/securityGroup:SecurityGroup", "database-sg");
            assert.deepStrictEqual(dbRes.propertyDependencies.vpcSecurityGroupIds, [sg.urn]);
        });

        it("exports logs to log groups it creates first, encrypted with the logs key and kept the platform retention", async () => {
            const s = setup("dev");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const groups = ofType(rec, T.logGroup);
            assert.deepStrictEqual(groups.map((g) => inputs(g).name), ["/aws/rds/instance/hdp-dev-database/postgresql", "/aws/rds/instance/hdp-dev-database/upgrade"]);
            for (const g of groups) {
                assert.strictEqual(inputs(g).kmsKeyId, s.keys.logs.arn);
                assert.strictEqual(inputs(g).retentionInDays, 14);
            }
            const db = one(rec, T.instance, "database-instance");
            for (const g of groups) assert.ok(db.dependencies.includes(g.urn), `the instance waits for ${g.name}`);
        });

        it("parents every child under the component and names it <name>-<role>; the ARN is known at preview", async () => {
            const s = setup("dev");
            let arn = "";
            const rec = await record("preview", () => {
                arn = new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }).arn;
            });
            expectAllUnder(rec, "healthcare:storage:Database", "database");
            assert.strictEqual(arn, "arn:aws:rds:us-east-1:210987654321:db:hdp-dev-database");
        });
    });

    describe("prod: Aurora PostgreSQL cluster", () => {
        it("encrypts the cluster, manages the master password with the secrets key and requires IAM auth", async () => {
            const s = setup("prod");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const c = inputs(one(rec, T.cluster, "database-cluster"));
            assert.strictEqual(c.engine, "aurora-postgresql");
            assert.strictEqual(c.clusterIdentifier, "hdp-prod-database");
            assert.strictEqual(c.storageEncrypted, true);
            assert.strictEqual(c.kmsKeyId, s.keys.databases.arn);
            assert.strictEqual(c.manageMasterUserPassword, true);
            assert.strictEqual(c.masterUserSecretKmsKeyId, s.keys.secrets.arn);
            for (const p of PASSWORD_INPUTS) assert.strictEqual(c[p], undefined, `no ${p} input`);
            assert.strictEqual(c.iamDatabaseAuthenticationEnabled, true);
            assert.deepStrictEqual(c.enabledCloudwatchLogsExports, ["postgresql"]);
            assert.strictEqual(c.copyTagsToSnapshot, true);
            assert.strictEqual(ofType(rec, T.instance).length, 0);
        });

        it("protects the cluster and its instances, with deletion protection and a deterministic final snapshot", async () => {
            const s = setup("prod");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const cluster = one(rec, T.cluster, "database-cluster");
            const c = inputs(cluster);
            assert.strictEqual(cluster.options.protect, true);
            assert.strictEqual(c.deletionProtection, true);
            assert.strictEqual(c.skipFinalSnapshot, false);
            assert.strictEqual(c.finalSnapshotIdentifier, "hdp-prod-database-final");
            assert.strictEqual(c.deleteAutomatedBackups, false);
            assert.strictEqual(c.backupRetentionPeriod, 35);
            assert.strictEqual(c.applyImmediately, false);
            for (const i of ofType(rec, T.clusterInstance)) assert.strictEqual(i.options.protect, true);
        });

        it("adds a second instance in another AZ for Multi-AZ, each private with encrypted Performance Insights", async () => {
            const s = setup("prod");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const instances = ofType(rec, T.clusterInstance).map(inputs);
            assert.deepStrictEqual(instances.map((i) => i.identifier), ["hdp-prod-database-1", "hdp-prod-database-2"]);
            for (const i of instances) {
                assert.strictEqual(i.publiclyAccessible, false);
                assert.strictEqual(i.instanceClass, "db.r6g.large");
                assert.strictEqual(i.performanceInsightsEnabled, true);
                assert.strictEqual(i.performanceInsightsKmsKeyId, s.keys.databases.arn);
                assert.strictEqual(i.autoMinorVersionUpgrade, true);
            }
        });

        it("forces TLS through a cluster parameter group", async () => {
            const s = setup("prod");
            const rec = await record("preview", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
            const cpg = inputs(one(rec, T.cpg, "database-params"));
            assert.strictEqual(cpg.family, "aurora-postgresql16");
            assert.deepStrictEqual(cpg.parameters, TLS_AND_AUDIT);
            assert.strictEqual(inputs(one(rec, T.cluster, "database-cluster")).dbClusterParameterGroupName, cpg.name);
            expectOnlyComputeIngress(rec, s.network, 5432);
        });

        it("a single-AZ Aurora cluster has one instance; an RDS instance in prod is Multi-AZ and protected", async () => {
            const single = setup("prod", { rdsMultiAz: false });
            const rec1 = await record("preview", () => new Database("database", { context: single.context, keys: single.keys, network: single.network, settings: single.cfg.storage.rds }));
            assert.strictEqual(ofType(rec1, T.clusterInstance).length, 1);

            const inst = setup("prod", { rdsEngine: "postgres" });
            const rec2 = await record("preview", () => new Database("database", { context: inst.context, keys: inst.keys, network: inst.network, settings: inst.cfg.storage.rds }));
            const res = one(rec2, T.instance, "database-instance");
            assert.deepStrictEqual(
                { multiAz: inputs(res).multiAz, deletionProtection: inputs(res).deletionProtection, protect: res.options.protect },
                { multiAz: true, deletionProtection: true, protect: true },
            );
            assert.strictEqual(inputs(res).finalSnapshotIdentifier, "hdp-prod-database-final");
        });
    });

    it("never carries a secret it does not need: no recorded input of the database is a secret", async () => {
        const s = setup("prod");
        const rec = await record("up", () => new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds }));
        const secretInputs = rec.resources.flatMap((r) => Object.entries(r.inputs).filter(([, v]) => isWireSecret(v)).map(([k]) => `${r.name}.${k}`));
        assert.deepStrictEqual(secretInputs, []);
    });

    it("two databases with different names do not collide on any physical name", async () => {
        const s = setup("dev");
        const rec = await record("preview", () => {
            new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds });
            new Database("reporting", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds });
        });
        const names = rec.resources.filter((r) => r.custom).map((r) => `${r.type}=${String(inputs(r).name ?? inputs(r).identifier ?? "")}`).filter((n) => !n.endsWith("="));
        assert.strictEqual(new Set(names).size, names.length, `duplicates in ${names.join(", ")}`);
        assert.ok(names.includes("aws:rds/instance:Instance=hdp-dev-reporting"));
    });

    it("takes the engine version by major only (a pinned minor is retired by AWS and then fails the next deploy)", async () => {
        const form = "expected a PostgreSQL major version such as 16 (AWS retires minor versions; autoMinorVersionUpgrade keeps the minor current)";
        for (const version of ["latest", "16.4"]) {
            assert.throws(() => setup("dev", { rdsEngineVersion: version }), {
                name: "ConfigValidationError",
                message: `Stack configuration is invalid:\n  - healthcare-data-platform:rdsEngineVersion: ${form}, got '${version}'`,
            });
        }
        assert.strictEqual(setup("prod").cfg.storage.rds.engineVersion, "16");
    });

    it("rejects a Performance Insights retention AWS does not offer", async () => {
        const s = setup("dev");
        await assert.rejects(
            record("preview", () =>
                new Database("database", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.rds, performanceInsightsRetentionDays: 30 }),
            ),
            /performanceInsightsRetentionDays: expected 7 or a multiple of 31 up to 731, got 30/,
        );
    });
});
