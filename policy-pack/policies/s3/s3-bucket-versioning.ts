/**
 * Versioning (HIPAA 164.312(c)(1) integrity, 164.312(c)(2) mechanism to authenticate ePHI, 164.308(a)(7)
 * contingency plan): with versioning, an overwritten or deleted object can be recovered, and replication and
 * Object Lock need it. Object Lock implies versioning (S3 enables it with the lock), so it counts.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { hipaa } from "../../lib/hipaa";
import { configSchema, readConfig } from "../../lib/config";
import { s3Options } from "../../lib/s3/config";
import { BucketEntry, bucketLabel, buildS3Index } from "../../lib/s3/buckets";
import { sdkName } from "../../lib/resources";
import { judgeEachBucket, S3Findings } from "../../lib/s3/report";
import { bool, get, isUnknown, list, str, Tri, UNKNOWN } from "../../lib/values";

const NAME = "s3-bucket-versioning";

const OPTIONS = s3Options({});

const FIX =
    'Fix: add an aws.s3.BucketVersioning with versioningConfiguration { status: "Enabled" } (aws-native: versioningConfiguration.status ' +
    '"Enabled"); pair it with a lifecycle rule that expires noncurrent versions.';

/** Versioning state from the split resource, the inline blocks or Object Lock; with a description of the source. */
function versioningEnabled(e: BucketEntry): { on: Tri; source: string; urn: string } {
    const sides = e.sides.versioning;
    if (sides.length > 0) {
        const s = sides[sides.length - 1];
        const status = str(get(s.props, "versioningConfiguration", "status"));
        return { on: isUnknown(status) ? UNKNOWN : status === "Enabled", source: `${sdkName(s.resource.type)} '${s.resource.name}' (status ${String(status)})`, urn: s.resource.urn };
    }
    const p = e.props;
    // S3 turns versioning on when Object Lock is enabled, and it cannot be suspended afterwards.
    const lock = bool(p.objectLockEnabled);
    const lockSide = e.sides.objectLock.some((s) => get(s.props, "objectLockEnabled") === "Enabled");
    if (lock === true || lockSide) {
        return { on: true, source: "Object Lock", urn: e.resource.urn };
    }
    if (e.shape === "native") {
        const status = str(get(p, "versioningConfiguration", "status"));
        return { on: isUnknown(status) ? UNKNOWN : status === "Enabled", source: `versioningConfiguration of '${e.logicalName}'`, urn: e.resource.urn };
    }
    const blocks = list(p.versioning ?? p.versionings);
    if (isUnknown(blocks)) {
        return { on: UNKNOWN, source: `inline versioning of '${e.logicalName}'`, urn: e.resource.urn };
    }
    const enabled = blocks.length > 0 ? bool(get(blocks[0], "enabled")) : false;
    return {
        on: isUnknown(enabled) ? UNKNOWN : enabled === true,
        source: blocks.length > 0 ? `inline versioning of '${e.logicalName}'` : "no versioning configuration in the stack",
        urn: e.resource.urn,
    };
}

function judge(e: BucketEntry, f: S3Findings, unresolved: number): void {
    const label = bucketLabel(e);
    const v = versioningEnabled(e);
    if (v.on === true) {
        f.pass();
    } else if (isUnknown(v.on) || (e.sides.versioning.length === 0 && unresolved > 0)) {
        f.unknown(label, "its versioning status is not known until apply", `${e.logicalName}.versioning`);
    } else {
        f.fail(`${label} does not have versioning enabled (${v.source}), so overwritten or deleted PHI cannot be recovered. ${FIX}`, v.urn);
    }
}

export const s3BucketVersioning: StackValidationPolicy = {
    name: NAME,
    description: "Every S3 bucket has versioning enabled (or Object Lock, which implies it) so overwritten or deleted objects can be recovered.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: hipaa("164.312(c)(1)", "164.312(c)(2)", "164.308(a)(7)"),
    remediationSteps:
        'Add one aws.s3.BucketVersioning per bucket with versioningConfiguration.status "Enabled" (aws-native: versioningConfiguration), ' +
        "and expire noncurrent versions in the bucket's lifecycle configuration to bound storage cost.",
    configSchema: configSchema(OPTIONS),
    validateStack: (args, report) => {
        const cfg = readConfig(NAME, args, OPTIONS);
        const index = buildS3Index(args.resources);
        const unresolved = index.unresolved.versioning.length;
        judgeEachBucket(NAME, args, report, index, cfg.exemptions, (e, f) => judge(e, f, unresolved));
    },
};
