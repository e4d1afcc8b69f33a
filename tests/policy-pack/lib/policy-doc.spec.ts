import * as assert from "assert";
import {
    appliesToAction,
    appliesToAllActions,
    appliesToAllResources,
    appliesToResource,
    globCoversPrefix,
    globIntersectsPrefix,
    globMatches,
    grantsFullAdmin,
    isEveryone,
    parsePolicyDocument,
    Statement,
    unionCoversPrefix,
} from "../../../policy-pack/lib/policy-doc";
import { UNKNOWN } from "../helpers";

function statements(doc: unknown): readonly Statement[] {
    const parsed = parsePolicyDocument(doc);
    assert.strictEqual(parsed.kind, "ok", JSON.stringify(parsed));
    return (parsed as Extract<typeof parsed, { kind: "ok" }>).doc.statements;
}

describe("lib/policy-doc: the one parser and IAM glob", () => {
    it("normalises IAM's grammar: single statement, string or list elements, principal shorthand, case-insensitive condition keys", () => {
        const [s] = statements(JSON.stringify({ Statement: { Sid: "A", Effect: "Deny", Principal: "111122223333", Action: "s3:GetObject", Resource: ["r"], Condition: { Bool: { "AWS:SecureTransport": false } } } }));
        assert.deepStrictEqual(
            { sid: s.sid, label: s.label, actions: s.actions, resources: s.resources, principal: s.principal, condition: s.condition, unknown: s.unknown },
            { sid: "A", label: "statement 'A'", actions: ["s3:GetObject"], resources: ["r"], principal: { AWS: ["111122223333"] }, condition: { Bool: { "aws:securetransport": [false] } }, unknown: false },
        );
        assert.strictEqual(statements({ Statement: [{ Effect: "Allow" }, { Effect: "Deny" }] })[1].label, "statement #2");
    });

    it("says what is wrong with a document, and when it is not known until apply", () => {
        assert.match((parsePolicyDocument("{x") as { error: string }).error, /^is not valid JSON/);
        assert.deepStrictEqual(parsePolicyDocument([]), { kind: "invalid", error: "is not a policy document object (got an array)" });
        assert.deepStrictEqual(parsePolicyDocument({}), { kind: "invalid", error: "has no Statement" });
        assert.deepStrictEqual(parsePolicyDocument({ Statement: ["x"] }), { kind: "invalid", error: "has a Statement[0] that is not an object" });
        assert.deepStrictEqual(parsePolicyDocument(UNKNOWN), { kind: "unknown" });
        assert.deepStrictEqual(parsePolicyDocument(`{"Statement":[{"Resource":"arn:aws:s3:::${UNKNOWN}"}]}`), { kind: "unknown" });
        assert.deepStrictEqual(parsePolicyDocument({ Statement: UNKNOWN }), { kind: "unknown" });
        assert.strictEqual(statements({ Statement: [{ Effect: "Deny", Resource: UNKNOWN }] })[0].unknown, true);
    });

    it("matches IAM globs: * any run, ? one character, actions case-insensitive, resources not", () => {
        const cases: [string, string, boolean, boolean][] = [
            ["s3:*", "s3:GetObject", true, true],
            ["s3:Get*", "s3:getobject", true, true],
            ["s3:Get*", "s3:getobject", false, false],
            ["arn:aws:s3:::b/*", "arn:aws:s3:::b/k", false, true],
            ["arn:aws:s3:::b/?", "arn:aws:s3:::b/kk", false, false],
            ["*a*a*a*a*a*b", "a".repeat(200), false, false],
        ];
        for (const [p, s, ci, expected] of cases) {
            assert.strictEqual(globMatches(p, s, ci), expected, `${p} ~ ${s}`);
        }
        assert.strictEqual(globCoversPrefix("arn:aws:s3:::b/*", "arn:aws:s3:::b/"), true);
        assert.strictEqual(globCoversPrefix("arn:aws:s3:::b*", "arn:aws:s3:::b/"), true);
        assert.strictEqual(globCoversPrefix("arn:aws:s3:::b/p*", "arn:aws:s3:::b/"), false);
        assert.strictEqual(globIntersectsPrefix("arn:aws:s3:::b/p*", "arn:aws:s3:::b/"), true);
        assert.strictEqual(globIntersectsPrefix("arn:aws:s3:::c/*", "arn:aws:s3:::b/"), false);
    });

    it("decides coverage of a prefix by the UNION of statements (Resource and NotResource together)", () => {
        const P = "arn:aws:s3:::b/";
        assert.strictEqual(unionCoversPrefix([{ resources: [`${P}p*`] }, { notResources: [`${P}p*`] }], P), true);
        assert.strictEqual(unionCoversPrefix([{ resources: [`${P}p*`] }, { resources: [`${P}q*`] }], P), false);
        assert.strictEqual(unionCoversPrefix([{ resources: [`${P}?*`] }], P), true);
        assert.strictEqual(unionCoversPrefix([{ notResources: [`${P}x`] }], P), false);
        assert.strictEqual(unionCoversPrefix([{ notResources: ["arn:aws:s3:::c/*"] }], P), true);
        assert.strictEqual(unionCoversPrefix([], P), false);
    });

    it("answers statement questions by meaning", () => {
        const [notAction, listed] = statements({
            Statement: [
                { Effect: "Deny", NotAction: "iam:*", NotResource: "arn:aws:s3:::b/tmp/*" },
                { Effect: "Deny", Action: ["s3:Get*"], Resource: "arn:aws:s3:::b" },
            ],
        });
        assert.deepStrictEqual([appliesToAction(notAction, "s3:PutObject"), appliesToAction(notAction, "iam:PassRole"), appliesToAllActions(notAction, "s3:")], [true, false, true]);
        assert.deepStrictEqual([appliesToResource(notAction, "arn:aws:s3:::b/k"), appliesToAllResources(notAction, "arn:aws:s3:::b/")], [true, false]);
        assert.deepStrictEqual([appliesToAction(listed, "S3:GETOBJECT"), appliesToAllActions(listed, "s3:"), appliesToResource(listed, "arn:aws:s3:::b")], [true, false, true]);
        assert.deepStrictEqual([isEveryone("*"), isEveryone({ AWS: ["*"] }), isEveryone({ AWS: ["arn:aws:iam::1:root"] }), isEveryone(undefined)], [true, true, false, false]);
    });

    it("finds full-admin grants in any spelling", () => {
        const admin = (s: object) => grantsFullAdmin(statements({ Statement: [{ Effect: "Allow", ...s }] })[0]);
        assert.deepStrictEqual(
            [admin({ Action: "*", Resource: "*" }), admin({ Action: "*:*", Resource: "arn:*" }), admin({ Action: ["s3:*", "**"], NotResource: "x" }), admin({ Action: "s3:*", Resource: "*" }), admin({ Action: "*", Resource: "arn:aws:s3:::*" })],
            [true, true, true, false, false],
        );
    });
});
