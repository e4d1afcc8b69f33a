import * as assert from "assert";
import { DAX_CLUSTER, daxEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/dax-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const NO_CMK =
    `dax.Cluster "cache" cannot use a customer-managed KMS key: DAX encrypts its cache only with a key AWS owns. Read PHI from DynamoDB directly ` +
    `(tables take a customer-managed key), or set requireCustomerManagedKey: false for this policy to accept DAX's AWS-owned key.`;

describe("dax-encryption-at-rest", () => {
    it("fails a cluster without serverSideEncryption (DAX default: unencrypted), whatever the key config", async () => {
        for (const props of [{}, { serverSideEncryption: { enabled: false } }]) {
            const v = await validateResource(policy, { type: DAX_CLUSTER, name: "cache", props }, { config: { requireCustomerManagedKey: false } });
            assert.deepStrictEqual(messages(v), [
                `dax.Cluster "cache" stores data unencrypted (serverSideEncryption.enabled is ${"serverSideEncryption" in props ? "false" : "not set"}): ` +
                    "set serverSideEncryption: { enabled: true } (a new cluster is needed; DAX cannot encrypt an existing one).",
            ]);
        }
    });

    it("accepts an encrypted cluster only when AWS-owned keys are accepted, since DAX offers no customer-managed key", async () => {
        const props = { serverSideEncryption: { enabled: true } };
        assert.deepStrictEqual(messages(await validateResource(policy, { type: DAX_CLUSTER, name: "cache", props })), [NO_CMK]);
        assert.deepStrictEqual(await validateResource(policy, { type: DAX_CLUSTER, props }, { config: { requireCustomerManagedKey: false } }), {
            violations: [],
            notApplicable: [],
            previewSkipped: [],
        });
    });

    it("cannot judge an unknown switch at preview and says so", async () => {
        const v = await validateResource(policy, { type: DAX_CLUSTER, props: { serverSideEncryption: { enabled: UNKNOWN } } }, { config: { requireCustomerManagedKey: false } });
        assert.strictEqual(v.previewSkipped.length, 1);
    });

    it("judges the aws-native cluster's sseSpecification", async () => {
        const v = await validateResource(policy, { type: "aws-native:dax:Cluster", props: {} }, { config: { requireCustomerManagedKey: false } });
        assert.match(messages(v)[0], /sseSpecification\.sseEnabled is not set/);
    });
});
