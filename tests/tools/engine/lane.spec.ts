/**
 * The real-engine lane (tools/engine/lane.ts) in `npm test`: the platform program's dev and prod stacks, and the
 * insecure sample program, run by the real Pulumi CLI (built by tools/pulumi-cli/install.sh at the lockfile's
 * version) with the policy pack loaded by the CLI itself and the test providers of tools/engine/providers.
 *
 * Skipped, with the reason printed, only where no CLI can be had (no Go toolchain and no `pulumi` at the right
 * version on PATH). With CI=true the CLI is built when missing and a missing CLI is a failure, never a skip.
 * Durations are printed (preview with and without the pack), never asserted.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { AnalyzerSession } from "../../../tools/offline/analyzer";
import {
    changeCounts,
    EngineProject,
    generatedPasswords,
    leafStrings,
    locateCli,
    POLICY_PACK_DIR,
    protectedUrns,
    PulumiResult,
    secretPlaintexts,
    violations,
} from "../../../tools/engine/lane";

const CI = process.env.CI === "true";
const cli = locateCli({ build: CI });

function skipWithoutCli(ctx: Mocha.Context): void {
    if (cli.ok) {
        return;
    }
    if (CI) {
        throw new Error(`CI=true and no Pulumi CLI could be had: ${cli.reason}`);
    }
    process.stdout.write(`      skipped: ${cli.reason}\n`);
    ctx.skip();
}

function output(r: PulumiResult, lines = 60): string {
    return (r.stdout + r.stderr).trim().split("\n").slice(-lines).join("\n");
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

for (const stack of ["dev", "prod"]) {
    describe(`real engine: the ${stack} stack through the Pulumi CLI`, function () {
        this.timeout(1_800_000);
        let p: EngineProject | undefined;
        let upDone = false;
        const timings: Record<string, number> = {};

        before(async function () {
            skipWithoutCli(this);
            if (!cli.ok) return;
            p = await EngineProject.create({ program: "platform", stack, cli });
        });

        after(() => {
            if (Object.keys(timings).length > 0) {
                process.stdout.write(`      ${stack} timings: ${Object.entries(timings).map(([k, v]) => `${k} ${seconds(v)}`).join(", ")}\n`);
                if (timings["preview"] && timings["preview --policy-pack"]) {
                    process.stdout.write(`      ${stack}: preview with the pack takes ${(timings["preview --policy-pack"] / timings["preview"]).toFixed(2)}x the preview without it\n`);
                }
            }
            p?.dispose();
        });

        it("pulumi preview --policy-pack policy-pack: exits 0 with no mandatory violation", async () => {
            const project = p as EngineProject;
            const bare = await project.preview();
            timings["preview"] = bare.ms;
            assert.strictEqual(bare.code, 0, `pulumi preview (no pack) failed:\n${output(bare)}`);
            const r = await project.preview(["--policy-pack", POLICY_PACK_DIR]);
            timings["preview --policy-pack"] = r.ms;
            const mandatory = violations(r).filter((v) => v.enforcementLevel === "mandatory");
            assert.deepStrictEqual(
                mandatory.map((v) => `${v.policyName} ${v.urn ?? "(stack)"}`),
                [],
                `mandatory violations:\n${mandatory.map((v) => `${v.policyName} ${v.urn}: ${v.message}`).join("\n")}`,
            );
            assert.strictEqual(r.code, 0, `pulumi preview --policy-pack failed:\n${output(r)}`);
            // The pack really ran: the CLI reports the resources it analysed.
            assert.ok(r.events.some((e) => "policyAnalyzeSummaryEvent" in e), "no policy analysis event: the pack did not run");
            assert.ok((changeCounts(r).create ?? 0) > 50, `expected the whole platform to be planned, got ${JSON.stringify(changeCounts(r))}`);
        });

        it("pulumi up --yes --policy-pack policy-pack: deploys every resource", async () => {
            const project = p as EngineProject;
            const r = await project.pulumi(["up", "--yes", "--color", "never", "--suppress-progress", "--policy-pack", POLICY_PACK_DIR], { events: true });
            timings["up --policy-pack"] = r.ms;
            assert.strictEqual(r.code, 0, `pulumi up failed:\n${output(r)}`);
            const state = await project.exportState();
            assert.ok((state.deployment.resources ?? []).length > 50, "the state holds the deployed platform");
            upDone = true;
        });

        it("pulumi preview --expect-no-changes: the program is deterministic", async () => {
            assert.ok(upDone, "not run: pulumi up failed");
            const r = await (p as EngineProject).pulumi(["preview", "--expect-no-changes", "--color", "never", "--suppress-progress"], { events: true });
            timings["preview --expect-no-changes"] = r.ms;
            const changed = Object.entries(changeCounts(r)).filter(([op]) => op !== "same");
            assert.strictEqual(r.code, 0, `changes after up: ${JSON.stringify(Object.fromEntries(changed))}\n${output(r)}`);
        });

        it("pulumi stack export: no configured secret and no generated password in plain text", async () => {
            assert.ok(upDone, "not run: pulumi up failed");
            const project = p as EngineProject;
            const raw = JSON.stringify(await project.exportState());
            const decrypted = await project.exportState(true);
            const configured = Object.values(project.secretValues);
            const passwords = generatedPasswords(decrypted);
            const secrets = secretPlaintexts(decrypted).flatMap(leafStrings);
            // The check is not vacuous: the decrypted state does hold these values, and each is a secret there.
            if (stack === "prod") {
                assert.ok(configured.length > 0, "prod has an encrypted config value (onPremDbPassword) to look for");
            }
            for (const v of configured) {
                assert.ok(JSON.stringify(decrypted).includes(v), `the configured secret ${v} reaches the state (the ETL connection), else the check proves nothing`);
            }
            assert.ok(passwords.length > 0, "the cache's generated password is in the decrypted state");
            for (const v of [...configured, ...passwords]) {
                assert.ok(secrets.some((s) => s.includes(v)), `${v} is stored as a secret`);
                assert.ok(!raw.includes(v), `a secret appears in plain text in 'pulumi stack export': ${v}`);
            }
            process.stdout.write(`      ${stack}: ${configured.length} configured secret(s), ${passwords.length} generated password(s), ${secrets.length} secret strings; none in plain text\n`);
        });

        if (stack === "prod") {
            it("pulumi destroy --yes refuses the protected resources and names them", async () => {
                assert.ok(upDone, "not run: pulumi up failed");
                const project = p as EngineProject;
                const protectedBefore = protectedUrns(await project.exportState());
                assert.ok(protectedBefore.length > 0, "prod protects its stateful resources");
                const r = await project.pulumi(["destroy", "--yes", "--color", "never", "--suppress-progress"], { events: true });
                timings["destroy"] = r.ms;
                const text = r.stdout + r.stderr;
                assert.notStrictEqual(r.code, 0, `pulumi destroy succeeded on a protected stack:\n${output(r)}`);
                const refused = [...text.matchAll(/resource "(urn:pulumi:[^"]+)" cannot be deleted\s+because it is protected/g)].map((m) => m[1]);
                assert.ok(refused.length > 0, `no protected-resource refusal in the output:\n${output(r)}`);
                for (const urn of refused) {
                    assert.ok(protectedBefore.includes(urn), `refused ${urn}, which is not protected`);
                }
                const kept = protectedUrns(await project.exportState());
                assert.deepStrictEqual(
                    protectedBefore.filter((u) => !kept.includes(u)),
                    [],
                    "every protected resource is still in the state",
                );
                process.stdout.write(`      prod destroy: ${protectedBefore.length} protected resources kept, ${new Set(refused).size} named in the refusal\n`);
            });
        }
    });
}

describe("real engine: the insecure sample program is refused by the pack", function () {
    this.timeout(900_000);
    let p: EngineProject | undefined;
    let mandatoryPolicies: string[] = [];

    before(async function () {
        skipWithoutCli(this);
        if (!cli.ok) return;
        // The pack's own answer to GetAnalyzerInfo says which policies are mandatory.
        const session = await AnalyzerSession.start({ packDir: POLICY_PACK_DIR });
        try {
            mandatoryPolicies = session.info.policies.filter((x) => x.enforcementLevel === "mandatory").map((x) => x.name).sort();
        } finally {
            await session.close();
        }
        p = await EngineProject.create({ program: "insecure", stack: "test", cli });
    });

    after(() => p?.dispose());

    it("pulumi preview --policy-pack exits non-zero and names every mandatory policy", async () => {
        assert.ok(mandatoryPolicies.length > 0);
        const r = await (p as EngineProject).preview(["--policy-pack", POLICY_PACK_DIR]);
        assert.notStrictEqual(r.code, 0, `the insecure sample passed:\n${output(r)}`);
        const reported = new Set(violations(r).filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policyName));
        assert.deepStrictEqual(mandatoryPolicies.filter((name) => !reported.has(name)), [], "mandatory policies the CLI did not report");
        // And the human output a reviewer reads lists each one as a mandatory finding.
        for (const name of mandatoryPolicies) {
            assert.match(r.stdout, new RegExp(`- \\[mandatory\\][^\\n]*\\s${name}\\s`), `the CLI's output lists ${name} as mandatory`);
        }
        process.stdout.write(`      insecure sample: ${reported.size}/${mandatoryPolicies.length} mandatory policies reported (${seconds(r.ms)})\n`);
    });

    it("--policy-pack-config <file>: a policy set to advisory is reported as advisory, the others stay mandatory", async () => {
        const project = p as EngineProject;
        const [demoted, ...rest] = mandatoryPolicies;
        const file = path.join(project.root, "policy-config.json");
        fs.writeFileSync(file, JSON.stringify({ [demoted]: { enforcementLevel: "advisory" } }, null, 2));
        const r = await project.preview(["--policy-pack", POLICY_PACK_DIR, "--policy-pack-config", file]);
        const v = violations(r);
        assert.ok(v.some((x) => x.policyName === demoted && x.enforcementLevel === "advisory"), `${demoted} reported as advisory`);
        assert.ok(!v.some((x) => x.policyName === demoted && x.enforcementLevel === "mandatory"), `${demoted} no longer mandatory`);
        const stillMandatory = new Set(v.filter((x) => x.enforcementLevel === "mandatory").map((x) => x.policyName));
        assert.deepStrictEqual(rest.filter((n) => !stillMandatory.has(n)), [], "the other mandatory policies");
        assert.notStrictEqual(r.code, 0, "other mandatory violations still fail the preview");
    });
});
