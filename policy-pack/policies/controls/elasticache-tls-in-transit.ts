import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { probe, truthy } from "../../lib/values";

export const ELASTICACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
export const ELASTICACHE_CLUSTER = "aws:elasticache/cluster:Cluster";
export const ELASTICACHE_SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache";

interface Group {
    transitEncryptionEnabled?: boolean;
    transitEncryptionMode?: string;
    globalReplicationGroupId?: string;
}

export const elasticacheTlsInTransit: ResourceValidationPolicy = {
    name: "elasticache-tls-in-transit",
    description: "ElastiCache replication groups and cache clusters require TLS for every client connection.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediationSteps:
        "Set `transitEncryptionEnabled: true` (and leave `transitEncryptionMode` at `required`) on `aws.elasticache.ReplicationGroup` " +
        "or `aws.elasticache.Cluster`, and connect clients with TLS. An existing group is migrated in two applies: mode `preferred`, " +
        "then `required` once every client uses TLS. Serverless caches always require TLS.",
    validateResource: validateTypes({
        [ELASTICACHE_REPLICATION_GROUP]: on<Group>((p, args, report) => {
            // Global datastore members take the primary's transit encryption (judged on the primary).
            if (probe(p, "globalReplicationGroupId").state !== "absent") {
                return;
            }
            if (!truthy(p.transitEncryptionEnabled)) {
                report(`${subject(args)} accepts plaintext connections: set transitEncryptionEnabled: true (transitEncryptionMode "required").`);
            } else if (p.transitEncryptionMode === "preferred") {
                report(`${subject(args)} still accepts plaintext connections (transitEncryptionMode "preferred"): set transitEncryptionMode: "required" once every client uses TLS.`);
            }
        }),
        [ELASTICACHE_CLUSTER]: on<{ transitEncryptionEnabled?: boolean; replicationGroupId?: string }>((p, args, report) => {
            if (probe(p, "replicationGroupId").state !== "absent") {
                args.notApplicable("A cache cluster in a replication group uses the group's transit encryption, which is judged on the group.");
            }
            if (!truthy(p.transitEncryptionEnabled)) {
                report(`${subject(args)} accepts plaintext connections: set transitEncryptionEnabled: true.`);
            }
        }),
        [ELASTICACHE_SERVERLESS_CACHE]: on<object>((_p, args) => {
            args.notApplicable("Serverless caches always require TLS.");
        }),
    }),
};
