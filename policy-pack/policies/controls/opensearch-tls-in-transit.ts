import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, ResourceHandler, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { truthy } from "../../lib/values";

export const OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain";
export const ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain";

/** TLS security policies that refuse anything below TLS 1.2. */
export const TLS12_POLICIES: readonly string[] = ["Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10", "Policy-Min-TLS-1-2-RFC9151-FIPS-2024-08"];

interface Domain {
    domainEndpointOptions?: { enforceHttps?: boolean; tlsSecurityPolicy?: string };
    nodeToNodeEncryption?: { enabled?: boolean };
}

const judge: ResourceHandler = on<Domain>((p, args, report) => {
    const name = subject(args);
    const endpoint = p.domainEndpointOptions;
    if (!endpoint || !truthy(endpoint.enforceHttps)) {
        report(`${name} accepts plain HTTP: set domainEndpointOptions.enforceHttps: true.`);
    }
    const policy = endpoint?.tlsSecurityPolicy;
    if (typeof policy !== "string" || !TLS12_POLICIES.includes(policy)) {
        report(`${name} allows TLS versions below 1.2 (tlsSecurityPolicy ${typeof policy === "string" ? `"${policy}"` : "not set, default Policy-Min-TLS-1-0-2019-07"}): set domainEndpointOptions.tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10".`);
    }
    if (!truthy(p.nodeToNodeEncryption?.enabled)) {
        report(`${name} sends data between its nodes unencrypted: set nodeToNodeEncryption: { enabled: true }.`);
    }
});

export const opensearchTlsInTransit: ResourceValidationPolicy = {
    name: "opensearch-tls-in-transit",
    description: "OpenSearch (and legacy Elasticsearch) domains require HTTPS with a TLS 1.2 minimum policy and encrypt node-to-node traffic.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediationSteps:
        "On `aws.opensearch.Domain` set `domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: \"Policy-Min-TLS-1-2-PFS-2023-10\" }` " +
        "and `nodeToNodeEncryption: { enabled: true }`. Endpoint options change in place; node-to-node encryption is enabled " +
        "through a blue/green update and cannot be turned off again.",
    validateResource: validateTypes({ [OPENSEARCH_DOMAIN]: judge, [ELASTICSEARCH_DOMAIN]: judge }),
};
