import * as assert from "assert";
import { FIREHOSE_DELIVERY_STREAM, firehoseEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/firehose-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/eeeeeeee-2222-3333-4444-555555555555";
const SSE = { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: CMK };
const S3 = { bucketArn: "arn:aws:s3:::phi-raw", roleArn: "arn:aws:iam::111122223333:role/firehose", kmsKeyArn: CMK };

describe("firehose-encryption-at-rest", () => {
    it("passes a Direct PUT stream with a customer-managed key to an S3 destination with a customer-managed key", async () => {
        const v = await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, props: { destination: "extended_s3", serverSideEncryption: SSE, extendedS3Configuration: S3 } });
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails missing server-side encryption and the AWS-owned default key type", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, name: "ingest", props: { destination: "extended_s3", extendedS3Configuration: S3 } })), [
            'kinesis.FirehoseDeliveryStream "ingest" buffers records without server-side encryption: set serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn } with a customer-managed KMS key ARN.',
        ]);
        const owned = await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, name: "ingest", props: { destination: "extended_s3", serverSideEncryption: { enabled: true }, extendedS3Configuration: S3 } });
        assert.match(messages(owned)[0], /uses the AWS-owned key \(keyType defaults to AWS_OWNED_CMK\)/);
        assert.deepStrictEqual((await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, props: { destination: "extended_s3", serverSideEncryption: { enabled: true }, extendedS3Configuration: S3 } }, { config: { requireCustomerManagedKey: false } })).violations, []);
        assert.match(messages(await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, name: "i", props: { destination: "extended_s3", serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK" }, extendedS3Configuration: S3 } }))[0], /keyType CUSTOMER_MANAGED_CMK but no keyArn/);
    });

    it("fails S3 destinations and backups without a KMS key", async () => {
        const v = await validateResource(policy, {
            type: FIREHOSE_DELIVERY_STREAM,
            name: "ingest",
            props: { destination: "extended_s3", serverSideEncryption: SSE, extendedS3Configuration: { ...S3, kmsKeyArn: undefined, s3BackupMode: "Enabled", s3BackupConfiguration: { bucketArn: "arn:aws:s3:::b", roleArn: "r" } } },
        });
        assert.deepStrictEqual(messages(v).map((m) => m.split(" is not set")[0]), [
            'kinesis.FirehoseDeliveryStream "ingest" extendedS3Configuration.kmsKeyArn',
            'kinesis.FirehoseDeliveryStream "ingest" extendedS3Configuration.s3BackupConfiguration.kmsKeyArn',
        ]);
        const http = await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, name: "ingest", props: { destination: "http_endpoint", serverSideEncryption: SSE, httpEndpointConfiguration: { url: "https://x", s3Configuration: { bucketArn: "b", roleArn: "r" } } } });
        assert.match(messages(http)[0], /httpEndpointConfiguration\.s3Configuration\.kmsKeyArn is not set/);
    });

    it("does not ask for server-side encryption on a stream fed by Kinesis (the source stream is encrypted)", async () => {
        const v = await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, props: { destination: "extended_s3", kinesisSourceConfiguration: { kinesisStreamArn: "arn:aws:kinesis:us-east-1:1:stream/s", roleArn: "r" }, extendedS3Configuration: S3 } });
        assert.deepStrictEqual(v.violations, []);
    });

    it("reports an unknown destination explicitly instead of passing it", async () => {
        assert.match(messages(await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, name: "x", props: { destination: "carrier_pigeon", serverSideEncryption: SSE } }))[0], /destination "carrier_pigeon", which this policy does not know/);
    });

    it("is not applicable to other types; passes at preview with unknown key ARNs", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:kinesis/stream:Stream" })).notApplicable.length, 1);
        const v = await validateResource(policy, { type: FIREHOSE_DELIVERY_STREAM, props: { destination: "extended_s3", serverSideEncryption: { ...SSE, keyArn: UNKNOWN }, extendedS3Configuration: { ...S3, kmsKeyArn: UNKNOWN } } });
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
