import * as assert from "assert";
import {
    DOCDB_CLUSTER,
    DYNAMODB_TABLE,
    NEPTUNE_CLUSTER,
    RDS_CLUSTER,
    RDS_INSTANCE,
    REDSHIFT_CLUSTER,
    dataStoreBackups as policy,
} from "../../../policy-pack/policies/controls/data-store-backups";
import { messages, remediateResource, UNKNOWN, validateResource } from "../helpers";

describe("data-store-backups", () => {
    it("passes databases keeping backups for the minimum and a table with PITR", async () => {
        for (const type of [RDS_INSTANCE, RDS_CLUSTER, DOCDB_CLUSTER, NEPTUNE_CLUSTER]) {
            assert.deepStrictEqual(await validateResource(policy, { type, props: { backupRetentionPeriod: 7 } }), { violations: [], notApplicable: [], previewSkipped: [] });
        }
        assert.deepStrictEqual((await validateResource(policy, { type: REDSHIFT_CLUSTER, props: { automatedSnapshotRetentionPeriod: 14 } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: DYNAMODB_TABLE, props: { pointInTimeRecovery: { enabled: true } } })).violations, []);
    });

    it("fails the one-day service default, disabled backups and missing PITR", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: RDS_INSTANCE, name: "db", props: {} })), [
            'rds.Instance "db" keeps automated backups for 1 day (backupRetentionPeriod not set), less than the required 7: set backupRetentionPeriod to 7 or more.',
        ]);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: REDSHIFT_CLUSTER, name: "dw", props: { automatedSnapshotRetentionPeriod: 0 } })), [
            'redshift.Cluster "dw" keeps automated backups for 0 days, less than the required 7: set automatedSnapshotRetentionPeriod to 7 or more.',
        ]);
        for (const props of [{}, { pointInTimeRecovery: { enabled: false } }]) {
            assert.match(messages(await validateResource(policy, { type: DYNAMODB_TABLE, name: "t", props }))[0], /dynamodb\.Table "t" has no point-in-time recovery/);
        }
    });

    it("applies a configured minimum and rejects one RDS would not accept", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: RDS_CLUSTER, props: { backupRetentionPeriod: 3 } }, { config: { minimumBackupRetentionDays: 3 } })).violations, []);
        assert.strictEqual((await validateResource(policy, { type: RDS_CLUSTER, props: { backupRetentionPeriod: 30 } }, { config: { minimumBackupRetentionDays: 35 } })).violations.length, 1);
        await assert.rejects(validateResource(policy, { type: RDS_CLUSTER, props: {} }, { config: { minimumBackupRetentionDays: 90 } }), /config minimumBackupRetentionDays must be an integer from 1 to 35/);
    });

    it("is not applicable to read replicas and to other types", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: RDS_INSTANCE, props: { replicateSourceDb: "db" } })).notApplicable, ["Read replicas are recovered from their source instance's backups."]);
        assert.strictEqual((await validateResource(policy, { type: "aws:efs/fileSystem:FileSystem" })).notApplicable.length, 1);
    });

    it("remediates DynamoDB PITR in place (keeping other settings) but not RDS retention", async () => {
        assert.deepStrictEqual((await remediateResource(policy, { type: DYNAMODB_TABLE, props: { name: "t" } })).props, { name: "t", pointInTimeRecovery: { enabled: true } });
        assert.deepStrictEqual((await remediateResource(policy, { type: DYNAMODB_TABLE, props: { pointInTimeRecovery: { enabled: false, recoveryPeriodInDays: 10 } } })).props, { pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 10 } });
        assert.deepStrictEqual((await remediateResource(policy, { type: RDS_INSTANCE, props: {} })).notApplicable, ["Policy only applies to resources of type 'aws:dynamodb/table:Table'"]);
    });

    it("judges at preview when unrelated values are unknown", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: RDS_INSTANCE, props: { kmsKeyId: UNKNOWN, backupRetentionPeriod: 14 } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual((await remediateResource(policy, { type: DYNAMODB_TABLE, props: { serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN } } })).props, { serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN }, pointInTimeRecovery: { enabled: true } });
    });
});
