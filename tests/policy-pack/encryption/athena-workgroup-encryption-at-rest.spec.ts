import * as assert from "assert";
import { ATHENA_WORKGROUP, athenaWorkgroupEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/athena-workgroup-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/02020202-2222-3333-4444-555555555555";
const wg = (encryptionConfiguration: object | undefined, extra: object = {}) => ({
    name: "analysts",
    configuration: { ...extra, resultConfiguration: { outputLocation: "s3://phi-athena-results/", encryptionConfiguration } },
});

describe("athena-workgroup-encryption-at-rest", () => {
    it("passes SSE_KMS and CSE_KMS results on a customer-managed key", async () => {
        for (const encryptionOption of ["SSE_KMS", "CSE_KMS"]) {
            assert.deepStrictEqual(await validateResource(policy, { type: ATHENA_WORKGROUP, props: wg({ encryptionOption, kmsKeyArn: CMK }) }), { violations: [], notApplicable: [], previewSkipped: [] });
        }
    });

    it("fails results without encryption, with SSE_S3, or with KMS but no key", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: ATHENA_WORKGROUP, name: "analysts", props: wg(undefined) })), [
            'athena.Workgroup "analysts" does not encrypt query results with a customer-managed key (encryptionOption not set): set configuration.resultConfiguration.encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn } with a customer-managed KMS key ARN.',
        ]);
        assert.match(messages(await validateResource(policy, { type: ATHENA_WORKGROUP, props: wg({ encryptionOption: "SSE_S3" }) }))[0], /encryptionOption "SSE_S3"/);
        assert.match(messages(await validateResource(policy, { type: ATHENA_WORKGROUP, name: "a", props: wg({ encryptionOption: "SSE_KMS" }) }))[0], /uses SSE_KMS without kmsKeyArn/);
    });

    it("fails a workgroup that lets clients override its encryption", async () => {
        const v = await validateResource(policy, { type: ATHENA_WORKGROUP, name: "analysts", props: wg({ encryptionOption: "SSE_KMS", kmsKeyArn: CMK }, { enforceWorkgroupConfiguration: false }) });
        assert.deepStrictEqual(messages(v), ['athena.Workgroup "analysts" lets clients override its result encryption (enforceWorkgroupConfiguration: false): remove it or set it to true.']);
    });

    it("judges Athena-managed query results by their kmsKey", async () => {
        const managed = (kmsKey?: string) => ({ configuration: { managedQueryResultsConfiguration: { enabled: true, encryptionConfiguration: kmsKey ? { kmsKey } : undefined } } });
        assert.deepStrictEqual((await validateResource(policy, { type: ATHENA_WORKGROUP, props: managed(CMK) })).violations, []);
        assert.match(messages(await validateResource(policy, { type: ATHENA_WORKGROUP, props: managed() }))[0], /managedQueryResultsConfiguration\.encryptionConfiguration\.kmsKey is not set/);
    });

    it("accepts SSE_S3 when config does not require customer-managed keys", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: ATHENA_WORKGROUP, props: wg({ encryptionOption: "SSE_S3" }) }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("is not applicable to other types; passes at preview with an unknown key", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: "aws:athena/database:Database" })).notApplicable, ["Policy only applies to resources of type 'aws:athena/workgroup:Workgroup'"]);
        assert.deepStrictEqual(await validateResource(policy, { type: ATHENA_WORKGROUP, props: wg({ encryptionOption: "SSE_KMS", kmsKeyArn: UNKNOWN }) }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
