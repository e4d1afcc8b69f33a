import * as assert from "assert";
import {
    DMS_REPLICATION_INSTANCE,
    ELASTICSEARCH_DOMAIN,
    OPENSEARCH_DOMAIN,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    REDSHIFT_CLUSTER,
    REDSHIFT_SERVERLESS_WORKGROUP,
    noPublicDataStores as policy,
} from "../../../policy-pack/policies/controls/no-public-data-stores";
import { messages, UNKNOWN, validateResource } from "../helpers";

describe("no-public-data-stores", () => {
    it("passes private databases (explicitly or by the provider default) and VPC domains", async () => {
        for (const type of [RDS_INSTANCE, RDS_CLUSTER_INSTANCE, REDSHIFT_CLUSTER, REDSHIFT_SERVERLESS_WORKGROUP, DMS_REPLICATION_INSTANCE]) {
            assert.deepStrictEqual((await validateResource(policy, { type, props: {} })).violations, [], type);
            assert.deepStrictEqual((await validateResource(policy, { type, props: { publiclyAccessible: false } })).violations, [], type);
        }
        assert.deepStrictEqual(await validateResource(policy, { type: OPENSEARCH_DOMAIN, props: { vpcOptions: { subnetIds: ["subnet-1"] } } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails publicly accessible databases, naming each", async () => {
        for (const type of [RDS_INSTANCE, RDS_CLUSTER_INSTANCE, REDSHIFT_CLUSTER, REDSHIFT_SERVERLESS_WORKGROUP, DMS_REPLICATION_INSTANCE]) {
            const v = await validateResource(policy, { type, name: "store", props: { publiclyAccessible: true } });
            assert.match(messages(v)[0], /"store" is publicly accessible \(publiclyAccessible: true\)/, type);
        }
    });

    it("fails domains with a public endpoint (no VPC options or no subnets)", async () => {
        for (const props of [{}, { vpcOptions: {} }, { vpcOptions: { subnetIds: [] } }]) {
            assert.match(messages(await validateResource(policy, { type: OPENSEARCH_DOMAIN, name: "search", props }))[0], /opensearch\.Domain "search" has a public endpoint/);
        }
        assert.strictEqual((await validateResource(policy, { type: ELASTICSEARCH_DOMAIN, props: {} })).violations.length, 1);
    });

    it("counts subnets that are unknown at preview as a VPC placement; leaves an unknown flag to the SDK", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: OPENSEARCH_DOMAIN, props: { vpcOptions: { subnetIds: UNKNOWN } } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual((await validateResource(policy, { type: RDS_INSTANCE, props: { publiclyAccessible: UNKNOWN } })).previewSkipped.length, 1);
    });

    it("is not applicable to other types and offers no remediation", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:rds/cluster:Cluster" })).notApplicable.length, 1);
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
