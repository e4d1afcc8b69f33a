import * as assert from "assert";
import { AnalyticsCatalog, inventoryProjection } from "../../../components/analytics/catalog";
import { INVENTORY_COLUMNS } from "../../../apps/analytics-functions/inventory-schema";
import { DataLake } from "../../../components/storage/data-lake";
import { INVENTORY_CONFIGURATION_NAME, INVENTORY_PREFIX } from "../../../components/storage/secure-bucket";
import { recordProgram } from "../../../tools/offline/recorder";
import { runPack, simulate } from "../security/support";
import { descendants, inputs, isWireSecret, ofType, one, platformConfig, policyDocument, stackConfigMap, UNKNOWN } from "../../support/platform";
import { bucketRef, catalogArgs, contextOf, fakeKeys, inventoryArgs, LAKE_ZONES, programKeys, rootDelegationKeyPolicy } from "./fixtures";

const CATALOG = "healthcare:analytics:AnalyticsCatalog";

describe("components/analytics/catalog", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`creates the raw, curated and inventory databases, parented and protected per stack (${stack})`, async () => {
            const cfg = platformConfig(stack);
            const rec = await recordProgram(() => void new AnalyticsCatalog("catalog", catalogArgs(cfg)), { mode: "preview", config: stackConfigMap(stack), stack });
            const env = cfg.environment;
            const dbs = ofType(rec, "aws:glue/catalogDatabase:CatalogDatabase")
                .map((r) => ({ name: inputs(r).name, location: inputs(r).locationUri, protect: r.options.protect }))
                .sort((a, b) => String(a.name).localeCompare(String(b.name)));
            assert.deepStrictEqual(dbs, [
                { name: `hdp_${env}_curated`, location: `s3://${bucketRef(cfg, "curated").name}/`, protect: stack === "prod" },
                { name: `hdp_${env}_inventory`, location: undefined, protect: stack === "prod" },
                { name: `hdp_${env}_raw`, location: `s3://${bucketRef(cfg, "raw").name}/`, protect: stack === "prod" },
            ]);
            const component = one(rec, CATALOG, "catalog");
            const custom = rec.resources.filter((r) => r.custom);
            assert.deepStrictEqual(descendants(rec, component.urn).filter((r) => r.custom).map((r) => r.urn).sort(), custom.map((r) => r.urn).sort());
        });
    }

    it("projects the inventory table's partitions from SecureBucket's report layout (no crawler)", async () => {
        const cfg = platformConfig("prod");
        const rec = await recordProgram(() => void new AnalyticsCatalog("catalog", catalogArgs(cfg)), { mode: "preview", config: stackConfigMap("prod"), stack: "prod" });
        const table = inputs(one(rec, "aws:glue/catalogTable:CatalogTable", "catalog-inventory-table"));
        const inv = bucketRef(cfg, "inventory").name;
        assert.strictEqual(table.databaseName, "hdp_prod_inventory");
        assert.strictEqual(table.tableType, "EXTERNAL_TABLE");
        assert.deepStrictEqual(table.parameters, {
            EXTERNAL: "TRUE",
            "projection.enabled": "true",
            "projection.source_bucket.type": "enum",
            "projection.source_bucket.values": LAKE_ZONES.map((z) => bucketRef(cfg, z).name).join(","),
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy-MM-dd-HH-mm",
            "projection.dt.range": "2025-01-01-00-00,NOW",
            "projection.dt.interval": "1",
            "projection.dt.interval.unit": "HOURS",
            "storage.location.template": `s3://${inv}/${INVENTORY_PREFIX}/\${source_bucket}/${INVENTORY_CONFIGURATION_NAME}/hive/dt=\${dt}/`,
        });
        assert.deepStrictEqual(table.partitionKeys, [
            { name: "source_bucket", type: "string", comment: "Source bucket of the report" },
            { name: "dt", type: "string", comment: "Report time, YYYY-MM-DD-HH-MM" },
        ]);
        const sd = table.storageDescriptor as Record<string, unknown>;
        assert.strictEqual(sd.inputFormat, "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat");
        assert.deepStrictEqual(sd.serDeInfo, { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" });
        assert.deepStrictEqual((sd.columns as { name: string }[]).map((c) => c.name), INVENTORY_COLUMNS.map((c) => c.name));
        assert.strictEqual(ofType(rec, "aws:glue/crawler:Crawler").filter((c) => String(inputs(c).databaseName).endsWith("inventory")).length, 0);
    });

    it("covers every inventory configuration the data lake writes, at the path S3 writes it to", async () => {
        const cfg = platformConfig("dev");
        const rec = await recordProgram(
            () => {
                const lake = new DataLake("lake", { context: contextOf(cfg), keys: fakeKeys(cfg), config: cfg.dataLake });
                const sources = [
                    ...LAKE_ZONES.map((zone) => ({ zone, bucket: lake.buckets[zone], infrequentAccessDays: cfg.dataLake.lifecycle[zone].infrequentAccessDays })),
                    { zone: "access-logs", bucket: lake.accessLogs, infrequentAccessDays: cfg.dataLake.lifecycle.logs.infrequentAccessDays },
                ];
                new AnalyticsCatalog("catalog", catalogArgs(cfg, { inventory: { bucket: lake.inventory, sources } }));
            },
            { mode: "preview", config: stackConfigMap("dev"), stack: "dev" },
        );
        const template = String((inputs(one(rec, "aws:glue/catalogTable:CatalogTable", "catalog-inventory-table")).parameters as Record<string, string>)["storage.location.template"]);
        const enumerated = String((inputs(one(rec, "aws:glue/catalogTable:CatalogTable", "catalog-inventory-table")).parameters as Record<string, string>)["projection.source_bucket.values"]).split(",");
        const configs = ofType(rec, "aws:s3/inventory:Inventory");
        assert.ok(configs.length >= LAKE_ZONES.length);
        for (const c of configs) {
            const i = inputs(c);
            const dest = (i.destination as { bucket: { bucketArn: string; format: string; prefix: string } }).bucket;
            const source = String(i.bucket);
            assert.ok(enumerated.includes(source), `${source} is not a projected source bucket`);
            assert.strictEqual(dest.format, "Parquet");
            // S3 writes <prefix>/<source bucket>/<configuration name>/hive/dt=YYYY-MM-DD-HH-MM/symlink.txt.
            const written = `s3://${dest.bucketArn.replace(/^arn:aws:s3:::/, "")}/${dest.prefix}/${source}/${i.name}/hive/dt=2025-03-07-01-00/`;
            assert.strictEqual(template.replace("${source_bucket}", source).replace("${dt}", "2025-03-07-01-00"), written);
        }
    });

    it("refuses CSV reports and an empty source list with messages naming the argument", async () => {
        const cfg = platformConfig("dev");
        await assert.rejects(
            recordProgram(() => void new AnalyticsCatalog("catalog", catalogArgs(cfg, { inventory: inventoryArgs(cfg, { format: "CSV" }) })), { mode: "preview" }),
            /AnalyticsCatalog 'catalog': inventory.format must be Parquet or ORC, got 'CSV'/,
        );
        await assert.rejects(
            recordProgram(() => void new AnalyticsCatalog("catalog", catalogArgs(cfg, { inventory: inventoryArgs(cfg, { sources: [] }) })), { mode: "preview" }),
            /inventory.sources: expected at least one inventoried bucket, got none/,
        );
        assert.throws(() => inventoryProjection(inventoryArgs(cfg, { firstReportDate: "2025-1-1" })), /inventory.firstReportDate: expected YYYY-MM-DD, got '2025-1-1'/);
    });

    it("crawls the curated zone incrementally with its own encrypting security configuration", async () => {
        const cfg = platformConfig("dev");
        const keys = fakeKeys(cfg);
        const rec = await recordProgram(() => void new AnalyticsCatalog("catalog", catalogArgs(cfg)), { mode: "up", config: stackConfigMap("dev"), stack: "dev" });
        const sc = inputs(one(rec, "aws:glue/securityConfiguration:SecurityConfiguration", "catalog-security-configuration"));
        assert.deepStrictEqual(sc, {
            name: "hdp-dev-analytics",
            encryptionConfiguration: {
                s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: keys.dataLake.arn },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: keys.logs.arn },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: keys.dataLake.arn },
            },
        });
        const crawler = inputs(one(rec, "aws:glue/crawler:Crawler", "catalog-curated-crawler"));
        assert.strictEqual(crawler.name, "hdp-dev-curated-crawler");
        assert.strictEqual(crawler.databaseName, "hdp_dev_curated");
        assert.strictEqual(crawler.securityConfiguration, "hdp-dev-analytics");
        assert.deepStrictEqual(crawler.recrawlPolicy, { recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" });
        assert.deepStrictEqual(crawler.schemaChangePolicy, { updateBehavior: "LOG", deleteBehavior: "LOG" });
        assert.strictEqual((crawler.s3Targets as { path: string }[])[0].path, `s3://${bucketRef(cfg, "curated").name}/`);
        assert.match(String(crawler.role), /^arn:aws:iam::\d{12}:role\/hdp-dev-curated-crawler$/);
    });

    it("uses the batch-ETL security configuration when one is named, and creates none", async () => {
        const cfg = platformConfig("dev");
        const rec = await recordProgram(() => void new AnalyticsCatalog("catalog", catalogArgs(cfg, { securityConfigurationName: "hdp-dev-etl" })), { mode: "preview" });
        assert.strictEqual(ofType(rec, "aws:glue/securityConfiguration:SecurityConfiguration").length, 0);
        assert.strictEqual(inputs(one(rec, "aws:glue/crawler:Crawler", "catalog-curated-crawler")).securityConfiguration, "hdp-dev-etl");
    });

    it("lets the crawler read only the curated zone and write only the curated database (evaluated)", async () => {
        const cfg = platformConfig("prod");
        const rec = await recordProgram(() => void new AnalyticsCatalog("catalog", { ...catalogArgs(cfg), keys: programKeys(cfg) }), { mode: "preview", config: stackConfigMap("prod"), stack: "prod" });
        const policy = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "catalog-crawler-policy"));
        const trust = inputs(one(rec, "aws:iam/role:Role", "catalog-crawler-role")).assumeRolePolicy;
        assert.notStrictEqual(trust, UNKNOWN);
        const principal = `arn:aws:iam::${cfg.naming.accountId}:role/hdp-prod-curated-crawler`;
        const acct = cfg.naming.accountId;
        const can = (action: string, resource: string, context?: Record<string, string | string[]>) =>
            simulate(
                { principal, action, resource, resourceAccount: acct, context },
                { identityPolicy: policy, resourcePolicy: action.startsWith("kms:") ? rootDelegationKeyPolicy(cfg) : undefined },
            );
        assert.strictEqual(await can("s3:GetObject", `${bucketRef(cfg, "curated").arn}/customer=st-marys/x.parquet`), "Allowed");
        assert.strictEqual(await can("s3:GetObject", `${bucketRef(cfg, "raw").arn}/customer=st-marys/x.parquet`), "ImplicitlyDenied");
        assert.strictEqual(await can("s3:PutObject", `${bucketRef(cfg, "curated").arn}/x`), "ImplicitlyDenied");
        assert.strictEqual(await can("glue:CreateTable", `arn:aws:glue:us-east-1:${acct}:table/hdp_prod_curated/encounters`), "Allowed");
        assert.strictEqual(await can("glue:CreateTable", `arn:aws:glue:us-east-1:${acct}:table/hdp_prod_raw/encounters`), "ImplicitlyDenied");
        const key = `arn:aws:kms:us-east-1:${acct}:key/0f1e2d3c-aaaa-4bbb-8ccc-000000000001`;
        assert.strictEqual(await can("kms:Decrypt", key, { "kms:ResourceAliases": ["alias/hdp-prod-data-lake"] }), "Allowed");
        assert.strictEqual(await can("kms:Decrypt", key, { "kms:ResourceAliases": ["alias/hdp-prod-secrets"] }), "ImplicitlyDenied");
        assert.ok(!isWireSecret(policy));
    });

    for (const mode of ["preview", "up"] as const) {
        it(`passes the policy pack with no mandatory violation and nothing skipped (${mode})`, async () => {
            const cfg = platformConfig("prod");
            const rec = await recordProgram(() => void new AnalyticsCatalog("catalog", { ...catalogArgs(cfg), keys: programKeys(cfg) }), { mode, config: stackConfigMap("prod"), stack: "prod" });
            const verdict = await runPack(rec, cfg);
            assert.deepStrictEqual(verdict.mandatory, []);
            assert.deepStrictEqual(verdict.previewSkipped, []);
        });
    }
});
