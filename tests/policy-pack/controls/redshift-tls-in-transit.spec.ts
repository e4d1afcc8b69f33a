import * as assert from "assert";
import { REDSHIFT_CLUSTER, REDSHIFT_PARAMETER_GROUP, REDSHIFT_SERVERLESS_WORKGROUP, redshiftTlsInTransit as policy } from "../../../policy-pack/policies/controls/redshift-tls-in-transit";
import { FakeStackResource, messages, UNKNOWN, urnOf, validateStack } from "../helpers";

const group = (name: string, parameters: { name: string; value: string }[], props: object = {}): FakeStackResource => ({ type: REDSHIFT_PARAMETER_GROUP, name, props: { name, family: "redshift-2.0", parameters, ...props } });

describe("redshift-tls-in-transit", () => {
    it("passes a cluster joined to a require_ssl group (by dependency at preview, or by name) and a default workgroup", async () => {
        const v = await validateStack(policy, [
            group("ssl", [{ name: "require_ssl", value: "true" }], { name: UNKNOWN }),
            { type: REDSHIFT_CLUSTER, name: "dw", props: { clusterParameterGroupName: UNKNOWN }, propertyDependencies: { clusterParameterGroupName: ["ssl"] } },
            group("ssl2", [{ name: "require_ssl", value: "TRUE" }]),
            { type: REDSHIFT_CLUSTER, name: "dw2", props: { clusterParameterGroupName: "ssl2" } },
            { type: REDSHIFT_SERVERLESS_WORKGROUP, name: "wg", props: { workgroupName: "wg", namespaceName: "ns" } },
        ]);
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails the default group, a group without require_ssl and a workgroup turning it off", async () => {
        const v = await validateStack(policy, [
            { type: REDSHIFT_CLUSTER, name: "dflt", props: {} },
            group("nossl", [{ name: "enable_user_activity_logging", value: "true" }]),
            { type: REDSHIFT_CLUSTER, name: "dw", props: { clusterParameterGroupName: "nossl" } },
            { type: REDSHIFT_SERVERLESS_WORKGROUP, name: "wg", props: { configParameters: [{ parameterKey: "require_ssl", parameterValue: "false" }] } },
        ]);
        assert.deepStrictEqual(v.violations, [
            { message: 'redshift.Cluster "dflt" uses the default parameter group, which does not require SSL: create an aws.redshift.ParameterGroup with { name: "require_ssl", value: "true" } and use its name as clusterParameterGroupName.', urn: urnOf(REDSHIFT_CLUSTER, "dflt") },
            { message: 'redshift.Cluster "dw" uses redshift.ParameterGroup "nossl", which does not set require_ssl, so clients may connect without TLS: set { name: "require_ssl", value: "true" } in it.', urn: urnOf(REDSHIFT_CLUSTER, "dw") },
            { message: 'redshiftserverless.Workgroup "wg" turns require_ssl off ("false"), so clients may connect without TLS: remove that config parameter or set it to "true".', urn: urnOf(REDSHIFT_SERVERLESS_WORKGROUP, "wg") },
        ]);
        assert.match(messages(await validateStack(policy, [{ type: REDSHIFT_CLUSTER, name: "d", props: { clusterParameterGroupName: "default.redshift-1.0" } }]))[0], /default parameter group "default\.redshift-1\.0"/);
    });

    it("reports a group outside the stack unless it is trusted by config", async () => {
        const stack: FakeStackResource[] = [{ type: REDSHIFT_CLUSTER, name: "dw", props: { clusterParameterGroupName: "org-ssl" } }];
        assert.match(messages(await validateStack(policy, stack))[0], /"org-ssl", which is not in this stack/);
        assert.deepStrictEqual((await validateStack(policy, stack, { config: { trustedParameterGroups: ["org-ssl"] } })).violations, []);
    });

    it("is not applicable without Redshift; defers an unknown group name to the SDK after judging the rest", async () => {
        assert.deepStrictEqual((await validateStack(policy, [group("g", [])])).notApplicable, ["The stack has no Redshift clusters or Redshift Serverless workgroups."]);
        const v = await validateStack(policy, [{ type: REDSHIFT_CLUSTER, name: "u", props: { clusterParameterGroupName: UNKNOWN } }, { type: REDSHIFT_CLUSTER, name: "d", props: {} }]);
        assert.strictEqual(v.violations.length, 1);
        assert.strictEqual(v.previewSkipped.length, 1);
    });
});
