/**
 * Runs the PHI templates' own SQL (from buildTemplates) on a small synthetic curated dataset in DuckDB, bound the
 * way Athena binds ExecutionParameters: each `?` outside literals replaced by its bound literal expression.
 * It checks the property small-cell suppression needs against differencing (CMS: no cell of 1 to 10 may be derived
 * from other cells): across every window the API accepts, a period's row is the same whenever it is shown, so the
 * difference of two answers is whole rows, each of at least SMALL_CELL_THRESHOLD patients.
 */
import * as assert from "assert";
import { DuckDBConnection, DuckDBInstance, Json } from "@duckdb/node-api";
import {
    bindParameters,
    buildTemplates,
    ParameterError,
    placeholderOffsets,
    QueryTemplate,
    SMALL_CELL_THRESHOLD,
    sqlStringLiteral,
} from "../../../apps/analytics-functions/query-templates";
import { CTX } from "./fake-athena";

const CUSTOMER = "st-marys";
const CODE = "4548-4";
// Every month of the dataset has ended everywhere by then, so only the window rules decide what is accepted.
const NOW = new Date("2025-07-01T00:00:00Z");

interface Observation {
    customer: string;
    patient: string;
    code: string;
    day: string;
    value: number | null;
}
interface Encounter {
    customer: string;
    patient: string;
    day: string;
}

const patients = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, "0")}`);

/**
 * January: 11 patients mid-month plus one on the 1st and one on the 31st, so windows cut by a day at either edge all
 * pass the threshold and differ by one patient. February: exactly 11. March: 10 (never shown). April: 12 patients,
 * one of whom has 30 observations (would own an observation-level median). May: 12 patients, 3 with a number.
 * Other customers and codes are noise the filters must drop.
 */
function observations(): Observation[] {
    const rows: Observation[] = [];
    const add = (who: string[], day: string, value: (i: number) => number | null, code = CODE, customer = CUSTOMER) =>
        who.forEach((patient, i) => rows.push({ customer, patient, code, day, value: value(i) }));
    add(patients("jan", 11), "2025-01-15", (i) => 5 + i / 10);
    add(["edge-first"], "2025-01-01", () => 9.9);
    add(["edge-last"], "2025-01-31", () => 8.8);
    add(patients("feb", 11), "2025-02-10", (i) => 6 + i / 10);
    add(patients("mar", 10), "2025-03-20", () => 7);
    add(patients("apr", 11), "2025-04-12", () => 5);
    for (let i = 0; i < 30; i++) add(["apr-heavy"], `2025-04-${String(i + 1).padStart(2, "0")}`, () => 12);
    add(patients("may", 12), "2025-05-05", (i) => (i < 3 ? 6.5 : null));
    add(patients("other", 20), "2025-01-01", () => 1, CODE, "northside-clinic");
    add(patients("ldl", 20), "2025-01-01", () => 1, "13457-7");
    return rows;
}

/** Day cells of 12, 10 (suppressed), 11 and 13 patients, on month edges and mid-month. */
function encounters(): Encounter[] {
    const rows: Encounter[] = [];
    const add = (who: string[], day: string, customer = CUSTOMER) => who.forEach((patient) => rows.push({ customer, patient, day }));
    add(patients("e1", 12), "2025-01-01");
    add(patients("e2", 10), "2025-01-02");
    add(patients("e3", 11), "2025-01-15");
    add(patients("e4", 13), "2025-01-31");
    add(patients("e5", 12), "2025-02-01");
    add([...patients("e6", 11), "e6-01"], "2025-02-28");
    add(patients("other", 30), "2025-01-01", "northside-clinic");
    return rows;
}

/** The template SQL with each placeholder replaced by its bound literal, as Athena does with ExecutionParameters. */
function render(t: QueryTemplate, literals: string[]): string {
    const offsets = placeholderOffsets(t.sql);
    assert.strictEqual(offsets.length, literals.length, t.id);
    let sql = t.sql;
    for (let i = offsets.length - 1; i >= 0; i--) {
        sql = sql.slice(0, offsets[i]) + literals[i] + sql.slice(offsets[i] + 1);
    }
    // DuckDB has no approx_percentile (Athena/Trino); quantile_cont is its exact counterpart. The only translation.
    return sql.replace(/\bapprox_percentile\(/g, "quantile_cont(");
}

type Row = Record<string, Json>;

function period(row: Row, column: string): string {
    return String(row[column]).slice(0, 10);
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Candidate window bounds: the 1st, 2nd, 15th, second-to-last and last day of each month. */
function candidateDays(months: string[]): string[] {
    return months.flatMap((m) => {
        const first = new Date(`${m}-01T00:00:00Z`);
        const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
        return [first, new Date(first.getTime() + 86_400_000), new Date(first.getTime() + 14 * 86_400_000), new Date(last.getTime() - 86_400_000), last].map(day);
    });
}

describe("apps/analytics-functions/query-templates on DuckDB (differencing)", function () {
    let instance: DuckDBInstance;
    let db: DuckDBConnection;
    const templates = buildTemplates(CTX);
    const byId = (id: string) => templates.find((t) => t.id === id) as QueryTemplate;
    const obs = observations();

    before(async () => {
        instance = await DuckDBInstance.create(":memory:");
        db = await instance.connect();
        const schema = `"${CTX.curatedDatabase}"`;
        await db.run(`CREATE SCHEMA ${schema}`);
        await db.run(`CREATE TABLE ${schema}."observations" (customer VARCHAR, loinc_code VARCHAR, observation_date DATE, value_numeric DOUBLE, patient_id VARCHAR)`);
        await db.run(`CREATE TABLE ${schema}."encounters" (customer VARCHAR, encounter_date DATE, patient_id VARCHAR)`);
        const s = sqlStringLiteral;
        await db.run(
            `INSERT INTO ${schema}."observations" VALUES ` +
                obs.map((o) => `(${s(o.customer)}, ${s(o.code)}, DATE ${s(o.day)}, ${o.value ?? "NULL"}, ${s(o.patient)})`).join(", "),
        );
        await db.run(`INSERT INTO ${schema}."encounters" VALUES ` + encounters().map((e) => `(${s(e.customer)}, DATE ${s(e.day)}, ${s(e.patient)})`).join(", "));
    });

    after(() => {
        db.closeSync();
        instance.closeSync();
    });

    async function run(t: QueryTemplate, literals: string[]): Promise<Row[]> {
        const reader = await db.runAndReadAll(render(t, literals));
        return reader.getRowObjectsJson();
    }

    /** The window's rows when the API accepts it, undefined when bindParameters refuses it. */
    async function ask(t: QueryTemplate, params: Record<string, string>): Promise<Row[] | undefined> {
        let literals: string[];
        try {
            literals = bindParameters(t, params, CTX, NOW).executionParameters;
        } catch (err) {
            if (err instanceof ParameterError) return undefined;
            throw err;
        }
        return run(t, literals);
    }

    it("refuses, and in SQL neutralises, the one-day-apart pair that passes the threshold twice and differs by one patient", async () => {
        const t = byId("observations-by-code");
        // The attack exists in the data: both windows hold at least 11 patients, and differ by exactly one.
        const inWindow = (from: string, to: string) => new Set(obs.filter((o) => o.customer === CUSTOMER && o.code === CODE && o.day >= from && o.day <= to).map((o) => o.patient));
        const whole = inWindow("2025-01-01", "2025-01-31");
        const cut = inWindow("2025-01-02", "2025-01-31");
        assert.ok(cut.size >= SMALL_CELL_THRESHOLD && whole.size >= SMALL_CELL_THRESHOLD);
        assert.deepStrictEqual([...whole].filter((p) => !cut.has(p)), ["edge-first"]);

        const wholeRows = await ask(t, { customer: CUSTOMER, code: CODE, from: "2025-01-01", to: "2025-01-31" });
        assert.deepStrictEqual(wholeRows?.map((r) => [period(r, "month"), r.patients, r.observations]), [["2025-01-01", "13", "13"]]);
        // The API refuses the cut window ...
        assert.strictEqual(await ask(t, { customer: CUSTOMER, code: CODE, from: "2025-01-02", to: "2025-01-31" }), undefined);
        // ... and a cut bound reaching the SQL anyway (the saved query run in the console) still reads whole months.
        const literal = (d: string) => `CAST(${sqlStringLiteral(d)} AS DATE)`;
        const cutRows = await run(t, [sqlStringLiteral(CUSTOMER), sqlStringLiteral(CODE), literal("2025-01-02"), literal("2025-01-30")]);
        assert.deepStrictEqual(cutRows, wholeRows);
    });

    for (const [id, periodColumn, months] of [
        ["observations-by-code", "month", ["2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]],
        ["encounters-by-day", "day", ["2024-12", "2025-01", "2025-02", "2025-03"]],
    ] as const) {
        it(`${id}: across every accepted window, no difference of two answers is a cell under the threshold`, async () => {
            const t = byId(id);
            const days = candidateDays([...months]);
            const answers: Map<string, string>[] = [];
            for (const from of days) {
                for (const to of days) {
                    if (to < from) continue;
                    const rows = await ask(t, id === "observations-by-code" ? { customer: CUSTOMER, code: CODE, from, to } : { customer: CUSTOMER, from, to });
                    if (rows) answers.push(new Map(rows.map((r) => [period(r, periodColumn), JSON.stringify(r)])));
                }
            }
            // Not vacuous: several overlapping windows were accepted and shared rows.
            // Monthly: every whole-month window (first to last day); daily: every window of the candidate days.
            const expected = periodColumn === "month" ? (months.length * (months.length + 1)) / 2 : (days.length * (days.length + 1)) / 2;
            assert.strictEqual(answers.length, expected);
            let shared = 0;
            for (let a = 0; a < answers.length; a++) {
                for (let b = a + 1; b < answers.length; b++) {
                    for (const key of new Set([...answers[a].keys(), ...answers[b].keys()])) {
                        const [ra, rb] = [answers[a].get(key), answers[b].get(key)];
                        if (ra !== undefined && rb !== undefined) {
                            shared++;
                            // Same period, same row: the difference of the two answers holds nothing of this period.
                            assert.strictEqual(ra, rb, `${id} ${key}: two accepted windows answer differently`);
                        } else {
                            // The difference is this whole row.
                            const patients = Number((JSON.parse(ra ?? rb ?? "{}") as Row).patients);
                            assert.ok(patients >= SMALL_CELL_THRESHOLD, `${id} ${key}: a difference of ${patients} patients`);
                        }
                    }
                }
            }
            assert.ok(shared > answers.length, `${id}: only ${shared} shared rows`);
        });
    }

    it("takes the monthly median over per-patient medians, and shows it only when enough patients have a number", async () => {
        const t = byId("observations-by-code");
        const rows = await ask(t, { customer: CUSTOMER, code: CODE, from: "2025-01-01", to: "2025-05-31" });
        assert.deepStrictEqual(
            rows?.map((r) => [period(r, "month"), r.observations, r.patients, r.median_value]),
            [
                ["2025-01-01", "13", "13", 5.6],
                ["2025-02-01", "11", "11", 6.5],
                // March (10 patients) is left out. In April one patient's 30 observations would be the observation-level
                // median (12); per patient it is 5.
                ["2025-04-01", "41", "12", 5],
                // May: 12 patients, only 3 with a number, so no median.
                ["2025-05-01", "12", "12", null],
            ],
        );
    });
});
