/** Not applicable once per policy and type in a stack evaluation (policy-pack/lib/dispatch.ts). */
import * as assert from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes } from "../../../policy-pack/lib/dispatch";

const policy: ResourceValidationPolicy = {
    name: "test-dispatch",
    description: "Test.",
    enforcementLevel: "mandatory",
    validateResource: validateTypes({ "test:store/store:Store": () => undefined }),
};

describe("not applicable once per policy and type (lib/dispatch.ts)", () => {
    it("gives the reason for the first resource of a type in a stack evaluation, then returns without one", async () => {
        const validate = policy.validateResource as (args: unknown, report: () => void) => void;
        const stackTags = new Map<string, string>();
        const reasons: string[] = [];
        const args = (type: string, tags: Map<string, string>) => ({
            type,
            stackTags: tags,
            notApplicable: (reason: string) => {
                reasons.push(`${type}: ${reason}`);
                throw new Error("not applicable");
            },
        });
        const call = (type: string, tags = stackTags) => {
            try {
                validate(args(type, tags), () => undefined);
            } catch {
                // The SDK's notApplicable throws; the analyzer records the reason.
            }
        };
        call("aws:sqs/queue:Queue");
        call("aws:sqs/queue:Queue");
        call("aws:sns/topic:Topic");
        call("aws:sqs/queue:Queue", new Map()); // a new stack evaluation (ConfigureStack gives a new map)
        assert.deepStrictEqual(reasons, [
            "aws:sqs/queue:Queue: Policy only applies to resources of type 'test:store/store:Store'",
            "aws:sns/topic:Topic: Policy only applies to resources of type 'test:store/store:Store'",
            "aws:sqs/queue:Queue: Policy only applies to resources of type 'test:store/store:Store'",
        ]);
    });
});
