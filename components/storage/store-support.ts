/**
 * Helpers shared by the storage components (no component here): the private security group every data
 * store sits behind, the tag the AWS Backup selection matches, and engine-version parsing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NamingContext, resourceName } from "../shared/naming";
import { NetworkRefs } from "../shared/refs";

/**
 * Tag that puts a resource into the platform's AWS Backup plan (see `backup.ts`). Stores whose ARN is only
 * known after creation (EFS, EBS) are selected through it; RDS and DynamoDB are also passed by ARN.
 */
export const BACKUP_TAG = { key: "backup", value: "true" } as const;

/** A port or an inclusive port range a store listens on. */
export interface StorePorts {
    fromPort: number;
    toPort: number;
}

export interface StoreSecurityGroupArgs {
    naming: NamingContext;
    network: Pick<NetworkRefs, "vpcId" | "computeSecurityGroupId">;
    /** Physical name role, e.g. `database` gives `hdp-prod-database-sg`. */
    role: string;
    /** What the group protects, for the description (`PostgreSQL`, `Valkey`). */
    service: string;
    ports: StorePorts;
}

export interface StoreSecurityGroup {
    securityGroup: aws.ec2.SecurityGroup;
    ingress: aws.vpc.SecurityGroupIngressRule;
}

/**
 * A security group that admits the store's port from the platform's compute security group and nothing
 * else (HIPAA 164.312(a)(1), 164.312(e)(1)): no CIDR ingress, no egress rule (a data store never opens
 * connections; the provider removes AWS's default allow-all egress when it creates the group).
 *
 * Children are `${name}-sg` and `${name}-sg-ingress`, parented to `parent`.
 */
export function storeSecurityGroup(parent: pulumi.Resource, name: string, args: StoreSecurityGroupArgs): StoreSecurityGroup {
    const groupName = resourceName(args.naming, `${args.role}-sg`);
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            name: groupName,
            description: `${args.service} (${args.role}): ingress only from the platform compute security group`,
            vpcId: args.network.vpcId,
            // Rules live in separate resources (below); revoking them first lets a replacement of the group finish.
            revokeRulesOnDelete: true,
            tags: { Name: groupName },
        },
        { parent },
    );
    const { fromPort, toPort } = args.ports;
    const portText = fromPort === toPort ? `${fromPort}` : `${fromPort}-${toPort}`;
    const ingress = new aws.vpc.SecurityGroupIngressRule(
        `${name}-sg-ingress`,
        {
            securityGroupId: securityGroup.id,
            description: `${args.service} ${portText}/tcp from the compute security group`,
            ipProtocol: "tcp",
            fromPort,
            toPort,
            referencedSecurityGroupId: args.network.computeSecurityGroupId,
        },
        { parent },
    );
    return { securityGroup, ingress };
}

/** Major version of an engine version string (`16.4` gives `16`); throws naming the argument otherwise. */
export function majorVersion(engineVersion: string, what: string): number {
    const m = /^(\d+)(\.\d+)*$/.exec(engineVersion);
    if (!m) {
        throw new Error(`${what}: expected an engine version such as 16.4, got '${engineVersion}'`);
    }
    return Number(m[1]);
}

/** The private subnets as a plain count when they are a plain array (decides how many resources exist). */
export function plainLength(ids: pulumi.Input<pulumi.Input<string>[]>): number | undefined {
    return Array.isArray(ids) ? ids.length : undefined;
}
