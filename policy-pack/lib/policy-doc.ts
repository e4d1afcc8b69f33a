/**
 * Parsing IAM-style policy documents (identity policies, resource policies such as EFS file-system
 * policies) given as JSON strings or as objects, into one normalised shape.
 *
 * Normalisation follows IAM's grammar: `Statement` may be one object or a list; `Action`, `Resource`,
 * condition values and principal lists may be a string or a list; condition keys are case-insensitive,
 * condition operators and element names are not.
 */

/** `"*"` (everyone) or a map of principal type (`AWS`, `Service`, `Federated`, `CanonicalUser`) to values. */
export type Principal = "*" | Readonly<Record<string, readonly string[]>>;

export interface Statement {
    readonly sid?: string;
    readonly effect: string;
    readonly actions?: readonly string[];
    readonly notActions?: readonly string[];
    readonly resources?: readonly string[];
    readonly notResources?: readonly string[];
    readonly principal?: Principal;
    readonly notPrincipal?: Principal;
    /** operator -> lower-cased condition key -> values. */
    readonly condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export interface PolicyDocument {
    readonly version?: string;
    readonly statements: readonly Statement[];
}

export type ParseResult = { readonly ok: true; readonly doc: PolicyDocument } | { readonly ok: false; readonly error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

function strings(v: unknown): string[] | undefined {
    if (v === undefined || v === null) {
        return undefined;
    }
    const list = Array.isArray(v) ? v : [v];
    return list.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
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

function condition(v: unknown): Record<string, Record<string, string[]>> {
    const out: Record<string, Record<string, string[]>> = {};
    if (!isRecord(v)) {
        return out;
    }
    for (const [op, block] of Object.entries(v)) {
        if (!isRecord(block)) {
            continue;
        }
        const keys: Record<string, string[]> = {};
        for (const [key, values] of Object.entries(block)) {
            keys[key.toLowerCase()] = strings(values) ?? [];
        }
        out[op] = keys;
    }
    return out;
}

/** Parses a policy document given as a JSON string or an object. */
export function parsePolicyDocument(input: unknown): ParseResult {
    let raw: unknown = input;
    if (typeof input === "string") {
        try {
            raw = JSON.parse(input);
        } catch (err) {
            return { ok: false, error: `is not valid JSON (${(err as Error).message})` };
        }
    }
    if (!isRecord(raw)) {
        return { ok: false, error: `is not a policy document object (got ${raw === null ? "null" : typeof raw})` };
    }
    const rawStatements = raw["Statement"];
    if (rawStatements === undefined) {
        return { ok: false, error: "has no Statement" };
    }
    const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
    const statements: Statement[] = [];
    for (const [i, s] of list.entries()) {
        if (!isRecord(s)) {
            return { ok: false, error: `has a Statement[${i}] that is not an object` };
        }
        statements.push({
            sid: typeof s["Sid"] === "string" ? s["Sid"] : undefined,
            effect: typeof s["Effect"] === "string" ? s["Effect"] : "",
            actions: strings(s["Action"]),
            notActions: strings(s["NotAction"]),
            resources: strings(s["Resource"]),
            notResources: strings(s["NotResource"]),
            principal: principal(s["Principal"]),
            notPrincipal: principal(s["NotPrincipal"]),
            condition: condition(s["Condition"]),
        });
    }
    return { ok: true, doc: { version: typeof raw["Version"] === "string" ? raw["Version"] : undefined, statements } };
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

/** IAM wildcard match (`*` any run, `?` one character), case-insensitive as IAM action names are. */
export function wildcardMatch(pattern: string, value: string): boolean {
    const p = pattern.toLowerCase();
    const v = value.toLowerCase();
    // Iterative glob match with backtracking on the last `*`: linear in practice, no regex compilation.
    let pi = 0;
    let vi = 0;
    let star = -1;
    let mark = 0;
    while (vi < v.length) {
        if (pi < p.length && (p[pi] === "?" || p[pi] === v[vi])) {
            pi++;
            vi++;
        } else if (pi < p.length && p[pi] === "*") {
            star = pi++;
            mark = vi;
        } else if (star >= 0) {
            pi = star + 1;
            vi = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.length && p[pi] === "*") {
        pi++;
    }
    return pi === p.length;
}

/** True when the statement's `Action` list matches `action`. `NotAction` statements never count. */
export function statementMatchesAction(s: Statement, action: string): boolean {
    return (s.actions ?? []).some((a) => wildcardMatch(a, action));
}

/** Values of a condition `operator` for `key` (case-insensitive key), or `undefined`. */
export function conditionValues(s: Statement, operator: string, key: string): readonly string[] | undefined {
    return s.condition[operator]?.[key.toLowerCase()];
}

/**
 * True when the statement applies only when `aws:SecureTransport` is false (`Bool` or `BoolIfExists`),
 * the standard way to deny plaintext requests.
 */
export function deniesInsecureTransport(s: Statement): boolean {
    for (const op of ["Bool", "BoolIfExists"]) {
        const values = conditionValues(s, op, "aws:SecureTransport");
        if (values && values.length > 0 && values.every((v) => v.toLowerCase() === "false")) {
            return true;
        }
    }
    return false;
}

/** True when an Allow statement grants every action (`*` or `*:*`) on every resource. */
export function grantsFullAdmin(s: Statement): boolean {
    if (s.effect !== "Allow") {
        return false;
    }
    const allActions = (s.actions ?? []).some((a) => a === "*" || a === "*:*");
    if (!allActions) {
        return false;
    }
    // `NotResource` with an all-actions Allow grants everything except the listed resources.
    return (s.resources ?? []).includes("*") || s.notResources !== undefined;
}
