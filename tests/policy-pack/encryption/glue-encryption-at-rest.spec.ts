import * as assert from "assert";
import { GLUE_DATA_CATALOG_ENCRYPTION_SETTINGS, GLUE_SECURITY_CONFIGURATION, glueEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/glue-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/01010101-2222-3333-4444-555555555555";
const SECURE = {
    encryptionConfiguration: {
        s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: CMK },
        cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: CMK },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: CMK },
    },
};
const CATALOG = {
    dataCatalogEncryptionSettings: {
        encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: CMK },
        connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: CMK },
    },
};

describe("glue-encryption-at-rest", () => {
    it("passes a security configuration and catalog settings that use customer-managed keys everywhere", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: GLUE_SECURITY_CONFIGURATION, props: SECURE }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual(await validateResource(policy, { type: GLUE_DATA_CATALOG_ENCRYPTION_SETTINGS, props: CATALOG }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails each disabled part of a security configuration separately", async () => {
        const v = await validateResource(policy, {
            type: GLUE_SECURITY_CONFIGURATION,
            name: "etl",
            props: { encryptionConfiguration: { s3Encryption: { s3EncryptionMode: "DISABLED" }, cloudwatchEncryption: { cloudwatchEncryptionMode: "DISABLED" }, jobBookmarksEncryption: { jobBookmarksEncryptionMode: "DISABLED" } } },
        });
        assert.deepStrictEqual(messages(v).map((m) => m.split(":")[0]), [
            'glue.SecurityConfiguration "etl" writes job output to S3 with s3EncryptionMode "DISABLED"',
            'glue.SecurityConfiguration "etl" does not encrypt job logs with a customer-managed key (cloudwatchEncryptionMode "DISABLED")',
            'glue.SecurityConfiguration "etl" does not encrypt job bookmarks with a customer-managed key (jobBookmarksEncryptionMode "DISABLED")',
        ]);
    });

    it("fails SSE-S3 output and an AWS-managed key, but accepts SSE-S3 when customer-managed keys are not required", async () => {
        const sseS3 = { encryptionConfiguration: { ...SECURE.encryptionConfiguration, s3Encryption: { s3EncryptionMode: "SSE-S3" } } };
        assert.match(messages(await validateResource(policy, { type: GLUE_SECURITY_CONFIGURATION, props: sseS3 }))[0], /s3EncryptionMode "SSE-S3"/);
        assert.deepStrictEqual((await validateResource(policy, { type: GLUE_SECURITY_CONFIGURATION, props: sseS3 }, { config: { requireCustomerManagedKey: false } })).violations, []);
        const managed = { encryptionConfiguration: { ...SECURE.encryptionConfiguration, cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: "alias/aws/glue" } } };
        assert.match(messages(await validateResource(policy, { type: GLUE_SECURITY_CONFIGURATION, props: managed }))[0], /cloudwatchEncryption\.kmsKeyArn is the AWS-managed key/);
    });

    it("fails an unencrypted Data Catalog and plaintext connection passwords", async () => {
        const v = await validateResource(policy, {
            type: GLUE_DATA_CATALOG_ENCRYPTION_SETTINGS,
            name: "catalog",
            props: { dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "DISABLED" }, connectionPasswordEncryption: { returnConnectionPasswordEncrypted: false } } },
        });
        assert.deepStrictEqual(messages(v), [
            'glue.DataCatalogEncryptionSettings "catalog" leaves the Data Catalog unencrypted (catalogEncryptionMode "DISABLED"): set catalogEncryptionMode: "SSE-KMS" with sseAwsKmsKeyId set to a customer-managed KMS key ARN.',
            'glue.DataCatalogEncryptionSettings "catalog" returns connection passwords in plaintext: set connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId } with a customer-managed KMS key ARN.',
        ]);
        const noKey = { dataCatalogEncryptionSettings: { ...CATALOG.dataCatalogEncryptionSettings, encryptionAtRest: { catalogEncryptionMode: "SSE-KMS" } } };
        assert.match(messages(await validateResource(policy, { type: GLUE_DATA_CATALOG_ENCRYPTION_SETTINGS, props: noKey }))[0], /encryptionAtRest\.sseAwsKmsKeyId is not set/);
        assert.deepStrictEqual((await validateResource(policy, { type: GLUE_DATA_CATALOG_ENCRYPTION_SETTINGS, props: noKey }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to other types; passes at preview with unknown key ARNs", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:glue/job:Job" })).notApplicable.length, 1);
        const unknownKeys = JSON.parse(JSON.stringify(SECURE).split(CMK).join(UNKNOWN));
        assert.deepStrictEqual(await validateResource(policy, { type: GLUE_SECURITY_CONFIGURATION, props: unknownKeys }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
