import * as assert from "assert";
import { secretOverrides } from "../../../tools/offline/cli";
import { runOffline } from "../../../tools/offline/engine";
import type { Recording, RecordedResource } from "../../../tools/offline/recorder";
import { deriveIntegrations, IntegrationKind } from "../../../tools/wiring/derive";
import { failures, proveWiring, WiringProof } from "../../../tools/wiring/prove";
import { OPERATOR_SECRETS } from "../../support/platform";

/** What issue 12 requires the proof to cover on every stack (the file gateway and Snowball exist in prod only). */
const REQUIRED: IntegrationKind[] = [
    "alarm-to-topic",
    "event-rule-target",
    "cloudtrail-delivery",
    "s3-access-logs",
    "vpc-flow-logs",
    "vended-log-delivery",
    "s3-inventory",
    "macie-results",
    "macie-discovery",
    // ComplianceMonitoring's delivery channel (dev and prod both run Config; its alert rules are event-rule-target).
    "config-delivery",
    "firehose-delivery",
    "glue-crawler",
    "emr-serverless",
    "athena-workgroup",
    "lambda-function",
    "backup-vault",
    "log-group-key",
    "ebs-default-key",
    "object-tagger",
    "tenant-write-read",
    "tenant-boundary",
];
const PROD_ONLY: IntegrationKind[] = ["glue-job", "file-gateway-share", "opensearch-logs"];

const recordings: Record<string, Recording> = {};
async function recording(stack: "dev" | "prod"): Promise<Recording> {
    if (!recordings[stack]) {
        // The prod stack file holds no secret: the operator sets onPremDbPassword with `pulumi config set --secret`.
        const r = await runOffline({ stack, mode: "up", policyPackDir: null, configOverrides: secretOverrides(Object.keys(OPERATOR_SECRETS[stack] ?? {})) });
        assert.strictEqual(r.exitCode, 0, r.error?.message);
        recordings[stack] = r.recording as Recording;
    }
    return recordings[stack];
}

/** A copy of the recording with `edit` applied (the recorded stack itself is shared between tests). */
function edited(rec: Recording, edit: (resources: RecordedResource[]) => void): Recording {
    const copy = JSON.parse(JSON.stringify(rec)) as Recording;
    edit(copy.resources);
    return copy;
}

describe("wiring proof: every service integration of the recorded stack is allowed by AWS", function () {
    this.timeout(300_000);

    for (const stack of ["dev", "prod"] as const) {
        describe(stack, () => {
            let proof: WiringProof;
            before(async () => {
                proof = await proveWiring(await recording(stack));
            });

            it("derives every integration the issue names, and nothing is left unexplained", () => {
                const kinds = new Set(proof.integrations.map((i) => i.kind));
                const missing = [...REQUIRED, ...(stack === "prod" ? PROD_ONLY : [])].filter((k) => !kinds.has(k));
                assert.deepStrictEqual(missing, [], `integration kinds not derived for ${stack}`);
                assert.deepStrictEqual(proof.unexplained, []);
            });

            it("proves each integration: identity, resource and key policies allow every step with the context AWS sets", () => {
                assert.deepStrictEqual(failures(proof), []);
                assert.ok(proof.proven);
            });

            it("proves every alarm that notifies, every log group key and every S3 inventory, one integration each", async () => {
                const rec = await recording(stack);
                const count = (t: string) => rec.resources.filter((r) => r.type === t).length;
                const of = (k: IntegrationKind) => proof.integrations.filter((i) => i.kind === k).length;
                assert.strictEqual(of("alarm-to-topic"), count("aws:cloudwatch/metricAlarm:MetricAlarm"));
                assert.strictEqual(of("s3-inventory"), count("aws:s3/inventory:Inventory"));
                assert.strictEqual(of("s3-access-logs"), count("aws:s3/bucketLogging:BucketLogging"));
                assert.strictEqual(of("log-group-key"), rec.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && JSON.stringify(r.inputs).includes("kmsKeyId")).length);
            });

            it("proves tenant boundaries the other way: every reader is refused other customers' objects in every PHI zone, Athena results and the API", () => {
                const boundaries = proof.integrations.filter((i) => i.kind === "tenant-boundary");
                const customers = boundaries.length;
                assert.ok(customers >= 2, "needs two customers to prove a boundary");
                for (const b of boundaries) {
                    assert.ok(b.steps.every((s) => s.expect === "Denied" && s.decision !== "Allowed"), b.title);
                    assert.ok(b.steps.some((s) => s.action === "execute-api:Invoke"), `${b.title}: the API path`);
                    assert.ok(b.steps.some((s) => s.action === "athena:GetQueryResults"), `${b.title}: the Athena path`);
                    for (const zone of ["landing", "raw", "curated", "results"]) {
                        assert.ok(b.steps.some((s) => s.action === "s3:GetObject" && s.resource.includes(`-${zone}-`)), `${b.title}: zone ${zone}`);
                    }
                }
            });

            it("binds each customer's stream to its producer: a producer, its principal and its Firehose are refused every other customer", async () => {
                const rec = await recording(stack);
                const streams = rec.resources.filter((r) => r.type === "aws:kinesis/stream:Stream");
                const customers = [...new Set(streams.map((r) => (r.inputs.tags as Record<string, string>).customer))].sort();
                assert.ok(customers.length >= 2 && customers.length === streams.length, "one stream per customer, each tagged with it");
                const producers = proof.integrations.filter((i) => i.kind === "stream-producer");
                assert.strictEqual(producers.length, customers.length);
                for (const p of producers) {
                    const puts = p.steps.filter((x) => x.action === "kinesis:PutRecords");
                    assert.deepStrictEqual(puts.map((x) => x.expect).sort(), ["Allowed", ...Array(customers.length - 1).fill("Denied")], p.title);
                    const assumes = p.steps.filter((x) => x.action === "sts:AssumeRole");
                    assert.deepStrictEqual(assumes.map((x) => x.expect).sort(), ["Allowed", ...Array(customers.length).fill("Denied")], `${p.title}: one customer's principal, the others and an untagged one`);
                }
                for (const f of proof.integrations.filter((i) => i.kind === "firehose-delivery")) {
                    assert.strictEqual(f.steps.filter((x) => x.action === "s3:PutObject" && x.expect === "Denied").length, customers.length - 1, f.title);
                }
            });
        });
    }

    it("prod with a private CA for the on-prem database: the Glue job and crawler read the certificate (CUSTOM_JDBC_CERT)", async () => {
        // onPremJdbcCertS3Uri is the operator's choice; the README asks for the Glue assets bucket.
        const cert = "s3://hdp-prod-assets-345678901234-us-east-1/certs/stmarys-ca.pem";
        const overrides = { ...secretOverrides(Object.keys(OPERATOR_SECRETS.prod ?? {})), onPremJdbcCertS3Uri: cert };
        const r = await runOffline({ stack: "prod", mode: "up", policyPackDir: null, configOverrides: overrides });
        assert.strictEqual(r.exitCode, 0, r.error?.message);
        const proof = await proveWiring(r.recording as Recording);
        assert.deepStrictEqual(failures(proof), []);
        const reads = proof.integrations.flatMap((i) => i.steps.filter((s) => s.what.includes("CA certificate")).map((s) => `${i.kind} ${s.action} ${s.decision}`));
        assert.deepStrictEqual([...new Set(reads)].sort(), ["glue-crawler kms:Decrypt Allowed", "glue-crawler s3:GetObject Allowed", "glue-job kms:Decrypt Allowed", "glue-job s3:GetObject Allowed"]);
    });

    describe("fails until taught, naming the resource", () => {
        it("an unknown resource type", async () => {
            const rec = edited(await recording("dev"), (rs) => {
                const g = rs.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup") as RecordedResource;
                rs.push({ ...g, type: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", name: "new-subscription", urn: `${g.urn}-sub` });
            });
            const d = deriveIntegrations(rec);
            assert.deepStrictEqual(d.unexplained.map((u) => [u.type, u.name]), [["aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "new-subscription"]]);
        });

        it("a new EventBridge target kind", async () => {
            const rec = edited(await recording("dev"), (rs) => {
                const t = rs.find((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget") as RecordedResource;
                rs.push({ ...t, name: "to-a-queue", urn: `${t.urn}-q`, inputs: { ...t.inputs, arn: "arn:aws:sqs:us-east-1:210987654321:somewhere" } });
            });
            const d = deriveIntegrations(rec);
            assert.strictEqual(d.unexplained.length, 1);
            assert.match(d.unexplained[0].reason, /EventBridge target arn:aws:sqs:us-east-1:210987654321:somewhere \(to-a-queue\)/);
        });

        it("a role used by a service the derivation does not know", async () => {
            const rec = edited(await recording("dev"), (rs) => {
                const role = rs.find((r) => r.type === "aws:iam/role:Role" && JSON.stringify(r.inputs).includes("lambda.amazonaws.com")) as RecordedResource;
                const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }] });
                rs.push({ ...role, name: "step-functions-role", urn: `${role.urn}-sfn`, inputs: { ...role.inputs, name: "hdp-dev-orchestrator", assumeRolePolicy: trust } });
            });
            const d = deriveIntegrations(rec);
            assert.deepStrictEqual(d.unexplained.map((u) => u.name), ["step-functions-role"]);
            assert.match(d.unexplained[0].reason, /hdp-dev-orchestrator is used by states\.amazonaws\.com, which the derivation does not understand/);
        });

        it("a log delivery to a destination type it does not know", async () => {
            const rec = edited(await recording("dev"), (rs) => {
                const fl = rs.find((r) => r.type === "aws:ec2/flowLog:FlowLog") as RecordedResource;
                fl.inputs = { ...fl.inputs, logDestinationType: "kinesis-data-firehose" };
            });
            const d = deriveIntegrations(rec);
            assert.match(d.unexplained.map((u) => `${u.name}: ${u.reason}`).join("\n"), /network-flow-log: flow-log destination type kinesis-data-firehose/);
        });
    });

    describe("can fail: a producer that can land records under another tenant is caught", () => {
        it("a Firehose that takes the tenant from each record (one shared stream, as before issue 12's fix)", async () => {
            const rec = edited(await recording("dev"), (rs) => {
                const f = rs.find((r) => r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream") as RecordedResource;
                const s3 = f.inputs.extendedS3Configuration as Record<string, unknown>;
                s3.prefix = "customer=!{partitionKeyFromQuery:customer}/source=stream/year=!{timestamp:yyyy}/";
            });
            const proof = await proveWiring(rec);
            assert.match(failures(proof).join("\n"), /takes the tenant from each record's customer field \(customer=!\{partitionKeyFromQuery:customer\}\/source=stream\/year=!\{timestamp:yyyy\}\/\): a producer can land records under another customer's prefix/);
        });

        it("a producer role allowed on every stream", async () => {
            const rec = edited(await recording("dev"), (rs) => {
                const p = rs.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs.policy).includes("kinesis:PutRecord")) as RecordedResource;
                p.inputs = { ...p.inputs, policy: String(p.inputs.policy).replace(/"Resource":"arn:aws:kinesis:[^"]+"/, '"Resource":"arn:aws:kinesis:us-east-1:210987654321:stream/*"') };
            });
            const lines = failures(await proveWiring(rec)).join("\n");
            assert.match(lines, /producer is refused [a-z-]+'s stream: .* kinesis:PutRecords arn:aws:kinesis:us-east-1:210987654321:stream\/hdp-dev-ingest-stream-[a-z-]+ expected Denied, IAM decided Allowed/);
        });

        it("a producer role whose trust policy does not require the customer tag", async () => {
            const rec = edited(await recording("dev"), (rs) => {
                const role = rs.find((r) => r.type === "aws:iam/role:Role" && String(r.inputs.assumeRolePolicy).includes("aws:PrincipalTag/customer")) as RecordedResource;
                const doc = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: { Condition?: Record<string, unknown> }[] };
                for (const st of doc.Statement) delete (st.Condition as Record<string, unknown>).StringEquals;
                role.inputs = { ...role.inputs, assumeRolePolicy: JSON.stringify(doc) };
            });
            assert.match(failures(await proveWiring(rec)).join("\n"), /a producer principal tagged [a-z-]+ is refused [a-z-]+'s role: .* sts:AssumeRole .* expected Denied, IAM decided Allowed/);
        });
    });

    describe("can fail: a broken resource policy is caught", () => {
        it("an alert topic policy without CloudWatch refuses every alarm", async () => {
            const rec = edited(await recording("dev"), (rs) => {
                const p = rs.find((r) => r.type === "aws:sns/topicPolicy:TopicPolicy") as RecordedResource;
                const doc = JSON.parse(String(p.inputs.policy)) as { Statement: { Principal?: { Service?: string } }[] };
                doc.Statement = doc.Statement.filter((s) => s.Principal?.Service !== "cloudwatch.amazonaws.com");
                p.inputs = { ...p.inputs, policy: JSON.stringify(doc) };
            });
            const proof = await proveWiring(rec);
            const alarms = proof.integrations.filter((i) => i.kind === "alarm-to-topic");
            assert.ok(alarms.length > 0 && alarms.every((a) => !a.proven));
            assert.match(failures(proof).join("\n"), /cloudwatch\.amazonaws\.com sns:Publish .* expected Allowed, IAM decided ImplicitlyDenied/);
        });
    });
});
