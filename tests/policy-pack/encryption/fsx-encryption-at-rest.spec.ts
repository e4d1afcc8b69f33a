import * as assert from "assert";
import { FSX_FILE_CACHE, FSX_LUSTRE, FSX_ONTAP, FSX_OPENZFS, FSX_WINDOWS, fsxEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/fsx-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("fsx-encryption-at-rest", () => {
    it("judges every FSx file system type and file caches by kmsKeyId", async () => {
        for (const type of [FSX_LUSTRE, FSX_OPENZFS, FSX_WINDOWS, FSX_ONTAP, FSX_FILE_CACHE]) {
            assert.deepStrictEqual((await validateResource(policy, { type, props: { kmsKeyId: CMK } })).violations, [], type);
            assert.deepStrictEqual((await validateResource(policy, { type, props: { kmsKeyId: UNKNOWN } })).violations, [], type);
            assert.strictEqual((await validateResource(policy, { type, props: {} })).violations.length, 1, type);
        }
    });

    it("names the file system and the AWS-managed key in the message", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: FSX_WINDOWS, name: "shares", props: { kmsKeyId: "arn:aws:kms:us-east-1:111122223333:alias/aws/fsx" } })), [
            `fsx.WindowsFileSystem "shares" kmsKeyId is the AWS-managed key "arn:aws:kms:us-east-1:111122223333:alias/aws/fsx"; set it to the ARN of a customer-managed KMS key.`,
        ]);
    });

    it("accepts aws/fsx when config does not require customer-managed keys", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: FSX_LUSTRE, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });
});
