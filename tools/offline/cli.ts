/**
 * `npm run preview:offline -- --stack dev [--mode preview|up] [--program file] [--policy-pack dir|none]
 *  [--policy-pack-config file.json] [--json out.json] [--secret key]...`
 *
 * Runs the stack through the offline engine and prints what `pulumi preview --policy-pack` would tell a
 * reviewer: policy violations grouped by policy (level, severity, HIPAA reference, message, resource),
 * remediations and a one-line summary. `--verbose` adds the resources per component and type, the
 * not-applicable counts per policy and the engine's progress (on stderr, so stdout stays a clean report).
 * The default is quiet on purpose: a PR check that prints hundreds of lines on every run hides the one
 * violation a reviewer must read, and the not-applicable counts stay in the `--json` record.
 *
 * Exit codes: 0 clean (advisory findings allowed), 1 any mandatory violation, 2 the config, the program or
 * the policy pack failed (the failing step's own message is printed), 64 bad command-line usage.
 */
import * as fs from "fs";
import * as path from "path";
import { runOffline, OfflineResult, ProgressEvent } from "./engine";
import type { PolicyDiagnostic } from "./analyzer";
import type { Mode, WireProperties } from "./recorder";
import { SECRET_SIG, SIG_KEY } from "./wire";

export interface CliOptions {
    stack: string;
    mode: Mode;
    program?: string;
    policyPack: string | null;
    policyPackConfig?: string;
    json?: string;
    /** Resource tables, not-applicable counts and progress too (default: violations and the summary only). */
    verbose: boolean;
    /** Secret keys to run as set (`pulumi config set --secret`) though the stack file does not hold them. */
    secrets: string[];
}

const USAGE = `usage: npm run preview:offline -- --stack <name> [--mode preview|up] [--program <file>]
       [--policy-pack <dir>|none] [--policy-pack-config <file.json>] [--json <out.json>] [--secret <key>]...
       [--verbose]

  --stack               stack whose Pulumi.<stack>.yaml supplies the config (required)
  --mode                preview (default; computed outputs unknown) or up (deterministic ids and ARNs)
  --program             program entry point (default: Pulumi.yaml 'main' or index.ts)
  --policy-pack         policy pack folder (default: policy-pack), or 'none' to skip policies
  --policy-pack-config  JSON file shaped like 'pulumi preview --policy-pack-config'
  --json                write the full record (resources, diagnostics, not-applicable results, summary) to this file
  --verbose             also print resources per component and type, not-applicable counts per policy, and progress
  --secret              run as if <key> were set with 'pulumi config set --secret' (repeatable): the offline
                        engine decrypts no secret, so it passes the placeholder a committed ciphertext gets`;

export class UsageError extends Error {}

/** Parses argv (without `node` and the script). `--flag value` and `--flag=value` are both accepted. */
export function parseArgs(argv: string[]): CliOptions | "help" {
    const values: Record<string, string> = {};
    const secrets: string[] = [];
    let verbose = false;
    const known = ["stack", "mode", "program", "policy-pack", "policy-pack-config", "json", "secret"];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--help" || arg === "-h") {
            return "help";
        }
        if (arg === "--verbose" || arg === "-v") {
            verbose = true;
            continue;
        }
        if (!arg.startsWith("--")) {
            throw new UsageError(`unexpected argument '${arg}'`);
        }
        const eq = arg.indexOf("=");
        const flag = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
        let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
        if (!known.includes(flag)) {
            throw new UsageError(`unknown option '--${flag}'`);
        }
        if (value === undefined) {
            value = argv[++i];
            if (value === undefined || value.startsWith("--")) {
                throw new UsageError(`option '--${flag}' needs a value`);
            }
        }
        if (flag === "secret") secrets.push(value);
        else values[flag] = value;
    }
    if (!values.stack) {
        throw new UsageError("--stack is required");
    }
    const mode = values.mode ?? "preview";
    if (mode !== "preview" && mode !== "up") {
        throw new UsageError(`--mode must be 'preview' or 'up', got '${mode}'`);
    }
    const pack = values["policy-pack"];
    return {
        stack: values.stack,
        mode,
        program: values.program,
        policyPack: pack === "none" ? null : (pack ?? "policy-pack"),
        policyPackConfig: values["policy-pack-config"],
        json: values.json,
        verbose,
        secrets,
    };
}

function pad(s: string, n: number): string {
    return s.length >= n ? `${s} ` : s + " ".repeat(n - s.length);
}

function indent(text: string, prefix: string): string {
    return text
        .split("\n")
        .map((l) => prefix + l)
        .join("\n");
}

function short(value: unknown): string {
    const s = JSON.stringify(value);
    return s === undefined ? "undefined" : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** What the human report shows besides violations, remediations and the summary. */
export interface ReportDetail {
    /** Resources per component and type, and not-applicable counts per policy. @default false */
    verbose?: boolean;
}

/** The human report printed on stdout. */
export function formatReport(r: OfflineResult, detail: ReportDetail = {}): string {
    const out: string[] = [];
    const s = r.summary;
    out.push(`Offline ${s.mode} of ${s.project || "?"}/${s.stack}`);
    out.push(`  program      ${s.program}`);
    if (r.policyPack) {
        out.push(`  policy pack  ${r.policyPack.name}@${r.policyPack.version} (${path.relative(process.cwd(), r.policyPack.dir) || "."}, ${r.policyPack.policies.length} policies)`);
    } else {
        out.push(`  policy pack  ${r.error && r.error.phase !== "policy" ? "not evaluated" : "none"}`);
    }
    for (const w of r.warnings) {
        out.push(`  warning: ${w}`);
    }

    if (r.error) {
        out.push("");
        const what = r.error.phase === "program" ? "The program failed" : r.error.phase === "config" ? "The stack configuration is invalid" : "The policy pack failed";
        out.push(`${what}:`);
        out.push(indent(r.error.message, "  "));
        if (r.error.configKeys.length > 0) {
            out.push(`  config key${r.error.configKeys.length > 1 ? "s" : ""}: ${r.error.configKeys.join(", ")}`);
        }
    }

    if (r.recording) {
        out.push("");
        out.push(`Resources: ${s.resources} (${s.customResources} custom, ${s.components} components)${detail.verbose ? "" : "; --verbose lists them per component and type"}`);
    }
    if (r.recording && detail.verbose) {
        for (const c of s.byComponent) {
            if (c.total === 0) {
                continue;
            }
            out.push(`  ${c.type} ${c.name}`);
            for (const [type, n] of Object.entries(c.children).sort(([a], [b]) => a.localeCompare(b))) {
                out.push(`    ${pad(type, 72)}${n}`);
            }
        }
        out.push("  by type:");
        for (const [type, n] of Object.entries(s.byType)) {
            out.push(`    ${pad(type, 72)}${n}`);
        }
        if (r.defaultProviders.length > 0) {
            out.push(`  default providers (created by the engine, not counted): ${r.defaultProviders.map((d) => d.urn.split("::").pop()).join(", ")}`);
        }
    }

    if (r.policyPack && r.recording && !r.error) {
        out.push("");
        out.push(`Policy violations: ${s.violations.total} (${s.violations.mandatory} mandatory, ${s.violations.advisory} advisory)`);
        const byPolicy = new Map<string, PolicyDiagnostic[]>();
        for (const d of r.diagnostics) {
            byPolicy.set(d.policyName, [...(byPolicy.get(d.policyName) ?? []), d]);
        }
        const order = [...byPolicy.entries()].sort(([, a], [, b]) => rank(a) - rank(b) || a[0].policyName.localeCompare(b[0].policyName));
        for (const [policy, ds] of order) {
            const d0 = ds[0];
            const levels = [...new Set(ds.map((d) => d.enforcementLevel))].join("/");
            const framework = d0.framework?.reference ? ` · ${d0.framework.name ?? "framework"} ${d0.framework.reference}` : "";
            out.push(`  [${levels}] ${policy} · severity ${d0.severity ?? "unspecified"}${framework} (${ds.length})`);
            out.push(`    ${d0.description}`);
            for (const d of ds) {
                out.push(`    - ${d.urn ?? "(stack)"}`);
                const msg = d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message;
                out.push(indent(msg, "      "));
            }
            if (d0.remediationSteps) {
                out.push(`    remediation: ${d0.remediationSteps}`);
            }
        }
        if (s.violations.unknownDuringPreview > 0) {
            out.push(
                `  note: ${s.violations.unknownDuringPreview} polic${s.violations.unknownDuringPreview === 1 ? "y" : "ies"} could not run because a value is unknown during preview; ` +
                    "build the value from names known at preview or join through property dependencies.",
            );
        }

        if (detail.verbose) {
            out.push("");
            out.push(...notApplicableTable(r));
        }

        if (r.remediations.length > 0 || detail.verbose) {
            out.push("");
            out.push(`Remediations: ${s.remediations}`);
        }
        for (const rem of r.remediations) {
            const changes = rem.changed.map((k) => `${k}: ${short(rem.before[k])} -> ${short(rem.after[k])}`).join(", ");
            out.push(`  ${rem.policyName} on ${rem.urn}`);
            out.push(`    ${changes}`);
        }
    }

    const logs = r.analyzerLogs.filter((l) => l.source !== "stderr" || r.error);
    if (logs.length > 0) {
        out.push("");
        out.push("Policy pack output:");
        for (const l of logs.slice(-40)) {
            out.push(`  [${l.severity}] ${l.message}`);
        }
    }

    out.push("");
    out.push(summaryLine(r));
    return out.join("\n") + "\n";
}

/** Not-applicable results per policy, with up to three of their reasons (`--verbose` only). */
function notApplicableTable(r: OfflineResult): string[] {
    const na = new Map<string, { n: number; reasons: Set<string> }>();
    for (const x of r.notApplicable) {
        const e = na.get(x.policyName) ?? { n: 0, reasons: new Set<string>() };
        e.n++;
        e.reasons.add(x.reason);
        na.set(x.policyName, e);
    }
    const rows = [...na.entries()].sort(([a], [b]) => a.localeCompare(b));
    return [`Not applicable: ${r.summary.notApplicable}`, ...rows.map(([policy, e]) => `  ${pad(policy, 40)}${pad(String(e.n), 6)}${[...e.reasons].slice(0, 3).join("; ")}`)];
}

function rank(ds: PolicyDiagnostic[]): number {
    return ds.some((d) => d.enforcementLevel === "mandatory") ? 0 : 1;
}

export function summaryLine(r: OfflineResult): string {
    const s = r.summary;
    const verdict =
        r.exitCode === 2
            ? `FAILED: ${r.error?.phase ?? "error"} error`
            : r.exitCode === 1
              ? "FAILED: mandatory policy violations"
              : s.violations.advisory > 0
                ? "passed with advisory findings"
                : "passed";
    return (
        `Summary: ${s.resources} resources · ${s.violations.mandatory} mandatory · ${s.violations.advisory} advisory · ` +
        `${s.notApplicable} not applicable · ${s.remediations} remediation${s.remediations === 1 ? "" : "s"} · ${(s.durationMs.total / 1000).toFixed(1)}s · ` +
        `${verdict} (exit ${r.exitCode})`
    );
}


/** Secret values in wire form become `[secret]`, as `pulumi preview --json` shows them. */
function redact(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(redact);
    }
    if (value && typeof value === "object") {
        const obj = value as WireProperties;
        if (obj[SIG_KEY] === SECRET_SIG) {
            return { [SIG_KEY]: SECRET_SIG, value: "[secret]" };
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, redact(v)]));
    }
    return value;
}

/** Stack outputs with the secret ones (as the stack resource's wire outputs mark them) shown as `[secret]`. */
function stackOutputs(r: OfflineResult): Record<string, unknown> {
    const rec = r.recording;
    const stack = rec?.resources.find((x) => x.type === "pulumi:pulumi:Stack" && !x.parent);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec?.stackOutputs ?? {})) {
        const wire = stack?.outputs[k] as WireProperties | undefined;
        out[k] = wire && typeof wire === "object" && wire[SIG_KEY] === SECRET_SIG ? "[secret]" : redact(v);
    }
    return out;
}

/** The machine-readable record written by `--json`. */
export function jsonRecord(r: OfflineResult): Record<string, unknown> {
    const secret = new Set(r.config?.secretKeys ?? []);
    return {
        schemaVersion: 1,
        generator: "tools/offline",
        stack: r.summary.stack,
        project: r.summary.project,
        mode: r.summary.mode,
        programPath: r.programPath,
        exitCode: r.exitCode,
        error: r.error,
        warnings: r.warnings,
        summary: r.summary,
        config: r.config
            ? {
                  stackFile: r.config.stackFile,
                  values: Object.fromEntries(Object.entries(r.config.config).map(([k, v]) => [k, secret.has(k) ? "[secret]" : v])),
                  secretKeys: r.config.secretKeys,
                  placeholders: r.config.placeholders,
              }
            : undefined,
        policyPack: r.policyPack,
        policyConfig: r.policyConfig,
        resources: redact(r.recording?.resources ?? []),
        defaultProviders: redact(r.defaultProviders),
        invokes: redact(r.recording?.invokes ?? []),
        stackOutputs: r.recording ? stackOutputs(r) : undefined,
        diagnostics: r.diagnostics,
        notApplicable: r.notApplicable,
        remediations: redact(r.remediations),
        analyzerLogs: r.analyzerLogs,
    };
}

function progressPrinter(): (e: ProgressEvent) => void {
    const t0 = Date.now();
    return (e) => {
        const t = ((Date.now() - t0) / 1000).toFixed(1).padStart(5);
        process.stderr.write(`[offline ${t}s] ${e.phase}: ${e.message}\n`);
    };
}

/** `--secret` keys as encrypted stack values (the offline engine gives each its `offline-secret-<key>` placeholder). */
export function secretOverrides(keys: readonly string[]): Record<string, unknown> {
    return Object.fromEntries(keys.map((key) => [key, { secure: "v1:offline-placeholder" }]));
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
    let opts: CliOptions | "help";
    try {
        opts = parseArgs(argv);
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
        return 64;
    }
    if (opts === "help") {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    let policyPackDir: string | null = opts.policyPack;
    if (policyPackDir === "policy-pack" && !fs.existsSync(path.resolve(policyPackDir))) {
        process.stderr.write(`[offline] no policy-pack folder in ${process.cwd()}; policies are not evaluated\n`);
        policyPackDir = null;
    }
    const result = await runOffline({
        stack: opts.stack,
        mode: opts.mode,
        projectDir: opts.program ? undefined : process.cwd(),
        programPath: opts.program,
        policyPackDir,
        policyPackConfigPath: opts.policyPackConfig,
        configOverrides: secretOverrides(opts.secrets),
        // Progress is noise in a PR check's log; --verbose shows it.
        onProgress: opts.verbose ? progressPrinter() : undefined,
    });
    if (result.error) {
        process.stderr.write(`error: ${result.error.message}\n`);
    }
    process.stdout.write(formatReport(result, { verbose: opts.verbose }));
    if (opts.json) {
        const file = path.resolve(opts.json);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(jsonRecord(result), null, 2) + "\n");
        process.stderr.write(`[offline] wrote ${file}\n`);
    }
    return result.exitCode;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            process.stderr.write(`offline engine crashed: ${(err as Error)?.stack ?? String(err)}\n`);
            process.exit(2);
        },
    );
}
