/**
 * Policy-pack benchmark (issue 3, item 8): runs the pack's policies over synthetic stacks of 1k, 10k and 50k
 * resources through the SDK's own analyzer handlers (per-resource Analyze calls, then one AnalyzeStack call, as
 * `pulumi preview` does), next to a no-op pack on the same requests. It prints figures and asserts nothing:
 * wall-clock limits do not belong in tests.
 *
 *   npm run bench                      # 1k, 10k, 50k
 *   npm run bench -- --sizes 1000,5000  # other sizes
 *   npm run bench -- --up               # key ARNs known (an update) instead of unknown (a preview)
 */
import { Policies } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { policies } from "../../policy-pack/policies";
import { AnalyzedResource, analyzeRequest, analyzerFor, analyzeStackRequest } from "./analyzer";
import { noopPolicies } from "./noop-pack/policies";
import { sizesFrom } from "./args";

const PROJECT = "bench";
const urn = (type: string, name: string) => `urn:pulumi:${PROJECT}::${PROJECT}::${type}::${name}`;

/**
 * A deterministic stack of about `size` resources: per unit a KMS key, an S3 bucket with its split side resources
 * joined through property dependencies, an RDS instance with its parameter group, a DynamoDB table, a log group,
 * an IAM role with an inline policy, a queue, a topic and a function. Every tenth unit is insecure, and the
 * buckets lack some S3 side resources (ownership controls, logging, Macie), so the reporting paths of both the
 * encryption/control and the S3 policies are exercised. `preview` leaves key ARNs and generated names unknown.
 * `compliant` (the protocol bench, tools/bench/protocol.ts) makes every unit secure and adds what the S3 policies ask
 * for (TLS-version deny, ownership controls, one CloudTrail data-event trail, Macie with a scheduled PHI job), so the
 * pack reports nothing and the cost measured is the cost of judging, as on a team's green stack.
 */
export function syntheticStack(size: number, preview: boolean, options: { compliant?: boolean } = {}): AnalyzedResource[] {
    const providerUrn = urn("pulumi:providers:aws", "default_7_48_0");
    const providerProps = { region: "us-east-1", defaultTags: JSON.stringify({ tags: { "data-classification": "phi", owner: "bench", environment: "dev" } }) };
    const provider = { type: "pulumi:providers:aws", name: "default_7_48_0", urn: providerUrn, props: providerProps };
    const out: AnalyzedResource[] = [{ type: provider.type, name: provider.name, urn: providerUrn, props: providerProps }];
    const add = (type: string, name: string, props: Record<string, unknown>, propertyDependencies?: Record<string, string[]>): string => {
        const u = urn(type, name);
        const deps = Object.values(propertyDependencies ?? {}).flat();
        out.push({ type, name, urn: u, props, provider, dependencies: deps, propertyDependencies });
        return u;
    };
    if (options.compliant) {
        // Stack-wide controls a compliant stack has once: CloudTrail data events for every object, Macie with a
        // scheduled job selecting the PHI tag.
        const trailKey = add("aws:kms/key:Key", "trail-key", { description: "bench trail", enableKeyRotation: true, policy: preview ? unknownValue : "{}" });
        const trailLogs = add("aws:cloudwatch/logGroup:LogGroup", "trail-logs", { retentionInDays: 365, kmsKeyId: preview ? unknownValue : "arn:aws:kms:us-east-1:111122223333:key/trail" }, { kmsKeyId: [trailKey] });
        add("aws:cloudtrail/trail:Trail", "trail", {
            s3BucketName: "bench-trail-111122223333",
            kmsKeyId: preview ? unknownValue : "arn:aws:kms:us-east-1:111122223333:key/trail",
            isMultiRegionTrail: true,
            enableLogFileValidation: true,
            includeGlobalServiceEvents: true,
            cloudWatchLogsGroupArn: preview ? unknownValue : "arn:aws:logs:us-east-1:111122223333:log-group:trail:*",
            cloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/trail",
            eventSelectors: [{ readWriteType: "All", includeManagementEvents: true, dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }],
        }, { kmsKeyId: [trailKey], cloudWatchLogsGroupArn: [trailLogs] });
        const macie = add("aws:macie2/account:Account", "macie", { status: "ENABLED", findingPublishingFrequency: "FIFTEEN_MINUTES" });
        add("aws:macie2/classificationJob:ClassificationJob", "phi-discovery", {
            jobType: "SCHEDULED",
            scheduleFrequency: { dailySchedule: true },
            s3JobDefinition: { bucketCriteria: { includes: { ands: [{ tagCriterion: { comparator: "EQ", tagValues: [{ key: "data-classification", value: "phi" }] } }] } } },
        }, { jobType: [macie] });
    }
    for (let i = 0; out.length < size; i++) {
        // Whole units only: a unit cut short at `size` would be a bucket without its policy or versioning, a finding
        // of the generator rather than of the stack. The last unit that does not fit is replaced by padding below.
        const unitStart = out.length;
        const insecure = !options.compliant && i % 10 === 9;
        const keyArn = preview ? unknownValue : `arn:aws:kms:us-east-1:111122223333:key/${String(i).padStart(8, "0")}-0000-0000-0000-000000000000`;
        const key = add("aws:kms/key:Key", `key-${i}`, { description: "bench", enableKeyRotation: !insecure, policy: preview ? unknownValue : "{}" });
        const bucketName = `bench-phi-${i}-111122223333-us-east-1`;
        const bucket = add("aws:s3/bucket:Bucket", `bucket-${i}`, { bucket: bucketName, tags: { "data-classification": "phi" } });
        const onBucket = { bucket: [bucket] };
        add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `bucket-${i}-sse`, {
            bucket: preview ? unknownValue : bucketName,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }],
        }, { bucket: [bucket], rules: [key] });
        add("aws:s3/bucketPolicy:BucketPolicy", `bucket-${i}-policy`, {
            bucket: bucketName,
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
                    ...(options.compliant
                        ? [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`], Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } }]
                        : []),
                ],
            }),
        }, onBucket);
        add("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `bucket-${i}-lifecycle`, {
            bucket: bucketName,
            rules: [{ id: "tiering", status: "Enabled", filter: {}, transitions: [{ days: 30, storageClass: "STANDARD_IA" }, { days: 180, storageClass: "GLACIER" }], noncurrentVersionExpiration: { noncurrentDays: 365 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
        }, onBucket);
        add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `bucket-${i}-pab`, { bucket: bucketName, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, onBucket);
        if (options.compliant) {
            add("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `bucket-${i}-ownership`, { bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } }, onBucket);
        }
        add("aws:s3/bucketVersioning:BucketVersioning", `bucket-${i}-versioning`, { bucket: bucketName, versioningConfiguration: { status: "Enabled" } }, onBucket);
        const pg = add("aws:rds/parameterGroup:ParameterGroup", `pg-${i}`, { name: preview ? unknownValue : `pg-${i}`, family: "postgres16", parameters: [{ name: "rds.force_ssl", value: insecure ? "0" : "1" }] });
        add("aws:rds/instance:Instance", `db-${i}`, {
            engine: "postgres",
            engineVersion: "16.3",
            instanceClass: "db.t4g.micro",
            storageEncrypted: !insecure,
            kmsKeyId: keyArn,
            parameterGroupName: preview ? unknownValue : `pg-${i}`,
            backupRetentionPeriod: 7,
            deletionProtection: true,
            publiclyAccessible: insecure,
        }, { parameterGroupName: [pg], kmsKeyId: [key] });
        add("aws:dynamodb/table:Table", `table-${i}`, {
            hashKey: "id",
            attributes: [{ name: "id", type: "S" }],
            serverSideEncryption: insecure ? undefined : { enabled: true, kmsKeyArn: keyArn },
            pointInTimeRecovery: { enabled: true },
            deletionProtectionEnabled: true,
        }, { serverSideEncryption: [key] });
        add("aws:cloudwatch/logGroup:LogGroup", `logs-${i}`, { retentionInDays: insecure ? 30 : 365, kmsKeyId: keyArn }, { kmsKeyId: [key] });
        const role = add("aws:iam/role:Role", `role-${i}`, { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) });
        add("aws:iam/rolePolicy:RolePolicy", `role-${i}-policy`, {
            role: preview ? unknownValue : `role-${i}`,
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: insecure ? "*" : ["s3:GetObject"], Resource: insecure ? "*" : `arn:aws:s3:::${bucketName}/*` }] }),
        }, { role: [role] });
        add("aws:sqs/queue:Queue", `queue-${i}`, { kmsMasterKeyId: keyArn }, { kmsMasterKeyId: [key] });
        add("aws:sns/topic:Topic", `topic-${i}`, { kmsMasterKeyId: insecure ? undefined : keyArn }, { kmsMasterKeyId: [key] });
        add("aws:lambda/function:Function", `fn-${i}`, { role: preview ? unknownValue : `arn:aws:iam::111122223333:role/role-${i}`, runtime: "nodejs20.x", environment: { variables: { TABLE: `table-${i}` } }, kmsKeyArn: keyArn }, { role: [role], kmsKeyArn: [key] });
        if (out.length > size && i > 0) {
            // Padding: encrypted log groups with a long retention (compliant, one resource each) up to `size`.
            out.length = unitStart;
            for (let k = 0; out.length < size; k++) {
                add("aws:cloudwatch/logGroup:LogGroup", `pad-${k}`, { retentionInDays: 365, kmsKeyId: preview ? unknownValue : "arn:aws:kms:us-east-1:111122223333:key/pad" }, { kmsKeyId: [urn("aws:kms/key:Key", "key-0")] });
            }
        }
    }
    // Drop JSON-undefined properties the way the engine's wire form does.
    return out.slice(0, size).map((r) => ({ ...r, props: JSON.parse(JSON.stringify(r.props)) as Record<string, unknown> }));
}

export { noopPolicies };

interface Phase {
    /** CPU time (user + system) in ms: less disturbed than wall time when other processes share the machine. */
    cpuMs: number;
    wallMs: number;
    diagnostics: number;
}

async function timed(fn: () => Promise<number>): Promise<Phase> {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const diagnostics = await fn();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, diagnostics };
}

/** Every resource through Analyze, one at a time, as the engine calls it during a preview. */
function perResource(policyList: Policies, requests: readonly analyzerpb.AnalyzeRequest[]): Promise<Phase> {
    const analyzer = analyzerFor(policyList);
    return timed(async () => {
        let n = 0;
        for (const req of requests) {
            n += (await analyzer.analyze(req)).getDiagnosticsList().length;
        }
        return n;
    });
}

/** The whole stack through AnalyzeStack, once. */
function wholeStack(policyList: Policies, request: analyzerpb.AnalyzeStackRequest): Promise<Phase> {
    const analyzer = analyzerFor(policyList);
    return timed(async () => (await analyzer.analyzeStack(request)).getDiagnosticsList().length);
}

interface Row {
    size: number;
    pack: { res: Phase; stack: Phase };
    noop: { res: Phase; stack: Phase };
    peakHeap: number;
}

async function measure(size: number, preview: boolean): Promise<Row> {
    let peakHeap = 0;
    const sample = () => {
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    };
    const resources = syntheticStack(size, preview);
    // The two phases are built and dropped one after the other to keep the 50k stack within the default heap.
    let requests: analyzerpb.AnalyzeRequest[] | undefined = resources.map(analyzeRequest);
    const noopRes = await perResource(noopPolicies, requests);
    const packRes = await perResource(policies, requests);
    sample();
    requests = undefined;
    let stack: analyzerpb.AnalyzeStackRequest | undefined = analyzeStackRequest(resources);
    const noopStack = await wholeStack(noopPolicies, stack);
    const packStack = await wholeStack(policies, stack);
    sample();
    stack = undefined;
    return { size, pack: { res: packRes, stack: packStack }, noop: { res: noopRes, stack: noopStack }, peakHeap };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const total = (r: { res: Phase; stack: Phase }) => r.res.cpuMs + r.stack.cpuMs;

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const sizes = sizesFrom(argv, "1000,10000,50000");
    const preview = !argv.includes("--up");
    const stackPolicies = policies.filter((p) => "validateStack" in p).length;
    console.log(
        `policy pack benchmark: ${policies.length} policies (${policies.length - stackPolicies} resource, ${stackPolicies} stack) vs a no-op pack (1 + 1), ` +
            `${preview ? "preview: key ARNs and generated names unknown" : "up: all values known"}; node ${process.version}`,
    );
    console.log("times are CPU time (user + system) through the SDK analyzer handlers; wall time is shown for the whole pack run");

    // Warm-up so the first measured size does not pay for JIT compilation.
    await measure(500, preview);

    const rows: Row[] = [];
    for (const size of sizes) {
        rows.push(await measure(size, preview));
    }

    const header = ["resources", "pack µs/res", "no-op µs/res", "ratio", "pack stack ms", "no-op stack ms", "stack ratio", "pack total µs/res", "total ratio", "pack wall s", "diagnostics", "peak heap"];
    const table = rows.map(({ size, pack, noop, peakHeap }) => [
        String(size),
        fmt((pack.res.cpuMs * 1000) / size),
        fmt((noop.res.cpuMs * 1000) / size),
        `${fmt(pack.res.cpuMs / noop.res.cpuMs, 2)}x`,
        fmt(pack.stack.cpuMs),
        fmt(noop.stack.cpuMs),
        `${fmt(pack.stack.cpuMs / noop.stack.cpuMs, 2)}x`,
        fmt((total(pack) * 1000) / size),
        `${fmt(total(pack) / total(noop), 2)}x`,
        fmt((pack.res.wallMs + pack.stack.wallMs) / 1000, 2),
        String(pack.res.diagnostics + pack.stack.diagnostics),
        mb(peakHeap),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    console.log(line(header));
    for (const r of table) {
        console.log(line(r));
    }

    const small = rows.find((r) => r.size === 1000);
    const large = rows.find((r) => r.size === 10000);
    if (small && large) {
        console.log(
            `growth 10k/1k (CPU time; linear = 10.00x): pack ${fmt(total(large.pack) / total(small.pack), 2)}x ` +
                `(per-resource ${fmt(large.pack.res.cpuMs / small.pack.res.cpuMs, 2)}x, stack policies ${fmt(large.pack.stack.cpuMs / small.pack.stack.cpuMs, 2)}x), ` +
                `no-op ${fmt(total(large.noop) / total(small.noop), 2)}x`,
        );
    }
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(err);
        process.exitCode = 1;
    });
}
