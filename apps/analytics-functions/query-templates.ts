/**
 * The allow-list of Athena queries: the only SQL the presentation API and the scheduled inventory check ever
 * run, and the SQL of the workgroup's named queries (the program builds those from the same function, so what
 * an analyst runs in the console is exactly what the API runs).
 *
 * Why templates with `?` placeholders (HIPAA 164.312(a)(1) access control, 164.312(c)(1) integrity):
 * a caller's value never becomes part of the SQL text. Values are validated against a type (customer id,
 * calendar date, LOINC code, S3 key prefix, enumerated zone) and passed to Athena as `ExecutionParameters`,
 * which Athena binds to the placeholders in order. Athena evaluates each execution parameter as ONE literal
 * expression (string values must be single-quoted), so string values are additionally quoted with embedded
 * quotes doubled, making even a value that passed validation with a quote in it a single string literal.
 * Athena accepts placeholders only in WHERE clauses, and none inside quotes.
 *
 * Identifiers (database, table, bucket names) come from the deployment (environment variables the program
 * sets from deterministic names), are validated here, and are never taken from a request.
 *
 * PHI queries return aggregates only and suppress cells under {@link SMALL_CELL_THRESHOLD} distinct patients
 * (the CMS Cell Size Suppression Policy: no cell of 1 to 10, and none that lets such a value be derived from other
 * cells), the "minimum necessary" standard of 164.502(b). Dropping small rows is not enough on its own: a caller
 * who asks for two windows that differ by one day gets two passing cells whose difference is that day's patients.
 * So every PHI aggregate has a {@link QueryTemplate.period}, and its window is whole, ended periods:
 * - `from`/`to` of a monthly aggregate must be the first and the last day of a month (fail-closed: anything else is
 *   a parameter error), and the SQL also widens its bounds to whole months, so a saved query run in the console
 *   with a mid-month day cannot cut a month either. A row then always covers its entire period, whatever window
 *   asked for it: two windows give identical rows for the periods they share, and their difference is whole rows,
 *   each of at least the threshold.
 * - `to` must be a period that has ended in every time zone, so a period's row does not grow while a caller polls
 *   it (the difference of two polls of an open day would be the patients seen in between).
 * - No template publishes a total over rows that can be suppressed, so a suppressed row cannot be recovered as a
 *   total minus the shown rows (what complementary suppression exists to prevent).
 * - The monthly median is a median of per-patient medians, shown only when at least the threshold of patients have a
 *   numeric value: each patient counts once, so no single patient's values are the median by volume, and a month
 *   where few patients have numbers shows no median. It is over the same whole-month set as the counts, so it
 *   differences away no better than they do.
 * Late or corrected records of an ended period still change its row; differencing those across time is outside
 * what window rules can prevent.
 */
import { CUSTOMER_ID_PATTERN, CUSTOMER_IN_KEY_REGEX } from "../../components/shared/lake-layout";
import { INVENTORY_DT_PARTITION, INVENTORY_SOURCE_PARTITION, inventoryDtOf } from "./inventory-schema";

/** Rows describing fewer distinct patients than this are dropped from PHI aggregates. */
export const SMALL_CELL_THRESHOLD = 11;
/** Lifecycle runs asynchronously; an object is "past its transition" only this many days after the rule's day. */
export const TRANSITION_GRACE_DAYS = 2;
/** S3 lifecycle does not transition objects smaller than 128 KiB by default (since September 2024). */
export const MIN_TRANSITION_SIZE_BYTES = 128 * 1024;
/** Longest date range a PHI query may span (cost and minimum-necessary control). */
export const MAX_PHI_RANGE_DAYS = 366;
/** Most whole months a monthly PHI query may span: 12 months are at most 366 days, within {@link MAX_PHI_RANGE_DAYS}. */
export const MAX_PHI_RANGE_MONTHS = 12;
/**
 * Hours a UTC day runs on somewhere after it ends in UTC (the furthest zone west is UTC-12). A PHI window may end
 * only on a day that has ended everywhere, so the curated dates of any source time zone are complete.
 */
export const LAST_TIME_ZONE_LAG_HOURS = 12;
/** How far back the inventory queries look for the latest report by default. */
export const DEFAULT_INVENTORY_LOOKBACK_DAYS = 2;

/** A lake zone and the inventory facts the queries need about its bucket. */
export interface ZoneBucket {
    zone: string;
    bucket: string;
    /** Lifecycle days before STANDARD_IA for this zone (from `PlatformConfig.dataLake.lifecycle`). */
    infrequentAccessDays: number;
    /**
     * Encryption the bucket requires: SSE-KMS for data, SSE-S3 only for the server-access-log bucket (S3 cannot
     * deliver access logs to SSE-KMS). @default "SSE-KMS"
     */
    encryption?: "SSE-KMS" | "SSE-S3";
}

/** Deployment names the templates are built from. */
export interface TemplateContext {
    /** Glue database of the inventory table. */
    inventoryDatabase: string;
    inventoryTable: string;
    /** Glue database of the curated zone (the crawler's tables). */
    curatedDatabase: string;
    zones: ZoneBucket[];
}

export type ParamKind = "customerId" | "date" | "monthStart" | "monthEnd" | "inventorySince" | "loincCode" | "keyPrefix" | "zone";

/** The calendar period one row of a PHI aggregate covers. */
export type Period = "day" | "month";

export interface ParamSpec {
    name: string;
    kind: ParamKind;
    description: string;
    required: boolean;
}

export interface QueryTemplate {
    id: string;
    title: string;
    description: string;
    /** Glue database the query runs in (its tables are fully qualified anyway). */
    database: string;
    sql: string;
    params: ParamSpec[];
    /** Parameter names in the order of the `?` placeholders in `sql` (a name may repeat). */
    placeholders: string[];
    /** Whether results derive from PHI (curated clinical tables) rather than storage metadata. */
    phi: boolean;
    /**
     * For PHI aggregates: the period each row covers. The `from`/`to` window must consist of whole, ended periods
     * (see the module comment: anything finer lets two windows be differenced into a cell below the threshold).
     */
    period?: Period;
    /** How long a result may be served from the cache. */
    cacheTtlSeconds: number;
}

/** A request value that failed validation; `problems` name the parameter, the expected form and the value. */
export class ParameterError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid query parameters: ${problems.join("; ")}`);
        this.name = "ParameterError";
    }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,254}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// LOINC codes: 1-5 digits, a hyphen and a mod-10 check digit (e.g. 4548-4 for HbA1c).
const LOINC = /^\d{1,5}-\d$/;
// S3 "safe characters" (alphanumerics and ! - _ . * ' ( ) /) plus '=' for Hive-style partition prefixes.
const KEY_PREFIX = /^[A-Za-z0-9!_.*'()/=-]{1,256}$/;

function checkIdentifier(what: string, value: string): string {
    if (!IDENTIFIER.test(value)) {
        throw new Error(`${what} '${value}' is not a Glue/Athena identifier (lowercase letters, digits and underscores)`);
    }
    return value;
}

function checkBucket(value: string): string {
    if (!BUCKET.test(value)) {
        throw new Error(`bucket name '${value}' is not a valid S3 bucket name`);
    }
    return value;
}

/** `'value'` with embedded quotes doubled: the one SQL string-literal form Athena parses as a single literal. */
export function sqlStringLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

/** Offsets of the `?` placeholders outside string literals, quoted identifiers and comments, in order. */
export function placeholderOffsets(sql: string): number[] {
    const offsets: number[] = [];
    for (let i = 0; i < sql.length; i++) {
        const c = sql[i];
        if (c === "'" || c === '"') {
            const end = sql.indexOf(c, i + 1);
            i = end < 0 ? sql.length : end;
        } else if (c === "-" && sql[i + 1] === "-") {
            const end = sql.indexOf("\n", i);
            i = end < 0 ? sql.length : end;
        } else if (c === "?") {
            offsets.push(i);
        }
    }
    return offsets;
}

/** Number of `?` placeholders outside string literals, quoted identifiers and comments. */
export function countPlaceholders(sql: string): number {
    return placeholderOffsets(sql).length;
}

function zoneCase(zones: ZoneBucket[], column: string, value: (z: ZoneBucket) => string, otherwise: string): string {
    const arms = zones.map((z) => `WHEN ${sqlStringLiteral(checkBucket(z.bucket))} THEN ${value(z)}`).join(" ");
    return `CASE ${column} ${arms} ELSE ${otherwise} END`;
}

/**
 * The CTE every inventory query starts with: the latest report per source bucket since the `since` parameter
 * (one scan; a window picks each bucket's newest `dt`), current versions only, with the zone of each bucket.
 */
function currentObjects(ctx: TemplateContext): string {
    const table = `"${checkIdentifier("inventory database", ctx.inventoryDatabase)}"."${checkIdentifier("inventory table", ctx.inventoryTable)}"`;
    const zone = zoneCase(ctx.zones, `i.${INVENTORY_SOURCE_PARTITION}`, (z) => sqlStringLiteral(z.zone), "'other'");
    const expected = zoneCase(ctx.zones, `i.${INVENTORY_SOURCE_PARTITION}`, (z) => sqlStringLiteral(z.encryption ?? "SSE-KMS"), "'SSE-KMS'");
    return [
        "WITH recent AS (",
        `  SELECT i.*, ${zone} AS zone, ${expected} AS expected_encryption,`,
        `         max(i.${INVENTORY_DT_PARTITION}) OVER (PARTITION BY i.${INVENTORY_SOURCE_PARTITION}) AS latest_dt`,
        `  FROM ${table} i`,
        `  WHERE i.${INVENTORY_DT_PARTITION} >= ?`,
        "), current_objects AS (",
        "  SELECT * FROM recent",
        `  WHERE ${INVENTORY_DT_PARTITION} = latest_dt AND coalesce(is_latest, true) AND NOT coalesce(is_delete_marker, false)`,
        ")",
    ].join("\n");
}

// Keys are written under `customer=<id>/` (lake-layout.ts: Firehose dynamic partitioning and the ingestion client).
const CUSTOMER_OF_KEY = `regexp_extract(key, '${CUSTOMER_IN_KEY_REGEX}', 1)`;
// Not encrypted as the bucket requires: anything but SSE-KMS/DSSE-KMS in a KMS bucket; unencrypted (or SSE-C, whose
// key S3 does not hold) in the SSE-S3 access-log bucket.
const NOT_AS_REQUIRED =
    "(encryption_status IS NULL OR (expected_encryption = 'SSE-KMS' AND encryption_status NOT IN ('SSE-KMS', 'DSSE-KMS')) " +
    "OR (expected_encryption = 'SSE-S3' AND encryption_status NOT IN ('SSE-S3', 'SSE-KMS', 'DSSE-KMS')))";
// SSE-KMS objects of a KMS bucket written without the S3 Bucket Key (every KMS bucket here has it on).
const NO_BUCKET_KEY = "(expected_encryption = 'SSE-KMS' AND encryption_status = 'SSE-KMS' AND coalesce(bucket_key_status, 'DISABLED') <> 'ENABLED')";

function pastTransition(ctx: TemplateContext): string {
    const iaDays = zoneCase(ctx.zones, INVENTORY_SOURCE_PARTITION, (z) => String(Math.trunc(z.infrequentAccessDays)), "NULL");
    return (
        `(storage_class = 'STANDARD' AND size >= ${MIN_TRANSITION_SIZE_BYTES} ` +
        `AND date_diff('day', last_modified_date, localtimestamp) > ${iaDays} + ${TRANSITION_GRACE_DAYS})`
    );
}

const SINCE: ParamSpec = {
    name: "since",
    kind: "inventorySince",
    description: `First report day to consider, YYYY-MM-DD (default: ${DEFAULT_INVENTORY_LOOKBACK_DAYS} days ago); the latest report per bucket since then is used`,
    required: false,
};
const CUSTOMER: ParamSpec = { name: "customer", kind: "customerId", description: "Customer (tenant) id, e.g. st-marys", required: true };
const FROM: ParamSpec = { name: "from", kind: "date", description: "First day, YYYY-MM-DD", required: true };
const TO: ParamSpec = { name: "to", kind: "date", description: "Last day (inclusive), YYYY-MM-DD, a day that has ended in every time zone", required: true };
const FROM_MONTH: ParamSpec = { name: "from", kind: "monthStart", description: "First day of the first month, YYYY-MM-01", required: true };
const TO_MONTH: ParamSpec = {
    name: "to",
    kind: "monthEnd",
    description: "Last day of the last month (inclusive), YYYY-MM-DD such as 2025-02-28, a month that has ended in every time zone",
    required: true,
};
/** The window parameter kinds each period requires: whole periods only. */
const WINDOW_KINDS: Record<Period, [ParamKind, ParamKind]> = { day: ["date", "date"], month: ["monthStart", "monthEnd"] };

/** Builds the allow-list for one deployment. Throws when a deployment name is not a safe identifier. */
export function buildTemplates(ctx: TemplateContext): QueryTemplate[] {
    if (ctx.zones.length === 0) {
        throw new Error("query templates need at least one zone bucket");
    }
    const curated = checkIdentifier("curated database", ctx.curatedDatabase);
    const objects = currentObjects(ctx);
    const inventory = ctx.inventoryDatabase;
    const inventoryTtl = 3600;
    const templates: QueryTemplate[] = [
        {
            id: "inventory-health",
            title: "Inventory health per bucket",
            description:
                "Per zone bucket: objects, objects not encrypted as the bucket requires, SSE-KMS objects without the S3 Bucket Key, " +
                "and STANDARD objects past their zone's IA transition. The scheduled inventory check publishes these as metrics.",
            database: inventory,
            sql: [
                objects,
                "SELECT zone, source_bucket, count(*) AS objects,",
                `       count_if(${NOT_AS_REQUIRED}) AS not_encrypted_as_required,`,
                `       count_if(${NO_BUCKET_KEY}) AS without_bucket_key,`,
                `       count_if(${pastTransition(ctx)}) AS past_transition`,
                "FROM current_objects",
                "GROUP BY zone, source_bucket",
                "ORDER BY zone, source_bucket",
            ].join("\n"),
            params: [SINCE],
            placeholders: ["since"],
            phi: false,
            cacheTtlSeconds: inventoryTtl,
        },
        {
            id: "unencrypted-objects",
            title: "Objects not encrypted with the platform key",
            description:
                "Objects not encrypted as their bucket requires (SSE-KMS; SSE-S3 for the access-log bucket), or SSE-KMS objects written without the S3 Bucket Key, per zone " +
                "and status. The inventory has no per-object key id; the bucket policy denies uploads with any other key.",
            database: inventory,
            sql: [
                objects,
                "SELECT zone, source_bucket, coalesce(encryption_status, 'UNKNOWN') AS encryption_status,",
                "       coalesce(bucket_key_status, 'UNKNOWN') AS bucket_key_status, count(*) AS objects, sum(size) AS bytes",
                "FROM current_objects",
                `WHERE ${NOT_AS_REQUIRED} OR ${NO_BUCKET_KEY}`,
                "GROUP BY 1, 2, 3, 4",
                "ORDER BY objects DESC",
            ].join("\n"),
            params: [SINCE],
            placeholders: ["since"],
            phi: false,
            cacheTtlSeconds: inventoryTtl,
        },
        {
            id: "storage-class-by-zone",
            title: "Storage-class breakdown per zone",
            description: "Objects, bytes and GiB per zone and storage class from the latest inventory reports.",
            database: inventory,
            sql: [
                objects,
                "SELECT zone, storage_class, count(*) AS objects, sum(size) AS bytes, round(sum(size) / 1073741824.0, 3) AS gib",
                "FROM current_objects",
                "GROUP BY zone, storage_class",
                "ORDER BY zone, storage_class",
            ].join("\n"),
            params: [SINCE],
            placeholders: ["since"],
            phi: false,
            cacheTtlSeconds: inventoryTtl,
        },
        {
            id: "objects-by-customer",
            title: "Objects by customer prefix",
            description: "Objects and bytes per zone and customer (`customer=<id>/` key prefix); keys without one count as (none).",
            database: inventory,
            sql: [
                objects,
                `SELECT zone, coalesce(${CUSTOMER_OF_KEY}, '(none)') AS customer, count(*) AS objects, sum(size) AS bytes`,
                "FROM current_objects",
                "GROUP BY 1, 2",
                "ORDER BY 1, 2",
            ].join("\n"),
            params: [SINCE],
            placeholders: ["since"],
            phi: false,
            cacheTtlSeconds: inventoryTtl,
        },
        {
            id: "objects-for-customer",
            title: "One customer's objects per zone and storage class",
            description: "Objects and bytes of one customer per zone and storage class.",
            database: inventory,
            sql: [
                objects,
                "SELECT zone, storage_class, count(*) AS objects, sum(size) AS bytes",
                "FROM current_objects",
                `WHERE ${CUSTOMER_OF_KEY} = ?`,
                "GROUP BY zone, storage_class",
                "ORDER BY zone, storage_class",
            ].join("\n"),
            params: [SINCE, CUSTOMER],
            placeholders: ["since", "customer"],
            phi: false,
            cacheTtlSeconds: inventoryTtl,
        },
        {
            id: "objects-past-transition",
            title: "Objects past their expected lifecycle transition",
            description:
                `STANDARD objects of at least ${MIN_TRANSITION_SIZE_BYTES} bytes older than their zone's STANDARD_IA days plus ` +
                `${TRANSITION_GRACE_DAYS} days: a lifecycle rule that is missing, filtered or failing.`,
            database: inventory,
            sql: [
                objects,
                "SELECT zone, source_bucket, count(*) AS objects, sum(size) AS bytes, min(last_modified_date) AS oldest",
                "FROM current_objects",
                `WHERE ${pastTransition(ctx)}`,
                "GROUP BY zone, source_bucket",
                "ORDER BY objects DESC",
            ].join("\n"),
            params: [SINCE],
            placeholders: ["since"],
            phi: false,
            cacheTtlSeconds: inventoryTtl,
        },
        {
            id: "objects-under-prefix",
            title: "Objects under a key prefix in one zone",
            description: "Objects, bytes and newest modification under a key prefix of one zone's bucket, per storage class.",
            database: inventory,
            sql: [
                objects,
                "SELECT storage_class, count(*) AS objects, sum(size) AS bytes, max(last_modified_date) AS newest",
                "FROM current_objects",
                `WHERE ${INVENTORY_SOURCE_PARTITION} = ? AND starts_with(key, ?)`,
                "GROUP BY storage_class",
                "ORDER BY storage_class",
            ].join("\n"),
            params: [
                SINCE,
                { name: "zone", kind: "zone", description: `Lake zone: ${ctx.zones.map((z) => z.zone).join(", ")}`, required: true },
                { name: "prefix", kind: "keyPrefix", description: "Key prefix (S3 safe characters and '=')", required: true },
            ],
            placeholders: ["since", "zone", "prefix"],
            phi: false,
            cacheTtlSeconds: inventoryTtl,
        },
        {
            id: "encounters-by-day",
            title: "Encounters per day for one customer (small cells suppressed)",
            description:
                `Encounter and distinct-patient counts per day from the curated encounters table; days with fewer than ` +
                `${SMALL_CELL_THRESHOLD} distinct patients are left out. Range at most ${MAX_PHI_RANGE_DAYS} days, ending on a day that has ended.`,
            database: curated,
            sql: [
                "SELECT encounter_date AS day, count(*) AS encounters, count(DISTINCT patient_id) AS patients",
                `FROM "${curated}"."encounters"`,
                "WHERE customer = ? AND encounter_date BETWEEN ? AND ?",
                "GROUP BY encounter_date",
                `HAVING count(DISTINCT patient_id) >= ${SMALL_CELL_THRESHOLD}`,
                "ORDER BY encounter_date",
            ].join("\n"),
            params: [CUSTOMER, FROM, TO],
            placeholders: ["customer", "from", "to"],
            phi: true,
            period: "day",
            cacheTtlSeconds: 300,
        },
        {
            id: "observations-by-code",
            title: "Monthly observations of one LOINC code for one customer (small cells suppressed)",
            description:
                `Observation count, distinct patients and median numeric value per whole month for a LOINC code; months with fewer than ` +
                `${SMALL_CELL_THRESHOLD} distinct patients are left out. The median is the median of each patient's median value, shown ` +
                `when at least ${SMALL_CELL_THRESHOLD} patients have a numeric value. Whole, ended months only, at most ${MAX_PHI_RANGE_MONTHS}.`,
            database: curated,
            sql: [
                // One row per patient and month first: the median then weighs every patient once.
                "WITH per_patient AS (",
                "  SELECT date_trunc('month', observation_date) AS month, patient_id, count(*) AS observations,",
                "         approx_percentile(value_numeric, 0.5) AS patient_median",
                `  FROM "${curated}"."observations"`,
                // The bounds widen to whole months here too, for the saved query run with any day in the console.
                "  WHERE customer = ? AND loinc_code = ? AND patient_id IS NOT NULL",
                "    AND observation_date >= date_trunc('month', ?) AND observation_date < date_trunc('month', ?) + INTERVAL '1' MONTH",
                "  GROUP BY 1, 2",
                ")",
                "SELECT month, sum(observations) AS observations, count(*) AS patients,",
                `       CASE WHEN count(patient_median) >= ${SMALL_CELL_THRESHOLD} THEN approx_percentile(patient_median, 0.5) END AS median_value`,
                "FROM per_patient",
                "GROUP BY month",
                `HAVING count(*) >= ${SMALL_CELL_THRESHOLD}`,
                "ORDER BY month",
            ].join("\n"),
            params: [CUSTOMER, { name: "code", kind: "loincCode", description: "LOINC code, e.g. 4548-4", required: true }, FROM_MONTH, TO_MONTH],
            placeholders: ["customer", "code", "from", "to"],
            phi: true,
            period: "month",
            cacheTtlSeconds: 300,
        },
    ];
    for (const t of templates) {
        const n = countPlaceholders(t.sql);
        if (n !== t.placeholders.length) {
            throw new Error(`query template '${t.id}' has ${n} placeholders but binds ${t.placeholders.length} parameters`);
        }
        for (const p of t.placeholders) {
            if (!t.params.some((s) => s.name === p)) {
                throw new Error(`query template '${t.id}' binds undeclared parameter '${p}'`);
            }
        }
        if (t.phi) {
            // A PHI aggregate whose window can cut a period can be differenced below the threshold (module comment).
            const window = [t.params.find((p) => p.name === "from")?.kind, t.params.find((p) => p.name === "to")?.kind];
            const expected = t.period ? WINDOW_KINDS[t.period] : undefined;
            if (!expected || window[0] !== expected[0] || window[1] !== expected[1]) {
                throw new Error(`PHI query template '${t.id}' needs a period and from/to parameters of whole periods (${t.period ?? "no period"}: from ${window[0]}, to ${window[1]})`);
            }
        }
    }
    return templates;
}

function parseDate(value: string): Date | undefined {
    const m = ISO_DATE.exec(value);
    if (!m) return undefined;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    // Rejects 2024-02-30 and the like: Date.UTC rolls them over to another day.
    return d.toISOString().slice(0, 10) === value ? d : undefined;
}

function isoDay(d: Date): string {
    return d.toISOString().slice(0, 10);
}

/** The last day of the month `d` falls in. */
function monthEnd(d: Date): Date {
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
}

/** The latest day a PHI window may end on at `now`: one that has ended in every time zone. */
function lastEndedDay(now: Date): Date {
    const t = new Date(now.getTime() - (24 + LAST_TIME_ZONE_LAG_HOURS) * 3_600_000);
    return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
}

const show = (v: unknown): string => (typeof v === "string" ? `'${v.length > 80 ? `${v.slice(0, 80)}...` : v}'` : JSON.stringify(v) ?? "undefined");

/** The result of validation: what Athena receives, and the normalised values (for the cache key). */
export interface BoundParameters {
    executionParameters: string[];
    values: Record<string, string>;
}

/**
 * Validates request parameters against a template and encodes them for `ExecutionParameters`.
 * Unknown parameters, missing required ones and values of the wrong form are all reported at once.
 */
export function bindParameters(template: QueryTemplate, raw: Record<string, unknown>, ctx: TemplateContext, now: Date): BoundParameters {
    const problems: string[] = [];
    const values: Record<string, string> = {};
    const literal: Record<string, string> = {};
    for (const name of Object.keys(raw)) {
        if (!template.params.some((p) => p.name === name)) {
            problems.push(`${name}: not a parameter of '${template.id}' (allowed: ${template.params.map((p) => p.name).join(", ") || "none"})`);
        }
    }
    for (const spec of template.params) {
        const given = raw[spec.name];
        if (given === undefined || given === null || given === "") {
            if (spec.required) {
                problems.push(`${spec.name}: required (${spec.description})`);
                continue;
            }
            if (spec.kind === "inventorySince") {
                const day = isoDay(new Date(now.getTime() - DEFAULT_INVENTORY_LOOKBACK_DAYS * 86_400_000));
                values[spec.name] = day;
                literal[spec.name] = sqlStringLiteral(inventoryDtOf(day));
            }
            continue;
        }
        if (typeof given !== "string") {
            problems.push(`${spec.name}: expected a string, got ${show(given)}`);
            continue;
        }
        switch (spec.kind) {
            case "customerId":
                if (!CUSTOMER_ID_PATTERN.test(given)) {
                    problems.push(`${spec.name}: expected a customer id (1-32 lowercase letters, digits and inner hyphens), got ${show(given)}`);
                    continue;
                }
                literal[spec.name] = sqlStringLiteral(given);
                break;
            case "date":
            case "inventorySince": {
                if (!parseDate(given)) {
                    problems.push(`${spec.name}: expected a calendar date YYYY-MM-DD, got ${show(given)}`);
                    continue;
                }
                literal[spec.name] = spec.kind === "date" ? `CAST(${sqlStringLiteral(given)} AS DATE)` : sqlStringLiteral(inventoryDtOf(given));
                break;
            }
            case "monthStart":
            case "monthEnd": {
                // Whole months only: a window cutting a month makes a partial row that differences with the whole one.
                const d = parseDate(given);
                const first = spec.kind === "monthStart";
                const what = first ? "the first day of a month" : "the last day of a month";
                if (!d) {
                    problems.push(`${spec.name}: expected ${what}, ${first ? "YYYY-MM-01" : "YYYY-MM-DD such as 2025-01-31"}, got ${show(given)}`);
                    continue;
                }
                const want = isoDay(first ? new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)) : monthEnd(d));
                if (want !== given) {
                    problems.push(`${spec.name}: expected ${what} (whole months only: for ${given.slice(0, 7)} that is ${want}), got ${show(given)}`);
                    continue;
                }
                literal[spec.name] = `CAST(${sqlStringLiteral(given)} AS DATE)`;
                break;
            }
            case "loincCode":
                if (!LOINC.test(given)) {
                    problems.push(`${spec.name}: expected a LOINC code such as 4548-4, got ${show(given)}`);
                    continue;
                }
                literal[spec.name] = sqlStringLiteral(given);
                break;
            case "keyPrefix":
                if (!KEY_PREFIX.test(given)) {
                    problems.push(`${spec.name}: expected 1-256 S3 safe characters (letters, digits, ! - _ . * ' ( ) / =), got ${show(given)}`);
                    continue;
                }
                literal[spec.name] = sqlStringLiteral(given);
                break;
            case "zone": {
                const zone = ctx.zones.find((z) => z.zone === given);
                if (!zone) {
                    problems.push(`${spec.name}: expected one of ${ctx.zones.map((z) => z.zone).join(", ")}, got ${show(given)}`);
                    continue;
                }
                // The zone name selects a bucket the deployment named; the request never supplies a bucket.
                literal[spec.name] = sqlStringLiteral(zone.bucket);
                break;
            }
        }
        values[spec.name] = given;
    }
    if (template.phi && values.from && values.to && problems.length === 0) {
        const from = parseDate(values.from) as Date;
        const to = parseDate(values.to) as Date;
        const days = (to.getTime() - from.getTime()) / 86_400_000;
        const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth() + 1;
        const monthly = template.period === "month";
        if (days < 0) {
            problems.push(`to: expected a day on or after from (${values.from}), got ${show(values.to)}`);
        } else if (monthly && months > MAX_PHI_RANGE_MONTHS) {
            const latest = isoDay(monthEnd(new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + MAX_PHI_RANGE_MONTHS - 1, 1))));
            problems.push(`to: expected at most ${MAX_PHI_RANGE_MONTHS} whole months starting at from (${values.from}), i.e. on or before ${latest}, got ${show(values.to)}`);
        } else if (days > MAX_PHI_RANGE_DAYS) {
            problems.push(`to: expected at most ${MAX_PHI_RANGE_DAYS} days after from (${values.from}), got ${show(values.to)}`);
        }
        // An open period's row grows while a caller polls it; two polls would difference to the patients in between.
        const ended = lastEndedDay(now);
        // For months: the month of the last ended day if that day closes it, else the month before.
        const latest = monthly && monthEnd(ended).getTime() !== ended.getTime() ? new Date(Date.UTC(ended.getUTCFullYear(), ended.getUTCMonth(), 0)) : ended;
        if (to.getTime() > latest.getTime()) {
            const what = monthly ? "the last day of a month that has ended in every time zone" : "a day that has ended in every time zone";
            problems.push(`to: expected ${what} (on or before ${isoDay(latest)}), got ${show(values.to)}`);
        }
    }
    if (problems.length > 0) {
        throw new ParameterError(problems);
    }
    return { executionParameters: template.placeholders.map((p) => literal[p]), values };
}
