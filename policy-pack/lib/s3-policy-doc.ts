/**
 * Judging S3 bucket policies for the TLS-only control (HIPAA 164.312(e)(1), (e)(2)(i)): the document must
 * deny every S3 action to every principal on the bucket and on all of its objects whenever
 * `aws:SecureTransport` is false, and (configurable) whenever `s3:TlsVersion` is below 1.2.
 *
 * Semantics follow IAM's evaluation rules, not string shapes:
 * - `Statement` may be one object or a list; `Action`/`Resource`/principal lists may be a string or a list.
 * - Equivalent forms pass: Principal `"*"` or `{"AWS": "*"}`; `s3:*`, `*`, or an action set that together
 *   covers every action that can target a bucket or an object (see s3-actions.ts); several statements that
 *   together cover the bucket ARN and `arn:...:<bucket>/*`; wildcard resources that include them
 *   (`arn:aws:s3:::*`); `NotAction`/`NotResource` that exempt nothing relevant; condition values as a string,
 *   a boolean or a list; `Bool` or `BoolIfExists` (aws:SecureTransport is present in every S3 request, so the
 *   two are equivalent for a Deny; `IfExists` additionally denies requests without the key, which is stricter);
 *   `NumericLessThan` or `NumericLessThanIfExists` with a version at or above the required minimum.
 * - A statement counts only if its condition is exactly the one key: any further condition is ANDed by IAM and
 *   narrows the deny (for example "and not from this VPC endpoint"), so it would exempt some plaintext requests.
 * - `NotPrincipal` with Deny exempts the listed principals, so such a statement never counts.
 * - Condition keys are case-insensitive in IAM; operators, `Effect` values and element names are not.
 */
import { S3_BUCKET_ACTIONS, S3_OBJECT_ACTIONS } from "./s3-actions";
import { globCoversPrefix, globIntersectsPrefix, globMatches } from "./s3-glob";
import { containsUnknown, isRecord, isUnknown, UNKNOWN_STRING_SENTINEL } from "./s3-values";

export interface Statement {
    readonly label: string;
    readonly effect: unknown;
    readonly principal: unknown;
    readonly hasNotPrincipal: boolean;
    readonly actions?: string[];
    readonly notActions?: string[];
    readonly resources?: string[];
    readonly notResources?: string[];
    /** operator -> lower-cased key -> values. */
    readonly condition: Record<string, Record<string, unknown[]>>;
    /** Some element this check reads is unknown at preview. */
    readonly unknown: boolean;
}

export type ParsedPolicy =
    | { readonly kind: "ok"; readonly statements: readonly Statement[] }
    | { readonly kind: "unknown" }
    | { readonly kind: "invalid"; readonly error: string };

function strings(v: unknown): string[] | undefined {
    if (v === undefined || v === null) {
        return undefined;
    }
    return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
}

function normaliseStatement(s: unknown, i: number): Statement {
    const rec = isRecord(s) ? s : {};
    const condition: Record<string, Record<string, unknown[]>> = {};
    const cond = rec.Condition;
    if (isRecord(cond)) {
        for (const [op, body] of Object.entries(cond)) {
            const keys: Record<string, unknown[]> = {};
            if (isRecord(body)) {
                for (const [k, v] of Object.entries(body)) {
                    keys[k.toLowerCase()] = Array.isArray(v) ? v : [v];
                }
            }
            condition[op] = keys;
        }
    }
    const sid = typeof rec.Sid === "string" && rec.Sid !== "" ? rec.Sid : undefined;
    return {
        label: sid ? `statement '${sid}'` : `statement #${i + 1}`,
        effect: rec.Effect,
        principal: rec.Principal,
        hasNotPrincipal: rec.NotPrincipal !== undefined,
        actions: strings(rec.Action),
        notActions: strings(rec.NotAction),
        resources: strings(rec.Resource),
        notResources: strings(rec.NotResource),
        condition,
        unknown: [rec.Effect, rec.Principal, rec.NotPrincipal, rec.Action, rec.NotAction, rec.Resource, rec.NotResource, rec.Condition].some(
            containsUnknown,
        ),
    };
}

/** Parses a policy given as JSON text or as an object (`aws.s3.BucketPolicy.policy`, `awsnative...policyDocument`). */
export function parsePolicy(v: unknown): ParsedPolicy {
    if (isUnknown(v)) {
        return { kind: "unknown" };
    }
    let doc: unknown = v;
    if (typeof v === "string") {
        // jsonStringify over an unknown output yields one unknown string; an apply() that embeds an unknown
        // yields the sentinel inside the text.
        if (v.includes(UNKNOWN_STRING_SENTINEL)) {
            return { kind: "unknown" };
        }
        try {
            doc = JSON.parse(v);
        } catch (e) {
            return { kind: "invalid", error: `the policy is not valid JSON (${(e as Error).message})` };
        }
    }
    if (!isRecord(doc)) {
        return { kind: "invalid", error: "the policy is not a JSON object" };
    }
    const st = doc.Statement;
    if (isUnknown(st)) {
        return { kind: "unknown" };
    }
    const list = st === undefined || st === null ? [] : Array.isArray(st) ? st : [st];
    return { kind: "ok", statements: list.map(normaliseStatement) };
}

/** What one requirement (a deny on a condition) needs. */
interface Requirement {
    readonly title: string;
    readonly operators: readonly string[];
    readonly key: string;
    /** Whether the condition values make the deny apply to the requests the requirement is about. */
    readonly valuesOk: (values: unknown[]) => boolean;
    readonly wrongValues: string;
}

export function secureTransportRequirement(): Requirement {
    return {
        title: "deny when aws:SecureTransport is false",
        operators: ["Bool", "BoolIfExists"],
        key: "aws:securetransport",
        valuesOk: (values) => values.some((v) => v === false || (typeof v === "string" && v.toLowerCase() === "false")),
        wrongValues: "its aws:SecureTransport value is not false, so it denies TLS requests instead of plaintext ones",
    };
}

export function tlsVersionRequirement(minimum: number): Requirement {
    return {
        title: `deny when s3:TlsVersion is below ${minimum}`,
        operators: ["NumericLessThan", "NumericLessThanIfExists"],
        key: "s3:tlsversion",
        valuesOk: (values) => values.some((v) => Number(v) >= minimum),
        wrongValues: `its s3:TlsVersion threshold is below ${minimum}, so older TLS versions are allowed`,
    };
}

function isEveryone(principal: unknown): boolean {
    if (principal === "*") {
        return true;
    }
    if (isRecord(principal)) {
        const aws = principal.AWS;
        return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
    }
    return false;
}

/** Why a statement cannot count for `req`, or undefined when it qualifies (ignoring coverage). */
function disqualify(s: Statement, req: Requirement): string | undefined {
    if (s.effect !== "Deny") {
        return `its Effect is ${JSON.stringify(s.effect)}, not "Deny"`;
    }
    if (s.hasNotPrincipal) {
        return "it uses NotPrincipal, which exempts the listed principals from the deny";
    }
    if (!isEveryone(s.principal)) {
        return `its Principal ${JSON.stringify(s.principal)} is not every principal ("*" or {"AWS": "*"})`;
    }
    const ops = Object.keys(s.condition);
    const keyCount = ops.reduce((n, op) => n + Object.keys(s.condition[op]).length, 0);
    const op = ops.find((o) => req.operators.includes(o) && s.condition[o][req.key] !== undefined);
    if (!op) {
        return `its condition is not ${req.operators.join(" or ")} on ${req.key}`;
    }
    if (keyCount !== 1) {
        return "its condition has further keys, which IAM ANDs with this one and so narrows the deny";
    }
    if (!req.valuesOk(s.condition[op][req.key])) {
        return req.wrongValues;
    }
    return undefined;
}

function deniesAllS3(s: Statement): boolean {
    if (s.actions) {
        return s.actions.some((p) => globCoversPrefix(p, "s3:", true));
    }
    if (s.notActions) {
        return !s.notActions.some((p) => globIntersectsPrefix(p, "s3:", true));
    }
    return false;
}

function deniesAction(s: Statement, action: string): boolean {
    if (s.actions) {
        return s.actions.some((p) => globMatches(p, action, true));
    }
    if (s.notActions) {
        return !s.notActions.some((p) => globMatches(p, action, true));
    }
    return false;
}

function coversBucket(s: Statement, arn: string): boolean {
    if (s.resources) {
        return s.resources.some((p) => globMatches(p, arn));
    }
    if (s.notResources) {
        return !s.notResources.some((p) => globMatches(p, arn));
    }
    return false;
}

function coversObjects(s: Statement, arn: string): boolean {
    const prefix = `${arn}/`;
    if (s.resources) {
        return s.resources.some((p) => globCoversPrefix(p, prefix));
    }
    if (s.notResources) {
        return !s.notResources.some((p) => globIntersectsPrefix(p, prefix));
    }
    return false;
}

export interface RequirementVerdict {
    readonly status: "pass" | "fail" | "unknown";
    /** For a failure: what is missing and why the statements that try do not count. */
    readonly detail: string;
    /** Set when the statements cover every catalogued action but not `s3:*` (future actions not denied). */
    readonly catalogueOnly?: boolean;
}

/** Judges one requirement over a parsed document for the bucket whose ARN is `bucketArn`. */
export function judgeRequirement(statements: readonly Statement[], req: Requirement, bucketArn: string): RequirementVerdict {
    const qualifying: Statement[] = [];
    const rejected: string[] = [];
    let unknownStatements = 0;
    for (const s of statements) {
        if (s.unknown) {
            unknownStatements += 1;
            continue;
        }
        const mentionsKey = Object.values(s.condition).some((keys) => keys[req.key] !== undefined);
        const why = disqualify(s, req);
        if (why === undefined) {
            qualifying.push(s);
        } else if (mentionsKey) {
            rejected.push(`${s.label} does not count: ${why}`);
        }
    }

    const onBucket = qualifying.filter((s) => coversBucket(s, bucketArn));
    const onObjects = qualifying.filter((s) => coversObjects(s, bucketArn));
    const fullBucket = onBucket.some(deniesAllS3);
    const fullObjects = onObjects.some(deniesAllS3);
    const missingBucket = fullBucket ? [] : S3_BUCKET_ACTIONS.filter((a) => !onBucket.some((s) => deniesAction(s, `s3:${a}`)));
    const missingObjects = fullObjects ? [] : S3_OBJECT_ACTIONS.filter((a) => !onObjects.some((s) => deniesAction(s, `s3:${a}`)));

    if (missingBucket.length === 0 && missingObjects.length === 0) {
        return { status: "pass", detail: "", catalogueOnly: !(fullBucket && fullObjects) };
    }
    if (unknownStatements > 0) {
        return { status: "unknown", detail: `${unknownStatements} statement(s) hold values not known until apply` };
    }
    const gaps: string[] = [];
    if (qualifying.length === 0) {
        gaps.push(`no statement does "${req.title}" for every principal`);
    } else {
        const named = [...new Set(qualifying.flatMap((s) => s.resources ?? s.notResources?.map((r) => `NotResource ${r}`) ?? []))].join(", ");
        if (onBucket.length === 0 || onObjects.length === 0) {
            gaps.push(`the qualifying statement(s) name ${named || "no resource"}`);
        }
        if (onBucket.length === 0) {
            gaps.push(`no such statement covers the bucket ARN ${bucketArn}`);
        } else if (missingBucket.length > 0) {
            gaps.push(`on ${bucketArn} it does not deny ${sample(missingBucket)}`);
        }
        if (onObjects.length === 0) {
            gaps.push(`no such statement covers all objects ${bucketArn}/*`);
        } else if (missingObjects.length > 0) {
            gaps.push(`on ${bucketArn}/* it does not deny ${sample(missingObjects)}`);
        }
    }
    return { status: "fail", detail: [...gaps, ...rejected].join("; ") };
}

function sample(actions: readonly string[]): string {
    const shown = actions.slice(0, 4).map((a) => `s3:${a}`);
    return actions.length > shown.length ? `${shown.join(", ")} and ${actions.length - shown.length} more actions` : shown.join(", ");
}
