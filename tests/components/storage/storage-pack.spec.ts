/**
 * The storage area against the real policy pack, served as the CLI serves it (its own process, analyzer gRPC):
 * the proposed composition (compose.ts) under the platform provider with the standard default tags, for dev and
 * prod, in preview (computed values unknown) and up.
 *
 * `s3-macie-phi-discovery` is a cross-area control: it requires a Macie classification job over every PHI bucket,
 * which the security area's Macie component provides in the full program. Here it must be the ONLY mandatory
 * finding, and it must name the PHI buckets (evidence that they are tagged as PHI). `config-recorder-for-phi`
 * (advisory) is cross-area too: the security area's ComplianceMonitoring declares the recorder; here it must report
 * the stack's PHI stores.
 */
import * as assert from "assert";
import * as path from "path";
import { createPlatformProvider } from "../../../components/shared/provider";
import { standardTags } from "../../../components/shared/tags";
import { AnalyzerSession, PolicyDiagnostic } from "../../../tools/offline/analyzer";
import { analyzerResources, defaultProvidersFor, REPO_ROOT } from "../../../tools/offline/engine";
import { Mode, recordProgram } from "../../../tools/offline/recorder";
import { stackConfigMap } from "../../support/platform";
import { composeStorage } from "../../../components/storage/compose";
import { setup } from "./helpers";

const CROSS_AREA = "s3-macie-phi-discovery";
const RECORDER = "config-recorder-for-phi";

async function evaluate(session: AnalyzerSession, stack: "dev" | "prod", mode: Mode): Promise<PolicyDiagnostic[]> {
    const config = stackConfigMap(stack);
    const s = setup(stack);
    const rec = await recordProgram(
        async () => {
            const defaultTags = standardTags({ environment: s.cfg.environment, dataClassification: "phi", owner: s.cfg.owner, costCenter: s.cfg.costCenter });
            const provider = createPlatformProvider("aws", { naming: s.cfg.naming, defaultTags });
            composeStorage(s.cfg, { ...s, opts: { providers: { aws: provider } } });
        },
        { mode, stack, config },
    );
    await session.configureStack({ stack, project: rec.project, dryRun: mode === "preview", config });
    await session.configure();
    const evaluation = await session.evaluate(analyzerResources(rec, defaultProvidersFor(rec, config, REPO_ROOT)));
    return evaluation.diagnostics;
}

const show = (ds: PolicyDiagnostic[]) => ds.map((d) => `${d.enforcementLevel} ${d.policyName} ${d.urn?.split("::").pop() ?? "(stack)"}: ${d.message}`);

describe("components/storage against the policy pack", function () {
    // Starting the pack compiles it in its own process.
    this.timeout(600_000);
    let session: AnalyzerSession;

    before(async () => {
        session = await AnalyzerSession.start({
            packDir: path.join(REPO_ROOT, "policy-pack"),
            stack: { stack: "dev", project: "healthcare-data-platform", dryRun: true, config: stackConfigMap("dev") },
        });
    });
    after(async () => {
        await session?.close();
    });

    for (const stack of ["dev", "prod"] as const) {
        for (const mode of ["preview", "up"] as const) {
            it(`${stack} ${mode}: no mandatory violation of the storage resources, nothing left unjudged at preview`, async () => {
                const ds = await evaluate(session, stack, mode);
                assert.deepStrictEqual(show(ds.filter((d) => d.unknownDuringPreview)), [], "no policy skipped for unknown values");
                assert.deepStrictEqual(show(ds.filter((d) => d.enforcementLevel === "mandatory" && d.policyName !== CROSS_AREA)), []);
                const macie = ds.filter((d) => d.policyName === CROSS_AREA && d.urn).map((d) => d.urn?.split("::").pop());
                // Prod runs batch ETL, so it also has the Glue assets bucket (PHI: Spark temp files).
                const phi = stack === "prod" ? ["assets", "curated", "import", "landing", "raw", "results"] : ["curated", "import", "landing", "raw", "results"];
                assert.deepStrictEqual([...new Set(macie)].sort(), phi.map((z) => `data-lake-${z}-bucket`), "Macie is asked for exactly the PHI buckets");
                assert.ok(ds.some((d) => d.policyName === RECORDER && /PHI-tagged resource\(s\) in us-east-1 \(s3\.Bucket "data-lake-landing-bucket"/.test(d.message)), "the recorder policy sees the PHI stores");
                if (stack === "prod") {
                    // Prod meets the advisory controls too (retention, deletion protection, backups).
                    assert.deepStrictEqual(show(ds.filter((d) => d.policyName !== CROSS_AREA && d.policyName !== RECORDER)), []);
                }
            });
        }
    }
});
