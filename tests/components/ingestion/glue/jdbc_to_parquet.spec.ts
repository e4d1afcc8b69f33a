import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { ETL_SCRIPT_PATH } from "../../../../components/ingestion/batch-etl";
import { PYTHON, runOne, runScript, ScriptResult } from "./harness";

const TARGET = "s3://hdp-prod-raw-345678901234-us-east-1/customer=st-marys/";

/** The job arguments BatchEtl sets, for two tables. */
const JOB_ARGS = {
    "--JOB_NAME": "hdp-prod-ingest-batch-jdbc-to-parquet",
    "--connection_name": "hdp-prod-ingest-batch-onprem-jdbc",
    "--connection_type": "postgresql",
    "--source_tables": "ehr.encounters:updated_at,EHR.Lab_Results",
    "--table_sources": "ehr.encounters=ehr-encounters,EHR.Lab_Results=ehr-lab-results",
    "--target_path": TARGET,
    "--customer": "st-marys",
};

const error = (r: ScriptResult): string | undefined => r.error;

describe("components/ingestion/glue/jdbc_to_parquet.py (the Glue script, in python3 with stand-ins for awsglue and pyspark)", () => {
    before(function () {
        if (!PYTHON) {
            this.skip(); // python3 is not installed on this machine: the script cannot run here
        }
    });

    it("compiles (py_compile)", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "glue-pyc-"));
        // Compiled to a temp file so that no __pycache__ appears in the repository.
        execFileSync(PYTHON as string, ["-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", ETL_SCRIPT_PATH, path.join(out, "x.pyc")]);
        fs.rmSync(out, { recursive: true, force: true });
    });

    it("parses source tables and their sources, builds per-table lake paths and bookmark options", async () => {
        const [tables, sources, target, options] = runScript([
            { fn: "parse_tables", args: ["ehr.encounters:updated_at, EHR.Lab_Results"] },
            { fn: "parse_table_sources", args: [JOB_ARGS["--table_sources"]] },
            { fn: "table_path", args: [TARGET, "ehr-lab-results"] },
            { fn: "read_options", args: ["conn", "ehr", "encounters", "updated_at"] },
        ]);
        assert.deepStrictEqual(tables.ok, [["ehr", "encounters", "updated_at"], ["EHR", "Lab_Results", null]]);
        assert.deepStrictEqual(sources.ok, { "ehr.encounters": "ehr-encounters", "EHR.Lab_Results": "ehr-lab-results" });
        assert.strictEqual(target.ok, `${TARGET}source=ehr-lab-results/`);
        assert.deepStrictEqual(options.ok, { useConnectionProperties: "true", connectionName: "conn", dbtable: "ehr.encounters", jobBookmarkKeys: ["updated_at"], jobBookmarkKeysSortOrder: "asc" });
        assert.deepStrictEqual(
            runScript([
                { fn: "parse_tables", args: ["encounters"] },
                { fn: "parse_tables", args: ["ehr.enc;drop"] },
                { fn: "parse_tables", args: [""] },
                { fn: "table_path", args: ["s3://raw/other/", "ehr-a"] },
                { fn: "table_path", args: [TARGET, "EHR_A"] },
                { fn: "parse_table_sources", args: ["ehr.a=ehr/../x"] },
            ]).map(error),
            [
                "ValueError: source table 'encounters' is not schema.table or schema.table:bookmark_column",
                "ValueError: source table 'ehr.enc;drop' is not schema.table or schema.table:bookmark_column",
                "ValueError: --source_tables names no table",
                "ValueError: --target_path must be s3://<bucket>/customer=<id>/, got 's3://raw/other/'",
                "ValueError: source must be lowercase letters, digits and inner hyphens (1-64), got 'EHR_A'",
                "ValueError: --table_sources item 'ehr.a=ehr/../x' is not schema.table=<source> (lowercase letters, digits and inner hyphens, 1-64)",
            ],
        );
    });

    it("refuses a name followed by a newline, which a '$'-anchored pattern accepted (fullmatch)", async () => {
        // Each value is the valid one plus "\n": Python's '$' matches before a final newline, re.match accepted them all.
        assert.deepStrictEqual(
            runScript([
                { fn: "parse_tables", args: ["ehr\n.patients"] },
                { fn: "parse_tables", args: ["ehr.patients\n:updated_at"] },
                { fn: "parse_tables", args: ["ehr.patients:updated_at\n"] },
                { fn: "parse_table_sources", args: ["ehr.patients=ehr-patients\n"] },
                { fn: "table_path", args: [`${TARGET}\n`, "ehr-patients"] },
            ]).map(error),
            [
                "ValueError: source table 'ehr\\n.patients' is not schema.table or schema.table:bookmark_column",
                "ValueError: source table 'ehr.patients\\n:updated_at' is not schema.table or schema.table:bookmark_column",
                "ValueError: source table 'ehr.patients:updated_at\\n' is not schema.table or schema.table:bookmark_column",
                "ValueError: --table_sources item 'ehr.patients=ehr-patients\\n' is not schema.table=<source> (lowercase letters, digits and inner hyphens, 1-64)",
                `ValueError: --target_path must be s3://<bucket>/customer=<id>/, got '${TARGET}\\n'`,
            ],
        );
        // Through main(): a target path with a trailing newline used to become the write path "…/customer=st-marys/\nsource=…".
        const run = runOne({ main: { args: { ...JOB_ARGS, "--target_path": `${TARGET}\n` }, rows: { "ehr.encounters": 5 } } });
        assert.strictEqual(run.error, `ValueError: --target_path must be s3://<bucket>/customer=<id>/, got '${TARGET}\\n'`);
        assert.deepStrictEqual(run.events, [], "refused before Glue or Spark started: nothing read, no bookmark committed");
    });

    it("copies each table to the source prefix it was given, folding nothing itself", async () => {
        const run = runOne({ main: { args: JOB_ARGS, rows: { "ehr.encounters": 5, "EHR.Lab_Results": 2 } } });
        assert.strictEqual(run.error, undefined);
        const writes = (run.events ?? []).filter((e) => "write" in e).map((e) => [e.write, e.path, e.ctx]);
        assert.deepStrictEqual(writes, [
            ["ehr.encounters", `${TARGET}source=ehr-encounters/`, "write_ehr_encounters"],
            ["EHR.Lab_Results", `${TARGET}source=ehr-lab-results/`, "write_EHR_Lab_Results"],
        ]);
        assert.deepStrictEqual(run.events?.at(-1), { commit: true });
        // A source the component chose that no fold of the name would give is used as given.
        const given = runOne({ main: { args: { ...JOB_ARGS, "--source_tables": "ehr.encounters", "--table_sources": "ehr.encounters=ehr-enc-v2" }, rows: { "ehr.encounters": 1 } } });
        assert.deepStrictEqual(
            (given.events ?? []).filter((e) => "write" in e).map((e) => e.path),
            [`${TARGET}source=ehr-enc-v2/`],
        );
    });

    it("refuses to run when two tables would share one source prefix, before reading anything", async () => {
        const refused = (args: Partial<typeof JOB_ARGS>): ScriptResult => runOne({ main: { args: { ...JOB_ARGS, ...args }, rows: { "ehr.encounters": 5, "EHR.Lab_Results": 2, "ehr.lab_results": 3 } } });
        const cases: [Partial<typeof JOB_ARGS>, string][] = [
            // Case folding: two tables to a database that quotes identifiers.
            [
                { "--source_tables": "EHR.Lab_Results,ehr.lab_results", "--table_sources": "EHR.Lab_Results=ehr-lab-results,ehr.lab_results=ehr-lab-results" },
                "ValueError: --table_sources maps EHR.Lab_Results and ehr.lab_results to one prefix, source=ehr-lab-results/",
            ],
            // A collision among the mapped tables refuses the run even when this run copies only one of them.
            [
                { "--source_tables": "ehr.encounters", "--table_sources": "ehr.encounters=ehr-encounters,ehr.enc=ehr-encounters" },
                "ValueError: --table_sources maps ehr.encounters and ehr.enc to one prefix, source=ehr-encounters/",
            ],
            [{ "--table_sources": "ehr.encounters=ehr-encounters,ehr.encounters=ehr-enc" }, "ValueError: --table_sources names ehr.encounters twice"],
            // The same table listed twice (with and without a bookmark) would write one prefix twice.
            [
                { "--source_tables": "ehr.encounters,ehr.encounters:updated_at" },
                "ValueError: --source_tables names ehr.encounters twice: both copies would write source=ehr-encounters/",
            ],
            // A manual run that overrides --source_tables may not add a table whose prefix config validation never saw.
            [{ "--source_tables": "ehr.encounters,ehr.lab_results" }, "ValueError: --source_tables names ehr.lab_results, which --table_sources does not map to a source"],
        ];
        for (const [args, message] of cases) {
            const run = refused(args);
            assert.strictEqual(run.error, message);
            assert.deepStrictEqual(run.events, [], `${message}: nothing read, nothing written, no bookmark committed`);
        }
        // Without --table_sources at all, Glue's option parser refuses the run.
        const missing = runOne({ main: { args: Object.fromEntries(Object.entries(JOB_ARGS).filter(([k]) => k !== "--table_sources")) } });
        assert.strictEqual(missing.error, "SystemExit: the following arguments are required: --table_sources");
    });
});
