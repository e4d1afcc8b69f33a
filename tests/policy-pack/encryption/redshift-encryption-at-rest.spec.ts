import * as assert from "assert";
import { REDSHIFT_CLUSTER, REDSHIFT_SERVERLESS_NAMESPACE, redshiftEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/redshift-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/7d2a1c1e-aaaa-bbbb-cccc-000011112222";

describe("redshift-encryption-at-rest", () => {
    it("passes a cluster on the default encryption with a customer-managed key, and a namespace with one", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: REDSHIFT_CLUSTER, props: { clusterIdentifier: "dw", kmsKeyId: CMK } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual((await validateResource(policy, { type: REDSHIFT_CLUSTER, props: { encrypted: "true", kmsKeyId: CMK } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: REDSHIFT_SERVERLESS_NAMESPACE, props: { namespaceName: "dw", kmsKeyId: CMK } })).violations, []);
    });

    it("fails a cluster with encrypted \"false\" (v7 string) or false, naming the fix", async () => {
        for (const encrypted of ["false", false]) {
            const v = await validateResource(policy, { type: REDSHIFT_CLUSTER, name: "dw", props: { encrypted, kmsKeyId: CMK } });
            assert.deepStrictEqual(messages(v), ['redshift.Cluster "dw" stores data unencrypted: encrypted is false; remove it (the default is true) and set kmsKeyId to a customer-managed KMS key ARN.']);
        }
    });

    it("fails the AWS-managed key and a missing key, unless AWS-managed keys are accepted by config", async () => {
        assert.match(messages(await validateResource(policy, { type: REDSHIFT_CLUSTER, name: "dw", props: { kmsKeyId: "alias/aws/redshift" } }))[0], /AWS-managed key "alias\/aws\/redshift"/);
        assert.match(messages(await validateResource(policy, { type: REDSHIFT_SERVERLESS_NAMESPACE, name: "ns", props: {} }))[0], /redshiftserverless\.Namespace "ns" kmsKeyId is not set/);
        assert.deepStrictEqual((await validateResource(policy, { type: REDSHIFT_SERVERLESS_NAMESPACE, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
        // An explicitly unencrypted cluster fails whatever the key config says.
        assert.strictEqual((await validateResource(policy, { type: REDSHIFT_CLUSTER, props: { encrypted: false } }, { config: { requireCustomerManagedKey: false } })).violations.length, 1);
    });

    it("reports other types as not applicable", async () => {
        const v = await validateResource(policy, { type: "aws:rds/instance:Instance", props: {} });
        assert.deepStrictEqual(v.violations, []);
        assert.match(v.notApplicable[0], /aws:redshift\/cluster:Cluster/);
    });

    it("passes at preview with an unknown key ARN; has no remediation (key changes are operational)", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: REDSHIFT_CLUSTER, props: { kmsKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
