import * as assert from "assert";
import { EFS_FILE_SYSTEM, EFS_REPLICATION_CONFIGURATION, efsEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/efs-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/bbbbbbbb-2222-3333-4444-555555555555";

describe("efs-encryption-at-rest", () => {
    it("passes an encrypted file system with a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: EFS_FILE_SYSTEM, props: { encrypted: true, kmsKeyId: CMK } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails an unencrypted file system (the provider default) even if a key is named", async () => {
        const v = await validateResource(policy, { type: EFS_FILE_SYSTEM, name: "shared", props: { kmsKeyId: CMK } });
        assert.deepStrictEqual(messages(v), ['efs.FileSystem "shared" stores files unencrypted: set encrypted: true and kmsKeyId to a customer-managed KMS key ARN (a new file system is needed; copy data with DataSync).']);
    });

    it("fails the AWS-managed aws/elasticfilesystem key unless config accepts it", async () => {
        assert.strictEqual((await validateResource(policy, { type: EFS_FILE_SYSTEM, props: { encrypted: true } })).violations.length, 1);
        assert.strictEqual((await validateResource(policy, { type: EFS_FILE_SYSTEM, props: { encrypted: true, kmsKeyId: "alias/aws/elasticfilesystem" } })).violations.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: EFS_FILE_SYSTEM, props: { encrypted: true } }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("judges the key of a replica that replication creates, not of an existing destination", async () => {
        assert.match(messages(await validateResource(policy, { type: EFS_REPLICATION_CONFIGURATION, name: "dr", props: { sourceFileSystemId: "fs-1", destination: { region: "us-west-2" } } }))[0], /efs\.ReplicationConfiguration "dr" destination\.kmsKeyId is not set/);
        assert.deepStrictEqual((await validateResource(policy, { type: EFS_REPLICATION_CONFIGURATION, props: { destination: { region: "us-west-2", kmsKeyId: CMK } } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: EFS_REPLICATION_CONFIGURATION, props: { destination: { fileSystemId: "fs-2" } } })).violations, []);
    });

    it("reports other types as not applicable; passes at preview with an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:ebs/volume:Volume" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: EFS_FILE_SYSTEM, props: { encrypted: true, kmsKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
