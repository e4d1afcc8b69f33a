/** The declarative engine behind the rule-driven encryption policies (policy-pack/lib/at-rest-rules.ts). */
import * as assert from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { AtRestRules, atRestHandlers, judgedPaths } from "../../../policy-pack/lib/at-rest-rules";
import { validateTypes } from "../../../policy-pack/lib/dispatch";
import { messages, UNKNOWN, validateResource } from "../helpers";

const RULES: AtRestRules = {
    "test:store/store:Store": [
        { kind: "switch", path: "sse.enabled", fix: "turn it on." },
        { kind: "key", path: "volumes[].kmsKeyId" },
        { kind: "key", path: "capture?.kmsKeyId" },
    ],
};
const policy: ResourceValidationPolicy = { name: "test-at-rest", description: "Test.", enforcementLevel: "mandatory", validateResource: validateTypes(atRestHandlers(RULES)) };
const run = (props: Record<string, unknown>) => validateResource(policy, { type: "test:store/store:Store", name: "s", props });

describe("at-rest rules", () => {
    it("walks list elements and names each one in the message", async () => {
        const v = await run({ sse: { enabled: true }, volumes: [{ kmsKeyId: "arn:aws:kms:us-east-1:1:key/a" }, {}] });
        assert.deepStrictEqual(messages(v), [
            `store.Store "s" volumes[1].kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
    });

    it("skips an optional block when it is absent and judges it when present", async () => {
        assert.deepStrictEqual(messages(await run({ sse: { enabled: true }, volumes: [{ kmsKeyId: UNKNOWN }] })), []);
        assert.strictEqual(messages(await run({ sse: { enabled: true }, volumes: [{ kmsKeyId: UNKNOWN }], capture: {} })).length, 1);
    });

    it("reports a missing required block as its key not being set, and a missing switch as unencrypted", async () => {
        assert.deepStrictEqual(messages(await run({})), [
            `store.Store "s" stores data unencrypted (sse.enabled is not set): turn it on.`,
            `store.Store "s" volumes.kmsKeyId is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
    });

    it("lists the judged paths without the optional markers", () => {
        assert.deepStrictEqual(judgedPaths(RULES), { "test:store/store:Store": ["sse.enabled", "volumes[].kmsKeyId", "capture.kmsKeyId"] });
    });
});
