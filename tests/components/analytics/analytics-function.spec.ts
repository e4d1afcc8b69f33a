import * as assert from "assert";
import { createRequire } from "module";
import * as path from "path";
import { AnalyticsFunction, bundleHandler, FunctionEntry } from "../../../components/analytics/analytics-function";
import { AnalyticsCatalog } from "../../../components/analytics/catalog";
import { AthenaWorkspace } from "../../../components/analytics/athena";
import { PlatformConfig } from "../../../components/shared/config";
import { Recording, recordProgram } from "../../../tools/offline/recorder";
import { runPack, simulate } from "../security/support";
import { descendants, inputs, ofType, one, platformConfig, policyDocument, ROOT, stackConfigMap, UNKNOWN } from "../../support/platform";
import { ALERT_TOPIC, bucketRef, catalogArgs, contextOf, fakeKeys, fakeNetwork, programKeys, recordAnalytics, rootDelegationKeyPolicy } from "./fixtures";

function checkProgram(cfg: PlatformConfig, opts: { realKeys?: boolean; topic?: boolean; names?: string[] } = {}) {
    return () => {
        const keys = opts.realKeys ? programKeys(cfg) : fakeKeys(cfg);
        const catalog = new AnalyticsCatalog("catalog", { ...catalogArgs(cfg), keys });
        const athena = new AthenaWorkspace("athena", { context: contextOf(cfg), keys, bytesScannedCutoffPerQuery: cfg.analytics.athenaBytesScannedCutoff, resultsBucket: bucketRef(cfg, "results"), catalog: catalog.refs });
        for (const role of opts.names ?? ["inventory-check"]) {
            new AnalyticsFunction(`fn-${role}`, {
                context: contextOf(cfg),
                keys,
                network: fakeNetwork(cfg),
                settings: cfg.analytics.lambda,
                role,
                workload: { kind: "inventory-check" },
                athena: athena.queryAccess,
                alarmTopicArn: opts.topic === false ? undefined : ALERT_TOPIC(cfg),
            });
        }
    };
}

/** The bundled `index.js` text of a recorded function's code archive. */
function bundleOf(rec: Recording, name: string): string {
    const code = inputs(one(rec, "aws:lambda/function:Function", name)).code as { assets: Record<string, { text: string }> };
    assert.deepStrictEqual(Object.keys(code.assets), ["index.js"]);
    return code.assets["index.js"].text;
}

/** Loads a CommonJS bundle the way the Lambda runtime does (the SDK resolves from the repository, as the runtime provides it). */
function load(code: string): Record<string, unknown> {
    const mod = { exports: {} as Record<string, unknown> };
    new Function("module", "exports", "require", code)(mod, mod.exports, createRequire(path.join(ROOT, "package.json")));
    return mod.exports;
}

describe("components/analytics/analytics-function", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`runs in the VPC with encrypted environment, tracing, a dead-letter queue and config sizing (${stack})`, async () => {
            const cfg = platformConfig(stack);
            const keys = fakeKeys(cfg);
            const rec = await recordProgram(checkProgram(cfg), { mode: "preview", config: stackConfigMap(stack), stack });
            const env = cfg.environment;
            const acct = cfg.naming.accountId;
            const fn = inputs(one(rec, "aws:lambda/function:Function", "fn-inventory-check-function"));
            assert.deepStrictEqual(
                { ...fn, code: undefined, environment: undefined, role: undefined },
                {
                    name: `hdp-${env}-inventory-check`,
                    description: "Daily S3 inventory check: encryption, lifecycle and report coverage.",
                    runtime: "nodejs22.x",
                    architectures: ["arm64"],
                    handler: "index.handler",
                    memorySize: cfg.analytics.lambda.memoryMiB,
                    timeout: cfg.analytics.lambda.timeoutSeconds,
                    reservedConcurrentExecutions: stack === "prod" ? 20 : 2,
                    kmsKeyArn: keys.dataLake.arn,
                    tracingConfig: { mode: "Active" },
                    vpcConfig: { subnetIds: fakeNetwork(cfg).privateSubnetIds, securityGroupIds: ["sg-0123456789abcdef0"] },
                    deadLetterConfig: { targetArn: `arn:aws:sqs:us-east-1:${acct}:hdp-${env}-inventory-check-dlq` },
                    loggingConfig: { logFormat: "JSON", logGroup: `/aws/lambda/hdp-${env}-inventory-check`, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
                    code: undefined,
                    environment: undefined,
                    role: undefined,
                },
            );
            const vars = (fn.environment as { variables: Record<string, string> }).variables;
            assert.deepStrictEqual(Object.keys(vars).sort(), ["ATHENA_WORKGROUP", "ENVIRONMENT", "METRIC_NAMESPACE", "QUERY_TIMEOUT_MS", "TEMPLATE_CONTEXT"]);
            assert.strictEqual(vars.ATHENA_WORKGROUP, `hdp-${env}-analytics`);
            assert.strictEqual(vars.QUERY_TIMEOUT_MS, "55000");
            assert.strictEqual(JSON.parse(vars.TEMPLATE_CONTEXT).zones.length, 5);
            assert.ok(Buffer.byteLength(JSON.stringify(vars)) < 4096, "Lambda environment limit is 4 KB");
            assert.deepStrictEqual(inputs(one(rec, "aws:cloudwatch/logGroup:LogGroup", "fn-inventory-check-logs")), {
                name: `/aws/lambda/hdp-${env}-inventory-check`,
                kmsKeyId: keys.logs.arn,
                retentionInDays: cfg.logging.retentionDays,
            });
            const q = inputs(one(rec, "aws:sqs/queue:Queue", "fn-inventory-check-dlq"));
            assert.deepStrictEqual(q, { name: `hdp-${env}-inventory-check-dlq`, kmsMasterKeyId: keys.logs.arn, kmsDataKeyReusePeriodSeconds: 300, sqsManagedSseEnabled: false, messageRetentionSeconds: 1209600 });
            const qp = policyDocument(one(rec, "aws:sqs/queuePolicy:QueuePolicy", "fn-inventory-check-dlq-policy"));
            assert.deepStrictEqual(qp.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
            const fnRes = one(rec, "aws:lambda/function:Function", "fn-inventory-check-function");
            const component = one(rec, "healthcare:analytics:AnalyticsFunction", "fn-inventory-check");
            assert.ok(descendants(rec, component.urn).some((r) => r.urn === fnRes.urn));
            assert.ok(fnRes.dependencies.includes(one(rec, "aws:cloudwatch/logGroup:LogGroup", "fn-inventory-check-logs").urn), "log group exists before the function");
        });
    }

    it("bundles each handler into one CommonJS file that exports `handler` and leaves the SDK to the runtime", async () => {
        const cfg = platformConfig("dev");
        const rec = await recordProgram(checkProgram(cfg), { mode: "preview" });
        const code = bundleOf(rec, "fn-inventory-check-function");
        assert.strictEqual(code, bundleHandler("inventory-check"));
        assert.ok(code.includes('require("@aws-sdk/client-athena")'));
        assert.ok(!code.includes("class AthenaClient"), "the SDK is external");
        assert.ok(code.length < 100_000, `bundle is ${code.length} bytes`);
        for (const entry of ["inventory-check", "query-api"] as FunctionEntry[]) {
            const exported = load(bundleHandler(entry));
            assert.strictEqual(typeof exported.handler, "function", entry);
        }
        // It is the real handler: without its environment it names the missing variable.
        const saved = { ...process.env };
        delete process.env.TEMPLATE_CONTEXT;
        try {
            await assert.rejects((load(code).handler as () => Promise<unknown>)(), /environment variable TEMPLATE_CONTEXT is not set/);
        } finally {
            process.env = saved;
        }
    });

    it("runs daily on an EventBridge schedule that only its own rule may use, and alarms to the topic", async () => {
        const cfg = platformConfig("prod");
        const rec = await recordProgram(checkProgram(cfg), { mode: "preview", config: stackConfigMap("prod"), stack: "prod" });
        const acct = cfg.naming.accountId;
        assert.deepStrictEqual(inputs(one(rec, "aws:cloudwatch/eventRule:EventRule", "fn-inventory-check-schedule")), {
            name: "hdp-prod-inventory-check-schedule",
            description: "Daily run of the S3 inventory check.",
            scheduleExpression: "cron(0 7 * * ? *)",
            state: "ENABLED",
        });
        const perm = inputs(one(rec, "aws:lambda/permission:Permission", "fn-inventory-check-schedule-invoke"));
        assert.deepStrictEqual([perm.principal, perm.sourceArn, perm.sourceAccount], ["events.amazonaws.com", `arn:aws:events:us-east-1:${acct}:rule/hdp-prod-inventory-check-schedule`, acct]);
        assert.deepStrictEqual(inputs(one(rec, "aws:cloudwatch/eventTarget:EventTarget", "fn-inventory-check-schedule-target")).retryPolicy, { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 });
        const alarms = ofType(rec, "aws:cloudwatch/metricAlarm:MetricAlarm").map(inputs);
        assert.deepStrictEqual(alarms.map((a) => `${a.namespace}/${a.metricName}`).sort(), [
            "AWS/Lambda/Errors",
            "AWS/SQS/ApproximateNumberOfMessagesVisible",
            "HealthcareDataPlatform/Inventory/InventoryReportsMissing",
            "HealthcareDataPlatform/Inventory/ObjectsNotEncryptedAsRequired",
            "HealthcareDataPlatform/Inventory/ObjectsPastTransition",
            "HealthcareDataPlatform/Inventory/ObjectsWithoutBucketKey",
        ]);
        for (const a of alarms) {
            assert.deepStrictEqual([a.alarmActions, a.okActions], [[ALERT_TOPIC(cfg)], [ALERT_TOPIC(cfg)]]);
        }
        const missing = alarms.find((a) => a.metricName === "InventoryReportsMissing");
        assert.deepStrictEqual([missing?.treatMissingData, missing?.period, missing?.dimensions], ["breaching", 86400, { Environment: "prod" }]);
    });

    it("creates no alarms without a topic, and two functions do not collide", async () => {
        const cfg = platformConfig("dev");
        const rec = await recordProgram(checkProgram(cfg, { topic: false, names: ["inventory-check", "inventory-check-2"] }), { mode: "preview" });
        assert.strictEqual(ofType(rec, "aws:cloudwatch/metricAlarm:MetricAlarm").length, 0);
        const names = ofType(rec, "aws:lambda/function:Function").map((r) => inputs(r).name);
        assert.deepStrictEqual(names.sort(), ["hdp-dev-inventory-check", "hdp-dev-inventory-check-2"]);
        assert.strictEqual(new Set(ofType(rec, "aws:iam/role:Role").map((r) => inputs(r).name)).size, ofType(rec, "aws:iam/role:Role").length);
    });

    it("grants the inventory check only its workgroup, the inventory reports and its results prefix (evaluated, known at preview)", async () => {
        const cfg = platformConfig("prod");
        const rec = await recordProgram(checkProgram(cfg, { realKeys: true }), { mode: "preview", config: stackConfigMap("prod"), stack: "prod" });
        const res = one(rec, "aws:iam/rolePolicy:RolePolicy", "fn-inventory-check-policy");
        assert.notStrictEqual(inputs(res).policy, UNKNOWN);
        const policy = policyDocument(res);
        const acct = cfg.naming.accountId;
        const can = (action: string, resource: string, context?: Record<string, string | string[]>) =>
            simulate(
                { principal: `arn:aws:iam::${acct}:role/hdp-prod-inventory-check-fn`, action, resource, resourceAccount: acct, context },
                { identityPolicy: policy, resourcePolicy: action.startsWith("kms:") ? rootDelegationKeyPolicy(cfg) : undefined },
            );
        assert.strictEqual(await can("athena:StartQueryExecution", `arn:aws:athena:us-east-1:${acct}:workgroup/hdp-prod-analytics`), "Allowed");
        assert.strictEqual(await can("athena:StartQueryExecution", `arn:aws:athena:us-east-1:${acct}:workgroup/primary`), "ImplicitlyDenied");
        const inv = bucketRef(cfg, "inventory").arn;
        assert.strictEqual(await can("s3:GetObject", `${inv}/inventory/${bucketRef(cfg, "raw").name}/daily-parquet/data/x.parquet`), "Allowed");
        assert.strictEqual(await can("s3:ListBucket", inv, { "s3:prefix": "inventory/" }), "Allowed");
        assert.strictEqual(await can("s3:GetObject", `${bucketRef(cfg, "curated").arn}/customer=st-marys/x.parquet`), "ImplicitlyDenied");
        const results = bucketRef(cfg, "results").arn;
        assert.strictEqual(await can("s3:PutObject", `${results}/athena/hdp-prod-analytics/q.csv`), "Allowed");
        assert.strictEqual(await can("s3:PutObject", `${results}/exports/customer=st-marys/x.csv`), "ImplicitlyDenied");
        assert.strictEqual(await can("glue:GetTable", `arn:aws:glue:us-east-1:${acct}:table/hdp_prod_inventory/s3_inventory`), "Allowed");
        assert.strictEqual(await can("glue:GetTable", `arn:aws:glue:us-east-1:${acct}:table/hdp_prod_curated/encounters`), "ImplicitlyDenied");
        assert.strictEqual(await can("sqs:SendMessage", `arn:aws:sqs:us-east-1:${acct}:hdp-prod-inventory-check-dlq`), "Allowed");
        assert.strictEqual(await can("logs:PutLogEvents", `arn:aws:logs:us-east-1:${acct}:log-group:/aws/lambda/hdp-prod-inventory-check:log-stream:x`), "Allowed");
        assert.strictEqual(await can("logs:PutLogEvents", `arn:aws:logs:us-east-1:${acct}:log-group:/aws/lambda/other:log-stream:x`), "ImplicitlyDenied");
        assert.strictEqual(await can("cloudwatch:PutMetricData", "*"), "ImplicitlyDenied");
        const key = `arn:aws:kms:us-east-1:${acct}:key/11111111-2222-4333-8444-555555555555`;
        assert.strictEqual(await can("kms:Decrypt", key, { "kms:ResourceAliases": ["alias/hdp-prod-data-lake"] }), "Allowed");
        assert.strictEqual(await can("kms:Decrypt", key, { "kms:ResourceAliases": ["alias/hdp-prod-databases"] }), "ImplicitlyDenied");
    });

    for (const stack of ["dev", "prod"] as const) {
        for (const mode of ["preview", "up"] as const) {
            it(`passes the policy pack with nothing mandatory and nothing skipped (${stack}, ${mode})`, async () => {
                const { cfg, rec } = await recordAnalytics({ stack, mode, realKeys: true });
                const verdict = await runPack(rec, cfg);
                assert.deepStrictEqual([verdict.mandatory, verdict.previewSkipped], [[], []]);
            });
        }
    }
});
