import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, ResourceHandler, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { asArray, probe, truthy } from "../../lib/values";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
export const REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster";
export const REDSHIFT_SERVERLESS_WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup";
export const OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain";
export const ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain";
export const DMS_REPLICATION_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance";

const publiclyAccessible: ResourceHandler = on<{ publiclyAccessible?: boolean }>((p, args, report) => {
    if (truthy(p.publiclyAccessible)) {
        report(`${subject(args)} is publicly accessible (publiclyAccessible: true), so its endpoint resolves to a public IP: set publiclyAccessible: false and reach it through the VPC, a VPN or a bastion.`);
    }
});

// A domain without VPC options gets a public endpoint; an access policy can narrow who may call it, but the
// endpoint stays reachable from the internet, which HIPAA programs treat as public.
const domain: ResourceHandler = on<{ vpcOptions?: { subnetIds?: string[] } }>((p, args, report) => {
    const vpc = p.vpcOptions;
    const subnets = vpc ? probe(vpc, "subnetIds") : { state: "absent" as const };
    const inVpc = subnets.state === "unknown" || (subnets.state === "known" && asArray(subnets.value).length > 0);
    if (!inVpc) {
        report(`${subject(args)} has a public endpoint (no vpcOptions.subnetIds): place it in a VPC with vpcOptions: { subnetIds, securityGroupIds } (this creates a new domain; migrate through a snapshot).`);
    }
});

export const noPublicDataStores: ResourceValidationPolicy = {
    name: "no-public-data-stores",
    description: "RDS instances, Redshift clusters and workgroups, OpenSearch domains and DMS replication instances are not reachable from the internet.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: hipaa("164.312(a)(1)", "164.308(a)(4)", "164.312(e)(1)"),
    remediationSteps:
        "Set `publiclyAccessible: false` (RDS, Aurora instances, Redshift, Redshift Serverless, DMS) and give OpenSearch domains " +
        "`vpcOptions` with private subnets. There is no automatic remediation: closing a public endpoint cuts off whoever uses " +
        "it, so plan the client move (VPN, PrivateLink, bastion) first.",
    validateResource: validateTypes({
        [RDS_INSTANCE]: publiclyAccessible,
        [RDS_CLUSTER_INSTANCE]: publiclyAccessible,
        [REDSHIFT_CLUSTER]: publiclyAccessible,
        [REDSHIFT_SERVERLESS_WORKGROUP]: publiclyAccessible,
        [DMS_REPLICATION_INSTANCE]: publiclyAccessible,
        [OPENSEARCH_DOMAIN]: domain,
        [ELASTICSEARCH_DOMAIN]: domain,
    }),
};
