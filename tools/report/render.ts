/**
 * Renders the evidence as Markdown (GitHub renders its Mermaid diagram), self-contained HTML (Mermaid's
 * browser build inlined, no network needed to view it) and JSON.
 */
import * as fs from "fs";
import type { Evidence, Verdict } from "./evidence";

const VERDICT_LABEL: Record<Verdict | "no-policy", string> = {
    pass: "PASS",
    fail: "FAIL",
    "not-applicable": "N/A",
    "unknown-at-preview": "UNKNOWN AT PREVIEW",
    "no-policy": "NO POLICY",
};

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(ev: Evidence): string {
    const out: string[] = [];
    out.push(`# HIPAA evidence report: ${ev.project} / ${ev.stack}`);
    out.push("");
    out.push(`Generated from the ${ev.generatedFrom}${ev.pack ? `, evaluated by policy pack ${ev.pack.name} ${ev.pack.version} (${ev.pack.policies} policies)` : ""}.`);
    out.push("");
    out.push(`| resources | mandatory violations | advisory violations | unknown at preview |`);
    out.push(`| ---: | ---: | ---: | ---: |`);
    out.push(`| ${ev.totals.resources} | ${ev.totals.mandatoryViolations} | ${ev.totals.advisoryViolations} | ${ev.totals.unknownDuringPreview} |`);
    out.push("");
    out.push("## Architecture");
    out.push("");
    out.push("```mermaid");
    out.push(ev.diagram);
    out.push("```");
    out.push("");
    out.push("## Safeguards");
    out.push("");
    out.push("| section | safeguard | verdict | implementing resources | checking policies |");
    out.push("| --- | --- | --- | ---: | ---: |");
    for (const s of ev.safeguards) {
        out.push(`| ${s.section} | ${md(s.title)} | ${VERDICT_LABEL[s.verdict]} | ${s.resources.length} | ${s.policies.length} |`);
    }
    for (const s of ev.safeguards) {
        out.push("");
        out.push(`### ${s.section} ${s.title}: ${VERDICT_LABEL[s.verdict]}`);
        out.push("");
        if (s.policies.length) {
            out.push("| policy | level | severity | verdict | violations | not applicable |");
            out.push("| --- | --- | --- | --- | ---: | ---: |");
            for (const p of s.policies) {
                out.push(`| \`${p.policy}\` | ${p.enforcementLevel} | ${p.severity ?? ""} | ${VERDICT_LABEL[p.verdict]} | ${p.violations.length} | ${p.notApplicable} |`);
            }
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
        const byComponent = new Map<string, string[]>();
        for (const r of s.resources) byComponent.set(r.component, [...(byComponent.get(r.component) ?? []), `${r.name} (${r.type})`]);
        out.push(`Implemented by ${s.resources.length} resource(s):`);
        for (const [component, names] of byComponent) out.push(`- **${component}**: ${names.join(", ")}`);
        for (const p of s.conformancePacks ?? []) out.push(`- Conformance pack \`${p.name}\`: source ${md(p.source)}; version ${md(p.version)}`);
        for (const j of s.justifications ?? []) out.push(`- Justified: ${md(j.subject)}: ${md(j.text)}`);
    }
    out.push("");
    out.push("## Resources");
    out.push("");
    out.push("| component | resource | type | encryption | TLS | logging | backup | protect | violations |");
    out.push("| --- | --- | --- | --- | --- | --- | --- | --- | ---: |");
    for (const r of ev.resources) {
        out.push(`| ${r.component} | ${md(r.name)} | ${r.type} | ${r.encryption} | ${r.tls} | ${r.logging} | ${r.backup} | ${r.protect ? "yes" : "no"} | ${r.violations} |`);
    }
    out.push("");
    return out.join("\n");
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Self-contained HTML. `mermaidScript` is Mermaid's browser build, inlined so the page works offline. */
export function renderHtml(ev: Evidence, mermaidScript: string): string {
    const verdictClass = (v: string) => `verdict v-${v}`;
    const rows = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
    const safeguardRows = ev.safeguards
        .map((s) => rows([esc(s.section), esc(s.title), `<span class="${verdictClass(s.verdict)}">${VERDICT_LABEL[s.verdict]}</span>`, String(s.resources.length), String(s.policies.length)]))
        .join("\n");
    const details = ev.safeguards
        .map((s) => {
            const pol = s.policies
                .map((p) =>
                    rows([
                        `<code>${esc(p.policy)}</code>`,
                        esc(p.enforcementLevel),
                        esc(p.severity ?? ""),
                        `<span class="${verdictClass(p.verdict)}">${VERDICT_LABEL[p.verdict]}</span>`,
                        String(p.violations.length),
                        String(p.notApplicable),
                    ]),
                )
                .join("\n");
            const violations = s.policies.flatMap((p) => p.violations.map((v) => `<li><code>${esc(p.policy)}</code> (${esc(v.enforcementLevel)}) ${esc(v.message)}${v.urn ? ` <small>${esc(v.urn)}</small>` : ""}</li>`));
            const resources = s.resources.map((r) => `<li>${esc(r.component)}: ${esc(r.name)} <small>${esc(r.type)}</small></li>`).join("");
            return `<section class="safeguard" id="s-${esc(s.section)}"><h3>${esc(s.section)} ${esc(s.title)}: <span class="${verdictClass(s.verdict)}">${VERDICT_LABEL[s.verdict]}</span></h3>
${s.policies.length ? `<table class="policies"><thead><tr><th>policy</th><th>level</th><th>severity</th><th>verdict</th><th>violations</th><th>not applicable</th></tr></thead><tbody>${pol}</tbody></table>` : "<p>No policy of the pack cites this section.</p>"}
${violations.length ? `<ul class="violations">${violations.join("")}</ul>` : ""}
${(s.justifications ?? []).map((j) => `<p class="justification">Justified: ${esc(j.subject)}: ${esc(j.text)}</p>`).join("")}
${(s.conformancePacks ?? []).map((p) => `<p class="conformance-pack">Conformance pack <code>${esc(p.name)}</code>: source ${esc(p.source)}; version ${esc(p.version)}</p>`).join("")}
${s.integrations ? `<p>Service integrations proven by the wiring proof: ${s.integrations.filter((i) => i.proven).length} of ${s.integrations.length}</p><ul class="integrations">${s.integrations.map((i) => `<li>${i.proven ? "proven" : "<strong>not proven</strong>"}: ${esc(i.title)} <small>${esc(i.kind)}</small></li>`).join("")}</ul>` : ""}
<details><summary>Implemented by ${s.resources.length} resource(s)</summary><ul>${resources}</ul></details></section>`;
        })
        .join("\n");
    const resourceRows = ev.resources
        .map((r) => rows([esc(r.component), esc(r.name), `<code>${esc(r.type)}</code>`, esc(r.encryption), esc(r.tls), esc(r.logging), esc(r.backup), r.protect ? "yes" : "no", String(r.violations)]))
        .join("\n");
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HIPAA evidence: ${esc(ev.project)} / ${esc(ev.stack)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:1400px}
table{border-collapse:collapse;margin:0.5rem 0 1rem;font-size:0.9rem}
th,td{border:1px solid #d0d7de;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.verdict{font-weight:600;padding:0 0.3rem;border-radius:3px}
.v-pass{background:#dafbe1;color:#116329}.v-fail{background:#ffebe9;color:#a40e26}
.v-not-applicable,.v-no-policy{background:#eaeef2;color:#57606a}.v-unknown-at-preview{background:#fff8c5;color:#7d4e00}
code{font-size:0.85em}small{color:#57606a}
</style></head><body>
<h1>HIPAA evidence report: ${esc(ev.project)} / ${esc(ev.stack)}</h1>
<p>Generated from the ${esc(ev.generatedFrom)}${ev.pack ? `, evaluated by policy pack <code>${esc(ev.pack.name)}</code> ${esc(ev.pack.version)} (${ev.pack.policies} policies)` : ""}.</p>
<table id="totals"><thead><tr><th>resources</th><th>mandatory violations</th><th>advisory violations</th><th>unknown at preview</th></tr></thead>
<tbody><tr><td>${ev.totals.resources}</td><td>${ev.totals.mandatoryViolations}</td><td>${ev.totals.advisoryViolations}</td><td>${ev.totals.unknownDuringPreview}</td></tr></tbody></table>
<h2>Architecture</h2>
<pre class="mermaid" id="architecture">${esc(ev.diagram)}</pre>
<h2>Safeguards</h2>
<table id="safeguards"><thead><tr><th>section</th><th>safeguard</th><th>verdict</th><th>implementing resources</th><th>checking policies</th></tr></thead><tbody>
${safeguardRows}
</tbody></table>
${details}
<h2>Resources</h2>
<table id="resources"><thead><tr><th>component</th><th>resource</th><th>type</th><th>encryption</th><th>TLS</th><th>logging</th><th>backup</th><th>protect</th><th>violations</th></tr></thead><tbody>
${resourceRows}
</tbody></table>
<script>${mermaidScript.replace(/<\/script/gi, "<\\/script")}</script>
<script>mermaid.initialize({ startOnLoad: true, securityLevel: "strict", flowchart: { useMaxWidth: true } });</script>
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
