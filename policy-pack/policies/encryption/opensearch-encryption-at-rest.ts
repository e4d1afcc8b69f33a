import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, ResourceHandler, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { truthy } from "../../lib/values";

export const OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain";
export const ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain";

// The legacy Elasticsearch domain resource has the same encryption arguments as the OpenSearch one.
const judgeDomain: ResourceHandler = on<{ encryptAtRest?: { enabled?: boolean; kmsKeyId?: string } }>((p, args, report) => {
    const name = subject(args);
    const enc = p.encryptAtRest;
    if (!enc || !truthy(enc.enabled)) {
        report(`${name} stores indices unencrypted: set encryptAtRest: { enabled: true, kmsKeyId } with a customer-managed KMS key ARN (encryption cannot be turned off again; enabling it on an existing domain needs a blue/green update).`);
        return;
    }
    // Without kmsKeyId OpenSearch uses the AWS-managed aws/es key.
    const problem = keyProblem(keyReference(enc, "kmsKeyId"), `${name} encryptAtRest.kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
    if (problem) {
        report(`${problem}.`);
    }
});

export const opensearchEncryptionAtRest: ResourceValidationPolicy = {
    name: "opensearch-encryption-at-rest",
    description: "OpenSearch (and legacy Elasticsearch) domains encrypt indices, logs and snapshots at rest with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `encryptAtRest: { enabled: true, kmsKeyId: key.arn }` on `aws.opensearch.Domain`. The key of an encrypted domain " +
        "cannot be changed: create a new domain with the customer-managed key and restore a snapshot into it.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [OPENSEARCH_DOMAIN]: judgeDomain,
        [ELASTICSEARCH_DOMAIN]: judgeDomain,
    }),
};
