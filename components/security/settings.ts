/**
 * Security settings: KMS key administration, who may assume the human roles, Macie discovery and GuardDuty.
 */
import { KeyValues, Problem, problem } from "../shared/config-keys";
import { ValidationContext } from "../shared/settings";

/** The security keys, as Pulumi.yaml declares them. */
export const SECURITY_KEYS = {
    kmsDeletionWindowDays: { type: "integer", default: 30, min: 7, max: 30 },
    kmsKeyAdministratorArns: { type: "array", default: [] },
    accessTrustedPrincipalArns: { type: "array", default: [] },
    accessRequireMfa: { type: "boolean", default: true },
    macieFindingFrequency: { type: "string", default: "ONE_HOUR", allowed: ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"] },
    macieAlertMinimumSeverity: { type: "string", default: "Medium", allowed: ["Low", "Medium", "High"] },
    macieJobFrequency: { type: "string", default: "DAILY", allowed: ["DAILY", "WEEKLY", "MONTHLY"] },
    // An explicit empty string disables the identifier; only an absent key takes the default.
    macieMedicalRecordNumberRegex: { type: "string", default: "\\bMRN[-:#]? ?\\d{6,10}\\b" },
    guardDutyEnabled: { type: "boolean", default: true },
} as const;

export type SecurityValues = KeyValues<typeof SECURITY_KEYS>;

/** Macie's limit on the regex of a custom data identifier. */
export const MACIE_REGEX_MAX_LENGTH = 512;

export interface MacieSettings {
    findingPublishingFrequency: "FIFTEEN_MINUTES" | "ONE_HOUR" | "SIX_HOURS";
    /** Findings at or above this severity are sent to the alert topic. */
    alertMinimumSeverity: "Low" | "Medium" | "High";
    jobFrequency: "DAILY" | "WEEKLY" | "MONTHLY";
    /** Regex of a medical record number custom data identifier; empty disables it. */
    medicalRecordNumberRegex: string;
}

export interface SecurityConfig {
    kmsDeletionWindowDays: number;
    macie: MacieSettings;
    guardDutyEnabled: boolean;
    /** IAM roles or users of the stack's account that administer the KMS keys (never use them). */
    keyAdministratorArns: string[];
    /** Who may assume the platform's human roles (data engineer, analyst, customer readers). */
    access: {
        /** IAM principals of the stack's account; empty means the account root (any IAM principal its own policies allow). */
        trustedPrincipalArns: string[];
        /** Require `aws:MultiFactorAuthPresent` to assume the roles (off only for federated, IdP-enforced MFA). */
        requireMfa: boolean;
    };
}

/** Problems of the security keys. Pure. */
export function validateSecuritySettings(v: SecurityValues, ctx: ValidationContext): Problem[] {
    const problems: Problem[] = [];
    const { accountId, partition } = ctx;
    // Key policies and trust policies name only principals of the stack's own account.
    const iamPrincipal = new RegExp(`^arn:${partition}:iam::${accountId}:(role|user)/[\\w+=,.@/-]+$`);
    const form = `an IAM role or user ARN of account ${accountId} (arn:${partition}:iam::${accountId}:role/<name>)`;
    v.kmsKeyAdministratorArns.forEach((arn, i) => {
        if (!iamPrincipal.test(arn)) problems.push(problem(`kmsKeyAdministratorArns[${i}]`, form, arn));
    });
    v.accessTrustedPrincipalArns.forEach((arn, i) => {
        if (!iamPrincipal.test(arn)) problems.push(problem(`accessTrustedPrincipalArns[${i}]`, form, arn));
    });
    if (ctx.isProd && v.kmsDeletionWindowDays < 30) {
        problems.push(problem("kmsDeletionWindowDays", "30 in prod (the longest window, to recover a key scheduled for deletion by mistake)", v.kmsDeletionWindowDays));
    }
    const regex = v.macieMedicalRecordNumberRegex;
    if (regex) {
        try {
            new RegExp(regex);
        } catch {
            problems.push(problem("macieMedicalRecordNumberRegex", "a valid regular expression", regex));
        }
        if (regex.length > MACIE_REGEX_MAX_LENGTH) {
            problems.push(problem("macieMedicalRecordNumberRegex", `a regular expression of at most ${MACIE_REGEX_MAX_LENGTH} characters (Macie's limit)`, regex));
        }
    }
    return problems;
}

/** The security settings of valid values. Pure. */
export function securitySettings(v: SecurityValues): SecurityConfig {
    return {
        kmsDeletionWindowDays: v.kmsDeletionWindowDays,
        macie: {
            findingPublishingFrequency: v.macieFindingFrequency as MacieSettings["findingPublishingFrequency"],
            alertMinimumSeverity: v.macieAlertMinimumSeverity as MacieSettings["alertMinimumSeverity"],
            jobFrequency: v.macieJobFrequency as MacieSettings["jobFrequency"],
            medicalRecordNumberRegex: v.macieMedicalRecordNumberRegex,
        },
        guardDutyEnabled: v.guardDutyEnabled,
        keyAdministratorArns: v.kmsKeyAdministratorArns,
        access: { trustedPrincipalArns: v.accessTrustedPrincipalArns, requireMfa: v.accessRequireMfa },
    };
}
