import * as assert from "assert";
import { ECR_REPOSITORY, ECR_REPOSITORY_CREATION_TEMPLATE, ecrRepositoryEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/ecr-repository-encryption-at-rest";
import { messages, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";
const FIX = `set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }].`;

describe("ecr-repository-encryption-at-rest", () => {
    it("passes KMS (or dual-layer KMS) with a customer-managed key on repositories and creation templates", async () => {
        for (const type of [ECR_REPOSITORY, ECR_REPOSITORY_CREATION_TEMPLATE]) {
            for (const encryptionType of ["KMS", "KMS_DSSE"]) {
                assert.deepStrictEqual((await validateResource(policy, { type, props: { encryptionConfigurations: [{ encryptionType, kmsKey: CMK }] } })).violations, [], type);
            }
        }
    });

    it("fails the AES256 default and KMS with the AWS-managed aws/ecr key", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: ECR_REPOSITORY, name: "images", props: {} })), [
            `ecr.Repository "images" encryptionConfigurations.encryptionType is not set, so an AWS key is used: ${FIX}`,
        ]);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: ECR_REPOSITORY, name: "images", props: { encryptionConfigurations: [{ encryptionType: "AES256" }] } })), [
            `ecr.Repository "images" encryptionConfigurations[0].encryptionType is "AES256", an AWS key: ${FIX}`,
        ]);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: ECR_REPOSITORY, name: "images", props: { encryptionConfigurations: [{ encryptionType: "KMS" }] } })), [
            `ecr.Repository "images" encryptionConfigurations[0].kmsKey is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.deepStrictEqual((await validateResource(policy, { type: ECR_REPOSITORY, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });
});
