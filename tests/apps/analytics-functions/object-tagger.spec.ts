import * as assert from "assert";
import { GetObjectTaggingCommand, PutObjectTaggingCommand, Tag } from "@aws-sdk/client-s3";
import { customerOfKey, mergedTags, ObjectCreatedEvent, TaggerS3, tagObject } from "../../../apps/analytics-functions/object-tagger";

/** An S3 stand-in that keeps tag sets per bucket/key/version and records every command it is sent. */
class TagStore implements TaggerS3 {
    readonly sent: (GetObjectTaggingCommand | PutObjectTaggingCommand)[] = [];
    constructor(private readonly tags: Record<string, Tag[]> = {}) {}
    send(command: GetObjectTaggingCommand): Promise<{ TagSet?: Tag[] }>;
    send(command: PutObjectTaggingCommand): Promise<unknown>;
    async send(command: GetObjectTaggingCommand | PutObjectTaggingCommand): Promise<unknown> {
        this.sent.push(command);
        const id = `${command.input.Bucket}/${command.input.Key}@${command.input.VersionId}`;
        if (command instanceof PutObjectTaggingCommand) {
            this.tags[id] = command.input.Tagging?.TagSet ?? [];
            return {};
        }
        return { TagSet: this.tags[id] ?? [] };
    }
    tagsOf(bucket: string, key: string, version: string): Tag[] | undefined {
        return this.tags[`${bucket}/${key}@${version}`];
    }
}

const event = (key: string, version = "v1"): ObjectCreatedEvent => ({ "detail-type": "Object Created", detail: { bucket: { name: "hdp-dev-curated" }, object: { key, "version-id": version } } });
const CUSTOMERS = ["st-marys", "northside-clinic"];

describe("components/analytics/functions/object-tagger", () => {
    it("reads the customer from the key's customer prefix (also URL-encoded), and nothing else", () => {
        assert.strictEqual(customerOfKey("customer=st-marys/source=stream/year=2026/x.parquet"), "st-marys");
        assert.strictEqual(customerOfKey("exports/customer=northside-clinic/2026-01-01.csv"), "northside-clinic");
        assert.strictEqual(customerOfKey("customer%3Dst-marys/source%3Dstream/x.parquet"), "st-marys");
        assert.strictEqual(customerOfKey("athena/hdp-dev-analytics/q.csv"), undefined);
        assert.strictEqual(customerOfKey("errors/customer=st-marys/x"), undefined, "only at the start of the key");
        assert.strictEqual(customerOfKey("customer=St_Marys/x"), undefined, "not a tag-safe id");
    });

    it("sets the key's customer over a disagreeing tag and keeps other tags", () => {
        assert.deepStrictEqual(mergedTags([{ Key: "customer", Value: "northside-clinic" }, { Key: "source", Value: "lab" }], "st-marys"), [
            { Key: "source", Value: "lab" },
            { Key: "customer", Value: "st-marys" },
        ]);
        assert.strictEqual(mergedTags([{ Key: "customer", Value: "st-marys" }], "st-marys"), undefined);
    });

    it("tags the exact object version Firehose, Glue or EMR created", async () => {
        const s3 = new TagStore();
        const outcome = await tagObject(s3, event("customer=st-marys/source=stream/part-1.parquet", "v7"), CUSTOMERS);
        assert.deepStrictEqual(outcome, { action: "tagged", customer: "st-marys" });
        assert.deepStrictEqual(s3.tagsOf("hdp-dev-curated", "customer=st-marys/source=stream/part-1.parquet", "v7"), [{ Key: "customer", Value: "st-marys" }]);
        assert.deepStrictEqual(
            s3.sent.map((c) => [c.constructor.name, c.input.VersionId]),
            [
                ["GetObjectTaggingCommand", "v7"],
                ["PutObjectTaggingCommand", "v7"],
            ],
        );
    });

    it("leaves objects of unconfigured customers and keys without a customer untagged (customers are refused them)", async () => {
        const s3 = new TagStore();
        assert.deepStrictEqual(await tagObject(s3, event("customer=unknown-clinic/x.parquet"), CUSTOMERS), {
            action: "skipped",
            reason: "customer 'unknown-clinic' is not configured: s3://hdp-dev-curated/customer=unknown-clinic/x.parquet stays untagged",
        });
        assert.strictEqual((await tagObject(s3, event("athena/q.csv"), CUSTOMERS)).action, "skipped");
        assert.deepStrictEqual(s3.sent, []);
    });

    it("does not rewrite a tag that is already right", async () => {
        const s3 = new TagStore({ "hdp-dev-curated/customer=st-marys/a.parquet@v1": [{ Key: "customer", Value: "st-marys" }] });
        assert.deepStrictEqual(await tagObject(s3, event("customer=st-marys/a.parquet"), CUSTOMERS), { action: "unchanged", customer: "st-marys" });
        assert.strictEqual(s3.sent.length, 1);
    });
});
