import * as assert from "assert";
import { DOCDB_ELASTIC_CLUSTER, docdbElasticClusterEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/docdb-elastic-cluster-encryption-at-rest";
import { messages, validateResource } from "../helpers";

describe("docdb-elastic-cluster-encryption-at-rest", () => {
    it("fails the AWS-owned default and leaves instance-based clusters to rds-encryption-at-rest", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: DOCDB_ELASTIC_CLUSTER, name: "records", props: {} })), [
            `docdb.ElasticCluster "records" kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.strictEqual((await validateResource(policy, { type: "aws:docdb/cluster:Cluster", props: {} })).notApplicable.length, 1);
    });
});
