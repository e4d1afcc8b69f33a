import * as assert from "assert";
import {
    bindParameters,
    buildTemplates,
    countPlaceholders,
    MAX_PHI_RANGE_DAYS,
    MAX_PHI_RANGE_MONTHS,
    ParameterError,
    placeholderOffsets,
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

        it("takes monthly PHI windows in whole months only, naming the parameter, the expected day and the given one", async () => {
            const t = template("observations-by-code");
            const ask = (from: string, to: string) => problems(() => bindParameters(t, { customer: "st-marys", code: "4548-4", from, to }, CTX, NOW));
            // The differencing pair: 2025-01-01..31 and 2025-01-02..31 each pass the threshold; the second is refused.
            assert.deepStrictEqual(ask("2025-01-02", "2025-01-31"), ["from: expected the first day of a month (whole months only: for 2025-01 that is 2025-01-01), got '2025-01-02'"]);
            assert.deepStrictEqual(ask("2025-01-01", "2025-01-30"), ["to: expected the last day of a month (whole months only: for 2025-01 that is 2025-01-31), got '2025-01-30'"]);
            assert.deepStrictEqual(ask("2024-02-01", "2024-02-28"), ["to: expected the last day of a month (whole months only: for 2024-02 that is 2024-02-29), got '2024-02-28'"]);
            assert.deepStrictEqual(ask("2025-01", "2025-02-31"), [
                "from: expected the first day of a month, YYYY-MM-01, got '2025-01'",
                "to: expected the last day of a month, YYYY-MM-DD such as 2025-01-31, got '2025-02-31'",
            ]);
        });

        it("fits twelve whole months, also a leap year, and refuses a thirteenth", async () => {
            const t = template("observations-by-code");
            const bind = (from: string, to: string) => bindParameters(t, { customer: "st-marys", code: "4548-4", from, to }, CTX, NOW);
            assert.strictEqual(MAX_PHI_RANGE_MONTHS, 12);
            assert.deepStrictEqual(bind("2024-01-01", "2024-12-31").executionParameters.slice(2), ["CAST('2024-01-01' AS DATE)", "CAST('2024-12-31' AS DATE)"]);
            assert.deepStrictEqual(bind("2024-03-01", "2025-02-28").values, { customer: "st-marys", code: "4548-4", from: "2024-03-01", to: "2025-02-28" });
            assert.deepStrictEqual(problems(() => bind("2024-01-01", "2025-01-31")), [
                "to: expected at most 12 whole months starting at from (2024-01-01), i.e. on or before 2024-12-31, got '2025-01-31'",
            ]);
            assert.deepStrictEqual(problems(() => bind("2024-02-01", "2024-01-31")), ["to: expected a day on or after from (2024-02-01), got '2024-01-31'"]);
        });

        it("refuses PHI windows ending in a period that has not ended in every time zone (a growing row differences across polls)", async () => {
            const enc = template("encounters-by-day");
            const obs = template("observations-by-code");
            // NOW is 2025-03-07T10:00Z: 2025-03-05 ended everywhere (UTC-12) at 2025-03-06T12:00Z, 2025-03-06 has not.
            assert.deepStrictEqual(bindParameters(enc, { customer: "st-marys", from: "2025-03-01", to: "2025-03-05" }, CTX, NOW).values.to, "2025-03-05");
            assert.deepStrictEqual(problems(() => bindParameters(enc, { customer: "st-marys", from: "2025-03-01", to: "2025-03-06" }, CTX, NOW)), [
                "to: expected a day that has ended in every time zone (on or before 2025-03-05), got '2025-03-06'",
            ]);
            assert.deepStrictEqual(bindParameters(enc, { customer: "st-marys", from: "2025-03-01", to: "2025-03-06" }, CTX, new Date("2025-03-07T12:00:00Z")).values.to, "2025-03-06");
            assert.deepStrictEqual(problems(() => bindParameters(obs, { customer: "st-marys", code: "4548-4", from: "2025-03-01", to: "2025-03-31" }, CTX, NOW)), [
                "to: expected the last day of a month that has ended in every time zone (on or before 2025-02-28), got '2025-03-31'",
            ]);
            // February ends everywhere at 2025-03-01T12:00Z.
            const feb = { customer: "st-marys", code: "4548-4", from: "2025-02-01", to: "2025-02-28" };
            assert.deepStrictEqual(problems(() => bindParameters(obs, feb, CTX, new Date("2025-03-01T11:59:59Z"))), [
                "to: expected the last day of a month that has ended in every time zone (on or before 2025-01-31), got '2025-02-28'",
            ]);
            assert.strictEqual(bindParameters(obs, feb, CTX, new Date("2025-03-01T12:00:00Z")).values.to, "2025-02-28");
        });

        it("accepts only configured zones", async () => {
            assert.deepStrictEqual(problems(() => bindParameters(template("objects-under-prefix"), { zone: "landing", prefix: "customer=st-marys/" }, CTX, NOW)), [
                "zone: expected one of raw, curated, got 'landing'",
            ]);
        });
    });

    it("suppresses small cells in PHI aggregates, with windows of whole periods", async () => {
        const enc = template("encounters-by-day");
        assert.deepStrictEqual([enc.phi, enc.period, enc.params.map((p) => `${p.name}:${p.kind}`)], [true, "day", ["customer:customerId", "from:date", "to:date"]]);
        assert.ok(enc.sql.includes("GROUP BY encounter_date\nHAVING count(DISTINCT patient_id) >= 11"));
        const obs = template("observations-by-code");
        assert.deepStrictEqual([obs.phi, obs.period, obs.params.map((p) => `${p.name}:${p.kind}`)], [true, "month", ["customer:customerId", "code:loincCode", "from:monthStart", "to:monthEnd"]]);
        // Bounds widened to whole months in the SQL as well; one row per patient and month before the month's row.
        assert.ok(obs.sql.includes("AND observation_date >= date_trunc('month', ?) AND observation_date < date_trunc('month', ?) + INTERVAL '1' MONTH\n  GROUP BY 1, 2"));
        assert.ok(obs.sql.includes("CASE WHEN count(patient_median) >= 11 THEN approx_percentile(patient_median, 0.5) END AS median_value"));
        assert.ok(obs.sql.includes("FROM per_patient\nGROUP BY month\nHAVING count(*) >= 11"));
    });

    it("finds placeholders only outside literals (the offsets a binder substitutes)", async () => {
        const sql = "SELECT '?' FROM t WHERE a = ? AND b < x + INTERVAL '1' MONTH AND c = ?";
        assert.deepStrictEqual(placeholderOffsets(sql), [sql.indexOf("= ?") + 2, sql.lastIndexOf("?")]);
    });
});
