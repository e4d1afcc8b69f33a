import * as assert from "assert";
import type { RecordedResource } from "../../../tools/offline/recorder";
import { buildArchitecture, wrap } from "../../../tools/report/diagram";

const STACK = "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod";
const urn = (type: string, name: string) => `urn:pulumi:prod::p::${type}::${name}`;
function res(type: string, name: string, parent: string, inputs: Record<string, unknown> = {}, extra: Partial<RecordedResource> = {}): RecordedResource {
    const custom = !type.startsWith("healthcare:");
    return {
        urn: urn(type, name), type, name, parent, custom, remote: false, inputs, outputs: {}, dependencies: [], propertyDependencies: {},
        options: { protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, replaceOnChanges: [], aliases: [], additionalSecretOutputs: [] },
        ...extra,
    };
}

/** A lake of two zones, a streaming path into one of them, and a key: the smallest recording with one flow. */
function recording(firehoseInputs: Record<string, unknown>): RecordedResource[] {
    const lake = res("healthcare:storage:DataLake", "lake", STACK);
    const landing = res("healthcare:storage:SecureBucket", "lake-landing", lake.urn);
    const raw = res("healthcare:storage:SecureBucket", "lake-raw", lake.urn);
    const keys = res("healthcare:security:PlatformKeys", "keys", STACK);
    const key = res("aws:kms/key:Key", "keys-data-lake", keys.urn);
    const ingest = res("healthcare:ingestion:StreamingIngestion", "stream", STACK);
    return [
        res("pulumi:pulumi:Stack", "p-prod", ""),
        lake, landing, raw, keys, key, ingest,
        res("aws:s3/bucket:Bucket", "lake-landing-bucket", landing.urn, { bucket: "hdp-landing-1", tags: { "data-zone": "landing" } }, { id: "hdp-landing-1" }),
        res("aws:s3/bucket:Bucket", "lake-raw-bucket", raw.urn, { bucket: "hdp-raw-1", tags: { "data-zone": "raw" } }, { id: "hdp-raw-1" }),
        res("aws:kinesis/stream:Stream", "stream-s", ingest.urn, { kmsKeyId: "k" }, { propertyDependencies: { kmsKeyId: [key.urn] } }),
        res("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "stream-f", ingest.urn, firehoseInputs),
    ];
}

describe("tools/report/diagram: data flows from recorded references", () => {
    it("draws the Firehose's destination bucket as a flow into that zone, with the stream's key as a badge", () => {
        const a = buildArchitecture(recording({ extendedS3Configuration: { bucketArn: "arn:aws:s3:::hdp-raw-1" } }));
        assert.deepStrictEqual(a.flows.map((f) => [f.from, f.to, f.labels, f.evidence]), [["n_stream", "n_lake_raw", ["Firehose"], ["firehose-destination: stream-f -> lake-raw-bucket"]]]);
        const stream = a.nodes.find((n) => n.id === "n_stream");
        assert.deepStrictEqual(stream?.entries[0].badges, ["key data-lake"]);
        // The key is a badge, not a node or an edge; the zone no flow reaches and the keys are listed, not boxed.
        assert.ok(!a.nodes.some((n) => n.entries.some((e) => e.component === "keys")));
        assert.deepStrictEqual(a.quiet.map((q) => [q.group, q.entries.map((e) => `${e.name}: ${e.detail}`)]).sort(), [["Security", ["keys: KMS key"]], ["lake (DataLake)", ["landing zone: S3"]]]);
        assert.match(a.mermaid, /n_stream --> n_lake_raw/);
        assert.ok(!/-->.*keys|keys.*-->/.test(a.mermaid), a.mermaid);
    });

    it("follows the code: another destination moves the flow, none removes it", () => {
        const moved = buildArchitecture(recording({ extendedS3Configuration: { bucketArn: "arn:aws:s3:::hdp-landing-1" } }));
        assert.deepStrictEqual(moved.flows.map((f) => `${f.from}->${f.to}`), ["n_stream->n_lake_landing"]);
        // A name that only starts like a bucket's is no reference to it.
        const none = buildArchitecture(recording({ extendedS3Configuration: { bucketArn: "arn:aws:s3:::hdp-raw-10" } }));
        assert.deepStrictEqual(none.flows, []);
    });

    it("wraps node text at list separators", () => {
        assert.deepStrictEqual(wrap("key data-lake, logs, streaming · logs · 2 alarms", 22), ["key data-lake, logs", "streaming · logs", "2 alarms"]);
    });
});
