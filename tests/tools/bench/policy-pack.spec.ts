import * as assert from "assert";
import { policies } from "../../../policy-pack/policies";
import { syntheticStack } from "../../../tools/bench/policy-pack";
import { analyzeRequest, analyzerFor, analyzeStackRequest, diagnostics } from "../../../tools/offline/analyzer/in-process";

/** pulumirpc.EnforcementLevel, as the analyzer's reply carries it. */
const LEVELS: Record<number, string> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };

describe("tools/bench/policy-pack: syntheticStack", () => {
    // The protocol bench's stacks: a finding there would be a finding of the generator, not a cost of judging. 93 and 97
    // resources would cut the last unit right after its bucket and after its public access block.
    it("builds a compliant stack of exactly the size asked, of whole units only, on which the pack finds nothing mandatory", async () => {
        const analyzer = analyzerFor(policies);
        for (const size of [93, 97, 100]) {
            const stack = syntheticStack(size, true, { compliant: true });
            assert.strictEqual(stack.length, size);
            const found: string[] = [];
            for (const r of stack) {
                found.push(...diagnostics(await analyzer.analyze(analyzeRequest(r))).map((d) => `${d.policyName} (${LEVELS[d.enforcementLevel] ?? d.enforcementLevel}) ${d.urn || r.urn}`));
            }
            found.push(...diagnostics(await analyzer.analyzeStack(analyzeStackRequest(stack))).map((d) => `${d.policyName} (${LEVELS[d.enforcementLevel] ?? d.enforcementLevel})`));
            // The one advisory finding is meant: a synthetic stack declares no AWS Config recorder.
            assert.deepStrictEqual(found, ["config-recorder-for-phi (advisory)"], `size ${size}`);
            const buckets = stack.filter((r) => r.type === "aws:s3/bucket:Bucket").length;
            assert.strictEqual(stack.filter((r) => r.type === "aws:s3/bucketVersioning:BucketVersioning").length, buckets, "every bucket has its side resources");
        }
    });
});
