/**
 * Renders the evidence as Markdown (GitHub renders its Mermaid diagram and `<details>`), self-contained HTML (Mermaid's
 * browser build and a small filter script inlined: no network needed to view it, none to print it) and JSON.
 *
 * Both documents open with what an auditor signs off from: one table of safeguards (verdict, controls, evidence) and
 * the data-flow diagram. Everything else (per-policy verdicts, integrations, resources) follows folded.
 * Not-applicable counts are only in the JSON: a policy that applies to no resource of a type says nothing about a
 * safeguard, and hundreds of them drown the verdicts.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import type { EngineInfo, Evidence, ResourcePosture, SafeguardEvidence, Verdict } from "./evidence";

const VERDICT_LABEL: Record<Verdict | "no-policy", string> = {
    pass: "PASS",
    fail: "FAIL",
    "not-applicable": "N/A",
    "unknown-at-preview": "UNKNOWN AT PREVIEW",
    "no-policy": "NO POLICY",
};

/** The title of the first table; the PDF test looks for it on page 1. */
export const SUMMARY_TITLE = "Safeguard summary";

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The engines that judged the stack, as the first page's "Generated ... by the ..." line names them. */
export function engineLine(ev: Evidence): string {
    return ev.engines
        .map((e) =>
            e.kind === "offline"
                ? `offline engine (program under the @pulumi/pulumi ${e.version} mock runtime, policy pack over the analyzer protocol), exit code ${e.exitCode}`
                : `Pulumi CLI v${e.version} (pulumi preview --policy-pack), exit code ${e.exitCode}`,
        )
        .join(", and the ");
}

const engineName = (e: EngineInfo) => (e.kind === "offline" ? `offline engine (@pulumi/pulumi ${e.version})` : `Pulumi CLI v${e.version}`);

const firstFew = (keys: string[], n = 3) => `${keys.slice(0, n).join("; ")}${keys.length > n ? ` (+${keys.length - n} more)` : ""}`;

/**
 * With `--real-cli`, the summary's evidence line: which engines gave the policy verdicts and whether they agree.
 * `fail` when they disagree on a mandatory violation, in either direction: the offline engine stands in for the CLI in
 * every PR check, so its accepting what the CLI rejects (or the reverse) makes every verdict above suspect.
 */
export function engineVerdicts(ev: Evidence): { fail: boolean; text: string } | undefined {
    const [offline, cli] = ev.engines;
    const cmp = ev.engineComparison;
    if (!cli || !cmp) return undefined;
    const names = `${engineName(offline)} and ${engineName(cli)}`;
    const advisoryDiffers = cmp.advisory.onlyOffline.length + cmp.advisory.onlyCli.length > 0;
    const advisory = advisoryDiffers
        ? `advisory findings differ (${cmp.advisory.onlyOffline.length} only offline, ${cmp.advisory.onlyCli.length} only the CLI; see the engine comparison)`
        : `both ${offline.advisory} advisory`;
    if (cmp.agree) return { fail: false, text: `policy verdicts: ${names}, both ${offline.mandatory} mandatory, ${advisory}` };
    const sides = [
        ...(cmp.mandatory.onlyCli.length ? [`the Pulumi CLI rejects what the offline engine accepts: ${firstFew(cmp.mandatory.onlyCli)}`] : []),
        ...(cmp.mandatory.onlyOffline.length ? [`the offline engine rejects what the Pulumi CLI accepts: ${firstFew(cmp.mandatory.onlyOffline)}`] : []),
    ];
    return {
        fail: true,
        text: `the engines disagree on mandatory violations: ${engineName(offline)} ${offline.mandatory} mandatory, ${engineName(cli)} ${cli.mandatory} mandatory; ${sides.join("; ")}`,
    };
}

/** Every finding one engine reported and the other did not, by level and side (the details of {@link engineVerdicts}). */
function engineDifferences(ev: Evidence): { level: string; side: string; key: string }[] {
    const cmp = ev.engineComparison;
    if (!cmp) return [];
    return (["mandatory", "advisory"] as const).flatMap((level) => [
        ...cmp[level].onlyCli.map((key) => ({ level, side: "only the Pulumi CLI", key })),
        ...cmp[level].onlyOffline.map((key) => ({ level, side: "only the offline engine", key })),
    ]);
}

/**
 * `IAM role ×23, security group ×8 (+5 more kinds)`. With `maxChars`, as many of the top kinds as fit (at least one)
 * and a short `(+5 kinds)`: the first screen's table keeps each safeguard on one line; every kind is in its details.
 */
export function controlsText(s: SafeguardEvidence, max = 2, maxChars = Infinity): string {
    if (s.controls.length === 0) return "none recorded";
    const all = s.controls.slice(0, max).map((c) => (c.count > 1 ? `${c.kind} ×${c.count}` : c.kind));
    const shown = all.filter((_, i) => i === 0 || all.slice(0, i + 1).join(", ").length <= maxChars);
    const more = s.controls.length - shown.length;
    return `${shown.join(", ")}${more > 0 ? (maxChars === Infinity ? ` (+${more} more kinds)` : ` (+${more} kind${more > 1 ? "s" : ""})`) : ""}`;
}

/**
 * Policy verdict counts, proven integrations, conformance packs: the evidence column. `short` names a conformance pack
 * by its kind only (the first screen's one-line rows); the name is in the safeguard's details.
 */
export function evidenceText(s: SafeguardEvidence, short = false): string {
    const parts: string[] = [];
    if (s.policies.length) {
        const counts = new Map<string, number>();
        for (const p of s.policies) counts.set(p.verdict, (counts.get(p.verdict) ?? 0) + 1);
        const order: Verdict[] = ["fail", "unknown-at-preview", "pass", "not-applicable"];
        const byVerdict = order.filter((v) => counts.get(v)).map((v) => `${counts.get(v)} ${v === "not-applicable" ? "disabled" : VERDICT_LABEL[v].toLowerCase()}`);
        parts.push(`${s.policies.length} ${s.policies.length === 1 ? "policy" : "policies"}: ${byVerdict.join(", ")}`);
    } else parts.push("no policy of the pack cites it");
    if (s.integrations) parts.push(`${s.integrations.filter((i) => i.proven).length}/${s.integrations.length} integrations proven`);
    for (const c of s.conformancePacks ?? []) parts.push(short ? "conformance pack" : `conformance pack ${c.name}`);
    return parts.join("; ");
}

/** `guardrails (GuardDuty; logs)`: a component no data flow touches, as the strip under the diagram names it. */
export function quietEntryText(e: { name: string; detail: string; badges: string[] }): string {
    return `${e.name} (${[e.detail, e.badges.join(", ")].filter(Boolean).join("; ")})`;
}

function groupResources(resources: ResourcePosture[]): Map<string, Map<string, ResourcePosture[]>> {
    const byArea = new Map<string, Map<string, ResourcePosture[]>>();
    for (const r of resources) {
        const area = byArea.get(r.area) ?? new Map<string, ResourcePosture[]>();
        byArea.set(r.area, area);
        area.set(r.component, [...(area.get(r.component) ?? []), r]);
    }
    return new Map([...byArea].sort(([a], [b]) => a.localeCompare(b)));
}

const postureSummary = (rows: ResourcePosture[]) => {
    const kms = rows.filter((r) => r.encryption.startsWith("KMS")).length;
    const violations = rows.reduce((n, r) => n + r.violations, 0);
    return `${rows.length} resource${rows.length === 1 ? "" : "s"}, ${kms} KMS-encrypted, ${violations} violation${violations === 1 ? "" : "s"}`;
};

export function renderMarkdown(ev: Evidence): string {
    const out: string[] = [];
    out.push(`# HIPAA evidence report: ${ev.project} / ${ev.stack}`);
    out.push("");
    out.push(`Generated from the ${ev.generatedFrom} by the ${engineLine(ev)}${ev.pack ? `; policy pack ${ev.pack.name} ${ev.pack.version} (${ev.pack.policies} policies)` : ""}.`);
    out.push(`${ev.totals.resources} resources, ${ev.totals.mandatoryViolations} mandatory and ${ev.totals.advisoryViolations} advisory violations, ${ev.totals.unknownDuringPreview} unknown at preview.`);
    out.push("");
    out.push(`## ${SUMMARY_TITLE}`);
    out.push("");
    const verdicts = engineVerdicts(ev);
    if (verdicts) {
        out.push(verdicts.fail ? `**FAIL**: ${md(verdicts.text)}` : md(verdicts.text));
        out.push("");
    }
    out.push("| safeguard | verdict | controls | evidence |");
    out.push("| --- | --- | --- | --- |");
    for (const s of ev.safeguards) out.push(`| ${s.section} ${md(s.title)} | **${VERDICT_LABEL[s.verdict]}** | ${md(controlsText(s))} | ${md(evidenceText(s))} |`);
    out.push("");
    out.push("## Data flows");
    out.push("");
    out.push("```mermaid");
    out.push(ev.diagram);
    out.push("```");
    out.push("");
    for (const l of ev.architecture.legend) out.push(`- ${l}`);
    out.push("");
    for (const q of ev.architecture.quiet) out.push(`- ${md(q.group)}, no recorded data flow: ${md(q.entries.map(quietEntryText).join(", "))}`);
    if (ev.architecture.quiet.length) out.push("");
    out.push(`<details><summary>${ev.architecture.flows.length} flows and the recorded facts they come from</summary>`);
    out.push("");
    const nodeName = new Map(ev.architecture.nodes.map((n) => [n.id, n.entries.map((e) => e.name).join(", ")]));
    out.push("| from | to | flow | recorded as |");
    out.push("| --- | --- | --- | --- |");
    for (const f of ev.architecture.flows) out.push(`| ${md(nodeName.get(f.from) ?? f.from)} | ${md(nodeName.get(f.to) ?? f.to)} | ${md(f.labels.join(", "))}${f.boundary ? " (trust boundary)" : ""} | ${md(f.evidence.join("; "))} |`);
    out.push("");
    out.push("</details>");
    out.push("");
    out.push("## Safeguard details");
    for (const s of ev.safeguards) {
        out.push("");
        out.push(`<details><summary>${s.section} ${s.title}: ${VERDICT_LABEL[s.verdict]}</summary>`);
        out.push("");
        out.push(`### ${s.section} ${s.title}: ${VERDICT_LABEL[s.verdict]}`);
        out.push("");
        if (s.policies.length) {
            out.push("| policy | level | severity | verdict | violations |");
            out.push("| --- | --- | --- | --- | ---: |");
            for (const p of s.policies) out.push(`| \`${p.policy}\` | ${p.enforcementLevel} | ${p.severity ?? ""} | ${VERDICT_LABEL[p.verdict]} | ${p.violations.length} |`);
            for (const p of s.policies) for (const v of p.violations) out.push(`- \`${p.policy}\` (${v.enforcementLevel}) ${md(v.message)}${v.urn ? ` (${v.urn})` : ""}`);
        } else {
            out.push("No policy of the pack cites this section.");
        }
        if (s.integrations) {
            out.push("");
            out.push(`Service integrations proven by the wiring proof (IAM evaluation of identity, resource and key policies): ${s.integrations.filter((i) => i.proven).length} of ${s.integrations.length}`);
            for (const i of s.integrations) out.push(`- ${i.proven ? "proven" : "NOT PROVEN"}: ${md(i.title)} (${i.kind})`);
        }
        out.push("");
        for (const j of s.justifications ?? []) out.push(`- Justified: ${j.subject}: ${md(j.text)}`);
        for (const p of s.conformancePacks ?? []) out.push(`- Conformance pack \`${p.name}\`: source ${md(p.source)}; version ${md(p.version)}`);
        out.push(`- Controls: ${s.controls.map((c) => `${c.kind} ×${c.count}`).join(", ") || "none recorded"}`);
        out.push("");
        out.push("</details>");
    }
    if (ev.engines.length > 1) {
        const differences = engineDifferences(ev);
        out.push("");
        out.push(`<details><summary>Engine comparison: ${differences.length} finding${differences.length === 1 ? "" : "s"} reported by one engine only</summary>`);
        out.push("");
        out.push("| engine | version | exit code | mandatory | advisory |");
        out.push("| --- | --- | ---: | ---: | ---: |");
        for (const e of ev.engines) out.push(`| ${e.kind === "offline" ? "offline engine" : "Pulumi CLI"} | ${e.version} | ${e.exitCode} | ${e.mandatory} | ${e.advisory} |`);
        out.push("");
        for (const d of differences) out.push(`- ${d.level === "mandatory" ? "**mandatory**" : "advisory"}, ${d.side}: ${md(d.key)}`);
        if (differences.length) out.push("");
        out.push("</details>");
    }
    out.push("");
    out.push("## Resources");
    out.push("");
    out.push("Grouped by area and component. Posture: encryption at rest, TLS enforced, logging, backup; `protect` is Pulumi's protect option.");
    for (const [area, components] of groupResources(ev.resources)) {
        out.push("");
        out.push(`### ${area}`);
        for (const [component, rows] of components) {
            out.push("");
            out.push(`<details><summary>${component}: ${postureSummary(rows)}</summary>`);
            out.push("");
            out.push("| resource | type | encryption | TLS | logging | backup | protect | violations |");
            out.push("| --- | --- | --- | --- | --- | --- | --- | ---: |");
            for (const r of rows) out.push(`| ${md(r.name)} | \`${r.type}\` | ${r.encryption} | ${r.tls} | ${r.logging} | ${r.backup} | ${r.protect ? "yes" : "no"} | ${r.violations} |`);
            out.push("");
            out.push("</details>");
        }
    }
    out.push("");
    return out.join("\n");
}

const STYLE = `
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:1rem 1rem 2rem;color:#1b1f24;font-size:14px}
h1{font-size:1.3rem;margin:0 0 .1rem}h2{font-size:1.1rem;margin:.6rem 0 .2rem}h3{font-size:1rem}
.meta{margin:0 0 .4rem;color:#57606a;font-size:.85rem}
table{border-collapse:collapse;margin:.3rem 0 .8rem;font-size:.85rem}
th,td{border:1px solid #d0d7de;padding:.15rem .4rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
#safeguards{font-size:12px;line-height:1.15;margin-bottom:.2rem}#safeguards td,#safeguards th{padding:0 .35rem;white-space:nowrap}
.verdict{font-weight:600;padding:0 .3rem;border-radius:3px}
.v-pass{background:#dafbe1;color:#116329}.v-fail{background:#ffebe9;color:#a40e26}
.v-not-applicable,.v-no-policy{background:#eaeef2;color:#57606a}.v-unknown-at-preview{background:#fff8c5;color:#7d4e00}
#architecture{margin:0;padding:0;background:none}
.legend{font-size:.8rem;color:#57606a;margin:.2rem 0 .6rem;padding-left:1.2rem}
details{margin:.2rem 0}summary{cursor:pointer}
tr.group-head th{background:#eaeef2}
code{font-size:.85em}small{color:#57606a}
@media print{body{margin:0}details>summary{list-style:none}}
`;

const verdictSpan = (v: Verdict | "no-policy") => `<span class="verdict v-${v}">${VERDICT_LABEL[v]}</span>`;
const rows = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;

/** Title, engine line and the safeguard summary table: what the first screen shows above the diagram. */
export function firstScreenHtml(ev: Evidence): string {
    // One line a safeguard, so the table and the whole diagram share the first screen: the controls column names the
    // top kinds that fit and the evidence column a conformance pack by its kind; the full texts are the cells' titles
    // and the safeguard's details.
    const cell = (short: string, full: string) => (short === full ? esc(short) : `<span title="${esc(full)}">${esc(short)}</span>`);
    const summary = ev.safeguards
        .map((s) => rows([`${esc(s.section)} ${esc(s.title)}`, verdictSpan(s.verdict), cell(controlsText(s, 2, 44), controlsText(s)), cell(evidenceText(s, true), evidenceText(s))]))
        .join("\n");
    const verdicts = engineVerdicts(ev);
    return `<h1>HIPAA evidence report: ${esc(ev.project)} / ${esc(ev.stack)}</h1>
<p class="meta">Generated from the ${esc(ev.generatedFrom)} by the <span id="engine">${esc(engineLine(ev))}</span>${ev.pack ? `; policy pack <code>${esc(ev.pack.name)}</code> ${esc(ev.pack.version)} (${ev.pack.policies} policies)` : ""}. ${ev.totals.resources} resources, ${ev.totals.mandatoryViolations} mandatory and ${ev.totals.advisoryViolations} advisory violations, ${ev.totals.unknownDuringPreview} unknown at preview.</p>
<h2 id="summary">${SUMMARY_TITLE}</h2>
${verdicts ? `<p class="meta" id="engine-verdicts">${verdicts.fail ? `${verdictSpan("fail")} ` : ""}${esc(verdicts.text)}</p>\n` : ""}<table id="safeguards"><thead><tr><th>safeguard</th><th>verdict</th><th>controls</th><th>evidence</th></tr></thead><tbody>
${summary}
</tbody></table>`;
}

/**
 * Mermaid settings of the HTML page (the Markdown flavour uses GitHub's defaults). The diagram is scaled to the page's
 * width (about 1370 px at 1400): tight spacing and a larger font keep its node titles at about 10.7 px once scaled,
 * and its height within what the first screen leaves under the summary table.
 */
const MERMAID_INIT = `{ startOnLoad: true, securityLevel: "strict", theme: "neutral", themeVariables: { fontSize: "20px" }, flowchart: { useMaxWidth: true, htmlLabels: true, nodeSpacing: 12, rankSpacing: 28, padding: 6, diagramPadding: 0 } }`;

/**
 * What the checked-in screenshots show, as a hash: the first screen's HTML, the page style, Mermaid's settings and the
 * diagram's source.
 * PNG bytes differ from one Chromium to the next; this does not, so a test can tell a stale screenshot.
 */
export function screenshotFingerprint(ev: Evidence): string {
    return createHash("sha256").update(STYLE).update("\0").update(firstScreenHtml(ev)).update("\0").update(MERMAID_INIT).update("\0").update(ev.diagram).digest("hex");
}

/** The folded engine comparison of a `--real-cli` report: each engine's counts and every finding only one reported. */
function engineComparisonHtml(ev: Evidence): string {
    const differences = engineDifferences(ev);
    const engines = ev.engines.map((e) => rows([e.kind === "offline" ? "offline engine" : "Pulumi CLI", esc(e.version), String(e.exitCode), String(e.mandatory), String(e.advisory)])).join("");
    const list = differences.map((d) => `<li>${d.level === "mandatory" ? "<strong>mandatory</strong>" : "advisory"}, ${esc(d.side)}: <code>${esc(d.key)}</code></li>`).join("");
    return `<details id="engine-comparison"><summary>Engine comparison: ${differences.length} finding${differences.length === 1 ? "" : "s"} reported by one engine only</summary>
<table><thead><tr><th>engine</th><th>version</th><th>exit code</th><th>mandatory</th><th>advisory</th></tr></thead><tbody>${engines}</tbody></table>
${list ? `<ul class="engine-differences">${list}</ul>` : ""}</details>`;
}

/** Self-contained HTML. `mermaidScript` is Mermaid's browser build, inlined so the page works offline. */
export function renderHtml(ev: Evidence, mermaidScript: string): string {
    const details = ev.safeguards
        .map((s) => {
            const pol = s.policies.map((p) => rows([`<code>${esc(p.policy)}</code>`, esc(p.enforcementLevel), esc(p.severity ?? ""), verdictSpan(p.verdict), String(p.violations.length)])).join("\n");
            const violations = s.policies.flatMap((p) => p.violations.map((v) => `<li><code>${esc(p.policy)}</code> (${esc(v.enforcementLevel)}) ${esc(v.message)}${v.urn ? ` <small>${esc(v.urn)}</small>` : ""}</li>`));
            const resources = s.resources.map((r) => `<li>${esc(r.component)}: ${esc(r.name)} <small>${esc(r.type)}</small></li>`).join("");
            return `<details class="safeguard" id="s-${esc(s.section)}"><summary><b>${esc(s.section)} ${esc(s.title)}</b>: ${verdictSpan(s.verdict)} <small>${esc(evidenceText(s))}</small></summary>
${s.policies.length ? `<table class="policies"><thead><tr><th>policy</th><th>level</th><th>severity</th><th>verdict</th><th>violations</th></tr></thead><tbody>${pol}</tbody></table>` : "<p>No policy of the pack cites this section.</p>"}
${violations.length ? `<ul class="violations">${violations.join("")}</ul>` : ""}
${(s.justifications ?? []).map((j) => `<p class="justification">Justified: ${esc(j.subject)}: ${esc(j.text)}</p>`).join("")}
${(s.conformancePacks ?? []).map((p) => `<p class="conformance-pack">Conformance pack <code>${esc(p.name)}</code>: source ${esc(p.source)}; version ${esc(p.version)}</p>`).join("")}
${s.integrations ? `<p>Service integrations proven by the wiring proof: ${s.integrations.filter((i) => i.proven).length} of ${s.integrations.length}</p><ul class="integrations">${s.integrations.map((i) => `<li>${i.proven ? "proven" : "<strong>not proven</strong>"}: ${esc(i.title)} <small>${esc(i.kind)}</small></li>`).join("")}</ul>` : ""}
<p>Implemented by ${s.resources.length} resource(s): ${esc(s.controls.map((c) => `${c.kind} ×${c.count}`).join(", "))}</p><ul class="implementing">${resources}</ul></details>`;
        })
        .join("\n");
    const groups = [...groupResources(ev.resources)]
        .flatMap(([area, components]) =>
            [...components].map(
                ([component, rs]) => `<tbody data-group="${esc(`${area}/${component}`)}"><tr class="group-head"><th colspan="8">${esc(area)} / ${esc(component)} <small>${esc(postureSummary(rs))}</small></th></tr>
${rs.map((r) => `<tr class="resource">${[r.parentComponent === r.component ? esc(r.name) : `${esc(r.name)} <small>in ${esc(r.parentComponent)}</small>`, `<code>${esc(r.type)}</code>`, esc(r.encryption), esc(r.tls), esc(r.logging), esc(r.backup), r.protect ? "yes" : "no", String(r.violations)].map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n")}
</tbody>`,
            ),
        )
        .join("\n");
    const nodeName = new Map(ev.architecture.nodes.map((n) => [n.id, n.entries.map((e) => e.name).join(", ")]));
    const flows = ev.architecture.flows.map((f) => rows([esc(nodeName.get(f.from) ?? f.from), esc(nodeName.get(f.to) ?? f.to), `${esc(f.labels.join(", "))}${f.boundary ? " <b>(trust boundary)</b>" : ""}`, `<small>${esc(f.evidence.join("; "))}</small>`])).join("\n");
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HIPAA evidence: ${esc(ev.project)} / ${esc(ev.stack)}</title>
<style>${STYLE}</style></head><body>
${firstScreenHtml(ev)}
<h2>Data flows</h2>
<pre class="mermaid" id="architecture">${esc(ev.diagram)}</pre>
<ul class="legend">${ev.architecture.legend.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
<ul class="legend" id="quiet">${ev.architecture.quiet.map((q) => `<li><b>${esc(q.group)}</b>, no recorded data flow: ${esc(q.entries.map(quietEntryText).join(", "))}</li>`).join("")}</ul>
<details id="flows"><summary>${ev.architecture.flows.length} flows and the recorded facts they come from</summary>
<table><thead><tr><th>from</th><th>to</th><th>flow</th><th>recorded as</th></tr></thead><tbody>
${flows}
</tbody></table></details>
<h2>Safeguard details</h2>
${details}
${ev.engines.length > 1 ? engineComparisonHtml(ev) : ""}
<h2>Resources</h2>
<details id="resource-list"><summary>${ev.resources.length} resources in ${new Set(ev.resources.map((r) => r.component)).size} components, grouped by area and component</summary>
<p><label>Filter: <input id="resource-filter" type="search" placeholder="name, type, component, posture..." size="40"></label> <small id="resource-count"></small></p>
<table id="resources"><thead><tr><th>resource</th><th>type</th><th>encryption</th><th>TLS</th><th>logging</th><th>backup</th><th>protect</th><th>violations</th></tr></thead>
${groups}
</table></details>
<script>
(function () {
  var input = document.getElementById("resource-filter");
  var count = document.getElementById("resource-count");
  function apply() {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    document.querySelectorAll("#resources tbody").forEach(function (body) {
      var group = body.getAttribute("data-group").toLowerCase();
      var any = false;
      body.querySelectorAll("tr.resource").forEach(function (row) {
        var hit = !q || (group + " " + row.textContent.toLowerCase()).indexOf(q) >= 0;
        row.hidden = !hit;
        if (hit) { any = true; shown++; }
      });
      body.hidden = !any;
    });
    count.textContent = shown + " shown";
  }
  input.addEventListener("input", apply);
  apply();
})();
</script>
<script>${mermaidScript.replace(/<\/script/gi, "<\\/script")}</script>
<script>mermaid.initialize(${MERMAID_INIT});</script>
</body></html>
`;
}

export function renderJson(ev: Evidence): string {
    return JSON.stringify(ev, null, 2);
}

/** Mermaid's browser build from node_modules. */
export function mermaidBrowserScript(): string {
    return fs.readFileSync(require.resolve("mermaid/dist/mermaid.min.js"), "utf8");
}
