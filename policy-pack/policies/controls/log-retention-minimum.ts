import { ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, PolicyConfigError } from "../../lib/config";
import { fix, on, remediateTypes, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";

export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** The only retention values CloudWatch Logs accepts (days). 2192 days is HIPAA's six-year documentation period. */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const NAME = "log-retention-minimum";

export interface LogRetentionConfig {
    /**
     * Shortest accepted retention, one of CloudWatch Logs' values. Use 2192 (six years) for audit logs under 164.316(b)(2).
     * @default 365
     */
    minimumRetentionDays: number;
}
const DEFAULTS: LogRetentionConfig = { minimumRetentionDays: 365 };

function config(args: Parameters<typeof policyConfig>[0]): LogRetentionConfig {
    const cfg = policyConfig(args, DEFAULTS);
    if (!CLOUDWATCH_RETENTION_DAYS.includes(cfg.minimumRetentionDays)) {
        throw new PolicyConfigError(NAME, "minimumRetentionDays", `one of CloudWatch Logs' retention values (${CLOUDWATCH_RETENTION_DAYS.join(", ")})`, cfg.minimumRetentionDays);
    }
    return cfg;
}

/** Retention in days, `Infinity` for "never expire" (absent or 0). */
function retention(value: unknown): number {
    return typeof value === "number" && value > 0 ? value : Infinity;
}

export const logRetentionMinimum: ResourceValidationPolicy = {
    name: NAME,
    description: "CloudWatch Logs log groups keep events at least the configured number of days (never-expire counts as long enough).",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: hipaa("164.316(b)(2)", "164.312(b)"),
    remediationSteps:
        "Set `retentionInDays` on `aws.cloudwatch.LogGroup` to at least the configured minimum (one of CloudWatch's values, e.g. " +
        "365, or 2192 for six-year audit retention). The `remediate` level raises it to the minimum in place; it never shortens it.",
    configSchema: {
        properties: {
            minimumRetentionDays: {
                type: "integer",
                enum: [...CLOUDWATCH_RETENTION_DAYS],
                default: DEFAULTS.minimumRetentionDays,
                description: "Shortest accepted retentionInDays; one of the values CloudWatch Logs accepts.",
            },
        },
    },
    validateResource: validateTypes({
        [LOG_GROUP]: on<{ retentionInDays?: number }>((p, args, report) => {
            const min = config(args).minimumRetentionDays;
            const days = retention(p.retentionInDays);
            if (days < min) {
                report(`${subject(args)} keeps logs for ${days} days, less than the required ${min}: set retentionInDays to ${min} or more (CloudWatch accepts ${CLOUDWATCH_RETENTION_DAYS.filter((d) => d >= min).slice(0, 3).join(", ")}...).`);
            }
        }),
    }),
    // Safe and local: raising retention keeps more data (more storage cost) and never deletes anything.
    remediateResource: remediateTypes({
        [LOG_GROUP]: fix<{ retentionInDays?: number }>((p, args) => {
            const min = config(args).minimumRetentionDays;
            if (retention(p.retentionInDays) >= min) {
                return false;
            }
            p.retentionInDays = min;
            return true;
        }),
    }),
};
