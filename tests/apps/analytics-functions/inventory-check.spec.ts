import * as assert from "assert";
import { createInventoryCheckHandler } from "../../../apps/analytics-functions/inventory-check";
import { buildTemplates } from "../../../apps/analytics-functions/query-templates";
import { CTX, fakeClock, FakeAthena, FakeAthenaScript } from "./fake-athena";

const COLUMNS = [
    { name: "zone", type: "varchar" },
    { name: "source_bucket", type: "varchar" },
    { name: "objects", type: "bigint" },
    { name: "not_encrypted_as_required", type: "bigint" },
    { name: "without_bucket_key", type: "bigint" },
    { name: "past_transition", type: "bigint" },
];

function run(script: FakeAthenaScript) {
    const athena = new FakeAthena({ columns: COLUMNS, ...script });
    const clock = fakeClock();
    const lines: string[] = [];
    const check = createInventoryCheckHandler({
        athena,
        templateContext: CTX,
        workgroup: "hdp-dev-analytics",
        namespace: "HealthcareDataPlatform/Inventory",
        environment: "dev",
        queryTimeoutMs: 55_000,
        now: clock.now,
        sleep: clock.sleep,
        emit: (l) => lines.push(l),
    });
    return { athena, check, lines };
}

describe("apps/analytics-functions/inventory-check", () => {
    it("runs the inventory-health template and publishes the totals as EMF metrics", async () => {
        const { athena, check, lines } = run({
            rows: [
                ["raw", CTX.zones[0].bucket, "100", "2", "1", "0"],
                ["curated", CTX.zones[1].bucket, "50", "0", "3", "7"],
            ],
        });
        const result = await check();
        assert.strictEqual(athena.started[0].QueryString, buildTemplates(CTX).find((t) => t.id === "inventory-health")?.sql);
        assert.deepStrictEqual(athena.started[0].ExecutionParameters, ["'2025-03-05-00-00'"]);
        assert.deepStrictEqual(result, { notEncryptedAsRequired: 2, withoutBucketKey: 4, pastTransition: 7, missingReports: [], queryExecutionId: "qe-1" });
        assert.strictEqual(lines.length, 1);
        const emf = JSON.parse(lines[0]);
        assert.deepStrictEqual(emf._aws.CloudWatchMetrics, [
            {
                Namespace: "HealthcareDataPlatform/Inventory",
                Dimensions: [["Environment"]],
                Metrics: ["ObjectsNotEncryptedAsRequired", "ObjectsWithoutBucketKey", "ObjectsPastTransition", "InventoryReportsMissing"].map((Name) => ({ Name, Unit: "Count" })),
            },
        ]);
        assert.deepStrictEqual([emf.Environment, emf.ObjectsNotEncryptedAsRequired, emf.ObjectsWithoutBucketKey, emf.ObjectsPastTransition, emf.InventoryReportsMissing], ["dev", 2, 4, 7, 0]);
        assert.strictEqual(emf._aws.Timestamp, Date.parse("2025-03-07T10:00:00Z"));
    });

    it("reports an empty result as missing inventory reports, not as a clean lake", async () => {
        const { check, lines } = run({ rows: [] });
        const result = await check();
        assert.deepStrictEqual(result.missingReports, ["raw", "curated"]);
        assert.strictEqual(JSON.parse(lines[0]).InventoryReportsMissing, 2);
    });

    it("fails (so Lambda retries and the dead-letter queue keeps the event) when Athena fails", async () => {
        const { check, lines } = run({ states: ["FAILED"], reason: "TABLE_NOT_FOUND" });
        await assert.rejects(check(), /Athena query qe-1 failed/);
        assert.deepStrictEqual(lines, []);
    });
});
