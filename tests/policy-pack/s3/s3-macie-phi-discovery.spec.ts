import * as assert from "assert";
import { s3MaciePhiDiscovery as policy } from "../../../policy-pack/policies/s3/s3-macie-phi-discovery";
import { FakeStackResource, messages, UNKNOWN, validateStack } from "../helpers";
import { AWS_PROVIDER, bucketSet, compliantStack, DATA_NAME, kmsKey, LOGS_NAME, macieAccount, macieJob, SHAPES, T, without } from "./fixtures";

const CLEAN = { violations: [], notApplicable: [], previewSkipped: [] };
const RAW_URN = "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucket:Bucket::raw";

function job(s3JobDefinition: unknown, extra: Record<string, unknown> = {}): FakeStackResource {
    return macieJob({ s3JobDefinition, ...extra });
}
const tagJob = (value: string, comparator = "EQ") => ({ bucketCriteria: { includes: { ands: [{ tagCriterion: { comparator, tagValues: [{ key: "data-classification", value }] } }] } } });

/** KMS key, an enabled Macie account, the PHI bucket `raw` (PHI through the provider's defaultTags) and `jobs`. */
function stack(jobs: FakeStackResource[], opts: { tags?: Record<string, string>; preview?: boolean } = {}): FakeStackResource[] {
    return [kmsKey(opts.preview), macieAccount(), ...jobs, ...bucketSet("raw", DATA_NAME, { tags: opts.tags, preview: opts.preview })];
}

describe("s3-macie-phi-discovery", () => {
    for (const shape of SHAPES) {
        it(`passes a ${shape} PHI bucket covered by a scheduled tag-based job, in up and at preview`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape)), CLEAN);
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape, true)), CLEAN);
        });
    }

    it("fails a stack with buckets and no Macie account, at stack level, naming the buckets and the fix", async () => {
        const v = await validateStack(policy, without(compliantStack("v7"), "macie"));
        assert.deepStrictEqual(v.violations, [
            {
                message:
                    "Macie is not enabled for 2 S3 bucket(s) in this stack: 'access-logs' (us-east-1), 'raw' (us-east-1). Fix: add an aws.macie2.Account with status " +
                    '"ENABLED" (one per region holding buckets), or set this policy\'s config macieDelegatedAdministrator: true if the organisation\'s Macie ' +
                    "delegated administrator manages this account.",
                urn: undefined,
            },
        ]);
    });

    it("accepts an Account without status (the API default is ENABLED) and an aws-native Macie session; fails a PAUSED account on its URN", async () => {
        const base = without(compliantStack("v7"), "macie");
        assert.deepStrictEqual(await validateStack(policy, [...base, macieAccount(undefined)]), CLEAN);
        const session: FakeStackResource = { type: T.macieSession, name: "macie-session", props: { status: "ENABLED" }, provider: { type: "pulumi:providers:aws-native", props: { region: "us-east-1" } } };
        assert.deepStrictEqual(await validateStack(policy, [...base, session]), CLEAN);
        const paused = await validateStack(policy, [...base, macieAccount("PAUSED")]);
        assert.strictEqual(paused.violations.length, 1);
        assert.match(paused.violations[0].message, /Macie account resource\(s\) 'macie' are not ENABLED/);
        assert.strictEqual(paused.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:macie2/account:Account::macie");
    });

    it("fails when Macie is enabled only in another region than the buckets", async () => {
        const elsewhere = { ...macieAccount(), props: { status: "ENABLED", region: "us-west-2" } };
        const v = await validateStack(policy, [...without(compliantStack("v7"), "macie"), elsewhere]);
        assert.match(messages(v)[0], /^Macie is not enabled for 2 S3 bucket\(s\)/);
    });

    it("accepts a delegated administrator from config instead of an Account resource", async () => {
        const v = await validateStack(policy, without(compliantStack("v7"), "macie"), { config: { macieDelegatedAdministrator: true } });
        assert.deepStrictEqual(v, CLEAN);
    });

    describe("PHI coverage near misses fail on the bucket, with the reason and the fix", () => {
        const cases: [string, FakeStackResource[], RegExp][] = [
            ["no classification job", [], /no Macie classification job analyses it: the stack has no aws\.macie2\.ClassificationJob/],
            ["a ONE_TIME job", [macieJob({ jobType: "ONE_TIME" })], /job 'phi-discovery' is ONE_TIME, not SCHEDULED, so objects added after its run are never analysed/],
            ["a cancelled job", [macieJob({ jobStatus: "CANCELLED" })], /job 'phi-discovery' is CANCELLED/],
            ["a tag value that differs in case (Macie matches exactly)", [job(tagJob("PHI"))], /bucket criteria do not select the bucket \(tag criteria match exact, case-sensitive key\/value pairs\)/],
            ["an explicit list of other buckets", [job({ bucketDefinitions: [{ accountId: "111122223333", buckets: ["hdp-dev-other"] }] })], /1 job\(s\) with an explicit bucket list do not list it/],
            ["excludes that match the bucket", [job({ bucketCriteria: { ...tagJob("phi").bucketCriteria, excludes: { ands: [{ simpleCriterion: { comparator: "STARTS_WITH", key: "S3_BUCKET_NAME", values: ["hdp-dev-raw"] } }] } } })], /job 'phi-discovery' excludes the bucket/],
            ["a NE tag criterion", [job(tagJob("phi", "NE"))], /bucket criteria do not select the bucket/],
            ["a criterion that cannot be judged before the bucket exists", [job({ bucketCriteria: { includes: { ands: [{ simpleCriterion: { comparator: "EQ", key: "S3_BUCKET_SHARED_ACCESS", values: ["NOT_SHARED"] } }] } } })], /criterion S3_BUCKET_SHARED_ACCESS cannot be judged before the bucket exists/],
            ["a job in another region", [macieJob({ region: "eu-west-1" })], /job 'phi-discovery' runs in eu-west-1, the bucket is in us-east-1/],
        ];
        for (const [title, jobs, expected] of cases) {
            it(title, async () => {
                const v = await validateStack(policy, stack(jobs));
                assert.strictEqual(v.violations.length, 1, JSON.stringify(v));
                assert.match(v.violations[0].message, /^S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\) is tagged data-classification=phi but no Macie classification job analyses it: /);
                assert.match(v.violations[0].message, expected);
                assert.match(v.violations[0].message, /Fix: add an aws\.macie2\.ClassificationJob with jobType "SCHEDULED"/);
                assert.strictEqual(v.violations[0].urn, RAW_URN);
            });
        }
    });

    it("accepts the other ways a job can select the bucket", async () => {
        const jobs: FakeStackResource[][] = [
            [job({ bucketDefinitions: [{ accountId: "111122223333", buckets: ["hdp-dev-other", DATA_NAME] }] })],
            [job({ bucketCriteria: { includes: { ands: [{ simpleCriterion: { comparator: "STARTS_WITH", key: "S3_BUCKET_NAME", values: ["hdp-dev-"] } }, { simpleCriterion: { comparator: "EQ", key: "ACCOUNT_ID", values: ["111122223333"] } }] } } })],
            [job({ bucketCriteria: { ...tagJob("phi").bucketCriteria, excludes: { ands: [{ tagCriterion: { comparator: "EQ", tagValues: [{ key: "data-zone", value: "scratch" }] } }] } } })],
            [job({ bucketCriteria: { includes: { ands: [{ tagCriterion: { comparator: "EQ", tagValues: [{ key: "data-classification" }] } }] } } })],
            [macieJob({ jobStatus: "CANCELLED", name: "old" }), { ...macieJob(), name: "current" }],
        ];
        for (const j of jobs) {
            assert.deepStrictEqual(await validateStack(policy, stack(j)), CLEAN, JSON.stringify(j));
        }
    });

    it("finds PHI buckets through the provider's defaultTags, lets a bucket tag override them, and compares values case-insensitively", async () => {
        // The access-log bucket overrides data-classification=confidential: not PHI, no job needed.
        const logsOnly = [macieAccount(), ...bucketSet("access-logs", LOGS_NAME, { sse: "sse-s3", tags: { "data-classification": "confidential" } })];
        assert.deepStrictEqual(await validateStack(policy, logsOnly), CLEAN);
        // A bucket tagged "PHI" is PHI; the job's exact "phi" criterion does not match it in Macie.
        const upper = await validateStack(policy, stack([macieJob()], { tags: { "data-classification": "PHI" } }));
        assert.match(messages(upper)[0], /is tagged data-classification=PHI but no Macie classification job analyses it/);
        const custom = await validateStack(policy, stack([], { tags: { sensitivity: "restricted" } }), { config: { phiTagKey: "sensitivity", phiTagValues: ["restricted", "phi"] } });
        assert.match(messages(custom)[0], /is tagged sensitivity=restricted/);
    });

    it("config: automatedSensitiveDataDiscovery covers PHI buckets; requireScheduledJob false accepts a ONE_TIME job", async () => {
        assert.deepStrictEqual(await validateStack(policy, stack([]), { config: { automatedSensitiveDataDiscovery: true } }), CLEAN);
        assert.deepStrictEqual(await validateStack(policy, stack([macieJob({ jobType: "ONE_TIME" })]), { config: { requireScheduledJob: false } }), CLEAN);
        await assert.rejects(validateStack(policy, stack([]), { config: { phiTagValues: "phi" } }), /config phiTagValues must be a list of non-empty strings; got "phi"/);
    });

    it("reports exempt buckets with their reason and is not applicable without buckets", async () => {
        const v = await validateStack(policy, stack([]), { config: { exemptions: [{ bucketPattern: "hdp-dev-raw-*", reason: "synthetic test data only (ticket SEC-7)" }] } });
        assert.deepStrictEqual(v.violations, []);
        assert.deepStrictEqual(v.notApplicable, ["S3 bucket 'raw' (hdp-dev-raw-111122223333-us-east-1) is exempt by pack config (pattern 'hdp-dev-raw-*'): synthetic test data only (ticket SEC-7)"]);
        assert.match((await validateStack(policy, [macieAccount()])).notApplicable[0], /^The stack has no S3 buckets/);
    });

    it("at preview, credits an explicit bucket list whose names are unknown through the job's property dependency", async () => {
        const listed: FakeStackResource = { ...job({ bucketDefinitions: [{ accountId: "111122223333", buckets: [UNKNOWN] }] }), propertyDependencies: { s3JobDefinition: ["raw"] } };
        assert.deepStrictEqual(await validateStack(policy, stack([listed], { preview: true })), CLEAN);
        const noDependency = await validateStack(policy, stack([{ ...listed, propertyDependencies: {} }], { preview: true }));
        assert.deepStrictEqual(noDependency.violations, []);
        assert.match(noDependency.previewSkipped[0], /S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): the classification jobs that may cover it hold values not known until apply/);
    });

    it("at preview, reports unknown tags and an unknown account status instead of guessing", async () => {
        const tagsUnknown = stack([macieJob()], { preview: true }).map((r) => (r.name === "raw" ? { ...r, props: { ...r.props, tags: UNKNOWN } } : r));
        const v = await validateStack(policy, tagsUnknown);
        assert.deepStrictEqual(v.violations, []);
        assert.match(v.previewSkipped[0], /S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): its 'data-classification' tag is not known until apply/);
        const statusUnknown = stack([macieJob()]).map((r) => (r.name === "macie" ? { ...r, props: { status: UNKNOWN } } : r));
        assert.match((await validateStack(policy, statusUnknown)).previewSkipped[0], /the status of the Macie account in its region is not known until apply/);
    });

    it("keeps provider defaultTags given as an object as well as JSON text", async () => {
        const objectTags = stack([]).map((r) => (r.provider === AWS_PROVIDER ? { ...r, provider: { props: { region: "us-east-1", defaultTags: { tags: { "data-classification": "phi" } } } } } : r));
        assert.match(messages(await validateStack(policy, objectTags))[0], /is tagged data-classification=phi/);
    });
});
