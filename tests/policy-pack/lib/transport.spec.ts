import * as assert from "assert";
import { parsePolicyDocument, Statement } from "../../../policy-pack/lib/policy-doc";
import { deniedTransports, judgeTransportDeny, plaintextRequirement, tlsVersionRequirement } from "../../../policy-pack/lib/transport";
import { UNKNOWN } from "../helpers";

function statement(condition?: object, extra: object = {}): Statement {
    const parsed = parsePolicyDocument({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", ...(condition ? { Condition: condition } : {}), ...extra }] });
    assert.strictEqual(parsed.kind, "ok");
    return (parsed as Extract<typeof parsed, { kind: "ok" }>).doc.statements[0];
}
const labels = (s: Statement) => deniedTransports(s)?.map((t) => t.label);

describe("lib/transport: the one TLS-only judgement, by meaning", () => {
    it("evaluates a TLS-version condition as the set of transports it denies, whatever the operator", () => {
        const below12 = ["TLS 1.0", "TLS 1.1"];
        const cases: [object, string[]][] = [
            [{ NumericLessThan: { "s3:TlsVersion": "1.2" } }, below12],
            [{ NumericLessThanEquals: { "s3:TlsVersion": "1.1" } }, below12],
            [{ NumericEquals: { "s3:TlsVersion": ["1.0", "1.1"] } }, below12],
            [{ NumericNotEquals: { "s3:TlsVersion": ["1.2", "1.3"] } }, ["plain HTTP", ...below12]],
            [{ NumericLessThanIfExists: { "s3:tlsversion": 1.2 } }, ["plain HTTP", ...below12]],
            [{ NumericLessThan: { "s3:TlsVersion": "1.1" } }, ["TLS 1.0"]],
            [{ NumericGreaterThanEquals: { "s3:TlsVersion": "1.2" } }, ["TLS 1.2", "TLS 1.3"]],
            [{ Null: { "s3:TlsVersion": "true" } }, ["plain HTTP"]],
            [{ Bool: { "aws:SecureTransport": "false" } }, ["plain HTTP"]],
            [{ BoolIfExists: { "aws:SecureTransport": false } }, ["plain HTTP"]],
            [{ Bool: { "aws:SecureTransport": ["TRUE"] } }, ["TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"]],
        ];
        for (const [condition, expected] of cases) {
            assert.deepStrictEqual(labels(statement(condition)), expected, JSON.stringify(condition));
        }
        assert.deepStrictEqual(labels(statement()), ["plain HTTP", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"]);
    });

    it("does not count a condition on another key or with an operator IAM does not apply to the key", () => {
        assert.strictEqual(deniedTransports(statement({ Bool: { "aws:SecureTransport": "false" }, StringNotEquals: { "aws:SourceVpce": "vpce-1" } })), undefined);
        assert.strictEqual(deniedTransports(statement({ Bool: { "s3:TlsVersion": "1.0" } })), undefined);
        assert.strictEqual(deniedTransports(statement({ DateLessThan: { "aws:SecureTransport": "x" } })), undefined);
    });

    it("judges a requirement over every required transport, action and resource, with the union of statements", () => {
        const target = [{ resource: { prefix: "arn:aws:s3:::b/" }, label: "arn:aws:s3:::b/*", actions: ["s3:GetObject", "s3:PutObject"], actionPrefix: "s3:" }];
        const doc = (...s: object[]): readonly Statement[] => {
            const parsed = parsePolicyDocument({ Statement: s });
            assert.strictEqual(parsed.kind, "ok");
            return (parsed as Extract<typeof parsed, { kind: "ok" }>).doc.statements;
        };
        const deny = (extra: object) => ({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*", ...extra });
        const tls = tlsVersionRequirement(1.2);
        assert.deepStrictEqual(judgeTransportDeny(doc(deny({ Condition: { NumericLessThan: { "s3:TlsVersion": "1.1" } } }), deny({ Condition: { NumericEquals: { "s3:TlsVersion": "1.1" } } })), tls, target), { status: "pass", detail: "", catalogueOnly: false });
        assert.deepStrictEqual(
            judgeTransportDeny(doc(deny({ Action: "s3:GetObject", Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } })), tls, target),
            { status: "fail", detail: "on arn:aws:s3:::b/* they do not deny s3:PutObject over TLS 1.0 and TLS 1.1" },
        );
        const split = doc(deny({ Resource: "arn:aws:s3:::b/p*", Condition: { Bool: { "aws:SecureTransport": "false" } } }), deny({ Resource: undefined, NotResource: "arn:aws:s3:::b/p*", Condition: { Bool: { "aws:SecureTransport": "false" } } }));
        assert.strictEqual(judgeTransportDeny(split, plaintextRequirement(), target).status, "pass");
        assert.deepStrictEqual(judgeTransportDeny(doc({ ...deny({}), Effect: "Allow", Condition: { Bool: { "aws:SecureTransport": "false" } } }), plaintextRequirement(), target), {
            status: "fail",
            detail: 'no statement denies plain HTTP requests for every principal; statement #1 does not count: its Effect is "Allow", not "Deny"',
        });
        // A statement holding a value unknown at preview could be the one that covers the gap: unknown, not fail.
        assert.strictEqual(judgeTransportDeny(doc(deny({ Resource: UNKNOWN, Condition: { Bool: { "aws:SecureTransport": "false" } } })), plaintextRequirement(), target).status, "unknown");
    });
});
