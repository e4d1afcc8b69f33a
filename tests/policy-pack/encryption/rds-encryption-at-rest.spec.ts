import * as assert from "assert";
import {
    DOCDB_CLUSTER,
    NEPTUNE_CLUSTER,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_GLOBAL_CLUSTER,
    RDS_INSTANCE,
    rdsEncryptionAtRest as policy,
} from "../../../policy-pack/policies/encryption/rds-encryption-at-rest";
import { messages, remediateResource, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/0b7e4c1e-1111-2222-3333-444455556666";

describe("rds-encryption-at-rest", () => {
    it("passes an instance encrypted with a customer-managed key and Performance Insights on that key", async () => {
        const v = await validateResource(policy, {
            type: RDS_INSTANCE,
            name: "patients-db",
            props: { engine: "postgres", storageEncrypted: true, kmsKeyId: CMK, performanceInsightsEnabled: true, performanceInsightsKmsKeyId: CMK },
        });
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails an unencrypted instance, naming it and the fix", async () => {
        const v = await validateResource(policy, { type: RDS_INSTANCE, name: "patients-db", props: { engine: "postgres" } });
        assert.strictEqual(v.violations.length, 1);
        assert.match(v.violations[0].message, /rds\.Instance "patients-db" stores data unencrypted: storageEncrypted is not true/);
        assert.match(v.violations[0].message, /kmsKeyId to a customer-managed KMS key ARN/);
    });

    it("fails storageEncrypted: false even with a key id", async () => {
        const v = await validateResource(policy, { type: RDS_INSTANCE, props: { storageEncrypted: false, kmsKeyId: CMK } });
        assert.match(messages(v).join(), /storageEncrypted is not true/);
    });

    it("fails an encrypted instance on the AWS-managed aws/rds key (alias name or alias ARN)", async () => {
        for (const key of ["alias/aws/rds", "arn:aws:kms:us-east-1:111122223333:alias/aws/rds"]) {
            const v = await validateResource(policy, { type: RDS_INSTANCE, name: "db", props: { storageEncrypted: true, kmsKeyId: key } });
            assert.deepStrictEqual(messages(v), [`rds.Instance "db" kmsKeyId is the AWS-managed key "${key}"; set it to the ARN of a customer-managed KMS key.`]);
        }
    });

    it("fails an encrypted instance without kmsKeyId (AWS-managed key) unless the config accepts AWS-managed keys", async () => {
        const props = { storageEncrypted: true };
        const strict = await validateResource(policy, { type: RDS_INSTANCE, name: "db", props });
        assert.match(messages(strict)[0], /kmsKeyId is not set, so the service's default AWS key is used/);
        const relaxed = await validateResource(policy, { type: RDS_INSTANCE, name: "db", props }, { config: { requireCustomerManagedKey: false } });
        assert.deepStrictEqual(relaxed.violations, []);
    });

    it("fails Performance Insights on the default key but ignores it when Performance Insights is off", async () => {
        const on = await validateResource(policy, { type: RDS_INSTANCE, name: "db", props: { storageEncrypted: true, kmsKeyId: CMK, performanceInsightsEnabled: true } });
        assert.deepStrictEqual(messages(on), [
            `rds.Instance "db" performanceInsightsKmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key (Performance Insights keeps query samples, which can contain PHI).`,
        ]);
        const off = await validateResource(policy, { type: RDS_INSTANCE, props: { storageEncrypted: true, kmsKeyId: CMK, performanceInsightsEnabled: false } });
        assert.deepStrictEqual(off.violations, []);
    });

    it("lets a read replica inherit its source's encryption but still judges a declared replica key", async () => {
        const inherit = await validateResource(policy, { type: RDS_INSTANCE, props: { replicateSourceDb: "patients-db" } });
        assert.deepStrictEqual(inherit.violations, []);
        const managed = await validateResource(policy, { type: RDS_INSTANCE, props: { replicateSourceDb: "arn:aws:rds:us-east-1:111122223333:db:patients-db", kmsKeyId: "alias/aws/rds" } });
        assert.match(messages(managed)[0], /AWS-managed key "alias\/aws\/rds"/);
    });

    it("judges clusters: provisioned needs storageEncrypted, Aurora Serverless v1 is encrypted unless disabled", async () => {
        assert.match(messages(await validateResource(policy, { type: RDS_CLUSTER, name: "c", props: { engine: "aurora-postgresql" } }))[0], /rds\.Cluster "c" stores data unencrypted/);
        assert.deepStrictEqual((await validateResource(policy, { type: RDS_CLUSTER, props: { engine: "aurora-postgresql", storageEncrypted: true, kmsKeyId: CMK } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: RDS_CLUSTER, props: { engineMode: "serverless", kmsKeyId: CMK } })).violations, []);
        assert.strictEqual((await validateResource(policy, { type: RDS_CLUSTER, props: { engineMode: "serverless", storageEncrypted: false, kmsKeyId: CMK } })).violations.length, 1);
    });

    it("judges Performance Insights on Aurora cluster instances", async () => {
        const v = await validateResource(policy, { type: RDS_CLUSTER_INSTANCE, name: "writer", props: { performanceInsightsEnabled: true, performanceInsightsKmsKeyId: "alias/aws/rds" } });
        assert.match(messages(v)[0], /rds\.ClusterInstance "writer" performanceInsightsKmsKeyId is the AWS-managed key/);
        assert.deepStrictEqual((await validateResource(policy, { type: RDS_CLUSTER_INSTANCE, props: { performanceInsightsEnabled: true, performanceInsightsKmsKeyId: CMK } })).violations, []);
    });

    it("judges global clusters, deferring to the source cluster when one is given", async () => {
        assert.strictEqual((await validateResource(policy, { type: RDS_GLOBAL_CLUSTER, props: { engine: "aurora-postgresql" } })).violations.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: RDS_GLOBAL_CLUSTER, props: { storageEncrypted: true } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: RDS_GLOBAL_CLUSTER, props: { sourceDbClusterIdentifier: "arn:aws:rds:us-east-1:1:cluster:c" } })).violations, []);
    });

    it("judges DocumentDB (kmsKeyId) and Neptune (kmsKeyArn) clusters", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: DOCDB_CLUSTER, props: { storageEncrypted: true, kmsKeyId: CMK } })).violations, []);
        assert.match(messages(await validateResource(policy, { type: DOCDB_CLUSTER, name: "d", props: {} }))[0], /docdb\.Cluster "d" stores data unencrypted/);
        assert.deepStrictEqual((await validateResource(policy, { type: NEPTUNE_CLUSTER, props: { storageEncrypted: true, kmsKeyArn: CMK } })).violations, []);
        assert.match(messages(await validateResource(policy, { type: NEPTUNE_CLUSTER, name: "g", props: { storageEncrypted: true, kmsKeyId: CMK } }))[0], /neptune\.Cluster "g" kmsKeyArn is not set/);
    });

    it("reports other resource types as not applicable instead of passing them", async () => {
        const v = await validateResource(policy, { type: "aws:dynamodb/table:Table", props: {} });
        assert.deepStrictEqual(v.violations, []);
        assert.strictEqual(v.notApplicable.length, 1);
        assert.match(v.notApplicable[0], /Policy only applies to resources of types 'aws:rds\/instance:Instance'/);
    });

    it("passes at preview when the customer-managed key's ARN is still unknown", async () => {
        const v = await validateResource(policy, {
            type: RDS_INSTANCE,
            props: { storageEncrypted: true, kmsKeyId: UNKNOWN, performanceInsightsEnabled: true, performanceInsightsKmsKeyId: UNKNOWN },
        });
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("leaves an unknown storageEncrypted to the SDK's can't-run-during-preview report", async () => {
        const v = await validateResource(policy, { type: RDS_INSTANCE, props: { storageEncrypted: UNKNOWN, kmsKeyId: CMK } });
        assert.deepStrictEqual(v.violations, []);
        assert.deepStrictEqual(v.previewSkipped, ["string value at .storageEncrypted can't be known during preview"]);
    });

    it("offers no remediation: enabling storage encryption would replace the database", async () => {
        assert.strictEqual(policy.remediateResource, undefined);
        const r = await remediateResource(policy, { type: RDS_INSTANCE, props: {} });
        assert.deepStrictEqual(r.notApplicable, ["Policy does not implement remediateResource"]);
    });
});
