import * as assert from "assert";
import { CONFIG_RECORDER, CONFIG_RECORDER_STATUS, configRecorderForPhi as policy } from "../../../policy-pack/policies/controls/config-recorder-for-phi";
import { FakeProvider, FakeStackResource, messages, UNKNOWN, validateStack } from "../helpers";

const BUCKET = "aws:s3/bucket:Bucket";
const TABLE = "aws:dynamodb/table:Table";
const EAST: FakeProvider = { props: { region: "us-east-1" } };
/** The platform's provider: every resource carries data-classification=phi unless it says otherwise. */
const PLATFORM: FakeProvider = { props: { region: "us-east-1", defaultTags: JSON.stringify({ tags: { "data-classification": "phi", environment: "prod" } }) } };

const phiBucket: FakeStackResource = { type: BUCKET, name: "raw", props: { bucket: "hdp-prod-raw", tags: { "data-classification": "phi" } }, provider: EAST };
const recorder = (extra: Partial<FakeStackResource> = {}): FakeStackResource => ({ type: CONFIG_RECORDER, name: "compliance-recorder", props: { name: "hdp-prod-compliance-recorder", roleArn: "arn:aws:iam::345678901234:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig" }, provider: EAST, ...extra });
const status = (isEnabled: unknown, extra: Partial<FakeStackResource> = {}): FakeStackResource => ({ type: CONFIG_RECORDER_STATUS, name: "compliance-recorder-status", props: { name: "hdp-prod-compliance-recorder", isEnabled }, provider: EAST, ...extra });

const FIX =
    "so changes made after the deploy (console, scripts, resources created outside Pulumi) are neither recorded nor evaluated. Fix: add the " +
    "ComplianceMonitoring component (aws.cfg.Recorder, DeliveryChannel and RecorderStatus with isEnabled: true), or set this policy's " +
    "configRecorderManagedElsewhere: true if the organisation's AWS Config delegated administrator records this account.";

describe("config-recorder-for-phi", () => {
    it("reports a stack with a PHI-tagged bucket and no configuration recorder", async () => {
        assert.deepStrictEqual(messages(await validateStack(policy, [phiBucket])), [
            `The stack holds 1 PHI-tagged resource(s) in us-east-1 (s3.Bucket "raw") but no aws.cfg.Recorder is declared, ${FIX}`,
        ]);
    });

    it("finds PHI data stores through the provider's defaultTags, and a resource's own tag overrides them", async () => {
        const table: FakeStackResource = { type: TABLE, name: "metadata", props: { name: "hdp-prod-metadata" }, provider: PLATFORM };
        const auditBucket: FakeStackResource = { type: BUCKET, name: "audit", props: { bucket: "hdp-prod-audit", tags: { "data-classification": "confidential" } }, provider: PLATFORM };
        assert.deepStrictEqual(messages(await validateStack(policy, [table, auditBucket])), [
            `The stack holds 1 PHI-tagged resource(s) in us-east-1 (dynamodb.Table "metadata") but no aws.cfg.Recorder is declared, ${FIX}`,
        ]);
        // The audit bucket alone is not PHI: its own tag wins over the provider default.
        assert.deepStrictEqual((await validateStack(policy, [auditBucket])).notApplicable, ["The stack holds no bucket or data store tagged data-classification=phi."]);
    });

    it("passes when a recorder is declared and started in the region", async () => {
        assert.deepStrictEqual(await validateStack(policy, [phiBucket, recorder(), status(true)]), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("reports a recorder that is never started or is stopped: it records nothing", async () => {
        assert.deepStrictEqual(messages(await validateStack(policy, [phiBucket, recorder()])), [
            `The stack holds 1 PHI-tagged resource(s) in us-east-1 (s3.Bucket "raw") but aws.cfg.Recorder "compliance-recorder" is declared but never started (no aws.cfg.RecorderStatus with isEnabled: true), ${FIX}`,
        ]);
        assert.deepStrictEqual(messages(await validateStack(policy, [phiBucket, recorder(), status(false)])), [
            `The stack holds 1 PHI-tagged resource(s) in us-east-1 (s3.Bucket "raw") but aws.cfg.RecorderStatus "compliance-recorder-status" has isEnabled: false, so the recorder is stopped, ${FIX}`,
        ]);
    });

    it("judges each region on its own: a recorder in another region does not record this one", async () => {
        const west = { props: { region: "us-west-2" } };
        const westBucket: FakeStackResource = { ...phiBucket, name: "replica", props: { bucket: "hdp-prod-replica", tags: { "data-classification": "PHI" } }, provider: west };
        const verdict = await validateStack(policy, [phiBucket, westBucket, recorder(), status(true)]);
        assert.deepStrictEqual(messages(verdict), [`The stack holds 1 PHI-tagged resource(s) in us-west-2 (s3.Bucket "replica") but no aws.cfg.Recorder is declared, ${FIX}`]);
        // A v7 resource's own region input counts as its region.
        const ownRegion = await validateStack(policy, [phiBucket, recorder({ props: { roleArn: "r", region: "us-west-2" } }), status(true, { props: { isEnabled: true, region: "us-west-2" } })]);
        assert.strictEqual(ownRegion.violations.length, 1);
        assert.match(ownRegion.violations[0].message, /in us-east-1 \(s3\.Bucket "raw"\) but no aws\.cfg\.Recorder is declared/);
    });

    it("lists five PHI resources and counts the rest", async () => {
        const many = Array.from({ length: 7 }, (_, i): FakeStackResource => ({ type: TABLE, name: `t${i}`, props: { tags: { "data-classification": "phi" } }, provider: EAST }));
        const [message] = messages(await validateStack(policy, many));
        assert.match(message, /^The stack holds 7 PHI-tagged resource\(s\) in us-east-1 \(dynamodb\.Table "t0", dynamodb\.Table "t1", dynamodb\.Table "t2", dynamodb\.Table "t3", dynamodb\.Table "t4" and 2 more\)/);
    });

    it("is not applicable when the delegated administrator records the account (Macie pattern), or without PHI", async () => {
        const managed = await validateStack(policy, [phiBucket], { config: { configRecorderManagedElsewhere: true } });
        assert.deepStrictEqual(managed, {
            violations: [],
            notApplicable: ["Pack config configRecorderManagedElsewhere: true: the organisation's AWS Config delegated administrator records this account."],
            previewSkipped: [],
        });
        const internal: FakeStackResource = { type: BUCKET, name: "assets", props: { tags: { "data-classification": "internal" } }, provider: EAST };
        assert.deepStrictEqual((await validateStack(policy, [internal, { type: "aws:sqs/queue:Queue", name: "q", provider: PLATFORM }])).notApplicable, [
            "The stack holds no bucket or data store tagged data-classification=phi.",
        ]);
    });

    it("uses the configured tag key and values", async () => {
        const tagged: FakeStackResource = { type: TABLE, name: "claims", props: { tags: { sensitivity: "ePHI" } }, provider: EAST };
        assert.strictEqual((await validateStack(policy, [tagged])).notApplicable.length, 1);
        assert.strictEqual((await validateStack(policy, [tagged], { config: { phiTagKey: "sensitivity", phiTagValues: ["ephi"] } })).violations.length, 1);
        await assert.rejects(validateStack(policy, [tagged], { config: { phiTagValues: "phi" } }), /policy config-recorder-for-phi: config phiTagValues must be a list of strings; got "phi"/);
        await assert.rejects(validateStack(policy, [tagged], { config: { configRecorderManagedElsewhere: "yes" } }), /config configRecorderManagedElsewhere must be a boolean; got "yes"/);
    });

    it("at preview: an unknown recorder status or unknown tags are reported as undecided, never as a pass or a violation", async () => {
        const undecided = await validateStack(policy, [phiBucket, recorder(), status(UNKNOWN)]);
        assert.deepStrictEqual(undecided.violations, []);
        assert.deepStrictEqual(undecided.previewSkipped, ["'config-recorder-for-phi' depends on values not known until apply: whether the recorder in us-east-1 is started (RecorderStatus.isEnabled)."]);
        const unknownTags: FakeStackResource = { type: TABLE, name: "t", props: { tags: UNKNOWN }, provider: EAST };
        assert.deepStrictEqual((await validateStack(policy, [unknownTags])).previewSkipped, [
            "'config-recorder-for-phi' depends on values not known until apply: the data-classification tag of dynamodb.Table \"t\".",
        ]);
        // A known PHI resource is judged even when another resource's tags are unknown.
        assert.strictEqual((await validateStack(policy, [phiBucket, unknownTags])).violations.length, 1);
    });
});
