import * as assert from "assert";
import { EMR_CLUSTER, EMR_SECURITY_CONFIGURATION, emrEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/emr-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:alias/phi-emr";
const config = (atRest: object, enable = true) => JSON.stringify({ EncryptionConfiguration: { EnableInTransitEncryption: false, EnableAtRestEncryption: enable, AtRestEncryptionConfiguration: atRest } });
const SECURE = {
    S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey: CMK },
    LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "AwsKms", AwsKmsKey: CMK },
};

describe("emr-encryption-at-rest", () => {
    it("passes a JSON-string configuration with SSE-KMS and KMS local disks on a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: EMR_SECURITY_CONFIGURATION, props: { configuration: config(SECURE) } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails disabled at-rest encryption, naming the resource and the fix", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: EMR_SECURITY_CONFIGURATION, name: "emr", props: { configuration: config(SECURE, false) } })), [
            'emr.SecurityConfiguration "emr" does not enable at-rest encryption: set EncryptionConfiguration.EnableAtRestEncryption: true with S3 (SSE-KMS) and local disk (AwsKms) encryption under a customer-managed KMS key.',
        ]);
    });

    it("fails SSE-S3, a missing key, an AWS-managed key and missing local disk encryption", async () => {
        const v = await validateResource(policy, {
            type: EMR_SECURITY_CONFIGURATION,
            name: "emr",
            props: { configuration: config({ S3EncryptionConfiguration: { EncryptionMode: "SSE-S3" } }) },
        });
        assert.deepStrictEqual(messages(v).map((m) => m.split(":")[0]), [
            'emr.SecurityConfiguration "emr" does not encrypt EMRFS data in S3 with a customer-managed key (EncryptionMode "SSE-S3")',
            'emr.SecurityConfiguration "emr" does not encrypt cluster local disks (LocalDiskEncryptionConfiguration missing)',
        ]);
        const keys = await validateResource(policy, {
            type: EMR_SECURITY_CONFIGURATION,
            name: "emr",
            props: { configuration: config({ S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS" }, LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "AwsKms", AwsKmsKey: "alias/aws/ebs" } }) },
        });
        assert.deepStrictEqual(messages(keys).map((m) => m.split(":")[0]), ['emr.SecurityConfiguration "emr" S3EncryptionConfiguration names no AwsKmsKey', 'emr.SecurityConfiguration "emr" LocalDiskEncryptionConfiguration uses the AWS-managed key "alias/aws/ebs"']);
    });

    it("accepts a custom key provider and, with config, SSE-S3", async () => {
        const custom = config({ S3EncryptionConfiguration: { EncryptionMode: "SSE-S3" }, LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "Custom", S3Object: "s3://keys/provider.jar", EncryptionKeyProviderClass: "com.example.Provider" } });
        assert.deepStrictEqual((await validateResource(policy, { type: EMR_SECURITY_CONFIGURATION, props: { configuration: custom } }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("reports invalid JSON", async () => {
        assert.match(messages(await validateResource(policy, { type: EMR_SECURITY_CONFIGURATION, name: "emr", props: { configuration: "{not json" } }))[0], /^emr\.SecurityConfiguration "emr" configuration is not valid JSON/);
    });

    it("fails a cluster without a security configuration; presence is enough, even unknown at preview", async () => {
        assert.match(messages(await validateResource(policy, { type: EMR_CLUSTER, name: "etl", props: { releaseLabel: "emr-7.1.0" } }))[0], /emr\.Cluster "etl" runs without a security configuration/);
        assert.deepStrictEqual(await validateResource(policy, { type: EMR_CLUSTER, props: { securityConfiguration: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("lets the SDK report a configuration string that is unknown as a whole at preview", async () => {
        const v = await validateResource(policy, { type: EMR_SECURITY_CONFIGURATION, props: { configuration: UNKNOWN } });
        assert.deepStrictEqual(v.violations, []);
        assert.deepStrictEqual(v.previewSkipped, ["string value at .configuration can't be known during preview"]);
    });

    it("is not applicable to other types and has no remediation", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:glue/job:Job" })).notApplicable.length, 1);
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
