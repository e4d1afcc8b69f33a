import * as assert from "assert";
import { ACCESS_LOG_FORMAT, OPENSEARCH_TLS_POLICY } from "../../../components/analytics/presentation";
import { recordProgram } from "../../../tools/offline/recorder";
import { AnalyticsCatalog } from "../../../components/analytics/catalog";
import { AthenaWorkspace } from "../../../components/analytics/athena";
import { PresentationApi } from "../../../components/analytics/presentation";
import { runPack, simulate } from "../security/support";
import { descendants, inputs, ofType, one, platformConfig, policyDocument, stackConfigMap } from "../../support/platform";
import { bucketRef, catalogArgs, contextOf, fakeKeys, fakeNetwork, recordAnalytics, rootDelegationKeyPolicy } from "./fixtures";

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
        assert.deepStrictEqual([fn.name, vars.QUERY_TIMEOUT_MS, vars.CUSTOMER_CLAIM, vars.CACHE_ENDPOINT], ["hdp-prod-query-api", "28000", "customer", undefined]);
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
        }
    });

    it("creates no API, function or access logs when the API is disabled", async () => {
        const { rec } = await recordAnalytics({ stack: "dev", mode: "preview", overrides: { apiEnabled: false } });
        for (const t of APIGW) assert.strictEqual(ofType(rec, t).length, 0, t);
        assert.deepStrictEqual(ofType(rec, "aws:lambda/function:Function").map((r) => r.name), ["analytics-inventory-check-function"]);
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

    it("builds a VPC-only OpenSearch domain with CMK encryption, TLS 1.2 PFS, IAM-mastered FGAC, logs and zone awareness (prod)", async () => {
        const { cfg, rec } = await recordAnalytics({ stack: "prod", mode: "preview" });
        const acct = cfg.naming.accountId;
        const res = one(rec, "aws:opensearch/domain:Domain", "analytics-presentation-search");
        const d = inputs(res);
        assert.strictEqual(res.options.protect, true);
        assert.deepStrictEqual(d.clusterConfig, { instanceType: "r6g.large.search", instanceCount: 3, zoneAwarenessEnabled: true, zoneAwarenessConfig: { availabilityZoneCount: 3 } });
        assert.deepStrictEqual((d.vpcOptions as { subnetIds: string[] }).subnetIds, fakeNetwork(cfg).privateSubnetIds);
        assert.deepStrictEqual(d.encryptAtRest, { enabled: true, kmsKeyId: fakeKeys(cfg).databases.arn });
        assert.deepStrictEqual(d.nodeToNodeEncryption, { enabled: true });
        assert.deepStrictEqual(d.domainEndpointOptions, { enforceHttps: true, tlsSecurityPolicy: OPENSEARCH_TLS_POLICY });
        assert.deepStrictEqual(d.advancedSecurityOptions, {
            enabled: true,
            anonymousAuthEnabled: false,
            internalUserDatabaseEnabled: false,
            masterUserOptions: { masterUserArn: `arn:aws:iam::${acct}:role/hdp-prod-search-admin` },
        });
        const logs = (d.logPublishingOptions as { logType: string; cloudwatchLogGroupArn: string }[]).map((l) => l.logType).sort();
        assert.deepStrictEqual(logs, ["AUDIT_LOGS", "ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS"]);
        const auditGroup = one(rec, "aws:cloudwatch/logGroup:LogGroup", "analytics-presentation-search-audit-logs");
        assert.ok(res.dependencies.includes(auditGroup.urn), "the domain waits for its log groups");
        const audit = inputs(auditGroup);
        assert.deepStrictEqual(audit, { name: "/aws/opensearch/hdp-prod-search/audit", kmsKeyId: fakeKeys(cfg).logs.arn, retentionInDays: 2192 });
        const lrp = JSON.parse(String(inputs(one(rec, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "analytics-presentation-search-log-policy")).policyDocument));
        assert.deepStrictEqual(lrp.Statement[0].Principal, { Service: "es.amazonaws.com" });
        assert.deepStrictEqual(lrp.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": acct }, ArnLike: { "aws:SourceArn": `arn:aws:es:us-east-1:${acct}:domain/hdp-prod-search` } });
        // The domain admits only its master role (configured people map further roles through fine-grained access
        // control), and the master role is assumed only with MFA (by default) by principals of this account.
        const access = JSON.parse(String(d.accessPolicies));
        assert.deepStrictEqual(access.Statement[0].Principal, { AWS: [`arn:aws:iam::${acct}:role/hdp-prod-search-admin`] });
        const trust = policyDocument(one(rec, "aws:iam/role:Role", "analytics-presentation-search-admin"), "assumeRolePolicy");
        const assume = (principal: string, mfa: string) =>
            simulate(
                { principal, action: "sts:AssumeRole", resource: `arn:aws:iam::${acct}:role/hdp-prod-search-admin`, resourceAccount: acct, context: { "aws:MultiFactorAuthPresent": mfa } },
                { resourcePolicy: trust },
            );
        assert.strictEqual(await assume(`arn:aws:iam::${acct}:user/operator`, "true"), "Allowed");
        assert.strictEqual(await assume(`arn:aws:iam::${acct}:user/operator`, "false"), "ImplicitlyDenied", "without MFA");
        assert.strictEqual(await assume(`arn:aws:iam::${acct}:role/any-application`, "false"), "ImplicitlyDenied");
        const sg = inputs(one(rec, "aws:ec2/securityGroup:SecurityGroup", "analytics-presentation-search-sg"));
        assert.deepStrictEqual(sg.ingress, [{ description: "HTTPS from compute", protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: ["sg-0123456789abcdef0"] }]);
        assert.deepStrictEqual(sg.egress, []);
        // Only the account's domain may write to the log groups (evaluated).
        const put = (sourceArn: string) =>
            simulate(
                { principal: "es.amazonaws.com", action: "logs:PutLogEvents", resource: `arn:aws:logs:us-east-1:${acct}:log-group:/aws/opensearch/hdp-prod-search/audit:log-stream:x`, resourceAccount: acct, context: { "aws:SourceAccount": acct, "aws:SourceArn": sourceArn } },
                { resourcePolicy: lrp },
            );
        assert.strictEqual(await put(`arn:aws:es:us-east-1:${acct}:domain/hdp-prod-search`), "Allowed");
        assert.strictEqual(await put(`arn:aws:es:us-east-1:${acct}:domain/someone-else`), "ImplicitlyDenied");
    });

    it("runs a one-node dev domain without zone awareness in one subnet, and rejects node counts that cannot spread evenly", async () => {
        const { rec } = await recordAnalytics({ stack: "dev", mode: "preview", overrides: { opensearchEnabled: true } });
        const d = inputs(one(rec, "aws:opensearch/domain:Domain", "analytics-presentation-search"));
        assert.deepStrictEqual(d.clusterConfig, { instanceType: "t3.small.search", instanceCount: 1, zoneAwarenessEnabled: false });
        assert.strictEqual((d.vpcOptions as { subnetIds: string[] }).subnetIds.length, 1);
        await assert.rejects(recordAnalytics({ stack: "dev", mode: "preview", overrides: { opensearchEnabled: true, opensearchInstanceCount: 5 } }), /opensearchInstanceCount: expected an even number or a multiple of 3 .* got 5/);
        await assert.rejects(recordAnalytics({ stack: "dev", mode: "preview", overrides: { opensearchEnabled: true, opensearchInstanceCount: 3 } }), /OpenSearch over 3 availability zone\(s\) needs 3 private subnets, got 2/);
    });

    it("creates no OpenSearch domain or QuickSight data source when they are off (dev defaults)", async () => {
        const { rec } = await recordAnalytics({ stack: "dev", mode: "preview" });
        for (const t of ["aws:opensearch/domain:Domain", "aws:quicksight/dataSource:DataSource"]) {
            assert.strictEqual(ofType(rec, t).length, 0, t);
        }
        // The only log-group resource policy is the API's vended access-log delivery, not OpenSearch's.
        assert.deepStrictEqual(ofType(rec, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy").map((p) => p.name), ["analytics-presentation-access-log-delivery"]);
        assert.strictEqual(ofType(rec, "aws:iam/role:Role").filter((r) => /search-admin|quicksight/.test(String(inputs(r).name))).length, 0);
    });

    it("adds a QuickSight Athena data source through a role limited to the workgroup when enabled", async () => {
        const cfg = platformConfig("dev", { quicksightEnabled: true });
        const rec = await recordProgram(
            () => {
                const catalog = new AnalyticsCatalog("catalog", catalogArgs(cfg));
                const athena = new AthenaWorkspace("athena", { context: contextOf(cfg), keys: fakeKeys(cfg), bytesScannedCutoffPerQuery: cfg.analytics.athenaBytesScannedCutoff, resultsBucket: bucketRef(cfg, "results"), catalog: catalog.refs });
                new PresentationApi("p", {
                    context: contextOf(cfg),
                    keys: fakeKeys(cfg),
                    network: fakeNetwork(cfg),
                    settings: { ...cfg.analytics, api: { ...cfg.analytics.api, enabled: false } },
                    athena: athena.queryAccess,
                    quicksightPrincipalArns: [`arn:aws:quicksight:us-east-1:${cfg.naming.accountId}:group/default/analysts`],
                });
            },
            { mode: "preview", config: stackConfigMap("dev", { quicksightEnabled: true }), stack: "dev" },
        );
        const acct = cfg.naming.accountId;
        const ds = inputs(one(rec, "aws:quicksight/dataSource:DataSource", "p-quicksight"));
        assert.deepStrictEqual([ds.type, ds.dataSourceId, ds.parameters, ds.sslProperties], [
            "ATHENA",
            "hdp-dev-lake-athena",
            { athena: { workGroup: "hdp-dev-analytics", roleArn: `arn:aws:iam::${acct}:role/hdp-dev-quicksight-athena` } },
            { disableSsl: false },
        ]);
        assert.strictEqual((ds.permissions as { principal: string }[])[0].principal, `arn:aws:quicksight:us-east-1:${acct}:group/default/analysts`);
        const trust = JSON.parse(String(inputs(one(rec, "aws:iam/role:Role", "p-quicksight-role")).assumeRolePolicy));
        assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "quicksight.amazonaws.com" });
        const policy = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "p-quicksight-policy"));
        const can = (action: string, resource: string) => simulate({ principal: `arn:aws:iam::${acct}:role/hdp-dev-quicksight-athena`, action, resource, resourceAccount: acct }, { identityPolicy: policy });
        assert.strictEqual(await can("athena:StartQueryExecution", `arn:aws:athena:us-east-1:${acct}:workgroup/hdp-dev-analytics`), "Allowed");
        assert.strictEqual(await can("athena:StartQueryExecution", `arn:aws:athena:us-east-1:${acct}:workgroup/primary`), "ImplicitlyDenied");
        assert.strictEqual(await can("s3:GetObject", `${bucketRef(cfg, "landing").arn}/x`), "ImplicitlyDenied");
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
