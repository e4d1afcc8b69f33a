/**
 * The pack's one judgement of "this resource policy denies requests that do not use (recent) TLS" (HIPAA
 * 164.312(e)(1) transmission security, (e)(2)(i) integrity, (e)(2)(ii) encryption in transit), used by the S3
 * bucket-policy check and the EFS file-system-policy check.
 *
 * Judged by meaning, not form: a request reaches AWS over plain HTTP or over TLS 1.0, 1.1, 1.2 or 1.3, so there are
 * five transports, and each condition block is EVALUATED against each of them the way IAM evaluates it
 * (`aws:SecureTransport` is "false" over HTTP and "true" over TLS; the TLS-version key, `s3:TlsVersion` for S3, is
 * absent over HTTP). A requirement names the transports that must be denied; it holds when, for each of them, the
 * Deny statements that apply to it together deny every required action on every required resource. So
 * `NumericLessThan 1.2`, `NumericLessThanEquals 1.1`, `NumericLessThanIfExists 1.2` (which also denies HTTP), a list
 * `NumericEquals ["1.0", "1.1"]`, `Bool` or `BoolIfExists`, `"false"` or `false` are all what they mean, and an
 * unconditional Deny denies every transport.
 *
 * A statement counts only when its deny cannot be narrowed by something else of the request: Effect "Deny", every
 * principal, no `NotPrincipal` (which exempts the listed principals), and conditions only on the transport keys
 * (IAM ANDs every further key, so "and not from this VPC endpoint" would let some plaintext requests through).
 */
import { appliesToAction, appliesToAllActions, appliesToResource, globMatches, isEveryone, Statement, unionCoversPrefix } from "./policy-doc";

/** How a request reaches the service. */
export interface Transport {
    readonly label: string;
    /** The value of `aws:SecureTransport`. */
    readonly secure: boolean;
    /** The TLS version as IAM sees it (`"1.2"`); absent over HTTP. */
    readonly tlsVersion?: string;
}

export const PLAIN_HTTP: Transport = { label: "plain HTTP", secure: false };
export const TLS_VERSIONS = ["1.0", "1.1", "1.2", "1.3"] as const;
export const TLS: Readonly<Record<(typeof TLS_VERSIONS)[number], Transport>> = {
    "1.0": { label: "TLS 1.0", secure: true, tlsVersion: "1.0" },
    "1.1": { label: "TLS 1.1", secure: true, tlsVersion: "1.1" },
    "1.2": { label: "TLS 1.2", secure: true, tlsVersion: "1.2" },
    "1.3": { label: "TLS 1.3", secure: true, tlsVersion: "1.3" },
};
export const TRANSPORTS: readonly Transport[] = [PLAIN_HTTP, ...TLS_VERSIONS.map((v) => TLS[v])];

/** What a policy must deny. */
export interface TransportRequirement {
    /** "deny when aws:SecureTransport is false", for messages. */
    readonly title: string;
    /** The condition key a statement written for this requirement uses (lower case), to explain why it does not count. */
    readonly key: string;
    readonly transports: readonly Transport[];
}

/** Every request over plain HTTP must be denied. */
export function plaintextRequirement(): TransportRequirement {
    return { title: "deny when aws:SecureTransport is false", key: SECURE_TRANSPORT, transports: [PLAIN_HTTP] };
}

/** Every request over a TLS version below `minimum` must be denied. */
export function tlsVersionRequirement(minimum: number, key = "s3:TlsVersion"): TransportRequirement {
    return { title: `deny when ${key} is below ${minimum}`, key: key.toLowerCase(), transports: TLS_VERSIONS.filter((v) => Number(v) < minimum).map((v) => TLS[v]) };
}

/** Actions on resources that must all be denied. */
export interface DenyTarget {
    /** `arn` for one resource, `prefix` for every resource below it (`arn:aws:s3:::b/` = all objects), neither for
     * a policy attached to the resource itself whose `Resource` element is not judged. */
    readonly resource?: { readonly arn: string } | { readonly prefix: string };
    /** Human name of the resource, for messages. */
    readonly label: string;
    /** Every action that can target the resource; all must be denied. */
    readonly actions: readonly string[];
    /** A service prefix (`s3:`) whose full wildcard also counts as denying the actions AWS adds later. */
    readonly actionPrefix?: string;
}

const SECURE_TRANSPORT = "aws:securetransport";

function values(v: readonly unknown[]): string[] {
    return v.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
}

type Compare = (request: string, policy: string) => boolean;

function numeric(cmp: (a: number, b: number) => boolean): Compare {
    return (request, policy) => {
        const a = Number(request);
        const b = Number(policy);
        return request.trim() !== "" && policy.trim() !== "" && Number.isFinite(a) && Number.isFinite(b) && cmp(a, b);
    };
}

/** Base operators (without `IfExists`) on single-valued keys; `negated` ones match when no value matches. */
const OPERATORS: Readonly<Record<string, { compare: Compare; negated: boolean }>> = {
    Bool: { compare: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
    NumericEquals: { compare: numeric((a, b) => a === b), negated: false },
    NumericNotEquals: { compare: numeric((a, b) => a === b), negated: true },
    NumericLessThan: { compare: numeric((a, b) => a < b), negated: false },
    NumericLessThanEquals: { compare: numeric((a, b) => a <= b), negated: false },
    NumericGreaterThan: { compare: numeric((a, b) => a > b), negated: false },
    NumericGreaterThanEquals: { compare: numeric((a, b) => a >= b), negated: false },
    StringEquals: { compare: (r, p) => r === p, negated: false },
    StringNotEquals: { compare: (r, p) => r === p, negated: true },
    StringEqualsIgnoreCase: { compare: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
    StringNotEqualsIgnoreCase: { compare: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: true },
    StringLike: { compare: (r, p) => globMatches(p, r), negated: false },
    StringNotLike: { compare: (r, p) => globMatches(p, r), negated: true },
};

/**
 * Whether one operator on one transport key holds for a request over `t`: true/false, or `undefined` when the
 * operator is not one IAM defines for such a key (the statement then does not count).
 */
function operatorHolds(operator: string, key: string, policyValues: readonly unknown[], t: Transport, tlsKey: string): boolean | undefined {
    const requestValue = key === SECURE_TRANSPORT ? String(t.secure) : t.tlsVersion;
    const given = values(policyValues);
    if (operator === "Null") {
        // Null "true" matches a missing key, "false" a present one.
        return given.some((v) => v.toLowerCase() === String(requestValue === undefined));
    }
    const ifExists = operator.endsWith("IfExists");
    const base = OPERATORS[ifExists ? operator.slice(0, -"IfExists".length) : operator];
    if (!base || (key === tlsKey && base === OPERATORS.Bool)) {
        return undefined;
    }
    if (requestValue === undefined) {
        // IAM: a missing key matches IfExists and negated operators, nothing else.
        return ifExists || base.negated;
    }
    const any = given.some((v) => base.compare(requestValue, v));
    return base.negated ? !any : any;
}

/**
 * The transports for which every condition of `s` holds, or `undefined` when a condition is on another key or uses
 * an operator IAM does not apply to these keys (either narrows the deny in a way the transport alone does not decide).
 */
export function deniedTransports(s: Statement, tlsKey = "s3:TlsVersion"): Transport[] | undefined {
    const tls = tlsKey.toLowerCase();
    for (const [operator, keys] of Object.entries(s.condition)) {
        for (const key of Object.keys(keys)) {
            if (key !== SECURE_TRANSPORT && key !== tls) {
                return undefined;
            }
            if (TRANSPORTS.some((t) => operatorHolds(operator, key, keys[key], t, tls) === undefined)) {
                return undefined;
            }
        }
    }
    return TRANSPORTS.filter((t) => Object.entries(s.condition).every(([operator, keys]) => Object.keys(keys).every((key) => operatorHolds(operator, key, keys[key], t, tls))));
}

/** Why a Deny cannot count whatever its condition, or `undefined`. */
function principalProblem(s: Statement): string | undefined {
    if (s.effect !== "Deny") {
        return `its Effect is ${JSON.stringify(s.effect)}, not "Deny"`;
    }
    if (s.notPrincipal !== undefined) {
        return "it uses NotPrincipal, which exempts the listed principals from the deny";
    }
    if (!isEveryone(s.principal)) {
        return `its Principal ${JSON.stringify(s.principal ?? null)} is not every principal ("*" or {"AWS": "*"})`;
    }
    return undefined;
}

function mentions(s: Statement, key: string): boolean {
    return Object.values(s.condition).some((keys) => keys[key] !== undefined);
}

/** True when the statements together apply to the target's resource(s). */
function coverTarget(statements: readonly Statement[], target: DenyTarget): boolean {
    const r = target.resource;
    if (r === undefined) {
        return statements.length > 0;
    }
    return "arn" in r ? statements.some((s) => appliesToResource(s, r.arn)) : unionCoversPrefix(statements, r.prefix);
}

export interface TransportVerdict {
    readonly status: "pass" | "fail" | "unknown";
    /** For a failure: what is missing and why the statements that try do not count. */
    readonly detail: string;
    /** Set when the statements deny every catalogued action but not the whole service prefix (later actions). */
    readonly catalogueOnly?: boolean;
}

/** Judges one requirement over the statements of a resource policy for the given targets. */
export function judgeTransportDeny(statements: readonly Statement[], req: TransportRequirement, targets: readonly DenyTarget[], tlsKey = "s3:TlsVersion"): TransportVerdict {
    const rejected: string[] = [];
    let unknownStatements = 0;
    // Statements that count, with the transports of the requirement they deny.
    const qualifying: { s: Statement; transports: Transport[] }[] = [];
    for (const s of statements) {
        if (s.unknown) {
            unknownStatements += 1;
            continue;
        }
        const problem = principalProblem(s);
        const denied = problem === undefined ? deniedTransports(s, tlsKey) : undefined;
        const relevant = denied?.filter((t) => req.transports.includes(t)) ?? [];
        if (problem === undefined && denied !== undefined && relevant.length > 0) {
            qualifying.push({ s, transports: relevant });
        } else if (mentions(s, req.key)) {
            const why =
                problem ??
                (denied === undefined
                    ? "its condition has further keys or operators, which IAM ANDs with the transport condition and so narrow the deny"
                    : `its condition holds for ${denied.map((t) => t.label).join(", ") || "no request"}, not for ${req.transports.map((t) => t.label).join(", ")}`);
            rejected.push(`${s.label} does not count: ${why}`);
        }
    }

    // Gap text (with {t} for the transport) -> the transports it applies to.
    const gaps = new Map<string, string[]>();
    let catalogueOnly = false;
    for (const t of req.transports) {
        const denying = qualifying.filter((q) => q.transports.includes(t)).map((q) => q.s);
        for (const target of targets) {
            // Coverage is judged on the union of the statements: per action, the statements that deny it must
            // together apply to the whole target (one may name the bucket's patients/*, another everything else).
            const prefix = target.actionPrefix;
            const full = prefix !== undefined && coverTarget(denying.filter((s) => appliesToAllActions(s, prefix)), target);
            const covering = new Map<string, boolean>();
            const missing = full
                ? []
                : target.actions.filter((a) => {
                      const applying = denying.filter((s) => appliesToAction(s, a));
                      const key = applying.map((s) => s.index).join(",");
                      let ok = covering.get(key);
                      if (ok === undefined) {
                          ok = coverTarget(applying, target);
                          covering.set(key, ok);
                      }
                      return !ok;
                  });
            if (!full && missing.length === 0 && prefix !== undefined) {
                catalogueOnly = true;
            }
            if (missing.length > 0) {
                const text = describeGap(target, denying, coverTarget(denying, target), missing);
                gaps.set(text, [...new Set([...(gaps.get(text) ?? []), t.label])]);
            }
        }
    }
    if (gaps.size === 0) {
        return { status: "pass", detail: "", catalogueOnly };
    }
    if (unknownStatements > 0) {
        return { status: "unknown", detail: `${unknownStatements} statement(s) hold values not known until apply` };
    }
    const described = [...gaps].map(([text, transports]) => text.replace("{t}", transports.join(" and ")));
    return { status: "fail", detail: [...described, ...rejected].join("; ") };
}

/** One gap, with `{t}` where the transports go. */
function describeGap(target: DenyTarget, denying: readonly Statement[], coverTogether: boolean, missing: readonly string[]): string {
    if (denying.length === 0) {
        return "no statement denies {t} requests for every principal";
    }
    if (!coverTogether) {
        const named = [...new Set(denying.flatMap((s) => s.resources ?? s.notResources?.map((r) => `NotResource ${r}`) ?? []))].join(", ");
        return `the statement(s) denying {t} requests name ${named || "no resource"}, none covers ${target.label}`;
    }
    const shown = missing.slice(0, 4);
    const more = missing.length > shown.length ? ` and ${missing.length - shown.length} more actions` : "";
    return `on ${target.label} they do not deny ${shown.join(", ")}${more} over {t}`;
}
