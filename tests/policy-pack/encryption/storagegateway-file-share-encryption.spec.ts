import * as assert from "assert";
import {
    STORAGEGATEWAY_NFS_FILE_SHARE,
    STORAGEGATEWAY_SMB_FILE_SHARE,
    storagegatewayFileShareEncryption as policy,
} from "../../../policy-pack/policies/encryption/storagegateway-file-share-encryption";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/08080808-2222-3333-4444-555555555555";

describe("storagegateway-file-share-encryption", () => {
    it("passes NFS and SMB shares with kmsEncrypted and a customer-managed key", async () => {
        for (const type of [STORAGEGATEWAY_NFS_FILE_SHARE, STORAGEGATEWAY_SMB_FILE_SHARE]) {
            assert.deepStrictEqual(await validateResource(policy, { type, props: { kmsEncrypted: true, kmsKeyArn: CMK } }), { violations: [], notApplicable: [], previewSkipped: [] });
        }
    });

    it("fails SSE-S3 only shares and kmsEncrypted without a key", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: STORAGEGATEWAY_NFS_FILE_SHARE, name: "scans", props: { kmsKeyArn: CMK } })), [
            'storagegateway.NfsFileShare "scans" writes objects with S3-managed keys only (kmsEncrypted is not true): set kmsEncrypted: true and kmsKeyArn to a customer-managed KMS key ARN.',
        ]);
        assert.match(messages(await validateResource(policy, { type: STORAGEGATEWAY_SMB_FILE_SHARE, name: "scans", props: { kmsEncrypted: true } }))[0], /storagegateway\.SmbFileShare "scans" kmsKeyArn is not set/);
    });

    it("accepts SSE-S3 and the AWS-managed key when config does not require customer-managed keys", async () => {
        const config = { requireCustomerManagedKey: false };
        assert.deepStrictEqual((await validateResource(policy, { type: STORAGEGATEWAY_NFS_FILE_SHARE, props: {} }, { config })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: STORAGEGATEWAY_SMB_FILE_SHARE, props: { kmsEncrypted: true } }, { config })).violations, []);
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:storagegateway/gateway:Gateway" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: STORAGEGATEWAY_NFS_FILE_SHARE, props: { kmsEncrypted: true, kmsKeyArn: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
