/**
 * Platform-wide settings: the environment, the account and region the stack is pinned to, names, tags, who is
 * alerted, the tenants, and log retention. Declared here, validated here; every area's validator receives the
 * {@link ValidationContext} derived from them.
 */
import { CUSTOMER_ID_PATTERN } from "./tags";
import { KeyValues, Problem, problem } from "./config-keys";

export type Environment = "dev" | "staging" | "prod";
export const ENVIRONMENTS: readonly Environment[] = ["dev", "staging", "prod"];

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). 2192 days = six years. */
export const CLOUDWATCH_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** HIPAA 164.316(b)(2): documentation, including audit logs, is retained six years. */
export const HIPAA_RETENTION_DAYS = 2192;

const RETENTION_FORM = `one of CloudWatch Logs' retention values (${CLOUDWATCH_RETENTION_DAYS.join(", ")})`;

/** The platform's keys, as Pulumi.yaml declares them (General and Logging). */
export const PLATFORM_KEYS = {
    environment: { type: "string", allowed: ENVIRONMENTS, required: true },
    namePrefix: { type: "string", default: "hdp" },
    owner: { type: "string", default: "platform-team" },
    costCenter: { type: "string", default: "healthcare-data" },
    protectStatefulResources: { type: "boolean", default: true },
    alertEmails: { type: "array", default: [] },
    customers: { type: "array", default: [] },
    logRetentionDays: { type: "integer", default: 30, min: 1, max: 3653, allowed: CLOUDWATCH_RETENTION_DAYS, form: RETENTION_FORM },
    auditLogRetentionDays: { type: "integer", default: HIPAA_RETENTION_DAYS, min: 1, max: 3653, allowed: CLOUDWATCH_RETENTION_DAYS, form: RETENTION_FORM },
} as const;

export type PlatformValues = KeyValues<typeof PLATFORM_KEYS>;

/** Provider keys every stack file sets (raw strings as `pulumi.Config` returns them; lists as JSON). */
export interface ProviderValues {
    region?: string;
    allowedAccountIds?: string;
}

export interface LoggingConfig {
    /** Retention of operational log groups (flow logs, Lambda, Glue, Firehose errors). */
    retentionDays: number;
    /** Retention of audit evidence (CloudTrail log group and audit bucket). */
    auditRetentionDays: number;
}

/** What every area's validator may depend on: the stack's identity and tenants. */
export interface ValidationContext {
    environment: Environment;
    isProd: boolean;
    /** The one account of `aws:allowedAccountIds` ("" when that key is invalid). */
    accountId: string;
    partition: string;
    region: string;
    customers: string[];
}

export interface PlatformSettings {
    environment: Environment;
    prefix: string;
    owner: string;
    costCenter: string;
    /** Stateful resources get the `protect` option and service-side deletion protection. */
    protect: boolean;
    alertEmails: string[];
    /** Tenant ids; each gets a tag-scoped reader role. */
    customers: string[];
    logging: LoggingConfig;
}

const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

function parseAccounts(raw: string | undefined): unknown {
    if (raw === undefined) return undefined;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/** The stack's identity. Never fails: invalid provider keys give "" and are reported by {@link validatePlatformSettings}. */
export function validationContext(values: PlatformValues, provider: ProviderValues): ValidationContext {
    const environment = (ENVIRONMENTS as readonly string[]).includes(values.environment) ? (values.environment as Environment) : "dev";
    const region = provider.region && REGION_PATTERN.test(provider.region) ? provider.region : "";
    const accounts = parseAccounts(provider.allowedAccountIds);
    const accountId = Array.isArray(accounts) && accounts.length === 1 && /^\d{12}$/.test(String(accounts[0])) ? String(accounts[0]) : "";
    const partition = provider.region?.startsWith("us-gov-") ? "aws-us-gov" : provider.region?.startsWith("cn-") ? "aws-cn" : "aws";
    return { environment, isProd: environment === "prod", accountId, partition, region, customers: values.customers };
}

/** Problems of the platform keys and of the provider keys `aws:region` and `aws:allowedAccountIds`. Pure. */
export function validatePlatformSettings(v: PlatformValues, provider: ProviderValues, ctx: ValidationContext): Problem[] {
    const problems: Problem[] = [];
    if (ctx.isProd && !v.protectStatefulResources) {
        problems.push(problem("protectStatefulResources", "true in prod (stateful resources holding PHI are protected from deletion)", false));
    }
    // Account and region pin the stack: names embed them, and the explicit provider refuses other accounts.
    if (!ctx.region) {
        problems.push(problem("aws:region", "an AWS region such as us-east-1", provider.region));
    }
    if (!ctx.accountId) {
        problems.push(problem("aws:allowedAccountIds", "a list with exactly one 12-digit AWS account id", parseAccounts(provider.allowedAccountIds)));
    }
    if (!/^[a-z][a-z0-9]{1,9}$/.test(v.namePrefix)) {
        problems.push(problem("namePrefix", "2-10 lowercase letters and digits starting with a letter (it starts every bucket name)", v.namePrefix));
    }
    for (const key of ["owner", "costCenter"] as const) {
        if (!/^[\p{L}\p{N} +\-=._:/@]{1,256}$/u.test(v[key])) {
            problems.push(problem(key, "a tag value (1-256 letters, digits, spaces and + - = . _ : / @)", v[key]));
        }
    }
    v.alertEmails.forEach((email, i) => {
        if (!EMAIL_PATTERN.test(email)) problems.push(problem(`alertEmails[${i}]`, "an e-mail address such as security@example.org", email));
    });
    const duplicateEmail = v.alertEmails.find((e, i) => v.alertEmails.indexOf(e) !== i);
    // SNS would subscribe the address once; a duplicate is a copy-paste slip that hides a missing recipient.
    if (duplicateEmail) problems.push(problem("alertEmails", "unique e-mail addresses", duplicateEmail));
    if (ctx.isProd && v.alertEmails.length === 0) {
        problems.push(problem("alertEmails", "at least one stakeholder e-mail in prod (HIPAA 164.308(a)(6): incidents must reach someone)", v.alertEmails));
    }
    v.customers.forEach((id, i) => {
        if (!CUSTOMER_ID_PATTERN.test(id)) {
            problems.push(problem(`customers[${i}]`, "a tag-safe customer id: 1-32 lowercase letters, digits and inner hyphens", id));
        }
    });
    const dup = v.customers.find((c, i) => v.customers.indexOf(c) !== i);
    if (dup) problems.push(problem("customers", "unique customer ids", dup));
    // HIPAA 164.316(b)(2) keeps audit evidence six years in production.
    if (ctx.isProd && v.auditLogRetentionDays < HIPAA_RETENTION_DAYS) {
        problems.push(problem("auditLogRetentionDays", `at least ${HIPAA_RETENTION_DAYS} days in prod (HIPAA 164.316(b)(2), six years)`, v.auditLogRetentionDays));
    }
    return problems;
}

/** The platform settings of valid values. Pure. */
export function platformSettings(v: PlatformValues, ctx: ValidationContext): PlatformSettings {
    return {
        environment: ctx.environment,
        prefix: v.namePrefix,
        owner: v.owner,
        costCenter: v.costCenter,
        protect: v.protectStatefulResources,
        alertEmails: v.alertEmails,
        customers: v.customers,
        logging: { retentionDays: v.logRetentionDays, auditRetentionDays: v.auditLogRetentionDays },
    };
}
