/**
 * Reading a policy's pack config with its defaults applied in code, and failing clearly on bad values.
 */
import { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { withDefaults } from "./values";

/** The policy's config merged over `defaults` (the CLI applies schema defaults; unit tests and the offline engine do not). */
export function policyConfig<T extends object>(args: Pick<ResourceValidationArgs | StackValidationArgs, "getConfig">, defaults: T): T {
    return withDefaults<T>(args.getConfig<Partial<T>>(), defaults);
}

/** Thrown for a config value the schema would have rejected; the message names policy, key, expectation and value. */
export class PolicyConfigError extends Error {
    constructor(policy: string, key: string, expected: string, given: unknown) {
        super(`policy ${policy}: config ${key} must be ${expected}; got ${JSON.stringify(given)}`);
        this.name = "PolicyConfigError";
    }
}

/** A string-array config value, or a clear error. */
export function stringList(policy: string, key: string, value: unknown): string[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        throw new PolicyConfigError(policy, key, "a list of strings", value);
    }
    return value as string[];
}

/** A number-array config value, or a clear error. */
export function numberList(policy: string, key: string, value: unknown): number[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
        throw new PolicyConfigError(policy, key, "a list of numbers", value);
    }
    return value as number[];
}
