/**
 * Per-bucket verdicts for the S3 stack policies, and how they reach the CLI.
 *
 * CrossGuard has three outcomes per policy and stack: violations (each with the URN of the resource at fault),
 * "not applicable" with a reason, and "can't run during preview" (from `UnknownValueError`). The S3 policies
 * judge each bucket on its own and then map the collection onto those outcomes:
 *
 * - every failing bucket is reported at once, with the bucket (or the side resource at fault) as URN;
 * - buckets that could not be judged because a value is unknown at preview are reported after all known
 *   verdicts, as one `UnknownValueError` naming each bucket and value (advisory in the CLI);
 * - exempt buckets (pack config) make the policy "not applicable" with the exemption reasons (and the count
 *   of buckets that comply) when nothing failed; a failing stack reports its violations, and an exempt bucket
 *   never adds one. CrossGuard records "not applicable" per policy, not per resource, so this is the only
 *   way an exemption and its reason reach the CLI and Pulumi Cloud.
 * - buckets a policy does not apply to (for example a log-delivery target for the logging policy) only make
 *   the policy "not applicable" when no bucket was judged at all.
 */
import { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { BucketEntry, bucketLabel, S3Index } from "./buckets";
import { CompiledExemption, matchesAny } from "./config";
import { unknownPreviewError } from "../values";

/**
 * How many per-bucket entries one finding spells out. The rest are counted: one message per policy that names every
 * bucket of a large stack grows the AnalyzeStack reply past gRPC's 4 MiB default (issue 13); the bucket-level
 * violations themselves are still reported one by one.
 */
export const LISTED_ENTRIES = 20;

/** `items` joined with "; ", the first {@link LISTED_ENTRIES} spelled out and the rest counted. */
export function listed(items: readonly string[], limit = LISTED_ENTRIES): string {
    const shown = items.slice(0, limit).join("; ");
    return items.length > limit ? `${shown}; and ${items.length - limit} more` : shown;
}

export class S3Findings {
    private failures = 0;
    private passes = 0;
    private readonly exempt: string[] = [];
    private readonly notApplicable: string[] = [];
    private readonly unknowns: string[] = [];
    private readonly unknownPaths: string[] = [];

    constructor(
        private readonly policyName: string,
        private readonly args: StackValidationArgs,
        private readonly report: ReportViolation,
    ) {}

    /** The exemption that applies to `e`, if any (matched on physical and logical name). */
    exemptionFor(e: BucketEntry, exemptions: readonly CompiledExemption[]): CompiledExemption | undefined {
        for (const ex of exemptions) {
            if (matchesAny([ex.pattern], [typeof e.name === "string" ? e.name : undefined, e.logicalName])) {
                return ex;
            }
        }
        return undefined;
    }

    fail(message: string, urn: string): void {
        this.failures += 1;
        this.report(message, urn);
    }

    /** A violation of the stack as a whole (no single resource is at fault). */
    failStack(message: string): void {
        this.failures += 1;
        this.report(message);
    }

    pass(): void {
        this.passes += 1;
    }

    markExempt(e: BucketEntry, ex: CompiledExemption): void {
        this.exempt.push(`${bucketLabel(e)} is exempt by pack config (pattern '${ex.pattern.source}'): ${ex.reason}`);
    }

    /** The policy does not apply to this bucket (for example a log-delivery target), with the reason. */
    markNotApplicable(e: BucketEntry, reason: string): void {
        this.notApplicable.push(`${bucketLabel(e)}: ${reason}`);
    }

    /** The verdict for `subject` depends on a value that is unknown at preview. */
    unknown(subject: string, what: string, path: string): void {
        this.unknowns.push(`${subject}: ${what}`);
        this.unknownPaths.push(path);
    }

    get hasFailures(): boolean {
        return this.failures > 0;
    }

    /**
     * Ends the policy run: throws the SDK's unknown-value error for anything undecided at preview, or marks
     * the policy not applicable when exemptions (or per-bucket inapplicability) left nothing that failed.
     */
    finish(): void {
        if (this.unknowns.length > 0) {
            const note = this.failures > 0 ? ` (${this.failures} violation(s) on known values were reported above)` : "";
            throw unknownPreviewError(
                `${this.unknowns.length} finding(s) of '${this.policyName}' depend on values not known until apply${note}: ` +
                    `${listed(this.unknowns)}. Build these values from deterministic names (pulumi.interpolate, ` +
                    `pulumi.jsonStringify) so the policy can judge them in preview.`,
                this.unknownPaths,
            );
        }
        // Exemptions are always surfaced (an auditor must see them); buckets the policy does not apply to
        // only make the whole policy not applicable when no bucket was judged at all.
        const exemptionsToShow = this.exempt.length > 0;
        const nothingJudged = this.passes === 0 && this.notApplicable.length > 0;
        if (this.failures === 0 && (exemptionsToShow || nothingJudged)) {
            const parts = [...this.exempt, ...this.notApplicable];
            if (this.passes > 0) {
                parts.push(`${this.passes} other bucket(s) comply`);
            }
            this.args.notApplicable(listed(parts));
        }
    }
}

/** The not-applicable reason of every S3 policy on a stack without buckets. */
export const NO_BUCKETS_REASON =
    "The stack has no S3 buckets (aws:s3/bucket:Bucket, aws:s3/bucketV2:BucketV2 or aws-native:s3:Bucket), so there is nothing to judge.";

/**
 * The frame every per-bucket S3 policy shares: not applicable without buckets, exemptions first, one
 * `judge` call per remaining bucket, then `finish()`.
 */
export function judgeEachBucket(
    policyName: string,
    args: StackValidationArgs,
    report: ReportViolation,
    index: S3Index,
    exemptions: readonly CompiledExemption[],
    judge: (e: BucketEntry, findings: S3Findings) => void,
): void {
    if (index.buckets.length === 0) {
        args.notApplicable(NO_BUCKETS_REASON);
    }
    const findings = new S3Findings(policyName, args, report);
    for (const e of index.buckets) {
        const ex = findings.exemptionFor(e, exemptions);
        if (ex) {
            findings.markExempt(e, ex);
            continue;
        }
        judge(e, findings);
    }
    findings.finish();
}
