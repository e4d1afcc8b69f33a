/**
 * The drift workflow's decision (.github/workflows/drift.yml): from the text of
 * `pulumi preview --refresh --expect-no-changes --policy-pack policy-pack --diff`, its exit code and the body of the
 * stack's open drift issue (if any), decide whether to open, update or close the issue, and write its body.
 *
 * - Drift: the preview exited non-zero (the refresh found the cloud different from the code, `--expect-no-changes`
 *   failed, a mandatory violation, or the preview itself failed; all need a human).
 * - New violation: a policy violation (advisory or mandatory) not listed in the open issue's last report. Known
 *   advisory violations do not re-open anything every night.
 * - Clean: exit 0 and no violation closes the stack's open issue.
 *
 * Usage: ts-node tools/ci/drift-report.ts --stack <s> --exit-code <n> --output <preview.txt> [--previous <body.md>]
 *        [--run-url <url>] --body <out.md>; prints `action=<open|update|close|none>` and `title=<...>` lines for
 * $GITHUB_OUTPUT.
 */
import * as fs from "fs";

/** A policy violation as the CLI prints it. */
export interface Violation {
    level: "mandatory" | "advisory";
    policy: string;
    /** The resource in parentheses after the policy name (`aws:s3/bucket:Bucket: raw`), if printed. */
    resource: string;
}

export interface ParsedPreview {
    /** Step lines of the preview (`~ aws:s3/bucketPolicy:BucketPolicy raw-policy update [diff: ~policy]`). */
    changes: string[];
    /** The CLI's closing `Resources:` block. */
    summary: string[];
    violations: Violation[];
    /** `error:` lines (the expect-no-changes failure, provider errors). */
    errors: string[];
}

/** Pulumi's step operation symbols (update, create, delete, replace both ways, read, import). */
const OP = String.raw`(~|\+|-|\+-|-\+|--|\+\+|>|=|<=|<-)`;
/** A step row of the preview table: operation, tree drawing, type, name, plan. */
const TABLE_STEP = new RegExp(String.raw`^\s*${OP}\s+[│├└─\s]*(\S+:\S+:\S+)\s+(\S+)\s+(\S+)`);
/** A step header of `--diff` output: `~ aws:cfg/recorderStatus:RecorderStatus: (update)`; its URN follows. */
const DIFF_STEP = new RegExp(String.raw`^\s*${OP}\s+(\S+:\S+:[^\s:]+):?\s+\(([\w-]+)\)\s*$`);
/** A changed property under a `--diff` step: `~ isEnabled: true => false`. */
const PROPERTY = /^\s+(~|\+|-|\+-|-\+)\s+[A-Za-z_"[][\w.[\]"-]*: /;
const VIOLATION = /\[(mandatory|advisory)\]\s+(?:\[severity:\s*\w+\]\s+)?([a-z0-9]+(?:-[a-z0-9]+)*)\s*(?:\(([^)]*)\))?/;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function parsePreview(output: string): ParsedPreview {
    const lines = output.replace(ANSI, "").split(/\r?\n/);
    const out: ParsedPreview = { changes: [], summary: [], violations: [], errors: [] };
    let inSummary = false;
    // Property lines belong to the `--diff` step above them.
    let inStep = false;
    for (let n = 0; n < lines.length; n++) {
        const line = lines[n];
        if (/^Resources:\s*$/.test(line)) {
            inSummary = true;
            inStep = false;
            continue;
        }
        if (inSummary) {
            if (/^\s+\S/.test(line)) {
                out.summary.push(line.trim());
                continue;
            }
            inSummary = false;
        }
        const v = VIOLATION.exec(line);
        if (v) {
            out.violations.push({ level: v[1] as Violation["level"], policy: v[2], resource: (v[3] ?? "").trim() });
            inStep = false;
            continue;
        }
        const diff = DIFF_STEP.exec(line);
        if (diff) {
            const [, op, type, plan] = diff;
            inStep = type !== "pulumi:pulumi:Stack" && plan !== "same";
            if (inStep) {
                const urn = lines.slice(n + 1, n + 4).find((l) => /^\s*\[urn=/.test(l));
                const name = urn ? /::([^:\]]+)\]\s*$/.exec(urn)?.[1] : undefined;
                out.changes.push(`${op} ${type} ${name ?? "(name not printed)"} (${plan})`);
            }
            continue;
        }
        const row = TABLE_STEP.exec(line);
        if (row && !/^(same|unchanged)$/.test(row[4]) && row[2] !== "pulumi:pulumi:Stack") {
            out.changes.push(line.trim().replace(/\s{2,}/g, " "));
            inStep = false;
            continue;
        }
        if (inStep && PROPERTY.test(line)) {
            out.changes.push(`    ${line.trim()}`);
            continue;
        }
        if (/^\s*error:/.test(line)) {
            out.errors.push(line.trim());
        }
    }
    return out;
}

export const fingerprint = (v: Violation): string => `${v.level} ${v.policy} ${v.resource}`.trim();

const MARKER = /<!-- drift-violations: (\[.*?\]) -->/s;

/** Violations recorded in a previous report's hidden marker. */
export function previousViolations(body: string | undefined): string[] {
    const m = body ? MARKER.exec(body) : null;
    if (!m) {
        return [];
    }
    try {
        const parsed: unknown = JSON.parse(m[1]);
        return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
    } catch {
        return [];
    }
}

export interface DriftInput {
    stack: string;
    exitCode: number;
    output: string;
    /** Body of the stack's open drift issue, if one is open. */
    previousBody?: string;
    runUrl?: string;
}

export interface DriftDecision {
    action: "open" | "update" | "close" | "none";
    title: string;
    body: string;
    drift: boolean;
    newViolations: string[];
}

/** GitHub refuses issue bodies over 65536 characters. */
const BODY_LIMIT = 60000;

export function driftTitle(stack: string): string {
    return `Drift detected: ${stack}`;
}

export function decide(input: DriftInput): DriftDecision {
    const parsed = parsePreview(input.output);
    const drift = input.exitCode !== 0;
    const current = [...new Set(parsed.violations.map(fingerprint))];
    const known = new Set(previousViolations(input.previousBody));
    const newViolations = current.filter((f) => !known.has(f));
    const open = input.previousBody !== undefined;
    const title = driftTitle(input.stack);
    let action: DriftDecision["action"];
    if (drift || newViolations.length > 0) {
        action = open ? "update" : "open";
    } else if (open && current.length === 0) {
        action = "close";
    } else {
        action = "none";
    }
    const section = (heading: string, items: string[]) => (items.length ? [`### ${heading}`, "", "```", ...items, "```", ""] : []);
    const lines = [
        `Nightly \`pulumi preview --refresh --expect-no-changes --policy-pack policy-pack\` of stack **${input.stack}**` +
            (input.runUrl ? ` ([run](${input.runUrl}))` : "") +
            `: exit code ${input.exitCode}.`,
        "",
        drift
            ? "The deployed stack no longer matches its code (or the preview failed). Follow docs/runbooks/config-noncompliance.md: find who changed what in CloudTrail, then either revert the change with `pulumi up` or bring the change into the code through a pull request."
            : action === "close"
              ? "The stack matches its code again and no policy reports a violation: closing."
              : "No drift.",
        "",
        ...section("Changes the refresh found", parsed.changes),
        ...section("Summary", parsed.summary),
        ...section(`Policy violations (${newViolations.length} new)`, current.map((f) => `${newViolations.includes(f) ? "NEW " : ""}${f}`)),
        ...section("Errors", parsed.errors),
    ];
    let body = lines.join("\n");
    if (body.length > BODY_LIMIT) {
        body = `${body.slice(0, BODY_LIMIT)}\n\n(truncated: the full output is in the run's log)\n`;
    }
    body += `\n<!-- drift-violations: ${JSON.stringify(current)} -->\n`;
    return { action, title, body, drift, newViolations };
}

function arg(argv: string[], name: string): string | undefined {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
}

function main(argv: string[]): void {
    const required = (name: string): string => {
        const v = arg(argv, name);
        if (v === undefined) {
            throw new Error(`drift-report: --${name} is required`);
        }
        return v;
    };
    const exitCode = Number(required("exit-code"));
    if (!Number.isInteger(exitCode)) {
        throw new Error(`drift-report: --exit-code must be an integer, got '${arg(argv, "exit-code")}'`);
    }
    const previous = arg(argv, "previous");
    const decision = decide({
        stack: required("stack"),
        exitCode,
        output: fs.readFileSync(required("output"), "utf8"),
        previousBody: previous && fs.existsSync(previous) && fs.statSync(previous).size > 0 ? fs.readFileSync(previous, "utf8") : undefined,
        runUrl: arg(argv, "run-url"),
    });
    fs.writeFileSync(required("body"), decision.body);
    process.stdout.write(`action=${decision.action}\ntitle=${decision.title}\n`);
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (err) {
        console.error((err as Error).message);
        process.exitCode = 2;
    }
}
