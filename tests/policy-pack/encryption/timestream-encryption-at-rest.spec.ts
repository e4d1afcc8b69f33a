import * as assert from "assert";
import {
    TIMESTREAM_DATABASE,
    TIMESTREAM_INFLUXDB_INSTANCE,
    TIMESTREAM_TABLE,
    timestreamEncryptionAtRest as policy,
} from "../../../policy-pack/policies/encryption/timestream-encryption-at-rest";
import { messages, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";
const rejected = (s3Configuration: Record<string, unknown>) => ({
    magneticStoreWriteProperties: { enableMagneticStoreWrites: true, magneticStoreRejectedDataLocation: { s3Configuration: { bucketName: "rejects", ...s3Configuration } } },
});

describe("timestream-encryption-at-rest", () => {
    it("judges the database key", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: TIMESTREAM_DATABASE, props: { kmsKeyId: CMK } })).violations, []);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: TIMESTREAM_DATABASE, name: "vitals", props: {} })), [
            `timestreamwrite.Database "vitals" kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
    });

    it("judges a table's rejected-record reports only where the table writes them", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: TIMESTREAM_TABLE, props: {} })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: TIMESTREAM_TABLE, props: rejected({ encryptionOption: "SSE_KMS", kmsKeyId: CMK }) })).violations, []);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: TIMESTREAM_TABLE, name: "t", props: rejected({ encryptionOption: "SSE_S3" }) })), [
            `timestreamwrite.Table "t" magneticStoreWriteProperties.magneticStoreRejectedDataLocation.s3Configuration.encryptionOption is "SSE_S3", an AWS key: ` +
                `set encryptionOption: "SSE_KMS" with kmsKeyId, a customer-managed KMS key ARN.`,
        ]);
        assert.match(messages(await validateResource(policy, { type: TIMESTREAM_TABLE, props: rejected({ encryptionOption: "SSE_KMS" }) }))[0], /s3Configuration\.kmsKeyId is not set/);
    });

    it("refuses Timestream for InfluxDB while customer-managed keys are required", async () => {
        assert.match(messages(await validateResource(policy, { type: TIMESTREAM_INFLUXDB_INSTANCE, props: {} }))[0], /cannot use a customer-managed KMS key/);
        assert.deepStrictEqual((await validateResource(policy, { type: TIMESTREAM_INFLUXDB_INSTANCE, props: {} }, { config: { requireCustomerManagedKey: false } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: "aws-native:timestream:Database", props: { kmsKeyId: CMK } })).violations, []);
    });
});
