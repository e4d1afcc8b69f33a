import * as assert from "assert";
import { SECRETSMANAGER_SECRET, secretsmanagerSecretEncryption as policy } from "../../../policy-pack/policies/encryption/secretsmanager-secret-encryption";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/05050505-2222-3333-4444-555555555555";

describe("secretsmanager-secret-encryption", () => {
    it("passes a secret and its replica on customer-managed keys", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: SECRETSMANAGER_SECRET, props: { kmsKeyId: CMK, replicas: [{ region: "us-west-2", kmsKeyId: CMK.replace("us-east-1", "us-west-2") }] } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails the default aws/secretsmanager key on the secret and on a replica", async () => {
        const v = await validateResource(policy, { type: SECRETSMANAGER_SECRET, name: "db-credentials", props: { replicas: [{ region: "us-west-2" }] } });
        assert.deepStrictEqual(messages(v), [
            `secretsmanager.Secret "db-credentials" kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
            `secretsmanager.Secret "db-credentials" replicas[0] (us-west-2) kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key in that region.`,
        ]);
        assert.deepStrictEqual((await validateResource(policy, { type: SECRETSMANAGER_SECRET, props: { replicas: [{ region: "us-west-2" }] } }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:secretsmanager/secretVersion:SecretVersion" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: SECRETSMANAGER_SECRET, props: { kmsKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
