import * as assert from "assert";
import { ACCESS_LOG_FORMAT } from "../../../components/analytics/presentation";
import { runPack, simulate } from "../security/support";
import { descendants, inputs, ofType, one, policyDocument } from "../../support/platform";
import { bucketRef, fakeKeys, recordAnalytics, rootDelegationKeyPolicy } from "./fixtures";

const JWT = { apiAuthorization: "JWT", apiJwtIssuer: "https://login.example-health.org/oauth2/default", apiJwtAudience: ["api://hdp-analytics"] };
const APIGW = ["aws:apigatewayv2/api:Api", "aws:apigatewayv2/stage:Stage", "aws:apigatewayv2/route:Route", "aws:apigatewayv2/integration:Integration", "aws:apigatewayv2/authorizer:Authorizer"];
const CACHE = { endpoint: "hdp-prod-cache-abc.serverless.use1.cache.amazonaws.com", port: 6379, securityGroupId: "sg-0cache0000000000a", iamAuth: { cacheName: "hdp-prod-cache", userId: "query-api", serverless: true } };

describe("components/analytics/presentation", () => {
    it("serves IAM-authorised routes with JSON access logs and the configured throttling (prod)", async () => {
        const { cfg, rec } = await recordAnalytics({ stack: "prod", mode: "preview" });
        const acct = cfg.naming.accountId;
        const api = inputs(one(rec, "aws:apigatewayv2/api:Api", "analytics-presentation-api"));
        assert.deepStrictEqual([api.name, api.protocolType], ["hdp-prod-analytics-api", "HTTP"]);
        const routes = ofType(rec, "aws:apigatewayv2/route:Route").map(inputs);
        assert.deepStrictEqual(routes.map((r) => [r.routeKey, r.authorizationType, r.authorizerId]).sort(), [
            ["GET /queries", "AWS_IAM", undefined],
            ["POST /queries/{queryId}", "AWS_IAM", undefined],
        ]);
        assert.strictEqual(ofType(rec, "aws:apigatewayv2/authorizer:Authorizer").length, 0);
        const stage = inputs(one(rec, "aws:apigatewayv2/stage:Stage", "analytics-presentation-stage"));
        const logGroup = inputs(one(rec, "aws:cloudwatch/logGroup:LogGroup", "analytics-presentation-access-logs"));
        assert.deepStrictEqual(logGroup, { name: "/aws/apigateway/hdp-prod-analytics-api", kmsKeyId: fakeKeys(cfg).logs.arn, retentionInDays: 2192 });
        assert.deepStrictEqual(stage.accessLogSettings, { destinationArn: `arn:aws:logs:us-east-1:${acct}:log-group:/aws/apigateway/hdp-prod-analytics-api`, format: JSON.stringify(ACCESS_LOG_FORMAT) });
        const format = JSON.parse((stage.accessLogSettings as { format: string }).format);
        assert.deepStrictEqual(
            [format.requestId, format.ip, format.caller, format.userArn, format.jwtSubject, format.routeKey, format.status],
            ["$context.requestId", "$context.identity.sourceIp", "$context.identity.caller", "$context.identity.userArn", "$context.authorizer.claims.sub", "$context.routeKey", "$context.status"],
        );
        assert.deepStrictEqual(stage.defaultRouteSettings, { throttlingBurstLimit: 100, throttlingRateLimit: 50, detailedMetricsEnabled: true });
        assert.strictEqual(stage.name, "$default");
        const integration = inputs(one(rec, "aws:apigatewayv2/integration:Integration", "analytics-presentation-integration"));
        assert.deepStrictEqual([integration.integrationType, integration.payloadFormatVersion, integration.timeoutMilliseconds], ["AWS_PROXY", "2.0", 30000]);
        const perm = inputs(one(rec, "aws:lambda/permission:Permission", "analytics-presentation-invoke"));
        assert.strictEqual(perm.principal, "apigateway.amazonaws.com");
        const fn = inputs(one(rec, "aws:lambda/function:Function", "analytics-presentation-query-function"));
        const vars = (fn.environment as { variables: Record<string, string> }).variables;
        // min(60 s function timeout, 30 s API Gateway) - 2 s to answer 504 in time.
        assert.deepStrictEqual([fn.name, vars.QUERY_TIMEOUT_MS, vars.CACHE_ENDPOINT], ["hdp-prod-query-api", "28000", undefined]);
        // IAM mode: the handler's authorisation model (no JWT settings travel).
        assert.deepStrictEqual([vars.AUTH_MODE, vars.ACCOUNT_ID, vars.ANALYST_ROLE_ARNS, vars.CUSTOMER_CLAIM, vars.TENANT_SCOPE], ["IAM", acct, `arn:aws:iam::${acct}:role/hdp-prod-analyst`, undefined, undefined]);
        const component = one(rec, "healthcare:analytics:PresentationApi", "analytics-presentation");
        const under = new Set(descendants(rec, component.urn).map((r) => r.urn));
        for (const t of [...APIGW, "aws:lambda/function:Function", "aws:opensearch/domain:Domain"]) {
            for (const r of ofType(rec, t).filter((x) => x.name.startsWith("analytics-presentation"))) assert.ok(under.has(r.urn), r.name);
        }
    });

    it("uses a JWT authoriser with the configured issuer and audiences when apiAuthorization is JWT", async () => {
        const { rec } = await recordAnalytics({ stack: "dev", mode: "preview", overrides: JWT });
        const auth = inputs(one(rec, "aws:apigatewayv2/authorizer:Authorizer", "analytics-presentation-jwt"));
        assert.deepStrictEqual(auth, {
            apiId: auth.apiId,
            name: "jwt",
            authorizerType: "JWT",
            identitySources: ["$request.header.Authorization"],
            jwtConfiguration: { issuer: JWT.apiJwtIssuer, audiences: JWT.apiJwtAudience },
        });
        for (const r of ofType(rec, "aws:apigatewayv2/route:Route")) {
            assert.strictEqual(inputs(r).authorizationType, "JWT");
            assert.deepStrictEqual(r.propertyDependencies.authorizerId, [one(rec, "aws:apigatewayv2/authorizer:Authorizer", "analytics-presentation-jwt").urn]);
            // API Gateway lets a token through with ANY ONE of a route's scopes: both kinds of caller are listed,
            // and a token with neither (no scope, or only openid/profile) is refused before the function runs.
            assert.deepStrictEqual(inputs(r).authorizationScopes, ["hdp-api/tenant", "hdp-api/analyst"], inputs(r).routeKey as string);
        }
        const fn = inputs(one(rec, "aws:lambda/function:Function", "analytics-presentation-query-function"));
        const vars = (fn.environment as { variables: Record<string, string> }).variables;
        assert.deepStrictEqual([vars.AUTH_MODE, vars.CUSTOMER_CLAIM, vars.TENANT_SCOPE, vars.ANALYST_SCOPE, vars.ACCOUNT_ID], ["JWT", "customer", "hdp-api/tenant", "hdp-api/analyst", undefined]);
        // JWT mode reads no role tags.
        const policy = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "analytics-presentation-query-policy"));
        assert.ok(!JSON.stringify(policy).includes("iam:"));
    });

    it("passes the configured claim and scopes; without an analyst scope the routes accept only the tenant scope", async () => {
        const { rec } = await recordAnalytics({ stack: "dev", mode: "preview", overrides: { ...JWT, apiJwtCustomerClaim: "custom:customer", apiJwtTenantScope: "api://hdp/tenant", apiJwtAnalystScope: "" } });
        for (const r of ofType(rec, "aws:apigatewayv2/route:Route")) assert.deepStrictEqual(inputs(r).authorizationScopes, ["api://hdp/tenant"]);
        const fn = inputs(one(rec, "aws:lambda/function:Function", "analytics-presentation-query-function"));
        const vars = (fn.environment as { variables: Record<string, string> }).variables;
        assert.deepStrictEqual([vars.CUSTOMER_CLAIM, vars.TENANT_SCOPE, vars.ANALYST_SCOPE], ["custom:customer", "api://hdp/tenant", undefined]);
    });

    it("IAM mode: the function may read the customer tag of this stack's roles, and nothing else of IAM", async () => {
        const { cfg, rec } = await recordAnalytics({ stack: "prod", mode: "preview" });
        const acct = cfg.naming.accountId;
        const policy = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "analytics-presentation-query-policy"));
        const can = (action: string, resource: string) =>
            simulate({ principal: `arn:aws:iam::${acct}:role/hdp-prod-query-api-fn`, action, resource, resourceAccount: acct }, { identityPolicy: policy });
        assert.strictEqual(await can("iam:ListRoleTags", `arn:aws:iam::${acct}:role/hdp-prod-customer-st-marys-reader`), "Allowed");
        assert.strictEqual(await can("iam:ListRoleTags", `arn:aws:iam::${acct}:role/hdp-prod-analyst`), "Allowed");
        // Not another stack's roles, other roles of the account, roles under a path, or another account's.
        assert.strictEqual(await can("iam:ListRoleTags", `arn:aws:iam::${acct}:role/hdp-dev-customer-st-marys-reader`), "ImplicitlyDenied");
        assert.strictEqual(await can("iam:ListRoleTags", `arn:aws:iam::${acct}:role/OrganizationAccountAccessRole`), "ImplicitlyDenied");
        assert.strictEqual(await can("iam:ListRoleTags", `arn:aws:iam::${acct}:role/ops/hdp-prod-x`), "ImplicitlyDenied");
        assert.strictEqual(await can("iam:ListRoleTags", "arn:aws:iam::111122223333:role/hdp-prod-customer-st-marys-reader"), "ImplicitlyDenied");
        // Reading tags, never changing them (a tag is a tenant assignment).
        for (const action of ["iam:TagRole", "iam:UntagRole", "iam:GetRole", "iam:PassRole"]) {
            assert.strictEqual(await can(action, `arn:aws:iam::${acct}:role/hdp-prod-customer-st-marys-reader`), "ImplicitlyDenied", action);
        }
        assert.strictEqual(await can("iam:ListUserTags", `arn:aws:iam::${acct}:user/hdp-prod-jane`), "ImplicitlyDenied");
    });

    it("creates no API, function or access logs when the API is disabled", async () => {
        const { rec } = await recordAnalytics({ stack: "dev", mode: "preview", overrides: { apiEnabled: false } });
        for (const t of APIGW) assert.strictEqual(ofType(rec, t).length, 0, t);
        // The object tagger belongs to the tenant model, not to the API: it stays.
        assert.deepStrictEqual(ofType(rec, "aws:lambda/function:Function").map((r) => r.name).sort(), ["analytics-inventory-check-function", "analytics-object-tagger-function"]);
        assert.strictEqual(ofType(rec, "aws:cloudwatch/logGroup:LogGroup").filter((r) => r.name.startsWith("analytics-presentation")).length, 0);
    });

    it("caches in ElastiCache over IAM auth: environment, extra security group and elasticache:Connect on that cache only", async () => {
        const { cfg, rec } = await recordAnalytics({ stack: "prod", mode: "preview", cache: CACHE });
        const fn = inputs(one(rec, "aws:lambda/function:Function", "analytics-presentation-query-function"));
        const vars = (fn.environment as { variables: Record<string, string> }).variables;
        assert.deepStrictEqual([vars.CACHE_ENDPOINT, vars.CACHE_PORT, vars.CACHE_NAME, vars.CACHE_USER_ID, vars.CACHE_SERVERLESS], [CACHE.endpoint, "6379", "hdp-prod-cache", "query-api", "true"]);
        assert.deepStrictEqual((fn.vpcConfig as { securityGroupIds: string[] }).securityGroupIds, ["sg-0123456789abcdef0", "sg-0cache0000000000a"]);
        const acct = cfg.naming.accountId;
        const policy = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "analytics-presentation-query-policy"));
        const can = (action: string, resource: string, context?: Record<string, string | string[]>) =>
            simulate(
                { principal: `arn:aws:iam::${acct}:role/hdp-prod-query-api-fn`, action, resource, resourceAccount: acct, context },
                { identityPolicy: policy, resourcePolicy: action.startsWith("kms:") ? rootDelegationKeyPolicy(cfg) : undefined },
            );
        assert.strictEqual(await can("elasticache:Connect", `arn:aws:elasticache:us-east-1:${acct}:serverlesscache:hdp-prod-cache`), "Allowed");
        assert.strictEqual(await can("elasticache:Connect", `arn:aws:elasticache:us-east-1:${acct}:user:query-api`), "Allowed");
        assert.strictEqual(await can("elasticache:Connect", `arn:aws:elasticache:us-east-1:${acct}:serverlesscache:other`), "ImplicitlyDenied");
        // The API reads curated data for its PHI queries, but never writes the lake.
        assert.strictEqual(await can("s3:GetObject", `${bucketRef(cfg, "curated").arn}/customer=st-marys/x.parquet`), "Allowed");
        assert.strictEqual(await can("s3:PutObject", `${bucketRef(cfg, "curated").arn}/customer=st-marys/x.parquet`), "ImplicitlyDenied");
        assert.strictEqual(await can("s3:GetObject", `${bucketRef(cfg, "raw").arn}/customer=st-marys/x.parquet`), "ImplicitlyDenied");
    });

    for (const stack of ["dev", "prod"] as const) {
        for (const mode of ["preview", "up"] as const) {
            it(`passes the policy pack with everything on: nothing mandatory, nothing skipped (${stack}, ${mode})`, async () => {
                const overrides = { opensearchEnabled: true, quicksightEnabled: true, ...(stack === "dev" ? JWT : {}) };
                const { cfg, rec } = await recordAnalytics({ stack, mode, realKeys: true, overrides, cache: CACHE });
                const verdict = await runPack(rec, cfg);
                assert.deepStrictEqual([verdict.mandatory, verdict.previewSkipped], [[], []]);
                // config-recorder-for-phi is a stack control: the security area's ComplianceMonitoring declares the recorder.
                if (stack === "prod") assert.deepStrictEqual(verdict.advisory.filter((a) => !a.startsWith("config-recorder-for-phi: ")), []);
            });
        }
    }
});
