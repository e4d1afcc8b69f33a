/**
 * The pack's one reader of IAM-style policy documents (identity policies, bucket policies, EFS file-system
 * policies) and its one wildcard matcher.
 *
 * Parsing follows IAM's grammar, not a shape: `Statement` may be one object or a list; `Action`, `Resource`,
 * principal lists and condition values may be a string or a list; a bare principal string is shorthand for
 * `{"AWS": value}`; condition keys are case-insensitive, operators, `Effect` values and element names are not.
 * A document may be JSON text or an object; values unknown at preview make the document (or the statement that
 * holds them) unknown instead of being misread.
 *
 * Matching follows IAM's glob: `*` is any run of characters, `?` exactly one. Action names are case-insensitive,
 * resource ARNs are not. The matcher simulates the pattern as an NFA over pattern positions, so it is linear in
 * pattern length x subject length and never backtracks exponentially on hostile patterns. Besides "does the pattern
 * match this string", two set questions are answered exactly: does it match EVERY string with a prefix ("all objects
 * of the bucket", "all S3 actions"), and does it match ANY such string (what a `NotResource`/`NotAction` exempts).
 */
import { containsUnknown, isRecord, isUnknown, UNKNOWN_STRING_SENTINEL } from "./values";

/** `"*"` (everyone) or a map of principal type (`AWS`, `Service`, `Federated`, `CanonicalUser`) to values. */
export type Principal = "*" | Readonly<Record<string, readonly string[]>>;

export interface Statement {
    /** Position in the document (0-based). */
    readonly index: number;
    readonly sid?: string;
    /** `statement 'Sid'` or `statement #n`, for messages. */
    readonly label: string;
    /** `"Allow"`/`"Deny"` as written (any other value matches neither). */
    readonly effect: unknown;
    readonly actions?: readonly string[];
    readonly notActions?: readonly string[];
    readonly resources?: readonly string[];
    readonly notResources?: readonly string[];
    readonly principal?: Principal;
    readonly notPrincipal?: Principal;
    /** operator -> lower-cased condition key -> values as written (strings, booleans, numbers). */
    readonly condition: Readonly<Record<string, Readonly<Record<string, readonly unknown[]>>>>;
    /** Some element of the statement is unknown at preview. */
    readonly unknown: boolean;
}

export interface PolicyDocument {
    readonly version?: string;
    readonly statements: readonly Statement[];
}

export type ParseResult =
    | { readonly kind: "ok"; readonly doc: PolicyDocument }
    | { readonly kind: "unknown" }
    | { readonly kind: "invalid"; readonly error: string };

function strings(v: unknown): string[] | undefined {
    if (v === undefined || v === null) {
        return undefined;
    }
    return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
}

function principal(v: unknown): Principal | undefined {
    if (v === undefined || v === null) {
        return undefined;
    }
    if (v === "*") {
        return "*";
    }
    if (isRecord(v)) {
        const out: Record<string, readonly string[]> = {};
        for (const [k, val] of Object.entries(v)) {
            out[k] = strings(val) ?? [];
        }
        return out;
    }
    // A bare account id or ARN string is shorthand for {"AWS": value}.
    return { AWS: strings(v) ?? [] };
}

function condition(v: unknown): Record<string, Record<string, unknown[]>> {
    const out: Record<string, Record<string, unknown[]>> = {};
    if (!isRecord(v)) {
        return out;
    }
    for (const [op, block] of Object.entries(v)) {
        const keys: Record<string, unknown[]> = {};
        if (isRecord(block)) {
            for (const [key, values] of Object.entries(block)) {
                keys[key.toLowerCase()] = Array.isArray(values) ? values : [values];
            }
        }
        out[op] = keys;
    }
    return out;
}

function statement(s: Record<string, unknown>, index: number): Statement {
    const sid = typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : undefined;
    return {
        index,
        sid,
        label: sid ? `statement '${sid}'` : `statement #${index + 1}`,
        effect: s.Effect,
        actions: strings(s.Action),
        notActions: strings(s.NotAction),
        resources: strings(s.Resource),
        notResources: strings(s.NotResource),
        principal: principal(s.Principal),
        notPrincipal: principal(s.NotPrincipal),
        condition: condition(s.Condition),
        unknown: [s.Effect, s.Principal, s.NotPrincipal, s.Action, s.NotAction, s.Resource, s.NotResource, s.Condition].some(containsUnknown),
    };
}

/**
 * Parses a policy document given as JSON text or as an object. `error` completes a sentence about the document
 * ("the policy " + error).
 */
export function parsePolicyDocument(input: unknown): ParseResult {
    if (isUnknown(input)) {
        return { kind: "unknown" };
    }
    let raw: unknown = input;
    if (typeof input === "string") {
        // jsonStringify over an unknown output yields one unknown string; an apply() that embeds an unknown yields
        // the sentinel inside the text: either way the document is not known until apply.
        if (input.includes(UNKNOWN_STRING_SENTINEL)) {
            return { kind: "unknown" };
        }
        try {
            raw = JSON.parse(input);
        } catch (err) {
            return { kind: "invalid", error: `is not valid JSON (${(err as Error).message})` };
        }
    }
    if (!isRecord(raw)) {
        return { kind: "invalid", error: `is not a policy document object (got ${raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw})` };
    }
    const rawStatements = raw.Statement;
    if (isUnknown(rawStatements)) {
        return { kind: "unknown" };
    }
    if (rawStatements === undefined || rawStatements === null) {
        return { kind: "invalid", error: "has no Statement" };
    }
    const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
    const statements: Statement[] = [];
    for (const [i, s] of list.entries()) {
        if (!isRecord(s)) {
            return { kind: "invalid", error: `has a Statement[${i}] that is not an object` };
        }
        statements.push(statement(s, i));
    }
    return { kind: "ok", doc: { version: typeof raw.Version === "string" ? raw.Version : undefined, statements } };
}

/** True when the principal is everyone: `"*"`, `{"AWS": "*"}` or `{"AWS": ["*"]}`. */
export function isEveryone(p: Principal | undefined): boolean {
    if (p === undefined) {
        return false;
    }
    if (p === "*") {
        return true;
    }
    return (p["AWS"] ?? []).includes("*");
}

// ---------------------------------------------------------------------------------------------------------------
// IAM glob
// ---------------------------------------------------------------------------------------------------------------

function fold(s: string, caseInsensitive: boolean): string {
    return caseInsensitive ? s.toLowerCase() : s;
}

/** Pattern positions reachable without consuming input (a `*` may match nothing). */
function closure(pattern: string, states: Iterable<number>): Set<number> {
    const out = new Set<number>();
    for (const s0 of states) {
        let s = s0;
        out.add(s);
        while (s < pattern.length && pattern[s] === "*") {
            s += 1;
            out.add(s);
        }
    }
    return out;
}

/** The pattern positions reachable after consuming `input` from the start of the pattern. */
function statesAfter(pattern: string, input: string): Set<number> {
    let states = closure(pattern, [0]);
    for (const ch of input) {
        const next = new Set<number>();
        for (const s of states) {
            if (s >= pattern.length) {
                continue;
            }
            const p = pattern[s];
            if (p === "*") {
                next.add(s);
            } else if (p === "?" || p === ch) {
                next.add(s + 1);
            }
        }
        if (next.size === 0) {
            return next;
        }
        states = closure(pattern, next);
    }
    return states;
}

/** True when the wildcard `pattern` matches all of `subject`. */
export function globMatches(pattern: string, subject: string, caseInsensitive = false): boolean {
    const p = fold(pattern, caseInsensitive);
    return statesAfter(p, fold(subject, caseInsensitive)).has(p.length);
}

/**
 * True when `pattern` matches every string `prefix + x` for any `x`: after consuming the prefix, the rest of the
 * pattern is only `*`. (A single glob covers an infinite set only through a trailing `*`; unions of several
 * patterns are the caller's business.)
 */
export function globCoversPrefix(pattern: string, prefix: string, caseInsensitive = false): boolean {
    const p = fold(pattern, caseInsensitive);
    for (const s of statesAfter(p, fold(prefix, caseInsensitive))) {
        if (s < p.length && /^\*+$/.test(p.slice(s))) {
            return true;
        }
    }
    return false;
}

/** The pattern positions reachable from `states` by consuming `ch`. */
function step(pattern: string, states: ReadonlySet<number>, ch: string): Set<number> {
    const next = new Set<number>();
    for (const s of states) {
        if (s < pattern.length && (pattern[s] === "*" || pattern[s] === "?" || pattern[s] === ch)) {
            next.add(pattern[s] === "*" ? s : s + 1);
        }
    }
    return closure(pattern, next);
}

/** Resource elements of a statement: `Resource` patterns, or `NotResource` patterns (everything but those). */
export interface ResourceElement {
    readonly resources?: readonly string[];
    readonly notResources?: readonly string[];
}

/**
 * True when the statements TOGETHER apply to every resource `prefix + x` (x non-empty): no string with the prefix
 * escapes all of them. Exact for any mix of `Resource` and `NotResource` globs: the product of the patterns' automata
 * is explored breadth-first over the characters the patterns name plus one they do not, looking for a reachable string
 * that no statement covers. (A `Resource` on `b/patients/*` and a `NotResource` on the same pattern cover everything
 * together although neither does alone.) Gives up (false) beyond `maxStates` product states.
 */
export function unionCoversPrefix(statements: readonly ResourceElement[], prefix: string, maxStates = 20_000): boolean {
    const patterns = statements.flatMap((st, i) => (st.resources ?? st.notResources ?? []).map((p) => ({ p, i })));
    if (statements.some((st) => st.resources === undefined && st.notResources === undefined)) {
        return false;
    }
    const alphabet = [...new Set(patterns.flatMap(({ p }) => [...p].filter((c) => c !== "*" && c !== "?")))];
    // A character no pattern names (every such character behaves alike).
    let other = "\u0001";
    while (alphabet.includes(other)) {
        other = String.fromCharCode(other.charCodeAt(0) + 1);
    }
    alphabet.push(other);
    const covered = (states: Set<number>[]): boolean =>
        statements.some((st, i) => {
            const accepts = patterns.some(({ p, i: j }, k) => j === i && states[k].has(p.length));
            return st.resources !== undefined ? accepts : !accepts;
        });
    const keyOf = (states: Set<number>[]) => states.map((x) => [...x].sort((a, b) => a - b).join(",")).join("|");
    const start = patterns.map(({ p }) => statesAfter(p, prefix));
    const seen = new Set<string>([keyOf(start)]);
    let frontier = [start];
    while (frontier.length > 0) {
        const next: Set<number>[][] = [];
        for (const states of frontier) {
            for (const ch of alphabet) {
                const after = states.map((x, k) => step(patterns[k].p, x, ch));
                if (!covered(after)) {
                    return false;
                }
                const key = keyOf(after);
                if (!seen.has(key)) {
                    if (seen.size >= maxStates) {
                        return false;
                    }
                    seen.add(key);
                    next.push(after);
                }
            }
        }
        frontier = next;
    }
    return true;
}

/** True when `pattern` matches at least one string that starts with `prefix`. */
export function globIntersectsPrefix(pattern: string, prefix: string, caseInsensitive = false): boolean {
    return statesAfter(fold(pattern, caseInsensitive), fold(prefix, caseInsensitive)).size > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Statement questions
// ---------------------------------------------------------------------------------------------------------------

/** True when the statement applies to `action` (its `Action` matches it, or its `NotAction` does not). */
export function appliesToAction(s: Statement, action: string): boolean {
    if (s.actions) {
        return s.actions.some((p) => globMatches(p, action, true));
    }
    if (s.notActions) {
        return !s.notActions.some((p) => globMatches(p, action, true));
    }
    return false;
}

/** True when the statement applies to every action whose name starts with `prefix` (`"s3:"`, or `""` for all). */
export function appliesToAllActions(s: Statement, prefix: string): boolean {
    if (s.actions) {
        return s.actions.some((p) => globCoversPrefix(p, prefix, true));
    }
    if (s.notActions) {
        return !s.notActions.some((p) => globIntersectsPrefix(p, prefix, true));
    }
    return false;
}

/** True when the statement applies to the resource `arn`. */
export function appliesToResource(s: Statement, arn: string): boolean {
    if (s.resources) {
        return s.resources.some((p) => globMatches(p, arn));
    }
    if (s.notResources) {
        return !s.notResources.some((p) => globMatches(p, arn));
    }
    return false;
}

/** True when the statement applies to every resource whose ARN starts with `prefix`. */
export function appliesToAllResources(s: Statement, prefix: string): boolean {
    if (s.resources) {
        return s.resources.some((p) => globCoversPrefix(p, prefix));
    }
    if (s.notResources) {
        return !s.notResources.some((p) => globIntersectsPrefix(p, prefix));
    }
    return false;
}

/**
 * True when an Allow statement grants every action on every resource. Judged by meaning: any action pattern that
 * matches every `service:action` (`*`, `*:*`, `**`) and any resource pattern that matches every ARN (`*`, `arn:*`),
 * or a `NotResource` (everything except the listed resources).
 */
export function grantsFullAdmin(s: Statement): boolean {
    if (s.effect !== "Allow" || !s.actions) {
        return false;
    }
    const allActions = s.actions.some((a) => globCoversPrefix(a, "", true) || /^\*+:\*+$/.test(a));
    if (!allActions) {
        return false;
    }
    return (s.resources ?? []).some((r) => globCoversPrefix(r, "") || globCoversPrefix(r, "arn:")) || s.notResources !== undefined;
}
