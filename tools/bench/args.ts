/**
 * Command-line arguments the benchmarks share (`npm run bench`, `npm run bench:protocol`).
 */

/** `--sizes a,b,c` (stack sizes in resources), or `fallback`; each an integer of at least 20. */
export function sizesFrom(argv: readonly string[], fallback: string): number[] {
    const sizesArg = argv.includes("--sizes") ? argv[argv.indexOf("--sizes") + 1] : fallback;
    const sizes = (sizesArg ?? "").split(",").map((s) => Number(s.trim()));
    if (sizes.some((n) => !Number.isInteger(n) || n < 20)) {
        throw new Error(`--sizes must be a comma-separated list of integers of at least 20; got "${sizesArg}"`);
    }
    return sizes;
}
