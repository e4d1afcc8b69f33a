/**
 * Paths and lookups shared by the offline engine specs. The fixtures are real programs, stack files and a real
 * policy pack; nothing here fabricates a result.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RecordedResource, Recording } from "../../../tools/offline/recorder";

export const FIXTURES = path.join(__dirname, "fixtures");
export const TOY_PROJECT = path.join(FIXTURES, "toy-project");
export const TOY_PACK = path.join(FIXTURES, "toy-pack");
export const BROKEN_PACK = path.join(FIXTURES, "broken-pack");
export const REPO = path.resolve(__dirname, "..", "..", "..");

/** The wire protocol's marker for a value unknown during preview. */
export { UNKNOWN, SIG_KEY as SECRET_SIG_KEY } from "../../../tools/offline/wire";

/** URN of a toy-project resource as the engine builds it: `urnOf("test", "toy:storage:Vault$aws:s3/bucket:Bucket", "vault-bucket")`. */
export function urnOf(stack: string, qualifiedType: string, name: string): string {
    return `urn:pulumi:${stack}::toy-offline::${qualifiedType}::${name}`;
}

export function resource(rec: Recording, type: string, name: string): RecordedResource {
    const found = rec.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${found.length}: ${rec.resources.map((r) => `${r.type}::${r.name}`).join(", ")}`);
    }
    return found[0];
}

/** A scratch directory removed by the caller. */
export function scratchDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `offline-${prefix}-`));
}

/** Writes files (relative path -> content) into `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
}
