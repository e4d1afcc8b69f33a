import * as assert from "assert";
import { ConfigValidationError, loadPlatformConfig, cidrsOverlap, parseCidr } from "../../../components/shared/config";
import { mapSource, platformConfig, stackConfigMap } from "../../support/platform";

/** The problems reported for the dev stack with `overrides` applied. */
function problemsFor(overrides: Record<string, unknown>, stack: "dev" | "prod" = "dev"): string[] {
    try {
        loadPlatformConfig(mapSource(stackConfigMap(stack, overrides), stack));
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.problems;
        throw err;
    }
    assert.fail(`expected a ConfigValidationError for ${JSON.stringify(overrides)}`);
}

describe("components/shared/config", () => {
    describe("valid stacks", () => {
        it("types the dev stack with its cheap settings", async () => {
            const cfg = platformConfig("dev");
            assert.strictEqual(cfg.environment, "dev");
            assert.strictEqual(cfg.protect, false);
            assert.strictEqual(cfg.network.natGateways, "none");
            assert.strictEqual(cfg.network.onPremises, undefined);
            assert.strictEqual(cfg.storage.rds.multiAz, false);
            assert.strictEqual(cfg.dataLake.objectLock.enabled, false);
            assert.deepStrictEqual(cfg.naming, { prefix: "hdp", environment: "dev", region: "us-east-1", accountId: "210987654321", partition: "aws" });
            assert.strictEqual(cfg.logging.retentionDays, 14);
        });

        it("types the prod stack with its resilient settings", async () => {
            const cfg = platformConfig("prod");
            assert.strictEqual(cfg.protect, true);
            assert.strictEqual(cfg.storage.rds.multiAz, true);
            assert.strictEqual(cfg.storage.backup.vaultLock, true);
            assert.strictEqual(cfg.dataLake.objectLock.enabled, true);
            assert.ok(cfg.logging.auditRetentionDays >= 2192);
            assert.deepStrictEqual(cfg.network.onPremises?.cidrs, ["192.168.0.0/20", "172.20.0.0/16"]);
            assert.strictEqual(cfg.dataLake.lifecycle.curated.infrequentAccessDays, 90);
            assert.strictEqual(cfg.dataLake.lifecycle.curated.archiveDays, 365);
            // Zones without overrides inherit the stack-wide lifecycle.
            assert.strictEqual(cfg.dataLake.lifecycle.raw.archiveDays, 180);
        });

        it("derives environment defaults when keys are absent", async () => {
            const cfg = platformConfig("prod", { protectStatefulResources: undefined, rdsMultiAz: undefined, backupVaultLock: undefined });
            assert.strictEqual(cfg.protect, true);
            assert.strictEqual(cfg.storage.rds.multiAz, true);
            assert.strictEqual(cfg.storage.backup.vaultLock, true);
        });

        it("keeps the on-prem database password a secret output", async () => {
            const cfg = platformConfig("prod");
            const password = cfg.ingestion.batch.password;
            assert.ok(password, "password should be read when batch ETL is on");
            assert.strictEqual(await password.isSecret, true);
        });
    });

    describe("validation rules (exact messages)", () => {
        it("rejects an unknown environment", async () => {
            assert.deepStrictEqual(problemsFor({ environment: "qa" }), [
                "healthcare-data-platform:environment: expected one of dev, staging, prod, got 'qa'",
            ]);
        });

        it("requires the environment key", async () => {
            assert.deepStrictEqual(problemsFor({ environment: undefined }), [
                "healthcare-data-platform:environment: expected one of dev, staging, prod (the key is required), got undefined",
            ]);
        });

        it("rejects a malformed VPC CIDR", async () => {
            assert.deepStrictEqual(problemsFor({ vpcCidr: "10.40.0.0/33" }), [
                "healthcare-data-platform:vpcCidr: expected an IPv4 CIDR block with a prefix from /16 to /24 and no host bits, such as 10.40.0.0/16, got '10.40.0.0/33'",
            ]);
            assert.deepStrictEqual(problemsFor({ vpcCidr: "10.40.0.1/16" }), [
                "healthcare-data-platform:vpcCidr: expected an IPv4 CIDR block with a prefix from /16 to /24 and no host bits, such as 10.40.0.0/16, got '10.40.0.1/16'",
            ]);
        });

        it("rejects a malformed on-prem CIDR", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCidrs: ["192.168.0.0/20", "300.1.0.0/16"], onPremVpnPeerIp: "203.0.113.10" }), [
                "healthcare-data-platform:onPremCidrs[1]: expected an IPv4 CIDR block with no host bits, such as 192.168.0.0/16, got '300.1.0.0/16'",
            ]);
        });

        it("rejects on-prem CIDRs that overlap each other", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCidrs: ["192.168.0.0/16", "192.168.4.0/24"], onPremVpnPeerIp: "203.0.113.10" }), [
                "healthcare-data-platform:onPremCidrs[1]: expected a range that does not overlap onPremCidrs[0] (192.168.0.0/16), got '192.168.4.0/24'",
            ]);
        });

        it("rejects on-prem CIDRs that overlap the VPC", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCidrs: ["10.40.128.0/20"], onPremVpnPeerIp: "203.0.113.10" }), [
                "healthcare-data-platform:onPremCidrs[0]: expected a range that does not overlap the VPC (10.40.0.0/16), got '10.40.128.0/20'",
            ]);
        });

        it("requires the VPN peer address with on-prem CIDRs", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCidrs: ["192.168.0.0/20"] }), [
                "healthcare-data-platform:onPremVpnPeerIp: expected the public IPv4 address of the on-prem VPN device (required with onPremCidrs), got undefined",
            ]);
        });

        it("rejects a transition to STANDARD_IA under 30 days", async () => {
            assert.deepStrictEqual(problemsFor({ lifecycleIaDays: 29 }), [
                "healthcare-data-platform:lifecycleIaDays: expected at least 30 days (S3's minimum before a transition to STANDARD_IA), got 29",
            ]);
            assert.deepStrictEqual(problemsFor({ lifecycleRawIaDays: 7 }), [
                "healthcare-data-platform:lifecycleRawIaDays: expected at least 30 days (S3's minimum before a transition to STANDARD_IA), got 7",
            ]);
        });

        it("rejects a Glacier transition that is not after the IA transition", async () => {
            assert.deepStrictEqual(problemsFor({ lifecycleIaDays: 60, lifecycleArchiveDays: 60 }), [
                "healthcare-data-platform:lifecycleArchiveDays: expected the GLACIER transition after the STANDARD_IA transition (60 days), got 60",
            ]);
            // The raw zone inherits the stack-wide 180-day archive transition, so its own IA key is the culprit.
            assert.deepStrictEqual(problemsFor({ lifecycleRawIaDays: 200 }, "prod"), [
                "healthcare-data-platform:lifecycleRawIaDays: expected a STANDARD_IA transition before the GLACIER transition (180 days), got 200",
            ]);
            assert.deepStrictEqual(problemsFor({ lifecycleCuratedIaDays: 400 }, "prod"), [
                "healthcare-data-platform:lifecycleCuratedArchiveDays: expected the GLACIER transition after the STANDARD_IA transition (400 days), got 365",
            ]);
        });

        it("rejects a log retention CloudWatch does not accept", async () => {
            assert.deepStrictEqual(problemsFor({ logRetentionDays: 45 }), [
                "healthcare-data-platform:logRetentionDays: expected one of CloudWatch Logs' retention values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 45",
            ]);
        });

        it("requires six years of audit retention in prod", async () => {
            assert.deepStrictEqual(problemsFor({ auditLogRetentionDays: 1827 }, "prod"), [
                "healthcare-data-platform:auditLogRetentionDays: expected at least 2192 days in prod (HIPAA 164.316(b)(2), six years), got 1827",
            ]);
        });

        it("rejects a malformed alert e-mail", async () => {
            assert.deepStrictEqual(problemsFor({ alertEmails: ["oncall@example-health.org", "security-at-example.org"] }), [
                "healthcare-data-platform:alertEmails[1]: expected an e-mail address such as security@example.org, got 'security-at-example.org'",
            ]);
        });

        it("requires a stakeholder e-mail in prod", async () => {
            assert.deepStrictEqual(problemsFor({ alertEmails: [] }, "prod"), [
                "healthcare-data-platform:alertEmails: expected at least one stakeholder e-mail in prod (HIPAA 164.308(a)(6): incidents must reach someone), got []",
            ]);
        });

        it("rejects customer ids that are not tag-safe", async () => {
            assert.deepStrictEqual(problemsFor({ customers: ["st-marys", "North Side Clinic", "a".repeat(33)] }), [
                "healthcare-data-platform:customers[1]: expected a tag-safe customer id: 1-32 lowercase letters, digits and inner hyphens, got 'North Side Clinic'",
                `healthcare-data-platform:customers[2]: expected a tag-safe customer id: 1-32 lowercase letters, digits and inner hyphens, got '${"a".repeat(33)}'`,
            ]);
        });

        it("rejects duplicate customer ids", async () => {
            assert.deepStrictEqual(problemsFor({ customers: ["st-marys", "st-marys"] }), [
                "healthcare-data-platform:customers: expected unique customer ids, got 'st-marys'",
            ]);
        });

        it("pins exactly one AWS account", async () => {
            assert.deepStrictEqual(problemsFor({ "aws:allowedAccountIds": ["1234"] }), [
                "aws:allowedAccountIds: expected a list with exactly one 12-digit AWS account id, got [\"1234\"]",
            ]);
        });

        it("rejects a value that is not a list where a list is expected", async () => {
            assert.deepStrictEqual(problemsFor({ alertEmails: "oncall@example-health.org" }), [
                "healthcare-data-platform:alertEmails: expected a list of strings, got 'oncall@example-health.org'",
            ]);
        });

        it("rejects integers out of range and booleans that are not booleans", async () => {
            assert.deepStrictEqual(problemsFor({ availabilityZones: 5, rdsEnabled: "yes" }), [
                "healthcare-data-platform:availabilityZones: expected an integer from 2 to 3, got 5",
                "healthcare-data-platform:rdsEnabled: expected true or false, got 'yes'",
            ]);
        });

        it("requires the on-prem database password when batch ETL is on", async () => {
            assert.deepStrictEqual(problemsFor({ onPremDbPassword: undefined }, "prod"), [
                "healthcare-data-platform:onPremDbPassword: expected a secret (pulumi config set --secret onPremDbPassword <value>) when batchEtlEnabled is true, got undefined",
            ]);
        });

        it("requires the VPN for batch ETL", async () => {
            const problems = problemsFor({ batchEtlEnabled: true, onPremJdbcUrl: "jdbc:postgresql://ehr:5432/ehr", onPremDbUsername: "etl", onPremDbPassword: "x" });
            assert.deepStrictEqual(problems, [
                "healthcare-data-platform:batchEtlEnabled: expected onPremCidrs and onPremVpnPeerIp to be set: the ETL job reaches the on-prem database over the site-to-site VPN, got true",
            ]);
        });

        it("requires a 30-day key deletion window in prod", async () => {
            assert.deepStrictEqual(problemsFor({ kmsDeletionWindowDays: 7 }, "prod"), [
                "healthcare-data-platform:kmsDeletionWindowDays: expected 30 in prod (the longest window, to recover a key scheduled for deletion by mistake), got 7",
            ]);
        });

        it("reports every problem at once, in one error naming each key", async () => {
            assert.throws(
                () => loadPlatformConfig(mapSource(stackConfigMap("dev", { environment: "qa", logRetentionDays: 45 }))),
                (err: Error) =>
                    err instanceof ConfigValidationError &&
                    err.message.startsWith("Stack configuration is invalid:\n  - healthcare-data-platform:environment") &&
                    err.message.includes("\n  - healthcare-data-platform:logRetentionDays"),
            );
        });
    });

    describe("CIDR helpers", () => {
        it("parses valid blocks and rejects host bits, bad octets and prefixes", async () => {
            assert.deepStrictEqual(parseCidr("10.0.0.0/8"), [0x0a000000, 8]);
            assert.strictEqual(parseCidr("10.0.0.1/8"), undefined);
            assert.strictEqual(parseCidr("256.0.0.0/8"), undefined);
            assert.strictEqual(parseCidr("10.0.0.0/40"), undefined);
            assert.strictEqual(parseCidr("10.0.0.0"), undefined);
        });

        it("detects overlap in both directions and not between neighbours", async () => {
            assert.strictEqual(cidrsOverlap("10.0.0.0/16", "10.0.5.0/24"), true);
            assert.strictEqual(cidrsOverlap("10.0.5.0/24", "10.0.0.0/16"), true);
            assert.strictEqual(cidrsOverlap("10.0.0.0/24", "10.0.1.0/24"), false);
        });
    });
});
