import * as assert from "assert";
import { AnalyticsCatalog } from "../../../components/analytics/catalog";
import { AthenaWorkspace } from "../../../components/analytics/athena";
import { buildTemplates } from "../../../apps/analytics-functions/query-templates";
import { PlatformConfig } from "../../../components/shared/config";
import { recordProgram } from "../../../tools/offline/recorder";
import { policies } from "../../../policy-pack/policies";
import { runPack } from "../security/support";
import { descendants, inputs, ofType, one, platformConfig, stackConfigMap, UNKNOWN } from "../../support/platform";
import { bucketRef, catalogArgs, contextOf, fakeKeys, programKeys } from "./fixtures";

function program(cfg: PlatformConfig, opts: { realKeys?: boolean; cutoff?: number } = {}) {
    return () => {
        const keys = opts.realKeys ? programKeys(cfg) : fakeKeys(cfg);
        const catalog = new AnalyticsCatalog("catalog", { ...catalogArgs(cfg), keys });
        new AthenaWorkspace("athena", {
            context: contextOf(cfg),
            keys,
            bytesScannedCutoffPerQuery: opts.cutoff ?? cfg.analytics.athenaBytesScannedCutoff,
            resultsBucket: bucketRef(cfg, "results"),
            catalog: catalog.refs,
        });
    };
}

describe("components/analytics/athena", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`enforces SSE-KMS results in the results zone with the stack's scan cutoff (${stack})`, async () => {
            const cfg = platformConfig(stack);
            const rec = await recordProgram(program(cfg), { mode: "preview", config: stackConfigMap(stack), stack });
            const wg = one(rec, "aws:athena/workgroup:Workgroup", "athena-workgroup");
            const env = cfg.environment;
            assert.deepStrictEqual(inputs(wg), {
                name: `hdp-${env}-analytics`,
                description: "Lake analytics: enforced SSE-KMS results in the results bucket, per-query scan limit.",
                state: "ENABLED",
                forceDestroy: stack !== "prod",
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    bytesScannedCutoffPerQuery: stack === "prod" ? 107374182400 : 1073741824,
                    requesterPaysEnabled: false,
                    engineVersion: { selectedEngineVersion: "Athena engine version 3" },
                    resultConfiguration: {
                        outputLocation: `s3://${bucketRef(cfg, "results").name}/athena/hdp-${env}-analytics/`,
                        expectedBucketOwner: cfg.naming.accountId,
                        aclConfiguration: { s3AclOption: "BUCKET_OWNER_FULL_CONTROL" },
                        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: fakeKeys(cfg).dataLake.arn },
                    },
                },
            });
            assert.strictEqual(wg.options.protect, stack === "prod");
            const component = one(rec, "healthcare:analytics:AthenaWorkspace", "athena");
            assert.strictEqual(descendants(rec, component.urn).length, 1 + buildTemplates({ inventoryDatabase: "a", inventoryTable: "b", curatedDatabase: "c", zones: [{ zone: "raw", bucket: "abc", infrequentAccessDays: 30 }] }).length);
        });
    }

    it("saves the API's allow-list as named queries in the workgroup, SQL for SQL", async () => {
        const cfg = platformConfig("dev");
        const rec = await recordProgram(program(cfg), { mode: "preview", config: stackConfigMap("dev"), stack: "dev" });
        const named = ofType(rec, "aws:athena/namedQuery:NamedQuery").map(inputs);
        const catalog = new Map(named.map((q) => [String(q.name), q]));
        const templates = buildTemplates({
            inventoryDatabase: "hdp_dev_inventory",
            inventoryTable: "s3_inventory",
            curatedDatabase: "hdp_dev_curated",
            zones: ["landing", "raw", "curated", "results", "import"].map((zone) => ({ zone, bucket: bucketRef(cfg, zone).name, infrequentAccessDays: cfg.dataLake.lifecycle[zone as "raw"].infrequentAccessDays })),
        });
        assert.strictEqual(named.length, templates.length);
        for (const t of templates) {
            const q = catalog.get(t.title);
            assert.ok(q, t.title);
            assert.strictEqual(q.query, t.sql);
            assert.strictEqual(q.database, t.database);
            assert.strictEqual(q.workgroup, "hdp-dev-analytics");
            assert.ok(String(q.description).endsWith(`Parameters: ${t.placeholders.join(", ") || "none"}.`));
        }
        assert.ok(catalog.has("Objects not encrypted with the platform key"));
        assert.ok(catalog.has("Storage-class breakdown per zone"));
        assert.ok(catalog.has("Objects by customer prefix"));
        assert.ok(catalog.has("Objects past their expected lifecycle transition"));
    });

    it("refuses a cutoff below Athena's 10 MB minimum, naming the config key", async () => {
        const cfg = platformConfig("dev");
        await assert.rejects(recordProgram(program(cfg, { cutoff: 1024 }), { mode: "preview" }), /bytesScannedCutoffPerQuery \(athenaBytesScannedCutoff\): expected an integer of at least 10485760 bytes \(Athena's minimum\), got 1024/);
    });

    it("passes the pack's workgroup encryption policy with an unknown key ARN at preview", async () => {
        const cfg = platformConfig("prod");
        const rec = await recordProgram(program(cfg, { realKeys: true }), { mode: "preview", config: stackConfigMap("prod"), stack: "prod" });
        const enc = (inputs(one(rec, "aws:athena/workgroup:Workgroup", "athena-workgroup")).configuration as { resultConfiguration: { encryptionConfiguration: { kmsKeyArn: string } } }).resultConfiguration.encryptionConfiguration;
        assert.strictEqual(enc.kmsKeyArn, UNKNOWN);
        const only = policies.filter((p) => p.name === "athena-workgroup-encryption-at-rest");
        assert.strictEqual(only.length, 1);
        const verdict = await runPack(rec, cfg, only);
        assert.deepStrictEqual(verdict, { mandatory: [], advisory: [], previewSkipped: [] });
        const all = await runPack(rec, cfg);
        assert.deepStrictEqual([all.mandatory, all.previewSkipped], [[], []]);
    });
});
