/**
 * Who is calling the presentation API, decided fail-closed (HIPAA 164.312(a)(1) access control, 164.308(a)(4)
 * information access management). A caller is EITHER a tenant pinned to exactly one customer, OR an analyst named
 * explicitly by configuration. Everything else is refused: nothing is inferred from a claim or tag being absent.
 *
 * JWT mode (API Gateway's JWT authoriser has validated issuer, audience, expiry and signature):
 * - The routes list the tenant scope and the analyst scope, so API Gateway already refuses a token with neither
 *   (a route's `authorizationScopes` require ONE of them in the token's `scope`/`scp`). This module checks again.
 * - Tenant: the configured customer claim is a single customer id (a string matching CUSTOMER_ID_PATTERN). Arrays
 *   (which API Gateway flattens to `"[a b]"`), comma- or space-separated lists, empty strings, numbers and objects
 *   are not one customer id and are refused.
 * - Analyst: the analyst scope, and no customer claim at all.
 * - Both a customer claim and the analyst scope: the token is read as the narrower of the two, a tenant pinned
 *   to that customer (the analyst scope adds nothing). An IdP that adds a customer attribute to an analyst's token
 *   thus narrows that analyst; a tenant app client wrongly granted the analyst scope still sees one customer.
 * - A claim that looks like the customer claim under another name (`custom:customer` when `customer` is
 *   configured, `https://example.org/customer`) is drift in the IdP's claim mapping: refused even with the analyst
 *   scope, because reading it as "no claim" would turn a tenant into an analyst.
 * - Identity-provider groups (`cognito:groups`) are not honoured: API Gateway cannot check them, and the model
 *   requires the authoriser and the handler to agree. Map a group to the analyst scope in the IdP instead.
 *
 * IAM mode (API Gateway has verified the SigV4 signature and the caller's `execute-api:Invoke` permission):
 * - Analyst: the caller's role (from the assumed-role ARN) is one of the configured analyst role ARNs (same
 *   account, same role name; an assumed-role ARN does not carry the role's path).
 * - Tenant: any other role of this account whose `customer` tag (`aws:PrincipalTag/customer` of its sessions) is a
 *   single customer id, read with iam:ListRoleTags and cached briefly. Session tags are not visible here and are
 *   ignored; the platform's roles do not allow sts:TagSession anyway.
 * - IAM users, the root user, other accounts, roles without a usable tag: refused. A role whose tags cannot be
 *   read (IAM unreachable or throttling) gets 503, never a default.
 */
import { CUSTOMER_ID_PATTERN } from "../../components/shared/lake-layout";

/** The JWT part of API Gateway's payload-2.0 request context. */
export interface JwtContext {
    claims?: Record<string, unknown>;
    scopes?: string[] | null;
}

/** The IAM part of API Gateway's payload-2.0 request context. */
export interface IamContext {
    userArn?: string;
    accountId?: string;
    callerId?: string;
}

export interface JwtAuthPolicy {
    mode: "JWT";
    /** Claim naming the one customer a tenant token is pinned to. */
    customerClaim: string;
    /** Scope every tenant token carries (listed on the routes). */
    tenantScope: string;
    /** Scope of analyst tokens; absent when no token may act as an analyst. */
    analystScope?: string;
}

export interface IamAuthPolicy {
    mode: "IAM";
    /** The API's account: callers of other accounts are refused, and role tags are read here. */
    accountId: string;
    /** Roles whose sessions are analysts (`arn:<partition>:iam::<account>:role/[path/]name`). */
    analystRoleArns: string[];
    /** How long a role's customer tag is trusted before it is read again. @default 60000 */
    tagCacheMs?: number;
}

export type AuthPolicy = JwtAuthPolicy | IamAuthPolicy;

export type Principal = { kind: "tenant"; customer: string; subject: string } | { kind: "analyst"; subject: string };

/** A refusal: `reason` is for the audit log (never a claim or tag value), `message` for the caller. */
export interface Refusal {
    status: 403 | 503;
    subject: string;
    reason: string;
    message: string;
}

export type Resolution = { ok: true; principal: Principal } | ({ ok: false } & Refusal);

/** The principal tag (and role tag) that pins an IAM caller to a customer. */
export const CUSTOMER_TAG = "customer";

const refuse = (subject: string, reason: string, message = "this caller is neither pinned to one customer nor an analyst"): Resolution => ({
    ok: false,
    status: 403,
    subject,
    reason,
    message,
});

/** A short, value-free description of a claim for the audit log: its JSON type and size. */
export function shapeOf(value: unknown): string {
    if (Array.isArray(value)) return `array(${value.length})`;
    if (value === null) return "null";
    if (typeof value === "string") return `string(${value.length})`;
    return typeof value;
}

/** Scopes of a validated token: API Gateway's list, the `scope` claim (space-separated) and `scp` (list or string). */
export function tokenScopes(jwt: JwtContext): Set<string> {
    const out = new Set<string>();
    const add = (v: unknown) => {
        if (typeof v === "string") {
            // API Gateway flattens list claims to "[a b]".
            const inner = /^\[(.*)\]$/.exec(v)?.[1] ?? v;
            inner.split(/\s+/).filter(Boolean).forEach((s) => out.add(s));
        } else if (Array.isArray(v)) {
            v.filter((s): s is string => typeof s === "string").forEach((s) => out.add(s));
        }
    };
    add(jwt.scopes ?? undefined);
    add(jwt.claims?.scope);
    add(jwt.claims?.scp);
    return out;
}

/** The last segment of a claim name: `custom:customer` -> `customer`, `https://x.org/claims/customer` -> `customer`. */
const baseName = (name: string) => name.slice(Math.max(name.lastIndexOf(":"), name.lastIndexOf("/")) + 1).toLowerCase();

/** Decides a JWT caller. Pure. */
export function resolveJwtCaller(jwt: JwtContext | undefined, policy: JwtAuthPolicy): Resolution {
    const claims = jwt?.claims;
    if (!claims) {
        return refuse("(none)", "no JWT authoriser context");
    }
    const sub = claims.sub;
    if (typeof sub !== "string" || sub === "") {
        // Every decision is audited by subject; a token that names none cannot be audited.
        return refuse("(none)", "token has no subject (sub)");
    }
    const scopes = tokenScopes(jwt);
    const tenantScoped = scopes.has(policy.tenantScope);
    const analystScoped = policy.analystScope !== undefined && scopes.has(policy.analystScope);
    if (!tenantScoped && !analystScoped) {
        return refuse(sub, "token carries neither the tenant scope nor the analyst scope");
    }
    const drifted = Object.keys(claims).filter((k) => k !== policy.customerClaim && baseName(k) === baseName(policy.customerClaim));
    if (drifted.length > 0) {
        return refuse(sub, `customer claim under an unexpected name (${drifted.sort().join(", ")}; expected ${policy.customerClaim})`);
    }
    const value = claims[policy.customerClaim];
    if (value === undefined) {
        return analystScoped ? { ok: true, principal: { kind: "analyst", subject: sub } } : refuse(sub, `tenant-scoped token without the ${policy.customerClaim} claim`);
    }
    if (typeof value === "string" && CUSTOMER_ID_PATTERN.test(value)) {
        // With the analyst scope too, the narrower reading: pinned to this customer.
        return { ok: true, principal: { kind: "tenant", customer: value, subject: sub } };
    }
    return refuse(sub, `${policy.customerClaim} claim is not one customer id (${shapeOf(value)})`);
}

/** A role named by an assumed-role session ARN. */
export interface CallerRole {
    partition: string;
    accountId: string;
    roleName: string;
}

/** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>` -> the role; undefined for any other principal. */
export function assumedRoleOf(userArn: string): CallerRole | undefined {
    const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/[\w+=,.@-]{2,64}$/.exec(userArn);
    return m ? { partition: m[1], accountId: m[2], roleName: m[3] } : undefined;
}

/** `arn:<partition>:iam::<account>:role/[path/]name` -> account and name (role names are unique per account, whatever the path). */
export function roleArnParts(roleArn: string): CallerRole | undefined {
    const m = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/.exec(roleArn);
    return m ? { partition: m[1], accountId: m[2], roleName: m[3] } : undefined;
}

/** The one IAM operation the resolver needs (SDK v3 `IAM#listRoleTags` has this shape). */
export interface RoleTagsApi {
    listRoleTags(input: { RoleName: string; Marker?: string }): Promise<{ Tags?: { Key?: string; Value?: string }[]; IsTruncated?: boolean; Marker?: string }>;
}

type TagLookup = { found: true; customer?: string } | { found: false };

/** Decides IAM callers; caches each role's customer tag for `tagCacheMs`. */
export class IamCallerResolver {
    private readonly cache = new Map<string, { until: number; lookup: TagLookup }>();
    private readonly analysts: Set<string>;

    constructor(
        private readonly policy: IamAuthPolicy,
        private readonly iam: RoleTagsApi,
        private readonly now: () => number = Date.now,
    ) {
        this.analysts = new Set(
            policy.analystRoleArns.map((arn) => {
                const role = roleArnParts(arn);
                if (!role) throw new Error(`analyst role ARN: expected arn:<partition>:iam::<account>:role/<name>, got '${arn}'`);
                return `${role.partition}:${role.accountId}:${role.roleName}`;
            }),
        );
    }

    private async customerTag(roleName: string): Promise<TagLookup> {
        const hit = this.cache.get(roleName);
        if (hit && hit.until > this.now()) return hit.lookup;
        const tags: { Key?: string; Value?: string }[] = [];
        let marker: string | undefined;
        let lookup: TagLookup;
        try {
            do {
                const page = await this.iam.listRoleTags({ RoleName: roleName, Marker: marker });
                tags.push(...(page.Tags ?? []));
                marker = page.IsTruncated ? page.Marker : undefined;
            } while (marker);
            // IAM tag keys are unique regardless of case, and aws:PrincipalTag matches keys case-insensitively.
            const tag = tags.find((t) => t.Key?.toLowerCase() === CUSTOMER_TAG);
            lookup = { found: true, customer: tag ? (tag.Value ?? "") : undefined };
        } catch (err) {
            const name = (err as Error).name;
            // A role that does not exist, or one outside what this function may read, is not a tenant (cached too,
            // so a refused caller cannot spend IAM's API rate). Anything else (throttling, network) is not cached.
            if (name !== "NoSuchEntityException" && name !== "NoSuchEntity" && name !== "AccessDenied" && name !== "AccessDeniedException") {
                throw err;
            }
            lookup = { found: false };
        }
        this.cache.set(roleName, { until: this.now() + (this.policy.tagCacheMs ?? 60_000), lookup });
        return lookup;
    }

    async resolve(iam: IamContext | undefined): Promise<Resolution> {
        const userArn = iam?.userArn;
        if (!userArn) {
            return refuse("(none)", "no IAM authoriser context");
        }
        const role = assumedRoleOf(userArn);
        if (!role) {
            return refuse(userArn, "caller is not an assumed-role session (IAM users and the root user are not mapped to tenants)");
        }
        if (role.accountId !== this.policy.accountId) {
            return refuse(userArn, "caller belongs to another account");
        }
        if (this.analysts.has(`${role.partition}:${role.accountId}:${role.roleName}`)) {
            // Trusted as configured, without a tag lookup: config refuses analyst ARNs that name a tenant role.
            return { ok: true, principal: { kind: "analyst", subject: userArn } };
        }
        let lookup: TagLookup;
        try {
            lookup = await this.customerTag(role.roleName);
        } catch (err) {
            return { ok: false, status: 503, subject: userArn, reason: `role tags unreadable (${(err as Error).name})`, message: "the caller's tenant could not be determined; try again later" };
        }
        if (!lookup.found) {
            return refuse(userArn, "role tags not found or not readable by the API");
        }
        if (lookup.customer === undefined) {
            return refuse(userArn, `role has no ${CUSTOMER_TAG} tag and is not an analyst role`);
        }
        if (!CUSTOMER_ID_PATTERN.test(lookup.customer)) {
            return refuse(userArn, `role's ${CUSTOMER_TAG} tag is not one customer id (${shapeOf(lookup.customer)})`);
        }
        return { ok: true, principal: { kind: "tenant", customer: lookup.customer, subject: userArn } };
    }
}
