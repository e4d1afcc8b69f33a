/**
 * IAM-style wildcard matching (`*` = any run of characters, `?` = one character) and the two set questions
 * the bucket-policy checks need: does a pattern match *every* string that starts with a prefix (for "all
 * objects of the bucket" or "all S3 actions"), and does it match *any* such string (for `NotResource` and
 * `NotAction`, which exempt whatever they match).
 *
 * The matcher simulates the pattern as an NFA over pattern positions, so it is linear in
 * pattern length x subject length and never backtracks exponentially on hostile patterns.
 */

function fold(s: string, caseInsensitive: boolean): string {
    return caseInsensitive ? s.toLowerCase() : s;
}

/** Pattern positions reachable without consuming input (a `*` may match nothing). */
function closure(pattern: string, states: Set<number>): Set<number> {
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
    let states = closure(pattern, new Set([0]));
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
 * True when `pattern` matches every string `prefix + x` for any `x`, i.e. after consuming the prefix the rest
 * of the pattern is only `*`. (Unions of several non-star tails that together accept everything do not occur
 * in practice and are not credited.)
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

/** True when `pattern` matches at least one string that starts with `prefix`. */
export function globIntersectsPrefix(pattern: string, prefix: string, caseInsensitive = false): boolean {
    return statesAfter(fold(pattern, caseInsensitive), fold(prefix, caseInsensitive)).size > 0;
}
