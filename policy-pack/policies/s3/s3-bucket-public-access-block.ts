/**
 * Block Public Access on every bucket (HIPAA 164.312(a)(1) access control, 164.308(a)(3)(i) workforce
 * security, 164.308(a)(4) information access management): all four flags, so neither an ACL nor a bucket
 * policy can make PHI public.
 *
 * S3 turns all four flags on for buckets created since April 2023, but an undeclared setting is not under
 * change control: anyone with s3:PutBucketPublicAccessBlock can switch it off and the next `pulumi up` will
 * not notice. So the policy wants it declared: an `aws.s3.BucketPublicAccessBlock` for the bucket, the
 * aws-native `publicAccessBlockConfiguration`, or an `aws.s3.AccountPublicAccessBlock` in the stack (it covers
 * every bucket of the account). `acceptS3Defaults: true` accepts the S3 default instead.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { hipaa } from "../../lib/hipaa";
import { configSchema, ConfigOf, option, readConfig } from "../../lib/config";
import { s3Options } from "../../lib/s3/config";
import { BucketEntry, bucketLabel, buildS3Index } from "../../lib/s3/buckets";
import { propsOf, sdkName } from "../../lib/resources";
import { judgeEachBucket, S3Findings } from "../../lib/s3/report";
import { allTri, bool, get, isUnknown, Tri, UNKNOWN } from "../../lib/values";

const NAME = "s3-bucket-public-access-block";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

const FIX =
    "Fix: add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and " +
    "restrictPublicBuckets all true (aws-native: publicAccessBlockConfiguration), or an aws.s3.AccountPublicAccessBlock with all four.";

/** All four flags true; the list of flags that are not. */
function flags(cfg: unknown): { all: Tri; off: string[] } {
    if (isUnknown(cfg)) {
        return { all: UNKNOWN, off: [] };
    }
    const values = FLAGS.map((k) => bool(get(cfg, k)));
    const off = FLAGS.filter((_, i) => values[i] !== true && !isUnknown(values[i]));
    return { all: allTri(values.map((v) => (isUnknown(v) ? UNKNOWN : v === true))), off: [...off] };
}

const OPTIONS = s3Options({
    acceptS3Defaults: option.boolean(false, "Accept buckets without a declared public access block (S3 enables all four flags on new buckets since April 2023)."),
});

export type S3PublicAccessConfig = ConfigOf<typeof OPTIONS>;

function judge(e: BucketEntry, f: S3Findings, cfg: S3PublicAccessConfig, accountBlocks: readonly PolicyResource[], unresolved: number): void {
    const label = bucketLabel(e);
    const accountVerdicts = accountBlocks.map((a) => flags(propsOf(a)).all);
    if (accountVerdicts.includes(true)) {
        f.pass();
        return;
    }
    let verdict: { all: Tri; off: string[] } | undefined;
    let source = "";
    let urn = e.resource.urn;
    const sides = e.sides.publicAccessBlock;
    if (sides.length > 0) {
        const s = sides[sides.length - 1];
        verdict = flags(s.props);
        source = `${sdkName(s.resource.type)} '${s.resource.name}'`;
        urn = s.resource.urn;
    } else if (e.shape === "native" && e.props.publicAccessBlockConfiguration !== undefined) {
        verdict = flags(e.props.publicAccessBlockConfiguration);
        source = `publicAccessBlockConfiguration of '${e.logicalName}'`;
    }
    if (verdict === undefined) {
        if (cfg.acceptS3Defaults) {
            f.pass();
        } else if (unresolved > 0 || accountVerdicts.some(isUnknown)) {
            f.unknown(label, "a public access block that may cover it is not known until apply", `${e.logicalName}.publicAccessBlock`);
        } else {
            f.fail(`${label} has no public access block declared in the stack, so nothing keeps Block Public Access on. ${FIX}`, e.resource.urn);
        }
        return;
    }
    if (verdict.all === true) {
        f.pass();
    } else if (isUnknown(verdict.all) || accountVerdicts.some(isUnknown)) {
        f.unknown(label, `the flags of ${source} are not known until apply`, `${e.logicalName}.publicAccessBlock`);
    } else {
        f.fail(`${label}: ${source} leaves ${verdict.off.join(", ")} off, so an ACL or bucket policy could make objects public. ${FIX}`, urn);
    }
}

export const s3BucketPublicAccessBlock: StackValidationPolicy = {
    name: NAME,
    description: "Every S3 bucket has Block Public Access with all four settings enabled, declared on the bucket or for the account in the stack.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(a)(1)", "164.308(a)(3)(i)", "164.308(a)(4)"),
    remediationSteps:
        "Add an aws.s3.BucketPublicAccessBlock per bucket (or one aws.s3.AccountPublicAccessBlock) with blockPublicAcls, blockPublicPolicy, " +
        "ignorePublicAcls and restrictPublicBuckets set to true; for aws-native buckets set publicAccessBlockConfiguration.",
    configSchema: configSchema(OPTIONS),
    validateStack: (args, report) => {
        const cfg = readConfig(NAME, args, OPTIONS);
        const index = buildS3Index(args.resources);
        const unresolved = index.unresolved.publicAccessBlock.length;
        judgeEachBucket(NAME, args, report, index, cfg.exemptions, (e, f) => judge(e, f, cfg, index.accountPublicAccessBlocks, unresolved));
    },
};
