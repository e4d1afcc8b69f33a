/**
 * The gRPC handlers the test providers serve in place of the SDK's: what the engine sends (protobuf requests) and
 * what it gets back, without a CLI.
 */
import * as assert from "assert";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { AwsProvider } from "../../../../tools/engine/providers/aws/provider";
import { engineHandlers } from "../../../../tools/engine/providers/server";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../../../tools/offline/wire";

type Handler = (call: { request: unknown }, callback: (error: Error | null, value?: unknown) => void) => void;

function call<T>(handlers: Record<string, unknown>, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
        (handlers[method] as Handler)({ request }, (error, value) => (error ? reject(error) : resolve(value as T))),
    );
}

const BUCKET_URN = "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucket:Bucket::raw";
const struct = (v: Record<string, unknown>) => structproto.Struct.fromJavaScript(v as never);

async function configuredHandlers(): Promise<Record<string, unknown>> {
    const handlers = engineHandlers(new AwsProvider({ env: {} }));
    const req = new provproto.ConfigureRequest();
    req.getVariablesMap().set("aws:region", "us-east-1");
    req.getVariablesMap().set("aws:allowedAccountIds", '["111122223333"]');
    req.setArgs(struct({ region: "us-east-1", allowedAccountIds: '["111122223333"]' }));
    const resp = await call<provproto.ConfigureResponse>(handlers, "configure", req);
    assert.deepStrictEqual(
        [resp.getAcceptsecrets(), resp.getAcceptresources(), resp.getAcceptoutputs(), resp.getSupportspreview()],
        [true, true, true, true],
    );
    return handlers;
}

describe("engine test providers: gRPC handlers", () => {
    it("Configure reports secrets, resource references and preview support", async () => {
        await configuredHandlers();
    });

    it("Configure fails with the provider's message for an account outside allowedAccountIds", async () => {
        const handlers = engineHandlers(new AwsProvider({ env: { HDP_TEST_AWS_ACCOUNT_ID: "999999999999" } }));
        const req = new provproto.ConfigureRequest();
        req.getVariablesMap().set("aws:allowedAccountIds", '["111122223333"]');
        await assert.rejects(call(handlers, "configure", req), (e: Error & { details?: string }) => e.details === "AWS account ID not allowed: 999999999999");
    });

    it("Create passes the engine's preview flag: unknown computed outputs in a preview, an id and ARN otherwise", async () => {
        const handlers = await configuredHandlers();
        const req = new provproto.CreateRequest();
        req.setUrn(BUCKET_URN);
        req.setProperties(struct({ bucket: "hdp-dev-raw" }));
        req.setPreview(true);
        const planned = await call<provproto.CreateResponse>(handlers, "create", req);
        assert.strictEqual(planned.getId(), "");
        assert.strictEqual(planned.getProperties()?.toJavaScript().arn, UNKNOWN);
        req.setPreview(false);
        const created = await call<provproto.CreateResponse>(handlers, "create", req);
        assert.strictEqual(created.getId(), "hdp-dev-raw");
        assert.strictEqual(created.getProperties()?.toJavaScript().arn, "arn:aws:s3:::hdp-dev-raw");
    });

    it("Check returns the failures with the checked inputs", async () => {
        const handlers = await configuredHandlers();
        const req = new provproto.CheckRequest();
        req.setUrn(BUCKET_URN);
        req.setOlds(struct({}));
        req.setNews(struct({ bucket: "b", versioningg: true }));
        const resp = await call<provproto.CheckResponse>(handlers, "check", req);
        assert.deepStrictEqual(
            resp.getFailuresList().map((f) => [f.getProperty(), f.getReason()]),
            [["versioningg", `aws:s3/bucket:Bucket resource 'raw' has no input property 'versioningg' in @pulumi/aws 7.48.0; did you mean 'versioning'? (${BUCKET_URN})`]],
        );
    });

    it("Diff uses the old inputs the engine sends: a removed input is a change, listed in diffs", async () => {
        const handlers = await configuredHandlers();
        const req = new provproto.DiffRequest();
        req.setId("hdp-dev-raw");
        req.setUrn(BUCKET_URN);
        req.setOlds(struct({ bucket: "hdp-dev-raw", forceDestroy: true, arn: "arn:aws:s3:::hdp-dev-raw" }));
        req.setOldInputs(struct({ bucket: "hdp-dev-raw", forceDestroy: true }));
        req.setNews(struct({ bucket: "hdp-dev-raw" }));
        const resp = await call<provproto.DiffResponse>(handlers, "diff", req);
        assert.strictEqual(resp.getChanges(), provproto.DiffResponse.DiffChanges.DIFF_SOME);
        assert.deepStrictEqual([resp.getDiffsList(), resp.getReplacesList()], [["forceDestroy"], []]);
    });

    it("Read returns state and inputs; a secret stays a secret on the wire", async () => {
        const handlers = await configuredHandlers();
        const secret = { [SIG_KEY]: SECRET_SIG, value: "p@ss" };
        const req = new provproto.ReadRequest();
        req.setId("db");
        req.setUrn("urn:pulumi:dev::p::aws:rds/instance:Instance::db");
        req.setProperties(struct({ identifier: "db", password: secret }));
        req.setInputs(struct({ identifier: "db", password: secret }));
        const resp = await call<provproto.ReadResponse>(handlers, "read", req);
        assert.strictEqual(resp.getId(), "db");
        assert.deepStrictEqual(resp.getProperties()?.toJavaScript().password, secret);
        assert.deepStrictEqual(resp.getInputs()?.toJavaScript().password, secret);
    });
});
