import * as assert from "assert";
import { EBS_SNAPSHOT_COPY, EBS_SNAPSHOT_IMPORT, EC2_AMI_COPY, ebsSnapshotCopyEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/ebs-snapshot-copy-encryption-at-rest";
import { messages, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("ebs-snapshot-copy-encryption-at-rest", () => {
    it("requires encrypted copies (whatever the key config) with a customer-managed key", async () => {
        for (const type of [EBS_SNAPSHOT_COPY, EBS_SNAPSHOT_IMPORT, EC2_AMI_COPY]) {
            assert.deepStrictEqual((await validateResource(policy, { type, props: { encrypted: true, kmsKeyId: CMK } })).violations, [], type);
        }
        assert.deepStrictEqual(messages(await validateResource(policy, { type: EBS_SNAPSHOT_COPY, name: "dr", props: {} }, { config: { requireCustomerManagedKey: false } })), [
            `ebs.SnapshotCopy "dr" stores data unencrypted (encrypted is not set): set encrypted: true with kmsKeyId, a customer-managed KMS key ARN.`,
        ]);
        assert.match(messages(await validateResource(policy, { type: EC2_AMI_COPY, props: { encrypted: "true" } }))[0], /kmsKeyId is not set/);
    });
});
