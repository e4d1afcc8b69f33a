import * as assert from "assert";
import { deserialiseOncePerRequest, DeserializeModule } from "../../../policy-pack/lib/deserialise-once";
import { policies } from "../../../policy-pack/policies";
import { syntheticStack } from "../../../tools/bench/policy-pack";
import { analyzeRequest, analyzerFor, analyzeStackRequest, diagnostics } from "../../../tools/offline/analyzer/in-process";

// The module the SDK's analyzer server reads `deserializeProperties` from at every call.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- its typings hide this @internal export.
const sdk = require("@pulumi/policy/deserialize") as DeserializeModule;

describe("lib/deserialise-once", () => {
    const shipped = sdk.deserializeProperties;
    let calls = 0;
    const counting: DeserializeModule["deserializeProperties"] = (struct, proxySecrets) => {
        calls++;
        return shipped(struct, proxySecrets);
    };
    afterEach(() => {
        sdk.deserializeProperties = shipped;
    });

    // A compliant preview stack with a non-compliant bucket among its resources, so verdicts are not all empty.
    const stack = syntheticStack(60, true, { compliant: false });
    const analyzer = analyzerFor(policies);

    async function evaluate(): Promise<{ perResource: number[]; stackCalls: number; verdicts: string[] }> {
        const perResource: number[] = [];
        const verdicts: string[] = [];
        for (const r of stack) {
            calls = 0;
            const resp = await analyzer.analyze(analyzeRequest(r));
            perResource.push(calls);
            verdicts.push(...diagnostics(resp).map((d) => `${d.urn} ${d.policyName} ${d.message}`));
        }
        calls = 0;
        const resp = await analyzer.analyzeStack(analyzeStackRequest(stack));
        verdicts.push(...diagnostics(resp).map((d) => `${d.policyName} ${d.message}`));
        return { perResource, stackCalls: calls, verdicts };
    }

    it("has the SDK deserialise a resource once per Analyze and AnalyzeStack request, with the same verdicts", async () => {
        sdk.deserializeProperties = counting;
        const asShipped = await evaluate();
        assert.ok(asShipped.verdicts.length > 0, "the stack yields findings to compare");

        assert.strictEqual(deserialiseOncePerRequest(sdk), true);
        const once = await evaluate();
        assert.deepStrictEqual(once.verdicts, asShipped.verdicts);
        // As shipped: one deserialisation per resource policy (plus the provider's); once: properties and provider once.
        stack.forEach((r, i) => {
            assert.ok(asShipped.perResource[i] > 10, `${r.urn}: ${asShipped.perResource[i]} deserialisations as shipped`);
            assert.strictEqual(once.perResource[i], r.provider ? 2 : 1, r.urn);
        });
        assert.ok(asShipped.stackCalls >= 10 * stack.length, `${asShipped.stackCalls} stack deserialisations as shipped`);
        assert.strictEqual(once.stackCalls, stack.length + stack.filter((r) => r.provider).length);
    });

    it("never shares the secret-preserving copies remediation mutates, and installs once", async () => {
        sdk.deserializeProperties = counting;
        assert.strictEqual(deserialiseOncePerRequest(sdk), true);
        const installed = sdk.deserializeProperties;
        assert.strictEqual(deserialiseOncePerRequest(sdk), true);
        assert.strictEqual(sdk.deserializeProperties, installed);
        const req = analyzeRequest(stack[1]);
        const struct = req.getProperties();
        calls = 0;
        const a = sdk.deserializeProperties(struct, true);
        const b = sdk.deserializeProperties(struct, true);
        assert.notStrictEqual(a, b);
        assert.strictEqual(sdk.deserializeProperties(struct, false), sdk.deserializeProperties(struct, false));
        assert.strictEqual(calls, 3);
    });

    it("leaves a module without the expected export alone", () => {
        const mod = {} as DeserializeModule;
        assert.strictEqual(deserialiseOncePerRequest(mod), false);
        assert.deepStrictEqual(mod, {});
    });
});
