import * as assert from "assert";
import { AuditTrail, AuditTrailArgs } from "../../../components/security/audit";
import { PlatformConfig } from "../../../components/shared/config";
import { PlatformKeyRefs } from "../../../components/shared/refs";
import { DataLake } from "../../../components/storage/data-lake";
import { Mode, recordProgram, Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, ofType, one, platformConfig, policyDocument, UNKNOWN } from "../../support/platform";
import { recordWithKeys, runPack, simulate } from "./support";

const T = {
    component: "healthcare:security:AuditTrail",
    secureBucket: "healthcare:storage:SecureBucket",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    trail: "aws:cloudtrail/trail:Trail",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    kmsKey: "aws:kms/key:Key",
} as const;
const OTHER_ACCOUNT = "999988887777";

type Stack = "dev" | "prod";

function phiBuckets(cfg: PlatformConfig): string[] {
    const { accountId, region, environment } = cfg.naming;
    return ["landing", "raw", "curated"].map((z) => `hdp-${environment}-${z}-${accountId}-${region}`);
}

function argsFor(cfg: PlatformConfig, keys: Pick<PlatformKeyRefs, "logs"> = fakeKeys(cfg), extra: Partial<AuditTrailArgs> = {}): AuditTrailArgs {
    const { accountId, region, environment } = cfg.naming;
    return {
        context: contextOf(cfg),
        logsKey: keys.logs,
        auditRetentionDays: cfg.logging.auditRetentionDays,
        objectLock: cfg.dataLake.objectLock,
        lifecycle: cfg.dataLake.lifecycle.logs,
        accessLogBucketName: `hdp-${environment}-access-logs-${accountId}-${region}`,
        inventoryBucketName: `hdp-${environment}-inventory-${accountId}-${region}`,
        phiBucketNames: phiBuckets(cfg),
        ...extra,
    };
}

async function record(stack: Stack, mode: Mode, extra: Partial<AuditTrailArgs> = {}): Promise<{ rec: Recording; cfg: PlatformConfig }> {
    const cfg = platformConfig(stack);
    const rec = await recordProgram(
        async () => {
            new AuditTrail("audit", argsFor(cfg, fakeKeys(cfg), extra));
        },
        { mode, stack, context: { accountId: cfg.naming.accountId, region: cfg.naming.region } },
    );
    return { rec, cfg };
}

const trailArn = (cfg: PlatformConfig) => `arn:aws:cloudtrail:us-east-1:${cfg.naming.accountId}:trail/hdp-${cfg.environment}-audit`;
const auditBucket = (cfg: PlatformConfig) => `hdp-${cfg.environment}-audit-${cfg.naming.accountId}-us-east-1`;

describe("AuditTrail (healthcare:security:AuditTrail)", () => {
    describe("trail", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: multi-region, global events, log file validation, logs key, CloudWatch delivery`, async () => {
                const { rec, cfg } = await record(stack, "up");
                const trail = inputs(one(rec, T.trail, "audit-trail"));
                const group = one(rec, T.logGroup, "audit-logs");
                const role = one(rec, T.role, "audit-cloudwatch-role");
                assert.strictEqual(trail.name, `hdp-${stack}-audit`);
                assert.strictEqual(trail.s3BucketName, auditBucket(cfg));
                assert.strictEqual(trail.isMultiRegionTrail, true);
                assert.strictEqual(trail.includeGlobalServiceEvents, true);
                assert.strictEqual(trail.enableLogFileValidation, true);
                assert.strictEqual(trail.enableLogging, true);
                assert.strictEqual(trail.kmsKeyId, fakeKeys(cfg).logs.arn);
                assert.strictEqual(trail.cloudWatchLogsGroupArn, `${group.outputs.arn}:*`);
                assert.strictEqual(trail.cloudWatchLogsRoleArn, role.outputs.arn);
                assert.strictEqual(one(rec, T.trail, "audit-trail").outputs.arn, trailArn(cfg), "the deterministic ARN the policies use is the trail's ARN");
                assert.strictEqual(one(rec, T.trail, "audit-trail").options.protect, stack === "prod");
            });
        }

        it("records all management events and object reads and writes of exactly the PHI buckets", async () => {
            const { rec, cfg } = await record("prod", "preview");
            assert.deepStrictEqual(inputs(one(rec, T.trail, "audit-trail")).advancedEventSelectors, [
                { name: "All management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
                {
                    name: "PHI bucket object reads and writes",
                    fieldSelectors: [
                        { field: "eventCategory", equals: ["Data"] },
                        { field: "resources.type", equals: ["AWS::S3::Object"] },
                        { field: "resources.ARN", startsWiths: phiBuckets(cfg).map((b) => `arn:aws:s3:::${b}/`) },
                    ],
                },
            ]);
            // No readOnly selector anywhere: a readOnly field would drop either the reads or the writes.
            assert.ok(!JSON.stringify(inputs(one(rec, T.trail, "audit-trail")).advancedEventSelectors).includes("readOnly"));
        });

        it("without PHI buckets only management events are selected; the audit bucket itself is refused as a data-event source", async () => {
            const { rec } = await record("dev", "preview", { phiBucketNames: [] });
            assert.deepStrictEqual(inputs(one(rec, T.trail, "audit-trail")).advancedEventSelectors, [
                { name: "All management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
            ]);
            const cfg = platformConfig("dev");
            await assert.rejects(
                recordProgram(async () => {
                    new AuditTrail("audit", argsFor(cfg, fakeKeys(cfg), { phiBucketNames: [auditBucket(cfg)] }));
                }, { mode: "preview" }),
                /AuditTrail 'audit': phiBucketNames must not include the audit bucket itself \(hdp-dev-audit-210987654321-us-east-1\)/,
            );
        });

        it("waits for the bucket policy and the CloudWatch delivery permissions (CreateTrail checks both)", async () => {
            const { rec } = await record("prod", "preview");
            const deps = one(rec, T.trail, "audit-trail").dependencies;
            assert.ok(deps.includes(one(rec, T.bucketPolicy, "audit-bucket-policy").urn));
            assert.ok(deps.includes(one(rec, T.rolePolicy, "audit-cloudwatch-delivery").urn));
        });
    });

    describe("audit bucket", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: a SecureBucket 'audit' on the logs key${stack === "prod" ? " with Object Lock for the audit retention" : ", unlocked as dev's config asks"}`, async () => {
                const { rec, cfg } = await record(stack, "preview");
                const bucket = one(rec, T.bucket, "audit-bucket-bucket");
                assert.strictEqual(inputs(bucket).bucket, auditBucket(cfg));
                assert.strictEqual((inputs(bucket).tags as Record<string, string>)["data-classification"], "confidential");
                assert.strictEqual(bucket.options.protect, stack === "prod");
                const sse = inputs(one(rec, T.sse, "audit-bucket-encryption")).rules as { applyServerSideEncryptionByDefault: Record<string, string> }[];
                assert.deepStrictEqual(sse[0].applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: fakeKeys(cfg).logs.arn });
                assert.strictEqual(cfg.dataLake.objectLock.enabled, stack === "prod");
                if (stack === "prod") {
                    assert.strictEqual(inputs(bucket).objectLockEnabled, true);
                    // Audit evidence is locked in COMPLIANCE mode whatever the lake's mode (GOVERNANCE in prod's config):
                    // nobody, the root user included, can shorten it or delete a log file early.
                    assert.strictEqual(cfg.dataLake.objectLock.mode, "GOVERNANCE");
                    assert.deepStrictEqual(inputs(one(rec, T.lock, "audit-bucket-object-lock")).rule, {
                        defaultRetention: { mode: "COMPLIANCE", days: cfg.logging.auditRetentionDays },
                    });
                } else {
                    assert.deepStrictEqual(ofType(rec, T.lock), []);
                }
            });
        }

        it("Object Lock retention follows the audit retention, not the data lake's", async () => {
            const cfg = platformConfig("prod", { auditLogRetentionDays: 2557, objectLockRetentionDays: 400 });
            const rec = await recordProgram(async () => {
                new AuditTrail("audit", argsFor(cfg));
            }, { mode: "preview", stack: "prod" });
            assert.strictEqual((inputs(one(rec, T.lock, "audit-bucket-object-lock")).rule as { defaultRetention: { days: number } }).defaultRetention.days, 2557);
            assert.strictEqual(inputs(one(rec, T.logGroup, "audit-logs")).retentionInDays, 2557);
        });

        it("the bucket policy is known at preview and lets only this trail deliver, with bucket-owner-full-control (evaluated)", async () => {
            const { rec, cfg } = await record("prod", "preview");
            const policyRes = one(rec, T.bucketPolicy, "audit-bucket-policy");
            assert.notStrictEqual(inputs(policyRes).policy, UNKNOWN);
            const doc = policyDocument(policyRes);
            const account = cfg.naming.accountId;
            const bucketArn = `arn:aws:s3:::${auditBucket(cfg)}`;
            const logFile = `${bucketArn}/AWSLogs/${account}/CloudTrail/us-west-2/2025/01/01/${account}_CloudTrail_us-west-2_20250101T0000Z_abc.json.gz`;
            // What CloudTrail sends: TLS, the canned ACL, SSE-KMS with the trail's key, the trail as source.
            const delivery = (sourceArn: string, extra: Record<string, string> = {}) => ({
                "aws:SourceArn": sourceArn,
                "aws:SourceAccount": account,
                "s3:TlsVersion": "1.3",
                "s3:x-amz-acl": "bucket-owner-full-control",
                "s3:x-amz-server-side-encryption": "aws:kms",
                "s3:x-amz-server-side-encryption-aws-kms-key-id": fakeKeys(cfg).logs.arn as string,
                ...extra,
            });
            const put = (principal: string, context: Record<string, string>) =>
                simulate({ principal, action: "s3:PutObject", resource: logFile, resourceAccount: account, context }, { resourcePolicy: doc });
            assert.strictEqual(await put("cloudtrail.amazonaws.com", delivery(trailArn(cfg))), "Allowed");
            assert.strictEqual(await put("cloudtrail.amazonaws.com", delivery(`arn:aws:cloudtrail:us-east-1:${OTHER_ACCOUNT}:trail/hdp-prod-audit`, { "aws:SourceAccount": OTHER_ACCOUNT })), "ImplicitlyDenied");
            assert.strictEqual(await put("cloudtrail.amazonaws.com", delivery(`arn:aws:cloudtrail:us-east-1:${account}:trail/shadow-trail`)), "ImplicitlyDenied");
            assert.strictEqual(await put("cloudtrail.amazonaws.com", delivery(trailArn(cfg), { "s3:x-amz-acl": "public-read" })), "ImplicitlyDenied");
            assert.strictEqual(await put("config.amazonaws.com", delivery(trailArn(cfg))), "ImplicitlyDenied");
            // Digest files of log file validation arrive with SSE-S3 (AES256): an aws:kms-only deny would stop them.
            const digest = `${bucketArn}/AWSLogs/${account}/CloudTrail-Digest/us-east-1/2025/01/01/${account}_CloudTrail-Digest_us-east-1_hdp-prod-audit_us-east-1_20250101T000000Z.json.gz`;
            const digestContext = { ...delivery(trailArn(cfg)), "s3:x-amz-server-side-encryption": "AES256" };
            delete (digestContext as Record<string, string>)["s3:x-amz-server-side-encryption-aws-kms-key-id"];
            assert.strictEqual(
                await simulate({ principal: "cloudtrail.amazonaws.com", action: "s3:PutObject", resource: digest, resourceAccount: account, context: digestContext }, { resourcePolicy: doc }),
                "Allowed",
            );
            // Outside AWSLogs/<account>/ nothing is granted.
            assert.strictEqual(
                await simulate({ principal: "cloudtrail.amazonaws.com", action: "s3:PutObject", resource: `${bucketArn}/elsewhere/x`, resourceAccount: account, context: delivery(trailArn(cfg)) }, { resourcePolicy: doc }),
                "ImplicitlyDenied",
            );
            const aclCheck = (sourceArn: string) =>
                simulate({ principal: "cloudtrail.amazonaws.com", action: "s3:GetBucketAcl", resource: bucketArn, resourceAccount: account, context: { "aws:SourceArn": sourceArn, "s3:TlsVersion": "1.3" } }, { resourcePolicy: doc });
            // No one bypasses a retention on audit evidence (an object written with an explicit GOVERNANCE retention included).
            for (const principal of [`arn:aws:iam::${account}:role/administrator`, `arn:aws:iam::${account}:root`]) {
                assert.strictEqual(
                    await simulate(
                        { principal, action: "s3:BypassGovernanceRetention", resource: logFile, resourceAccount: account, context: { "s3:TlsVersion": "1.3" } },
                        { resourcePolicy: doc },
                    ),
                    "ExplicitlyDenied",
                    principal,
                );
            }
            assert.strictEqual(await aclCheck(trailArn(cfg)), "Allowed");
            assert.strictEqual(await aclCheck(`arn:aws:cloudtrail:us-east-1:${OTHER_ACCOUNT}:trail/x`), "ImplicitlyDenied");
        });
    });

    describe("CloudWatch Logs delivery", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: a KMS-encrypted log group kept for the audit retention (${stack === "dev" ? 365 : 2192} days)`, async () => {
                const { rec, cfg } = await record(stack, "preview");
                const group = one(rec, T.logGroup, "audit-logs");
                assert.deepStrictEqual(inputs(group), {
                    name: `/aws/cloudtrail/hdp-${stack}-audit`,
                    kmsKeyId: fakeKeys(cfg).logs.arn,
                    retentionInDays: cfg.logging.auditRetentionDays,
                    deletionProtectionEnabled: stack === "prod",
                });
                assert.strictEqual(group.options.protect, stack === "prod");
            });
        }

        it("the delivery role trusts only this trail and writes only the trail's streams (evaluated)", async () => {
            const { rec, cfg } = await record("prod", "preview");
            const account = cfg.naming.accountId;
            const trust = policyDocument(one(rec, T.role, "audit-cloudwatch-role"), "assumeRolePolicy");
            const assume = (sourceArn: string, sourceAccount = account) =>
                simulate(
                    { principal: "cloudtrail.amazonaws.com", action: "sts:AssumeRole", resource: `arn:aws:iam::${account}:role/hdp-prod-audit-cloudtrail-to-logs`, resourceAccount: account, context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount } },
                    { resourcePolicy: trust },
                );
            assert.strictEqual(await assume(trailArn(cfg)), "Allowed");
            assert.strictEqual(await assume(`arn:aws:cloudtrail:us-east-1:${account}:trail/other`), "ImplicitlyDenied");
            assert.strictEqual(await assume(`arn:aws:cloudtrail:us-east-1:${OTHER_ACCOUNT}:trail/hdp-prod-audit`, OTHER_ACCOUNT), "ImplicitlyDenied");

            const delivery = policyDocument(one(rec, T.rolePolicy, "audit-cloudwatch-delivery"));
            const session = `arn:aws:sts::${account}:assumed-role/hdp-prod-audit-cloudtrail-to-logs/CloudTrail`;
            const write = (stream: string, group = "/aws/cloudtrail/hdp-prod-audit") =>
                simulate({ principal: session, action: "logs:PutLogEvents", resource: `arn:aws:logs:us-east-1:${account}:log-group:${group}:log-stream:${stream}`, resourceAccount: account }, { identityPolicy: delivery });
            assert.strictEqual(await write(`${account}_CloudTrail_eu-west-1`), "Allowed");
            assert.strictEqual(await write("forged-stream"), "ImplicitlyDenied");
            assert.strictEqual(await write(`${account}_CloudTrail_eu-west-1`, "/aws/vpc-flow-logs/hdp-prod-network"), "ImplicitlyDenied");
        });
    });

    describe("keys engineer's logs key policy lets exactly this trail encrypt (evaluated)", () => {
        it("CloudTrail may generate data keys for this trail of this account only", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordWithKeys(cfg, "prod", "preview", (keys) => {
                new AuditTrail("audit", argsFor(cfg, keys));
            });
            const keyPolicy = policyDocument(one(rec, T.kmsKey, "keys-logs"));
            const account = cfg.naming.accountId;
            const generate = (sourceArn: string, sourceAccount = account) =>
                simulate(
                    {
                        principal: "cloudtrail.amazonaws.com",
                        action: "kms:GenerateDataKey",
                        resource: `arn:aws:kms:us-east-1:${account}:key/00000000-1111-4222-8333-444444444444`,
                        resourceAccount: account,
                        context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount, "kms:EncryptionContext:aws:cloudtrail:arn": sourceArn },
                    },
                    { resourcePolicy: keyPolicy },
                );
            assert.strictEqual(await generate(trailArn(cfg)), "Allowed");
            assert.strictEqual(await generate(`arn:aws:cloudtrail:us-east-1:${OTHER_ACCOUNT}:trail/hdp-prod-audit`, OTHER_ACCOUNT), "ImplicitlyDenied");
            // The trail's log group: CloudWatch Logs may use the key for it.
            const logs = await simulate(
                {
                    principal: "logs.us-east-1.amazonaws.com",
                    action: "kms:GenerateDataKey",
                    resource: `arn:aws:kms:us-east-1:${account}:key/00000000-1111-4222-8333-444444444444`,
                    resourceAccount: account,
                    context: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${account}:log-group:/aws/cloudtrail/hdp-prod-audit` },
                },
                { resourcePolicy: keyPolicy },
            );
            assert.strictEqual(logs, "Allowed");
        });
    });

    describe("component hygiene", () => {
        it("every resource is parented under the AuditTrail (the bucket's side resources under its SecureBucket)", async () => {
            const { rec } = await record("prod", "preview");
            const component = one(rec, T.component, "audit");
            const all = descendants(rec, component.urn);
            assert.strictEqual(all.length, rec.resources.length - 2);
            const bucket = one(rec, T.secureBucket, "audit-bucket");
            for (const r of all) {
                assert.ok([component.urn, bucket.urn].includes(r.parent as string), r.name);
                assert.ok(r.name.startsWith("audit-"), r.name);
            }
        });

        it("every policy document is known at preview", async () => {
            for (const stack of ["dev", "prod"] as const) {
                const { rec } = await record(stack, "preview");
                assert.ok(!JSON.stringify(inputs(one(rec, T.bucketPolicy, "audit-bucket-policy"))).includes(UNKNOWN));
                assert.ok(!JSON.stringify(inputs(one(rec, T.role, "audit-cloudwatch-role"))).includes(UNKNOWN));
                assert.ok(!JSON.stringify(inputs(one(rec, T.rolePolicy, "audit-cloudwatch-delivery")).policy).includes(UNKNOWN));
                assert.ok(!JSON.stringify(inputs(one(rec, T.trail, "audit-trail")).advancedEventSelectors).includes(UNKNOWN));
            }
        });

        it("two instances register no colliding URN, trail, log group, role or bucket name", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordProgram(
                async () => {
                    new AuditTrail("audit", argsFor(cfg));
                    new AuditTrail("audit-secondary", argsFor(cfg, fakeKeys(cfg), { phiBucketNames: [] }));
                },
                { mode: "preview", stack: "prod", context: { accountId: cfg.naming.accountId } },
            );
            const urns = rec.resources.map((r) => r.urn);
            assert.strictEqual(new Set(urns).size, urns.length);
            for (const [type, prop] of [[T.trail, "name"], [T.logGroup, "name"], [T.role, "name"], [T.bucket, "bucket"]] as const) {
                const names = ofType(rec, type).map((r) => String(inputs(r)[prop]));
                assert.strictEqual(names.length, 2, type);
                assert.strictEqual(new Set(names).size, 2, `${type}: ${names.join(", ")}`);
            }
        });
    });

    describe("policy pack, over the real keys, data lake and trail", () => {
        for (const stack of ["dev", "prod"] as const) {
            for (const mode of ["preview", "up"] as const) {
                it(`${stack} ${mode}: no mandatory violation and nothing skipped at preview`, async () => {
                    const cfg = platformConfig(stack);
                    const context = contextOf(cfg);
                    const rec = await recordWithKeys(cfg, stack, mode, (keys) => {
                        const lake = new DataLake("lake", { context, keys, config: cfg.dataLake });
                        new AuditTrail(
                            "audit",
                            { ...argsFor(cfg, keys), accessLogBucketName: lake.accessLogs.name, inventoryBucketName: lake.inventory.name, phiBucketNames: lake.phiBucketNames },
                            { dependsOn: [lake.secureBuckets.accessLogs, lake.secureBuckets.inventory] },
                        );
                    });
                    const verdict = await runPack(rec, cfg);
                    // Macie coverage of the lake is MacieDiscovery's job; macie.spec.ts runs the pack with it in the stack.
                    assert.deepStrictEqual(verdict.mandatory.filter((m) => !m.startsWith("s3-macie-phi-discovery:")), []);
                    assert.deepStrictEqual(verdict.previewSkipped, []);
                    // The trail's own resources draw no advisory either (the audit log group keeps 365+ days in both stacks).
                    assert.deepStrictEqual(verdict.advisory.filter((m) => /"audit-/.test(m)), []);
                });
            }
        }
    });
});
