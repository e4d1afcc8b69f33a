import * as assert from "assert";
import { MQ_BROKER, mqBrokerEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/mq-broker-encryption-at-rest";
import { messages, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("mq-broker-encryption-at-rest", () => {
    it("passes a broker with useAwsOwnedKey false and a customer-managed key, fails the AWS-owned default", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: MQ_BROKER, props: { encryptionOptions: { useAwsOwnedKey: false, kmsKeyId: CMK } } })).violations, []);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: MQ_BROKER, name: "hl7", props: { encryptionOptions: { useAwsOwnedKey: true } } })), [
            `mq.Broker "hl7" encryptionOptions.kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.strictEqual((await validateResource(policy, { type: MQ_BROKER, props: {} })).violations.length, 1);
    });
});
