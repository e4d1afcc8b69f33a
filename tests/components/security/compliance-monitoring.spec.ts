import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import { AuditTrail } from "../../../components/security/audit";
import {
    complianceNames,
    ComplianceMonitoring,
    ComplianceMonitoringArgs,
    compliancePatterns,
    COMPLIANCE_TRANSFORMERS,
    ComplianceSettings,
    configMinRetentionTime,
    conformancePackParameters,
    CONFORMANCE_TEMPLATE_MAX_LENGTH,
    HIPAA_CONFORMANCE_TEMPLATE,
    securityHubStandardArns,
    templateParameterNames,
    templateProvenance,
} from "../../../components/security/compliance-monitoring";
import { composeKeys, composeSecurity } from "../../../components/security/compose";
import { SecurityMonitoring } from "../../../components/security/monitoring";
import { composeStorage } from "../../../components/storage/compose";
import { PlatformConfig } from "../../../components/shared/config";
import { PlatformKeyRefs } from "../../../components/shared/refs";
import { Mode, recordProgram, Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, fakeNetwork, inputs, ofType, one, platformConfig, policyDocument, UNKNOWN } from "../../support/platform";
import { recordWithKeys, runPack, simulate } from "./support";

const T = {
    component: "healthcare:security:ComplianceMonitoring",
    slr: "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    recorder: "aws:cfg/recorder:Recorder",
    channel: "aws:cfg/deliveryChannel:DeliveryChannel",
    status: "aws:cfg/recorderStatus:RecorderStatus",
    pack: "aws:cfg/conformancePack:ConformancePack",
    hub: "aws:securityhub/account:Account",
    standard: "aws:securityhub/standardsSubscription:StandardsSubscription",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    kmsKey: "aws:kms/key:Key",
} as const;
const OTHER_ACCOUNT = "999988887777";
type Stack = "dev" | "prod";

const auditBucket = (cfg: PlatformConfig) => `hdp-${cfg.environment}-audit-${cfg.naming.accountId}-${cfg.naming.region}`;
const topicArn = (cfg: PlatformConfig) => `arn:aws:sns:us-east-1:${cfg.naming.accountId}:hdp-${cfg.environment}-monitoring-alerts`;

/** The stack's compliance settings with `change` applied (the settings come from the real stack files). */
function settingsOf(cfg: PlatformConfig, change: (s: ComplianceSettings) => void = () => undefined): ComplianceSettings {
    const copy = JSON.parse(JSON.stringify(cfg.security.compliance)) as ComplianceSettings;
    change(copy);
    return copy;
}

function argsFor(cfg: PlatformConfig, keys: Pick<PlatformKeyRefs, "logs"> = fakeKeys(cfg), settings = settingsOf(cfg)): ComplianceMonitoringArgs {
    return {
        context: contextOf(cfg),
        settings,
        logsKey: keys.logs,
        auditBucketName: auditBucket(cfg),
        alertTopicArn: topicArn(cfg),
        logRetentionDays: cfg.logging.retentionDays,
        backupRetentionDays: cfg.storage.backup.retentionDays,
    };
}

async function record(stack: Stack, mode: Mode, change?: (s: ComplianceSettings) => void, overrides: Record<string, unknown> = {}): Promise<{ rec: Recording; cfg: PlatformConfig }> {
    const cfg = platformConfig(stack, overrides);
    const rec = await recordProgram(
        async () => {
            new ComplianceMonitoring("compliance", argsFor(cfg, fakeKeys(cfg), settingsOf(cfg, change)));
        },
        { mode, stack, context: { accountId: cfg.naming.accountId, region: cfg.naming.region } },
    );
    return { rec, cfg };
}

/**
 * EventBridge content matching for the operators these rules use: lists of literals, `prefix`, `anything-but` (a
 * literal, a list or a prefix; never matches a missing field), nested objects field by field, and arrays in the
 * event (any element may match, as EventBridge flattens them).
 */
function matches(pattern: Record<string, unknown>, event: unknown): boolean {
    if (Array.isArray(event)) return event.some((e) => matches(pattern, e));
    if (event === null || typeof event !== "object") return false;
    return Object.entries(pattern).every(([key, expected]) => {
        const actual = (event as Record<string, unknown>)[key];
        if (!Array.isArray(expected)) return matches(expected as Record<string, unknown>, actual);
        const values = Array.isArray(actual) ? actual : [actual];
        return expected.some((e) => values.some((v) => matchValue(e, v)));
    });
}

function matchValue(rule: unknown, value: unknown): boolean {
    if (rule === null || typeof rule !== "object") return value === rule;
    const r = rule as Record<string, unknown>;
    if ("prefix" in r) return typeof value === "string" && value.startsWith(String(r.prefix));
    if ("anything-but" in r) {
        if (value === undefined) return false;
        const but = r["anything-but"];
        if (Array.isArray(but)) return !but.includes(value);
        if (but !== null && typeof but === "object" && "prefix" in but) return !(typeof value === "string" && value.startsWith(String((but as { prefix: string }).prefix)));
        return value !== but;
    }
    throw new Error(`operator not modelled: ${JSON.stringify(rule)}`);
}

const configEvent = (complianceType: string, rule = "s3-bucket-ssl-requests-only-conformance-pack-abc123") => ({
    source: "aws.config",
    "detail-type": "Config Rules Compliance Change",
    account: "345678901234",
    region: "us-east-1",
    detail: {
        messageType: "ComplianceChangeNotification",
        configRuleName: rule,
        resourceType: "AWS::S3::Bucket",
        resourceId: "hdp-prod-raw-345678901234-us-east-1",
        newEvaluationResult: { complianceType },
        oldEvaluationResult: { complianceType: "COMPLIANT" },
    },
});
const hubEvent = (label: string, extra: Record<string, unknown> = {}) => ({
    source: "aws.securityhub",
    "detail-type": "Security Hub Findings - Imported",
    detail: {
        findings: [
            {
                ProductName: "Security Hub",
                Severity: { Label: label },
                RecordState: "ACTIVE",
                Workflow: { Status: "NEW" },
                Title: "S3 general purpose buckets should require requests to use SSL",
                Compliance: { Status: "FAILED", SecurityControlId: "S3.5" },
                Resources: [{ Id: "arn:aws:s3:::hdp-prod-raw" }],
                ...extra,
            },
        ],
    },
});

describe("ComplianceMonitoring (healthcare:security:ComplianceMonitoring)", () => {
    describe("prod records the recorder, the delivery channel, the conformance pack, Security Hub and its standards, the alert rules", () => {
        it("AWS Config: every supported type plus global types in the home region, the service-linked role, delivery SSE-KMS into the audit bucket, started", async () => {
            const { rec, cfg } = await record("prod", "up");
            const account = cfg.naming.accountId;
            const slrArn = `arn:aws:iam::${account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
            assert.strictEqual(inputs(one(rec, T.slr, "compliance-config-role")).awsServiceName, "config.amazonaws.com");
            assert.strictEqual(one(rec, T.slr, "compliance-config-role").options.retainOnDelete, true, "the account-wide role outlives the stack");
            const recorder = one(rec, T.recorder, "compliance-recorder");
            assert.deepStrictEqual(inputs(recorder), {
                name: "hdp-prod-compliance-recorder",
                roleArn: slrArn,
                recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
                recordingMode: { recordingFrequency: "CONTINUOUS" },
            });
            assert.strictEqual(recorder.options.protect, true);
            const channel = one(rec, T.channel, "compliance-delivery");
            assert.deepStrictEqual(inputs(channel), {
                name: "hdp-prod-compliance-delivery",
                s3BucketName: auditBucket(cfg),
                s3KeyPrefix: "config",
                s3KmsKeyArn: fakeKeys(cfg).logs.arn,
                snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
            });
            const status = one(rec, T.status, "compliance-recorder-status");
            assert.deepStrictEqual(inputs(status), { name: "hdp-prod-compliance-recorder", isEnabled: true });
            // The order AWS requires: role, recorder, delivery channel, then the recorder is started.
            assert.ok(recorder.dependencies.includes(one(rec, T.slr, "compliance-config-role").urn));
            assert.ok(channel.dependencies.includes(recorder.urn));
            assert.ok(status.dependencies.includes(channel.urn));
        });

        it("the HIPAA Security conformance pack: the repository's template, parameters from stack config, after the recorder runs", async () => {
            const { rec, cfg } = await record("prod", "preview");
            const pack = one(rec, T.pack, "compliance-hipaa-security");
            const i = inputs(pack);
            assert.strictEqual(i.name, "hdp-prod-compliance-hipaa-security");
            assert.strictEqual(i.templateBody, fs.readFileSync(HIPAA_CONFORMANCE_TEMPLATE, "utf8"));
            const c = cfg.security.compliance.conformance;
            assert.deepStrictEqual(i.inputParameters, [
                { parameterName: "AccessKeyMaxAgeDays", parameterValue: String(c.accessKeyMaxAgeDays) },
                { parameterName: "CredentialMaxUnusedDays", parameterValue: String(c.accessKeyMaxAgeDays) },
                { parameterName: "PasswordMinimumLength", parameterValue: String(c.passwordMinimumLength) },
                { parameterName: "PasswordMaxAgeDays", parameterValue: String(c.passwordMaxAgeDays) },
                { parameterName: "PasswordReusePrevention", parameterValue: String(c.passwordReusePrevention) },
                // prod: logRetentionDays 365, backupRetentionDays 2192.
                { parameterName: "LogGroupMinRetentionDays", parameterValue: "365" },
                { parameterName: "BackupMinRetentionDays", parameterValue: "2192" },
            ]);
            assert.ok(pack.dependencies.includes(one(rec, T.status, "compliance-recorder-status").urn), "a conformance pack needs a running recorder");
        });

        it("Security Hub: enabled without the default standards, FSBP and CIS subscribed by deterministic ARN, after Config", async () => {
            const { rec, cfg } = await record("prod", "preview");
            const hub = one(rec, T.hub, "compliance-securityhub");
            assert.deepStrictEqual(inputs(hub), { enableDefaultStandards: false, controlFindingGenerator: "SECURITY_CONTROL", autoEnableControls: true });
            assert.strictEqual(hub.options.protect, true);
            assert.ok(hub.dependencies.includes(one(rec, T.status, "compliance-recorder-status").urn));
            const standards = ofType(rec, T.standard);
            assert.deepStrictEqual(standards.map((s) => inputs(s).standardsArn), [
                "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
                `arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/${cfg.security.compliance.securityHub.cisVersion}`,
            ]);
            for (const s of standards) assert.ok(s.dependencies.includes(hub.urn), s.name);
        });

        it("two alert rules target the alert topic with identifier-only messages", async () => {
            for (const mode of ["preview", "up"] as const) {
                const { rec, cfg } = await record("prod", mode);
                assert.deepStrictEqual(ofType(rec, T.rule).map((r) => inputs(r).name), ["hdp-prod-compliance-config-noncompliance", "hdp-prod-compliance-securityhub-findings"]);
                const targets = ofType(rec, T.target).map(inputs);
                assert.deepStrictEqual(targets.map((t) => [t.rule, t.arn]), [
                    ["hdp-prod-compliance-config-noncompliance", topicArn(cfg)],
                    ["hdp-prod-compliance-securityhub-findings", topicArn(cfg)],
                ]);
                for (const t of targets) {
                    const tr = t.inputTransformer as { inputPaths: Record<string, string>; inputTemplate: string };
                    for (const [, p] of tr.inputTemplate.matchAll(/<([A-Za-z0-9_]+)>/g)) assert.ok(p in tr.inputPaths, `<${p}>`);
                    assert.ok(JSON.parse(tr.inputTemplate).includes("docs/runbooks/config-noncompliance.md"));
                }
            }
        });
    });

    describe("dev follows its config; delegated administrators and existing roles", () => {
        it("dev (cheap default): daily recording, the conformance pack, no Security Hub", async () => {
            const { rec, cfg } = await record("dev", "preview");
            assert.strictEqual(cfg.security.compliance.enabled, true);
            assert.deepStrictEqual(inputs(one(rec, T.recorder, "compliance-recorder")).recordingMode, { recordingFrequency: "DAILY" });
            assert.strictEqual(one(rec, T.recorder, "compliance-recorder").options.protect, false);
            assert.strictEqual(ofType(rec, T.pack).length, 1);
            assert.deepStrictEqual([ofType(rec, T.hub).length, ofType(rec, T.standard).length], [0, 0]);
            const parameters = Object.fromEntries((inputs(one(rec, T.pack, "compliance-hipaa-security")).inputParameters as { parameterName: string; parameterValue: string }[]).map((p) => [p.parameterName, p.parameterValue]));
            // dev: logRetentionDays 14, backupRetentionDays 7.
            assert.deepStrictEqual([parameters.LogGroupMinRetentionDays, parameters.BackupMinRetentionDays], ["14", "7"]);
        });

        it("Config run by the delegated administrator: no role, recorder, channel, status or pack; Security Hub does not wait for one; rules stay", async () => {
            const { rec } = await record("prod", "preview", (s) => (s.config.managedByDelegatedAdministrator = true));
            for (const type of [T.slr, T.recorder, T.channel, T.status, T.pack]) assert.strictEqual(ofType(rec, type).length, 0, type);
            assert.deepStrictEqual(one(rec, T.hub, "compliance-securityhub").dependencies, []);
            assert.strictEqual(ofType(rec, T.rule).length, 2);
        });

        it("Security Hub run by the delegated administrator, or switched off: no hub and no standards; Config stays", async () => {
            for (const change of [(s: ComplianceSettings) => (s.securityHub.managedByDelegatedAdministrator = true), (s: ComplianceSettings) => (s.securityHub.enabled = false)]) {
                const { rec } = await record("prod", "preview", change);
                assert.deepStrictEqual([ofType(rec, T.hub).length, ofType(rec, T.standard).length, ofType(rec, T.recorder).length, ofType(rec, T.rule).length], [0, 0, 1, 2]);
            }
        });

        it("an existing service-linked role is referenced, not created; another home region records no global types", async () => {
            const { rec, cfg } = await record("prod", "preview", (s) => {
                s.config.serviceLinkedRoleExists = true;
                s.config.homeRegion = "eu-west-1";
            });
            assert.strictEqual(ofType(rec, T.slr).length, 0);
            const r = inputs(one(rec, T.recorder, "compliance-recorder"));
            assert.strictEqual(r.roleArn, `arn:aws:iam::${cfg.naming.accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`);
            assert.deepStrictEqual(r.recordingGroup, { allSupported: true, includeGlobalResourceTypes: false });
        });

        it("without the conformance pack, Config still records", async () => {
            const { rec } = await record("dev", "preview", (s) => (s.config.conformancePackEnabled = false));
            assert.deepStrictEqual([ofType(rec, T.pack).length, ofType(rec, T.recorder).length, ofType(rec, T.status).length], [0, 1, 1]);
        });
    });

    describe("standards ARNs and conformance parameters", () => {
        it("standards ARNs by partition and region; CIS 1.2.0 is the global ruleset", () => {
            assert.deepStrictEqual(securityHubStandardArns({ partition: "aws-us-gov", region: "us-gov-west-1" }, "3.0.0"), {
                foundational: "arn:aws-us-gov:securityhub:us-gov-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
                cis: "arn:aws-us-gov:securityhub:us-gov-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
            });
            assert.strictEqual(securityHubStandardArns({ partition: "aws", region: "eu-west-1" }, "1.2.0").cis, "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0");
            assert.strictEqual(securityHubStandardArns({ partition: "aws", region: "eu-west-1" }, "1.4.0").cis, "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/1.4.0");
        });

        it("MinRetentionTime is the largest value Config accepts not above the stack's retention", () => {
            assert.deepStrictEqual([14, 30, 365, 2192, 2557, 3653].map(configMinRetentionTime), [14, 30, 365, 1827, 1827, 3653]);
            assert.throws(() => configMinRetentionTime(0), /logRetentionDays 0 is below every MinRetentionTime/);
        });
    });

    describe("the conformance pack template (components/security/conformance/hipaa-security.yaml)", () => {
        const text = fs.readFileSync(HIPAA_CONFORMANCE_TEMPLATE, "utf8");
        const doc = yaml.load(text) as { Parameters: Record<string, { Type: string; Default: string }>; Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

        it("names its source and version, and fits Config's templateBody limit", () => {
            const p = templateProvenance(text);
            assert.match(p.source ?? "", /Operational Best Practices for HIPAA Security/);
            assert.match(p.version ?? "", /checked against .*\d{4}-\d{2}-\d{2}/);
            assert.ok(text.length <= CONFORMANCE_TEMPLATE_MAX_LENGTH, String(text.length));
        });

        it("is a valid pack: AWS managed rules with unique names and identifiers; every Ref names a declared parameter", () => {
            const names = new Set<string>();
            const ids = new Set<string>();
            for (const [logical, r] of Object.entries(doc.Resources)) {
                assert.strictEqual(r.Type, "AWS::Config::ConfigRule", logical);
                const source = r.Properties.Source as { Owner: string; SourceIdentifier: string };
                assert.strictEqual(source.Owner, "AWS", logical);
                assert.match(source.SourceIdentifier, /^[A-Z0-9_]+$/, logical);
                assert.match(String(r.Properties.ConfigRuleName), /^[a-z0-9-]{1,64}$/, logical);
                assert.ok(!names.has(String(r.Properties.ConfigRuleName)), `duplicate rule name in ${logical}`);
                assert.ok(!ids.has(source.SourceIdentifier), `duplicate identifier in ${logical}`);
                names.add(String(r.Properties.ConfigRuleName));
                ids.add(source.SourceIdentifier);
                for (const v of Object.values((r.Properties.InputParameters ?? {}) as Record<string, unknown>)) {
                    if (v && typeof v === "object") assert.ok((v as { Ref: string }).Ref in doc.Parameters, `${logical}: Ref ${JSON.stringify(v)}`);
                    else assert.strictEqual(typeof v, "string", `${logical}: Config input parameters are strings`);
                }
            }
            assert.strictEqual(names.size, 67);
            // The detective controls the evidence report lists under 164.312(b) and 164.308(a)(1)(ii)(D).
            for (const id of ["CLOUD_TRAIL_ENABLED", "MULTI_REGION_CLOUD_TRAIL_ENABLED", "CLOUDTRAIL_S3_DATAEVENTS_ENABLED", "GUARDDUTY_ENABLED_CENTRALIZED", "SECURITYHUB_ENABLED", "VPC_FLOW_LOGS_ENABLED"]) {
                assert.ok(ids.has(id), id);
            }
        });

        it("declares exactly the parameters the component passes (Config rejects undeclared ones at apply)", () => {
            const cfg = platformConfig("prod");
            assert.deepStrictEqual(templateParameterNames(text).sort(), Object.keys(doc.Parameters).sort());
            assert.deepStrictEqual(Object.keys(conformancePackParameters(argsFor(cfg))).sort(), Object.keys(doc.Parameters).sort());
            for (const [name, value] of Object.entries(conformancePackParameters(argsFor(cfg)))) assert.match(value, /^\d+$/, name);
        });
    });

    describe("alert patterns (EventBridge semantics)", () => {
        const p = compliancePatterns();
        it("Config: NON_COMPLIANT changes of the pack's rules; not COMPLIANT, not Security Hub's own rules", () => {
            assert.strictEqual(matches(p.configNonCompliance, configEvent("NON_COMPLIANT")), true);
            assert.strictEqual(matches(p.configNonCompliance, configEvent("COMPLIANT")), false);
            assert.strictEqual(matches(p.configNonCompliance, configEvent("NOT_APPLICABLE")), false);
            assert.strictEqual(matches(p.configNonCompliance, configEvent("NON_COMPLIANT", "securityhub-s3-bucket-ssl-requests-only-0a1b2c")), false);
            assert.strictEqual(matches(p.configNonCompliance, { ...configEvent("NON_COMPLIANT"), source: "aws.securityhub" }), false);
        });

        it("Security Hub: new, active HIGH and CRITICAL findings; not MEDIUM, not archived or notified, not GuardDuty or Macie", () => {
            assert.deepStrictEqual(["LOW", "MEDIUM", "HIGH", "CRITICAL"].map((l) => matches(p.securityHubFindings, hubEvent(l))), [false, false, true, true]);
            assert.strictEqual(matches(p.securityHubFindings, hubEvent("HIGH", { RecordState: "ARCHIVED" })), false);
            assert.strictEqual(matches(p.securityHubFindings, hubEvent("CRITICAL", { Workflow: { Status: "NOTIFIED" } })), false);
            assert.strictEqual(matches(p.securityHubFindings, hubEvent("CRITICAL", { ProductName: "GuardDuty" })), false);
            assert.strictEqual(matches(p.securityHubFindings, hubEvent("CRITICAL", { ProductName: "Macie" })), false);
            assert.strictEqual(matches(p.securityHubFindings, hubEvent("CRITICAL", { ProductName: "Inspector" })), true);
        });

        it("messages carry identifiers only", () => {
            for (const t of Object.values(COMPLIANCE_TRANSFORMERS)) {
                assert.ok(!Object.values(t.inputPaths as Record<string, string>).some((x) => /sample|s3Object|Note|UserDefinedFields|ProductFields/i.test(x)));
            }
        });
    });

    describe("IAM: Config may deliver to the audit bucket and use the logs key; EventBridge may publish to the topic (evaluated)", () => {
        const deliveryKey = (cfg: PlatformConfig) => `config/AWSLogs/${cfg.naming.accountId}/Config/us-east-1/2026/12/4/ConfigHistory/${cfg.naming.accountId}_Config_us-east-1_ConfigHistory_AWS::S3::Bucket_20261204T000000Z.json.gz`;

        it("audit bucket policy (AuditTrail with configDeliveryPrefix): Config of this account and region only, only under its prefix, only with bucket-owner-full-control", async () => {
            const cfg = platformConfig("prod");
            const account = cfg.naming.accountId;
            const names = complianceNames(cfg.naming, "compliance");
            const rec = await recordWithKeys(cfg, "prod", "preview", (keys) => {
                new AuditTrail("audit", {
                    context: contextOf(cfg),
                    logsKey: keys.logs,
                    auditRetentionDays: cfg.logging.auditRetentionDays,
                    objectLock: cfg.dataLake.objectLock,
                    lifecycle: cfg.dataLake.lifecycle.logs,
                    accessLogBucketName: `hdp-prod-access-logs-${account}-us-east-1`,
                    inventoryBucketName: `hdp-prod-inventory-${account}-us-east-1`,
                    phiBucketNames: [],
                    configDeliveryPrefix: "config",
                });
            });
            const doc = policyDocument(one(rec, T.bucketPolicy, "audit-bucket-policy"));
            const bucket = `arn:aws:s3:::${auditBucket(cfg)}`;
            const configSource = `arn:aws:config:us-east-1:${account}:*`;
            assert.strictEqual(names.configSourceArn, configSource);
            const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
                simulate(
                    { principal: "config.amazonaws.com", action, resource, resourceAccount: account, context: { "aws:SourceAccount": account, "aws:SourceArn": configSource, ...context } },
                    { resourcePolicy: doc },
                );
            const put = { "s3:x-amz-acl": "bucket-owner-full-control" };
            assert.strictEqual(await ask("s3:GetBucketAcl", bucket), "Allowed");
            assert.strictEqual(await ask("s3:ListBucket", bucket), "Allowed");
            assert.strictEqual(await ask("s3:PutObject", `${bucket}/${deliveryKey(cfg)}`, put), "Allowed");
            assert.strictEqual(await ask("s3:PutObject", `${bucket}/${deliveryKey(cfg)}`, { "s3:x-amz-acl": "private" }), "ImplicitlyDenied");
            assert.strictEqual(await ask("s3:PutObject", `${bucket}/AWSLogs/${account}/CloudTrail/x.json.gz`, put), "ImplicitlyDenied", "outside Config's prefix");
            assert.strictEqual(await ask("s3:PutObject", `${bucket}/config/AWSLogs/${OTHER_ACCOUNT}/Config/x.json.gz`, put), "ImplicitlyDenied");
            assert.strictEqual(await ask("s3:PutObject", `${bucket}/${deliveryKey(cfg)}`, { ...put, "aws:SourceAccount": OTHER_ACCOUNT, "aws:SourceArn": `arn:aws:config:us-east-1:${OTHER_ACCOUNT}:*` }), "ImplicitlyDenied");
            assert.strictEqual(await ask("s3:PutObject", `${bucket}/${deliveryKey(cfg)}`, { ...put, "aws:SourceArn": `arn:aws:config:eu-west-1:${account}:*` }), "ImplicitlyDenied", "Config of another region");
            assert.strictEqual(await ask("s3:DeleteObject", `${bucket}/${deliveryKey(cfg)}`), "ImplicitlyDenied");
            // Without the prefix argument the bucket admits no Config delivery at all.
            const plain = await recordWithKeys(cfg, "prod", "preview", (keys) => {
                new AuditTrail("audit", { context: contextOf(cfg), logsKey: keys.logs, auditRetentionDays: 2192, objectLock: cfg.dataLake.objectLock, lifecycle: cfg.dataLake.lifecycle.logs, accessLogBucketName: "a", inventoryBucketName: "b", phiBucketNames: [] });
            });
            assert.ok(!JSON.stringify(policyDocument(one(plain, T.bucketPolicy, "audit-bucket-policy"))).includes("config.amazonaws.com"));
        });

        it("logs key policy: config.amazonaws.com may encrypt deliveries for Config of this account and region only", async () => {
            const cfg = platformConfig("prod");
            const account = cfg.naming.accountId;
            const rec = await recordWithKeys(cfg, "prod", "preview", (keys) => {
                new ComplianceMonitoring("compliance", argsFor(cfg, keys));
            });
            assert.strictEqual(inputs(one(rec, T.channel, "compliance-delivery")).s3KmsKeyArn, UNKNOWN, "the delivery key is the real logs key");
            const keyPolicy = policyDocument(one(rec, T.kmsKey, "keys-logs"));
            const use = (action: string, sourceAccount: string, sourceArn: string, principal = "config.amazonaws.com") =>
                simulate(
                    { principal, action, resource: `arn:aws:kms:us-east-1:${account}:key/00000000-1111-4222-8333-444444444444`, resourceAccount: account, context: { "aws:SourceAccount": sourceAccount, "aws:SourceArn": sourceArn } },
                    { resourcePolicy: keyPolicy },
                );
            const ours = `arn:aws:config:us-east-1:${account}:*`;
            assert.strictEqual(await use("kms:GenerateDataKey", account, ours), "Allowed");
            assert.strictEqual(await use("kms:Decrypt", account, ours), "Allowed");
            assert.strictEqual(await use("kms:GenerateDataKey", OTHER_ACCOUNT, `arn:aws:config:us-east-1:${OTHER_ACCOUNT}:*`), "ImplicitlyDenied");
            assert.strictEqual(await use("kms:GenerateDataKey", account, `arn:aws:config:eu-west-1:${account}:*`), "ImplicitlyDenied");
            assert.strictEqual(await use("kms:ScheduleKeyDeletion", account, ours), "ImplicitlyDenied");
            assert.strictEqual(await use("kms:GenerateDataKey", account, ours, "macie.amazonaws.com"), "ImplicitlyDenied");
        });

        it("alert topic and its key: EventBridge may publish for the compliance rules (by SourceArn, SourceAccount), not for other rules", async () => {
            const cfg = platformConfig("prod");
            const account = cfg.naming.accountId;
            const names = complianceNames(cfg.naming, "compliance");
            const rec = await recordWithKeys(cfg, "prod", "preview", (keys) => {
                const monitoring = new SecurityMonitoring("monitoring", {
                    context: contextOf(cfg),
                    logsKey: keys.logs,
                    alertEmails: cfg.alertEmails,
                    trailLogGroupName: "/aws/cloudtrail/hdp-prod-audit",
                    macieMinimumSeverity: cfg.security.macie.alertMinimumSeverity,
                    externalRuleNames: Object.values(names.ruleNames),
                });
                new ComplianceMonitoring("compliance", { ...argsFor(cfg, keys), alertTopicArn: monitoring.topicArn });
            });
            const topicDoc = policyDocument(one(rec, T.topicPolicy, "monitoring-alerts-policy"));
            const publish = (sourceArn: string, sourceAccount = account) =>
                simulate(
                    { principal: "events.amazonaws.com", action: "sns:Publish", resource: topicArn(cfg), resourceAccount: account, context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount } },
                    { resourcePolicy: topicDoc },
                );
            for (const arn of Object.values(names.ruleArns)) assert.strictEqual(await publish(arn), "Allowed", arn);
            assert.deepStrictEqual(ofType(rec, T.target).filter((t) => t.name.startsWith("compliance-")).map((t) => inputs(t).arn), [topicArn(cfg), topicArn(cfg)]);
            assert.strictEqual(await publish(`arn:aws:events:us-east-1:${account}:rule/hdp-prod-someone-elses-rule`), "ImplicitlyDenied");
            assert.strictEqual(await publish(names.ruleArns.configNonCompliance.replace(account, OTHER_ACCOUNT), OTHER_ACCOUNT), "ImplicitlyDenied");
            const keyPolicy = policyDocument(one(rec, T.kmsKey, "keys-logs"));
            const encrypt = (sourceAccount: string, topic: string) =>
                simulate(
                    {
                        principal: "events.amazonaws.com",
                        action: "kms:GenerateDataKey",
                        resource: `arn:aws:kms:us-east-1:${account}:key/00000000-1111-4222-8333-444444444444`,
                        resourceAccount: account,
                        context: { "aws:SourceAccount": sourceAccount, "kms:EncryptionContext:aws:sns:topicArn": topic },
                    },
                    { resourcePolicy: keyPolicy },
                );
            assert.strictEqual(await encrypt(account, topicArn(cfg)), "Allowed");
            assert.strictEqual(await encrypt(OTHER_ACCOUNT, topicArn(cfg)), "ImplicitlyDenied");
            assert.strictEqual(await encrypt(account, `arn:aws:sns:us-east-1:${account}:unrelated-topic`), "ImplicitlyDenied");
        });

        it("SecurityMonitoring refuses an external rule name twice or one of its own", async () => {
            const cfg = platformConfig("prod");
            await assert.rejects(
                recordProgram(async () => {
                    new SecurityMonitoring("monitoring", { context: contextOf(cfg), logsKey: fakeKeys(cfg).logs, alertEmails: [], trailLogGroupName: "g", macieMinimumSeverity: "High", externalRuleNames: ["hdp-prod-monitoring-macie-findings"] });
                }, { mode: "preview" }),
                /SecurityMonitoring 'monitoring': externalRuleNames lists 'hdp-prod-monitoring-macie-findings' twice or names one of the component's own rules/,
            );
        });
    });

    describe("composition (composeSecurity, as index.ts calls it)", () => {
        async function composed(stack: Stack, overrides: Record<string, unknown> = {}): Promise<{ rec: Recording; cfg: PlatformConfig }> {
            const cfg = platformConfig(stack, overrides);
            const rec = await recordProgram(
                async () => {
                    const context = contextOf(cfg);
                    const keys = composeKeys(cfg, { context }).refs;
                    const storage = composeStorage(cfg, { context, keys, network: fakeNetwork(cfg) });
                    composeSecurity(cfg, { context, keys, dataLake: storage.dataLake });
                },
                { mode: "preview", stack, context: { accountId: cfg.naming.accountId, region: cfg.naming.region } },
            );
            return { rec, cfg };
        }

        it("prod: the audit bucket admits Config under its prefix, the topic admits both compliance rules, the component waits for both", async () => {
            const { rec, cfg } = await composed("prod");
            const bucketDoc = JSON.stringify(policyDocument(one(rec, T.bucketPolicy, "audit-bucket-policy")));
            assert.ok(bucketDoc.includes(`arn:aws:s3:::${auditBucket(cfg)}/config/AWSLogs/${cfg.naming.accountId}/Config/*`));
            const topicDoc = JSON.stringify(policyDocument(one(rec, T.topicPolicy, "monitoring-alerts-policy")));
            for (const arn of Object.values(complianceNames(cfg.naming, "compliance").ruleArns)) assert.ok(topicDoc.includes(arn), arn);
            const channel = one(rec, T.channel, "compliance-delivery");
            assert.deepStrictEqual(inputs(channel).s3BucketName, auditBucket(cfg));
            // AWS checks the bucket policy when the channel is created, and the topic policy governs the targets.
            assert.ok(channel.dependencies.includes(one(rec, T.bucketPolicy, "audit-bucket-policy").urn), "the channel waits for the audit bucket policy");
            for (const target of ofType(rec, T.target).filter((t) => t.name.startsWith("compliance-"))) {
                assert.ok(target.dependencies.includes(one(rec, T.topicPolicy, "monitoring-alerts-policy").urn), `${target.name} waits for the topic policy`);
            }
        });

        it("complianceMonitoringEnabled false (dev): no component, no Config statement, no foreign rule in the topic policy", async () => {
            const { rec } = await composed("dev", { complianceMonitoringEnabled: false });
            assert.strictEqual(ofType(rec, T.component).length, 0);
            assert.ok(!JSON.stringify(policyDocument(one(rec, T.bucketPolicy, "audit-bucket-policy"))).includes("config.amazonaws.com"));
            assert.ok(!JSON.stringify(policyDocument(one(rec, T.topicPolicy, "monitoring-alerts-policy"))).includes("compliance"));
        });

        it("Config run by the delegated administrator: no delivery statements on the audit bucket; the alert rules still publish", async () => {
            const { rec } = await composed("prod", { complianceConfigManagedByDelegatedAdministrator: true });
            assert.ok(!JSON.stringify(policyDocument(one(rec, T.bucketPolicy, "audit-bucket-policy"))).includes("config.amazonaws.com"));
            assert.ok(JSON.stringify(policyDocument(one(rec, T.topicPolicy, "monitoring-alerts-policy"))).includes("compliance-config-noncompliance"));
            assert.strictEqual(ofType(rec, T.recorder).length, 0);
        });
    });

    describe("component hygiene and the pack", () => {
        it("every resource is a direct child; a bad delivery prefix is refused by name", async () => {
            const { rec } = await record("prod", "preview");
            const component = one(rec, T.component, "compliance");
            const children = descendants(rec, component.urn);
            assert.strictEqual(children.length, rec.resources.length - 2);
            for (const r of children) assert.strictEqual(r.parent, component.urn, r.name);
            const cfg = platformConfig("prod");
            await assert.rejects(
                recordProgram(async () => {
                    new ComplianceMonitoring("compliance", { ...argsFor(cfg), deliveryPrefix: "Config/History" });
                }, { mode: "preview" }),
                /ComplianceMonitoring 'compliance': deliveryPrefix must be 1-63 lowercase letters, digits and hyphens \(one key segment\), got 'Config\/History'/,
            );
        });

        for (const stack of ["dev", "prod"] as const) {
            for (const mode of ["preview", "up"] as const) {
                it(`${stack} ${mode}: no violation and nothing skipped at preview, on the real logs key`, async () => {
                    const cfg = platformConfig(stack);
                    const rec = await recordWithKeys(cfg, stack, mode, (keys) => {
                        new ComplianceMonitoring("compliance", argsFor(cfg, keys));
                    });
                    assert.deepStrictEqual(await runPack(rec, cfg), { mandatory: [], advisory: [], previewSkipped: [] });
                });
            }
        }
    });
});
