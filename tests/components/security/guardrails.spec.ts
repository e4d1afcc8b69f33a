import * as assert from "assert";
import { AccountGuardrails, AccountGuardrailsArgs, DEFAULT_GUARDDUTY_FEATURES, GuardDutyFeature } from "../../../components/security/guardrails";
import { PlatformConfig } from "../../../components/shared/config";
import { Mode, recordProgram, Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, ofType, one, platformConfig } from "../../support/platform";
import { recordWithKeys, runPack } from "./support";

const T = {
    component: "healthcare:security:AccountGuardrails",
    detector: "aws:guardduty/detector:Detector",
    feature: "aws:guardduty/detectorFeature:DetectorFeature",
    accountPab: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    ebsDefault: "aws:ebs/encryptionByDefault:EncryptionByDefault",
    ebsKey: "aws:ebs/defaultKmsKey:DefaultKmsKey",
} as const;

type Stack = "dev" | "prod";

function argsFor(cfg: PlatformConfig, extra: Partial<AccountGuardrailsArgs> = {}): AccountGuardrailsArgs {
    return { context: contextOf(cfg), databasesKey: fakeKeys(cfg).databases, guardDutyEnabled: cfg.security.guardDutyEnabled, ...extra };
}

async function record(stack: Stack, mode: Mode, extra: Partial<AccountGuardrailsArgs> = {}): Promise<{ rec: Recording; cfg: PlatformConfig }> {
    const cfg = platformConfig(stack);
    const rec = await recordProgram(
        async () => {
            new AccountGuardrails("guardrails", argsFor(cfg, extra));
        },
        { mode, stack, context: { accountId: cfg.naming.accountId, region: cfg.naming.region } },
    );
    return { rec, cfg };
}

describe("AccountGuardrails (healthcare:security:AccountGuardrails)", () => {
    describe("GuardDuty", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: an enabled detector with S3 protection and the other default plans as DetectorFeatures`, async () => {
                const { rec, cfg } = await record(stack, "up");
                assert.strictEqual(cfg.security.guardDutyEnabled, true);
                const detector = one(rec, T.detector, "guardrails-guardduty");
                // No deprecated `datasources` block: protection plans are DetectorFeature resources in provider v7.
                assert.deepStrictEqual(inputs(detector), { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
                assert.strictEqual(detector.options.protect, stack === "prod");
                const features = ofType(rec, T.feature).map(inputs);
                assert.deepStrictEqual(
                    features.map((f) => [f.name, f.status, f.detectorId]).sort(),
                    [...DEFAULT_GUARDDUTY_FEATURES].sort().map((n) => [n, "ENABLED", detector.id]),
                );
                assert.ok(features.some((f) => f.name === "S3_DATA_EVENTS"));
            });
        }

        it("at preview every feature is joined to the detector through its detectorId", async () => {
            const { rec } = await record("prod", "preview");
            const detector = one(rec, T.detector, "guardrails-guardduty").urn;
            for (const f of ofType(rec, T.feature)) {
                assert.deepStrictEqual(f.propertyDependencies.detectorId, [detector], f.name);
            }
        });

        it("guardDutyEnabled=false removes exactly the detector and its features", async () => {
            const on = await record("prod", "preview");
            const off = await record("prod", "preview", { guardDutyEnabled: false });
            const footprint = (rec: Recording) => rec.resources.map((r) => r.name).sort();
            const removed = footprint(on.rec).filter((n) => !footprint(off.rec).includes(n));
            assert.deepStrictEqual(removed, ["guardrails-guardduty", ...DEFAULT_GUARDDUTY_FEATURES.map((f) => `guardrails-guardduty-${f.toLowerCase().replace(/_/g, "-")}`)].sort());
            assert.strictEqual(footprint(off.rec).length, footprint(on.rec).length - removed.length);
        });

        it("a chosen plan list is honoured; one without S3 protection or with a duplicate is refused", async () => {
            const chosen: GuardDutyFeature[] = ["S3_DATA_EVENTS", "RDS_LOGIN_EVENTS"];
            const { rec } = await record("dev", "preview", { guardDutyFeatures: chosen });
            assert.deepStrictEqual(ofType(rec, T.feature).map((f) => inputs(f).name).sort(), [...chosen].sort());
            const cfg = platformConfig("dev");
            await assert.rejects(
                recordProgram(async () => {
                    new AccountGuardrails("guardrails", argsFor(cfg, { guardDutyFeatures: ["RDS_LOGIN_EVENTS"] }));
                }, { mode: "preview" }),
                /AccountGuardrails 'guardrails': guardDutyFeatures must include S3_DATA_EVENTS \(S3 protection of the PHI buckets\), got \["RDS_LOGIN_EVENTS"\]/,
            );
            await assert.rejects(
                recordProgram(async () => {
                    new AccountGuardrails("guardrails", argsFor(cfg, { guardDutyFeatures: ["S3_DATA_EVENTS", "S3_DATA_EVENTS"] }));
                }, { mode: "preview" }),
                /guardDutyFeatures lists 'S3_DATA_EVENTS' twice/,
            );
        });
    });

    describe("account-level S3 public access block and EBS encryption", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: all four public access settings on for this account; EBS encrypted by default with the databases key`, async () => {
                const { rec, cfg } = await record(stack, "preview");
                const pab = one(rec, T.accountPab, "guardrails-s3-public-access-block");
                assert.deepStrictEqual(inputs(pab), {
                    accountId: cfg.naming.accountId,
                    blockPublicAcls: true,
                    ignorePublicAcls: true,
                    blockPublicPolicy: true,
                    restrictPublicBuckets: true,
                });
                const ebs = one(rec, T.ebsDefault, "guardrails-ebs-encryption");
                assert.deepStrictEqual(inputs(ebs), { enabled: true });
                const key = one(rec, T.ebsKey, "guardrails-ebs-default-key");
                assert.deepStrictEqual(inputs(key), { keyArn: fakeKeys(cfg).databases.arn });
                assert.ok(key.dependencies.includes(ebs.urn), "the default key is set after default encryption is on");
                for (const r of [pab, ebs, key]) {
                    assert.strictEqual(r.options.protect, stack === "prod", r.name);
                }
            });
        }

        it("with the real keys, the EBS default key is the databases key (property dependency at preview)", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordWithKeys(cfg, "prod", "preview", (keys) => {
                new AccountGuardrails("guardrails", { ...argsFor(cfg), databasesKey: keys.databases });
            });
            assert.deepStrictEqual(one(rec, T.ebsKey, "guardrails-ebs-default-key").propertyDependencies.keyArn, [one(rec, "aws:kms/key:Key", "keys-databases").urn]);
        });
    });

    describe("component hygiene", () => {
        it("every resource is a direct child of the component", async () => {
            const { rec } = await record("prod", "preview");
            const component = one(rec, T.component, "guardrails");
            const children = descendants(rec, component.urn);
            assert.strictEqual(children.length, rec.resources.length - 2);
            for (const r of children) {
                assert.strictEqual(r.parent, component.urn, r.name);
            }
        });

        it("two instances register no colliding URN (the settings are per account and region: one instance per stack)", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordProgram(
                async () => {
                    new AccountGuardrails("guardrails", argsFor(cfg));
                    new AccountGuardrails("guardrails-b", argsFor(cfg, { guardDutyEnabled: false }));
                },
                { mode: "preview", stack: "prod" },
            );
            const urns = rec.resources.map((r) => r.urn);
            assert.strictEqual(new Set(urns).size, urns.length);
        });
    });

    describe("policy pack", () => {
        for (const stack of ["dev", "prod"] as const) {
            for (const mode of ["preview", "up"] as const) {
                it(`${stack} ${mode}: no violation and nothing skipped at preview, on the real databases key`, async () => {
                    const cfg = platformConfig(stack);
                    const rec = await recordWithKeys(cfg, stack, mode, (keys) => {
                        new AccountGuardrails("guardrails", { ...argsFor(cfg), databasesKey: keys.databases });
                    });
                    assert.deepStrictEqual(await runPack(rec, cfg), { mandatory: [], advisory: [], previewSkipped: [] });
                });
            }
        }
    });
});
