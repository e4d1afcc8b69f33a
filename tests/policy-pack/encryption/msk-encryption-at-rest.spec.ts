import * as assert from "assert";
import { MSK_CLUSTER, MSK_SERVERLESS_CLUSTER, mskEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/msk-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("msk-encryption-at-rest", () => {
    it("passes a provisioned cluster whose volumes use a customer-managed key, known or unknown at preview", async () => {
        for (const key of [CMK, UNKNOWN]) {
            const v = await validateResource(policy, { type: MSK_CLUSTER, props: { encryptionInfo: { encryptionAtRestKmsKeyArn: key } } });
            assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
        }
        // The whole block computed at preview still comes from the program.
        assert.deepStrictEqual((await validateResource(policy, { type: MSK_CLUSTER, props: { encryptionInfo: UNKNOWN } })).violations, []);
    });

    it("fails the AWS-managed aws/kafka key, implicit or by alias", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: MSK_CLUSTER, name: "events", props: {} })), [
            `msk.Cluster "events" encryptionInfo.encryptionAtRestKmsKeyArn is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: MSK_CLUSTER, name: "events", props: { encryptionInfo: { encryptionAtRestKmsKeyArn: "alias/aws/kafka" } } })), [
            `msk.Cluster "events" encryptionInfo.encryptionAtRestKmsKeyArn is the AWS-managed key "alias/aws/kafka"; set it to the ARN of a customer-managed KMS key.`,
        ]);
    });

    it("refuses MSK Serverless while customer-managed keys are required, and accepts it otherwise", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: MSK_SERVERLESS_CLUSTER, name: "s", props: {} })), [
            `msk.ServerlessCluster "s" cannot use a customer-managed KMS key: MSK Serverless always encrypts with a key AWS owns. ` +
                `Use a provisioned aws.msk.Cluster with encryptionInfo.encryptionAtRestKmsKeyArn, or set requireCustomerManagedKey: false for this policy.`,
        ]);
        assert.deepStrictEqual((await validateResource(policy, { type: MSK_SERVERLESS_CLUSTER, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: MSK_CLUSTER, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("judges the aws-native cluster by its CloudFormation-shaped key argument", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: "aws-native:msk:Cluster", props: { encryptionInfo: { encryptionAtRest: { dataVolumeKmsKeyId: CMK } } } })).violations, []);
        assert.match(messages(await validateResource(policy, { type: "aws-native:msk:Cluster", props: {} }))[0], /encryptionInfo\.encryptionAtRest\.dataVolumeKmsKeyId is not set/);
    });

    it("reports other types as not applicable", async () => {
        assert.match((await validateResource(policy, { type: "aws:sqs/queue:Queue" })).notApplicable[0], /aws:msk\/cluster:Cluster/);
    });
});
