/**
 * Security settings: KMS key administration, who may assume the human roles, Macie discovery, GuardDuty, and the
 * detective controls (AWS Config with the HIPAA conformance pack, Security Hub; ComplianceMonitoring).
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
    macieMedicalRecordNumberRegex: { type: "string", default: "\\bMRN[-:#]? ?\\d{6,10}\\b", emptyIsValue: true },
    guardDutyEnabled: { type: "boolean", default: true },
    securityDelegatedAdministrator: { type: "boolean", default: false },
    complianceMonitoringEnabled: { type: "boolean", default: true },
    complianceConfigManagedByDelegatedAdministrator: { type: "boolean", default: false },
    complianceConfigRecordingFrequency: { type: "string", default: "CONTINUOUS", allowed: ["CONTINUOUS", "DAILY"] },
    // Empty: the stack's own region records the global resource types (IAM).
    complianceConfigHomeRegion: { type: "string", default: "" },
    complianceConfigServiceLinkedRoleExists: { type: "boolean", default: false },
    complianceConfigSnapshotFrequency: {
        type: "string",
        default: "TwentyFour_Hours",
        allowed: ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"],
    },
    complianceConformancePackEnabled: { type: "boolean", default: true },
    // IAM's password policy limits: length 6-128, age 1-1095 days, reuse prevention 1-24 passwords.
    compliancePasswordMinimumLength: { type: "integer", default: 14, min: 6, max: 128 },
    compliancePasswordMaxAgeDays: { type: "integer", default: 90, min: 1, max: 1095 },
    compliancePasswordReusePrevention: { type: "integer", default: 24, min: 1, max: 24 },
    complianceAccessKeyMaxAgeDays: { type: "integer", default: 90, min: 1, max: 365 },
    securityHubEnabled: { type: "boolean", default: true },
    securityHubManagedByDelegatedAdministrator: { type: "boolean", default: false },
    securityHubCisVersion: { type: "string", default: "3.0.0", allowed: ["1.2.0", "1.4.0", "3.0.0"] },
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

export type RecordingFrequency = "CONTINUOUS" | "DAILY";
export type CisVersion = "1.2.0" | "1.4.0" | "3.0.0";
export type SnapshotDeliveryFrequency = "One_Hour" | "Three_Hours" | "Six_Hours" | "Twelve_Hours" | "TwentyFour_Hours";

/** What stack config decides about the detective controls (ComplianceMonitoring). */
export interface ComplianceSettings {
    /** Whether the component exists at all (prod requires it). */
    enabled: boolean;
    config: {
        /**
         * The organisation's Config delegated administrator (Control Tower, Landing Zone Accelerator) runs the
         * recorder, delivery channel and conformance packs for this account: none is created here.
         */
        managedByDelegatedAdministrator: boolean;
        /** CONTINUOUS records every change; DAILY at most one configuration item per resource a day (cheaper). */
        recordingFrequency: RecordingFrequency;
        /**
         * Region that records global resource types (IAM); empty means the stack's region. Only one region per
         * account should: every other region would bill the same IAM items again.
         */
        homeRegion: string;
        /** `AWSServiceRoleForConfig` already exists in the account (another region's stack, the console, Control Tower). */
        serviceLinkedRoleExists: boolean;
        /** Deploy the HIPAA Security conformance pack. */
        conformancePackEnabled: boolean;
        /** How often Config writes a full configuration snapshot to the audit bucket. */
        snapshotDeliveryFrequency: SnapshotDeliveryFrequency;
    };
    securityHub: {
        /** Enable Security Hub with the standards (nothing is created when the delegated administrator manages it). */
        enabled: boolean;
        /** The organisation's Security Hub delegated administrator enables the hub and its standards (central configuration). */
        managedByDelegatedAdministrator: boolean;
        cisVersion: CisVersion;
    };
    /** Conformance pack parameters that have no other home in stack config. */
    conformance: {
        passwordMinimumLength: number;
        passwordMaxAgeDays: number;
        passwordReusePrevention: number;
        /** Maximum age of an access key, and the longest a credential may stay unused. */
        accessKeyMaxAgeDays: number;
    };
}

export interface SecurityConfig {
    kmsDeletionWindowDays: number;
    macie: MacieSettings;
    guardDutyEnabled: boolean;
    /**
     * The organisation's delegated administrator enabled GuardDuty and Macie for this account: the stack creates
     * neither the detector nor the Macie account (creating them again fails) and still runs its own Macie job and
     * alert rules. Pair it with the pack's `macieDelegatedAdministrator: true` (macie-phi-discovery).
     */
    delegatedAdministrator: boolean;
    /** IAM roles or users of the stack's account that administer the KMS keys (never use them). */
    keyAdministratorArns: string[];
    /** Who may assume the platform's human roles (data engineer, analyst, customer readers). */
    access: {
        /** IAM principals of the stack's account; empty means the account root (any IAM principal its own policies allow). */
        trustedPrincipalArns: string[];
        /** Require `aws:MultiFactorAuthPresent` to assume the roles (off only for federated, IdP-enforced MFA). */
        requireMfa: boolean;
    };
    compliance: ComplianceSettings;
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
    // Detective controls (164.308(a)(1)(ii)(D), 164.312(b)): prod records every change; dev may record daily.
    if (ctx.isProd && !v.complianceMonitoringEnabled) {
        problems.push(
            problem(
                "complianceMonitoringEnabled",
                "true in prod (AWS Config and Security Hub watch the deployed stack; set complianceConfigManagedByDelegatedAdministrator or securityHubManagedByDelegatedAdministrator when the organisation runs them)",
                false,
            ),
        );
    }
    if (ctx.isProd && v.complianceMonitoringEnabled && !v.complianceConfigManagedByDelegatedAdministrator && v.complianceConfigRecordingFrequency !== "CONTINUOUS") {
        problems.push(problem("complianceConfigRecordingFrequency", "CONTINUOUS in prod (daily recording keeps only the last state of a day, so a change reverted the same day leaves no history)", v.complianceConfigRecordingFrequency));
    }
    const home = v.complianceConfigHomeRegion;
    if (home !== "" && !/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(home)) {
        problems.push(problem("complianceConfigHomeRegion", "an AWS region such as us-east-1 (the one region that records IAM and other global types), or empty for the stack's region", home));
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
        delegatedAdministrator: v.securityDelegatedAdministrator,
        keyAdministratorArns: v.kmsKeyAdministratorArns,
        access: { trustedPrincipalArns: v.accessTrustedPrincipalArns, requireMfa: v.accessRequireMfa },
        compliance: {
            enabled: v.complianceMonitoringEnabled,
            config: {
                managedByDelegatedAdministrator: v.complianceConfigManagedByDelegatedAdministrator,
                recordingFrequency: v.complianceConfigRecordingFrequency as RecordingFrequency,
                homeRegion: v.complianceConfigHomeRegion,
                serviceLinkedRoleExists: v.complianceConfigServiceLinkedRoleExists,
                conformancePackEnabled: v.complianceConformancePackEnabled,
                snapshotDeliveryFrequency: v.complianceConfigSnapshotFrequency as SnapshotDeliveryFrequency,
            },
            securityHub: {
                enabled: v.securityHubEnabled,
                managedByDelegatedAdministrator: v.securityHubManagedByDelegatedAdministrator,
                cisVersion: v.securityHubCisVersion as CisVersion,
            },
            conformance: {
                passwordMinimumLength: v.compliancePasswordMinimumLength,
                passwordMaxAgeDays: v.compliancePasswordMaxAgeDays,
                passwordReusePrevention: v.compliancePasswordReusePrevention,
                accessKeyMaxAgeDays: v.complianceAccessKeyMaxAgeDays,
            },
        },
    };
}
