/**
 * The floor every benchmark compares the pack with: one resource policy and one stack policy that do nothing, so
 * what is timed for this list is the SDK's own work (deserialising, the proxy, the protocol).
 */
import { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export const noopPolicies: Policies = [
    { name: "noop-resource", description: "Does nothing.", enforcementLevel: "advisory", validateResource: () => undefined } satisfies ResourceValidationPolicy,
    { name: "noop-stack", description: "Does nothing.", enforcementLevel: "advisory", validateStack: () => undefined } satisfies StackValidationPolicy,
];
