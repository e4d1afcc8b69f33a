import * as assert from "assert";
import { recordProgram } from "../../../tools/offline/recorder";
import { AnalyticsCatalog } from "../../../components/analytics/catalog";
import { AthenaWorkspace } from "../../../components/analytics/athena";
import { QuickSightDataSource } from "../../../components/analytics/quicksight";
import { simulate } from "../security/support";
import { inputs, one, platformConfig, policyDocument, stackConfigMap } from "../../support/platform";
import { bucketRef, catalogArgs, contextOf, fakeKeys } from "./fixtures";

describe("components/analytics/quicksight", () => {
    it("adds a QuickSight Athena data source through a role limited to the workgroup when enabled", async () => {
        const cfg = platformConfig("dev", { quicksightEnabled: true });
        const rec = await recordProgram(
            () => {
                const catalog = new AnalyticsCatalog("catalog", catalogArgs(cfg));
                const athena = new AthenaWorkspace("athena", { context: contextOf(cfg), keys: fakeKeys(cfg), bytesScannedCutoffPerQuery: cfg.analytics.athenaBytesScannedCutoff, resultsBucket: bucketRef(cfg, "results"), catalog: catalog.refs });
                new QuickSightDataSource("p", {
                    context: contextOf(cfg),
                    keys: fakeKeys(cfg),
                    athena: athena.queryAccess,
                    principalArns: [`arn:aws:quicksight:us-east-1:${cfg.naming.accountId}:group/default/analysts`],
                });
            },
            { mode: "preview", config: stackConfigMap("dev", { quicksightEnabled: true }), stack: "dev" },
        );
        const acct = cfg.naming.accountId;
        const ds = inputs(one(rec, "aws:quicksight/dataSource:DataSource", "p-data-source"));
        assert.deepStrictEqual([ds.type, ds.dataSourceId, ds.parameters, ds.sslProperties], [
            "ATHENA",
            "hdp-dev-lake-athena",
            { athena: { workGroup: "hdp-dev-analytics", roleArn: `arn:aws:iam::${acct}:role/hdp-dev-quicksight-athena` } },
            { disableSsl: false },
        ]);
        assert.strictEqual((ds.permissions as { principal: string }[])[0].principal, `arn:aws:quicksight:us-east-1:${acct}:group/default/analysts`);
        const trust = JSON.parse(String(inputs(one(rec, "aws:iam/role:Role", "p-role")).assumeRolePolicy));
        assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "quicksight.amazonaws.com" });
        const policy = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "p-policy"));
        const can = (action: string, resource: string) => simulate({ principal: `arn:aws:iam::${acct}:role/hdp-dev-quicksight-athena`, action, resource, resourceAccount: acct }, { identityPolicy: policy });
        assert.strictEqual(await can("athena:StartQueryExecution", `arn:aws:athena:us-east-1:${acct}:workgroup/hdp-dev-analytics`), "Allowed");
        assert.strictEqual(await can("athena:StartQueryExecution", `arn:aws:athena:us-east-1:${acct}:workgroup/primary`), "ImplicitlyDenied");
        assert.strictEqual(await can("s3:GetObject", `${bucketRef(cfg, "landing").arn}/x`), "ImplicitlyDenied");
    });

});
