import * as assert from "assert";
import { requiredTags as policy } from "../../../policy-pack/policies/controls/required-tags";
import { FakeStackResource, messages, UNKNOWN, urnOf, validateStack } from "../helpers";

const ALL = { "data-classification": "phi", owner: "data-platform", environment: "dev" };
const provider = (name: string, defaultTags: unknown): FakeStackResource => ({ type: "pulumi:providers:aws", name, props: { region: "us-east-1", defaultTags } });

describe("required-tags", () => {
    it("passes resources tagged directly or through their provider's defaultTags (JSON string or object)", async () => {
        const v = await validateStack(policy, [
            provider("default_7_48_0", JSON.stringify({ tags: { owner: "data-platform", environment: "dev" } })),
            provider("eu", { tags: ALL }),
            { type: "aws:s3/bucket:Bucket", name: "raw", props: { tags: { "data-classification": "phi" } }, providerRef: "default_7_48_0" },
            { type: "aws:sqs/queue:Queue", name: "jobs", props: {}, providerRef: "eu" },
            { type: "aws:dynamodb/table:Table", name: "t", props: { tags: ALL } },
        ]);
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("uses the stack's default provider for resources without a provider reference", async () => {
        const v = await validateStack(policy, [provider("default_7_48_0", JSON.stringify({ tags: ALL })), { type: "aws:kms/key:Key", name: "k", props: {} }]);
        assert.deepStrictEqual(v.violations, []);
    });

    it("fails missing and empty tags, naming the resource, the keys and the fix, with its URN", async () => {
        const v = await validateStack(policy, [
            provider("default_7_48_0", JSON.stringify({ tags: { environment: "dev" } })),
            { type: "aws:rds/instance:Instance", name: "db", props: { tags: { owner: "" } }, providerRef: "default_7_48_0" },
        ]);
        assert.deepStrictEqual(v.violations, [
            {
                message: 'rds.Instance "db" is missing required tags data-classification, owner (its provider\'s defaultTags included): add them to tags or to the provider\'s defaultTags.',
                urn: urnOf("aws:rds/instance:Instance", "db"),
            },
        ]);
    });

    it("counts tagsAll (recorded after update) and tags whose values are unknown at preview", async () => {
        const v = await validateStack(policy, [
            { type: "aws:sns/topic:Topic", name: "a", props: { tagsAll: ALL } },
            { type: "aws:sns/topic:Topic", name: "b", props: { tags: { "data-classification": UNKNOWN, owner: UNKNOWN, environment: "dev" } } },
        ]);
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("ignores types that cannot be tagged and non-AWS resources, and honours configured keys", async () => {
        const stack: FakeStackResource[] = [
            { type: "aws:s3/bucketPolicy:BucketPolicy", name: "bp", props: { policy: "{}" } },
            { type: "healthcare:storage:PhiBucket", name: "component", props: {} },
            { type: "aws:sqs/queue:Queue", name: "q", props: { tags: { team: "x" } } },
        ];
        assert.deepStrictEqual(messages(await validateStack(policy, stack)).map((m) => m.split(" is missing")[0]), ['sqs.Queue "q"']);
        assert.deepStrictEqual((await validateStack(policy, stack, { config: { requiredTags: ["team"] } })).violations, []);
    });

    it("treats an aws resource of a newer type as taggable when it carries tags", async () => {
        const v = await validateStack(policy, [{ type: "aws:newservice/thing:Thing", name: "n", props: { tags: { owner: "x" } } }]);
        assert.match(messages(v)[0], /newservice\.Thing "n" is missing required tags data-classification, environment/);
    });

    it("lets the SDK report a tag map that is unknown at preview instead of raising a false alarm", async () => {
        const v = await validateStack(policy, [{ type: "aws:sqs/queue:Queue", name: "q", props: { tags: UNKNOWN } }, { type: "aws:sqs/queue:Queue", name: "r", props: {} }]);
        assert.deepStrictEqual(messages(v).map((m) => m.split(" is missing")[0]), ['sqs.Queue "r"']);
        assert.deepStrictEqual(v.previewSkipped, ["string value at .tags can't be known during preview"]);
    });

    it("is not applicable to a stack without taggable AWS resources", async () => {
        assert.deepStrictEqual((await validateStack(policy, [provider("default_7_48_0", undefined)])).notApplicable, ["The stack has no taggable AWS resources."]);
    });
});
