/**
 * PresentationApi: how results reach users.
 *
 * - An HTTPS API (API Gateway HTTP API; TLS 1.2, HIPAA 164.312(e)(1)) whose two routes require IAM (SigV4)
 *   or a JWT from the organisation's identity provider, by config (164.312(d)). With JWT, both routes list the
 *   tenant scope and the analyst scope as `authorizationScopes`: API Gateway refuses a token carrying neither,
 *   and the function decides which one applies (a route's scopes are alternatives, so listing only the analyst
 *   scope would lock tenants out at the gateway). The function then pins tenants to their customer and refuses
 *   everyone else, fail-closed, in both modes (apps/analytics-functions/caller-auth.ts; 164.312(a)(1)). Access logs go to a
 *   KMS-encrypted log group as JSON (request id, source IP, caller, user ARN, JWT subject, route, status,
 *   latency; 164.312(b)); the default stage throttles to the configured rate and burst.
 * - Behind it, an {@link AnalyticsFunction} (`query-api` workload) that runs only allow-listed,
 *   parameterised Athena queries and caches results in the ElastiCache store when one is given.
 *
 * The other ways results reach users have their own components: `OpenSearchDomain` (opensearch.ts) and
 * `QuickSightDataSource` (quicksight.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { vendedLogDeliveryPolicy } from "../shared/log-delivery";
import { AnalyticsConfig } from "./settings";
import { regionalArn, resourceName } from "../shared/naming";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { AnalyticsFunction, CacheRef, QueryApiAuth } from "./analytics-function";
import { AthenaQueryAccess } from "./athena";

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

/** The function's authorisation model from the API settings (only the mode's own settings travel). */
export function queryApiAuth(api: AnalyticsConfig["api"]): QueryApiAuth {
    return api.authorization === "JWT"
        ? { mode: "JWT", customerClaim: api.jwtCustomerClaim, tenantScope: api.jwtTenantScope, analystScope: api.jwtAnalystScope }
        : { mode: "IAM", analystRoleArns: api.iamAnalystRoleArns };
}

/** Scopes a JWT route accepts: ANY one of them lets a token through, so the tenant scope is listed with the analyst scope. */
export function routeScopes(api: AnalyticsConfig["api"]): string[] {
    return api.jwtAnalystScope ? [api.jwtTenantScope, api.jwtAnalystScope] : [api.jwtTenantScope];
}

export interface PresentationApiArgs {
    context: PlatformContext;
    /** dataLake: function environment, lake reads; logs: log groups; databases: OpenSearch at rest. */
    keys: Pick<PlatformKeyRefs, "dataLake" | "logs" | "databases">;
    network: NetworkRefs;
    /** `PlatformConfig.analytics` (api, lambda). */
    settings: Pick<AnalyticsConfig, "api" | "lambda">;
    athena: AthenaQueryAccess;
    /** ElastiCache store for frequent results, when the storage area enables it. */
    cache?: CacheRef;
    alarmTopicArn?: pulumi.Input<string>;
    /**
     * Retention of the audit evidence this component produces: API access logs (who queried what; HIPAA
     * 164.316(b)(2): six years in prod). @default context.logRetentionDays
     */
    auditLogRetentionDays?: number;
}

export class PresentationApi extends pulumi.ComponentResource {
    readonly api?: aws.apigatewayv2.Api;
    readonly stage?: aws.apigatewayv2.Stage;
    readonly queryFunction?: AnalyticsFunction;
    readonly accessLogGroup?: aws.cloudwatch.LogGroup;
    /** `https://...` base URL of the API (unknown until created). */
    readonly url?: pulumi.Output<string>;

    constructor(name: string, args: PresentationApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:analytics:PresentationApi", name, {}, opts);
        const { naming, logRetentionDays } = args.context;
        const auditRetentionDays = args.auditLogRetentionDays ?? logRetentionDays;
        const s = args.settings;
        const outputs: Record<string, unknown> = { apiEnabled: s.api.enabled };

        if (s.api.enabled) {
            this.queryFunction = new AnalyticsFunction(
                `${name}-query`,
                {
                    context: args.context,
                    keys: args.keys,
                    network: args.network,
                    settings: s.lambda,
                    role: "query-api",
                    workload: { kind: "query-api", auth: queryApiAuth(s.api), cache: args.cache },
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
                        authorizationScopes: authorizer ? routeScopes(s.api) : undefined,
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

        this.registerOutputs(outputs);
    }
}
