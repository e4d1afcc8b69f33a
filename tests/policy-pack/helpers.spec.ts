/**
 * The harness adds nothing to the SDK: what a policy sees and what comes back are server.js's own doing.
 */
import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { remediateResource, UNKNOWN, validateResource, validateStack } from "./helpers";

describe("policy harness over the SDK's analyzer handlers", () => {
    const seen: unknown[] = [];
    const probe: ResourceValidationPolicy = {
        name: "probe",
        description: "Reports what it was given.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { level: { type: "number", default: 3 } } },
        validateResource: (args, report) => {
            seen.push({ config: args.getConfig(), tags: [...args.stackTags.entries()], protect: args.opts.protect });
            if (args.props.fail) {
                report("failed", args.urn);
            }
            if (args.props.throw) {
                throw new Error("boom");
            }
            if (args.props.na) {
                args.notApplicable("not for this one");
            }
            void args.props.unknown;
        },
        remediateResource: (args) => {
            args.props.fixed = true;
            return args.props;
        },
    };

    it("passes config through Configure (no schema defaults), stack tags through ConfigureStack, options through the request", async () => {
        seen.length = 0;
        await validateResource(probe, { type: "t:m:T", props: {}, opts: { protect: true } }, { config: { level: 1 }, stackTags: { env: "dev" } });
        await validateResource(probe, { type: "t:m:T", props: {} });
        assert.deepStrictEqual(seen, [
            { config: { level: 1 }, tags: [["env", "dev"]], protect: true },
            { config: {}, tags: [], protect: false },
        ]);
    });

    it("returns the SDK's verdicts: violations without the description prefix, not-applicable reasons, preview skips", async () => {
        assert.deepStrictEqual(await validateResource(probe, { type: "t:m:T", name: "x", props: { fail: true, na: true } }), {
            violations: [{ message: "failed", urn: "urn:pulumi:dev::healthcare-data-platform::t:m:T::x" }],
            notApplicable: ["not for this one"],
            previewSkipped: [],
        });
        assert.deepStrictEqual((await validateResource(probe, { type: "t:m:T", props: { unknown: UNKNOWN } })).previewSkipped, ["string value at .unknown can't be known during preview"]);
        await assert.rejects(validateResource(probe, { type: "t:m:T", props: { throw: true } }), { message: "boom" });
    });

    it("uses the SDK's type fast path and its Remediate handler", async () => {
        // The SDK's convention (validateResourceOfType): a validate function tagged with its type is skipped for others.
        const typed: ResourceValidationPolicy = { name: "typed", description: "Typed.", validateResource: Object.assign(() => undefined, { __pulumiType: "aws:s3/bucket:Bucket" }) };
        assert.deepStrictEqual((await validateResource(typed, { type: "aws:sqs/queue:Queue" })).notApplicable, ["Policy only applies to resources of type 'aws:s3/bucket:Bucket'"]);
        assert.deepStrictEqual((await remediateResource(probe, { type: "t:m:T", props: { a: 1 } })).props, { a: 1, fixed: true });
        const stack: StackValidationPolicy = { name: "stack", description: "Stack.", validateStack: (args, report) => report(`${args.resources.length} resources; ${args.resources[1].propertyDependencies.a[0].name}`) };
        const v = await validateStack(stack, [{ type: "t:m:A", name: "a" }, { type: "t:m:B", name: "b", propertyDependencies: { a: ["a"] } }]);
        assert.deepStrictEqual(v.violations, [{ message: "2 resources; a", urn: undefined }]);
    });
});
