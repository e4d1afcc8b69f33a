import * as assert from "assert";
import { ELASTICSEARCH_DOMAIN, OPENSEARCH_DOMAIN, opensearchEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/opensearch-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/03030303-2222-3333-4444-555555555555";

describe("opensearch-encryption-at-rest", () => {
    it("passes OpenSearch and legacy Elasticsearch domains encrypted with a customer-managed key", async () => {
        for (const type of [OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN]) {
            assert.deepStrictEqual(await validateResource(policy, { type, props: { encryptAtRest: { enabled: true, kmsKeyId: CMK } } }), { violations: [], notApplicable: [], previewSkipped: [] });
        }
    });

    it("fails a domain without at-rest encryption", async () => {
        for (const props of [{}, { encryptAtRest: { enabled: false, kmsKeyId: CMK } }]) {
            assert.match(messages(await validateResource(policy, { type: OPENSEARCH_DOMAIN, name: "search", props }))[0], /^opensearch\.Domain "search" stores indices unencrypted: set encryptAtRest/);
        }
    });

    it("fails the AWS-managed aws/es key unless config accepts it", async () => {
        const props = { encryptAtRest: { enabled: true } };
        assert.match(messages(await validateResource(policy, { type: ELASTICSEARCH_DOMAIN, name: "legacy", props }))[0], /elasticsearch\.Domain "legacy" encryptAtRest\.kmsKeyId is not set/);
        assert.deepStrictEqual((await validateResource(policy, { type: OPENSEARCH_DOMAIN, props }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:opensearch/serverlessCollection:ServerlessCollection" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: OPENSEARCH_DOMAIN, props: { encryptAtRest: { enabled: true, kmsKeyId: UNKNOWN } } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
