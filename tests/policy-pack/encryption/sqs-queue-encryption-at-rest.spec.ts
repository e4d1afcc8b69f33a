import * as assert from "assert";
import { SQS_QUEUE, sqsQueueEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/sqs-queue-encryption-at-rest";
import { messages, remediateResource, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/ffffffff-2222-3333-4444-555555555555";

describe("sqs-queue-encryption-at-rest", () => {
    it("passes a queue with a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: SQS_QUEUE, props: { kmsMasterKeyId: CMK } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails SQS-managed SSE by default and accepts it when the config allows it", async () => {
        for (const props of [{}, { sqsManagedSseEnabled: true }]) {
            assert.deepStrictEqual(messages(await validateResource(policy, { type: SQS_QUEUE, name: "jobs", props })), [
                'sqs.Queue "jobs" relies on SQS-managed encryption, which the pack config does not accept for PHI: set kmsMasterKeyId to a customer-managed KMS key ARN (or allowSqsManagedSse: true in the pack config).',
            ]);
            assert.deepStrictEqual((await validateResource(policy, { type: SQS_QUEUE, props }, { config: { allowSqsManagedSse: true } })).violations, []);
        }
    });

    it("fails a queue with encryption switched off, whatever the config", async () => {
        const v = await validateResource(policy, { type: SQS_QUEUE, name: "jobs", props: { sqsManagedSseEnabled: false } }, { config: { allowSqsManagedSse: true, requireCustomerManagedKey: false } });
        assert.deepStrictEqual(messages(v), ['sqs.Queue "jobs" stores messages unencrypted (no kmsMasterKeyId and sqsManagedSseEnabled: false): set kmsMasterKeyId to a customer-managed KMS key ARN.']);
    });

    it("fails alias/aws/sqs unless config accepts AWS-managed keys", async () => {
        assert.match(messages(await validateResource(policy, { type: SQS_QUEUE, name: "jobs", props: { kmsMasterKeyId: "alias/aws/sqs" } }))[0], /AWS-managed key "alias\/aws\/sqs"/);
        assert.deepStrictEqual((await validateResource(policy, { type: SQS_QUEUE, props: { kmsMasterKeyId: "alias/aws/sqs" } }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("remediates a queue with SSE switched off only where SQS-managed SSE is allowed", async () => {
        const allowed = await remediateResource(policy, { type: SQS_QUEUE, props: { name: "jobs", sqsManagedSseEnabled: false } }, { config: { allowSqsManagedSse: true } });
        assert.deepStrictEqual(allowed.props, { name: "jobs", sqsManagedSseEnabled: true });
        const fixed = await validateResource(policy, { type: SQS_QUEUE, props: allowed.props }, { config: { allowSqsManagedSse: true } });
        assert.deepStrictEqual(fixed.violations, []);
        // Default config: no key can be chosen for the user, so nothing is changed.
        assert.strictEqual((await remediateResource(policy, { type: SQS_QUEUE, props: { sqsManagedSseEnabled: false } })).props, undefined);
        assert.strictEqual((await remediateResource(policy, { type: SQS_QUEUE, props: { kmsMasterKeyId: CMK, sqsManagedSseEnabled: false } }, { config: { allowSqsManagedSse: true } })).props, undefined);
    });

    it("remediates at preview without touching unknown values", async () => {
        const r = await remediateResource(policy, { type: SQS_QUEUE, props: { policy: UNKNOWN, sqsManagedSseEnabled: false } }, { config: { allowSqsManagedSse: true } });
        assert.deepStrictEqual(r, { props: { policy: UNKNOWN, sqsManagedSseEnabled: true }, notApplicable: [], previewSkipped: [] });
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: SQS_QUEUE.replace("queue:Queue", "queuePolicy:QueuePolicy") })).notApplicable, ["Policy only applies to resources of type 'aws:sqs/queue:Queue'"]);
        assert.deepStrictEqual((await remediateResource(policy, { type: "aws:sns/topic:Topic" })).notApplicable, ["Policy only applies to resources of type 'aws:sqs/queue:Queue'"]);
        assert.deepStrictEqual(await validateResource(policy, { type: SQS_QUEUE, props: { kmsMasterKeyId: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });
});
