/**
 * A record of who read or changed PHI (HIPAA 164.312(b) audit controls, 164.308(a)(1)(ii)(D) activity review):
 * S3 server access logging on the bucket, or CloudTrail data events for its objects.
 *
 * Server access logging counts only if it can work: when the target bucket is in the stack it must not use
 * SSE-KMS default encryption (S3 does not deliver access logs to such buckets) and must not have an Object
 * Lock default retention ("must not have a default retention period configuration", S3 User Guide).
 *
 * CloudTrail counts when an enabled trail (or CloudTrail Lake event data store) in the bucket's region, or a
 * multi-region one, selects data events for all of the bucket's objects: a basic `eventSelectors` data
 * resource `AWS::S3::Object` whose value is a prefix of `arn:aws:s3:::<bucket>/`, or an advanced selector with
 * eventCategory Data, resources.type AWS::S3::Object and an ARN condition that does not narrow below the bucket.
 * By default both read and write events are required (reads are the PHI disclosures an audit looks for).
 *
 * Buckets that are themselves server access log targets are not applicable by default: logging a log bucket
 * into itself loops, and AWS recommends against logging the target bucket.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { hipaa } from "../../lib/hipaa";
import { configSchema, ConfigOf, option, readConfig } from "../../lib/config";
import { s3Options } from "../../lib/s3/config";
import { defaultEncryptionRules } from "../../lib/s3/encryption";
import { BucketEntry, bucketLabel, buildS3Index, S3Index } from "../../lib/s3/buckets";
import { partitionOf, propsOf, regionOf, sameRegion } from "../../lib/resources";
import { judgeEachBucket, S3Findings } from "../../lib/s3/report";
import { bool, get, getAny, isUnknown, list, str, UNKNOWN, Unknown } from "../../lib/values";

const NAME = "s3-bucket-access-logging";

const OPTIONS = s3Options({
    acceptCloudTrailDataEvents: option.boolean(true, "CloudTrail S3 data events for all of a bucket's objects satisfy the policy instead of server access logging."),
    requireReadAndWriteDataEvents: option.boolean(true, "CloudTrail must log both read and write data events (readWriteType All) to count."),
    exemptAccessLogTargets: option.boolean(true, "Buckets that receive server access logs from the stack are not applicable (logging them would log the logs)."),
});

export type S3LoggingConfig = ConfigOf<typeof OPTIONS>;

const FIX =
    "Fix: add an aws.s3.BucketLogging with targetBucket set to a dedicated log bucket (SSE-S3, no Object Lock default retention, bucket " +
    "policy granting logging.s3.amazonaws.com s3:PutObject), or an aws.cloudtrail.Trail with an event selector for data resource type " +
    '"AWS::S3::Object" and value "arn:aws:s3:::<bucket>/" (readWriteType "All").';

/** Why server access logs into `target` would not be delivered, if the target is in the stack. */
function targetProblem(target: BucketEntry | undefined): string | undefined {
    if (!target) {
        return undefined;
    }
    const rules = defaultEncryptionRules(target);
    if (!isUnknown(rules) && rules.some((r) => typeof r.algorithm === "string" && r.algorithm.startsWith("aws:kms"))) {
        return `its target bucket '${target.logicalName}' uses SSE-KMS default encryption, to which S3 does not deliver server access logs`;
    }
    const lockRetention = target.sides.objectLock.some((s) => get(s.props, "rule", "defaultRetention") !== undefined) || get(target.props, "objectLockConfiguration", "rule", "defaultRetention") !== undefined;
    if (lockRetention) {
        return `its target bucket '${target.logicalName}' has an Object Lock default retention, which S3 server access logging does not support`;
    }
    return undefined;
}

/** Server access logging of `e`: true, a reason it does not work, or undefined when not configured. */
function serverAccessLogging(e: BucketEntry, index: S3Index): true | string | Unknown | undefined {
    let targets: (BucketEntry | undefined)[];
    if (e.sides.logging.length > 0) {
        targets = e.sides.logging.map((s) => s.target);
    } else if (isUnknown(e.inlineLoggingTarget)) {
        return UNKNOWN;
    } else if (e.inlineLoggingTarget === undefined) {
        return index.unresolved.logging.length > 0 ? UNKNOWN : undefined;
    } else {
        targets = [e.inlineLoggingTargetEntry];
    }
    const problems = targets.map(targetProblem);
    return problems.some((p) => p === undefined) ? true : (problems[0] as string);
}

/** Field selectors may be spelled `startsWiths` (aws) or `startsWith` (aws-native). */
function op(fs: unknown, name: string): string[] | Unknown | undefined {
    const v = getAny(fs, `${name}s`, name);
    if (v === undefined) {
        return undefined;
    }
    const l = list(v);
    if (isUnknown(l) || l.some(isUnknown)) {
        return UNKNOWN;
    }
    return l.map(String);
}

interface Coverage {
    read: boolean;
    write: boolean;
    unknown: boolean;
}

/** What an advanced event selector logs for all objects under `objectPrefix`. */
function advancedCoverage(selector: unknown, objectPrefix: string): Coverage {
    const none = { read: false, write: false, unknown: false };
    const fields = list(get(selector, "fieldSelectors"));
    if (isUnknown(fields)) {
        return { ...none, unknown: true };
    }
    let category = false;
    let type = false;
    let read = true;
    let write = true;
    for (const fs of fields) {
        const field = str(get(fs, "field"));
        if (isUnknown(field)) {
            return { ...none, unknown: true };
        }
        const eq = op(fs, "equals");
        const sw = op(fs, "startsWith");
        const ew = op(fs, "endsWith");
        const neq = op(fs, "notEquals");
        const nsw = op(fs, "notStartsWith");
        const new_ = op(fs, "notEndsWith");
        if ([eq, sw, ew, neq, nsw, new_].some(isUnknown)) {
            return { ...none, unknown: true };
        }
        const [e1, s1, en1, ne1, ns1, nen1] = [eq, sw, ew, neq, nsw, new_] as (string[] | undefined)[];
        switch (field) {
            case "eventCategory":
                category = !!e1?.includes("Data");
                break;
            case "resources.type":
                type = !!e1?.includes("AWS::S3::Object");
                break;
            case "resources.ARN": {
                const positiveOk = (!e1 && !s1 && !en1) || !!s1?.some((p) => objectPrefix.startsWith(p));
                const negativeOk = !ne1?.some((v) => v.startsWith(objectPrefix)) && !ns1?.some((p) => p.startsWith(objectPrefix) || objectPrefix.startsWith(p)) && !nen1;
                if (!positiveOk || !negativeOk) {
                    return none;
                }
                break;
            }
            case "readOnly":
                read = !e1 || e1.includes("true");
                write = !e1 || e1.includes("false");
                break;
            case "eventSource":
                if (e1 && !e1.includes("s3.amazonaws.com")) {
                    return none;
                }
                break;
            default:
                // eventName, userIdentity.arn, errorCode, ...: the selector logs only some requests.
                return none;
        }
    }
    return category && type ? { read, write, unknown: false } : none;
}

/** What a trail's event selectors log for the bucket's objects (read and write data events). */
function trailCoverage(trail: PolicyResource, e: BucketEntry): Coverage {
    const p = propsOf(trail);
    const none = { read: false, write: false, unknown: false };
    const logging = bool(getAny(p, "enableLogging", "isLogging"));
    if (logging === false) {
        return none;
    }
    const multiRegion = bool(getAny(p, "isMultiRegionTrail", "multiRegionEnabled"));
    const isLake = trail.type === "aws:cloudtrail/eventDataStore:EventDataStore";
    if (!(multiRegion === true || (isLake && multiRegion === undefined)) && !sameRegion(regionOf(trail), e.region)) {
        return none;
    }
    if (typeof e.name !== "string") {
        return { ...none, unknown: true };
    }
    const objectPrefix = `arn:${partitionOf(e.region)}:s3:::${e.name}/`;
    const out: Coverage = { read: false, write: false, unknown: isUnknown(logging) };
    const basic = list(p.eventSelectors);
    const advanced = list(p.advancedEventSelectors);
    if (isUnknown(basic) || isUnknown(advanced)) {
        return { ...none, unknown: true };
    }
    for (const sel of basic) {
        const resources = list(get(sel, "dataResources"));
        if (isUnknown(resources)) {
            out.unknown = true;
            continue;
        }
        const covers = resources.some((r) => {
            const values = list(get(r, "values"));
            return get(r, "type") === "AWS::S3::Object" && !isUnknown(values) && values.some((v) => typeof v === "string" && objectPrefix.startsWith(v));
        });
        if (!covers) {
            continue;
        }
        const rw = str(get(sel, "readWriteType")) ?? "All";
        if (isUnknown(rw)) {
            out.unknown = true;
            continue;
        }
        out.read ||= rw === "All" || rw === "ReadOnly";
        out.write ||= rw === "All" || rw === "WriteOnly";
    }
    for (const sel of advanced) {
        const c = advancedCoverage(sel, objectPrefix);
        out.read ||= c.read;
        out.write ||= c.write;
        out.unknown ||= c.unknown;
    }
    return out;
}

/**
 * Every bucket is checked against every trail of the stack: CloudTrail allows five trails per region (and a
 * handful of event data stores), so this stays linear in the number of buckets.
 */
function judge(e: BucketEntry, f: S3Findings, cfg: S3LoggingConfig, index: S3Index): void {
    const label = bucketLabel(e);
    const sal = serverAccessLogging(e, index);
    if (sal === true) {
        f.pass();
        return;
    }
    let trailNote = "";
    let unknown = isUnknown(sal);
    if (cfg.acceptCloudTrailDataEvents) {
        const total: Coverage = { read: false, write: false, unknown: false };
        for (const t of index.trails) {
            const c = trailCoverage(t, e);
            total.read ||= c.read;
            total.write ||= c.write;
            total.unknown ||= c.unknown;
        }
        const enough = cfg.requireReadAndWriteDataEvents ? total.read && total.write : total.read || total.write;
        if (enough) {
            f.pass();
            return;
        }
        unknown ||= total.unknown;
        if (total.read || total.write) {
            trailNote = ` CloudTrail logs only ${total.read ? "read" : "write"} data events for its objects.`;
        }
    }
    if (cfg.exemptAccessLogTargets && e.logTargetOf.some((s) => s.via !== "load balancer")) {
        f.markNotApplicable(e, "it is a server access log target (AWS recommends not logging the log bucket itself)");
        return;
    }
    if (unknown) {
        f.unknown(label, "its logging configuration or the trails that may cover it are not known until apply", `${e.logicalName}.logging`);
        return;
    }
    const why = typeof sal === "string" ? ` Server access logging is configured but ${sal}.` : "";
    f.fail(`${label} has neither server access logging nor CloudTrail data events for its objects, so reads of PHI leave no audit record.${why}${trailNote} ${FIX}`, e.resource.urn);
}

export const s3BucketAccessLogging: StackValidationPolicy = {
    name: NAME,
    description: "Every S3 bucket records object access, through S3 server access logging to a working target or CloudTrail data events for all its objects.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: hipaa("164.312(b)", "164.308(a)(1)(ii)(D)"),
    remediationSteps:
        "Add an aws.s3.BucketLogging that delivers to a dedicated SSE-S3 log bucket (its bucket policy grants logging.s3.amazonaws.com " +
        "s3:PutObject), or log S3 object data events with an aws.cloudtrail.Trail (eventSelectors dataResources type AWS::S3::Object, value " +
        "arn:aws:s3:::<bucket>/ or arn:aws:s3 for all buckets, readWriteType All).",
    configSchema: configSchema(OPTIONS),
    validateStack: (args, report) => {
        const cfg = readConfig(NAME, args, OPTIONS);
        const index = buildS3Index(args.resources);
        judgeEachBucket(NAME, args, report, index, cfg.exemptions, (e, f) => judge(e, f, cfg, index));
    },
};
