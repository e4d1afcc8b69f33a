/**
 * Macie for PHI discovery (HIPAA 164.308(a)(1)(ii)(D) information system activity review, 164.308(a)(1)(ii)(A)
 * risk analysis): an organisation cannot protect PHI it does not know it stores, and objects land in buckets
 * long after the bucket was classified.
 *
 * Two parts:
 * 1. Macie is enabled wherever the stack holds buckets: an `aws.macie2.Account` (status ENABLED or unset, which
 *    the API treats as ENABLED) or an `aws-native:macie:Session` in the bucket's region, unless the pack config
 *    declares that the organisation's Macie delegated administrator manages this account
 *    (`macieDelegatedAdministrator: true`).
 * 2. Every bucket tagged as PHI (`phiTagKey`/`phiTagValues`, provider `defaultTags` included) is covered by a
 *    classification job in its region that lists the bucket (`bucketDefinitions[].buckets`) or selects it by
 *    bucket criteria (tag and bucket-name criteria are evaluated the way Macie does: all `ands` must hold,
 *    tag keys and values are case-sensitive, no wildcards; a bucket matching every `excludes` criterion is
 *    excluded), or by automated sensitive data discovery declared in config (`automatedSensitiveDataDiscovery`;
 *    @pulumi/aws v7 has no resource for it). By default the job must be SCHEDULED: a ONE_TIME job never sees
 *    objects added after its run. Cancelled or user-paused jobs do not count.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { hipaa } from "../../lib/hipaa";
import { configSchema, ConfigOf, option, readConfig } from "../../lib/config";
import { s3Options } from "../../lib/s3/config";
import { BucketEntry, bucketLabel, buildS3Index, TagMap } from "../../lib/s3/buckets";
import { propsOf, regionOf, sameRegion } from "../../lib/resources";
import { NO_BUCKETS_REASON, S3Findings } from "../../lib/s3/report";
import { allTri, anyTri, get, isUnknown, list, str, Tri, UNKNOWN, Unknown } from "../../lib/values";

const NAME = "s3-macie-phi-discovery";

const OPTIONS = s3Options({
    macieDelegatedAdministrator: option.boolean(false, "Macie for this account is enabled and managed by the organisation's Macie delegated administrator."),
    automatedSensitiveDataDiscovery: option.boolean(false, "Macie automated sensitive data discovery is enabled for this account and covers every bucket."),
    phiTagKey: option.string("data-classification", "Tag key that marks a bucket's data classification."),
    phiTagValues: option.strings(["phi"], "Tag values (case-insensitive) that mark a bucket as holding PHI."),
    requireScheduledJob: option.boolean(true, "Only SCHEDULED classification jobs count; a ONE_TIME job does not see objects added later."),
});

export type S3MacieConfig = ConfigOf<typeof OPTIONS>;

/** Is the bucket tagged as holding PHI? Tag values compare case-insensitively so "PHI" is caught too. */
function isPhi(tags: TagMap | Unknown, cfg: S3MacieConfig): Tri {
    if (isUnknown(tags)) {
        return UNKNOWN;
    }
    const v = tags.get(cfg.phiTagKey);
    if (isUnknown(v)) {
        return UNKNOWN;
    }
    return v !== undefined && cfg.phiTagValues.some((p) => p.toLowerCase() === v.toLowerCase());
}

/** Macie's tag criterion: EQ holds when the bucket has any listed key/value (exact, case-sensitive); NE when none. */
function tagCriterion(c: unknown, tags: TagMap | Unknown): Tri {
    if (isUnknown(tags)) {
        return UNKNOWN;
    }
    const comparator = str(get(c, "comparator")) ?? "EQ";
    const pairs = list(get(c, "tagValues"));
    if (isUnknown(comparator) || isUnknown(pairs)) {
        return UNKNOWN;
    }
    const hits = pairs.map((p): Tri => {
        const k = str(get(p, "key"));
        const v = str(get(p, "value"));
        if (isUnknown(k) || isUnknown(v)) {
            return UNKNOWN;
        }
        if (k !== undefined) {
            const actual = tags.get(k);
            if (isUnknown(actual)) {
                return UNKNOWN;
            }
            return actual !== undefined && (v === undefined || actual === v);
        }
        return v !== undefined && [...tags.values()].includes(v);
    });
    const any = anyTri(hits);
    if (comparator === "EQ" || comparator === "EQUALS") {
        return any;
    }
    if (comparator === "NE" || comparator === "NOT_EQUALS") {
        return isUnknown(any) ? UNKNOWN : !any;
    }
    return false;
}

/** Macie's simple criterion on bucket properties; only the bucket name and account can be judged statically. */
function simpleCriterion(c: unknown, e: BucketEntry, inExcludes: boolean): Tri | string {
    const key = str(get(c, "key"));
    const comparator = str(get(c, "comparator")) ?? "EQ";
    const values = list(get(c, "values"));
    if (isUnknown(key) || isUnknown(comparator) || isUnknown(values)) {
        return UNKNOWN;
    }
    if (key === "ACCOUNT_ID") {
        // Jobs in a stack analyse the stack's own account; an account criterion is not a reason to alarm.
        return !inExcludes;
    }
    if (key !== "S3_BUCKET_NAME") {
        return `criterion ${key} cannot be judged before the bucket exists`;
    }
    if (isUnknown(e.name) || e.name === undefined) {
        return UNKNOWN;
    }
    const name = e.name;
    const hits = values.map((v): Tri => {
        if (isUnknown(v)) {
            return UNKNOWN;
        }
        const s = String(v);
        switch (comparator) {
            case "EQ":
            case "NE":
                return name === s;
            case "STARTS_WITH":
                return name.startsWith(s);
            case "CONTAINS":
                return name.includes(s);
            default:
                return false;
        }
    });
    const any = anyTri(hits);
    return comparator === "NE" ? (isUnknown(any) ? UNKNOWN : !any) : any;
}

/** All `ands` of a criteria block hold (Macie joins them with AND). */
function block(b: unknown, e: BucketEntry, inExcludes: boolean): Tri | string {
    const ands = list(get(b, "ands"));
    if (isUnknown(ands)) {
        return UNKNOWN;
    }
    if (ands.length === 0) {
        return inExcludes ? false : true;
    }
    const results: Tri[] = [];
    for (const a of ands) {
        const tc = get(a, "tagCriterion");
        const sc = get(a, "simpleCriterion");
        if (isUnknown(tc) || isUnknown(sc)) {
            results.push(UNKNOWN);
            continue;
        }
        if (tc !== undefined) {
            results.push(tagCriterion(tc, e.tags));
        }
        if (sc !== undefined) {
            const r = simpleCriterion(sc, e, inExcludes);
            if (typeof r === "string") {
                return r;
            }
            results.push(r);
        }
    }
    return allTri(results);
}

/** Whether `job` analyses bucket `e`, or a reason it does not. */
function jobCovers(job: PolicyResource, e: BucketEntry, cfg: S3MacieConfig): Tri | string {
    const p = propsOf(job);
    const status = str(p.jobStatus);
    if (status === "CANCELLED" || status === "USER_PAUSED" || status === "PAUSED") {
        return `job '${job.name}' is ${status}`;
    }
    const type = str(p.jobType);
    if (isUnknown(type)) {
        return UNKNOWN;
    }
    if (cfg.requireScheduledJob && type !== "SCHEDULED") {
        return `job '${job.name}' is ${type ?? "without jobType"}, not SCHEDULED, so objects added after its run are never analysed`;
    }
    if (!sameRegion(regionOf(job), e.region)) {
        return `job '${job.name}' runs in ${String(regionOf(job))}, the bucket is in ${String(e.region)}`;
    }
    const def = p.s3JobDefinition;
    if (isUnknown(def)) {
        return UNKNOWN;
    }
    const defsDependOnBucket = (job.propertyDependencies?.s3JobDefinition ?? []).some((d) => d.urn === e.resource.urn);
    const criteria = get(def, "bucketCriteria");
    const definitions = list(get(def, "bucketDefinitions"));
    if (isUnknown(criteria) || isUnknown(definitions)) {
        return UNKNOWN;
    }
    if (criteria === undefined || criteria === null) {
        if (definitions.length === 0) {
            return `job '${job.name}' selects no buckets`;
        }
        // With an explicit list only, a dependency of the job definition on the bucket means the bucket's
        // name (unknown at preview) is in that list.
        if (defsDependOnBucket) {
            return true;
        }
        const names = definitions.flatMap((d) => {
            const b = list(get(d, "buckets"));
            return isUnknown(b) ? [UNKNOWN] : b.map((x) => (isUnknown(x) ? UNKNOWN : x));
        });
        if (typeof e.name === "string" && names.includes(e.name)) {
            return true;
        }
        if (names.some(isUnknown) || isUnknown(e.name)) {
            return UNKNOWN;
        }
        return `job '${job.name}' lists other buckets (${names.join(", ")})`;
    }
    const include = block(get(criteria, "includes"), e, false);
    if (typeof include === "string") {
        return `job '${job.name}': ${include}`;
    }
    const excludes = get(criteria, "excludes");
    const exclude = excludes === undefined || excludes === null ? false : block(excludes, e, true);
    if (typeof exclude === "string") {
        return `job '${job.name}': ${exclude} (in excludes, so it may exclude the bucket)`;
    }
    if (include === false) {
        return `job '${job.name}' bucket criteria do not select the bucket (tag criteria match exact, case-sensitive key/value pairs)`;
    }
    if (exclude === true) {
        return `job '${job.name}' excludes the bucket`;
    }
    return include === true && exclude === false ? true : UNKNOWN;
}

/**
 * Classification jobs indexed so each bucket is checked only against the jobs that can select it: explicit
 * lists by listed name and by the bucket URNs their definition depends on; criteria jobs are evaluated per
 * bucket (an account runs a handful of them). Keeps the policy linear in stack size.
 */
interface JobIndex {
    readonly byName: Map<string, PolicyResource[]>;
    readonly byUrn: Map<string, PolicyResource[]>;
    readonly criteria: PolicyResource[];
    /** Jobs whose definition or bucket list is unknown at preview: they may select any bucket. */
    readonly undecided: PolicyResource[];
    listJobs: number;
}

function push(map: Map<string, PolicyResource[]>, key: string, job: PolicyResource): void {
    const l = map.get(key);
    if (l) {
        if (!l.includes(job)) {
            l.push(job);
        }
    } else {
        map.set(key, [job]);
    }
}

function indexJobs(jobs: readonly PolicyResource[]): JobIndex {
    const idx: JobIndex = { byName: new Map(), byUrn: new Map(), criteria: [], undecided: [], listJobs: 0 };
    for (const job of jobs) {
        const def = propsOf(job).s3JobDefinition;
        const criteria = get(def, "bucketCriteria");
        const definitions = list(get(def, "bucketDefinitions"));
        if (isUnknown(def) || isUnknown(criteria) || isUnknown(definitions)) {
            idx.undecided.push(job);
        } else if (criteria !== undefined && criteria !== null) {
            idx.criteria.push(job);
        } else {
            idx.listJobs += 1;
            let unknownName = false;
            for (const d of definitions) {
                const names = list(get(d, "buckets"));
                for (const n of isUnknown(names) ? [UNKNOWN] : names) {
                    if (typeof n === "string" && !isUnknown(n)) {
                        push(idx.byName, n, job);
                    } else {
                        unknownName = true;
                    }
                }
            }
            for (const dep of job.propertyDependencies?.s3JobDefinition ?? []) {
                push(idx.byUrn, dep.urn, job);
            }
            if (unknownName) {
                idx.undecided.push(job);
            }
        }
    }
    return idx;
}

/** Whether some job analyses `e` (`true`), cannot be decided at preview (`UNKNOWN`), or the reasons none does. */
function coverage(e: BucketEntry, idx: JobIndex, cfg: S3MacieConfig): true | Unknown | string[] {
    const direct = [...(idx.byUrn.get(e.resource.urn) ?? []), ...(typeof e.name === "string" ? (idx.byName.get(e.name) ?? []) : [])];
    const candidates = [...new Set([...direct, ...idx.criteria])];
    const results = candidates.map((j) => jobCovers(j, e, cfg));
    const covered = anyTri(results.map((r) => (typeof r === "string" ? false : r)));
    if (covered === true) {
        return true;
    }
    if (isUnknown(covered) || idx.undecided.length > 0 || (isUnknown(e.name) && idx.listJobs > 0)) {
        return UNKNOWN;
    }
    const reasons = results.filter((r): r is string => typeof r === "string").slice(0, 5);
    const directLists = new Set(direct).size;
    if (idx.listJobs > directLists) {
        reasons.push(`${idx.listJobs - directLists} job(s) with an explicit bucket list do not list it`);
    }
    return reasons.length > 0 ? reasons : ["the stack has no aws.macie2.ClassificationJob"];
}

type AccountState = "enabled" | "unknown" | { paused: PolicyResource } | "missing";

function macieState(e: BucketEntry, accounts: readonly PolicyResource[]): AccountState {
    let unknown = false;
    let paused: PolicyResource | undefined;
    for (const a of accounts) {
        if (!sameRegion(regionOf(a), e.region)) {
            continue;
        }
        const status = str(propsOf(a).status);
        if (isUnknown(status)) {
            unknown = true;
        } else if (status === undefined || status === "ENABLED") {
            return "enabled";
        } else {
            paused = a;
        }
    }
    return unknown ? "unknown" : paused ? { paused } : "missing";
}

function phiJobFix(cfg: S3MacieConfig): string {
    return (
        `Fix: add an aws.macie2.ClassificationJob with jobType "SCHEDULED" (scheduleFrequency e.g. { dailySchedule: true }) whose ` +
        `s3JobDefinition.bucketCriteria.includes.ands has { tagCriterion: { comparator: "EQ", tagValues: [{ key: "${cfg.phiTagKey}", ` +
        `value: "${cfg.phiTagValues[0]}" }] } }, or that lists the bucket in s3JobDefinition.bucketDefinitions[].buckets; or set this policy's ` +
        "automatedSensitiveDataDiscovery: true if Macie automated sensitive data discovery covers the account."
    );
}

export const s3MaciePhiDiscovery: StackValidationPolicy = {
    name: NAME,
    description:
        "Macie is enabled for every region that holds S3 buckets (or run by the delegated administrator), and every bucket tagged as holding PHI is analysed by a scheduled Macie classification job or by automated sensitive data discovery.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: hipaa("164.308(a)(1)(ii)(D)", "164.308(a)(1)(ii)(A)"),
    remediationSteps:
        "Enable Macie with aws.macie2.Account (status ENABLED) in each region with buckets, or set macieDelegatedAdministrator: true when the " +
        "organisation's Macie administrator account manages this account. Cover every PHI-tagged bucket with an aws.macie2.ClassificationJob " +
        "(jobType SCHEDULED) that selects it by tag criterion or lists it by name, or declare automatedSensitiveDataDiscovery: true.",
    configSchema: configSchema(OPTIONS),
    validateStack: (args, report) => {
        const cfg = readConfig(NAME, args, OPTIONS);
        const index = buildS3Index(args.resources);
        if (index.buckets.length === 0) {
            args.notApplicable(NO_BUCKETS_REASON);
        }
        const f = new S3Findings(NAME, args, report);
        const jobs = indexJobs(index.classificationJobs);
        const withoutMacie: BucketEntry[] = [];
        const pausedAccounts = new Map<string, PolicyResource>();
        for (const e of index.buckets) {
            const ex = f.exemptionFor(e, cfg.exemptions);
            if (ex) {
                f.markExempt(e, ex);
                continue;
            }
            const label = bucketLabel(e);
            let ok = true;
            let unknown = false;
            if (!cfg.macieDelegatedAdministrator) {
                const state = macieState(e, index.macieAccounts);
                if (state === "unknown") {
                    unknown = true;
                    f.unknown(label, "the status of the Macie account in its region is not known until apply", `${e.logicalName}.macie`);
                } else if (state !== "enabled") {
                    ok = false;
                    withoutMacie.push(e);
                    if (typeof state === "object") {
                        pausedAccounts.set(state.paused.urn, state.paused);
                    }
                }
            }
            if (!cfg.automatedSensitiveDataDiscovery) {
                const phi = isPhi(e.tags, cfg);
                if (isUnknown(phi)) {
                    unknown = true;
                    f.unknown(label, `its '${cfg.phiTagKey}' tag is not known until apply`, `${e.logicalName}.tags`);
                } else if (phi) {
                    const covered = coverage(e, jobs, cfg);
                    if (isUnknown(covered)) {
                        unknown = true;
                        f.unknown(label, "the classification jobs that may cover it hold values not known until apply", `${e.logicalName}.macieJobs`);
                    } else if (covered !== true) {
                        ok = false;
                        const why = covered.join("; ");
                        f.fail(
                            `${label} is tagged ${cfg.phiTagKey}=${String((e.tags as TagMap).get(cfg.phiTagKey))} but no Macie classification job ` +
                                `analyses it: ${why}. ${phiJobFix(cfg)}`,
                            e.resource.urn,
                        );
                    }
                }
            }
            if (ok && !unknown) {
                f.pass();
            }
        }
        if (withoutMacie.length > 0) {
            const names = withoutMacie.map((e) => `'${e.logicalName}'${e.region && !isUnknown(e.region) ? ` (${e.region})` : ""}`);
            const paused = [...pausedAccounts.values()];
            const message =
                `Macie is not enabled for ${withoutMacie.length} S3 bucket(s) in this stack: ${names.join(", ")}` +
                (paused.length > 0 ? `; Macie account resource(s) ${paused.map((a) => `'${a.name}'`).join(", ")} are not ENABLED` : "") +
                '. Fix: add an aws.macie2.Account with status "ENABLED" (one per region holding buckets), or set this policy\'s config ' +
                "macieDelegatedAdministrator: true if the organisation's Macie delegated administrator manages this account.";
            if (paused.length > 0) {
                f.fail(message, paused[0].urn);
            } else {
                f.failStack(message);
            }
        }
        f.finish();
    },
};
