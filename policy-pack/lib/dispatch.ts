/**
 * Building resource policies that cover several resource types without `@pulumi/aws` at runtime.
 *
 * The pack judges raw type tokens (`aws:rds/instance:Instance`) so it loads fast and also judges stacks
 * built with other provider versions. A resource whose type the policy does not cover is reported with
 * `notApplicable(reason)`, never silently passed.
 */
import { ReportViolation, ResourceRemediation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { isUnknownValueError } from "./values";

/** Judges one resource of a covered type. `props` is the SDK's unknown-checking proxy. */
export type ResourceHandler = (props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) => void;

/** Fixes one resource in place (mutating `props`) and says whether anything changed. */
export type RemediationHandler = (props: Record<string, unknown>, args: ResourceValidationArgs) => boolean;

/** Types a handler with the resource's own property shape (the proxy is an ordinary object to read). */
export function on<P>(handler: (props: P, args: ResourceValidationArgs, report: ReportViolation) => void): ResourceHandler {
    return (props, args, report) => handler(props as unknown as P, args, report);
}

/** Typed remediation handler, see {@link on}. */
export function fix<P>(handler: (props: P, args: ResourceValidationArgs) => boolean): RemediationHandler {
    return (props, args) => handler(props as unknown as P, args);
}

/** Short type name for messages: `aws:rds/instance:Instance` gives `rds.Instance`. */
export function shortType(type: string): string {
    const m = /^[^:]+:([^/:]+)\/[^:]*:(.+)$/.exec(type);
    return m ? `${m[1]}.${m[2]}` : type;
}

/** How violation messages name a resource: `rds.Instance "patients-db"`. */
export function subject(r: { type: string; name: string }): string {
    return `${shortType(r.type)} "${r.name}"`;
}

/** The reason given for a resource type a policy does not cover. */
export function notCoveredReason(types: readonly string[]): string {
    return types.length === 1
        ? `Policy only applies to resources of type '${types[0]}'`
        : `Policy only applies to resources of types ${types.map((t) => `'${t}'`).join(", ")}`;
}

/**
 * `args.notApplicable(reason)` without capturing a stack trace. Every resource of the stack reaches every
 * multi-type policy, and for most of them the answer is "not applicable": the SDK signals that with an exception
 * whose stack is never read. Measured through the SDK analyzer, skipping the capture makes that answer about 25%
 * cheaper (tools/bench). The limit is restored before anything else runs.
 */
export function notApplicableQuick(args: Pick<ResourceValidationArgs, "notApplicable">, reason: string): never {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return args.notApplicable(reason);
    } finally {
        Error.stackTraceLimit = limit;
    }
}

// The analyzer skips a single-type remediation without calling it when the function carries the type (the SDK's own
// `validateResourceOfType` convention). Validations are NOT tagged: the SDK's fast path answers "not applicable" once per
// resource (about 110 bytes of every Analyze reply per single-type policy, 1.9 KB per resource for this pack), which
// costs more over the protocol than calling the validation and saying it once per type (tools/bench/protocol.ts).
function tagType<F extends object>(fn: F, types: readonly string[]): F {
    if (types.length === 1) {
        Object.defineProperty(fn, "__pulumiType", { value: types[0], enumerable: false });
    }
    return fn;
}

/**
 * Remembers which resource types a policy has already called "not applicable" in the current stack evaluation.
 *
 * Every resource of a stack reaches every multi-type policy, and for almost all of them the answer is "not applicable
 * to this type". Said per resource, that is one exception, one `PolicyNotApplicable` entry (whose reason lists every
 * covered type) and its bytes in every Analyze reply: measured through `run-policy-pack` it was most of the pack's cost
 * over a no-op pack (tools/bench/protocol.ts). The answer depends only on the type, so it is given once per policy and
 * type; later resources of that type return without a verdict, which is what the engine records for them anyway.
 *
 * The scope of "once" is the SDK's `stackTags` map: the analyzer server keeps one frozen map per `ConfigureStack`
 * (one stack evaluation, and the CLI starts a new pack process per preview or update), while the test helpers build a
 * fresh map per call, so a unit test always sees the reason. Without a map the reason is always given.
 */
export class NotApplicableOnce {
    private readonly seen = new WeakMap<object, Set<string>>();

    /** True when `type` was not yet reported in the evaluation `args` belongs to (and records it). */
    first(args: Pick<ResourceValidationArgs, "stackTags" | "type">): boolean {
        const scope = args.stackTags as object | undefined;
        if (scope === undefined || scope === null) {
            return true;
        }
        let types = this.seen.get(scope);
        if (!types) {
            types = new Set();
            this.seen.set(scope, types);
        }
        if (types.has(args.type)) {
            return false;
        }
        types.add(args.type);
        return true;
    }

    /** `notApplicable(reason)` the first time a type is met in an evaluation, a plain return afterwards. */
    notApplicable(args: Pick<ResourceValidationArgs, "notApplicable" | "stackTags" | "type">, reason: string): void {
        if (this.first(args)) {
            notApplicableQuick(args, reason);
        }
    }
}

/** A `validateResource` that dispatches on the type token and reports other types as not applicable (once per type). */
export function validateTypes(handlers: Readonly<Record<string, ResourceHandler>>): ResourceValidation {
    const table = new Map(Object.entries(handlers));
    const types = [...table.keys()];
    const reason = notCoveredReason(types);
    const once = new NotApplicableOnce();
    const validate: ResourceValidation = (args, report) => {
        const handler = table.get(args.type);
        if (!handler) {
            return once.notApplicable(args, reason);
        }
        handler(args.props, args, report);
    };
    return validate;
}

/**
 * A `remediateResource` over the same types. Remediations mutate the SDK proxy and return it: spreading
 * the proxy would read every property and throw on the first unknown one during preview.
 */
export function remediateTypes(handlers: Readonly<Record<string, RemediationHandler>>): ResourceRemediation {
    const table = new Map(Object.entries(handlers));
    const types = [...table.keys()];
    const reason = notCoveredReason(types);
    const remediate: ResourceRemediation = (args) => {
        const handler = table.get(args.type);
        if (!handler) {
            return notApplicableQuick(args, reason);
        }
        return handler(args.props, args) ? args.props : undefined;
    };
    return tagType(remediate, types);
}

/**
 * Runs `fn` for every item; an unknown value met while judging one item does not stop the others.
 * The first unknown-value error is rethrown at the end, so the SDK still says which value it could not
 * read at preview, while every violation found meanwhile has already been reported.
 */
export function judgeEach<T>(items: Iterable<T>, fn: (item: T) => void): void {
    let deferred: unknown;
    for (const item of items) {
        try {
            fn(item);
        } catch (err) {
            if (!isUnknownValueError(err)) {
                throw err;
            }
            deferred = deferred ?? err;
        }
    }
    if (deferred !== undefined) {
        throw deferred;
    }
}
