/**
 * The Ingestion component turns each path on or off by config. "Off" is checked as a difference of recordings: the
 * stack without the path has exactly the resources of the stack with it, minus that path's component subtree, and
 * everything that remains is registered with identical inputs.
 */
import * as assert from "assert";
import { composeIngestion } from "../../../components/ingestion/compose";
import { Ingestion } from "../../../components/ingestion/ingestion";
import { PlatformConfig } from "../../../components/shared/config";
import { Mode, Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, fakeNetwork, inputs, one, ofType, stackConfigMap } from "../../support/platform";
import { lakeRefs, platformConfig } from "./support";
import { recordProgram } from "../../../tools/offline/recorder";

function recordIngestion(stack: "dev" | "prod", overrides: Record<string, unknown>, mode: Mode = "preview", names = ["ingest"]): Promise<Recording> {
    const cfg: PlatformConfig = platformConfig(stack, overrides);
    return recordProgram(
        async () => {
            if (names.length === 1 && names[0] === "ingest") {
                // The stack's ingestion as index.ts composes it.
                const { landing, raw, import: imported, glueAssets } = lakeRefs(cfg);
                composeIngestion(cfg, { context: contextOf(cfg), keys: fakeKeys(cfg), network: fakeNetwork(cfg), lake: { buckets: { landing, raw, import: imported }, assets: glueAssets } });
                return;
            }
            for (const name of names) {
                new Ingestion(name, {
                    context: contextOf(cfg),
                    config: cfg.ingestion,
                    customers: cfg.customers,
                    keys: fakeKeys(cfg),
                    network: fakeNetwork(cfg),
                    buckets: lakeRefs(cfg),
                    auditLogRetentionDays: cfg.logging.auditRetentionDays,
                    // Data Catalog encryption settings are one per account: only the first instance may own them.
                    manageCatalogEncryption: name === names[0],
                });
            }
        },
        { mode, stack, config: stackConfigMap(stack, overrides), context: { accountId: cfg.naming.accountId } },
    );
}

const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

/** Resources of `withPath` that are missing from `without`, which must be exactly the subtree of `component`. */
function assertRemovesExactly(withPath: Recording, without: Recording, componentType: string, componentName: string): void {
    const component = one(withPath, componentType, componentName);
    const subtree = new Set([key(component), ...descendants(withPath, component.urn).map(key)]);
    const remaining = new Map(without.resources.map((r) => [key(r), r]));
    const removed = withPath.resources.filter((r) => !remaining.has(key(r))).map(key);
    assert.deepStrictEqual(removed.sort(), [...subtree].sort());
    assert.strictEqual(without.resources.length, withPath.resources.length - subtree.size, "nothing was added instead");
    for (const r of withPath.resources) {
        if (subtree.has(key(r)) || r.type === "pulumi:pulumi:Stack" || r.type === "healthcare:ingestion:Ingestion") continue;
        assert.deepStrictEqual(inputs(remaining.get(key(r)) as never), inputs(r), `${key(r)} is unchanged`);
    }
    assert.ok(subtree.size >= 4, `${componentName} has its resources (${subtree.size})`);
}

describe("components/ingestion/ingestion: Ingestion", () => {
    // The full stacks, recorded once; each off-switch test records only the stack without its path.
    let devOn: Recording;
    let prodOn: Recording;
    before(async () => {
        devOn = await recordIngestion("dev", {});
        prodOn = await recordIngestion("prod", {});
    });

    it("builds streaming and the bulk-migration landing in dev, and every path in prod", async () => {
        const dev = devOn;
        assert.deepStrictEqual(
            ofType(dev, "healthcare:ingestion:StreamingIngestion").concat(ofType(dev, "healthcare:ingestion:BulkMigrationLanding")).map((r) => r.name),
            ["ingest-stream", "ingest-bulk"],
        );
        assert.deepStrictEqual(ofType(dev, "healthcare:ingestion:BatchEtl"), []);
        assert.deepStrictEqual(ofType(dev, "healthcare:ingestion:HybridFileGateway"), []);
        // The account's catalog encryption does not depend on batch ETL: dev has it too, owned by Ingestion.
        const settings = one(dev, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings", "ingest-catalog-encryption");
        assert.strictEqual(settings.parent, one(dev, "healthcare:ingestion:Ingestion", "ingest").urn);
        const devKeys = fakeKeys(platformConfig("dev"));
        assert.deepStrictEqual(inputs(settings).dataCatalogEncryptionSettings, {
            encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: devKeys.dataLake.arn },
            connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: devKeys.secrets.arn },
        });
        const prod = await recordIngestion("prod", {}, "up");
        for (const [type, name] of [
            ["StreamingIngestion", "ingest-stream"],
            ["BatchEtl", "ingest-batch"],
            ["HybridFileGateway", "ingest-hybrid"],
            ["BulkMigrationLanding", "ingest-bulk"],
        ]) {
            const child = one(prod, `healthcare:ingestion:${type}`, name);
            assert.strictEqual(child.parent, one(prod, "healthcare:ingestion:Ingestion", "ingest").urn);
        }
        const outputs = one(prod, "healthcare:ingestion:Ingestion", "ingest").outputs;
        assert.deepStrictEqual(outputs.streams, {
            "st-marys": "hdp-prod-ingest-stream-st-marys",
            "northside-clinic": "hdp-prod-ingest-stream-northside-clinic",
            "lakeview-hospital": "hdp-prod-ingest-stream-lakeview-hospital",
        });
        assert.strictEqual(outputs.etlJobName, "hdp-prod-ingest-batch-jdbc-to-parquet");
        assert.strictEqual(outputs.gatewayName, "hdp-prod-ingest-hybrid-file-gateway");
        assert.strictEqual(outputs.snowballRoleArn, "arn:aws:iam::345678901234:role/hdp-prod-ingest-bulk-snowball");
    });

    it("streamingEnabled=false removes exactly the stream, Firehose, their roles and the log group", async () => {
        const off = await recordIngestion("dev", { streamingEnabled: false });
        assertRemovesExactly(devOn, off, "healthcare:ingestion:StreamingIngestion", "ingest-stream");
        assert.deepStrictEqual(ofType(off, "aws:kinesis/stream:Stream"), []);
        assert.deepStrictEqual(ofType(off, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"), []);
    });

    it("builds no stream while customers is empty: one stream per customer, none to bind a producer to", async () => {
        const none = await recordIngestion("dev", { customers: [] });
        assertRemovesExactly(devOn, none, "healthcare:ingestion:StreamingIngestion", "ingest-stream");
        assert.deepStrictEqual(ofType(none, "aws:kinesis/stream:Stream"), []);
    });

    it("batchEtlEnabled=false removes exactly the Glue security configuration, secret, connection, crawler, script, job and trigger", async () => {
        const off = await recordIngestion("prod", { batchEtlEnabled: false });
        assertRemovesExactly(prodOn, off, "healthcare:ingestion:BatchEtl", "ingest-batch");
        assert.strictEqual(ofType(off, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings").length, 1, "catalog encryption stays on");
        assert.deepStrictEqual(ofType(off, "aws:secretsmanager/secretVersion:SecretVersion"), []);
        assert.deepStrictEqual(ofType(off, "aws:glue/job:Job"), []);
    });

    it("storageGatewayEnabled=false removes exactly the gateway, its shares, role and audit log group", async () => {
        const off = await recordIngestion("prod", { storageGatewayEnabled: false });
        assertRemovesExactly(prodOn, off, "healthcare:ingestion:HybridFileGateway", "ingest-hybrid");
        assert.deepStrictEqual(ofType(off, "aws:storagegateway/gateway:Gateway"), []);
    });

    it("bulkMigrationEnabled=false removes exactly the Snowball role, its key grant and the operator policy", async () => {
        const off = await recordIngestion("prod", { bulkMigrationEnabled: false });
        assertRemovesExactly(prodOn, off, "healthcare:ingestion:BulkMigrationLanding", "ingest-bulk");
        assert.deepStrictEqual(ofType(off, "aws:kms/grant:Grant"), []);
    });

    it("lets two instances coexist in one stack: no physical name is used twice", async () => {
        const rec = await recordIngestion("prod", {}, "preview", ["ingest", "ingest2"]);
        // Names unique per account and region; inline policies, log streams, tables and file shares are scoped to a
        // parent (role, log group, database, gateway); secret versions and the catalog settings have no name.
        const scoped = new Set([
            "aws:iam/rolePolicy:RolePolicy",
            "aws:cloudwatch/logStream:LogStream",
            "aws:glue/catalogTable:CatalogTable",
            "aws:storagegateway/nfsFileShare:NfsFileShare",
            "aws:storagegateway/smbFileShare:SmbFileShare",
            // A cache is a disk of its gateway and has no name of its own.
            "aws:storagegateway/cache:Cache",
            "aws:secretsmanager/secretVersion:SecretVersion",
            "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings",
        ]);
        const physical = rec.resources
            .filter((r) => r.custom && !scoped.has(r.type))
            .map((r) => {
                const i = inputs(r);
                return `${r.type}:${String(i.name ?? i.gatewayName ?? i.key)}`;
            });
        assert.ok(physical.length >= 40, `${physical.length} named resources`);
        assert.ok(physical.every((n) => !n.endsWith(":undefined")), physical.join("\n"));
        assert.deepStrictEqual(physical.filter((n, i) => physical.indexOf(n) !== i), []);
        assert.strictEqual(ofType(rec, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings").length, 1);
    });

    it("refuses batch ETL without a Glue assets bucket", async () => {
        const cfg = platformConfig("prod");
        await assert.rejects(
            recordProgram(
                async () => {
                    new Ingestion("ingest", { context: contextOf(cfg), config: cfg.ingestion, customers: cfg.customers, keys: fakeKeys(cfg), network: fakeNetwork(cfg), buckets: { ...lakeRefs(cfg), glueAssets: undefined } });
                },
                { mode: "preview" },
            ),
            { message: "Ingestion 'ingest': batchEtlEnabled is true but buckets.glueAssets (Glue scripts and temp files) was not given" },
        );
    });
});
