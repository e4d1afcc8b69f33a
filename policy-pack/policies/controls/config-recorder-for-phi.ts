/**
 * AWS Config records stacks that hold PHI (HIPAA 164.308(a)(1)(ii)(D) information system activity review,
 * 164.312(b) audit controls). The pack judges a deployment before it happens; what changes afterwards (a console
 * edit, a script, a resource created outside Pulumi) is only visible to a configuration recorder that keeps the
 * history and evaluates rules continuously.
 *
 * A stack holding a bucket or data store tagged as PHI (`phiTagKey`/`phiTagValues`, provider `defaultTags`
 * included) must declare, in each region that holds one, an `aws.cfg.Recorder` and an `aws.cfg.RecorderStatus`
 * that starts it (a recorder that was never started records nothing), unless the pack config says that the
 * organisation's Config delegated administrator (Control Tower, Landing Zone Accelerator) records the account:
 * `configRecorderManagedElsewhere: true`, the same pattern as the Macie policy's `macieDelegatedAdministrator`.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { policyConfig, PolicyConfigError, stringList } from "../../lib/config";
import { hipaa } from "../../lib/hipaa";
import { regionOf, sameRegion } from "../../lib/resources";
import { BUCKET_TYPES, buildS3Index } from "../../lib/s3/buckets";
import { get, isUnknown, raw, str, UNKNOWN, Unknown, unknownPreviewError } from "../../lib/values";

const NAME = "config-recorder-for-phi";

export const CONFIG_RECORDER = "aws:cfg/recorder:Recorder";
export const CONFIG_RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus";

/** Data stores that hold PHI on this platform's kind of stack (buckets are found through the S3 index). */
export const PHI_DATA_STORE_TYPES: readonly string[] = [
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:dynamodb/table:Table",
    "aws:redshift/cluster:Cluster",
    "aws:redshiftserverless/namespace:Namespace",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:efs/fileSystem:FileSystem",
    "aws:ebs/volume:Volume",
    "aws:opensearch/domain:Domain",
    "aws:kinesis/stream:Stream",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "aws:backup/vault:Vault",
    "aws:docdb/cluster:Cluster",
    "aws:neptune/cluster:Cluster",
];

export interface ConfigRecorderConfig {
    /** The organisation's AWS Config delegated administrator records this account. @default false */
    configRecorderManagedElsewhere: boolean;
    /** @default "data-classification" */
    phiTagKey: string;
    /** Compared case-insensitively. @default ["phi"] */
    phiTagValues: string[];
}
const DEFAULTS: ConfigRecorderConfig = { configRecorderManagedElsewhere: false, phiTagKey: "data-classification", phiTagValues: ["phi"] };

function readConfig(args: Parameters<typeof policyConfig>[0]): ConfigRecorderConfig {
    const cfg = policyConfig(args, DEFAULTS);
    if (typeof cfg.configRecorderManagedElsewhere !== "boolean") {
        throw new PolicyConfigError(NAME, "configRecorderManagedElsewhere", "a boolean", cfg.configRecorderManagedElsewhere);
    }
    if (typeof cfg.phiTagKey !== "string" || cfg.phiTagKey === "") {
        throw new PolicyConfigError(NAME, "phiTagKey", "a non-empty tag key", cfg.phiTagKey);
    }
    return { ...cfg, phiTagValues: stringList(NAME, "phiTagValues", cfg.phiTagValues) };
}

/**
 * The resource's value of tag `key` as AWS applies tags: its own `tags` win over `tagsAll` (an output that already
 * merges the provider defaults, often unknown at preview) and over the provider's `defaultTags`.
 */
function tagValue(r: PolicyResource, key: string): string | Unknown | undefined {
    const props = raw(r.props);
    const own = get(props, "tags");
    if (isUnknown(own)) {
        return UNKNOWN;
    }
    const ownValue = str(get(own, key));
    if (ownValue !== undefined) {
        return ownValue;
    }
    const allValue = str(get(props, "tagsAll", key));
    if (allValue !== undefined && !isUnknown(allValue)) {
        return allValue;
    }
    let defaults = r.provider ? get(r.provider.props, "defaultTags") : undefined;
    if (typeof defaults === "string") {
        // The aws provider passes defaultTags as JSON text.
        try {
            defaults = JSON.parse(defaults);
        } catch {
            return undefined;
        }
    }
    return str(get(defaults, "tags", key));
}

interface PhiHolder {
    label: string;
    region: string | Unknown | undefined;
}

function describe(r: PolicyResource): string {
    const [, mod = "", res = ""] = r.type.split(":");
    return `${mod.split("/")[0]}.${res} "${r.name}"`;
}

function isPhiValue(v: string | Unknown | undefined, cfg: ConfigRecorderConfig): boolean | Unknown {
    if (isUnknown(v)) {
        return v;
    }
    return v !== undefined && cfg.phiTagValues.some((p) => p.toLowerCase() === v.toLowerCase());
}

/** Whether a started recorder covers `region`: true, false with the reason, or unknown at preview. */
function recording(region: string | Unknown | undefined, recorders: PolicyResource[], statuses: PolicyResource[]): true | string | Unknown {
    const here = recorders.filter((r) => sameRegion(regionOf(r), region));
    if (here.length === 0) {
        return "no aws.cfg.Recorder is declared";
    }
    const started = statuses.filter((s) => sameRegion(regionOf(s), region));
    let unknown = false;
    for (const s of started) {
        const enabled = get(raw(s.props), "isEnabled");
        if (isUnknown(enabled)) {
            unknown = true;
        } else if (enabled === true) {
            return true;
        }
    }
    if (unknown) {
        return UNKNOWN;
    }
    return started.length === 0
        ? `aws.cfg.Recorder ${here.map((r) => `"${r.name}"`).join(", ")} is declared but never started (no aws.cfg.RecorderStatus with isEnabled: true)`
        : `aws.cfg.RecorderStatus ${started.map((s) => `"${s.name}"`).join(", ")} has isEnabled: false, so the recorder is stopped`;
}

export const configRecorderForPhi: StackValidationPolicy = {
    name: NAME,
    description:
        "Stacks that hold PHI-tagged buckets or data stores declare a started AWS Config configuration recorder in each of their regions, " +
        "unless the organisation's Config delegated administrator records the account.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: hipaa("164.308(a)(1)(ii)(D)", "164.312(b)"),
    remediationSteps:
        "Add an aws.cfg.Recorder (recordingGroup allSupported: true; includeGlobalResourceTypes in one home region), an aws.cfg.DeliveryChannel " +
        "to an encrypted audit bucket and an aws.cfg.RecorderStatus with isEnabled: true in every region that holds PHI (the platform's " +
        "ComplianceMonitoring component does all three), or set this policy's configRecorderManagedElsewhere: true when the organisation's " +
        "AWS Config delegated administrator (Control Tower, Landing Zone Accelerator) records the account.",
    configSchema: {
        properties: {
            configRecorderManagedElsewhere: {
                type: "boolean",
                default: DEFAULTS.configRecorderManagedElsewhere,
                description: "The organisation's AWS Config delegated administrator runs the configuration recorder for this account.",
            },
            phiTagKey: { type: "string", default: DEFAULTS.phiTagKey, description: "Tag key that marks a resource's data classification." },
            phiTagValues: {
                type: "array",
                items: { type: "string" },
                default: DEFAULTS.phiTagValues,
                description: "Tag values (case-insensitive) that mark a bucket or data store as holding PHI.",
            },
        },
    },
    validateStack: (args, report) => {
        const cfg = readConfig(args);
        if (cfg.configRecorderManagedElsewhere) {
            args.notApplicable("Pack config configRecorderManagedElsewhere: true: the organisation's AWS Config delegated administrator records this account.");
        }
        const holders: PhiHolder[] = [];
        const undecided: string[] = [];
        const consider = (r: PolicyResource, label: string) => {
            const phi = isPhiValue(tagValue(r, cfg.phiTagKey), cfg);
            if (isUnknown(phi)) {
                undecided.push(label);
            } else if (phi) {
                holders.push({ label, region: regionOf(r) });
            }
        };
        for (const e of buildS3Index(args.resources).buckets) {
            consider(e.resource, describe(e.resource));
        }
        const stores = new Set(PHI_DATA_STORE_TYPES);
        const recorders: PolicyResource[] = [];
        const statuses: PolicyResource[] = [];
        for (const r of args.resources) {
            if (stores.has(r.type) && !(r.type in BUCKET_TYPES)) {
                consider(r, describe(r));
            } else if (r.type === CONFIG_RECORDER) {
                recorders.push(r);
            } else if (r.type === CONFIG_RECORDER_STATUS) {
                statuses.push(r);
            }
        }
        if (holders.length === 0 && undecided.length === 0) {
            args.notApplicable(`The stack holds no bucket or data store tagged ${cfg.phiTagKey}=${cfg.phiTagValues.join("|")}.`);
        }
        // One verdict per region holding PHI (Config records per account and region).
        const byRegion = new Map<string, PhiHolder[]>();
        for (const h of holders) {
            const key = typeof h.region === "string" ? h.region : "(provider region)";
            byRegion.set(key, [...(byRegion.get(key) ?? []), h]);
        }
        const unknownRegions: string[] = [];
        for (const [region, list] of byRegion) {
            const verdict = recording(list[0].region, recorders, statuses);
            if (verdict === true) {
                continue;
            }
            if (typeof verdict !== "string") {
                unknownRegions.push(region);
                continue;
            }
            const shown = list.slice(0, 5).map((h) => h.label);
            const more = list.length > shown.length ? ` and ${list.length - shown.length} more` : "";
            report(
                `The stack holds ${list.length} PHI-tagged resource(s) in ${region} (${shown.join(", ")}${more}) but ${verdict}, so changes made ` +
                    "after the deploy (console, scripts, resources created outside Pulumi) are neither recorded nor evaluated. Fix: add the " +
                    "ComplianceMonitoring component (aws.cfg.Recorder, DeliveryChannel and RecorderStatus with isEnabled: true), or set this " +
                    "policy's configRecorderManagedElsewhere: true if the organisation's AWS Config delegated administrator records this account.",
            );
        }
        if (unknownRegions.length > 0 || (holders.length === 0 && undecided.length > 0)) {
            const what = [
                ...unknownRegions.map((r) => `whether the recorder in ${r} is started (RecorderStatus.isEnabled)`),
                ...(holders.length === 0 ? [`the ${cfg.phiTagKey} tag of ${undecided.slice(0, 5).join(", ")}`] : []),
            ];
            throw unknownPreviewError(`'${NAME}' depends on values not known until apply: ${what.join("; ")}.`, ["isEnabled", "tags"]);
        }
    },
};
