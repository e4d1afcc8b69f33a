import * as assert from "assert";
import { s3Policies } from "../../../policy-pack/policies/s3";
import { PlatformConfig } from "../../../components/shared/config";
import { bucketArn, bucketName } from "../../../components/shared/naming";
import {
    ACCESS_LOG_PREFIX,
    INVENTORY_CONFIGURATION_NAME,
    INVENTORY_PREFIX,
    lifecycleRule,
    SecureBucket,
    SecureBucketArgs,
} from "../../../components/storage/secure-bucket";
import { Mode, RecordedResource, Recording, recordProgram } from "../../../tools/offline/recorder";
import { Baseline, bucketPolicy, evaluate, recordBaseline, runStackPolicies } from "../security/iam-eval";
import { contextOf, descendants, fakeKeys, inputs, one, ofType, platformConfig, UNKNOWN } from "../../support/platform";

const SIDE_TYPES = [
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/inventory:Inventory",
];

/** A PHI zone bucket with fake key references, as another area would construct it. */
function zoneArgs(cfg: PlatformConfig, overrides: Partial<SecureBucketArgs> = {}): SecureBucketArgs {
    return {
        naming: cfg.naming,
        purpose: "raw",
        dataClassification: "phi",
        kmsKey: fakeKeys(cfg).dataLake,
        lifecycle: cfg.dataLake.lifecycle.raw,
        accessLogBucketName: bucketName(cfg.naming, "access-logs"),
        inventoryBucketName: bucketName(cfg.naming, "inventory"),
        objectLock: cfg.dataLake.objectLock,
        protect: cfg.protect,
        ...overrides,
    };
}

async function recordOne(mode: Mode, args: SecureBucketArgs, name = "raw"): Promise<Recording> {
    return recordProgram(async () => {
        new SecureBucket(name, args);
    }, { mode });
}

const byName = (rec: Recording, name: string): RecordedResource => {
    const found = rec.resources.filter((r) => r.name === name);
    assert.strictEqual(found.length, 1, `one resource named ${name}`);
    return found[0];
};

describe("components/storage/secure-bucket", () => {
    const dev = platformConfig("dev");
    const prod = platformConfig("prod");

    for (const mode of ["preview", "up"] as const) {
        it(`names the bucket deterministically and parents every child under the component (${mode})`, async () => {
            const rec = await recordOne(mode, zoneArgs(prod));
            const component = one(rec, "healthcare:storage:SecureBucket", "raw");
            const children = descendants(rec, component.urn);
            const bucket = one(rec, "aws:s3/bucket:Bucket", "raw-bucket");
            assert.strictEqual(inputs(bucket).bucket, "hdp-prod-raw-345678901234-us-east-1");
            assert.strictEqual(inputs(bucket).bucket, bucketName(prod.naming, "raw"));
            assert.strictEqual(bucket.parent, component.urn);
            for (const type of [...SIDE_TYPES, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"]) {
                const side = ofType(rec, type);
                assert.strictEqual(side.length, 1, `one ${type}`);
                assert.strictEqual(side[0].parent, component.urn, `${type} is a child of the component`);
                assert.ok(side[0].name.startsWith("raw-"), `${side[0].name} is named <component>-<role>`);
            }
            assert.strictEqual(children.filter((c) => c.custom).length, SIDE_TYPES.length + 2, "bucket, eight side resources and the lock");
        });
    }

    it("side resources name the bucket by its literal name in preview and depend on it through propertyDependencies.bucket", async () => {
        const rec = await recordOne("preview", zoneArgs(prod));
        const bucket = one(rec, "aws:s3/bucket:Bucket", "raw-bucket");
        assert.strictEqual(bucket.id, undefined, "the bucket does not exist yet in a preview");
        for (const type of [...SIDE_TYPES, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"]) {
            const side = ofType(rec, type)[0];
            assert.strictEqual(inputs(side).bucket, "hdp-prod-raw-345678901234-us-east-1", `${type}.bucket is the literal name at preview`);
            assert.deepStrictEqual(side.propertyDependencies.bucket, [bucket.urn], `${type} joins its bucket through propertyDependencies`);
        }
    });

    it("knows its bucket policy at preview, naming only deterministic ARNs", async () => {
        const rec = await recordOne("preview", zoneArgs(dev));
        const raw = inputs(one(rec, "aws:s3/bucketPolicy:BucketPolicy", "raw-policy")).policy;
        assert.notStrictEqual(raw, UNKNOWN);
        const doc = JSON.parse(raw as string) as { Statement: { Resource: string | string[] }[] };
        const arn = bucketArn(dev.naming, bucketName(dev.naming, "raw"));
        for (const s of doc.Statement) {
            for (const r of ([] as string[]).concat(s.Resource)) {
                assert.ok(r === arn || r === `${arn}/*`, `resource ${r} is the bucket's deterministic ARN`);
            }
        }
    });

    it("encrypts with SSE-KMS under its key with an S3 Bucket Key and blocks SSE-C uploads", async () => {
        const key = fakeKeys(dev).dataLake;
        const rec = await recordOne("up", zoneArgs(dev));
        const rule = (inputs(one(rec, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "raw-encryption")).rules as Record<string, unknown>[])[0];
        assert.deepStrictEqual(rule, {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            bucketKeyEnabled: true,
            blockedEncryptionTypes: ["SSE-C"],
        });
    });

    it("keeps versions, blocks all four kinds of public access and disables ACLs", async () => {
        const rec = await recordOne("up", zoneArgs(dev));
        assert.deepStrictEqual(inputs(one(rec, "aws:s3/bucketVersioning:BucketVersioning", "raw-versioning")).versioningConfiguration, { status: "Enabled" });
        const pab = inputs(one(rec, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "raw-public-access-block"));
        assert.deepStrictEqual(
            [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
            [true, true, true, true],
        );
        assert.deepStrictEqual(inputs(one(rec, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "raw-ownership")).rule, { objectOwnership: "BucketOwnerEnforced" });
        const bucket = inputs(one(rec, "aws:s3/bucket:Bucket", "raw-bucket"));
        assert.strictEqual(bucket.forceDestroy, false);
        assert.strictEqual(bucket.acl, undefined);
        assert.deepStrictEqual(bucket.tags, { "data-classification": "phi" });
    });

    for (const cfg of [dev, prod]) {
        it(`has one enabled whole-bucket lifecycle rule with the zone's days from ${cfg.environment} config`, async () => {
            const rec = await recordOne("up", zoneArgs(cfg, { purpose: "curated", lifecycle: cfg.dataLake.lifecycle.curated, objectLock: undefined }));
            const l = cfg.dataLake.lifecycle.curated;
            const lc = inputs(one(rec, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "raw-lifecycle"));
            assert.strictEqual(lc.transitionDefaultMinimumObjectSize, "all_storage_classes_128K");
            const rules = lc.rules as Record<string, unknown>[];
            assert.strictEqual(rules.length, 1);
            const [rule] = rules;
            assert.strictEqual(rule.status, "Enabled");
            assert.deepStrictEqual(rule.filter, {}, "an empty filter covers the whole bucket");
            assert.deepStrictEqual(rule.transitions, [
                { days: l.infrequentAccessDays, storageClass: "STANDARD_IA" },
                { days: l.archiveDays, storageClass: l.archiveStorageClass },
            ]);
            assert.deepStrictEqual(rule.noncurrentVersionExpiration, { noncurrentDays: l.noncurrentVersionExpirationDays });
            assert.deepStrictEqual(rule.abortIncompleteMultipartUpload, { daysAfterInitiation: l.abortIncompleteMultipartUploadDays });
            assert.deepStrictEqual(rule.expiration, { expiredObjectDeleteMarker: true });
        });
    }

    it("tiers noncurrent versions only when they live long enough to pay for it", async () => {
        // dev keeps noncurrent versions 30 days: no transition (STANDARD_IA needs 30 days first).
        assert.strictEqual(lifecycleRule(dev.dataLake.lifecycle.raw).noncurrentVersionTransitions, undefined);
        // prod keeps them 365 days: IA at 30, GLACIER at 30 + (180 - 30) = 180, and 180 + 90 <= 365.
        assert.deepStrictEqual(lifecycleRule(prod.dataLake.lifecycle.raw).noncurrentVersionTransitions, [
            { noncurrentDays: 30, storageClass: "STANDARD_IA" },
            { noncurrentDays: 180, storageClass: "GLACIER" },
        ]);
        // DEEP_ARCHIVE's 180-day minimum would not be met before expiry: only the IA step remains.
        const deep = { ...prod.dataLake.lifecycle.raw, archiveStorageClass: "DEEP_ARCHIVE" as const, noncurrentVersionExpirationDays: 300 };
        assert.deepStrictEqual(lifecycleRule(deep).noncurrentVersionTransitions, [{ noncurrentDays: 30, storageClass: "STANDARD_IA" }]);
    });

    it("logs server access to the log bucket under a date-partitioned prefix", async () => {
        const rec = await recordOne("up", zoneArgs(dev));
        assert.deepStrictEqual(inputs(one(rec, "aws:s3/bucketLogging:BucketLogging", "raw-access-logging")), {
            bucket: bucketName(dev.naming, "raw"),
            targetBucket: bucketName(dev.naming, "access-logs"),
            targetPrefix: ACCESS_LOG_PREFIX,
            targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
        });
    });

    it("inventories every version daily as Parquet with the fields inventory analytics needs, SSE-KMS encrypted", async () => {
        const rec = await recordOne("up", zoneArgs(dev));
        const inv = inputs(one(rec, "aws:s3/inventory:Inventory", "raw-inventory"));
        assert.strictEqual(inv.name, INVENTORY_CONFIGURATION_NAME);
        assert.strictEqual(inv.enabled, true);
        assert.strictEqual(inv.includedObjectVersions, "All");
        assert.deepStrictEqual(inv.schedule, { frequency: "Daily" });
        for (const field of ["Size", "LastModifiedDate", "StorageClass", "EncryptionStatus", "BucketKeyStatus", "ObjectLockMode", "ObjectLockRetainUntilDate"]) {
            assert.ok((inv.optionalFields as string[]).includes(field), `inventory lists ${field}`);
        }
        assert.deepStrictEqual(inv.destination, {
            bucket: {
                bucketArn: bucketArn(dev.naming, bucketName(dev.naming, "inventory")),
                accountId: dev.naming.accountId,
                format: "Parquet",
                prefix: INVENTORY_PREFIX,
                encryption: { sseKms: { keyId: fakeKeys(dev).dataLake.arn } },
            },
        });
    });

    it("locks objects with the configured default retention when config asks (prod), and not otherwise (dev)", async () => {
        const locked = await recordOne("up", zoneArgs(prod));
        assert.strictEqual(inputs(one(locked, "aws:s3/bucket:Bucket", "raw-bucket")).objectLockEnabled, true);
        assert.deepStrictEqual(inputs(one(locked, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "raw-object-lock")).rule, {
            defaultRetention: { mode: "GOVERNANCE", days: 2192 },
        });
        const unlocked = await recordOne("up", zoneArgs(dev));
        assert.strictEqual(inputs(one(unlocked, "aws:s3/bucket:Bucket", "raw-bucket")).objectLockEnabled, false);
        assert.strictEqual(ofType(unlocked, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").length, 0);
    });

    it("protects the bucket, its versioning and its lock in prod, nothing in dev", async () => {
        const prodRec = await recordOne("up", zoneArgs(prod));
        const protectedNames = prodRec.resources.filter((r) => r.options.protect).map((r) => r.name).sort();
        assert.deepStrictEqual(protectedNames, ["raw-bucket", "raw-object-lock", "raw-versioning"]);
        const devRec = await recordOne("up", zoneArgs(dev));
        assert.deepStrictEqual(devRec.resources.filter((r) => r.options.protect).map((r) => r.name), []);
    });

    it("two instances with different purposes do not collide on any logical or physical name", async () => {
        const rec = await recordProgram(async () => {
            new SecureBucket("a", zoneArgs(dev, { purpose: "landing" }));
            new SecureBucket("b", zoneArgs(dev, { purpose: "curated" }));
        }, { mode: "up" });
        const urns = rec.resources.map((r) => r.urn);
        assert.strictEqual(new Set(urns).size, urns.length);
        const names = ofType(rec, "aws:s3/bucket:Bucket").map((r) => inputs(r).bucket);
        assert.deepStrictEqual(names, [bucketName(dev.naming, "landing"), bucketName(dev.naming, "curated")]);
        const policies = ofType(rec, "aws:s3/bucketPolicy:BucketPolicy").map((r) => inputs(r).policy as string);
        assert.ok(policies[0].includes(names[0] as string) && !policies[0].includes(names[1] as string), "each policy names only its own bucket");
    });

    describe("refuses what would not work or not be safe, naming the argument", () => {
        const build = (overrides: Partial<SecureBucketArgs>) => recordOne("up", zoneArgs(dev, overrides));
        it("SSE-KMS without a key", async () => {
            await assert.rejects(build({ kmsKey: undefined }), /SecureBucket 'raw': kmsKey is required when encryption is "kms"/);
        });
        it("forceDestroy on a protected bucket", async () => {
            await assert.rejects(build({ forceDestroy: true, protect: true }), /SecureBucket 'raw': forceDestroy must be false when protect is true/);
        });
        it("an access-log target with SSE-KMS or Object Lock", async () => {
            await assert.rejects(build({ receivesAccessLogs: true }), /receivesAccessLogs needs encryption "sse-s3" .*got "kms"/);
            await assert.rejects(
                build({ receivesAccessLogs: true, encryption: "sse-s3", objectLock: prod.dataLake.objectLock }),
                /objectLock.enabled must be false on a server access log target/,
            );
        });
        it("logging a bucket into itself", async () => {
            await assert.rejects(build({ accessLogBucketName: bucketName(dev.naming, "raw") }), /accessLogBucketName is the bucket itself/);
        });
    });

    describe("bucket policies, evaluated (recorded in up mode)", () => {
        let base: Baseline;
        before(async () => {
            base = await recordBaseline("prod", "up");
        });
        const account = () => base.cfg.naming.accountId;
        const role = () => `arn:aws:iam::${account()}:role/hdp-prod-data-engineer`;
        const curated = () => base.zones.curated.arn;
        const allowAll = () => ({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], Resource: [curated(), `${curated()}/*`] }],
        });
        const request = (action: string, resource: string, context: Record<string, string>) =>
            evaluate({
                principal: role(),
                action,
                resource,
                resourceAccount: account(),
                context,
                identityPolicies: [allowAll()],
                resourcePolicy: bucketPolicy(base.rec, "curated"),
            });

        it("denies every request without TLS or below TLS 1.2 on the bucket and its objects, and allows TLS 1.2 and 1.3", async () => {
            for (const [action, resource] of [
                ["s3:GetObject", `${curated()}/customer=st-marys/x.parquet`],
                ["s3:PutObject", `${curated()}/customer=st-marys/x.parquet`],
                ["s3:ListBucket", curated()],
            ]) {
                assert.strictEqual(await request(action, resource, { "aws:SecureTransport": "false" }), "ExplicitlyDenied", `${action} without TLS`);
                assert.strictEqual(await request(action, resource, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.1" }), "ExplicitlyDenied", `${action} over TLS 1.1`);
                assert.strictEqual(await request(action, resource, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" }), "Allowed", `${action} over TLS 1.2`);
                assert.strictEqual(await request(action, resource, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" }), "Allowed", `${action} over TLS 1.3`);
            }
        });

        it("accepts uploads that rely on default encryption or name this account's key, denies every other encryption choice", async () => {
            const object = `${curated()}/customer=st-marys/x.parquet`;
            const tls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };
            const key = `arn:aws:kms:us-east-1:${account()}:key/0a1b2c3d-1111-4222-8333-444455556666`;
            const put = (headers: Record<string, string>) => request("s3:PutObject", object, { ...tls, ...headers });
            assert.strictEqual(await put({}), "Allowed", "no header: the bucket default (its key) applies");
            assert.strictEqual(await put({ "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": key }), "Allowed");
            assert.strictEqual(
                await put({ "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": `arn:aws:kms:us-east-1:${account()}:alias/hdp-prod-data-lake` }),
                "Allowed",
                "the bucket key's alias ARN",
            );
            assert.strictEqual(await put({ "s3:x-amz-server-side-encryption": "AES256" }), "ExplicitlyDenied", "SSE-S3");
            assert.strictEqual(await put({ "s3:x-amz-server-side-encryption": "aws:kms:dsse" }), "ExplicitlyDenied", "DSSE");
            assert.strictEqual(await put({ "s3:x-amz-server-side-encryption": "aws:kms" }), "ExplicitlyDenied", "aws:kms without a key id means aws/s3");
            assert.strictEqual(
                await put({ "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:999999999999:key/0a1b2c3d-1111-4222-8333-444455556666" }),
                "ExplicitlyDenied",
                "another account's key",
            );
            assert.strictEqual(
                await put({ "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "alias/some-key" }),
                "ExplicitlyDenied",
                "a bare alias resolves in the caller's account",
            );
        });

        it("log bucket: SSE-S3, and S3 server access logging may deliver from this stack's buckets in this account only", async () => {
            const encryption = inputs(one(base.rec, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "access-logs-encryption"));
            assert.deepStrictEqual((encryption.rules as Record<string, unknown>[])[0], { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, blockedEncryptionTypes: ["SSE-C"] });
            const policy = bucketPolicy(base.rec, "access-logs");
            assert.ok(!policy.Statement.some((s) => String(s.Sid).startsWith("DenyNonKms")), "no KMS upload statements on an SSE-S3 bucket");
            const logArn = `arn:aws:s3:::${base.logBucketName}`;
            const deliver = (sourceAccount: string, sourceBucket: string, key = `${ACCESS_LOG_PREFIX}${account()}/us-east-1/${sourceBucket}/2025/03/07/x`) =>
                evaluate({
                    principal: "logging.s3.amazonaws.com",
                    action: "s3:PutObject",
                    resource: `${logArn}/${key}`,
                    resourceAccount: account(),
                    context: { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2", "aws:SourceAccount": sourceAccount, "aws:SourceArn": `arn:aws:s3:::${sourceBucket}` },
                    resourcePolicy: policy,
                });
            assert.strictEqual(await deliver(account(), base.zones.curated.name), "Allowed");
            assert.strictEqual(await deliver("999999999999", base.zones.curated.name), "ImplicitlyDenied", "another account");
            assert.strictEqual(await deliver(account(), "someone-elses-bucket"), "ImplicitlyDenied", "a bucket this stack does not name");
            assert.strictEqual(await deliver(account(), base.zones.curated.name, "elsewhere/x"), "ImplicitlyDenied", "outside the log prefix");
        });

        it("inventory bucket: S3 inventory may deliver from this stack's buckets in this account only", async () => {
            const policy = bucketPolicy(base.rec, "inventory");
            const invArn = `arn:aws:s3:::${base.inventoryBucketName}`;
            const deliver = (sourceAccount: string, sourceBucket: string) =>
                evaluate({
                    principal: "s3.amazonaws.com",
                    action: "s3:PutObject",
                    resource: `${invArn}/${INVENTORY_PREFIX}/${sourceBucket}/${INVENTORY_CONFIGURATION_NAME}/data/x.parquet`,
                    resourceAccount: account(),
                    context: {
                        "aws:SecureTransport": "true",
                        "s3:TlsVersion": "1.2",
                        "aws:SourceAccount": sourceAccount,
                        "aws:SourceArn": `arn:aws:s3:::${sourceBucket}`,
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "s3:x-amz-server-side-encryption": "aws:kms",
                        "s3:x-amz-server-side-encryption-aws-kms-key-id": `arn:aws:kms:us-east-1:${account()}:key/0a1b2c3d-1111-4222-8333-444455556666`,
                    },
                    resourcePolicy: policy,
                });
            assert.strictEqual(await deliver(account(), base.zones.results.name), "Allowed");
            assert.strictEqual(await deliver("999999999999", base.zones.results.name), "ImplicitlyDenied");
        });
    });

    for (const mode of ["preview", "up"] as const) {
        for (const stack of ["dev", "prod"] as const) {
            it(`passes the policy pack's S3 controls with no preview skip (${stack}, ${mode})`, async () => {
                const base = await recordBaseline(stack, mode);
                // Macie coverage is judged on the whole stack (the Macie component is not in this recording).
                const only = s3Policies.filter((p) => p.name !== "s3-macie-phi-discovery");
                const verdict = await runStackPolicies(base.rec, base.cfg.naming.region, only);
                assert.deepStrictEqual(verdict.violations, []);
                assert.deepStrictEqual(verdict.previewSkipped, []);
            });
        }
    }

    it("records config-driven children only: the log bucket has no logging of its own, the inventory bucket no inventory", async () => {
        const base = await recordBaseline("dev", "up");
        const names = (type: string) => ofType(base.rec, type).map((r) => r.name).sort();
        assert.deepStrictEqual(names("aws:s3/bucketLogging:BucketLogging"), ["curated-access-logging", "inventory-access-logging", "results-access-logging"]);
        assert.deepStrictEqual(names("aws:s3/inventory:Inventory"), ["access-logs-inventory", "curated-inventory", "results-inventory"]);
        // The SSE-S3 log bucket's report takes the key it was given (the inventory bucket's key), never SSE-S3.
        const logInventory = inputs(byName(base.rec, "access-logs-inventory"));
        const enc = (logInventory.destination as { bucket: { encryption: { sseKms: { keyId: string } } } }).bucket.encryption;
        assert.match(enc.sseKms.keyId, /^arn:aws:kms:us-east-1:210987654321:key\//);
        assert.strictEqual(contextOf(base.cfg).protect, false);
    });
});
