/**
 * PresentationApi: how results reach users.
 *
 * - An HTTPS API (API Gateway HTTP API; TLS 1.2, HIPAA 164.312(e)(1)) whose two routes require IAM (SigV4)
 *   or a JWT from the organisation's identity provider, by config (164.312(d)). Access logs go to a
 *   KMS-encrypted log group as JSON (request id, source IP, caller, user ARN, JWT subject, route, status,
 *   latency; 164.312(b)); the default stage throttles to the configured rate and burst.
 * - Behind it, an {@link AnalyticsFunction} (`query-api` workload) that runs only allow-listed,
 *   parameterised Athena queries and caches results in the ElastiCache store when one is given.
 * - Optionally an OpenSearch domain for search over inventory and curated data: VPC only, encrypted at rest with
 *   the databases key, node-to-node encryption, HTTPS only with `Policy-Min-TLS-1-2-PFS-2023-10`, fine-grained
 *   access control with an IAM master role (no master password exists), audit, slow and error logs to
 *   KMS-encrypted log groups, zone awareness when it has more than one node (prod).
 * - Optionally a QuickSight data source over the Athena workgroup, through a role limited to that workgroup.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { vendedLogDeliveryPolicy } from "../shared/log-delivery";
import { AnalyticsConfig, openSearchZones } from "./settings";
import { accountRootArn, globalArn, regionalArn, resourceName } from "../shared/naming";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { AnalyticsFunction, CacheRef } from "./analytics-function";
import { AthenaQueryAccess } from "./athena";
import { glueReadStatement, kmsKeyStatement, policyJson, s3ReadStatements, s3WriteStatement, servicePrincipalTrust } from "./iam";

/** The OpenSearch TLS policy: TLS 1.2+ with perfect-forward-secrecy ciphers only. */
export const OPENSEARCH_TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10";

/** Fields of each access-log line (API Gateway HTTP API `$context` variables). */
export const ACCESS_LOG_FORMAT: Record<string, string> = {
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    ip: "$context.identity.sourceIp",
    caller: "$context.identity.caller",
    userArn: "$context.identity.userArn",
    jwtSubject: "$context.authorizer.claims.sub",
    userAgent: "$context.identity.userAgent",
    routeKey: "$context.routeKey",
    protocol: "$context.protocol",
    status: "$context.status",
    responseLength: "$context.responseLength",
    responseLatency: "$context.responseLatency",
    integrationStatus: "$context.integrationStatus",
    integrationError: "$context.integrationErrorMessage",
    authorizerError: "$context.authorizer.error",
};

/** Routes of the API, in API Gateway's route-key syntax. */
export const API_ROUTES = ["GET /queries", "POST /queries/{queryId}"] as const;

export interface PresentationApiArgs {
    context: PlatformContext;
    /** dataLake: function environment, lake reads; logs: log groups; databases: OpenSearch at rest. */
    keys: Pick<PlatformKeyRefs, "dataLake" | "logs" | "databases">;
    network: NetworkRefs;
    /** `PlatformConfig.analytics` (api, lambda, opensearch, quicksight). */
    settings: Pick<AnalyticsConfig, "api" | "lambda" | "opensearch" | "quicksight">;
    athena: AthenaQueryAccess;
    /** ElastiCache store for frequent results, when the storage area enables it. */
    cache?: CacheRef;
    alarmTopicArn?: pulumi.Input<string>;
    /**
     * Retention of the audit evidence this component produces: API access logs (who queried what) and OpenSearch
     * audit logs (HIPAA 164.316(b)(2): six years in prod). @default context.logRetentionDays
     */
    auditLogRetentionDays?: number;
    /** OpenSearch data-node EBS volume size. @default 20 */
    opensearchVolumeGiB?: number;
    /** OpenSearch engine. @default "OpenSearch_2.17" */
    opensearchEngineVersion?: string;
    /** QuickSight users or groups (ARNs) given use of the data source. @default [] */
    quicksightPrincipalArns?: string[];
    /**
     * Who may assume the OpenSearch master role (`SecurityConfig.access`): named IAM principals of the account, or the
     * account's principals when none are named; with MFA unless `requireMfa` is false (IdP-enforced MFA).
     * @default { trustedPrincipalArns: [], requireMfa: true }
     */
    opensearchAdmins?: { trustedPrincipalArns: string[]; requireMfa: boolean };
}

export class PresentationApi extends pulumi.ComponentResource {
    readonly api?: aws.apigatewayv2.Api;
    readonly stage?: aws.apigatewayv2.Stage;
    readonly queryFunction?: AnalyticsFunction;
    readonly accessLogGroup?: aws.cloudwatch.LogGroup;
    readonly domain?: aws.opensearch.Domain;
    readonly opensearchMasterRole?: aws.iam.Role;
    readonly quicksightDataSource?: aws.quicksight.DataSource;
    /** `https://...` base URL of the API (unknown until created). */
    readonly url?: pulumi.Output<string>;

    constructor(name: string, args: PresentationApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:analytics:PresentationApi", name, {}, opts);
        const { naming, protect, logRetentionDays } = args.context;
        const auditRetentionDays = args.auditLogRetentionDays ?? logRetentionDays;
        const s = args.settings;
        const outputs: Record<string, unknown> = { apiEnabled: s.api.enabled, opensearchEnabled: s.opensearch.enabled, quicksightEnabled: s.quicksight.enabled };

        if (s.api.enabled) {
            this.queryFunction = new AnalyticsFunction(
                `${name}-query`,
                {
                    context: args.context,
                    keys: args.keys,
                    network: args.network,
                    settings: s.lambda,
                    role: "query-api",
                    workload: { kind: "query-api", cache: args.cache },
                    athena: args.athena,
                    alarmTopicArn: args.alarmTopicArn,
                },
                { parent: this },
            );

            const apiName = resourceName(naming, "analytics-api", "generic");
            const logGroupName = `/aws/apigateway/${apiName}`;
            this.accessLogGroup = new aws.cloudwatch.LogGroup(
                `${name}-access-logs`,
                { name: logGroupName, kmsKeyId: args.keys.logs.arn, retentionInDays: auditRetentionDays },
                { parent: this },
            );
            // HTTP API access logs are vended logs: CloudWatch Logs' delivery service writes them through this policy.
            const logDelivery = new aws.cloudwatch.LogResourcePolicy(
                `${name}-access-log-delivery`,
                { policyName: `${apiName}-access-log-delivery`, policyDocument: vendedLogDeliveryPolicy(naming, [logGroupName]) },
                { parent: this },
            );
            this.api = new aws.apigatewayv2.Api(
                `${name}-api`,
                { name: apiName, protocolType: "HTTP", description: "Allow-listed, parameterised analytics queries over the lake." },
                { parent: this },
            );
            const integration = new aws.apigatewayv2.Integration(
                `${name}-integration`,
                {
                    apiId: this.api.id,
                    integrationType: "AWS_PROXY",
                    integrationMethod: "POST",
                    integrationUri: this.queryFunction.function.arn,
                    payloadFormatVersion: "2.0",
                    timeoutMilliseconds: 30_000,
                },
                { parent: this },
            );
            const authorizer =
                s.api.authorization === "JWT"
                    ? new aws.apigatewayv2.Authorizer(
                          `${name}-jwt`,
                          {
                              apiId: this.api.id,
                              name: "jwt",
                              authorizerType: "JWT",
                              identitySources: ["$request.header.Authorization"],
                              jwtConfiguration: { issuer: s.api.jwtIssuer, audiences: s.api.jwtAudience },
                          },
                          { parent: this },
                      )
                    : undefined;
            for (const routeKey of API_ROUTES) {
                const role = routeKey.startsWith("GET") ? "list-route" : "run-route";
                new aws.apigatewayv2.Route(
                    `${name}-${role}`,
                    {
                        apiId: this.api.id,
                        routeKey,
                        target: pulumi.interpolate`integrations/${integration.id}`,
                        authorizationType: authorizer ? "JWT" : "AWS_IAM",
                        authorizerId: authorizer?.id,
                    },
                    { parent: this },
                );
            }
            this.stage = new aws.apigatewayv2.Stage(
                `${name}-stage`,
                {
                    apiId: this.api.id,
                    name: "$default",
                    autoDeploy: true,
                    accessLogSettings: {
                        // The deterministic ARN keeps the stage's logging known at preview.
                        destinationArn: regionalArn(naming, "logs", `log-group:${logGroupName}`),
                        format: JSON.stringify(ACCESS_LOG_FORMAT),
                    },
                    defaultRouteSettings: {
                        throttlingBurstLimit: s.api.throttleBurst,
                        throttlingRateLimit: s.api.throttleRate,
                        detailedMetricsEnabled: true,
                    },
                },
                { parent: this, dependsOn: [this.accessLogGroup, logDelivery] },
            );
            new aws.lambda.Permission(
                `${name}-invoke`,
                {
                    function: this.queryFunction.function.name,
                    action: "lambda:InvokeFunction",
                    principal: "apigateway.amazonaws.com",
                    // Only this API's routes may invoke the function.
                    sourceArn: pulumi.interpolate`${this.api.executionArn}/*/*/queries*`,
                },
                { parent: this },
            );
            this.url = this.api.apiEndpoint;
            Object.assign(outputs, { apiName, accessLogGroupName: logGroupName, apiUrl: this.url, authorization: s.api.authorization });
        }

        if (s.opensearch.enabled) {
            const os = s.opensearch;
            const domainName = resourceName(naming, "search", "opensearch");
            const domainArn = regionalArn(naming, "es", `domain/${domainName}`);
            const zoneAware = os.instanceCount > 1;
            // The count spreads evenly over zones the network has: validated with the config (./settings.ts).
            const azCount = openSearchZones(os.instanceCount);
            const subnetIds = pulumi.output(args.network.privateSubnetIds).apply((ids) => ids.slice(0, azCount));

            const sg = new aws.ec2.SecurityGroup(
                `${name}-search-sg`,
                {
                    name: resourceName(naming, "search", "generic"),
                    description: "OpenSearch: HTTPS from the platform's compute only",
                    vpcId: args.network.vpcId,
                    ingress: [{ description: "HTTPS from compute", protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [args.network.computeSecurityGroupId] }],
                    egress: [],
                },
                { parent: this },
            );

            const logTypes = { AUDIT_LOGS: "audit", INDEX_SLOW_LOGS: "index-slow", SEARCH_SLOW_LOGS: "search-slow", ES_APPLICATION_LOGS: "application" } as const;
            const logGroups = Object.entries(logTypes).map(([logType, suffix]) => {
                const groupName = `/aws/opensearch/${domainName}/${suffix}`;
                const retentionInDays = logType === "AUDIT_LOGS" ? auditRetentionDays : logRetentionDays;
                const group = new aws.cloudwatch.LogGroup(`${name}-search-${suffix}-logs`, { name: groupName, kmsKeyId: args.keys.logs.arn, retentionInDays }, { parent: this });
                return { logType, group, arn: regionalArn(naming, "logs", `log-group:${groupName}`) };
            });
            const logPolicy = new aws.cloudwatch.LogResourcePolicy(
                `${name}-search-log-policy`,
                {
                    policyName: `${domainName}-logs`,
                    policyDocument: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "OpenSearchLogDelivery",
                                Effect: "Allow",
                                Principal: { Service: "es.amazonaws.com" },
                                Action: ["logs:PutLogEvents", "logs:CreateLogStream"],
                                Resource: logGroups.map((g) => `${g.arn}:*`),
                                // Only this account's domain may write (confused-deputy guard).
                                Condition: { StringEquals: { "aws:SourceAccount": naming.accountId }, ArnLike: { "aws:SourceArn": domainArn } },
                            },
                        ],
                    }),
                },
                { parent: this },
            );

            const masterRoleName = resourceName(naming, "search-admin", "iam");
            const admins = args.opensearchAdmins ?? { trustedPrincipalArns: [], requireMfa: true };
            this.opensearchMasterRole = new aws.iam.Role(
                `${name}-search-admin`,
                {
                    name: masterRoleName,
                    description: "OpenSearch fine-grained access control master user; assumable by account principals allowed to.",
                    // A person administers the search cluster: named principals (or the account's, delegated to their
                    // own policies), with MFA by default; never any role of the account without a condition.
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { AWS: admins.trustedPrincipalArns.length > 0 ? admins.trustedPrincipalArns : accountRootArn(naming) },
                                Action: "sts:AssumeRole",
                                ...(admins.requireMfa ? { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } } : {}),
                            },
                        ],
                    }),
                    maxSessionDuration: 3600,
                },
                { parent: this },
            );

            // A domain in a VPC needs OpenSearch's service-linked role to place its network interfaces. AWS allows one
            // per account: created here unless the account already has it (opensearchServiceLinkedRoleExists).
            const serviceRole = os.serviceLinkedRoleExists
                ? undefined
                : new aws.iam.ServiceLinkedRole(`${name}-search-service-role`, { awsServiceName: "opensearchservice.amazonaws.com" }, { parent: this });
            this.domain = new aws.opensearch.Domain(
                `${name}-search`,
                {
                    domainName,
                    engineVersion: args.opensearchEngineVersion ?? "OpenSearch_2.17",
                    clusterConfig: {
                        instanceType: os.instanceType,
                        instanceCount: os.instanceCount,
                        zoneAwarenessEnabled: zoneAware,
                        zoneAwarenessConfig: zoneAware ? { availabilityZoneCount: azCount } : undefined,
                    },
                    vpcOptions: { subnetIds, securityGroupIds: [sg.id] },
                    ebsOptions: { ebsEnabled: true, volumeType: "gp3", volumeSize: args.opensearchVolumeGiB ?? 20 },
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
                    accessPolicies: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: { AWS: [globalArn(naming, "iam", `role/${masterRoleName}`)] }, Action: "es:ESHttp*", Resource: `${domainArn}/*` }],
                    }),
                    logPublishingOptions: logGroups.map((g) => ({ logType: g.logType, cloudwatchLogGroupArn: g.arn, enabled: true })),
                    softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
                },
                // Referenced by deterministic ARNs: OpenSearch checks the groups and the resource policy exist.
                { parent: this, protect, dependsOn: [logPolicy, this.opensearchMasterRole, ...logGroups.map((g) => g.group), ...(serviceRole ? [serviceRole] : [])] },
            );
            Object.assign(outputs, { opensearchDomainName: domainName, opensearchDomainArn: domainArn, opensearchAvailabilityZones: azCount });
        }

        if (s.quicksight.enabled) {
            const a = args.athena;
            const roleName = resourceName(naming, "quicksight-athena", "iam");
            const role = new aws.iam.Role(
                `${name}-quicksight-role`,
                {
                    name: roleName,
                    description: "QuickSight's access to the analytics workgroup, its results and the lake it reads.",
                    assumeRolePolicy: servicePrincipalTrust("quicksight.amazonaws.com", { StringEquals: { "aws:SourceAccount": naming.accountId } }),
                },
                { parent: this },
            );
            const quicksightPolicy = new aws.iam.RolePolicy(
                `${name}-quicksight-policy`,
                {
                    role: role.name,
                    name: "athena-workgroup",
                    policy: policyJson([
                        {
                            Sid: "Workgroup",
                            Effect: "Allow",
                            Action: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"],
                            Resource: [a.workgroupArn],
                        },
                        // QuickSight lists workgroups and catalogs to let authors pick one; these have no resource scope.
                        { Sid: "Discover", Effect: "Allow", Action: ["athena:ListWorkGroups", "athena:ListDataCatalogs"], Resource: ["*"] },
                        ...s3ReadStatements("ResultsRead", a.resultsBucket, a.resultsPrefix),
                        s3WriteStatement("ResultsWrite", a.resultsBucket, a.resultsPrefix),
                        ...s3ReadStatements("CuratedRead", a.catalog.curatedBucket),
                        ...s3ReadStatements("InventoryRead", a.catalog.inventoryBucket, a.catalog.inventoryPrefix),
                        glueReadStatement(naming, "CuratedCatalog", a.catalog.curatedDatabase, "*"),
                        glueReadStatement(naming, "InventoryCatalog", a.catalog.inventoryDatabase, [a.catalog.inventoryTable]),
                        kmsKeyStatement(naming, "DataLakeKey", args.keys.dataLake, ["kms:Decrypt", "kms:GenerateDataKey"]),
                    ]),
                },
                { parent: this },
            );
            const dataSourceId = resourceName(naming, "lake-athena", "generic");
            this.quicksightDataSource = new aws.quicksight.DataSource(
                `${name}-quicksight`,
                {
                    dataSourceId,
                    name: `${naming.prefix}-${naming.environment} lake (Athena)`,
                    type: "ATHENA",
                    parameters: { athena: { workGroup: a.workgroupName, roleArn: globalArn(naming, "iam", `role/${roleName}`) } },
                    sslProperties: { disableSsl: false },
                    permissions: (args.quicksightPrincipalArns ?? []).map((principal) => ({
                        principal,
                        actions: [
                            "quicksight:DescribeDataSource",
                            "quicksight:DescribeDataSourcePermissions",
                            "quicksight:PassDataSource",
                            "quicksight:UpdateDataSource",
                            "quicksight:DeleteDataSource",
                            "quicksight:UpdateDataSourcePermissions",
                        ],
                    })),
                },
                { parent: this, dependsOn: [role, quicksightPolicy] },
            );
            Object.assign(outputs, { quicksightDataSourceId: dataSourceId });
        }

        this.registerOutputs(outputs);
    }
}
