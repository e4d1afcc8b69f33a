import * as assert from "assert";
import {
    RDS_CLUSTER,
    RDS_CLUSTER_PARAMETER_GROUP,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    rdsTlsInTransit as policy,
} from "../../../policy-pack/policies/controls/rds-tls-in-transit";
import { FakeStackResource, messages, UNKNOWN, urnOf, validateStack } from "../helpers";

const pg = (name: string, family: string, parameters: { name: string; value: string }[], props: object = {}): FakeStackResource => ({ type: RDS_PARAMETER_GROUP, name, props: { name, family, parameters, ...props } });
const db = (name: string, props: Record<string, unknown>, propertyDependencies?: Record<string, string[]>): FakeStackResource => ({ type: RDS_INSTANCE, name, props, propertyDependencies });

describe("rds-tls-in-transit", () => {
    it("passes instances joined to their parameter group through property dependencies, even with the group name unknown at preview", async () => {
        const v = await validateStack(policy, [
            pg("pg-tls", "postgres14", [{ name: "rds.force_ssl", value: "1" }], { name: UNKNOWN }),
            db("patients", { engine: "postgres", engineVersion: "14.11", parameterGroupName: UNKNOWN }, { parameterGroupName: ["pg-tls"] }),
            pg("my-tls", "mysql8.0", [{ name: "require_secure_transport", value: "ON" }]),
            db("billing", { engine: "mysql", parameterGroupName: UNKNOWN }, { parameterGroupName: ["my-tls"] }),
        ]);
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("falls back to the resolved group name when there is no property dependency", async () => {
        const v = await validateStack(policy, [pg("pg-tls", "postgres14", [{ name: "rds.force_ssl", value: "1" }]), db("patients", { engine: "postgres", engineVersion: "14", parameterGroupName: "pg-tls" })]);
        assert.deepStrictEqual(v.violations, []);
    });

    it("fails a group that turns TLS off or does not set it, naming instance, group and fix, with the instance URN", async () => {
        const v = await validateStack(policy, [
            pg("pg-off", "postgres14", [{ name: "rds.force_ssl", value: "0" }]),
            db("a", { engine: "postgres", engineVersion: "14.1", parameterGroupName: "pg-off" }, { parameterGroupName: ["pg-off"] }),
            pg("my-none", "mysql8.0", [{ name: "max_connections", value: "100" }]),
            db("b", { engine: "mysql", parameterGroupName: "my-none" }, { parameterGroupName: ["my-none"] }),
        ]);
        assert.deepStrictEqual(v.violations, [
            {
                message: 'rds.Instance "a" uses rds.ParameterGroup "pg-off", which sets rds.force_ssl to "0", so clients may connect without TLS: set rds.force_ssl to 1 in a aws.rds.ParameterGroup and use it as parameterGroupName.',
                urn: urnOf(RDS_INSTANCE, "a"),
            },
            {
                message: 'rds.Instance "b" uses rds.ParameterGroup "my-none", which does not set require_secure_transport, so clients may connect without TLS: set require_secure_transport to ON in a aws.rds.ParameterGroup and use it as parameterGroupName.',
                urn: urnOf(RDS_INSTANCE, "b"),
            },
        ]);
    });

    it("knows the PostgreSQL 15+ default (rds.force_ssl = 1) but not for older versions, MySQL or Aurora", async () => {
        assert.deepStrictEqual((await validateStack(policy, [db("pg16", { engine: "postgres", engineVersion: "16.3" })])).violations, []);
        const v = await validateStack(policy, [
            db("pg14", { engine: "postgres", engineVersion: "14.9" }),
            db("my", { engine: "mysql", engineVersion: "8.0.35", parameterGroupName: "default.mysql8.0" }),
            { type: RDS_CLUSTER, name: "aurora", props: { engine: "aurora-postgresql", engineVersion: "16.1" } },
        ]);
        assert.deepStrictEqual(messages(v).map((m) => m.split(":")[0]), [
            'rds.Instance "pg14" uses the default parameter group, which does not force TLS for postgres 14',
            'rds.Instance "my" uses the default parameter group, which does not force TLS for mysql 8',
            'rds.Cluster "aurora" uses the default parameter group, which does not force TLS for aurora-postgresql 16',
        ]);
    });

    it("judges Aurora clusters through their cluster parameter group", async () => {
        const v = await validateStack(policy, [
            { type: RDS_CLUSTER_PARAMETER_GROUP, name: "apg", props: { name: "apg", family: "aurora-postgresql16", parameters: [{ name: "rds.force_ssl", value: "1" }] } },
            { type: RDS_CLUSTER, name: "aurora", props: { engine: "aurora-postgresql", dbClusterParameterGroupName: UNKNOWN }, propertyDependencies: { dbClusterParameterGroupName: ["apg"] } },
            { type: RDS_CLUSTER_PARAMETER_GROUP, name: "amy", props: { name: "amy", family: "aurora-mysql8.0", parameters: [{ name: "require_secure_transport", value: "OFF" }] } },
            { type: RDS_CLUSTER, name: "aurora-my", props: { engine: "aurora-mysql", dbClusterParameterGroupName: "amy" } },
        ]);
        assert.deepStrictEqual(messages(v).map((m) => m.split(",")[0]), ['rds.Cluster "aurora-my" uses rds.ClusterParameterGroup "amy"']);
    });

    it("takes the engine from the group family for replicas without engine", async () => {
        const v = await validateStack(policy, [pg("pg-off", "postgres13", []), db("replica", { replicateSourceDb: "patients", parameterGroupName: "pg-off" })]);
        assert.match(messages(v)[0], /"replica" uses rds\.ParameterGroup "pg-off", which does not set rds\.force_ssl/);
    });

    it("reports groups outside the stack unless trusted, and unjudged engines unless exempt", async () => {
        const stack = [db("ext", { engine: "postgres", engineVersion: "14", parameterGroupName: "org-shared-pg14" }), db("ora", { engine: "oracle-ee" })];
        assert.deepStrictEqual(messages(await validateStack(policy, stack)).map((m) => m.split(",")[0]), ['rds.Instance "ext" uses parameter group "org-shared-pg14"', 'rds.Instance "ora" runs engine oracle-ee']);
        assert.deepStrictEqual((await validateStack(policy, stack, { config: { trustedParameterGroups: ["org-shared-pg14"], exemptEngines: ["oracle"] } })).violations, []);
    });

    it("judges every other instance when one instance's group is unknown at preview, then lets the SDK report the unknown", async () => {
        const v = await validateStack(policy, [db("unknown-group", { engine: "postgres", parameterGroupName: UNKNOWN }), db("pg14", { engine: "postgres", engineVersion: "14.9" })]);
        assert.deepStrictEqual(messages(v).map((m) => m.split(" uses")[0]), ['rds.Instance "pg14"']);
        assert.deepStrictEqual(v.previewSkipped, ["string value at .parameterGroupName can't be known during preview"]);
    });

    it("is not applicable to a stack without RDS databases", async () => {
        assert.deepStrictEqual(await validateStack(policy, [pg("pg", "postgres16", [])]), { violations: [], notApplicable: ["The stack has no RDS DB instances or clusters."], previewSkipped: [] });
    });
});
