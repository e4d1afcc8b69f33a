import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig } from "../../lib/config";
import { fix, on, remediateTypes, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { explicitlyFalse, probe, truthy } from "../../lib/values";

export const CLOUDTRAIL_TRAIL = "aws:cloudtrail/trail:Trail";

export interface CloudTrailAuditConfig {
    /** @default true */
    requireMultiRegion: boolean;
    /** @default true */
    requireCloudWatchLogs: boolean;
}
const DEFAULTS: CloudTrailAuditConfig = { requireMultiRegion: true, requireCloudWatchLogs: true };

interface Trail {
    isMultiRegionTrail?: boolean;
    enableLogFileValidation?: boolean;
    enableLogging?: boolean;
    cloudWatchLogsGroupArn?: string;
    cloudWatchLogsRoleArn?: string;
}

export const cloudtrailAuditConfiguration: ResourceValidationPolicy = {
    name: "cloudtrail-audit-configuration",
    description:
        "CloudTrail trails log in every region, validate log file integrity, keep logging on and deliver to CloudWatch Logs " +
        "for alarms (their KMS encryption is judged by cloudtrail-encryption-at-rest).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(b)", "164.308(a)(1)(ii)(D)", "164.312(c)(2)"),
    remediationSteps:
        "On `aws.cloudtrail.Trail` set `isMultiRegionTrail: true`, `enableLogFileValidation: true`, leave `enableLogging` on, and " +
        "set `cloudWatchLogsGroupArn` (`${logGroup.arn}:*`) with a `cloudWatchLogsRoleArn` that may write to it. The `remediate` " +
        "level fixes the first three in place; CloudWatch delivery needs a log group and role you create.",
    configSchema: {
        properties: {
            requireMultiRegion: { type: "boolean", default: DEFAULTS.requireMultiRegion, description: "Require isMultiRegionTrail." },
            requireCloudWatchLogs: { type: "boolean", default: DEFAULTS.requireCloudWatchLogs, description: "Require delivery to a CloudWatch Logs log group." },
        },
    },
    validateResource: validateTypes({
        [CLOUDTRAIL_TRAIL]: on<Trail>((p, args, report) => {
            const cfg = policyConfig(args, DEFAULTS);
            const name = subject(args);
            if (explicitlyFalse(p.enableLogging)) {
                report(`${name} has logging stopped (enableLogging: false): remove it or set it to true.`);
            }
            if (cfg.requireMultiRegion && !truthy(p.isMultiRegionTrail)) {
                report(`${name} records only its own region, so activity in other regions goes unaudited: set isMultiRegionTrail: true.`);
            }
            if (!truthy(p.enableLogFileValidation)) {
                report(`${name} does not validate log files, so tampering with audit logs would go unnoticed: set enableLogFileValidation: true.`);
            }
            if (cfg.requireCloudWatchLogs) {
                // Presence is enough: the log group's ARN is unknown at preview when the group is created alongside.
                const group = probe(p, "cloudWatchLogsGroupArn").state !== "absent";
                const role = probe(p, "cloudWatchLogsRoleArn").state !== "absent";
                if (!group || !role) {
                    report(`${name} does not deliver to CloudWatch Logs (${!group ? "cloudWatchLogsGroupArn" : "cloudWatchLogsRoleArn"} is not set), so no metric filter or alarm can watch it: set cloudWatchLogsGroupArn and cloudWatchLogsRoleArn.`);
                }
            }
        }),
    }),
    // Safe and local: all three are in-place trail settings that only add auditing.
    remediateResource: remediateTypes({
        [CLOUDTRAIL_TRAIL]: fix<Trail>((p, args) => {
            const cfg = policyConfig(args, DEFAULTS);
            let changed = false;
            if (explicitlyFalse(p.enableLogging)) {
                p.enableLogging = true;
                changed = true;
            }
            if (cfg.requireMultiRegion && !truthy(p.isMultiRegionTrail)) {
                p.isMultiRegionTrail = true;
                changed = true;
            }
            if (!truthy(p.enableLogFileValidation)) {
                p.enableLogFileValidation = true;
                changed = true;
            }
            return changed;
        }),
    }),
};
