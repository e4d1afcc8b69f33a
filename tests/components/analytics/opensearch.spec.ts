import * as assert from "assert";
import { OPENSEARCH_TLS_POLICY } from "../../../components/analytics/opensearch";
import { simulate } from "../security/support";
import { descendants, inputs, ofType, one } from "../../support/platform";
import { fakeKeys, fakeNetwork, recordAnalytics } from "./fixtures";

describe("components/analytics/opensearch", () => {
    it("builds a VPC-only OpenSearch domain with CMK encryption, TLS 1.2 PFS, IAM-mastered FGAC, logs and zone awareness (prod)", async () => {
        const { cfg, rec } = await recordAnalytics({ stack: "prod", mode: "preview" });
        const acct = cfg.naming.accountId;
        const res = one(rec, "aws:opensearch/domain:Domain", "analytics-search-domain");
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
        const auditGroup = one(rec, "aws:cloudwatch/logGroup:LogGroup", "analytics-search-audit-logs");
        assert.ok(res.dependencies.includes(auditGroup.urn), "the domain waits for its log groups");
        const audit = inputs(auditGroup);
        assert.deepStrictEqual(audit, { name: "/aws/opensearch/hdp-prod-search/audit", kmsKeyId: fakeKeys(cfg).logs.arn, retentionInDays: 2192 });
        const lrp = JSON.parse(String(inputs(one(rec, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "analytics-search-log-policy")).policyDocument));
        assert.deepStrictEqual(lrp.Statement[0].Principal, { Service: "es.amazonaws.com" });
        assert.deepStrictEqual(lrp.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": acct }, ArnLike: { "aws:SourceArn": `arn:aws:es:us-east-1:${acct}:domain/hdp-prod-search` } });
        // The domain admits only its master role (configured people map further roles through fine-grained access
        // control), and the master role is assumed only with MFA (by default) by principals of this account.
        const access = JSON.parse(String(d.accessPolicies));
        assert.deepStrictEqual(access.Statement[0].Principal, { AWS: [`arn:aws:iam::${acct}:role/hdp-prod-search-admin`] });
        const trust = JSON.parse(String(inputs(one(rec, "aws:iam/role:Role", "analytics-search-admin")).assumeRolePolicy));
        const assume = (principal: string, mfa: string) =>
            simulate(
                { principal, action: "sts:AssumeRole", resource: `arn:aws:iam::${acct}:role/hdp-prod-search-admin`, resourceAccount: acct, context: { "aws:MultiFactorAuthPresent": mfa } },
                { resourcePolicy: trust },
            );
        assert.strictEqual(await assume(`arn:aws:iam::${acct}:user/operator`, "true"), "Allowed");
        assert.strictEqual(await assume(`arn:aws:iam::${acct}:user/operator`, "false"), "ImplicitlyDenied", "without MFA");
        assert.strictEqual(await assume(`arn:aws:iam::${acct}:role/any-application`, "false"), "ImplicitlyDenied");
        const sg = inputs(one(rec, "aws:ec2/securityGroup:SecurityGroup", "analytics-search-sg"));
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

    it("creates OpenSearch's service-linked role before a VPC domain, unless the account already has it", async () => {
        const { rec } = await recordAnalytics({ stack: "prod", mode: "preview" });
        const slr = one(rec, "aws:iam/serviceLinkedRole:ServiceLinkedRole", "analytics-search-service-role");
        assert.strictEqual(inputs(slr).awsServiceName, "opensearchservice.amazonaws.com");
        assert.ok(one(rec, "aws:opensearch/domain:Domain", "analytics-search-domain").dependencies.includes(slr.urn), "the domain waits for the role");
        // AWS allows one AWSServiceRoleForAmazonOpenSearchService per account: a second stack (or a console-created
        // role) makes CreateServiceLinkedRole fail, so the switch leaves it out.
        const existing = await recordAnalytics({ stack: "prod", mode: "preview", overrides: { opensearchServiceLinkedRoleExists: true } });
        assert.deepStrictEqual(ofType(existing.rec, "aws:iam/serviceLinkedRole:ServiceLinkedRole"), []);
        assert.strictEqual(ofType(existing.rec, "aws:opensearch/domain:Domain").length, 1);
    });

    it("runs a one-node dev domain without zone awareness in one subnet", async () => {
        const { rec } = await recordAnalytics({ stack: "dev", mode: "preview", overrides: { opensearchEnabled: true } });
        const d = inputs(one(rec, "aws:opensearch/domain:Domain", "analytics-search-domain"));
        assert.deepStrictEqual(d.clusterConfig, { instanceType: "t3.small.search", instanceCount: 1, zoneAwarenessEnabled: false });
        assert.strictEqual((d.vpcOptions as { subnetIds: string[] }).subnetIds.length, 1);
    });

    it("creates no OpenSearch domain or QuickSight data source when they are off (dev defaults)", async () => {
        const { rec } = await recordAnalytics({ stack: "dev", mode: "preview" });
        for (const t of ["healthcare:analytics:OpenSearchDomain", "healthcare:analytics:QuickSightDataSource", "aws:opensearch/domain:Domain", "aws:quicksight/dataSource:DataSource"]) {
            assert.strictEqual(ofType(rec, t).length, 0, t);
        }
        // The only log-group resource policy is the API's vended access-log delivery, not OpenSearch's.
        assert.deepStrictEqual(ofType(rec, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy").map((p) => p.name), ["analytics-presentation-access-log-delivery"]);
        assert.strictEqual(ofType(rec, "aws:iam/role:Role").filter((r) => /search-admin|quicksight/.test(String(inputs(r).name))).length, 0);
    });

    it("is its own component, and each child is aliased to the URN it had under PresentationApi (no replacement on upgrade)", async () => {
        const { rec } = await recordAnalytics({ stack: "prod", mode: "preview", overrides: { quicksightEnabled: true } });
        const presentation = one(rec, "healthcare:analytics:PresentationApi", "analytics-presentation");
        const oldUrn = (type: string, name: string) => `${presentation.urn.slice(0, presentation.urn.lastIndexOf("::"))}$${type}::${name}`;
        const moved: [string, string, string][] = [
            ["aws:opensearch/domain:Domain", "analytics-search-domain", "analytics-presentation-search"],
            ["aws:ec2/securityGroup:SecurityGroup", "analytics-search-sg", "analytics-presentation-search-sg"],
            ["aws:iam/role:Role", "analytics-search-admin", "analytics-presentation-search-admin"],
            ["aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "analytics-search-log-policy", "analytics-presentation-search-log-policy"],
            ["aws:cloudwatch/logGroup:LogGroup", "analytics-search-audit-logs", "analytics-presentation-search-audit-logs"],
            ["aws:cloudwatch/logGroup:LogGroup", "analytics-search-index-slow-logs", "analytics-presentation-search-index-slow-logs"],
            ["aws:cloudwatch/logGroup:LogGroup", "analytics-search-search-slow-logs", "analytics-presentation-search-search-slow-logs"],
            ["aws:cloudwatch/logGroup:LogGroup", "analytics-search-application-logs", "analytics-presentation-search-application-logs"],
            ["aws:iam/role:Role", "analytics-quicksight-role", "analytics-presentation-quicksight-role"],
            ["aws:iam/rolePolicy:RolePolicy", "analytics-quicksight-policy", "analytics-presentation-quicksight-policy"],
            ["aws:quicksight/dataSource:DataSource", "analytics-quicksight-data-source", "analytics-presentation-quicksight"],
        ];
        for (const [type, name, old] of moved) {
            assert.deepStrictEqual(one(rec, type, name).options.aliases, [oldUrn(type, old)], name);
        }
        const search = one(rec, "healthcare:analytics:OpenSearchDomain", "analytics-search");
        assert.deepStrictEqual(
            descendants(rec, search.urn).map((r) => r.name).sort(),
            // The service-linked role is new (it was never under PresentationApi): no alias.
            [...moved.filter(([, n]) => n.startsWith("analytics-search")).map(([, n]) => n), "analytics-search-service-role"].sort(),
        );
        assert.deepStrictEqual(one(rec, "aws:iam/serviceLinkedRole:ServiceLinkedRole", "analytics-search-service-role").options.aliases, []);
        // Nothing of search or BI is left under the API component.
        assert.deepStrictEqual(descendants(rec, presentation.urn).filter((r) => /search|quicksight/.test(r.name)).map((r) => r.name), []);
    });
});
