/**
 * Finds, in the generated `@pulumi/aws` SDK the project installs, every resource type that stores data or takes an
 * encryption or KMS input, so the pack's coverage is decided by construction rather than from memory (issue 13).
 *
 * Source of truth: each generated resource module declares its type token (`static __pulumiType = 'aws:…'` in the .js)
 * and its arguments (`interface <Name>Args` in the .d.ts). Nested argument types (`inputs.msk.ClusterEncryptionInfo`)
 * live in `types/input.d.ts`; they are followed a few levels deep, so an input such as
 * `encryptionInfo.encryptionAtRestKmsKeyArn` or `rootBlockDevice.kmsKeyId` is found where it is declared.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** A resource type the scan selected, with the argument paths that made it a candidate. */
export interface Candidate {
    type: string;
    /** Encryption / KMS argument paths (`encryptionInfo.encryptionAtRestKmsKeyArn`), sorted. */
    paths: string[];
    /** True when the type is selected because it is a known data store (it may have no encryption argument at all). */
    knownDataStore: boolean;
}

/** Argument names that carry an encryption or key choice. */
const ENCRYPTION_ARG = /kms|encrypt|^sse|sseSpecification|customerManagedKey|cmk/i;
/**
 * Argument names that match the pattern above but choose no key for stored data: encryption in transit (TLS, VPN
 * and MACsec algorithms, inter-container traffic), encryption contexts, key-reuse periods, field-level encryption
 * of CloudFront requests, DAX endpoint TLS, and `encrypt` key usages of payment keys.
 */
const NOT_AN_ENCRYPTION_ARG =
    /transit|nodeToNode|interContainerTraffic|Phase\dEncryptionAlgorithms|encryptionContext|EncryptionContext|kmsDataKeyReusePeriod|fieldLevelEncryption|encryptionAlgorithm|encryptPassword|encryptionSupport|requireEncryption|^encrypt$|SecurityDbEncryption|securityDbEncryption|kmsKeyProviderUri|kmsKeysToGrants|kmsAccess|kmsPolicyDocument|endpointEncryptionType/i;

/**
 * Types that hold customer data whether or not the SDK exposes an encryption argument for them (AWS then always
 * encrypts with its own key, or not at all): found by service knowledge, not by argument name.
 */
export const KNOWN_DATA_STORES: readonly string[] = [
    "aws:cognito/userPool:UserPool",
    "aws:glacier/vault:Vault",
    "aws:lightsail/database:Database",
    "aws:lightsail/disk:Disk",
    "aws:msk/serverlessCluster:ServerlessCluster",
    "aws:timestreaminfluxdb/dbInstance:DbInstance",
    "aws:ebs/snapshot:Snapshot",
    "aws:rds/snapshot:Snapshot",
    "aws:rds/clusterSnapshot:ClusterSnapshot",
    "aws:docdb/globalCluster:GlobalCluster",
    "aws:neptune/globalCluster:GlobalCluster",
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
    "aws:dynamodb/globalTable:GlobalTable",
    "aws:kinesisanalyticsv2/application:Application",
    "aws:opensearch/serverlessCollection:ServerlessCollection",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:s3/directoryBucket:DirectoryBucket",
    "aws:ssm/parameter:Parameter",
];

type Interfaces = Map<string, ts.InterfaceDeclaration>;

/** Every `interface` of a declaration file by its namespace-qualified name (`msk.ClusterEncryptionInfo`). */
function interfacesOf(file: string): Interfaces {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const out: Interfaces = new Map();
    const visit = (node: ts.Node, prefix: string) => {
        if (ts.isModuleDeclaration(node) && node.body) {
            const name = prefix + node.name.getText(sf);
            const body = node.body;
            if (ts.isModuleBlock(body)) {
                body.statements.forEach((s) => visit(s, `${name}.`));
            } else if (ts.isModuleDeclaration(body)) {
                visit(body, `${name}.`);
            }
        } else if (ts.isInterfaceDeclaration(node)) {
            out.set(prefix + node.name.text, node);
        }
    };
    sf.statements.forEach((s) => visit(s, ""));
    return out;
}

const INPUT_REF = /inputs\.([A-Za-z0-9_.]+)/g;

/** Encryption argument paths of `iface`, following nested input types up to `depth` levels. */
function encryptionPaths(iface: ts.InterfaceDeclaration, inputs: Interfaces, depth: number, seen: Set<string>): string[] {
    const out: string[] = [];
    for (const m of iface.members) {
        if (!ts.isPropertySignature(m) || !m.name) {
            continue;
        }
        const name = (m.name as ts.Identifier).text ?? m.name.getText();
        if (NOT_AN_ENCRYPTION_ARG.test(name)) {
            continue;
        }
        const matches = ENCRYPTION_ARG.test(name);
        const inner: string[] = [];
        if (depth > 0 && m.type) {
            const typeText = m.type.getText(iface.getSourceFile());
            for (const ref of typeText.matchAll(INPUT_REF)) {
                const nested = inputs.get(ref[1]);
                if (nested && !seen.has(ref[1])) {
                    inner.push(...encryptionPaths(nested, inputs, depth - 1, new Set([...seen, ref[1]])).map((p) => `${name}.${p}`));
                }
            }
        }
        // A matching block (`encryptionInfo`) is named by the arguments inside it that choose the key, when it has any.
        if (inner.length > 0) {
            out.push(...inner);
        } else if (matches) {
            out.push(name);
        }
    }
    return [...new Set(out)].sort();
}

/** The root of the installed `@pulumi/aws`. */
export function awsSdkRoot(from: string = process.cwd()): string {
    return path.dirname(require.resolve("@pulumi/aws/package.json", { paths: [from, __dirname] }));
}

/** Scans the SDK and returns every candidate type, sorted by token. */
export function scanAwsSdk(root: string = awsSdkRoot()): Candidate[] {
    const inputsFile = path.join(root, "types", "input.d.ts");
    const inputs = interfacesOf(inputsFile);
    const known = new Set(KNOWN_DATA_STORES);
    const out: Candidate[] = [];
    for (const dir of fs.readdirSync(root, { withFileTypes: true })) {
        if (!dir.isDirectory() || dir.name === "types" || dir.name === "node_modules" || dir.name === "config") {
            continue;
        }
        const folder = path.join(root, dir.name);
        for (const f of fs.readdirSync(folder)) {
            if (!f.endsWith(".js")) {
                continue;
            }
            const js = fs.readFileSync(path.join(folder, f), "utf8");
            const token = /static __pulumiType = '([^']+)'/.exec(js)?.[1];
            if (!token || !token.startsWith("aws:")) {
                continue;
            }
            const dts = path.join(folder, f.replace(/\.js$/, ".d.ts"));
            const className = token.slice(token.lastIndexOf(":") + 1);
            let paths: string[] = [];
            if (fs.existsSync(dts)) {
                const args = interfacesOf(dts).get(`${className}Args`);
                paths = args ? encryptionPaths(args, inputs, 3, new Set()) : [];
            }
            if (paths.length > 0 || known.has(token)) {
                out.push({ type: token, paths, knownDataStore: known.has(token) });
            }
        }
    }
    return out.sort((a, b) => a.type.localeCompare(b.type));
}
