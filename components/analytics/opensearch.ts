/**
 * OpenSearchDomain: search over inventory and curated data, for the analytics area (created when
 * `opensearchEnabled`).
 *
 * - VPC only (private subnets, a security group that admits HTTPS from the platform's compute only).
 * - Encrypted at rest with the databases key, node-to-node encryption, HTTPS only with
 *   `Policy-Min-TLS-1-2-PFS-2023-10` (HIPAA 164.312(a)(2)(iv), 164.312(e)(1)).
 * - Fine-grained access control with an IAM master role (no master password exists); the access policy admits IAM
 *   principals of this account only (164.312(a)(1), 164.312(d)).
 * - Audit, slow and error logs to KMS-encrypted log groups; audit logs kept as audit evidence (164.312(b),
 *   164.316(b)(2)).
 * - Zone awareness when it has more than one node (prod): nodes spread evenly over two or three zones.
 *
 * Until this component existed, `PresentationApi` registered these resources; `formerOwner` aliases each child to
 * its old URN, so an existing stack adopts them instead of replacing them (a replaced domain loses its indexes).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../shared/iam";
import { accountRootArn, globalArn, regionalArn, resourceName } from "../shared/naming";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { AnalyticsConfig, openSearchZones } from "./settings";

/** The OpenSearch TLS policy: TLS 1.2+ with perfect-forward-secrecy ciphers only. */
export const OPENSEARCH_TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10";

/** The component that registered a moved child before, and that child's name there. */
export interface FormerOwner {
    /** The component that owned the children (its URN is the children's old parent). */
    component: pulumi.Resource;
    /** That component's name; old child names were `<name>-<old role>`. */
    name: string;
}

/**
 * Aliases of a moved child: the URN it had as `<former name>-<old role>` of type `type` under the former owner (none
 * for a new stack). Full URNs rather than alias specs, so the recording shows exactly which state is adopted.
 */
export function formerlyUnder(former: FormerOwner | undefined): (oldRole: string, type: string) => pulumi.Input<string>[] {
    return (oldRole, type) => (former ? [pulumi.createUrn(`${former.name}-${oldRole}`, type, former.component)] : []);
}

export interface OpenSearchDomainArgs {
    context: PlatformContext;
    /** logs: the log groups; databases: encryption at rest. */
    keys: Pick<PlatformKeyRefs, "logs" | "databases">;
    /** Private subnets (one per zone used) and the compute security group admitted on 443. */
    network: NetworkRefs;
    /** Instance type and count (`PlatformConfig.analytics.opensearch`); whether the domain exists is the caller's decision. */
    settings: Omit<AnalyticsConfig["opensearch"], "enabled">;
    /** Retention of the audit log group (HIPAA 164.316(b)(2): six years in prod). @default context.logRetentionDays */
    auditLogRetentionDays?: number;
    /** Data-node EBS volume size. @default 20 */
    volumeGiB?: number;
    /** Engine. @default "OpenSearch_2.17" */
    engineVersion?: string;
    /** The component that registered these resources before (see the file comment). @default none (a new stack) */
    formerOwner?: FormerOwner;
    /**
     * Who may assume the master role (`SecurityConfig.access`): named IAM principals of the account, or the account's
     * principals when none are named; with MFA unless `requireMfa` is false (IdP-enforced MFA).
     * @default { trustedPrincipalArns: [], requireMfa: true }
     */
    admins?: { trustedPrincipalArns: string[]; requireMfa: boolean };
}

export class OpenSearchDomain extends pulumi.ComponentResource {
    readonly domain: aws.opensearch.Domain;
    readonly masterRole: aws.iam.Role;
    /** Known at preview. */
    readonly domainName: string;
    readonly domainArn: string;

    constructor(name: string, args: OpenSearchDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:analytics:OpenSearchDomain", name, {}, opts);
        const { naming, protect, logRetentionDays } = args.context;
        const auditRetentionDays = args.auditLogRetentionDays ?? logRetentionDays;
        const formerly = formerlyUnder(args.formerOwner);

        const os = args.settings;
        const domainName = resourceName(naming, "search", "opensearch");
        const domainArn = regionalArn(naming, "es", `domain/${domainName}`);
        const zoneAware = os.instanceCount > 1;
        // The count spreads evenly over zones the network has: validated with the config (./settings.ts).
        const azCount = openSearchZones(os.instanceCount);
        const subnetIds = pulumi.output(args.network.privateSubnetIds).apply((ids) => ids.slice(0, azCount));

        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: resourceName(naming, "search", "generic"),
                description: "OpenSearch: HTTPS from the platform's compute only",
                vpcId: args.network.vpcId,
                ingress: [{ description: "HTTPS from compute", protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [args.network.computeSecurityGroupId] }],
                egress: [],
            },
            { parent: this, aliases: formerly("search-sg", "aws:ec2/securityGroup:SecurityGroup") },
        );

        const logTypes = { AUDIT_LOGS: "audit", INDEX_SLOW_LOGS: "index-slow", SEARCH_SLOW_LOGS: "search-slow", ES_APPLICATION_LOGS: "application" } as const;
        const logGroups = Object.entries(logTypes).map(([logType, suffix]) => {
            const groupName = `/aws/opensearch/${domainName}/${suffix}`;
            const retentionInDays = logType === "AUDIT_LOGS" ? auditRetentionDays : logRetentionDays;
            const group = new aws.cloudwatch.LogGroup(`${name}-${suffix}-logs`, { name: groupName, kmsKeyId: args.keys.logs.arn, retentionInDays }, { parent: this, aliases: formerly(`search-${suffix}-logs`, "aws:cloudwatch/logGroup:LogGroup") });
            return { logType, group, arn: regionalArn(naming, "logs", `log-group:${groupName}`) };
        });
        const logPolicy = new aws.cloudwatch.LogResourcePolicy(
            `${name}-log-policy`,
            {
                policyName: `${domainName}-logs`,
                policyDocument: policyJson([
                    {
                        Sid: "OpenSearchLogDelivery",
                        Effect: "Allow",
                        Principal: { Service: "es.amazonaws.com" },
                        Action: ["logs:PutLogEvents", "logs:CreateLogStream"],
                        Resource: logGroups.map((g) => `${g.arn}:*`),
                        // Only this account's domain may write (confused-deputy guard).
                        Condition: { StringEquals: { "aws:SourceAccount": naming.accountId }, ArnLike: { "aws:SourceArn": domainArn } },
                    },
                ]),
            },
            { parent: this, aliases: formerly("search-log-policy", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy") },
        );

        const masterRoleName = resourceName(naming, "search-admin", "iam");
        const admins = args.admins ?? { trustedPrincipalArns: [], requireMfa: true };
        this.masterRole = new aws.iam.Role(
            `${name}-admin`,
            {
                name: masterRoleName,
                description: "OpenSearch fine-grained access control master user; assumable by account principals allowed to.",
                // A person administers the search cluster: named principals (or the account's, delegated to their own
                // policies), with MFA by default; never any role of the account without a condition.
                assumeRolePolicy: policyJson([
                    {
                        Effect: "Allow",
                        Principal: { AWS: admins.trustedPrincipalArns.length > 0 ? admins.trustedPrincipalArns : accountRootArn(naming) },
                        Action: "sts:AssumeRole",
                        ...(admins.requireMfa ? { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } } : {}),
                    },
                ]),
                maxSessionDuration: 3600,
            },
            { parent: this, aliases: formerly("search-admin", "aws:iam/role:Role") },
        );

        // A domain in a VPC needs OpenSearch's service-linked role to place its network interfaces. AWS allows one per
        // account: created here unless the account already has it (opensearchServiceLinkedRoleExists).
        const serviceRole = os.serviceLinkedRoleExists
            ? undefined
            : new aws.iam.ServiceLinkedRole(`${name}-service-role`, { awsServiceName: "opensearchservice.amazonaws.com" }, { parent: this });
        this.domain = new aws.opensearch.Domain(
            `${name}-domain`,
            {
                domainName,
                engineVersion: args.engineVersion ?? "OpenSearch_2.17",
                clusterConfig: {
                    instanceType: os.instanceType,
                    instanceCount: os.instanceCount,
                    zoneAwarenessEnabled: zoneAware,
                    zoneAwarenessConfig: zoneAware ? { availabilityZoneCount: azCount } : undefined,
                },
                vpcOptions: { subnetIds, securityGroupIds: [sg.id] },
                ebsOptions: { ebsEnabled: true, volumeType: "gp3", volumeSize: args.volumeGiB ?? 20 },
                encryptAtRest: { enabled: true, kmsKeyId: args.keys.databases.arn },
                nodeToNodeEncryption: { enabled: true },
                domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: OPENSEARCH_TLS_POLICY },
                advancedSecurityOptions: {
                    enabled: true,
                    anonymousAuthEnabled: false,
                    internalUserDatabaseEnabled: false,
                    masterUserOptions: { masterUserArn: globalArn(naming, "iam", `role/${masterRoleName}`) },
                },
                // Only the master role reaches the domain; fine-grained access control maps further roles from it.
                accessPolicies: policyJson([{ Effect: "Allow", Principal: { AWS: [globalArn(naming, "iam", `role/${masterRoleName}`)] }, Action: "es:ESHttp*", Resource: `${domainArn}/*` }]),
                logPublishingOptions: logGroups.map((g) => ({ logType: g.logType, cloudwatchLogGroupArn: g.arn, enabled: true })),
                softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
            },
            // Referenced by deterministic ARNs: OpenSearch checks the groups and the resource policy exist.
            { parent: this, protect, aliases: formerly("search", "aws:opensearch/domain:Domain"), dependsOn: [logPolicy, this.masterRole, ...logGroups.map((g) => g.group), ...(serviceRole ? [serviceRole] : [])] },
        );
        this.domainName = domainName;
        this.domainArn = domainArn;
        this.registerOutputs({ domainName, domainArn, availabilityZones: azCount });
    }
}
