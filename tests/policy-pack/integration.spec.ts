/**
 * The policy pack end to end: two sample programs written with plain @pulumi/aws v7 resources (no platform
 * components) run through the offline engine (mock runtime, preview and up) and are judged by the real
 * `policy-pack`, served as the CLI serves it (its own process, analyzer gRPC). One analyzer session is shared by
 * the whole file (starting the pack compiles it, about 10 s).
 *
 * - `fixtures/insecure-program` gets every mandatory control wrong: each mandatory policy the pack reports in
 *   GetAnalyzerInfo must find at least one violation it could judge (not "unknown during preview"), and every
 *   mandatory finding must name the resource and carry the fix.
 * - `fixtures/compliant-program` is configured the way the pack asks: no mandatory finding, nothing left unjudged
 *   at preview, no advisory finding either, and every mandatory policy really judged one of its resources (a pack
 *   that silently skipped everything would otherwise pass it).
 *
 * - The platform itself (`index.ts` with `Pulumi.dev.yaml` and `Pulumi.prod.yaml`, as `preview:offline` runs it):
 *   no mandatory finding and nothing unjudged at preview in either stack; prod meets the advisory controls too, and
 *   dev's only advisories are the cost choices its stack file makes on purpose.
 *
 * A policy that cannot be tripped, or that fails a correct configuration, fails these tests by name.
 */
import * as assert from "assert";
import { OPERATOR_SECRETS } from "../support/platform";
import * as path from "path";
import { AnalyzerSession, PolicyDiagnostic, PolicyInfo } from "../../tools/offline/analyzer";
import { secretOverrides } from "../../tools/offline/cli";
import { OfflineResult, REPO_ROOT, runOffline } from "../../tools/offline/engine";
import type { Mode, RecordedResource } from "../../tools/offline/recorder";

const PACK_DIR = path.join(REPO_ROOT, "policy-pack");
const FIXTURES = path.join(__dirname, "fixtures");
const PROGRAMS = {
    insecure: path.join(FIXTURES, "insecure-program"),
    compliant: path.join(FIXTURES, "compliant-program"),
} as const;
type Program = keyof typeof PROGRAMS;
const MODES: readonly Mode[] = ["preview", "up"];

/** Arguments that hold a resource's physical name in the fixtures' resource types. */
const PHYSICAL_NAME_KEYS = ["name", "bucket", "identifier", "clusterIdentifier", "replicationGroupId", "clusterId", "domainName", "namespaceName", "creationToken"];

const show = (ds: PolicyDiagnostic[]): string[] =>
    ds.map((d) => `${d.enforcementLevel}${d.unknownDuringPreview ? " (unknown during preview)" : ""} ${d.policyName} ${d.urn?.split("::").pop() ?? "(stack)"}: ${violationText(d)}`);

/** The violation itself: the SDK prefixes the policy's description to the message. */
function violationText(d: PolicyDiagnostic): string {
    return d.description && d.message.startsWith(d.description) ? d.message.slice(d.description.length).trim() : d.message;
}

/** `name` appears in `text` as a whole name (not as part of a longer name such as `claims-bucket-sse`). */
function mentions(text: string, name: string): boolean {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}($|[^A-Za-z0-9_-])`).test(text);
}

function physicalNames(r: RecordedResource): string[] {
    return PHYSICAL_NAME_KEYS.map((k) => r.inputs[k]).filter((v): v is string => typeof v === "string" && v !== "");
}

/** Every resource the engine handed to the analyzer (the program's, plus the default providers it synthesised). */
function analyzed(r: OfflineResult): RecordedResource[] {
    return [...r.defaultProviders, ...(r.recording?.resources ?? [])];
}

/** Why `d` does not name its resource, or undefined when it does. */
function unnamedResource(d: PolicyDiagnostic, resources: readonly RecordedResource[]): string | undefined {
    const text = violationText(d);
    if (d.urn) {
        const r = resources.find((x) => x.urn === d.urn);
        if (!r) {
            return `its URN ${d.urn} is not a resource of the program`;
        }
        const names = [r.name, ...physicalNames(r)];
        return names.some((n) => mentions(text, n)) ? undefined : `the message names none of ${names.join(", ")}`;
    }
    // A stack-level finding (no single resource at fault) must name the resources it is about.
    return resources.some((r) => r.custom && (mentions(text, r.name) || physicalNames(r).some((n) => mentions(text, n))))
        ? undefined
        : "a stack-level message that names no resource of the program";
}

// What a fix looks like in the pack's messages: an imperative ("set ...", "add ...") or a "Fix:" sentence.
const FIX_IN_MESSAGE = /(\bFix:|\b(set|add|use|remove|attach|give|create|replace)\b)/i;

describe("policy pack integration: sample programs through the offline engine and the real analyzer", function () {
    // Starting the pack compiles it in its own process; each program run takes a few seconds.
    this.timeout(300_000);

    let session: AnalyzerSession;
    let mandatory: PolicyInfo[];
    const runs = new Map<string, Promise<OfflineResult>>();

    /** Runs each program once per mode (tests of the same run share it). */
    function run(program: Program, mode: Mode): Promise<OfflineResult> {
        const key = `${program}:${mode}`;
        let r = runs.get(key);
        if (!r) {
            r = runOffline({ stack: "test", mode, projectDir: PROGRAMS[program], analyzer: session });
            runs.set(key, r);
        }
        return r;
    }

    /** Runs the platform program (index.ts) with a stack of this repository, as `preview:offline --stack` does. */
    function runPlatform(stack: "dev" | "prod", mode: Mode): Promise<OfflineResult> {
        const key = `platform-${stack}:${mode}`;
        let r = runs.get(key);
        if (!r) {
            // Prod's ETL password is set by its operators with `pulumi config set --secret`, never committed.
            const configOverrides = stack === "prod" ? secretOverrides(Object.keys(OPERATOR_SECRETS.prod)) : {};
            r = runOffline({ stack, mode, projectDir: REPO_ROOT, analyzer: session, configOverrides });
            runs.set(key, r);
        }
        return r;
    }

    before(async () => {
        session = await AnalyzerSession.start({ packDir: PACK_DIR });
        mandatory = session.info.policies.filter((p) => p.enforcementLevel === "mandatory");
    });
    after(async () => {
        await session?.close();
    });

    it("serves the pack with mandatory policies, each with remediation steps in its metadata", async () => {
        assert.strictEqual(session.info.name, "healthcare-data-guardrails");
        assert.ok(mandatory.length > 0, "GetAnalyzerInfo reported no mandatory policy");
        assert.deepStrictEqual(
            mandatory.filter((p) => !p.remediationSteps?.trim()).map((p) => p.name),
            [],
            "mandatory policies without remediationSteps",
        );
    });

    for (const mode of MODES) {
        describe(`insecure program (${mode})`, () => {
            it("fails the run with exit code 1 after running the program and the whole pack", async () => {
                const r = await run("insecure", mode);
                assert.strictEqual(r.error, undefined, r.error?.message);
                assert.strictEqual(r.exitCode, 1);
                assert.strictEqual(r.policyPack?.name, "healthcare-data-guardrails");
            });

            it("violates every mandatory policy of the pack with a finding judged on known values", async () => {
                const r = await run("insecure", mode);
                const tripped = new Set(r.diagnostics.filter((d) => d.enforcementLevel === "mandatory" && !d.unknownDuringPreview).map((d) => d.policyName));
                assert.deepStrictEqual(
                    mandatory.map((p) => p.name).filter((n) => !tripped.has(n)),
                    [],
                    "mandatory policies the insecure program did not trip",
                );
                assert.deepStrictEqual([...tripped].sort(), mandatory.map((p) => p.name).sort());
            });

            it("is judged completely at preview: deterministic names leave no policy unable to run", async () => {
                const r = await run("insecure", mode);
                assert.deepStrictEqual(show(r.diagnostics.filter((d) => d.unknownDuringPreview)), []);
            });

            it("names the resource at fault in every mandatory finding", async () => {
                const r = await run("insecure", mode);
                const resources = analyzed(r);
                const findings = r.diagnostics.filter((d) => d.enforcementLevel === "mandatory");
                assert.ok(findings.length >= mandatory.length, `only ${findings.length} mandatory findings`);
                const unnamed = findings.flatMap((d) => {
                    const why = unnamedResource(d, resources);
                    return why ? [`${d.policyName}: ${why}: ${violationText(d)}`] : [];
                });
                assert.deepStrictEqual(unnamed, []);
            });

            it("gives the fix with every mandatory finding: in the message and as the policy's remediation steps", async () => {
                const r = await run("insecure", mode);
                const steps = new Map(mandatory.map((p) => [p.name, p.remediationSteps]));
                const problems = r.diagnostics
                    .filter((d) => d.enforcementLevel === "mandatory")
                    .flatMap((d) => {
                        const out: string[] = [];
                        if (!d.remediationSteps?.trim() || d.remediationSteps !== steps.get(d.policyName)) {
                            out.push(`${d.policyName}: remediationSteps ${JSON.stringify(d.remediationSteps)} are not the policy's`);
                        }
                        if (!FIX_IN_MESSAGE.test(violationText(d))) {
                            out.push(`${d.policyName}: the message says nothing to do: ${violationText(d)}`);
                        }
                        return out;
                    });
                assert.deepStrictEqual(problems, []);
            });
        });

        describe(`compliant program (${mode})`, () => {
            it("passes the run with exit code 0 and no mandatory finding", async () => {
                const r = await run("compliant", mode);
                assert.strictEqual(r.error, undefined, r.error?.message);
                assert.deepStrictEqual(show(r.diagnostics.filter((d) => d.enforcementLevel === "mandatory")), []);
                assert.strictEqual(r.exitCode, 0);
            });

            it("leaves nothing unknown during preview", async () => {
                const r = await run("compliant", mode);
                assert.deepStrictEqual(show(r.diagnostics.filter((d) => d.unknownDuringPreview)), []);
                assert.strictEqual(r.summary.violations.unknownDuringPreview, 0);
            });

            it("meets the advisory controls too (no finding at all)", async () => {
                const r = await run("compliant", mode);
                assert.deepStrictEqual(show(r.diagnostics), []);
            });

            it("is really judged by every mandatory policy (each policy applied to at least one of its resources)", async () => {
                const r = await run("compliant", mode);
                const total = analyzed(r).length;
                const skipped = mandatory.flatMap((p) => {
                    const na = r.notApplicable.filter((n) => n.policyName === p.name);
                    // A resource policy answers "not applicable" per resource; a stack policy once for the stack.
                    const judged = p.policyType === "stack" ? na.length === 0 : na.filter((n) => n.source === "analyze").length < total;
                    return judged ? [] : [`${p.name}: ${na[0]?.reason ?? "not applicable to any resource"}`];
                });
                assert.deepStrictEqual(skipped, []);
            });
        });
    }

    for (const stack of ["dev", "prod"] as const) {
        for (const mode of MODES) {
            describe(`the platform program, index.ts (${stack}, ${mode})`, () => {
                it("runs the program and the whole pack with exit code 0 and no mandatory finding", async () => {
                    const r = await runPlatform(stack, mode);
                    assert.strictEqual(r.error, undefined, r.error?.message);
                    assert.strictEqual(r.programPath, path.join(REPO_ROOT, "index.ts"));
                    assert.strictEqual(r.policyPack?.name, "healthcare-data-guardrails");
                    assert.ok((r.recording?.resources.filter((x) => x.custom).length ?? 0) > 200, "the whole platform was recorded");
                    assert.deepStrictEqual(show(r.diagnostics.filter((d) => d.enforcementLevel === "mandatory")), []);
                    assert.strictEqual(r.exitCode, 0);
                });

                it("leaves nothing unknown during preview", async () => {
                    const r = await runPlatform(stack, mode);
                    assert.deepStrictEqual(show(r.diagnostics.filter((d) => d.unknownDuringPreview)), []);
                });

                it(stack === "prod" ? "meets the advisory controls too (no finding at all)" : "has only the advisories of dev's deliberate cost choices", async () => {
                    const r = await runPlatform(stack, mode);
                    if (stack === "prod") {
                        assert.deepStrictEqual(show(r.diagnostics), []);
                    } else {
                        // 14-day operational logs, single-AZ database without deletion protection, 1-day backups (Pulumi.dev.yaml).
                        const policies = [...new Set(r.diagnostics.map((d) => d.policyName))].sort();
                        assert.deepStrictEqual(policies, ["data-store-backups", "data-store-deletion-protection", "log-retention-minimum"]);
                    }
                });
            });
        }
    }
});
