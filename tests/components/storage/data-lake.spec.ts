import * as assert from "assert";
import { DataLake } from "../../../components/storage/data-lake";
import { RecordedResource, Recording } from "../../../tools/offline/recorder";
import { inputs, ofType, policyDocument, UNKNOWN } from "../../support/platform";
import { expectAllUnder, record, Setup, setup, subtree, unknownPolicyDocuments } from "./helpers";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    logging: "aws:s3/bucketLogging:BucketLogging",
    inventory: "aws:s3/inventory:Inventory",
    lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    secureBucket: "healthcare:storage:SecureBucket",
};
const ZONES = ["landing", "raw", "curated", "results", "import"] as const;

const build = (s: Setup) => () => new DataLake("data-lake", { context: s.context, keys: s.keys, config: s.cfg.dataLake });

/** Name of the bucket a side resource configures (its `bucket` input). */
const bucketOf = (r: RecordedResource) => inputs(r).bucket as string;
const byBucket = (rec: Recording, type: string) => Object.fromEntries(ofType(rec, type).map((r) => [bucketOf(r), inputs(r)]));
const name = (stack: string, purpose: string) => `hdp-${stack}-${purpose}-${stack === "dev" ? "210987654321" : "345678901234"}-us-east-1`;

describe("components/storage/data-lake", () => {
    it("creates the five zones plus the access-log and inventory buckets, named deterministically and known at preview", async () => {
        const s = setup("prod");
        let lake: DataLake | undefined;
        const rec = await record("preview", () => {
            lake = build(s)();
        });
        const names = ofType(rec, T.bucket).map((b) => inputs(b).bucket).sort();
        assert.deepStrictEqual(names, [...ZONES, "access-logs", "inventory"].map((p) => name("prod", p)).sort());
        assert.ok(lake);
        assert.deepStrictEqual(lake.phiBucketNames, ZONES.map((z) => name("prod", z)));
        assert.deepStrictEqual(lake.phiBucketArns, ZONES.map((z) => `arn:aws:s3:::${name("prod", z)}`));
        assert.deepStrictEqual(lake.buckets.raw, { name: name("prod", "raw"), arn: `arn:aws:s3:::${name("prod", "raw")}` });
        assert.strictEqual(lake.accessLogs.name, name("prod", "access-logs"));
        assert.strictEqual(lake.inventory.name, name("prod", "inventory"));
        expectAllUnder(rec, "healthcare:storage:DataLake", "data-lake");
    });

    it("encrypts every zone and the inventory bucket with the data-lake key, the access-log bucket with SSE-S3", async () => {
        const s = setup("dev");
        const rec = await record("preview", build(s));
        const sse = byBucket(rec, T.sse);
        for (const purpose of [...ZONES, "inventory"]) {
            const rule = (sse[name("dev", purpose)].rules as Record<string, Record<string, unknown>>[])[0];
            assert.deepStrictEqual(rule.applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: s.keys.dataLake.arn }, purpose);
        }
        const logRule = (sse[name("dev", "access-logs")].rules as Record<string, Record<string, unknown>>[])[0];
        assert.deepStrictEqual(logRule.applyServerSideEncryptionByDefault, { sseAlgorithm: "AES256" });
    });

    it("classifies the zones as PHI and the supporting buckets as confidential, with a data-zone tag", async () => {
        const s = setup("dev");
        const rec = await record("preview", build(s));
        const tags = Object.fromEntries(ofType(rec, T.bucket).map((b) => [inputs(b).bucket, inputs(b).tags as Record<string, string>]));
        for (const z of ZONES) assert.deepStrictEqual(tags[name("dev", z)], { "data-classification": "phi", "data-zone": z });
        assert.strictEqual(tags[name("dev", "access-logs")]["data-classification"], "confidential");
        assert.strictEqual(tags[name("dev", "inventory")]["data-classification"], "confidential");
    });

    it("takes each zone's lifecycle from config (prod: landing 30/90, curated 90/365, raw the 30/180 default)", async () => {
        const s = setup("prod");
        const rec = await record("preview", build(s));
        const lc = byBucket(rec, T.lifecycle);
        const days = (purpose: string) => {
            const rule = (lc[name("prod", purpose)].rules as Record<string, unknown>[])[0];
            return (rule.transitions as { days: number; storageClass: string }[]).map((t) => [t.storageClass, t.days]);
        };
        assert.deepStrictEqual(days("landing"), [["STANDARD_IA", 30], ["GLACIER", 90]]);
        assert.deepStrictEqual(days("curated"), [["STANDARD_IA", 90], ["GLACIER", 365]]);
        assert.deepStrictEqual(days("raw"), [["STANDARD_IA", 30], ["GLACIER", 180]]);
        for (const purpose of ZONES) {
            const rule = (lc[name("prod", purpose)].rules as Record<string, unknown>[])[0];
            assert.deepStrictEqual(rule.noncurrentVersionExpiration, { noncurrentDays: 365 });
        }
    });

    it("logs every bucket but the log bucket into the log bucket, and inventories every bucket but the inventory bucket", async () => {
        const s = setup("dev");
        const rec = await record("preview", build(s));
        const logging = byBucket(rec, T.logging);
        assert.deepStrictEqual(Object.keys(logging).sort(), [...ZONES, "inventory"].map((p) => name("dev", p)).sort());
        for (const l of Object.values(logging)) assert.strictEqual(l.targetBucket, name("dev", "access-logs"));
        const inventory = byBucket(rec, T.inventory);
        assert.deepStrictEqual(Object.keys(inventory).sort(), [...ZONES, "access-logs"].map((p) => name("dev", p)).sort());
        for (const i of Object.values(inventory)) {
            const dest = (i.destination as { bucket: { bucketArn: string; encryption: unknown } }).bucket;
            assert.strictEqual(dest.bucketArn, `arn:aws:s3:::${name("dev", "inventory")}`);
            assert.deepStrictEqual(dest.encryption, { sseKms: { keyId: s.keys.dataLake.arn } });
        }
    });

    it("lets only S3's log and inventory delivery services of this account write into the supporting buckets", async () => {
        const s = setup("dev");
        const rec = await record("preview", build(s));
        const policies = Object.fromEntries(ofType(rec, T.policy).map((p) => [bucketOf(p), policyDocument(p)]));
        const sids = (purpose: string) => policies[name("dev", purpose)].Statement.map((st) => st.Sid);
        assert.ok(sids("access-logs").includes("S3ServerAccessLogsPolicy"));
        assert.ok(sids("inventory").includes("S3InventoryDelivery"));
        for (const z of ZONES) {
            assert.ok(!sids(z).includes("S3ServerAccessLogsPolicy") && !sids(z).includes("S3InventoryDelivery"), `${z} accepts no deliveries`);
            assert.ok(sids(z).includes("DenyInsecureTransport"), `${z} is TLS-only`);
        }
        const delivery = policies[name("dev", "access-logs")].Statement.find((st) => st.Sid === "S3ServerAccessLogsPolicy") as Record<string, unknown>;
        assert.deepStrictEqual(delivery.Condition, {
            StringEquals: { "aws:SourceAccount": "210987654321" },
            ArnLike: { "aws:SourceArn": "arn:aws:s3:::hdp-dev-*" },
        });
    });

    it("has no bucket policy unknown at preview", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const rec = await record("preview", build(setup(stack)));
            assert.deepStrictEqual(unknownPolicyDocuments(rec), [], stack);
            for (const p of ofType(rec, T.policy)) assert.ok(!JSON.stringify(p.inputs).includes(UNKNOWN));
        }
    });

    describe("Object Lock and protection: dev vs prod", () => {
        it("prod: Object Lock on raw only (GOVERNANCE, six years), never on landing; every bucket protected", async () => {
            const s = setup("prod");
            const rec = await record("preview", build(s));
            const locked = ofType(rec, T.bucket).filter((b) => inputs(b).objectLockEnabled === true).map((b) => inputs(b).bucket);
            assert.deepStrictEqual(locked, [name("prod", "raw")]);
            const locks = ofType(rec, T.lock);
            assert.strictEqual(locks.length, 1);
            assert.strictEqual(bucketOf(locks[0]), name("prod", "raw"));
            assert.deepStrictEqual(inputs(locks[0]).rule, { defaultRetention: { mode: "GOVERNANCE", days: 2192 } });
            for (const b of ofType(rec, T.bucket)) {
                assert.strictEqual(b.options.protect, true, `${inputs(b).bucket} protected`);
                assert.strictEqual(inputs(b).forceDestroy, false);
            }
        });

        it("dev: no Object Lock and nothing protected; objectLockEnabled in dev locks raw only", async () => {
            const s = setup("dev");
            const rec = await record("preview", build(s));
            assert.strictEqual(ofType(rec, T.lock).length, 0);
            assert.ok(ofType(rec, T.bucket).every((b) => b.options.protect === false && inputs(b).objectLockEnabled === false));

            const on = setup("dev", { objectLockEnabled: true });
            const rec2 = await record("preview", build(on));
            assert.deepStrictEqual(ofType(rec2, T.lock).map(bucketOf), [name("dev", "raw")]);
        });
    });

    it("creates the access-log and inventory buckets before the zones that log and report into them", async () => {
        const s = setup("dev");
        const rec = await record("preview", build(s));
        const urnsUnder = (sbName: string) => new Set([subtree(rec, T.secureBucket, sbName).component.urn, ...subtree(rec, T.secureBucket, sbName).resources.map((r) => r.urn)]);
        const logs = urnsUnder("data-lake-access-logs");
        const inventory = urnsUnder("data-lake-inventory");
        for (const z of ZONES) {
            const deps = subtree(rec, T.secureBucket, `data-lake-${z}`).component.dependencies;
            assert.ok(deps.some((d) => logs.has(d)), `${z} waits for the access-log bucket`);
            assert.ok(deps.some((d) => inventory.has(d)), `${z} waits for the inventory bucket`);
        }
        const invDeps = subtree(rec, T.secureBucket, "data-lake-inventory").component.dependencies;
        assert.ok(invDeps.some((d) => logs.has(d)), "the inventory bucket waits for the access-log bucket");
    });

    it("two lakes with different purpose prefixes do not collide, and a prefixed lake only accepts its own deliveries", async () => {
        const s = setup("dev");
        const rec = await record("preview", () => {
            new DataLake("data-lake", { context: s.context, keys: s.keys, config: s.cfg.dataLake });
            new DataLake("lake2", { context: s.context, keys: s.keys, config: s.cfg.dataLake, purposePrefix: "lake2" });
        });
        const names = ofType(rec, T.bucket).map((b) => inputs(b).bucket as string);
        assert.strictEqual(names.length, 14);
        assert.strictEqual(new Set(names).size, 14);
        assert.ok(names.includes(name("dev", "lake2-raw")));
        const logsPolicy = ofType(rec, T.policy).find((p) => bucketOf(p) === name("dev", "lake2-access-logs")) as RecordedResource;
        const delivery = policyDocument(logsPolicy).Statement.find((st) => st.Sid === "S3ServerAccessLogsPolicy") as { Condition: Record<string, Record<string, string>> };
        assert.strictEqual(delivery.Condition.ArnLike["aws:SourceArn"], "arn:aws:s3:::hdp-dev-lake2-*");
    });

    it("creates the Glue assets bucket only when asked: PHI, data-lake key, logged and inventoried", async () => {
        const s = setup("dev");
        const off = await record("preview", build(s));
        assert.ok(!ofType(off, T.bucket).some((b) => inputs(b).bucket === name("dev", "assets")));
        let lake: DataLake | undefined;
        const rec = await record("preview", () => {
            lake = new DataLake("data-lake", { context: s.context, keys: s.keys, config: s.cfg.dataLake, assetsBucket: true });
        });
        const assets = name("dev", "assets");
        assert.ok(lake);
        assert.deepStrictEqual(lake.assets, { name: assets, arn: `arn:aws:s3:::${assets}` });
        assert.ok(lake.phiBucketNames.includes(assets));
        const bucket = ofType(rec, T.bucket).find((b) => inputs(b).bucket === assets) as RecordedResource;
        assert.strictEqual((inputs(bucket).tags as Record<string, string>)["data-classification"], "phi");
        const rule = (byBucket(rec, T.sse)[assets].rules as Record<string, Record<string, unknown>>[])[0];
        assert.deepStrictEqual(rule.applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: s.keys.dataLake.arn });
        assert.strictEqual(byBucket(rec, T.logging)[assets].targetBucket, name("dev", "access-logs"));
        assert.ok(byBucket(rec, T.inventory)[assets]);
    });

    it("refuses forceDestroy when stateful resources are protected", async () => {
        const s = setup("prod");
        await assert.rejects(
            record("preview", () => new DataLake("data-lake", { context: s.context, keys: s.keys, config: s.cfg.dataLake, forceDestroy: true })),
            /DataLake 'data-lake': forceDestroy must be false when stateful resources are protected \(prod\), got true/,
        );
    });
});
