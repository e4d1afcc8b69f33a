/**
 * Object ownership `BucketOwnerEnforced` (HIPAA 164.312(a)(1) access control, 164.308(a)(4) information access
 * management): ACLs are disabled, so access to PHI is decided by IAM and bucket policies alone, and objects
 * written by other accounts (log delivery, partners) still belong to the bucket owner.
 *
 * New buckets default to it since April 2023; as with Block Public Access the policy wants it declared
 * (`aws.s3.BucketOwnershipControls` or aws-native `ownershipControls`), or `acceptS3Defaults: true`.
 * CloudFront standard (legacy) logging needs ACLs; exempt such a bucket with a reason.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { hipaa } from "../../lib/hipaa";
import { configSchema, ConfigOf, option, readConfig } from "../../lib/config";
import { s3Options } from "../../lib/s3/config";
import { BucketEntry, bucketLabel, buildS3Index } from "../../lib/s3/buckets";
import { sdkName } from "../../lib/resources";
import { judgeEachBucket, S3Findings } from "../../lib/s3/report";
import { get, isUnknown, list, str, UNKNOWN, Unknown } from "../../lib/values";

const NAME = "s3-bucket-owner-enforced";

const FIX =
    'Fix: add an aws.s3.BucketOwnershipControls with rule { objectOwnership: "BucketOwnerEnforced" } (aws-native: ownershipControls.rules ' +
    '[{ objectOwnership: "BucketOwnerEnforced" }]) and grant access through the bucket policy instead of ACLs.';

const OPTIONS = s3Options({
    acceptS3Defaults: option.boolean(false, "Accept buckets without declared ownership controls (S3 defaults new buckets to BucketOwnerEnforced since April 2023)."),
});

export type S3OwnershipConfig = ConfigOf<typeof OPTIONS>;

function judge(e: BucketEntry, f: S3Findings, cfg: S3OwnershipConfig, unresolved: number): void {
    const label = bucketLabel(e);
    let ownership: string | Unknown | undefined;
    let source: string | undefined;
    let urn = e.resource.urn;
    const sides = e.sides.ownership;
    if (sides.length > 0) {
        const s = sides[sides.length - 1];
        ownership = str(get(s.props, "rule", "objectOwnership"));
        source = `${sdkName(s.resource.type)} '${s.resource.name}'`;
        urn = s.resource.urn;
    } else if (e.shape === "native" && e.props.ownershipControls !== undefined) {
        const rules = list(get(e.props.ownershipControls, "rules"));
        ownership = isUnknown(rules) ? UNKNOWN : str(get(rules[0], "objectOwnership"));
        source = `ownershipControls of '${e.logicalName}'`;
    }
    if (source === undefined) {
        if (cfg.acceptS3Defaults) {
            f.pass();
        } else if (unresolved > 0) {
            f.unknown(label, "an ownership control that may cover it is not known until apply", `${e.logicalName}.ownershipControls`);
        } else {
            f.fail(`${label} declares no object ownership, so nothing keeps ACLs disabled. ${FIX}`, e.resource.urn);
        }
        return;
    }
    if (ownership === "BucketOwnerEnforced") {
        f.pass();
    } else if (isUnknown(ownership)) {
        f.unknown(label, `the object ownership of ${source} is not known until apply`, `${e.logicalName}.ownershipControls`);
    } else {
        f.fail(`${label}: ${source} sets objectOwnership ${JSON.stringify(ownership)}, which keeps ACLs enabled. ${FIX}`, urn);
    }
}

export const s3BucketOwnerEnforced: StackValidationPolicy = {
    name: NAME,
    description: "Every S3 bucket declares object ownership BucketOwnerEnforced so ACLs are disabled and access is governed by policies alone.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: hipaa("164.312(a)(1)", "164.308(a)(4)"),
    remediationSteps:
        'Add an aws.s3.BucketOwnershipControls per bucket with rule.objectOwnership "BucketOwnerEnforced" (aws-native: ownershipControls), ' +
        "and replace any ACL grants by bucket policy statements.",
    configSchema: configSchema(OPTIONS),
    validateStack: (args, report) => {
        const cfg = readConfig(NAME, args, OPTIONS);
        const index = buildS3Index(args.resources);
        const unresolved = index.unresolved.ownership.length;
        judgeEachBucket(NAME, args, report, index, cfg.exemptions, (e, f) => judge(e, f, cfg, unresolved));
    },
};
