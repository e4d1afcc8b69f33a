import * as assert from "assert";
import { FindingSeverity, SecurityMonitoring, SecurityMonitoringArgs } from "../../../components/security/monitoring";
import { PlatformConfig } from "../../../components/shared/config";
import { PlatformKeyRefs } from "../../../components/shared/refs";
import { Mode, recordProgram, Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, ofType, one, platformConfig, policyDocument, UNKNOWN } from "../../support/platform";
import { recordWithKeys, runPack, simulate } from "./support";

const T = {
    component: "healthcare:security:SecurityMonitoring",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    filter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    kmsKey: "aws:kms/key:Key",
} as const;
const OTHER_ACCOUNT = "999988887777";
const TRAIL_LOG_GROUP = "/aws/cloudtrail/hdp-prod-audit";

/**
 * The CIS AWS Foundations Benchmark (v1.5.0 / v3.0.0, section 4) filter patterns, written out here independently of
 * the component, as the benchmark's remediation steps print them.
 */
const CIS_PATTERNS: Record<string, string> = {
    "4.1": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    "4.2": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    "4.3": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    "4.4": "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
    "4.5": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "4.7": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    "4.8": "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "4.10": "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    "4.11": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
};

type Stack = "dev" | "prod";

function argsFor(cfg: PlatformConfig, keys: Pick<PlatformKeyRefs, "logs"> = fakeKeys(cfg), extra: Partial<SecurityMonitoringArgs> = {}): SecurityMonitoringArgs {
    return {
        context: contextOf(cfg),
        logsKey: keys.logs,
        alertEmails: cfg.alertEmails,
        trailLogGroupName: TRAIL_LOG_GROUP,
        macieMinimumSeverity: cfg.security.macie.alertMinimumSeverity,
        ...extra,
    };
}

async function record(stack: Stack, mode: Mode, extra: Partial<SecurityMonitoringArgs> = {}, overrides: Record<string, unknown> = {}): Promise<{ rec: Recording; cfg: PlatformConfig }> {
    const cfg = platformConfig(stack, overrides);
    const rec = await recordProgram(
        async () => {
            new SecurityMonitoring("monitoring", argsFor(cfg, fakeKeys(cfg), extra));
        },
        { mode, stack, context: { accountId: cfg.naming.accountId, region: cfg.naming.region } },
    );
    return { rec, cfg };
}

const topicArn = (cfg: PlatformConfig) => `arn:aws:sns:us-east-1:${cfg.naming.accountId}:hdp-${cfg.environment}-monitoring-alerts`;

/**
 * EventBridge content matching for the operators these rules use: lists of literal values (any may equal the
 * event's value, or any element of an event array) and `numeric` comparisons. Nested objects match field by field.
 */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
    return Object.entries(pattern).every(([key, expected]) => {
        const actual = event[key];
        if (Array.isArray(expected)) {
            const values = Array.isArray(actual) ? actual : [actual];
            return expected.some((e) => {
                if (e && typeof e === "object" && "numeric" in e) {
                    const [op, bound] = (e as { numeric: [string, number] }).numeric;
                    return values.some((v) => typeof v === "number" && ({ ">=": v >= bound, ">": v > bound, "<": v < bound, "<=": v <= bound, "=": v === bound } as Record<string, boolean>)[op]);
                }
                return values.some((v) => v === e);
            });
        }
        return actual !== null && typeof actual === "object" && matches(expected as Record<string, unknown>, actual as Record<string, unknown>);
    });
}

const macieEvent = (severity: string) => ({
    version: "0",
    source: "aws.macie",
    "detail-type": "Macie Finding",
    account: "345678901234",
    region: "us-east-1",
    detail: { id: "f-1", type: "SensitiveData:S3Object/Personal", severity: { score: 3, description: severity }, resourcesAffected: { s3Bucket: { name: "hdp-prod-raw" } } },
});
const guardDutyEvent = (severity: number) => ({ source: "aws.guardduty", "detail-type": "GuardDuty Finding", detail: { severity, type: "Exfiltration:S3/AnomalousBehavior" } });
const s3ApiEvent = (eventName: string) => ({
    source: "aws.s3",
    "detail-type": "AWS API Call via CloudTrail",
    detail: { eventSource: "s3.amazonaws.com", eventName, requestParameters: { bucketName: "hdp-prod-raw" } },
});

describe("SecurityMonitoring (healthcare:security:SecurityMonitoring)", () => {
    describe("alert topic", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: a topic on the logs key with one e-mail subscription per stakeholder`, async () => {
                const { rec, cfg } = await record(stack, "up");
                const topic = one(rec, T.topic, "monitoring-alerts");
                assert.strictEqual(inputs(topic).name, `hdp-${stack}-monitoring-alerts`);
                assert.strictEqual(inputs(topic).kmsMasterKeyId, fakeKeys(cfg).logs.arn);
                assert.strictEqual(topic.outputs.arn, topicArn(cfg));
                const subs = ofType(rec, T.subscription).map(inputs);
                assert.deepStrictEqual(
                    subs.map((s) => [s.protocol, s.endpoint, s.topic]),
                    cfg.alertEmails.map((e) => ["email", e, topicArn(cfg)]),
                );
                assert.strictEqual(subs.length, stack === "prod" ? 3 : 1);
            });
        }

        it("the topic policy is known at preview and admits only this account's alarms and rules, over TLS (evaluated)", async () => {
            const { rec, cfg } = await record("prod", "preview");
            const policyRes = one(rec, T.topicPolicy, "monitoring-alerts-policy");
            assert.notStrictEqual(inputs(policyRes).policy, UNKNOWN);
            const doc = policyDocument(policyRes);
            const account = cfg.naming.accountId;
            const publish = (principal: string, sourceArn: string, sourceAccount = account, secure = "true") =>
                simulate(
                    { principal, action: "sns:Publish", resource: topicArn(cfg), resourceAccount: account, context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount, "aws:SecureTransport": secure } },
                    { resourcePolicy: doc },
                );
            const rootAlarm = String(inputs(one(rec, T.alarm, "monitoring-root-account-usage-alarm")).name);
            assert.strictEqual(rootAlarm, "hdp-prod-monitoring-cis-4-3-root-account-usage");
            const ourAlarm = `arn:aws:cloudwatch:us-east-1:${account}:alarm:${rootAlarm}`;
            const ourRule = `arn:aws:events:us-east-1:${account}:rule/hdp-prod-monitoring-macie-findings`;
            assert.strictEqual(await publish("cloudwatch.amazonaws.com", ourAlarm), "Allowed");
            assert.strictEqual(await publish("events.amazonaws.com", ourRule), "Allowed");
            // Every alarm of this stack publishes here (function errors, dead letters, inventory findings), not only the CIS ones.
            assert.strictEqual(await publish("cloudwatch.amazonaws.com", `arn:aws:cloudwatch:us-east-1:${account}:alarm:hdp-prod-inventory-check-errors`), "Allowed");
            assert.strictEqual(await publish("cloudwatch.amazonaws.com", `arn:aws:cloudwatch:us-east-1:${account}:alarm:hdp-dev-inventory-check-errors`), "ImplicitlyDenied");
            assert.strictEqual(await publish("cloudwatch.amazonaws.com", `arn:aws:cloudwatch:us-east-1:${account}:alarm:someone-elses-alarm`), "ImplicitlyDenied");
            assert.strictEqual(await publish("cloudwatch.amazonaws.com", ourAlarm.replace(account, OTHER_ACCOUNT), OTHER_ACCOUNT), "ImplicitlyDenied");
            assert.strictEqual(await publish("events.amazonaws.com", `arn:aws:events:us-east-1:${OTHER_ACCOUNT}:rule/hdp-prod-monitoring-macie-findings`, OTHER_ACCOUNT), "ImplicitlyDenied");
            assert.strictEqual(await publish("events.amazonaws.com", ourAlarm), "ImplicitlyDenied");
            // Plain HTTP is refused even to an allowed source, and to the account's own principals.
            assert.strictEqual(await publish("cloudwatch.amazonaws.com", ourAlarm, account, "false"), "ExplicitlyDenied");
            assert.strictEqual(
                await simulate(
                    { principal: `arn:aws:iam::${account}:role/ops`, action: "sns:Publish", resource: topicArn(cfg), resourceAccount: account, context: { "aws:SecureTransport": "false" } },
                    { resourcePolicy: doc },
                ),
                "ExplicitlyDenied",
            );
            assert.strictEqual(
                await simulate({ principal: `arn:aws:iam::${account}:role/ops`, action: "sns:Publish", resource: topicArn(cfg), resourceAccount: account }, { resourcePolicy: doc }),
                "Allowed",
            );
        });
    });

    describe("CIS metric filters and alarms", () => {
        it("one filter per CIS control on the trail's log group, each pattern exactly the benchmark's", async () => {
            const { rec } = await record("prod", "preview");
            const filters = ofType(rec, T.filter).map(inputs);
            assert.strictEqual(filters.length, Object.keys(CIS_PATTERNS).length);
            const byPattern = new Map(filters.map((f) => [f.pattern as string, f]));
            for (const [control, pattern] of Object.entries(CIS_PATTERNS)) {
                const f = byPattern.get(pattern);
                assert.ok(f, `CIS ${control}: no metric filter with the benchmark's pattern`);
                assert.strictEqual(f.logGroupName, TRAIL_LOG_GROUP, control);
                const t = f.metricTransformation as Record<string, string>;
                assert.deepStrictEqual([t.namespace, t.value, t.defaultValue], ["CISBenchmark", "1", "0"], control);
            }
        });

        it("every alarm watches its filter's metric and notifies the topic on the first event; missing data is not breaching", async () => {
            for (const mode of ["preview", "up"] as const) {
                const { rec, cfg } = await record("dev", mode);
                const alarms = ofType(rec, T.alarm);
                assert.strictEqual(alarms.length, Object.keys(CIS_PATTERNS).length);
                const metrics = new Set(ofType(rec, T.filter).map((f) => JSON.stringify([(inputs(f).metricTransformation as Record<string, string>).namespace, (inputs(f).metricTransformation as Record<string, string>).name])));
                const topicPolicy = one(rec, T.topicPolicy, "monitoring-alerts-policy").urn;
                for (const res of alarms) {
                    const a = inputs(res);
                    assert.ok(metrics.has(JSON.stringify([a.namespace, a.metricName])), `${res.name} watches a metric no filter emits`);
                    assert.deepStrictEqual(a.alarmActions, [topicArn(cfg)], res.name);
                    assert.strictEqual(a.treatMissingData, "notBreaching", res.name);
                    assert.deepStrictEqual([a.statistic, a.period, a.evaluationPeriods, a.threshold, a.comparisonOperator], ["Sum", 300, 1, 1, "GreaterThanOrEqualToThreshold"], res.name);
                    assert.ok(res.dependencies.includes(topicPolicy), `${res.name} waits for the topic policy`);
                    assert.match(String(a.alarmDescription), /^CIS 4\.\d+: /);
                }
                if (mode === "up") {
                    assert.strictEqual(one(rec, T.topic, "monitoring-alerts").outputs.arn, topicArn(cfg), "alarm actions name the real topic ARN");
                }
            }
        });

        it("a raised alarm threshold applies to every alarm; a threshold below 1 is refused", async () => {
            const { rec } = await record("prod", "preview", { alarmThreshold: 5 });
            assert.deepStrictEqual([...new Set(ofType(rec, T.alarm).map((a) => inputs(a).threshold))], [5]);
            const cfg = platformConfig("prod");
            await assert.rejects(
                recordProgram(async () => {
                    new SecurityMonitoring("monitoring", argsFor(cfg, fakeKeys(cfg), { alarmThreshold: 0 }));
                }, { mode: "preview" }),
                /SecurityMonitoring 'monitoring': alarmThreshold must be a positive integer, got 0/,
            );
        });
    });

    describe("EventBridge rules", () => {
        const patternOf = (rec: Recording, name: string) => JSON.parse(inputs(one(rec, T.rule, name)).eventPattern as string) as Record<string, unknown>;

        for (const [minimum, expected] of [
            ["Low", { Low: true, Medium: true, High: true }],
            ["Medium", { Low: false, Medium: true, High: true }],
            ["High", { Low: false, Medium: false, High: true }],
        ] as const) {
            it(`Macie findings at or above macieAlertMinimumSeverity=${minimum} match, lower ones do not`, async () => {
                const { rec, cfg } = await record("prod", "preview", {}, { macieAlertMinimumSeverity: minimum });
                assert.strictEqual(cfg.security.macie.alertMinimumSeverity, minimum as FindingSeverity);
                const pattern = patternOf(rec, "monitoring-macie-rule");
                for (const [severity, match] of Object.entries(expected)) {
                    assert.strictEqual(matches(pattern, macieEvent(severity)), match, `${severity} finding`);
                }
                assert.strictEqual(matches(pattern, { ...macieEvent("High"), source: "aws.guardduty" }), false);
            });
        }

        it("GuardDuty findings: every finding by default, only High and Critical with guardDutyMinimumSeverity High", async () => {
            const all = patternOf((await record("dev", "preview")).rec, "monitoring-guardduty-rule");
            assert.deepStrictEqual([1.0, 3.9, 5, 8.9, 9.5].map((s) => matches(all, guardDutyEvent(s))), [true, true, true, true, true]);
            const high = patternOf((await record("dev", "preview", { guardDutyMinimumSeverity: "High" })).rec, "monitoring-guardduty-rule");
            assert.deepStrictEqual([1.0, 3.9, 6.9, 7.0, 9.5].map((s) => matches(high, guardDutyEvent(s))), [false, false, false, true, true]);
        });

        it("S3 public-access changes: bucket and account public access blocks, policies, ACLs, ownership; not ordinary reads", async () => {
            const pattern = patternOf((await record("prod", "preview")).rec, "monitoring-s3-public-access-rule");
            for (const name of [
                "PutBucketPublicAccessBlock",
                "DeleteBucketPublicAccessBlock",
                "PutAccountPublicAccessBlock",
                "DeleteAccountPublicAccessBlock",
                "PutBucketPolicy",
                "DeleteBucketPolicy",
                "PutBucketAcl",
                "PutObjectAcl",
                "PutBucketOwnershipControls",
                "DeleteBucketOwnershipControls",
            ]) {
                assert.strictEqual(matches(pattern, s3ApiEvent(name)), true, name);
            }
            for (const name of ["GetObject", "PutObject", "ListBuckets", "GetBucketPolicy"]) {
                assert.strictEqual(matches(pattern, s3ApiEvent(name)), false, name);
            }
        });

        it("each rule targets the topic with a readable message that carries no object key or finding sample", async () => {
            for (const mode of ["preview", "up"] as const) {
                const { rec, cfg } = await record("prod", mode);
                const targets = ofType(rec, T.target);
                assert.strictEqual(targets.length, 3);
                for (const res of targets) {
                    const t = inputs(res);
                    assert.strictEqual(t.arn, topicArn(cfg), res.name);
                    const transformer = t.inputTransformer as { inputPaths: Record<string, string>; inputTemplate: string };
                    const placeholders = [...transformer.inputTemplate.matchAll(/<([A-Za-z0-9_]+)>/g)].map((m) => m[1]);
                    assert.ok(placeholders.length > 0, res.name);
                    for (const p of placeholders) {
                        assert.ok(p in transformer.inputPaths, `${res.name}: <${p}> has no input path`);
                    }
                    assert.ok(JSON.parse(transformer.inputTemplate).length > 0, `${res.name}: the template is a JSON string`);
                    assert.ok(!Object.values(transformer.inputPaths).some((p) => /s3Object|sensitiveData|key/i.test(p)), `${res.name} must not mail object keys or samples`);
                }
                if (mode === "up") {
                    const ruleNames = ofType(rec, T.rule).map((r) => inputs(r).name).sort();
                    assert.deepStrictEqual(targets.map((t) => inputs(t).rule).sort(), ruleNames);
                }
            }
        });
    });

    describe("keys engineer's logs key policy lets the alarms and rules publish to this encrypted topic (evaluated)", () => {
        it("cloudwatch.amazonaws.com and events.amazonaws.com may use the key for this topic only", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordWithKeys(cfg, "prod", "preview", (keys) => {
                new SecurityMonitoring("monitoring", argsFor(cfg, keys));
            });
            assert.strictEqual(inputs(one(rec, T.topic, "monitoring-alerts")).kmsMasterKeyId, UNKNOWN, "the key ARN comes from the real key");
            const keyPolicy = policyDocument(one(rec, T.kmsKey, "keys-logs"));
            const account = cfg.naming.accountId;
            const use = (principal: string, topic: string, sourceAccount = account) =>
                simulate(
                    {
                        principal,
                        action: "kms:GenerateDataKey",
                        resource: `arn:aws:kms:us-east-1:${account}:key/00000000-1111-4222-8333-444444444444`,
                        resourceAccount: account,
                        context: { "aws:SourceAccount": sourceAccount, "kms:EncryptionContext:aws:sns:topicArn": topic },
                    },
                    { resourcePolicy: keyPolicy },
                );
            for (const principal of ["cloudwatch.amazonaws.com", "events.amazonaws.com"]) {
                assert.strictEqual(await use(principal, topicArn(cfg)), "Allowed", principal);
                assert.strictEqual(await use(principal, topicArn(cfg), OTHER_ACCOUNT), "ImplicitlyDenied", principal);
                assert.strictEqual(await use(principal, `arn:aws:sns:us-east-1:${account}:unrelated-topic`), "ImplicitlyDenied", principal);
            }
        });
    });

    describe("component hygiene", () => {
        it("every resource is a direct child of the component", async () => {
            const { rec } = await record("prod", "preview");
            const component = one(rec, T.component, "monitoring");
            const children = descendants(rec, component.urn);
            assert.strictEqual(children.length, rec.resources.length - 2);
            for (const r of children) {
                assert.strictEqual(r.parent, component.urn, r.name);
            }
        });

        it("two instances register no colliding URN, topic, filter, metric, alarm or rule name", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordProgram(
                async () => {
                    new SecurityMonitoring("monitoring", argsFor(cfg));
                    new SecurityMonitoring("soc", argsFor(cfg));
                },
                { mode: "preview", stack: "prod", context: { accountId: cfg.naming.accountId } },
            );
            const urns = rec.resources.map((r) => r.urn);
            assert.strictEqual(new Set(urns).size, urns.length);
            for (const type of [T.topic, T.filter, T.alarm, T.rule]) {
                const names = ofType(rec, type).map((r) => String(inputs(r).name));
                assert.strictEqual(new Set(names).size, names.length, `${type}: ${names.join(", ")}`);
            }
            const metrics = ofType(rec, T.alarm).map((a) => String(inputs(a).metricName));
            assert.strictEqual(new Set(metrics).size, metrics.length);
        });
    });

    describe("policy pack", () => {
        for (const stack of ["dev", "prod"] as const) {
            for (const mode of ["preview", "up"] as const) {
                it(`${stack} ${mode}: no violation and nothing skipped at preview, on the real logs key`, async () => {
                    const cfg = platformConfig(stack);
                    const rec = await recordWithKeys(cfg, stack, mode, (keys) => {
                        new SecurityMonitoring("monitoring", argsFor(cfg, keys));
                    });
                    assert.deepStrictEqual(await runPack(rec, cfg), { mandatory: [], advisory: [], previewSkipped: [] });
                });
            }
        }
    });
});
