import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const DOCDB_ELASTIC_CLUSTER = "aws:docdb/elasticCluster:ElasticCluster";

/** Elastic clusters are always encrypted; without kmsKeyId with a key AWS owns. (Instance-based clusters are judged by rds-encryption-at-rest.) */
export const DOCDB_ELASTIC_RULES: AtRestRules = {
    [DOCDB_ELASTIC_CLUSTER]: [{ kind: "key", path: "kmsKeyId" }],
};

export const docdbElasticClusterEncryptionAtRest: ResourceValidationPolicy = {
    name: "docdb-elastic-cluster-encryption-at-rest",
    description: "Amazon DocumentDB elastic clusters are encrypted with a customer-managed KMS key rather than the AWS-owned default.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `kmsKeyId: key.arn` on `aws.docdb.ElasticCluster`. The key is fixed at creation: snapshot the cluster and restore it with the key.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(DOCDB_ELASTIC_RULES)),
};
