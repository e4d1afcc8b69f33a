/**
 * The floor every benchmark compares the pack with: one resource policy and one stack policy that do nothing, so
 * what is timed for this list is the SDK's own work (deserialising, the proxy, the protocol).
 */
import { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/**
 * `BENCH_NOOP_SHAPE=<resource policies>,<stack policies>` serves that many do-nothing policies instead (the protocol
 * bench's `--shape-baseline`): the SDK's cost of the pack's policy count alone, without any of its judgements.
 */
const shape = /^(\d+),(\d+)$/.exec(process.env.BENCH_NOOP_SHAPE ?? "");
const [resourceCount, stackCount] = shape ? [Number(shape[1]), Number(shape[2])] : [1, 1];

export const noopPolicies: Policies = [
    ...Array.from({ length: resourceCount }, (_, i) => ({ name: i === 0 ? "noop-resource" : `noop-resource-${i}`, description: "Does nothing.", enforcementLevel: "advisory", validateResource: () => undefined }) satisfies ResourceValidationPolicy),
    ...Array.from({ length: stackCount }, (_, i) => ({ name: i === 0 ? "noop-stack" : `noop-stack-${i}`, description: "Does nothing.", enforcementLevel: "advisory", validateStack: () => undefined }) satisfies StackValidationPolicy),
];
