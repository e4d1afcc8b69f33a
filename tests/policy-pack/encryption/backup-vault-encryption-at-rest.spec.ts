import * as assert from "assert";
import { BACKUP_VAULT, backupVaultEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/backup-vault-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

describe("backup-vault-encryption-at-rest", () => {
    it("passes a vault with a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: BACKUP_VAULT, props: { kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/06060606-2222-3333-4444-555555555555" } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails the default and the named AWS-managed aws/backup key", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: BACKUP_VAULT, name: "phi", props: {} })), [`backup.Vault "phi" kmsKeyArn is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`]);
        assert.match(messages(await validateResource(policy, { type: BACKUP_VAULT, name: "phi", props: { kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:alias/aws/backup" } }))[0], /AWS-managed key/);
        assert.deepStrictEqual((await validateResource(policy, { type: BACKUP_VAULT, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:backup/plan:Plan" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: BACKUP_VAULT, props: { kmsKeyArn: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
