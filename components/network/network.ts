/**
 * Network: the private VPC every data store and compute resource of the platform runs in.
 *
 * HIPAA mapping:
 * - 164.312(e)(1) transmission security: AWS APIs are reached through VPC endpoints (no internet path needed),
 *   security groups admit only TLS ports, and the on-prem site is joined by an IKEv2 IPSec VPN with
 *   AES-256-GCM and elliptic-curve Diffie-Hellman groups.
 * - 164.312(b) audit controls: VPC flow logs (ALL traffic) to a KMS-encrypted log group; VPN tunnel logs.
 * - 164.312(a)(1) access control: endpoint policies admit only this account's principals and, for S3, only this
 *   stack's buckets (plus the AWS-owned package repositories), which blocks exfiltration to foreign buckets.
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { parseCidr } from "../shared/config-keys";
import { vendedLogDeliveryPolicy } from "../shared/log-delivery";
import { IAM_ENDPOINT_REGION, NetworkConfig } from "./settings";
import { PolicyDocument, policyDocument, policyJson, serviceTrustPolicy } from "../shared/iam";
import { NamingContext, regionalArn, resourceName } from "../shared/naming";
import { KeyRef, NetworkRefs, PlatformContext } from "../shared/refs";

/**
 * Interface endpoint services, named as in `com.amazonaws.<region>.<service>`. One endpoint per service.
 * `execute-api` is deliberately NOT in the defaults: with private DNS on, every `*.execute-api` name inside the
 * VPC resolves to the endpoint, which serves only PRIVATE REST APIs; the platform's HTTP API is regional and
 * callers inside the VPC would lose it.
 */
export type InterfaceEndpointService =
    | "kms"
    | "sts"
    | "kinesis-streams"
    | "kinesis-firehose"
    | "glue"
    | "athena"
    | "secretsmanager"
    | "logs"
    | "monitoring"
    | "events"
    | "sns"
    | "sqs"
    | "lambda"
    | "elasticache"
    | "redshift-data"
    | "emr-serverless"
    | "rds-data"
    | "execute-api"
    | "ecr.api"
    | "ecr.dkr"
    | "iam";

/**
 * The endpoint service name of an interface endpoint. IAM is global: its one endpoint service is `com.amazonaws.iam`,
 * offered only in the IAM control plane's Region (us-east-1 in the commercial partition); the others are regional.
 */
export function interfaceEndpointServiceName(region: string, service: InterfaceEndpointService): string {
    return service === "iam" ? "com.amazonaws.iam" : `com.amazonaws.${region}.${service}`;
}

/**
 * What the platform's VPC workloads call (Glue jobs over JDBC, EMR Serverless, Lambda, the Kinesis producers):
 * KMS data keys, STS role sessions, Kinesis and Firehose puts, the Glue catalog, Athena queries, Secrets Manager
 * (the on-prem database password), CloudWatch Logs and metrics. Each interface endpoint costs per AZ-hour, so
 * services only AWS calls on our behalf (SNS from alarms, EventBridge rules, SQS dead-letter delivery) are left out.
 */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly InterfaceEndpointService[] = [
    "kms",
    "sts",
    "kinesis-streams",
    "kinesis-firehose",
    "glue",
    "athena",
    "secretsmanager",
    "logs",
    "monitoring",
];

/**
 * TCP ports the compute security group may reach inside the VPC. Each carries TLS: 443 (endpoints, OpenSearch),
 * 5432 (PostgreSQL/Aurora with `rds.force_ssl`), 5439 (Redshift with `require_ssl`), 6379 (ElastiCache with
 * transit encryption), 2049 (EFS mounted with the TLS mount helper).
 */
export const DEFAULT_COMPUTE_TLS_PORTS: readonly number[] = [443, 2049, 5432, 5439, 6379];

/** Ports compute may reach on-prem over the VPN: HTTPS and the PostgreSQL source database (sslmode=require). */
export const DEFAULT_ON_PREM_TLS_PORTS: readonly number[] = [443, 5432];

/** IKE/IPSec proposals offered on both tunnels (AWS accepts exactly these spellings). */
export const VPN_TUNNEL_CRYPTO = {
    ikeVersions: ["ikev2"],
    phase1EncryptionAlgorithms: ["AES256-GCM-16"],
    phase1IntegrityAlgorithms: ["SHA2-256", "SHA2-384", "SHA2-512"],
    // 19-21: NIST elliptic-curve groups (P-256, P-384, P-521); the MODP groups 2/5/14-18 are weaker or slower.
    phase1DhGroupNumbers: [19, 20, 21],
    phase2EncryptionAlgorithms: ["AES256-GCM-16"],
    phase2IntegrityAlgorithms: ["SHA2-256", "SHA2-384", "SHA2-512"],
    phase2DhGroupNumbers: [19, 20, 21],
} as const;

export interface NetworkArgs {
    context: PlatformContext;
    /** `PlatformConfig.network`: CIDR, AZ count, NAT strategy and the optional on-prem site. */
    network: NetworkConfig;
    /** Customer-managed key of the flow-log and VPN log groups (`keys.logs`). */
    logsKey: KeyRef;
    /**
     * Interface endpoints to create, one per service.
     * @default DEFAULT_INTERFACE_ENDPOINTS
     */
    interfaceEndpoints?: readonly InterfaceEndpointService[];
    /**
     * TLS ports the compute security group may reach inside the VPC.
     * @default DEFAULT_COMPUTE_TLS_PORTS
     */
    computeTlsPorts?: readonly number[];
    /**
     * TLS ports the compute security group may reach in the on-prem CIDRs (only when `network.onPremises` is set).
     * @default DEFAULT_ON_PREM_TLS_PORTS
     */
    onPremTlsPorts?: readonly number[];
    /**
     * Let members of the compute security group reach each other on every TCP port. AWS Glue refuses a connection
     * whose security group lacks this self-referencing rule (Spark workers talk on ephemeral ports); the traffic
     * never leaves the group. Opt out only when no Glue job or EMR cluster runs in this VPC.
     * @default true
     */
    allowIntraComputeTraffic?: boolean;
}

/** This stack's buckets by their deterministic name pattern (`<prefix>-<env>-*`), known at preview. */
function ownBucketArns(naming: NamingContext): string[] {
    const pattern = `arn:${naming.partition}:s3:::${naming.prefix}-${naming.environment}-*`;
    return [pattern, `${pattern}/*`];
}

/**
 * AWS-owned buckets a private subnet without NAT still needs through the S3 gateway endpoint: the Amazon Linux
 * package repositories (EMR on EC2 and any AL2/AL2023 instance run `dnf`/`yum` against them) and, when images are
 * pulled through the ECR endpoints, ECR's layer bucket. Read-only, objects only.
 */
export function awsOwnedBucketObjectArns(naming: NamingContext, interfaceEndpoints: readonly InterfaceEndpointService[]): string[] {
    const p = naming.partition;
    const r = naming.region;
    const arns = [`arn:${p}:s3:::al2023-repos-${r}-de612dc2/*`, `arn:${p}:s3:::amazonlinux-2-repos-${r}/*`];
    if (interfaceEndpoints.includes("ecr.dkr")) {
        arns.push(`arn:${p}:s3:::prod-${r}-starport-layer-bucket/*`);
    }
    return arns;
}

/** The S3 gateway endpoint policy: this account's principals, this stack's buckets, AWS package repositories. */
export function s3EndpointPolicy(naming: NamingContext, interfaceEndpoints: readonly InterfaceEndpointService[]): PolicyDocument {
    return policyDocument([
        {
            Sid: "OwnBucketsOwnPrincipals",
            Effect: "Allow",
            Principal: "*",
            Action: "s3:*",
            Resource: ownBucketArns(naming),
            // The name pattern alone would also match a bucket someone else created with our prefix in another
            // account; aws:ResourceAccount closes that exfiltration path.
            Condition: { StringEquals: { "aws:PrincipalAccount": naming.accountId, "aws:ResourceAccount": naming.accountId } },
        },
        {
            Sid: "AwsOwnedPackageRepositories",
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: awsOwnedBucketObjectArns(naming, interfaceEndpoints),
            Condition: { StringEquals: { "aws:PrincipalAccount": naming.accountId } },
        },
    ]);
}

/** The DynamoDB gateway endpoint policy: this account's principals on this stack's tables. */
export function dynamoDbEndpointPolicy(naming: NamingContext): PolicyDocument {
    const table = regionalArn(naming, "dynamodb", `table/${naming.prefix}-${naming.environment}-*`);
    return policyDocument([
        {
            Sid: "OwnTablesOwnPrincipals",
            Effect: "Allow",
            Principal: "*",
            Action: "dynamodb:*",
            Resource: [table, `${table}/*`],
            Condition: { StringEquals: { "aws:PrincipalAccount": naming.accountId } },
        },
        {
            // Account-level calls that have no table ARN (SDK endpoint discovery, ListTables).
            Sid: "AccountLevelReads",
            Effect: "Allow",
            Principal: "*",
            Action: ["dynamodb:DescribeEndpoints", "dynamodb:DescribeLimits", "dynamodb:ListTables"],
            Resource: "*",
            Condition: { StringEquals: { "aws:PrincipalAccount": naming.accountId } },
        },
    ]);
}

/**
 * Interface endpoint policy: only this account's principals, and only resources of this account wherever the
 * service reports `aws:ResourceAccount` (IfExists keeps resource-less calls such as sts:GetCallerIdentity or
 * cloudwatch:PutMetricData working).
 */
export function interfaceEndpointPolicy(naming: NamingContext): PolicyDocument {
    return policyDocument([
        {
            Sid: "OwnAccountOnly",
            Effect: "Allow",
            Principal: "*",
            Action: "*",
            Resource: "*",
            Condition: {
                StringEquals: { "aws:PrincipalAccount": naming.accountId },
                StringEqualsIfExists: { "aws:ResourceAccount": naming.accountId },
            },
        },
    ]);
}

/** Subnet masks: the VPC split evenly across AZs, half of each AZ block private, a /28-sized public slice for NAT. */
export function subnetMasks(vpcCidr: string, azCount: number): { private: number; public: number } {
    const parsed = parseCidr(vpcCidr);
    if (!parsed) {
        throw new Error(`Network: network.vpcCidr must be an IPv4 CIDR block such as 10.40.0.0/16, got '${vpcCidr}'`);
    }
    const azMask = parsed[1] + Math.ceil(Math.log2(azCount));
    const privateMask = azMask + 1;
    // AWS's smallest subnet is a /28; a NAT gateway needs one address, so the public slice stays small.
    const publicMask = Math.min(azMask + 4, 28);
    if (privateMask > 28) {
        throw new Error(`Network: network.vpcCidr ${vpcCidr} is too small for ${azCount} availability zones (private subnets would be /${privateMask}; AWS's smallest is /28)`);
    }
    return { private: privateMask, public: publicMask };
}

const NAT_STRATEGY: Record<NetworkConfig["natGateways"], awsx.types.enums.ec2.NatGatewayStrategy> = {
    none: "None",
    single: "Single",
    onePerAz: "OnePerAz",
};

export class Network extends pulumi.ComponentResource {
    /** What other areas consume. */
    readonly refs: NetworkRefs;
    readonly vpc: awsx.ec2.Vpc;
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Route tables of the private subnets (sorted), looked up by subnet association. */
    readonly privateRouteTableIds: pulumi.Output<string[]>;
    readonly endpointSecurityGroup: aws.ec2.SecurityGroup;
    readonly computeSecurityGroup: aws.ec2.SecurityGroup;
    readonly flowLogGroup: aws.cloudwatch.LogGroup;
    readonly flowLog: aws.ec2.FlowLog;
    readonly gatewayEndpoints: Record<"s3" | "dynamodb", aws.ec2.VpcEndpoint>;
    readonly interfaceEndpoints: Partial<Record<InterfaceEndpointService, aws.ec2.VpcEndpoint>>;
    /** Present only when `network.onPremises` is configured. */
    readonly vpn?: {
        customerGateway: aws.ec2.CustomerGateway;
        vpnGateway: aws.ec2.VpnGateway;
        connection: aws.ec2.VpnConnection;
        logGroup: aws.cloudwatch.LogGroup;
    };
    /** Route 53 Resolver forwarding of the on-prem domain (when `network.onPremises.dns` is set). */
    readonly onPremDns?: {
        securityGroup: aws.ec2.SecurityGroup;
        endpoint: aws.route53.ResolverEndpoint;
        rule: aws.route53.ResolverRule;
        association: aws.route53.ResolverRuleAssociation;
    };

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:network:Network", name, {}, opts);
        const { naming, protect } = args.context;
        const net = args.network;
        const endpoints = [...(args.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS)];
        if (endpoints.includes("iam") && naming.region !== IAM_ENDPOINT_REGION) {
            throw new Error(
                `Network '${name}': interfaceEndpoints lists 'iam', whose endpoint service (com.amazonaws.iam) AWS offers only in ${IAM_ENDPOINT_REGION}; the stack's region is ${naming.region}`,
            );
        }
        const duplicate = endpoints.find((e, i) => endpoints.indexOf(e) !== i);
        if (duplicate) {
            throw new Error(`Network '${name}': interfaceEndpoints lists '${duplicate}' twice; expected one endpoint per service`);
        }
        const computePorts = [...(args.computeTlsPorts ?? DEFAULT_COMPUTE_TLS_PORTS)];
        const onPremPorts = [...(args.onPremTlsPorts ?? DEFAULT_ON_PREM_TLS_PORTS)];
        for (const [key, ports] of [["computeTlsPorts", computePorts], ["onPremTlsPorts", onPremPorts]] as const) {
            const bad = ports.find((p) => !Number.isInteger(p) || p < 1 || p > 65535);
            if (bad !== undefined) {
                throw new Error(`Network '${name}': ${key} must hold TCP ports 1-65535, got ${JSON.stringify(bad)}`);
            }
        }
        const onPrem = net.onPremises;
        const onPremCidrs = onPrem?.cidrs ?? [];
        const child = { parent: this };
        const stateful = { parent: this, protect };

        // --- VPC ---------------------------------------------------------------------------------------------
        // Private subnets only, unless NAT is asked for: a NAT gateway must sit in a public subnet. Data stores never
        // get a public subnet; AWS APIs are reached through the endpoints below.
        const masks = subnetMasks(net.vpcCidr, net.availabilityZones);
        const subnetSpecs: awsx.types.input.ec2.SubnetSpecArgs[] = [{ type: "Private", cidrMask: masks.private, name: "private" }];
        if (net.natGateways !== "none") {
            subnetSpecs.push({ type: "Public", cidrMask: masks.public, name: "public" });
        }
        this.vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: net.vpcCidr,
                numberOfAvailabilityZones: net.availabilityZones,
                // Pinned: awsx's default ("Legacy") is announced to change, and a new layout would replace subnets.
                subnetStrategy: "Auto",
                subnetSpecs,
                natGateways: { strategy: NAT_STRATEGY[net.natGateways] },
                // Private DNS of interface endpoints needs both DNS attributes.
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: { Name: resourceName(naming, name) },
            },
            // Replacing the VPC would replace every subnet, endpoint and data store in it.
            stateful,
        );
        this.vpcId = this.vpc.vpcId;
        this.privateSubnetIds = this.vpc.privateSubnetIds;
        this.publicSubnetIds = this.vpc.publicSubnetIds;

        // awsx exposes its route tables only as resource references, which a program cannot turn into ids without
        // the engine resolving them (and offline mocks cannot fake). The ids are read back from EC2 instead, by the
        // private subnets' associations: awsx gives every subnet its own route table, so there is exactly one per AZ.
        // The lookup runs after the Vpc component resolved its outputs, i.e. after awsx created the associations.
        const routeTables = aws.ec2.getRouteTablesOutput(
            {
                vpcId: this.vpc.vpcId,
                filters: [{ name: "association.subnet-id", values: this.vpc.privateSubnetIds }],
            },
            child,
        );
        this.privateRouteTableIds = routeTables.ids.apply((ids) => [...ids].sort());

        // --- Security groups ---------------------------------------------------------------------------------
        // Rules are separate resources so that other areas may add their own rules to these groups without the
        // inline rule sets of one resource removing them on the next update.
        this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-endpoints-sg`,
            {
                name: resourceName(naming, `${name}-endpoints`),
                description: "Interface VPC endpoints: HTTPS from inside the VPC only",
                vpcId: this.vpc.vpcId,
                // No egress rule: the provider removes AWS's default allow-all egress at creation, and an endpoint
                // only answers (security groups are stateful). Revoking on delete frees cross-group references.
                revokeRulesOnDelete: true,
            },
            child,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-endpoints-https-in`,
            {
                securityGroupId: this.endpointSecurityGroup.id,
                description: "HTTPS to AWS APIs from the VPC",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: net.vpcCidr,
            },
            child,
        );

        this.computeSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-compute-sg`,
            {
                name: resourceName(naming, `${name}-compute`),
                description: "Platform compute (Lambda, Glue, EMR): egress only to TLS ports in the VPC and on-prem",
                vpcId: this.vpc.vpcId,
                revokeRulesOnDelete: true,
            },
            child,
        );
        for (const port of computePorts) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-compute-out-vpc-${port}`,
                {
                    securityGroupId: this.computeSecurityGroup.id,
                    description: `TLS port ${port} inside the VPC`,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrIpv4: net.vpcCidr,
                },
                child,
            );
        }
        onPremCidrs.forEach((cidr, i) => {
            for (const port of onPremPorts) {
                new aws.vpc.SecurityGroupEgressRule(
                    `${name}-compute-out-onprem${i}-${port}`,
                    {
                        securityGroupId: this.computeSecurityGroup.id,
                        description: `TLS port ${port} to on-prem ${cidr} over the IPSec VPN`,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        cidrIpv4: cidr,
                    },
                    child,
                );
            }
        });
        if (args.allowIntraComputeTraffic ?? true) {
            for (const direction of ["in", "out"] as const) {
                const ruleArgs = {
                    securityGroupId: this.computeSecurityGroup.id,
                    description: "Glue/Spark workers of the same group talk on ephemeral ports (Glue requires this self-reference)",
                    ipProtocol: "tcp",
                    fromPort: 0,
                    toPort: 65535,
                    referencedSecurityGroupId: this.computeSecurityGroup.id,
                };
                if (direction === "in") {
                    new aws.vpc.SecurityGroupIngressRule(`${name}-compute-self-in`, ruleArgs, child);
                } else {
                    new aws.vpc.SecurityGroupEgressRule(`${name}-compute-self-out`, ruleArgs, child);
                }
            }
        }

        // --- Gateway endpoints (S3, DynamoDB): free, routed through the private route tables ------------------
        const gateway = (service: "s3" | "dynamodb", policy: PolicyDocument) =>
            new aws.ec2.VpcEndpoint(
                `${name}-${service}-endpoint`,
                {
                    vpcId: this.vpc.vpcId,
                    serviceName: `com.amazonaws.${naming.region}.${service}`,
                    vpcEndpointType: "Gateway",
                    routeTableIds: this.privateRouteTableIds,
                    policy: policyJson(policy),
                    tags: { Name: resourceName(naming, `${name}-${service}`) },
                },
                child,
            );
        this.gatewayEndpoints = {
            s3: gateway("s3", s3EndpointPolicy(naming, endpoints)),
            dynamodb: gateway("dynamodb", dynamoDbEndpointPolicy(naming)),
        };
        // Gateway endpoints are reached at the services' public addresses, which the "inside the VPC" rules do not
        // cover: compute may send HTTPS to the two AWS-managed prefix lists (and nowhere else on the internet).
        for (const service of ["s3", "dynamodb"] as const) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-compute-out-${service}-endpoint`,
                {
                    securityGroupId: this.computeSecurityGroup.id,
                    description: `HTTPS to ${service} through its gateway endpoint`,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    prefixListId: this.gatewayEndpoints[service].prefixListId,
                },
                child,
            );
        }

        // --- Interface endpoints -----------------------------------------------------------------------------
        const interfacePolicy = policyJson(interfaceEndpointPolicy(naming));
        this.interfaceEndpoints = {};
        for (const service of endpoints) {
            this.interfaceEndpoints[service] = new aws.ec2.VpcEndpoint(
                `${name}-${service.replace(/\./g, "-")}-endpoint`,
                {
                    vpcId: this.vpc.vpcId,
                    serviceName: interfaceEndpointServiceName(naming.region, service),
                    vpcEndpointType: "Interface",
                    subnetIds: this.vpc.privateSubnetIds,
                    securityGroupIds: [this.endpointSecurityGroup.id],
                    // The SDKs keep their default hostnames and still stay inside the VPC.
                    privateDnsEnabled: true,
                    policy: interfacePolicy,
                    tags: { Name: resourceName(naming, `${name}-${service.replace(/\./g, "-")}`) },
                },
                child,
            );
        }

        // --- Flow logs ---------------------------------------------------------------------------------------
        const flowLogGroupName = `/aws/vpc-flow-logs/${resourceName(naming, name, "logGroup")}`;
        this.flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            {
                name: flowLogGroupName,
                kmsKeyId: args.logsKey.arn,
                retentionInDays: args.context.logRetentionDays,
                deletionProtectionEnabled: protect,
            },
            stateful,
        );
        const flowLogRoleName = resourceName(naming, `${name}-flow-logs`, "iam");
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs-role`,
            {
                name: flowLogRoleName,
                description: "VPC flow logs delivery to CloudWatch Logs",
                assumeRolePolicy: flowLogTrustPolicy(naming),
            },
            child,
        );
        const flowLogDelivery = new aws.iam.RolePolicy(
            `${name}-flow-logs-delivery`,
            {
                name: "deliver-flow-logs",
                role: flowLogRole.name,
                policy: policyJson(flowLogDeliveryPolicy(naming, flowLogGroupName)),
            },
            child,
        );
        this.flowLog = new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: this.vpc.vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: this.flowLogGroup.arn,
                iamRoleArn: flowLogRole.arn,
                // One-minute aggregation: incident timelines need better than the 10-minute default.
                maxAggregationInterval: 60,
                tags: { Name: resourceName(naming, `${name}-flow-log`) },
            },
            { parent: this, dependsOn: [flowLogDelivery] },
        );

        // --- Site-to-site VPN --------------------------------------------------------------------------------
        if (onPrem) {
            this.vpn = this.createVpn(name, args, onPrem);
            if (onPrem.dns) this.onPremDns = this.createOnPremDns(name, args, onPrem.dns);
        }

        this.refs = {
            vpcId: this.vpc.vpcId,
            vpcCidr: net.vpcCidr,
            privateSubnetIds: this.vpc.privateSubnetIds,
            computeSecurityGroupId: this.computeSecurityGroup.id,
            onPremCidrs,
        };
        this.registerOutputs({
            vpcId: this.vpcId,
            vpcCidr: net.vpcCidr,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            privateRouteTableIds: this.privateRouteTableIds,
            computeSecurityGroupId: this.computeSecurityGroup.id,
            endpointSecurityGroupId: this.endpointSecurityGroup.id,
            flowLogGroupName: this.flowLogGroup.name,
            vpnConnectionId: this.vpn?.connection.id,
        });
    }

    /**
     * On-prem names (the ETL job's JDBC host) resolve in the VPC only through the on-prem DNS: a Resolver outbound
     * endpoint in two private subnets (AWS requires at least two IPs, one per subnet, for availability) forwards
     * queries for the on-prem domain over the VPN. Its security group lets it reach the configured resolvers on
     * TCP and UDP 53 and nothing else; it takes no inbound traffic (outbound endpoints only initiate queries).
     */
    private createOnPremDns(name: string, args: NetworkArgs, dns: { domain: string; resolverIps: string[] }): NonNullable<Network["onPremDns"]> {
        const { naming } = args.context;
        const child = { parent: this };
        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-dns-sg`,
            {
                name: resourceName(naming, `${name}-dns-outbound`),
                description: `Route 53 Resolver outbound endpoint: DNS (53) to the on-prem resolvers of ${dns.domain} only`,
                vpcId: this.vpc.vpcId,
                revokeRulesOnDelete: true,
            },
            child,
        );
        dns.resolverIps.forEach((ip, i) => {
            for (const protocol of ["udp", "tcp"]) {
                new aws.vpc.SecurityGroupEgressRule(
                    `${name}-dns-out-${protocol}-${i}`,
                    { securityGroupId: securityGroup.id, description: `DNS (${protocol}) to on-prem resolver ${ip}`, ipProtocol: protocol, fromPort: 53, toPort: 53, cidrIpv4: `${ip}/32` },
                    child,
                );
            }
        });
        const subnet = (i: number) =>
            this.vpc.privateSubnetIds.apply((ids) => {
                if (ids.length < 2) throw new Error(`Network '${name}': the Resolver endpoint needs two private subnets, found ${ids.length}`);
                return ids[i];
            });
        const endpoint = new aws.route53.ResolverEndpoint(
            `${name}-dns-outbound`,
            {
                name: resourceName(naming, `${name}-dns-outbound`),
                direction: "OUTBOUND",
                securityGroupIds: [securityGroup.id],
                ipAddresses: [{ subnetId: subnet(0) }, { subnetId: subnet(1) }],
            },
            child,
        );
        const rule = new aws.route53.ResolverRule(
            `${name}-dns-forward`,
            {
                name: resourceName(naming, `${name}-dns-forward`),
                ruleType: "FORWARD",
                domainName: dns.domain,
                resolverEndpointId: endpoint.id,
                targetIps: dns.resolverIps.map((ip) => ({ ip, port: 53 })),
            },
            child,
        );
        const association = new aws.route53.ResolverRuleAssociation(`${name}-dns-forward-vpc`, { resolverRuleId: rule.id, vpcId: this.vpc.vpcId }, child);
        return { securityGroup, endpoint, rule, association };
    }

    private createVpn(name: string, args: NetworkArgs, onPrem: NonNullable<NetworkConfig["onPremises"]>): NonNullable<Network["vpn"]> {
        const { naming, protect } = args.context;
        // Replacing any of these changes the tunnel endpoints and pre-shared keys, which breaks the site until the
        // hospital reconfigures its device: protected in prod.
        const stateful = { parent: this, protect };
        // Customer gateway ASNs above 2^31-1 go in the extended field (4-byte ASN).
        const asnField = onPrem.bgpAsn > 2147483647 ? { bgpAsnExtended: String(onPrem.bgpAsn) } : { bgpAsn: String(onPrem.bgpAsn) };
        const customerGateway = new aws.ec2.CustomerGateway(
            `${name}-customer-gateway`,
            {
                type: "ipsec.1",
                ipAddress: onPrem.vpnPeerIp,
                ...asnField,
                tags: { Name: resourceName(naming, `${name}-onprem`) },
            },
            stateful,
        );
        const vpnGateway = new aws.ec2.VpnGateway(
            `${name}-vpn-gateway`,
            { vpcId: this.vpc.vpcId, tags: { Name: resourceName(naming, `${name}-vgw`) } },
            stateful,
        );
        const logGroupName = `/aws/vpn/${resourceName(naming, name, "logGroup")}`;
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-vpn-logs`,
            {
                name: logGroupName,
                kmsKeyId: args.logsKey.arn,
                retentionInDays: args.context.logRetentionDays,
                deletionProtectionEnabled: protect,
            },
            stateful,
        );
        // Tunnel logs are vended logs: CloudWatch Logs' delivery service writes them through this resource policy.
        const logDelivery = new aws.cloudwatch.LogResourcePolicy(
            `${name}-vpn-log-delivery`,
            { policyName: resourceName(naming, `${name}-vpn-log-delivery`), policyDocument: vendedLogDeliveryPolicy(naming, [logGroupName]) },
            { parent: this },
        );
        const tunnel = {
            ikeVersions: [...VPN_TUNNEL_CRYPTO.ikeVersions],
            phase1EncryptionAlgorithms: [...VPN_TUNNEL_CRYPTO.phase1EncryptionAlgorithms],
            phase1IntegrityAlgorithms: [...VPN_TUNNEL_CRYPTO.phase1IntegrityAlgorithms],
            phase1DhGroupNumbers: [...VPN_TUNNEL_CRYPTO.phase1DhGroupNumbers],
            phase2EncryptionAlgorithms: [...VPN_TUNNEL_CRYPTO.phase2EncryptionAlgorithms],
            phase2IntegrityAlgorithms: [...VPN_TUNNEL_CRYPTO.phase2IntegrityAlgorithms],
            phase2DhGroupNumbers: [...VPN_TUNNEL_CRYPTO.phase2DhGroupNumbers],
            // A dead peer is re-negotiated instead of leaving the tunnel down until on-prem retries.
            dpdTimeoutAction: "restart",
            logOptions: { cloudwatchLogOptions: { logEnabled: true, logGroupArn: logGroup.arn, logOutputFormat: "json" } },
        };
        const connection = new aws.ec2.VpnConnection(
            `${name}-vpn`,
            {
                type: "ipsec.1",
                customerGatewayId: customerGateway.id,
                vpnGatewayId: vpnGateway.id,
                staticRoutesOnly: onPrem.staticRoutesOnly,
                // The pre-shared keys stay in Secrets Manager instead of the Pulumi state (no secrets in state).
                presharedKeyStorage: "SecretsManager",
                tunnel1IkeVersions: tunnel.ikeVersions,
                tunnel1Phase1EncryptionAlgorithms: tunnel.phase1EncryptionAlgorithms,
                tunnel1Phase1IntegrityAlgorithms: tunnel.phase1IntegrityAlgorithms,
                tunnel1Phase1DhGroupNumbers: tunnel.phase1DhGroupNumbers,
                tunnel1Phase2EncryptionAlgorithms: tunnel.phase2EncryptionAlgorithms,
                tunnel1Phase2IntegrityAlgorithms: tunnel.phase2IntegrityAlgorithms,
                tunnel1Phase2DhGroupNumbers: tunnel.phase2DhGroupNumbers,
                tunnel1DpdTimeoutAction: tunnel.dpdTimeoutAction,
                tunnel1LogOptions: tunnel.logOptions,
                tunnel2IkeVersions: tunnel.ikeVersions,
                tunnel2Phase1EncryptionAlgorithms: tunnel.phase1EncryptionAlgorithms,
                tunnel2Phase1IntegrityAlgorithms: tunnel.phase1IntegrityAlgorithms,
                tunnel2Phase1DhGroupNumbers: tunnel.phase1DhGroupNumbers,
                tunnel2Phase2EncryptionAlgorithms: tunnel.phase2EncryptionAlgorithms,
                tunnel2Phase2IntegrityAlgorithms: tunnel.phase2IntegrityAlgorithms,
                tunnel2Phase2DhGroupNumbers: tunnel.phase2DhGroupNumbers,
                tunnel2DpdTimeoutAction: tunnel.dpdTimeoutAction,
                tunnel2LogOptions: tunnel.logOptions,
                tags: { Name: resourceName(naming, `${name}-vpn`) },
            },
            { ...stateful, dependsOn: [logDelivery] },
        );
        // Static routing needs one route per on-prem network; with BGP the device advertises them and AWS rejects
        // static routes on the connection.
        if (onPrem.staticRoutesOnly) {
            onPrem.cidrs.forEach((cidr, i) => {
                new aws.ec2.VpnConnectionRoute(`${name}-vpn-route-${i}`, { vpnConnectionId: connection.id, destinationCidrBlock: cidr }, { parent: this });
            });
        }
        // The VGW propagates the on-prem routes (static or BGP-learned) into each private route table. The count is
        // the AZ count (one route table per private subnet), known before the ids are.
        const expected = args.network.availabilityZones;
        for (let i = 0; i < expected; i++) {
            new aws.ec2.VpnGatewayRoutePropagation(
                `${name}-vpn-propagation-${i}`,
                {
                    vpnGatewayId: vpnGateway.id,
                    routeTableId: this.privateRouteTableIds.apply((ids) => {
                        if (ids.length !== expected) {
                            throw new Error(
                                `Network '${name}': expected ${expected} private route tables (one per availability zone) in the VPC, found ${ids.length}: ${ids.join(", ")}`,
                            );
                        }
                        return ids[i];
                    }),
                },
                { parent: this },
            );
        }
        return { customerGateway, vpnGateway, connection, logGroup };
    }
}

/** Trust of the flow-log delivery role: the VPC Flow Logs service, for flow logs of this account only. */
export function flowLogTrustPolicy(naming: NamingContext): pulumi.Output<string> {
    // Confused-deputy protection: only flow logs owned by this account may use the role.
    return serviceTrustPolicy("vpc-flow-logs.amazonaws.com", { sourceAccount: naming.accountId, sourceArn: regionalArn(naming, "ec2", "vpc-flow-log/*") });
}

/** Least privilege for flow-log delivery: write streams of the one log group (DescribeLogGroups has no narrower ARN). */
export function flowLogDeliveryPolicy(naming: NamingContext, logGroupName: string): PolicyDocument {
    const group = regionalArn(naming, "logs", `log-group:${logGroupName}`);
    return policyDocument([
        {
            Sid: "WriteFlowLogStreams",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [group, `${group}:log-stream:*`],
        },
        {
            Sid: "FindLogGroup",
            Effect: "Allow",
            Action: "logs:DescribeLogGroups",
            Resource: regionalArn(naming, "logs", "log-group:*"),
        },
    ]);
}
