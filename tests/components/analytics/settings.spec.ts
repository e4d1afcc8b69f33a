import * as assert from "assert";
import { openSearchZones } from "../../../components/analytics/settings";
import { platformConfig, stackProblems } from "../../support/platform";

const problemsFor = stackProblems;

describe("components/analytics/settings", () => {
    it("spreads OpenSearch nodes over one zone, then two, or three for multiples of 3", async () => {
        assert.deepStrictEqual([1, 2, 3, 4, 6, 8, 9].map(openSearchZones), [1, 2, 3, 2, 3, 2, 3]);
    });

    it("refuses node counts that cannot spread evenly, or over more zones than the network has", async () => {
        assert.deepStrictEqual(problemsFor("dev", { opensearchEnabled: true, opensearchInstanceCount: 5 }), [
            "healthcare-data-platform:opensearchInstanceCount: expected an even number or a multiple of 3 so nodes spread evenly over availability zones (zone awareness), got 5",
        ]);
        // dev has two availability zones, so two private subnets: three zone-aware nodes cannot be placed.
        assert.deepStrictEqual(problemsFor("dev", { opensearchEnabled: true, opensearchInstanceCount: 3 }), [
            "healthcare-data-platform:opensearchInstanceCount: expected a count that spreads over at most availabilityZones (2) zones: a multiple of 3 spreads over 3, got 3",
        ]);
        assert.strictEqual(platformConfig("prod").analytics.opensearch.instanceCount, 3);
        assert.strictEqual(platformConfig("dev", { opensearchEnabled: true, opensearchInstanceCount: 4 }).analytics.opensearch.instanceCount, 4);
    });

    it("gives the analytics functions at least the 10 seconds an Athena query needs", async () => {
        assert.deepStrictEqual(problemsFor("dev", { analyticsLambdaTimeoutSeconds: 5 }), ["healthcare-data-platform:analyticsLambdaTimeoutSeconds: expected an integer from 10 to 900, got 5"]);
    });

    describe("API authorisation", () => {
        const JWT = { apiAuthorization: "JWT", apiJwtIssuer: "https://login.example-health.org/oauth2/default", apiJwtAudience: ["api://hdp-analytics"] };
        const P = "healthcare-data-platform";

        it("defaults to a tenant scope, an analyst scope and the customer claim, and to no analyst roles", async () => {
            const api = platformConfig("dev", JWT).analytics.api;
            assert.deepStrictEqual([api.jwtCustomerClaim, api.jwtTenantScope, api.jwtAnalystScope, api.iamAnalystRoleArns], ["customer", "hdp-api/tenant", "hdp-api/analyst", []]);
            // "" is a value: no token may act as an analyst.
            assert.strictEqual(platformConfig("dev", { ...JWT, apiJwtAnalystScope: "" }).analytics.api.jwtAnalystScope, undefined);
            // prod: the platform's analyst role is the API's analyst.
            assert.deepStrictEqual(platformConfig("prod").analytics.api.iamAnalystRoleArns, ["arn:aws:iam::345678901234:role/hdp-prod-analyst"]);
        });

        it("names the key of a customer claim, tenant scope or analyst scope that cannot work", async () => {
            assert.deepStrictEqual(problemsFor("dev", { ...JWT, apiJwtCustomerClaim: "sub", apiJwtTenantScope: "hdp api", apiJwtAnalystScope: "a\"b" }), [
                `${P}:apiJwtCustomerClaim: expected a claim name (letters, digits and _ . : / -, starting with a letter) other than sub, iss, aud, exp, nbf, iat, jti, scope, scp, client_id, azp, token_use, username, cognito:username, cognito:groups, got 'sub'`,
                `${P}:apiJwtTenantScope: expected an OAuth scope (printable characters without spaces, quotes or backslashes) that every tenant token carries, got 'hdp api'`,
                `${P}:apiJwtAnalystScope: expected an OAuth scope (printable characters without spaces, quotes or backslashes), or "" for no analyst tokens, got 'a"b'`,
            ]);
            assert.deepStrictEqual(problemsFor("dev", { ...JWT, apiJwtAnalystScope: "hdp-api/tenant" }), [
                `${P}:apiJwtAnalystScope: expected a scope other than apiJwtTenantScope (one scope cannot mean both pinned and not pinned), got 'hdp-api/tenant'`,
            ]);
            for (const claim of ["custom:customer", "https://example-health.org/claims/customer"]) {
                assert.strictEqual(platformConfig("dev", { ...JWT, apiJwtCustomerClaim: claim }).analytics.api.jwtCustomerClaim, claim);
            }
        });

        it("refuses IAM mode outside us-east-1 without NAT, where the tenant lookup cannot reach IAM; JWT works in any region", async () => {
            assert.deepStrictEqual(problemsFor("dev", { "aws:region": "eu-west-1" }), [
                `${P}:apiAuthorization: expected JWT in eu-west-1 without NAT (natGateways: none): IAM mode maps callers to tenants with iam:ListRoleTags, and AWS offers the IAM VPC endpoint only in us-east-1, got 'IAM'`,
            ]);
            assert.strictEqual(platformConfig("dev", { "aws:region": "eu-west-1", natGateways: "single" }).analytics.api.authorization, "IAM");
            assert.strictEqual(platformConfig("dev", { "aws:region": "eu-west-1", ...JWT }).analytics.api.authorization, "JWT");
            assert.strictEqual(platformConfig("dev", { "aws:region": "eu-west-1", apiEnabled: false }).analytics.api.enabled, false);
        });

        it("accepts only analyst role ARNs of this account that are not a customer's reader role", async () => {
            assert.deepStrictEqual(
                problemsFor("dev", {
                    apiIamAnalystRoleArns: [
                        "arn:aws:iam::210987654321:role/ops/hdp-dev-analyst",
                        "arn:aws:iam::111122223333:role/hdp-dev-analyst",
                        "arn:aws:iam::210987654321:user/jane",
                        "arn:aws:iam::210987654321:role/hdp-dev-customer-st-marys-reader",
                    ],
                }),
                [
                    `${P}:apiIamAnalystRoleArns[1]: expected an IAM role ARN of this stack's account, arn:aws:iam::210987654321:role/<name>, got 'arn:aws:iam::111122223333:role/hdp-dev-analyst'`,
                    `${P}:apiIamAnalystRoleArns[2]: expected an IAM role ARN of this stack's account, arn:aws:iam::210987654321:role/<name>, got 'arn:aws:iam::210987654321:user/jane'`,
                    `${P}:apiIamAnalystRoleArns[3]: expected a role that is not a customer's reader role (this one reads st-marys), got 'arn:aws:iam::210987654321:role/hdp-dev-customer-st-marys-reader'`,
                ],
            );
            const many = Array.from({ length: 21 }, (_, i) => `arn:aws:iam::210987654321:role/analyst-${i}`);
            assert.deepStrictEqual(problemsFor("dev", { apiIamAnalystRoleArns: many }), [`${P}:apiIamAnalystRoleArns: expected at most 20 role ARNs, got 21`]);
        });
    });
});
