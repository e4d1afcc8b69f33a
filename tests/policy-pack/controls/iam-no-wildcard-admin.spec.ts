import * as assert from "assert";
import {
    IAM_GROUP_POLICY,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
    IAM_USER_POLICY,
    SSO_PERMISSION_SET_INLINE_POLICY,
    iamNoWildcardAdmin as policy,
} from "../../../policy-pack/policies/controls/iam-no-wildcard-admin";
import { messages, UNKNOWN, validateResource } from "../helpers";

const ADMIN = { Version: "2012-10-17", Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] };
const SCOPED = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::phi-raw/*" }] };

describe("iam-no-wildcard-admin", () => {
    it("passes least-privilege documents given as JSON strings or objects", async () => {
        for (const policyDoc of [JSON.stringify(SCOPED), SCOPED]) {
            assert.deepStrictEqual(await validateResource(policy, { type: IAM_POLICY, props: { policy: policyDoc } }), { violations: [], notApplicable: [], previewSkipped: [] });
        }
        // Service-wide or deny-all statements are not "* on *" grants.
        const notAdmin = { Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }, { Effect: "Deny", Action: "*", Resource: "*" }, { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b/*" }] };
        assert.deepStrictEqual((await validateResource(policy, { type: IAM_ROLE_POLICY, props: { policy: JSON.stringify(notAdmin) } })).violations, []);
    });

    it("fails * on * in every kind of policy document, string or object, single statement or list", async () => {
        const cases: [string, Record<string, unknown>][] = [
            [IAM_POLICY, { policy: JSON.stringify(ADMIN) }],
            [IAM_ROLE_POLICY, { policy: ADMIN }],
            [IAM_USER_POLICY, { policy: JSON.stringify({ Statement: { Effect: "Allow", Action: ["*:*"], Resource: ["*"] } }) }],
            [IAM_GROUP_POLICY, { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", NotResource: "arn:aws:iam::*:role/breakglass" }] }) }],
            [SSO_PERMISSION_SET_INLINE_POLICY, { inlinePolicy: JSON.stringify(ADMIN) }],
        ];
        for (const [type, props] of cases) {
            assert.strictEqual((await validateResource(policy, { type, name: "p", props })).violations.length, 1, type);
        }
        assert.deepStrictEqual(messages(await validateResource(policy, { type: IAM_POLICY, name: "ops", props: { policy: JSON.stringify(ADMIN) } })), [
            'iam.Policy "ops" policy Statement[0] (All) allows every action on every resource: grant only the actions and resources the principal needs.',
        ]);
    });

    it("fails a role's inline policy and AdministratorAccess attachments in any partition", async () => {
        const v = await validateResource(policy, {
            type: IAM_ROLE,
            name: "etl",
            props: { assumeRolePolicy: "{}", inlinePolicies: [{ name: "ok", policy: JSON.stringify(SCOPED) }, { name: "admin", policy: JSON.stringify(ADMIN) }], managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
        });
        assert.deepStrictEqual(messages(v).map((m) => m.split(" allows")[0].split(", which")[0]), ['iam.Role "etl" inlinePolicies[1] (admin) Statement[0] (All)', 'iam.Role "etl" attaches arn:aws:iam::aws:policy/AdministratorAccess']);
        assert.strictEqual((await validateResource(policy, { type: IAM_ROLE_POLICY_ATTACHMENT, props: { role: "r", policyArn: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess" } })).violations.length, 1);
        assert.strictEqual((await validateResource(policy, { type: IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE, props: { roleName: "r", policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"] } })).violations.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: IAM_ROLE_POLICY_ATTACHMENT, props: { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" } })).violations, []);
    });

    it("reports a document that is not valid JSON", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: IAM_POLICY, name: "bad", props: { policy: "{" } })).map((m) => m.split(" (")[0]), ['iam.Policy "bad" policy is not valid JSON']);
    });

    it("exempts configured break-glass resources by name", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: IAM_ROLE_POLICY, name: "breakglass", props: { policy: ADMIN } }, { config: { exemptResourceNames: ["breakglass"] } })).violations, []);
        assert.strictEqual((await validateResource(policy, { type: IAM_ROLE_POLICY, name: "other", props: { policy: ADMIN } }, { config: { exemptResourceNames: ["breakglass"] } })).violations.length, 1);
    });

    it("at preview skips attachments of policies created in the program (unknown ARN), and leaves unknown documents to the SDK", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: IAM_ROLE_POLICY_ATTACHMENT, props: { role: UNKNOWN, policyArn: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual((await validateResource(policy, { type: IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE, props: { policyArns: [UNKNOWN, "arn:aws:iam::aws:policy/AdministratorAccess"] } })).violations.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: IAM_POLICY, props: { policy: UNKNOWN } })).previewSkipped, ["string value at .policy can't be known during preview"]);
    });

    it("is not applicable to other types and has no remediation", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:iam/user:User" })).notApplicable.length, 1);
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
