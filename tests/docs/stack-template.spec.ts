import * as assert from "assert";
import * as path from "path";
import { ConfigValidationError, loadPlatformConfig } from "../../components/shared/config";
import { configMapFromFile, mapSource, ROOT } from "../support/platform";

const TEMPLATE = path.join(ROOT, "docs", "stack-template.yaml");

describe("docs/stack-template.yaml", () => {
    it("validates once its placeholders are filled in (outside us-east-1 without NAT, the query API must use JWT)", async () => {
        const cfg = loadPlatformConfig(
            mapSource(
                configMapFromFile(TEMPLATE, {
                    "aws:region": "us-west-2",
                    "aws:allowedAccountIds": ["456789012345"],
                    environment: "staging",
                    owner: "data-platform-team",
                    costCenter: "cc-4410-stg",
                    alertEmails: ["oncall@example-health.org"],
                    vpcCidr: "10.60.0.0/16",
                    apiAuthorization: "JWT",
                    apiJwtIssuer: "https://login.example-health.org/oauth2/default",
                    apiJwtAudience: ["api://hdp-analytics"],
                }),
                "staging",
            ),
        );
        assert.strictEqual(cfg.environment, "staging");
        assert.strictEqual(cfg.naming.accountId, "456789012345");
    });

    it("left unfilled, names every placeholder key that must be replaced", async () => {
        let problems: string[] = [];
        try {
            loadPlatformConfig(mapSource(configMapFromFile(TEMPLATE), "staging"));
        } catch (err) {
            problems = err instanceof ConfigValidationError ? err.problems : [];
        }
        const keys = problems.map((p) => p.split(": expected")[0]);
        assert.deepStrictEqual(keys.sort(), [
            "aws:allowedAccountIds",
            "aws:region",
            "healthcare-data-platform:alertEmails[0]",
            "healthcare-data-platform:costCenter",
            "healthcare-data-platform:environment",
            "healthcare-data-platform:owner",
            "healthcare-data-platform:vpcCidr",
        ]);
    });
});
