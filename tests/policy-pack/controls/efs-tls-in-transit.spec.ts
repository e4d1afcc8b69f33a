import * as assert from "assert";
import { EFS_FILE_SYSTEM, EFS_FILE_SYSTEM_POLICY, efsTlsInTransit as policy } from "../../../policy-pack/policies/controls/efs-tls-in-transit";
import { FakeStackResource, messages, UNKNOWN, urnOf, validateStack } from "../helpers";

const ARN = "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123";
const deny = (extra: object = {}) => ({ Sid: "TLS", Effect: "Deny", Principal: { AWS: "*" }, Action: "*", Resource: ARN, Condition: { Bool: { "aws:SecureTransport": "false" } }, ...extra });
const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const fs = (props: object = {}): FakeStackResource => ({ type: EFS_FILE_SYSTEM, name: "shared", props: { encrypted: true, ...props } });
const fsp = (policyDoc: unknown, props: object = {}, deps = true): FakeStackResource => ({
    type: EFS_FILE_SYSTEM_POLICY,
    name: "shared-policy",
    props: { fileSystemId: UNKNOWN, policy: policyDoc, ...props },
    propertyDependencies: deps ? { fileSystemId: ["shared"] } : undefined,
});

describe("efs-tls-in-transit", () => {
    it("passes a file system whose policy (joined by property dependency) denies non-TLS access", async () => {
        for (const statement of [deny(), deny({ Principal: "*" }), deny({ Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"] }), deny({ Action: "elasticfilesystem:Client*" })]) {
            assert.deepStrictEqual(await validateStack(policy, [fs(), fsp(doc(statement))]), { violations: [], notApplicable: [], previewSkipped: [] });
        }
        // Judged by meaning: BoolIfExists, a boolean false, and a Deny without condition (which denies every mount,
        // plaintext ones included) all keep plaintext clients out.
        for (const statement of [deny({ Condition: { BoolIfExists: { "aws:securetransport": false } } }), deny({ Condition: {} }), deny({ Condition: undefined })]) {
            assert.deepStrictEqual((await validateStack(policy, [fs(), fsp(doc(statement))])).violations, [], JSON.stringify(statement));
        }
        // The policy document may be an object as well as a JSON string.
        assert.deepStrictEqual((await validateStack(policy, [fs(), fsp({ Statement: [deny()] })])).violations, []);
    });

    it("joins by file-system id when the policy names a plain id", async () => {
        const v = await validateStack(policy, [fs({ arn: ARN }), fsp(doc(deny()), { fileSystemId: "fs-0123" }, false)]);
        assert.deepStrictEqual(v.violations, []);
    });

    it("fails a file system without a policy, with its URN", async () => {
        assert.deepStrictEqual((await validateStack(policy, [fs()])).violations, [
            { message: 'efs.FileSystem "shared" has no file-system policy, so clients may mount it without TLS: add an aws.efs.FileSystemPolicy that denies access when aws:SecureTransport is false.', urn: urnOf(EFS_FILE_SYSTEM, "shared") },
        ]);
    });

    it("fails near misses: Allow, true condition, a NotPrincipal exemption, only ClientWrite, a single principal", async () => {
        const nearMisses = [
            deny({ Effect: "Allow" }),
            deny({ Condition: { Bool: { "aws:SecureTransport": "true" } } }),
            deny({ NotPrincipal: { AWS: "arn:aws:iam::111122223333:role/legacy" } }),
            deny({ Action: "elasticfilesystem:ClientWrite" }),
            deny({ Principal: { AWS: "arn:aws:iam::111122223333:root" } }),
            deny({ Condition: { Bool: { "aws:SecureTransport": "false" }, StringNotEquals: { "aws:SourceVpce": "vpce-0a1b" } } }),
            deny({ Condition: { Bool: { "aws:SecureTransport": ["true"] } } }),
        ];
        for (const s of nearMisses) {
            const v = await validateStack(policy, [fs(), fsp(doc(s))]);
            assert.deepStrictEqual(messages(v), [
                'efs.FileSystem "shared" is governed by efs.FileSystemPolicy "shared-policy", but its policy has no statement denying elasticfilesystem:ClientMount to every principal when "aws:SecureTransport" is "false": add a Deny statement for Principal "*" on all actions with Condition Bool aws:SecureTransport "false".',
            ], JSON.stringify(s));
        }
        assert.match(messages(await validateStack(policy, [fs(), fsp("{oops")]))[0], /but its policy is not valid JSON/);
    });

    it("is not applicable without file systems; lets the SDK report a policy document unknown at preview", async () => {
        assert.deepStrictEqual((await validateStack(policy, [])).notApplicable, ["The stack has no EFS file systems."]);
        assert.deepStrictEqual((await validateStack(policy, [fs(), fsp(UNKNOWN)])).previewSkipped, ["string value at .policy can't be known during preview"]);
    });
});
