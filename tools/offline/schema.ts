/**
 * Which properties a provider resource type has, read from the generated SDK the program itself uses.
 *
 * The offline engine has no provider plugin to ask for a schema, but every generated Pulumi SDK constructor
 * lists the type's state properties (`resourceInputs["arn"] = state?.arn`), its inputs
 * (`resourceInputs["bucket"] = args?.bucket`) and its computed-only outputs
 * (`resourceInputs["arn"] = undefined /*out*\/`). That is enough to answer like the engine does: a
 * preview leaves exactly the computed outputs unknown, and `up` never invents a property (such as an
 * `arn` on a `BucketPolicy`) that the real provider would not return.
 */
import * as fs from "fs";
import * as path from "path";

export interface ResourceSchema {
    /** Every property of the resource's state (inputs and outputs). */
    state: Set<string>;
    /** Properties the program may set. */
    inputs: Set<string>;
    /** Properties only the provider computes (unknown in a preview of a new resource). */
    outputOnly: Set<string>;
}

const cache = new Map<string, ResourceSchema | undefined>();

/**
 * The generated module of a type token: `aws:s3/bucket:Bucket` -> `@pulumi/aws/s3/bucket.js`,
 * `aws:index/provider...` -> `@pulumi/aws/<name>.js`, `pulumi:providers:aws` -> `@pulumi/aws/provider.js`.
 * Tokens without a module path (remote components such as `awsx:ec2:Vpc`) have no generated constructor.
 */
function moduleOf(type: string): { pkg: string; file: string } | undefined {
    const [pkg, mod = "", name = ""] = type.split(":");
    if (pkg === "pulumi" && mod === "providers" && name) {
        return { pkg: name, file: "provider" };
    }
    const slash = mod.indexOf("/");
    if (!pkg || slash < 0) {
        return undefined;
    }
    const dir = mod.slice(0, slash);
    const base = mod.slice(slash + 1);
    return { pkg, file: dir === "index" ? base : `${dir}/${base}` };
}

function packageRoot(pkg: string, searchFrom: string[]): string | undefined {
    try {
        return path.dirname(require.resolve(`@pulumi/${pkg}/package.json`, { paths: searchFrom }));
    } catch {
        return undefined;
    }
}

/**
 * The schema of `type`, or `undefined` when the SDK that defines it cannot be found or read
 * (callers then fall back to their generic behaviour).
 */
export function resourceSchema(type: string, searchFrom: string[] = [process.cwd(), __dirname]): ResourceSchema | undefined {
    if (cache.has(type)) {
        return cache.get(type);
    }
    let schema: ResourceSchema | undefined;
    const mod = moduleOf(type);
    const root = mod ? packageRoot(mod.pkg, searchFrom) : undefined;
    if (mod && root) {
        const file = path.join(root, `${mod.file}.js`);
        if (fs.existsSync(file)) {
            schema = parseConstructor(fs.readFileSync(file, "utf8"));
        }
    }
    cache.set(type, schema);
    return schema;
}

/** Reads the property assignments of a generated constructor (see the module comment). */
export function parseConstructor(source: string): ResourceSchema | undefined {
    const state = new Set<string>();
    const inputs = new Set<string>();
    const outputOnly = new Set<string>();
    const assignment = /resourceInputs\["([A-Za-z0-9_$]+)"\]\s*=\s*([^;\n]*)/g;
    let m: RegExpExecArray | null;
    while ((m = assignment.exec(source)) !== null) {
        const [, prop, rhs] = m;
        if (/^state\b/.test(rhs)) {
            state.add(prop);
        } else if (/^undefined\s*\/\*out\*\//.test(rhs)) {
            outputOnly.add(prop);
        } else if (/\bargs\b/.test(rhs)) {
            inputs.add(prop);
        }
    }
    if (state.size === 0 && inputs.size === 0 && outputOnly.size === 0) {
        return undefined;
    }
    for (const p of [...inputs, ...outputOnly]) {
        state.add(p);
    }
    return { state, inputs, outputOnly };
}
