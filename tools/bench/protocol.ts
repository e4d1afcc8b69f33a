/**
 * Protocol benchmark (issue 13, item 3): the pack as the Pulumi CLI meets it. Both the pack and a no-op pack are
 * served by the SDK's real `run-policy-pack` gRPC server (spawned, handshaken and configured by
 * tools/offline/analyzer.ts, as `pulumi preview --policy-pack` does), then every resource of a synthetic compliant
 * stack goes through Remediate and Analyze and the whole stack through one AnalyzeStack, in the same run for both
 * packs. Per size it prints µs/resource (wall time as the CLI waits for it, and the pack process's CPU time), the
 * ratio to the no-op pack, the AnalyzeStack reply size and the 30k/1k growth. It prints and asserts nothing.
 *
 *   npm run bench:protocol                        # 1k, 10k, 30k
 *   npm run bench:protocol -- --sizes 1000,5000   # other sizes
 *   npm run bench:protocol -- --up                # key ARNs known (an update) instead of unknown (a preview)
 *   npm run bench:protocol -- --repeat 1          # one run per pack and size instead of the least of three
 *   npm run bench:protocol -- --shape-baseline    # also a no-op pack with as many resource and stack policies as the
 *                                                 # pack: the SDK's cost of the policy count alone
 */
import * as fs from "fs";
import * as path from "path";
import { AnalyzerResourceInput, AnalyzerSession } from "../offline/analyzer";
import { AnalyzedResource } from "./analyzer";
import { SDK_DESERIALISE_ENV } from "../../policy-pack/lib/deserialise-once";
import { syntheticStack } from "./policy-pack";
import { policies as packPolicies } from "../../policy-pack/policies";
import { sizesFrom } from "./args";

const PACK_DIR = path.resolve(__dirname, "../../policy-pack");
const NOOP_DIR = path.resolve(__dirname, "noop-pack");

/** The engine's view of a synthetic resource: inputs for Analyze, the same values as state for AnalyzeStack. */
function engineInput(r: AnalyzedResource): AnalyzerResourceInput {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: true,
        inputs: r.props as AnalyzerResourceInput["inputs"],
        state: r.props as AnalyzerResourceInput["state"],
        parent: r.parent,
        dependencies: r.dependencies ?? [],
        propertyDependencies: r.propertyDependencies ?? {},
        provider: r.provider ? `${r.provider.urn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9` : undefined,
        options: { protect: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [], aliases: [] },
    };
}

/** CPU time (user + system) of a process, in ms, from /proc (the pack runs in its own process). */
function processCpuMs(pid: number | undefined): number {
    if (pid === undefined) {
        return NaN;
    }
    try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted from the state field (3).
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
        return NaN;
    }
}

interface Run {
    wallMs: number;
    packCpuMs: number;
    diagnostics: number;
    mandatory: number;
    notApplicable: number;
    stackReplyBytes: number;
}

async function run(session: AnalyzerSession, resources: AnalyzerResourceInput[]): Promise<Run> {
    const cpu0 = processCpuMs(session.pid);
    const t0 = process.hrtime.bigint();
    const result = await session.evaluate(resources);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    return {
        wallMs,
        packCpuMs: processCpuMs(session.pid) - cpu0,
        diagnostics: result.diagnostics.length,
        mandatory: result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
        notApplicable: result.notApplicable.length,
        stackReplyBytes: result.stackReplyBytes,
    };
}

async function serve(dir: string, stack: string): Promise<AnalyzerSession> {
    const session = await AnalyzerSession.start({ packDir: dir, stack: { stack, project: "bench", dryRun: true }, callTimeoutMs: 600_000 });
    await session.configure();
    return session;
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const kib = (bytes: number) => `${fmt(bytes / 1024)} KiB`;

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const sizes = sizesFrom(argv, "1000,10000,30000");
    const preview = !argv.includes("--up");
    const sdkBaseline = argv.includes("--sdk-baseline");
    const shapeBaseline = argv.includes("--shape-baseline");
    const repeat = argv.includes("--repeat") ? Number(argv[argv.indexOf("--repeat") + 1]) : 3;
    if (!Number.isInteger(repeat) || repeat < 1) {
        throw new Error(`--repeat must be a positive integer; got "${argv[argv.indexOf("--repeat") + 1]}"`);
    }
    console.log(
        `policy pack protocol benchmark: pack and no-op pack served by run-policy-pack, Remediate + Analyze per resource and one AnalyzeStack; ` +
            `synthetic compliant stacks, ${preview ? "preview (key ARNs and generated names unknown)" : "up (all values known)"}; node ${process.version}`,
    );
    const pack = await serve(PACK_DIR, "bench");
    let noop: AnalyzerSession;
    // --sdk-baseline: the same pack a second time, with the SDK deserialising per policy as shipped
    // (policy-pack/lib/deserialise-once.ts switched off), so its gain is measured in the same run.
    let shipped: AnalyzerSession | undefined;
    // --shape-baseline: the no-op pack again, with as many do-nothing resource and stack policies as the pack has.
    let shape: AnalyzerSession | undefined;
    try {
        noop = await serve(NOOP_DIR, "bench");
        if (shapeBaseline) {
            const resourceCount = packPolicies.filter((p) => "validateResource" in p).length;
            const stackCount = packPolicies.filter((p) => "validateStack" in p).length;
            process.env.BENCH_NOOP_SHAPE = `${resourceCount},${stackCount}`;
            try {
                shape = await serve(NOOP_DIR, "bench");
            } finally {
                delete process.env.BENCH_NOOP_SHAPE;
            }
        }
        if (sdkBaseline) {
            process.env[SDK_DESERIALISE_ENV] = "per-policy";
            try {
                shipped = await serve(PACK_DIR, "bench");
            } finally {
                delete process.env[SDK_DESERIALISE_ENV];
            }
        }
    } catch (err) {
        await pack.close();
        throw err;
    }
    try {
        console.log(`pack: ${pack.info.policies.length} policies; no-op pack: ${noop.info.policies.length} policies`);
        // Warm-up: the first calls pay for JIT compilation and lazy loading in both processes.
        const warm = syntheticStack(500, preview, { compliant: true }).map(engineInput);
        await run(noop, warm);
        await run(pack, warm);
        if (shipped) {
            await run(shipped, warm);
        }
        if (shape) {
            await run(shape, warm);
        }

        const header = ["resources", "pack µs/res", "no-op µs/res", "wall ratio", "pack cpu µs/res", "no-op cpu µs/res", "cpu ratio", "stack reply", "mandatory", "diagnostics", "not-applicable"];
        if (shipped) {
            header.push("as-shipped cpu µs/res", "as-shipped cpu ratio", "as-shipped wall ratio");
        }
        if (shape) {
            header.push("shape cpu ratio", "shape wall ratio", "pack/shape cpu");
        }
        const rows: { size: number; pack: Run; noop: Run }[] = [];
        const table: string[][] = [];
        const widths = header.map((h) => Math.max(h.length, 10));
        const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
        console.log(line(header));
        for (const size of sizes) {
            const resources = syntheticStack(size, preview, { compliant: true }).map(engineInput);
            // Alternate the order (no-op, pack, pack, no-op, ...) so neither pack always runs on a warmer or busier machine.
            const packRuns: Run[] = [];
            const noopRuns: Run[] = [];
            const shippedRuns: Run[] = [];
            const shapeRuns: Run[] = [];
            for (let i = 0; i < repeat; i++) {
                const order: [AnalyzerSession, Run[]][] = i % 2 === 0 ? [[noop, noopRuns], [pack, packRuns]] : [[pack, packRuns], [noop, noopRuns]];
                if (shipped) {
                    order.splice(1, 0, [shipped, shippedRuns]);
                }
                if (shape) {
                    order.splice(1, 0, [shape, shapeRuns]);
                }
                for (const [session, runs] of order) {
                    runs.push(await run(session, resources));
                }
            }
            // The least time of the runs, wall and CPU each: noise on a shared machine only ever adds time (a
            // neighbour's steal, a GC that lands in one run), so the minimum is the steadiest estimate of the cost.
            const best = (runs: Run[]): Run => ({
                ...runs[0],
                wallMs: Math.min(...runs.map((r) => r.wallMs)),
                packCpuMs: Math.min(...runs.map((r) => r.packCpuMs)),
            });
            const p = best(packRuns);
            const n = best(noopRuns);
            rows.push({ size, pack: p, noop: n });
            table.push([
                String(size),
                fmt((p.wallMs * 1000) / size),
                fmt((n.wallMs * 1000) / size),
                `${fmt(p.wallMs / n.wallMs, 2)}x`,
                fmt((p.packCpuMs * 1000) / size),
                fmt((n.packCpuMs * 1000) / size),
                `${fmt(p.packCpuMs / n.packCpuMs, 2)}x`,
                kib(p.stackReplyBytes),
                String(p.mandatory),
                String(p.diagnostics),
                String(p.notApplicable),
            ]);
            if (shipped) {
                const b = best(shippedRuns);
                table[table.length - 1].push(fmt((b.packCpuMs * 1000) / size), `${fmt(b.packCpuMs / n.packCpuMs, 2)}x`, `${fmt(b.wallMs / n.wallMs, 2)}x`);
            }
            if (shape) {
                const b = best(shapeRuns);
                table[table.length - 1].push(`${fmt(b.packCpuMs / n.packCpuMs, 2)}x`, `${fmt(b.wallMs / n.wallMs, 2)}x`, `${fmt(p.packCpuMs / b.packCpuMs, 2)}x`);
            }
            // Printed as each size completes: a 30k run on a busy machine takes minutes.
            console.log(line(table[table.length - 1]));
        }
        const small = rows.find((r) => r.size === Math.min(...sizes));
        const large = rows.find((r) => r.size === Math.max(...sizes));
        if (small && large && small !== large) {
            const linear = large.size / small.size;
            console.log(
                `growth ${large.size}/${small.size} (linear = ${fmt(linear, 2)}x): pack wall ${fmt(large.pack.wallMs / small.pack.wallMs, 2)}x, ` +
                    `no-op wall ${fmt(large.noop.wallMs / small.noop.wallMs, 2)}x; pack cpu ${fmt(large.pack.packCpuMs / small.pack.packCpuMs, 2)}x`,
            );
        }
        console.log(`wall = time the client waits (as the CLI does); cpu = CPU time of the policy-pack process itself; each the least of ${repeat} run(s) per pack, in alternating order.`);
    } finally {
        await pack.close();
        await noop.close();
        await shipped?.close();
        await shape?.close();
    }
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(err);
        process.exitCode = 1;
    });
}
