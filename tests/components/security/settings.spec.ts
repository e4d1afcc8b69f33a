import * as assert from "assert";
import { platformConfig, stackProblems } from "../../support/platform";

const problemsFor = stackProblems;

describe("components/security/settings: detective controls (ComplianceMonitoring)", () => {
    it("prod: on, continuous recording, Security Hub with CIS 3.0.0, conformance parameters at AWS's defaults", () => {
        assert.deepStrictEqual(platformConfig("prod").security.compliance, {
            enabled: true,
            config: {
                managedByDelegatedAdministrator: false,
                recordingFrequency: "CONTINUOUS",
                homeRegion: "",
                serviceLinkedRoleExists: false,
                conformancePackEnabled: true,
                snapshotDeliveryFrequency: "TwentyFour_Hours",
            },
            securityHub: { enabled: true, managedByDelegatedAdministrator: false, cisVersion: "3.0.0" },
            conformance: { passwordMinimumLength: 14, passwordMaxAgeDays: 90, passwordReusePrevention: 24, accessKeyMaxAgeDays: 90 },
        });
    });

    it("dev (cheap default): daily recording and no Security Hub, from Pulumi.dev.yaml", () => {
        const c = platformConfig("dev").security.compliance;
        assert.deepStrictEqual([c.enabled, c.config.recordingFrequency, c.securityHub.enabled, c.config.conformancePackEnabled], [true, "DAILY", false, true]);
    });

    it("prod refuses switching the detective controls off, or daily recording, naming the key", () => {
        assert.deepStrictEqual(problemsFor("prod", { complianceMonitoringEnabled: false }), [
            "healthcare-data-platform:complianceMonitoringEnabled: expected true in prod (AWS Config and Security Hub watch the deployed stack; set complianceConfigManagedByDelegatedAdministrator or securityHubManagedByDelegatedAdministrator when the organisation runs them), got false",
        ]);
        assert.deepStrictEqual(problemsFor("prod", { complianceConfigRecordingFrequency: "DAILY" }), [
            "healthcare-data-platform:complianceConfigRecordingFrequency: expected CONTINUOUS in prod (daily recording keeps only the last state of a day, so a change reverted the same day leaves no history), got 'DAILY'",
        ]);
        // The organisation's recorder decides its own frequency.
        assert.strictEqual(platformConfig("prod", { complianceConfigRecordingFrequency: "DAILY", complianceConfigManagedByDelegatedAdministrator: true }).security.compliance.config.managedByDelegatedAdministrator, true);
        // dev may switch everything off.
        assert.strictEqual(platformConfig("dev", { complianceMonitoringEnabled: false }).security.compliance.enabled, false);
    });

    it("rejects a malformed home region and out-of-range or unknown values", () => {
        assert.deepStrictEqual(problemsFor("dev", { complianceConfigHomeRegion: "us-east", securityHubCisVersion: "5.0.0", compliancePasswordMinimumLength: 4, compliancePasswordReusePrevention: 30 }), [
            "healthcare-data-platform:complianceConfigHomeRegion: expected an AWS region such as us-east-1 (the one region that records IAM and other global types), or empty for the stack's region, got 'us-east'",
            "healthcare-data-platform:compliancePasswordMinimumLength: expected an integer from 6 to 128, got 4",
            "healthcare-data-platform:compliancePasswordReusePrevention: expected an integer from 1 to 24, got 30",
            "healthcare-data-platform:securityHubCisVersion: expected one of 1.2.0, 1.4.0, 3.0.0, got '5.0.0'",
        ]);
        assert.strictEqual(platformConfig("dev", { complianceConfigHomeRegion: "eu-west-1" }).security.compliance.config.homeRegion, "eu-west-1");
    });
});

describe("components/security/settings", () => {
    it("refuses, at config time, what the security components used to refuse while registering", async () => {
        // KMS accepts a 7-30 day deletion window.
        assert.deepStrictEqual(problemsFor("dev", { kmsDeletionWindowDays: 5 }), ["healthcare-data-platform:kmsDeletionWindowDays: expected an integer from 7 to 30, got 5"]);
        // Key administrators and role assumers belong to the stack's account.
        assert.deepStrictEqual(problemsFor("dev", { kmsKeyAdministratorArns: ["arn:aws:iam::999999999999:role/admin"] }), [
            "healthcare-data-platform:kmsKeyAdministratorArns[0]: expected an IAM role or user ARN of account 210987654321 (arn:aws:iam::210987654321:role/<name>), got 'arn:aws:iam::999999999999:role/admin'",
        ]);
        assert.deepStrictEqual(problemsFor("dev", { accessTrustedPrincipalArns: ["arn:aws:iam::999999999999:root"] }), [
            "healthcare-data-platform:accessTrustedPrincipalArns[0]: expected an IAM role or user ARN of account 210987654321 (arn:aws:iam::210987654321:role/<name>), got 'arn:aws:iam::999999999999:root'",
        ]);
        // Customer ids become role names and tag values; each has exactly one reader role.
        assert.deepStrictEqual(problemsFor("dev", { customers: ["St Marys", "st-marys", "st-marys"] }), [
            "healthcare-data-platform:customers[0]: expected a tag-safe customer id: 1-32 lowercase letters, digits and inner hyphens, got 'St Marys'",
            "healthcare-data-platform:customers: expected unique customer ids, got 'st-marys'",
        ]);
        // Stakeholder addresses: each once.
        assert.deepStrictEqual(problemsFor("prod", { alertEmails: ["a@example.org", "a@example.org"] }), ["healthcare-data-platform:alertEmails: expected unique e-mail addresses, got 'a@example.org'"]);
    });

    it("holds the Macie identifier's regex to Macie's 512-character limit", async () => {
        const regex = `MRN${"\\d".repeat(300)}`;
        assert.deepStrictEqual(problemsFor("dev", { macieMedicalRecordNumberRegex: regex }), [
            `healthcare-data-platform:macieMedicalRecordNumberRegex: expected a regular expression of at most 512 characters (Macie's limit), got '${regex}'`,
        ]);
        assert.deepStrictEqual(problemsFor("dev", { macieMedicalRecordNumberRegex: "MRN(" }), ["healthcare-data-platform:macieMedicalRecordNumberRegex: expected a valid regular expression, got 'MRN('"]);
    });
});
