import * as assert from "assert";
import { ELASTICSEARCH_DOMAIN, OPENSEARCH_DOMAIN, opensearchTlsInTransit as policy } from "../../../policy-pack/policies/controls/opensearch-tls-in-transit";
import { messages, UNKNOWN, validateResource } from "../helpers";

const GOOD = { domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" }, nodeToNodeEncryption: { enabled: true } };

describe("opensearch-tls-in-transit", () => {
    it("passes HTTPS-only domains with a TLS 1.2 policy and node-to-node encryption", async () => {
        for (const type of [OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN]) {
            assert.deepStrictEqual(await validateResource(policy, { type, props: GOOD }), { violations: [], notApplicable: [], previewSkipped: [] });
        }
        assert.deepStrictEqual((await validateResource(policy, { type: OPENSEARCH_DOMAIN, props: { ...GOOD, domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-2019-07" } } })).violations, []);
    });

    it("reports every gap of a default domain", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: OPENSEARCH_DOMAIN, name: "search", props: {} })), [
            'opensearch.Domain "search" accepts plain HTTP: set domainEndpointOptions.enforceHttps: true.',
            'opensearch.Domain "search" allows TLS versions below 1.2 (tlsSecurityPolicy not set, default Policy-Min-TLS-1-0-2019-07): set domainEndpointOptions.tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10".',
            'opensearch.Domain "search" sends data between its nodes unencrypted: set nodeToNodeEncryption: { enabled: true }.',
        ]);
    });

    it("fails the TLS 1.0 policy even with HTTPS enforced", async () => {
        const v = await validateResource(policy, { type: OPENSEARCH_DOMAIN, props: { ...GOOD, domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-0-2019-07" } } });
        assert.deepStrictEqual(messages(v).length, 1);
        assert.match(messages(v)[0], /tlsSecurityPolicy "Policy-Min-TLS-1-0-2019-07"/);
    });

    it("is not applicable to other types; judges at preview when the access policy is unknown", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:opensearch/domainPolicy:DomainPolicy" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: OPENSEARCH_DOMAIN, props: { ...GOOD, accessPolicies: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
