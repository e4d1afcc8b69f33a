import * as assert from "assert";
import { ConfigValidationError, loadPlatformConfig } from "../../../components/shared/config";
import { mapSource, stackConfigMap } from "../../support/platform";

function problemsFor(stack: "dev" | "prod", overrides: Record<string, unknown>): string[] {
    try {
        loadPlatformConfig(mapSource(stackConfigMap(stack, overrides), stack));
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.problems;
        throw err;
    }
    assert.fail(`expected a ConfigValidationError for ${JSON.stringify(overrides)}`);
}

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
