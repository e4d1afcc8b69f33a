import * as assert from "assert";
import { SNS_TOPIC, snsTopicEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/sns-topic-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

describe("sns-topic-encryption-at-rest", () => {
    it("passes a topic with a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: SNS_TOPIC, props: { kmsMasterKeyId: "arn:aws:kms:us-east-1:111122223333:alias/phi-alerts" } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails a topic without a key, even when AWS-managed keys are accepted (SNS would store plaintext)", async () => {
        const expected = ['sns.Topic "alerts" stores messages unencrypted: set kmsMasterKeyId to a customer-managed KMS key ARN.'];
        assert.deepStrictEqual(messages(await validateResource(policy, { type: SNS_TOPIC, name: "alerts", props: {} })), expected);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: SNS_TOPIC, name: "alerts", props: {} }, { config: { requireCustomerManagedKey: false } })), expected);
    });

    it("fails alias/aws/sns unless config accepts AWS-managed keys", async () => {
        assert.match(messages(await validateResource(policy, { type: SNS_TOPIC, name: "alerts", props: { kmsMasterKeyId: "alias/aws/sns" } }))[0], /AWS-managed key "alias\/aws\/sns"/);
        assert.deepStrictEqual((await validateResource(policy, { type: SNS_TOPIC, props: { kmsMasterKeyId: "alias/aws/sns" } }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: "aws:sqs/queue:Queue" })).notApplicable, ["Policy only applies to resources of type 'aws:sns/topic:Topic'"]);
        assert.deepStrictEqual(await validateResource(policy, { type: SNS_TOPIC, props: { kmsMasterKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
