/**
 * Runs functions of the Glue script (components/ingestion/glue/jdbc_to_parquet.py) in python3 through harness.py,
 * which stands in for awsglue and pyspark so that even `main()` runs offline. Shared by the script's spec and the
 * BatchEtl spec (which feeds it the job arguments the component recorded).
 */
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import { ETL_SCRIPT_PATH } from "../../../../components/ingestion/batch-etl";

/** `python3` when this machine has it (the specs skip otherwise). */
export const PYTHON: string | undefined = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;

const HARNESS = path.join(__dirname, "harness.py");

/** One call of a script function with JSON arguments, or a run of `main()` with job arguments and row counts per table. */
export type ScriptCall = { fn: string; args: unknown[] } | { main: { args: Record<string, string>; rows?: Record<string, number> } };

/** What the stand-in Glue saw: the context created, reads, writes, logs and the bookmark commit, in order. */
export type GlueEvent = Record<string, unknown>;

export interface ScriptResult {
    ok?: unknown;
    /** `<Python exception class>: <message>`. */
    error?: string;
    /** For `main` calls. */
    events?: GlueEvent[];
}

/** Runs `calls` in one python3 process, against `script` (the repository's script unless given). */
export function runScript(calls: ScriptCall[], script = ETL_SCRIPT_PATH): ScriptResult[] {
    if (!PYTHON) throw new Error("python3 is not installed");
    // -B and PYTHONDONTWRITEBYTECODE: no __pycache__ next to the script or the harness in the repository.
    const out = execFileSync(PYTHON, ["-B", HARNESS, script], {
        input: JSON.stringify(calls),
        encoding: "utf8",
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    });
    return JSON.parse(out) as ScriptResult[];
}

/** The single result of one call. */
export function runOne(call: ScriptCall, script?: string): ScriptResult {
    return runScript([call], script)[0];
}
