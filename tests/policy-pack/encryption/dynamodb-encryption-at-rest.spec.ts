import * as assert from "assert";
import { DYNAMODB_TABLE, DYNAMODB_TABLE_REPLICA, dynamodbEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/dynamodb-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";
const CMK_WEST = "arn:aws:kms:us-west-2:111122223333:key/66666666-2222-3333-4444-555555555555";

describe("dynamodb-encryption-at-rest", () => {
    it("passes a table and its replicas encrypted with customer-managed keys", async () => {
        const v = await validateResource(policy, {
            type: DYNAMODB_TABLE,
            props: { name: "patients", serverSideEncryption: { enabled: true, kmsKeyArn: CMK }, replicas: [{ regionName: "us-west-2", kmsKeyArn: CMK_WEST }] },
        });
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails the AWS-owned default (no serverSideEncryption, or enabled: false)", async () => {
        for (const props of [{}, { serverSideEncryption: { enabled: false } }]) {
            const v = await validateResource(policy, { type: DYNAMODB_TABLE, name: "patients", props });
            assert.deepStrictEqual(messages(v), [
                'dynamodb.Table "patients" is encrypted only with the AWS-owned DynamoDB key: set serverSideEncryption: { enabled: true, kmsKeyArn } with a customer-managed KMS key ARN.',
            ]);
        }
    });

    it("fails the AWS-managed key: enabled without kmsKeyArn, or alias/aws/dynamodb", async () => {
        assert.match(messages(await validateResource(policy, { type: DYNAMODB_TABLE, name: "t", props: { serverSideEncryption: { enabled: true } } }))[0], /serverSideEncryption\.kmsKeyArn is not set/);
        assert.match(messages(await validateResource(policy, { type: DYNAMODB_TABLE, name: "t", props: { serverSideEncryption: { enabled: true, kmsKeyArn: "alias/aws/dynamodb" } } }))[0], /AWS-managed key "alias\/aws\/dynamodb"/);
    });

    it("fails a replica without its own customer-managed key, naming the replica region", async () => {
        const v = await validateResource(policy, {
            type: DYNAMODB_TABLE,
            name: "t",
            props: { serverSideEncryption: { enabled: true, kmsKeyArn: CMK }, replicas: [{ regionName: "us-west-2" }] },
        });
        assert.deepStrictEqual(messages(v), [
            `dynamodb.Table "t" replicas[0] (us-west-2) kmsKeyArn is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key in that region.`,
        ]);
        assert.strictEqual((await validateResource(policy, { type: DYNAMODB_TABLE_REPLICA, props: { globalTableArn: "arn:x" } })).violations.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: DYNAMODB_TABLE_REPLICA, props: { kmsKeyArn: CMK_WEST } })).violations, []);
    });

    it("accepts the always-on AWS-owned encryption when config does not require customer-managed keys", async () => {
        const v = await validateResource(policy, { type: DYNAMODB_TABLE, props: {} }, { config: { requireCustomerManagedKey: false } });
        assert.deepStrictEqual(v.violations, []);
    });

    it("reports other types as not applicable", async () => {
        assert.match((await validateResource(policy, { type: "aws:sqs/queue:Queue" })).notApplicable[0], /aws:dynamodb\/table:Table/);
    });

    it("passes at preview when table and replica key ARNs are unknown", async () => {
        const v = await validateResource(policy, { type: DYNAMODB_TABLE, props: { serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN }, replicas: [{ regionName: "us-west-2", kmsKeyArn: UNKNOWN }] } });
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
