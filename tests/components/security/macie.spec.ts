import * as assert from "assert";
import { composeNetwork } from "../../../components/network/compose";
import { composeKeys, composeSecurity } from "../../../components/security/compose";
import { MacieDiscovery, MacieDiscoveryArgs } from "../../../components/security/macie";
import { PlatformConfig } from "../../../components/shared/config";
import { PlatformKeyRefs } from "../../../components/shared/refs";
import { composeStorage } from "../../../components/storage/compose";
import { SecureBucket } from "../../../components/storage/secure-bucket";
import { s3MaciePhiDiscovery } from "../../../policy-pack/policies/s3/s3-macie-phi-discovery";
import { Mode, recordProgram, Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, ofType, one, platformConfig, policyDocument, UNKNOWN } from "../../support/platform";
import { recordWithKeys, runPack, simulate } from "./support";

const T = {
    component: "healthcare:security:MacieDiscovery",
    secureBucket: "healthcare:storage:SecureBucket",
    account: "aws:macie2/account:Account",
    exportConfig: "aws:macie2/classificationExportConfiguration:ClassificationExportConfiguration",
    job: "aws:macie2/classificationJob:ClassificationJob",
    identifier: "aws:macie/customDataIdentifier:CustomDataIdentifier",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    kmsKey: "aws:kms/key:Key",
} as const;
const OTHER_ACCOUNT = "999988887777";

type Stack = "dev" | "prod";

function argsFor(cfg: PlatformConfig, keys: Pick<PlatformKeyRefs, "dataLake"> = fakeKeys(cfg), extra: Partial<MacieDiscoveryArgs> = {}): MacieDiscoveryArgs {
    const { accountId, region, environment } = cfg.naming;
    return {
        context: contextOf(cfg),
        dataLakeKey: keys.dataLake,
        macie: cfg.security.macie,
        lifecycle: cfg.dataLake.lifecycle.logs,
        accessLogBucketName: `hdp-${environment}-access-logs-${accountId}-${region}`,
        inventoryBucketName: `hdp-${environment}-inventory-${accountId}-${region}`,
        manageAccount: !cfg.security.delegatedAdministrator,
        ...extra,
    };
}

async function record(stack: Stack, mode: Mode, extra: Partial<MacieDiscoveryArgs> = {}, overrides: Record<string, unknown> = {}): Promise<{ rec: Recording; cfg: PlatformConfig }> {
    const cfg = platformConfig(stack, overrides);
    const rec = await recordProgram(
        async () => {
            new MacieDiscovery("macie", argsFor(cfg, fakeKeys(cfg), extra));
        },
        { mode, stack, context: { accountId: cfg.naming.accountId, region: cfg.naming.region } },
    );
    return { rec, cfg };
}

const resultsBucket = (cfg: PlatformConfig) => `hdp-${cfg.environment}-macie-results-${cfg.naming.accountId}-us-east-1`;

/** Macie's tag criterion semantics: EQ holds when the bucket carries any listed key/value pair, exact and case-sensitive. */
function tagCriterionSelects(criterion: { comparator: string; tagValues: { key: string; value: string }[] }, tags: Record<string, string>): boolean {
    assert.strictEqual(criterion.comparator, "EQ");
    return criterion.tagValues.some((t) => tags[t.key] === t.value);
}

describe("MacieDiscovery (healthcare:security:MacieDiscovery)", () => {
    describe("account and results repository", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: Macie ENABLED with the configured publishing frequency, protected in prod`, async () => {
                const { rec, cfg } = await record(stack, "preview");
                const account = one(rec, T.account, "macie-account");
                assert.deepStrictEqual(inputs(account), { status: "ENABLED", findingPublishingFrequency: cfg.security.macie.findingPublishingFrequency });
                assert.strictEqual(cfg.security.macie.findingPublishingFrequency, stack === "prod" ? "FIFTEEN_MINUTES" : "ONE_HOUR");
                assert.strictEqual(account.options.protect, stack === "prod");
            });
        }

        it("results go to a SecureBucket 'macie-results' on the data-lake key, under a prefix, after the account and bucket policy exist", async () => {
            const { rec, cfg } = await record("prod", "up");
            const bucket = one(rec, T.bucket, "macie-results-bucket");
            assert.strictEqual(inputs(bucket).bucket, resultsBucket(cfg));
            assert.strictEqual((inputs(bucket).tags as Record<string, string>)["data-classification"], "confidential", "results are not scanned as PHI");
            assert.strictEqual(bucket.options.protect, true);
            const exportConfig = one(rec, T.exportConfig, "macie-results-export");
            assert.deepStrictEqual(inputs(exportConfig).s3Destination, {
                bucketName: resultsBucket(cfg),
                keyPrefix: "macie-discovery-results/",
                kmsKeyArn: fakeKeys(cfg).dataLake.arn,
            });
            assert.ok(exportConfig.dependencies.includes(one(rec, T.account, "macie-account").urn));
            assert.ok(exportConfig.dependencies.includes(one(rec, T.bucketPolicy, "macie-results-policy").urn));
        });

        it("the results bucket policy is known at preview and lets Macie write only for this account's jobs and export configuration (evaluated)", async () => {
            const { rec, cfg } = await record("prod", "preview");
            const policyRes = one(rec, T.bucketPolicy, "macie-results-policy");
            assert.notStrictEqual(inputs(policyRes).policy, UNKNOWN);
            const doc = policyDocument(policyRes);
            const account = cfg.naming.accountId;
            const bucketArn = `arn:aws:s3:::${resultsBucket(cfg)}`;
            const jobArn = `arn:aws:macie2:us-east-1:${account}:classification-job/3ce05dbb7ec5505def334104bexample`;
            const exportArn = `arn:aws:macie2:us-east-1:${account}:export-configuration:*`;
            const put = (sourceArn: string, key = "macie-discovery-results/AWSLogs/x.jsonl.gz", sourceAccount = account) =>
                simulate(
                    {
                        principal: "macie.amazonaws.com",
                        action: "s3:PutObject",
                        resource: `${bucketArn}/${key}`,
                        resourceAccount: account,
                        context: {
                            "aws:SourceAccount": sourceAccount,
                            "aws:SourceArn": sourceArn,
                            "s3:TlsVersion": "1.2",
                            "s3:x-amz-server-side-encryption": "aws:kms",
                            "s3:x-amz-server-side-encryption-aws-kms-key-id": fakeKeys(cfg).dataLake.arn as string,
                        },
                    },
                    { resourcePolicy: doc },
                );
            assert.strictEqual(await put(jobArn), "Allowed");
            assert.strictEqual(await put(exportArn), "Allowed");
            assert.strictEqual(await put(jobArn.replace(account, OTHER_ACCOUNT), undefined, OTHER_ACCOUNT), "ImplicitlyDenied");
            assert.strictEqual(await put(jobArn, "elsewhere/x.jsonl.gz"), "ImplicitlyDenied");
            const locate = await simulate(
                { principal: "macie.amazonaws.com", action: "s3:GetBucketLocation", resource: bucketArn, resourceAccount: account, context: { "aws:SourceAccount": account, "aws:SourceArn": jobArn, "s3:TlsVersion": "1.2" } },
                { resourcePolicy: doc },
            );
            assert.strictEqual(locate, "Allowed");
        });
    });

    describe("classification job", () => {
        for (const [stack, frequency, expected] of [
            ["dev", undefined, { weeklySchedule: "SUNDAY" }],
            ["prod", undefined, { dailySchedule: true }],
            ["prod", "MONTHLY", { monthlySchedule: 1 }],
        ] as const) {
            it(`${stack}${frequency ? ` macieJobFrequency=${frequency}` : ""}: a SCHEDULED job selecting buckets by the PHI tag of this account`, async () => {
                const { rec, cfg } = await record(stack, "preview", {}, frequency ? { macieJobFrequency: frequency } : {});
                const job = one(rec, T.job, "macie-phi-discovery");
                const j = inputs(job);
                assert.strictEqual(j.jobType, "SCHEDULED");
                assert.deepStrictEqual(j.scheduleFrequency, expected);
                assert.strictEqual(j.initialRun, true);
                assert.deepStrictEqual(j.s3JobDefinition, {
                    bucketCriteria: {
                        includes: {
                            ands: [
                                { tagCriterion: { comparator: "EQ", tagValues: [{ key: "data-classification", value: "phi" }] } },
                                { simpleCriterion: { comparator: "EQ", key: "ACCOUNT_ID", values: [cfg.naming.accountId] } },
                            ],
                        },
                    },
                });
                assert.ok(job.dependencies.includes(one(rec, T.account, "macie-account").urn));
                assert.ok(job.dependencies.includes(one(rec, T.exportConfig, "macie-results-export").urn));
            });
        }

        it("its tag criterion selects exactly the buckets SecureBucket tags as PHI", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordProgram(
                async () => {
                    const base = { naming: cfg.naming, encryption: "kms" as const, kmsKey: fakeKeys(cfg).dataLake, lifecycle: cfg.dataLake.lifecycle.raw };
                    new SecureBucket("claims", { ...base, purpose: "claims", dataClassification: "phi" });
                    new SecureBucket("reports", { ...base, purpose: "reports", dataClassification: "confidential" });
                    new MacieDiscovery("macie", argsFor(cfg));
                },
                { mode: "preview", stack: "prod", context: { accountId: cfg.naming.accountId } },
            );
            const criterion = (inputs(one(rec, T.job, "macie-phi-discovery")).s3JobDefinition as {
                bucketCriteria: { includes: { ands: { tagCriterion?: { comparator: string; tagValues: { key: string; value: string }[] } }[] } };
            }).bucketCriteria.includes.ands.find((a) => a.tagCriterion)!.tagCriterion!;
            const tagsOf = (name: string) => inputs(one(rec, T.bucket, name)).tags as Record<string, string>;
            assert.strictEqual(tagCriterionSelects(criterion, tagsOf("claims-bucket")), true, "a new PHI bucket is covered without editing a list");
            assert.strictEqual(tagCriterionSelects(criterion, tagsOf("reports-bucket")), false);
            assert.strictEqual(tagCriterionSelects(criterion, tagsOf("macie-results-bucket")), false);

            // The pack's Macie coverage policy agrees: the PHI bucket is covered; without the component it is not.
            const withMacie = await runPack(rec, cfg, [s3MaciePhiDiscovery]);
            assert.deepStrictEqual(withMacie.mandatory, []);
            const bare = await recordProgram(
                async () => {
                    new SecureBucket("claims", { naming: cfg.naming, purpose: "claims", dataClassification: "phi", kmsKey: fakeKeys(cfg).dataLake, lifecycle: cfg.dataLake.lifecycle.raw });
                },
                { mode: "preview", stack: "prod", context: { accountId: cfg.naming.accountId } },
            );
            const without = await runPack(bare, cfg, [s3MaciePhiDiscovery]);
            assert.ok(without.mandatory.some((m) => /'claims-bucket'.*tagged data-classification=phi but no Macie classification job analyses it/.test(m)), without.mandatory.join("\n"));
        });
    });

    describe("medical record number identifier", () => {
        it("the configured regex becomes a custom data identifier near MRN keywords, used by the job", async () => {
            const { rec, cfg } = await record("prod", "up");
            const identifier = one(rec, T.identifier, "macie-mrn");
            const i = inputs(identifier);
            assert.strictEqual(i.regex, cfg.security.macie.medicalRecordNumberRegex);
            assert.deepStrictEqual(i.keywords, ["MRN", "medical record", "med rec", "patient id", "chart number"]);
            assert.strictEqual(i.maximumMatchDistance, 50);
            assert.strictEqual(i.name, "hdp-prod-macie-medical-record-number");
            assert.deepStrictEqual(inputs(one(rec, T.job, "macie-phi-discovery")).customDataIdentifierIds, [identifier.id]);
            assert.ok(identifier.dependencies.includes(one(rec, T.account, "macie-account").urn));
            const re = new RegExp(String(i.regex));
            assert.ok(re.test("Patient MRN-00123456 admitted"), "the default regex finds an MRN");
            assert.ok(!re.test("invoice 00123456"), "a bare number is not an MRN");
        });

        it("an empty regex creates no identifier and the job uses only Macie's managed identifiers", async () => {
            const cfg = platformConfig("dev");
            const { rec } = await record("dev", "preview", { macie: { ...cfg.security.macie, medicalRecordNumberRegex: "" } });
            assert.deepStrictEqual(ofType(rec, T.identifier), []);
            assert.strictEqual(inputs(one(rec, T.job, "macie-phi-discovery")).customDataIdentifierIds, undefined);
        });

    });

    describe("keys engineer's data-lake key policy serves exactly this account's Macie (evaluated)", () => {
        it("macie.amazonaws.com encrypts results for this account's jobs only; Macie's service-linked role decrypts only through S3", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordWithKeys(cfg, "prod", "preview", (keys) => {
                new MacieDiscovery("macie", argsFor(cfg, keys));
            });
            const keyPolicy = policyDocument(one(rec, T.kmsKey, "keys-data-lake"));
            const account = cfg.naming.accountId;
            const key = `arn:aws:kms:us-east-1:${account}:key/00000000-1111-4222-8333-444444444444`;
            const encrypt = (sourceArn: string, sourceAccount = account) =>
                simulate(
                    { principal: "macie.amazonaws.com", action: "kms:GenerateDataKey", resource: key, resourceAccount: account, context: { "aws:SourceAccount": sourceAccount, "aws:SourceArn": sourceArn } },
                    { resourcePolicy: keyPolicy },
                );
            assert.strictEqual(await encrypt(`arn:aws:macie2:us-east-1:${account}:classification-job/abc`), "Allowed");
            assert.strictEqual(await encrypt(`arn:aws:macie2:us-east-1:${account}:export-configuration:*`), "Allowed");
            assert.strictEqual(await encrypt(`arn:aws:macie2:us-east-1:${OTHER_ACCOUNT}:classification-job/abc`, OTHER_ACCOUNT), "ImplicitlyDenied");
            const slr = `arn:aws:iam::${account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`;
            const decrypt = (via: string) =>
                simulate(
                    { principal: slr, action: "kms:Decrypt", resource: key, resourceAccount: account, context: { "kms:ViaService": via, "kms:CallerAccount": account } },
                    { resourcePolicy: keyPolicy, identityPolicy: { Version: "2012-10-17", Statement: [] } },
                );
            assert.strictEqual(await decrypt("s3.us-east-1.amazonaws.com"), "Allowed");
            assert.strictEqual(await decrypt("secretsmanager.us-east-1.amazonaws.com"), "ImplicitlyDenied");
        });
    });

    describe("component hygiene", () => {
        it("every resource is parented under the component (the bucket's side resources under its SecureBucket)", async () => {
            const { rec } = await record("prod", "preview");
            const component = one(rec, T.component, "macie");
            const all = descendants(rec, component.urn);
            assert.strictEqual(all.length, rec.resources.length - 2);
            const bucket = one(rec, T.secureBucket, "macie-results");
            for (const r of all) {
                assert.ok([component.urn, bucket.urn].includes(r.parent as string), r.name);
            }
        });

        it("two instances register no colliding URN, bucket, job or identifier name", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordProgram(
                async () => {
                    new MacieDiscovery("macie", argsFor(cfg));
                    new MacieDiscovery("macie-eu", argsFor(cfg));
                },
                { mode: "preview", stack: "prod", context: { accountId: cfg.naming.accountId } },
            );
            const urns = rec.resources.map((r) => r.urn);
            assert.strictEqual(new Set(urns).size, urns.length);
            for (const [type, prop] of [[T.bucket, "bucket"], [T.job, "name"], [T.identifier, "name"]] as const) {
                const names = ofType(rec, type).map((r) => String(inputs(r)[prop]));
                assert.strictEqual(new Set(names).size, 2, `${type}: ${names.join(", ")}`);
            }
        });
    });

    describe("policy pack over the whole security baseline as composed (keys, network, storage, trail, monitoring, Macie, guardrails, access)", () => {
        for (const stack of ["dev", "prod"] as const) {
            for (const mode of ["preview", "up"] as const) {
                it(`${stack} ${mode}: no mandatory violation, nothing skipped at preview`, async () => {
                    const cfg = platformConfig(stack);
                    const context = contextOf(cfg);
                    // The baseline as index.ts composes it: keys, network, the lake (with the stores), then security.
                    const rec = await recordProgram(
                        async () => {
                            const keys = composeKeys(cfg, { context }).refs;
                            const network = composeNetwork(cfg, { context, keys }).refs;
                            const { dataLake } = composeStorage(cfg, { context, keys, network });
                            composeSecurity(cfg, { context, keys, dataLake });
                        },
                        { mode, stack, context: { accountId: cfg.naming.accountId } },
                    );
                    const verdict = await runPack(rec, cfg);
                    assert.deepStrictEqual(verdict.mandatory, []);
                    assert.deepStrictEqual(verdict.previewSkipped, []);
                    // Advisories on this area's resources: only dev's 14-day operational log retention (logRetentionDays).
                    const ours = verdict.advisory.filter((m) => /"(network|audit|monitoring|macie|guardrails)-/.test(m));
                    assert.deepStrictEqual(ours.map((m) => m.replace(/:.*? "([^"]+)".*/, ": $1")), stack === "dev" ? ["log-retention-minimum: network-flow-logs"] : []);
                });
            }
        }
    });
    it("under an organisation's delegated administrator, creates no Macie account (the administrator enabled it) and still runs the job", async () => {
        const { rec, cfg } = await record("prod", "preview", {}, { securityDelegatedAdministrator: true });
        assert.strictEqual(cfg.security.delegatedAdministrator, true);
        assert.deepStrictEqual(ofType(rec, "aws:macie2/account:Account"), []);
        const job = one(rec, T.job, "macie-phi-discovery");
        assert.ok(!rec.resources.some((r) => r.type === "aws:macie2/account:Account" && job.dependencies.includes(r.urn)));
        const own = await record("prod", "preview");
        assert.strictEqual(ofType(own.rec, "aws:macie2/account:Account").length, 1, "the account's own Macie by default");
    });
});
