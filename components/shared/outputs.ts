/**
 * Stack outputs without the ones a stack's config turns off.
 *
 * A feature a stack disables (the VPN, the warehouse, batch ETL, the file gateway, OpenSearch...) has no value to
 * export. Exported as `undefined`, the Pulumi runtime warns "Undefined value (<key>) will not show as a stack
 * output" on every preview and update, which trains operators to ignore warnings. Omitting the key says the same
 * thing without the noise: `pulumi stack output <key>` then answers that the stack has no such output.
 */

/** The keys of `T` whose type may be `undefined`, as optional keys; the others as they are. */
export type DefinedOutputs<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
    [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** A copy of `outputs` without the keys whose value is `undefined` (nested values are kept as they are). */
export function definedOutputs<T extends Record<string, unknown>>(outputs: T): DefinedOutputs<T> {
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined)) as DefinedOutputs<T>;
}
