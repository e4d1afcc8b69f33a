import * as assert from "assert";
import { MetadataTable } from "../../../components/storage/dynamodb";
import { inputs, one } from "../../support/platform";
import { expectAllUnder, record, setup } from "./helpers";

const TABLE = "aws:dynamodb/table:Table";

describe("components/storage/dynamodb", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: customer-managed key, point-in-time recovery, on-demand, pk/sk and a TTL attribute`, async () => {
            const s = setup(stack);
            const rec = await record("preview", () => new MetadataTable("ingestion-manifest", { context: s.context, keys: s.keys }));
            const t = inputs(one(rec, TABLE, "ingestion-manifest-table"));
            assert.strictEqual(t.name, `hdp-${stack}-ingestion-manifest`);
            assert.deepStrictEqual(t.serverSideEncryption, { enabled: true, kmsKeyArn: s.keys.databases.arn });
            assert.deepStrictEqual(t.pointInTimeRecovery, { enabled: true });
            assert.strictEqual(t.billingMode, "PAY_PER_REQUEST");
            assert.strictEqual(t.readCapacity, undefined);
            assert.deepStrictEqual({ hash: t.hashKey, range: t.rangeKey }, { hash: "pk", range: "sk" });
            assert.deepStrictEqual(t.attributes, [
                { name: "pk", type: "S" },
                { name: "sk", type: "S" },
            ]);
            assert.deepStrictEqual(t.ttl, { attributeName: "expiresAt", enabled: true });
            expectAllUnder(rec, "healthcare:storage:MetadataTable", "ingestion-manifest");
        });
    }

    it("protects the table and turns on deletion protection in prod only", async () => {
        const verdicts: Record<string, unknown> = {};
        for (const stack of ["dev", "prod"] as const) {
            const s = setup(stack);
            const rec = await record("preview", () => new MetadataTable("ingestion-manifest", { context: s.context, keys: s.keys }));
            const res = one(rec, TABLE, "ingestion-manifest-table");
            verdicts[stack] = { protect: res.options.protect, deletionProtection: inputs(res).deletionProtectionEnabled };
        }
        assert.deepStrictEqual(verdicts, { dev: { protect: false, deletionProtection: false }, prod: { protect: true, deletionProtection: true } });
    });

    it("exposes its name and ARN known at preview and tags itself for the backup plan", async () => {
        const s = setup("prod");
        let arn = "";
        const rec = await record("preview", () => {
            arn = new MetadataTable("ingestion-manifest", { context: s.context, keys: s.keys }).tableArn;
        });
        assert.strictEqual(arn, "arn:aws:dynamodb:us-east-1:345678901234:table/hdp-prod-ingestion-manifest");
        assert.strictEqual((inputs(one(rec, TABLE, "ingestion-manifest-table")).tags as Record<string, string>).backup, "true");
    });

    it("uses provisioned capacity only when asked, and rejects capacity with on-demand billing", async () => {
        const s = setup("dev");
        const rec = await record("preview", () =>
            new MetadataTable("m", { context: s.context, keys: s.keys, billingMode: "PROVISIONED", readCapacity: 3, writeCapacity: 2 }),
        );
        const t = inputs(one(rec, TABLE, "m-table"));
        assert.deepStrictEqual({ mode: t.billingMode, r: t.readCapacity, w: t.writeCapacity }, { mode: "PROVISIONED", r: 3, w: 2 });
        await assert.rejects(
            record("preview", () => new MetadataTable("m", { context: s.context, keys: s.keys, readCapacity: 3 })),
            /MetadataTable 'm' readCapacity: expected a positive integer with billingMode PROVISIONED, got 3 with billingMode PAY_PER_REQUEST/,
        );
    });
});
