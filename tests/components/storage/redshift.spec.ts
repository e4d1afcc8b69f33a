import * as assert from "assert";
import { Warehouse } from "../../../components/storage/redshift";
import { inputs, one, ofType } from "../../support/platform";
import { expectAllUnder, expectOnlyComputeIngress, record, Setup, setup } from "./helpers";

const T = {
    namespace: "aws:redshiftserverless/namespace:Namespace",
    workgroup: "aws:redshiftserverless/workgroup:Workgroup",
    cluster: "aws:redshift/cluster:Cluster",
    params: "aws:redshift/parameterGroup:ParameterGroup",
    subnets: "aws:redshift/subnetGroup:SubnetGroup",
    logging: "aws:redshift/logging:Logging",
};

const build = (s: Setup) => () => new Warehouse("warehouse", { context: s.context, keys: s.keys, network: s.network, settings: s.cfg.storage.redshift });

describe("components/storage/redshift", () => {
    describe("prod: Redshift Serverless", () => {
        it("encrypts the namespace with the databases key, manages the admin password and exports every audit log", async () => {
            const s = setup("prod");
            const rec = await record("preview", build(s));
            const ns = one(rec, T.namespace, "warehouse-namespace");
            const n = inputs(ns);
            assert.strictEqual(n.namespaceName, "hdp-prod-warehouse");
            assert.strictEqual(n.kmsKeyId, s.keys.databases.arn);
            assert.strictEqual(n.manageAdminPassword, true);
            assert.strictEqual(n.adminPasswordSecretKmsKeyId, s.keys.secrets.arn);
            assert.strictEqual(n.adminUserPassword, undefined);
            assert.strictEqual(n.adminUserPasswordWo, undefined);
            assert.deepStrictEqual(n.logExports, ["connectionlog", "userlog", "useractivitylog"]);
            // Redshift writes into /aws/redshift/<namespace>/<log type> and would create them unencrypted, kept
            // forever: they exist first, with the logs key and the configured retention.
            const groups = ofType(rec, "aws:cloudwatch/logGroup:LogGroup").map(inputs);
            assert.deepStrictEqual(
                groups.map((g) => [g.name, g.kmsKeyId, g.retentionInDays]),
                ["connectionlog", "userlog", "useractivitylog"].map((t) => [`/aws/redshift/hdp-prod-warehouse/${t}`, s.keys.logs.arn, s.cfg.logging.retentionDays]),
            );
            assert.ok(ofType(rec, "aws:cloudwatch/logGroup:LogGroup").every((g) => ns.dependencies.includes(g.urn)), "the namespace waits for its log groups");
            assert.strictEqual(ns.options.protect, true);
            assert.strictEqual(ofType(rec, T.cluster).length, 0);
        });

        it("requires TLS, routes through the VPC, stays private and sizes from config", async () => {
            const s = setup("prod");
            const rec = await record("preview", build(s));
            const w = inputs(one(rec, T.workgroup, "warehouse-workgroup"));
            const params = Object.fromEntries((w.configParameters as { parameterKey: string; parameterValue: string }[]).map((p) => [p.parameterKey, p.parameterValue]));
            assert.strictEqual(params.require_ssl, "true");
            assert.strictEqual(params.enable_user_activity_logging, "true");
            assert.strictEqual(w.enhancedVpcRouting, true);
            assert.strictEqual(w.publiclyAccessible, false);
            assert.strictEqual(w.baseCapacity, 32);
            assert.deepStrictEqual(w.subnetIds, s.network.privateSubnetIds);
            assert.strictEqual(w.port, 5439);
            expectOnlyComputeIngress(rec, s.network, 5439);
        });

        it("parents every child under the component", async () => {
            const s = setup("prod");
            expectAllUnder(await record("preview", build(s)), "healthcare:storage:Warehouse", "warehouse");
        });
    });

    describe("provisioned cluster", () => {
        it("prod: encrypted with the key, TLS via its parameter group, audit logs to CloudWatch, snapshots, final snapshot, protect", async () => {
            const s = setup("prod", { redshiftMode: "provisioned" });
            const rec = await record("preview", build(s));
            const cluster = one(rec, T.cluster, "warehouse-cluster");
            const c = inputs(cluster);
            assert.strictEqual(c.encrypted, "true");
            assert.strictEqual(c.kmsKeyId, s.keys.databases.arn);
            assert.strictEqual(c.enhancedVpcRouting, true);
            assert.strictEqual(c.publiclyAccessible, false);
            assert.strictEqual(c.manageMasterPassword, true);
            assert.strictEqual(c.masterPasswordSecretKmsKeyId, s.keys.secrets.arn);
            assert.strictEqual(c.masterPassword, undefined);
            assert.strictEqual(c.masterPasswordWo, undefined);
            assert.strictEqual(c.automatedSnapshotRetentionPeriod, 35);
            assert.strictEqual(c.skipFinalSnapshot, false);
            assert.strictEqual(c.finalSnapshotIdentifier, "hdp-prod-warehouse-final");
            assert.strictEqual(c.clusterType, "multi-node");
            assert.strictEqual(cluster.options.protect, true);

            const pg = inputs(one(rec, T.params, "warehouse-params"));
            assert.deepStrictEqual(pg.parameters, [
                { name: "require_ssl", value: "true" },
                { name: "enable_user_activity_logging", value: "true" },
            ]);
            assert.strictEqual(c.clusterParameterGroupName, pg.name);
            assert.deepStrictEqual(inputs(one(rec, T.subnets, "warehouse-subnets")).subnetIds, s.network.privateSubnetIds);

            const logging = one(rec, T.logging, "warehouse-logging");
            assert.deepStrictEqual(
                { type: inputs(logging).logDestinationType, exports: inputs(logging).logExports },
                { type: "cloudwatch", exports: ["connectionlog", "userlog", "useractivitylog"] },
            );
            assert.deepStrictEqual(logging.propertyDependencies.clusterIdentifier, [cluster.urn]);
            expectOnlyComputeIngress(rec, s.network, 5439);
            assert.strictEqual(ofType(rec, T.namespace).length, 0);
        });

        it("dev: same controls, without protect or a final snapshot, single-node when configured", async () => {
            const s = setup("dev", { redshiftEnabled: true, redshiftMode: "provisioned", redshiftNodes: 1 });
            const rec = await record("preview", build(s));
            const cluster = one(rec, T.cluster, "warehouse-cluster");
            const c = inputs(cluster);
            assert.deepStrictEqual(
                { protect: cluster.options.protect, skip: c.skipFinalSnapshot, final: c.finalSnapshotIdentifier, type: c.clusterType, retention: c.automatedSnapshotRetentionPeriod },
                { protect: false, skip: true, final: undefined, type: "single-node", retention: 7 },
            );
            assert.strictEqual(c.encrypted, "true");
        });
    });

    it("dev serverless namespace is not protected", async () => {
        const s = setup("dev", { redshiftEnabled: true });
        const rec = await record("preview", build(s));
        assert.strictEqual(one(rec, T.namespace, "warehouse-namespace").options.protect, false);
        assert.strictEqual(inputs(one(rec, T.workgroup, "warehouse-workgroup")).baseCapacity, 8);
    });
});
