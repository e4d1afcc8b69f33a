/**
 * Lifecycle rules on every bucket (HIPAA 164.310(d)(2)(i) disposal, 164.310(d)(2)(ii) media re-use): data
 * moves to cheaper tiers and then to archive on a schedule, old object versions are eventually removed, and
 * abandoned multipart uploads (invisible, billed, and holding PHI fragments) are cleaned up.
 *
 * Only rules that apply to the whole bucket count: no filter, an empty filter or an empty prefix. A rule
 * filtered to a prefix, a tag or an object size leaves the other objects uncovered. Several enabled
 * whole-bucket rules count together (S3 applies all of them). Transitions must be day-based: a date-based
 * transition is a one-off, not a schedule.
 *
 * Limits (configurable): current objects reach STANDARD_IA or INTELLIGENT_TIERING within
 * `maxDaysToInfrequentAccess` (90) days and GLACIER, GLACIER_IR or DEEP_ARCHIVE within `maxDaysToArchive`
 * (365) days. AWS requires at least 30 days before STANDARD_IA; GLACIER_IR/GLACIER/DEEP_ARCHIVE bill minimum
 * storage of 90/90/180 days, which is why the archive limit is a maximum and not a fixed value.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { hipaa } from "../../lib/hipaa";
import { configSchema, ConfigOf, option, readConfig } from "../../lib/config";
import { s3Options } from "../../lib/s3/config";
import { BucketEntry, bucketLabel, buildS3Index } from "../../lib/s3/buckets";
import { sdkName } from "../../lib/resources";
import { judgeEachBucket, S3Findings } from "../../lib/s3/report";
import { anyTri, bool, get, getAny, isRecord, isUnknown, list, num, str, Tri, UNKNOWN, Unknown } from "../../lib/values";

const NAME = "s3-bucket-lifecycle-rules";

const INFREQUENT_ACCESS = new Set(["STANDARD_IA", "INTELLIGENT_TIERING"]);
const ARCHIVE = new Set(["GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"]);

const OPTIONS = s3Options({
    maxDaysToInfrequentAccess: option.integer(90, 0, 3650, "Latest day on which current objects must transition to STANDARD_IA or INTELLIGENT_TIERING."),
    maxDaysToArchive: option.integer(365, 0, 36500, "Latest day on which current objects must transition to GLACIER, GLACIER_IR or DEEP_ARCHIVE."),
});

export type S3LifecycleConfig = ConfigOf<typeof OPTIONS>;

interface Transition {
    readonly storageClass: string | Unknown | undefined;
    readonly days: number | Unknown | undefined;
}

/** A lifecycle rule in one shape, whatever SDK generation declared it. */
interface Rule {
    readonly id: string;
    readonly enabled: boolean | Unknown;
    /** `true` for whole-bucket, a reason string when filtered, `UNKNOWN` when the filter is unknown. */
    readonly scope: true | string | Unknown;
    readonly transitions: readonly Transition[] | Unknown;
    readonly noncurrentDays: number | Unknown | undefined;
    readonly abortDays: number | Unknown | undefined;
}

function isEmpty(v: unknown): boolean {
    return v === undefined || v === null || v === "" || v === 0 || v === "0" || (isRecord(v) && Object.values(v).every(isEmpty));
}

/** Whole-bucket unless a prefix, tag or size filter narrows it (v7 `filter`, deprecated rule `prefix`). */
function scopeOf(prefix: unknown, filter: unknown, tags: unknown, sizeGreater: unknown, sizeLess: unknown): true | string | Unknown {
    const parts: [string, unknown][] = [
        ["prefix", prefix],
        ["filter.prefix", get(filter, "prefix")],
        ["filter.tag", get(filter, "tag")],
        ["filter.objectSizeGreaterThan", get(filter, "objectSizeGreaterThan")],
        ["filter.objectSizeLessThan", get(filter, "objectSizeLessThan")],
        ["filter.and", get(filter, "and")],
        ["tags", tags],
        ["objectSizeGreaterThan", sizeGreater],
        ["objectSizeLessThan", sizeLess],
    ];
    if (isUnknown(filter)) {
        return UNKNOWN;
    }
    for (const [what, v] of parts) {
        if (isUnknown(v)) {
            return UNKNOWN;
        }
        if (!isEmpty(v) && !(Array.isArray(v) && v.length === 0)) {
            return `it is filtered by ${what} ${JSON.stringify(v)}`;
        }
    }
    return true;
}

function transitionsOf(v: unknown, dayKey: string): Transition[] | Unknown {
    const items = list(v);
    if (isUnknown(items)) {
        return items;
    }
    return items.map((t) => ({ storageClass: str(get(t, "storageClass")), days: num(get(t, dayKey)) }));
}

function ruleId(r: unknown, i: number): string {
    const id = get(r, "id");
    return typeof id === "string" && id !== "" ? `'${id}'` : `#${i + 1}`;
}

function rulesOf(e: BucketEntry): { rules: Rule[] | Unknown; source: string; urn: string } | { conflict: string } | undefined {
    const sides = e.sides.lifecycle;
    if (sides.length > 1) {
        return { conflict: sides.map((s) => `'${s.resource.name}'`).join(", ") };
    }
    if (sides.length === 1) {
        const s = sides[0];
        const raw = list(s.props.rules);
        const rules = isUnknown(raw)
            ? raw
            : raw.map(
                  (r, i): Rule => ({
                      id: ruleId(r, i),
                      enabled: isUnknown(get(r, "status")) ? UNKNOWN : get(r, "status") === "Enabled",
                      scope: isUnknown(r) ? UNKNOWN : scopeOf(get(r, "prefix"), get(r, "filter"), undefined, undefined, undefined),
                      transitions: transitionsOf(get(r, "transitions"), "days"),
                      noncurrentDays: num(get(r, "noncurrentVersionExpiration", "noncurrentDays")),
                      abortDays: num(get(r, "abortIncompleteMultipartUpload", "daysAfterInitiation")),
                  }),
              );
        return { rules, source: `${sdkName(s.resource.type)} '${s.resource.name}'`, urn: s.resource.urn };
    }
    const p = e.props;
    if (e.shape === "native") {
        const cfg = p.lifecycleConfiguration;
        if (cfg === undefined || cfg === null) {
            return undefined;
        }
        const raw = list(get(cfg, "rules"));
        const rules = isUnknown(raw)
            ? raw
            : raw.map((r, i): Rule => {
                  const many = transitionsOf(get(r, "transitions"), "transitionInDays");
                  const single = get(r, "transition");
                  const one = single === undefined ? [] : transitionsOf(single, "transitionInDays");
                  const transitions = isUnknown(many) || isUnknown(one) ? UNKNOWN : [...many, ...one];
                  return {
                      id: ruleId(r, i),
                      enabled: isUnknown(get(r, "status")) ? UNKNOWN : get(r, "status") === "Enabled",
                      scope: scopeOf(get(r, "prefix"), undefined, get(r, "tagFilters"), get(r, "objectSizeGreaterThan"), get(r, "objectSizeLessThan")),
                      transitions,
                      noncurrentDays: num(get(r, "noncurrentVersionExpiration", "noncurrentDays") ?? get(r, "noncurrentVersionExpirationInDays")),
                      abortDays: num(get(r, "abortIncompleteMultipartUpload", "daysAfterInitiation")),
                  };
              });
        return { rules, source: `the lifecycleConfiguration of '${e.logicalName}'`, urn: e.resource.urn };
    }
    // Deprecated inline rules: v7 Bucket (singular expiration blocks) and v6 BucketV2 (lists).
    const raw = list(p.lifecycleRules);
    if (!isUnknown(raw) && raw.length === 0) {
        return undefined;
    }
    const rules = isUnknown(raw)
        ? raw
        : raw.map((r, i): Rule => {
              const enabled = bool(get(r, "enabled"));
              const nce = list(getAny(r, "noncurrentVersionExpiration", "noncurrentVersionExpirations"));
              const firstNce = isUnknown(nce) ? UNKNOWN : nce[0];
              return {
                  id: ruleId(r, i),
                  enabled: enabled === undefined ? false : enabled,
                  scope: scopeOf(get(r, "prefix"), undefined, get(r, "tags"), undefined, undefined),
                  transitions: transitionsOf(get(r, "transitions"), "days"),
                  noncurrentDays: num(isUnknown(firstNce) ? UNKNOWN : get(firstNce, "days")),
                  abortDays: num(get(r, "abortIncompleteMultipartUploadDays")),
              };
          });
    return { rules, source: `the inline lifecycleRules of '${e.logicalName}'`, urn: e.resource.urn };
}

function withinDays(t: Transition, classes: ReadonlySet<string>, max: number): Tri {
    if (isUnknown(t.storageClass) || isUnknown(t.days)) {
        return UNKNOWN;
    }
    return t.storageClass !== undefined && classes.has(t.storageClass) && t.days !== undefined && t.days >= 0 && t.days <= max;
}

function positive(v: number | Unknown | undefined): Tri {
    return isUnknown(v) ? UNKNOWN : v !== undefined && v > 0;
}

function judge(e: BucketEntry, f: S3Findings, cfg: S3LifecycleConfig, unresolved: number): void {
    const label = bucketLabel(e);
    const fix =
        `Fix: give the bucket one aws.s3.BucketLifecycleConfiguration with an enabled rule that has no filter (or filter: {}) and: transitions ` +
        `[{ days: <= ${cfg.maxDaysToInfrequentAccess}, storageClass: "STANDARD_IA" or "INTELLIGENT_TIERING" }, { days: <= ${cfg.maxDaysToArchive}, ` +
        `storageClass: "GLACIER", "GLACIER_IR" or "DEEP_ARCHIVE" }], noncurrentVersionExpiration { noncurrentDays }, abortIncompleteMultipartUpload ` +
        `{ daysAfterInitiation }. To exempt a bucket, add { bucketPattern, reason } to this policy's exemptions config.`;
    const found = rulesOf(e);
    if (found && "conflict" in found) {
        f.fail(
            `${label} is managed by several lifecycle configurations (${found.conflict}); S3 keeps only the last one applied. Fix: keep exactly one aws.s3.BucketLifecycleConfiguration per bucket.`,
            e.resource.urn,
        );
        return;
    }
    if (!found) {
        if (unresolved > 0) {
            f.unknown(label, `${unresolved} lifecycle configuration(s) name a bucket not known until apply and may belong to it`, `${e.logicalName}.lifecycle`);
            return;
        }
        f.fail(`${label} has no lifecycle configuration, so PHI is kept in S3 Standard indefinitely and incomplete uploads are never cleaned up. ${fix}`, e.resource.urn);
        return;
    }
    if (isUnknown(found.rules)) {
        f.unknown(label, `the rules of ${found.source} are not known until apply`, `${e.logicalName}.lifecycle`);
        return;
    }
    const notCounted: string[] = [];
    const counted: Rule[] = [];
    let unknownRules = false;
    for (const r of found.rules) {
        if (r.enabled === false) {
            notCounted.push(`rule ${r.id} is disabled`);
        } else if (typeof r.scope === "string") {
            notCounted.push(`rule ${r.id} does not cover the whole bucket: ${r.scope}`);
        } else if (isUnknown(r.enabled) || isUnknown(r.scope)) {
            unknownRules = true;
        } else {
            counted.push(r);
        }
    }
    const transitions = (r: Rule): readonly Transition[] => (isUnknown(r.transitions) ? [{ storageClass: UNKNOWN, days: UNKNOWN }] : r.transitions);
    const checks: [string, Tri][] = [
        [
            `move current objects to STANDARD_IA or INTELLIGENT_TIERING within ${cfg.maxDaysToInfrequentAccess} days`,
            anyTri(counted.flatMap((r) => transitions(r).map((t) => withinDays(t, INFREQUENT_ACCESS, cfg.maxDaysToInfrequentAccess)))),
        ],
        [
            `move current objects to GLACIER, GLACIER_IR or DEEP_ARCHIVE within ${cfg.maxDaysToArchive} days`,
            anyTri(counted.flatMap((r) => transitions(r).map((t) => withinDays(t, ARCHIVE, cfg.maxDaysToArchive)))),
        ],
        ["expire noncurrent object versions", anyTri(counted.map((r) => positive(r.noncurrentDays)))],
        ["abort incomplete multipart uploads", anyTri(counted.map((r) => positive(r.abortDays)))],
    ];
    const missing = checks.filter(([, ok]) => ok === false).map(([what]) => what);
    const undecided = checks.some(([, ok]) => isUnknown(ok));
    if (missing.length > 0 && !(unknownRules || undecided)) {
        const why = notCounted.length > 0 ? ` (${notCounted.join("; ")})` : "";
        f.fail(`${label}: ${found.source} has no enabled whole-bucket rule that does: ${missing.join("; ")}${why}. ${fix}`, found.urn);
    } else if (missing.length > 0 || undecided) {
        f.unknown(label, `rules of ${found.source} hold values not known until apply`, `${e.logicalName}.lifecycle`);
    } else {
        f.pass();
    }
}

export const s3BucketLifecycleRules: StackValidationPolicy = {
    name: NAME,
    description:
        "Every S3 bucket has an enabled whole-bucket lifecycle rule that tiers current objects to infrequent access and then to archive within the configured days, expires noncurrent versions and aborts incomplete multipart uploads.",
    enforcementLevel: "mandatory",
    severity: "medium",
    framework: hipaa("164.310(d)(2)(i)", "164.310(d)(2)(ii)"),
    remediationSteps:
        "Add one aws.s3.BucketLifecycleConfiguration per bucket (aws-native: lifecycleConfiguration) with an enabled rule without filter (or filter {}) " +
        "that transitions to STANDARD_IA or INTELLIGENT_TIERING and then to GLACIER, GLACIER_IR or DEEP_ARCHIVE within maxDaysToInfrequentAccess " +
        "and maxDaysToArchive days, sets noncurrentVersionExpiration.noncurrentDays and abortIncompleteMultipartUpload.daysAfterInitiation. " +
        "Prefix-, tag- or size-filtered rules may be added but do not count. Buckets that must not be tiered need an exemption with a reason in this " +
        "policy's config.",
    configSchema: configSchema(OPTIONS),
    validateStack: (args, report) => {
        const cfg = readConfig(NAME, args, OPTIONS);
        const index = buildS3Index(args.resources);
        const unresolved = index.unresolved.lifecycle.length;
        judgeEachBucket(NAME, args, report, index, cfg.exemptions, (e, f) => judge(e, f, cfg, unresolved));
    },
};
