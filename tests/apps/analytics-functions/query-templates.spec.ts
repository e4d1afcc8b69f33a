import * as assert from "assert";
import {
    bindParameters,
    buildTemplates,
    countPlaceholders,
    MAX_PHI_RANGE_DAYS,
    ParameterError,
    QueryTemplate,
    sqlStringLiteral,
} from "../../../apps/analytics-functions/query-templates";
import { CTX } from "./fake-athena";
import { INVENTORY_COLUMNS, REQUIRED_INVENTORY_FIELDS } from "../../../apps/analytics-functions/inventory-schema";
import { INVENTORY_FIELDS } from "../../../components/storage/secure-bucket";

const NOW = new Date("2025-03-07T10:00:00Z");

function template(id: string): QueryTemplate {
    const t = buildTemplates(CTX).find((x) => x.id === id);
    assert.ok(t, `template ${id}`);
    return t;
}

function problems(fn: () => unknown): string[] {
    try {
        fn();
    } catch (err) {
        if (err instanceof ParameterError) return err.problems;
        throw err;
    }
    assert.fail("expected a ParameterError");
}

/** True when `text` is exactly one SQL string literal (quotes inside doubled). */
function isSingleStringLiteral(text: string): boolean {
    return /^'(?:[^']|'')*'$/.test(text);
}

describe("apps/analytics-functions/query-templates", () => {
    it("binds every placeholder of every template to a declared parameter", async () => {
        const templates = buildTemplates(CTX);
        assert.deepStrictEqual(
            templates.map((t) => t.id),
            [
                "inventory-health",
                "unencrypted-objects",
                "storage-class-by-zone",
                "objects-by-customer",
                "objects-for-customer",
                "objects-past-transition",
                "objects-under-prefix",
                "encounters-by-day",
                "observations-by-code",
            ],
        );
        for (const t of templates) {
            assert.strictEqual(countPlaceholders(t.sql), t.placeholders.length, t.id);
        }
    });

    it("counts placeholders outside literals, quoted identifiers and comments only", async () => {
        assert.strictEqual(countPlaceholders(`SELECT '?' AS q, "a?b" FROM t -- why?\nWHERE x = ? AND y = '??' AND z = ?`), 2);
    });

    it("queries the inventory table by its deterministic name and maps every zone bucket", async () => {
        const sql = template("storage-class-by-zone").sql;
        assert.ok(sql.includes(`FROM "hdp_dev_inventory"."s3_inventory" i`));
        assert.ok(sql.includes("WHEN 'hdp-dev-raw-210987654321-us-east-1' THEN 'raw'"));
        assert.ok(sql.includes("WHEN 'hdp-dev-curated-210987654321-us-east-1' THEN 'curated'"));
        assert.ok(sql.includes("WHERE i.dt >= ?"));
    });

    it("uses each zone's IA days, the 128 KiB lifecycle minimum and a grace period for past-transition objects", async () => {
        const sql = template("objects-past-transition").sql;
        assert.ok(sql.includes("storage_class = 'STANDARD' AND size >= 131072"));
        assert.ok(sql.includes("WHEN 'hdp-dev-raw-210987654321-us-east-1' THEN 30 WHEN 'hdp-dev-curated-210987654321-us-east-1' THEN 90 ELSE NULL END + 2"));
    });

    it("expects SSE-S3 only where a zone says so (the access-log bucket) and SSE-KMS with the Bucket Key elsewhere", async () => {
        const logs = "hdp-dev-access-logs-210987654321-us-east-1";
        const sql = buildTemplates({ ...CTX, zones: [...CTX.zones, { zone: "access-logs", bucket: logs, infrequentAccessDays: 30, encryption: "SSE-S3" }] }).find((t) => t.id === "inventory-health")?.sql ?? "";
        assert.ok(sql.includes(`CASE i.source_bucket WHEN 'hdp-dev-raw-210987654321-us-east-1' THEN 'SSE-KMS' WHEN 'hdp-dev-curated-210987654321-us-east-1' THEN 'SSE-KMS' WHEN '${logs}' THEN 'SSE-S3' ELSE 'SSE-KMS' END AS expected_encryption`));
        assert.ok(sql.includes("(expected_encryption = 'SSE-KMS' AND encryption_status NOT IN ('SSE-KMS', 'DSSE-KMS'))"));
        assert.ok(sql.includes("(expected_encryption = 'SSE-S3' AND encryption_status NOT IN ('SSE-S3', 'SSE-KMS', 'DSSE-KMS'))"));
        assert.ok(sql.includes("count_if((expected_encryption = 'SSE-KMS' AND encryption_status = 'SSE-KMS' AND coalesce(bucket_key_status, 'DISABLED') <> 'ENABLED')) AS without_bucket_key"));
    });

    it("refuses deployment names that are not identifiers", async () => {
        assert.throws(() => buildTemplates({ ...CTX, curatedDatabase: "curated; DROP TABLE x" }), /curated database 'curated; DROP TABLE x' is not a Glue\/Athena identifier/);
        assert.throws(() => buildTemplates({ ...CTX, zones: [{ zone: "raw", bucket: "evil' OR '1'='1", infrequentAccessDays: 30 }] }), /is not a valid S3 bucket name/);
    });

    it("reads only columns the inventory table defines, and the storage area's inventory writes every field the queries need", async () => {
        const columns = new Set(INVENTORY_COLUMNS.map((c) => c.name));
        for (const col of ["storage_class", "encryption_status", "bucket_key_status", "last_modified_date", "size", "is_latest", "is_delete_marker", "key"]) {
            assert.ok(columns.has(col), col);
        }
        for (const field of REQUIRED_INVENTORY_FIELDS) {
            assert.ok((INVENTORY_FIELDS as readonly string[]).includes(field), `SecureBucket INVENTORY_FIELDS lacks ${field}`);
        }
    });

    describe("bindParameters", () => {
        it("encodes typed values as single literals in placeholder order", async () => {
            const bound = bindParameters(template("observations-by-code"), { customer: "st-marys", code: "4548-4", from: "2025-01-01", to: "2025-02-28" }, CTX, NOW);
            assert.deepStrictEqual(bound.executionParameters, ["'st-marys'", "'4548-4'", "CAST('2025-01-01' AS DATE)", "CAST('2025-02-28' AS DATE)"]);
        });

        it("defaults the inventory look-back to two days before now", async () => {
            const bound = bindParameters(template("inventory-health"), {}, CTX, NOW);
            assert.deepStrictEqual(bound.executionParameters, ["'2025-03-05-00-00'"]);
            assert.deepStrictEqual(bound.values, { since: "2025-03-05" });
        });

        it("rejects SQL injection attempts in typed parameters before anything is run", async () => {
            assert.deepStrictEqual(problems(() => bindParameters(template("objects-for-customer"), { customer: "' OR 1=1 --" }, CTX, NOW)), [
                "customer: expected a customer id (1-32 lowercase letters, digits and inner hyphens), got '' OR 1=1 --'",
            ]);
            assert.deepStrictEqual(problems(() => bindParameters(template("encounters-by-day"), { customer: "st-marys", from: "2025-01-01' OR '1'='1", to: "2025-01-02" }, CTX, NOW)), [
                "from: expected a calendar date YYYY-MM-DD, got '2025-01-01' OR '1'='1'",
            ]);
            assert.deepStrictEqual(problems(() => bindParameters(template("objects-under-prefix"), { zone: "raw", prefix: "x' OR 1=1 --" }, CTX, NOW)), [
                "prefix: expected 1-256 S3 safe characters (letters, digits, ! - _ . * ' ( ) / =), got 'x' OR 1=1 --'",
            ]);
        });

        it("keeps a value with quotes that passes validation a single string literal", async () => {
            const prefix = "x')OR('1'='1";
            const bound = bindParameters(template("objects-under-prefix"), { zone: "raw", prefix }, CTX, NOW);
            const literal = bound.executionParameters[2];
            assert.strictEqual(literal, "'x'')OR(''1''=''1'");
            assert.ok(isSingleStringLiteral(literal));
            // The zone selects a deployment-named bucket; the request never supplies one.
            assert.strictEqual(bound.executionParameters[1], "'hdp-dev-raw-210987654321-us-east-1'");
        });

        it("escapes quotes so any string becomes exactly one literal", async () => {
            for (const v of ["", "'", "''", "a'b", "'; DROP TABLE t; --", "\\'"]) {
                assert.ok(isSingleStringLiteral(sqlStringLiteral(v)), v);
            }
        });

        it("reports unknown, missing and ill-typed parameters together", async () => {
            assert.deepStrictEqual(problems(() => bindParameters(template("encounters-by-day"), { customer: 42, to: "2025-02-30", limit: "1" }, CTX, NOW)), [
                "limit: not a parameter of 'encounters-by-day' (allowed: customer, from, to)",
                "customer: expected a string, got 42",
                "from: required (First day, YYYY-MM-DD)",
                "to: expected a calendar date YYYY-MM-DD, got '2025-02-30'",
            ]);
        });

        it("bounds PHI date ranges and their order", async () => {
            const t = template("encounters-by-day");
            assert.deepStrictEqual(problems(() => bindParameters(t, { customer: "st-marys", from: "2025-03-01", to: "2025-02-01" }, CTX, NOW)), [
                "to: expected a day on or after from (2025-03-01), got '2025-02-01'",
            ]);
            assert.deepStrictEqual(problems(() => bindParameters(t, { customer: "st-marys", from: "2023-01-01", to: "2025-01-01" }, CTX, NOW)), [
                `to: expected at most ${MAX_PHI_RANGE_DAYS} days after from (2023-01-01), got '2025-01-01'`,
            ]);
        });

        it("accepts only configured zones", async () => {
            assert.deepStrictEqual(problems(() => bindParameters(template("objects-under-prefix"), { zone: "landing", prefix: "customer=st-marys/" }, CTX, NOW)), [
                "zone: expected one of raw, curated, got 'landing'",
            ]);
        });
    });

    it("suppresses small cells in PHI aggregates", async () => {
        for (const id of ["encounters-by-day", "observations-by-code"]) {
            const t = template(id);
            assert.strictEqual(t.phi, true);
            assert.ok(t.sql.includes("HAVING count(DISTINCT patient_id) >= 11"), id);
        }
    });
});
