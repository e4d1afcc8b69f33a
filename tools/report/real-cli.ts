/**
 * `npm run report -- --real-cli`: the same stack judged by the real Pulumi CLI as well, `pulumi preview --policy-pack
 * policy-pack` through the real-engine lane (tools/engine/lane.ts: a throw-away file backend, the test providers, the
 * committed stack file with its secrets re-encrypted for the lane). The offline engine stands in for the CLI in every PR
 * check; this is how a report shows that the two agree, and fails loudly where they do not.
 *
 * A preview only: the lane's `up` would take minutes and adds no policy verdict (the pack judges the same inputs).
 */
import * as path from "path";
import { CliLocation, EngineProject, locateCli, POLICY_PACK_DIR, tail, violations } from "../engine/lane";
import type { CliJudgement } from "./evidence";

/**
 * The CLI at the lockfile's version, or an error naming tools/pulumi-cli/install.sh (locateCli's reason says whether
 * to run it or to install Go first). Never builds: a report should not start a minutes-long Go build unasked.
 */
export function requireCli(location: CliLocation = locateCli()): { dir: string; version: string } {
    if (!location.ok) throw new Error(`--real-cli needs the Pulumi CLI at the lockfile's version: ${location.reason}`);
    return location;
}

export interface RealCliOptions {
    stack: string;
    /** Keys the operators set with `pulumi config set --secret` and no stack file commits (as the report's `--secret`). */
    secrets?: string[];
    policyPackConfigPath?: string;
}

/**
 * Runs `pulumi version` and `pulumi preview --policy-pack policy-pack` on the stack. A non-zero exit without a mandatory
 * violation is the program or the pack failing, not a verdict: it throws with the end of the CLI's output.
 */
export async function judgeWithCli(options: RealCliOptions, cli: { dir: string }, log: (line: string) => void = () => undefined): Promise<CliJudgement> {
    const project = await EngineProject.create({ program: "platform", stack: options.stack, cli, secrets: options.secrets ?? [] });
    try {
        const version = (await project.pulumiOk(["version"])).stdout.trim().replace(/^v/, "");
        log(`[real-cli] pulumi v${version}: preview --policy-pack of stack ${options.stack}`);
        const r = await project.preview(["--policy-pack", POLICY_PACK_DIR, ...(options.policyPackConfigPath ? ["--policy-pack-config", path.resolve(options.policyPackConfigPath)] : [])]);
        const findings = violations(r);
        if (r.code !== 0 && !findings.some((v) => v.enforcementLevel === "mandatory")) {
            throw new Error(`--real-cli: pulumi preview --policy-pack of stack ${options.stack} exited ${r.code} without a mandatory violation (the program or the pack failed):\n${tail(r)}`);
        }
        log(`[real-cli] exit ${r.code}; ${findings.length} finding(s) in ${(r.ms / 1000).toFixed(1)}s`);
        return { version, exitCode: r.code, findings };
    } finally {
        project.dispose();
    }
}
