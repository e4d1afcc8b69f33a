/**
 * TLS-only bucket policies (HIPAA 164.312(e)(1) transmission security, (e)(2)(i) integrity controls,
 * (e)(2)(ii) encryption in transit): S3 still answers plain HTTP unless the bucket policy denies it.
 *
 * The policy document is judged with IAM semantics by meaning (see lib/transport.ts: each condition is evaluated for plain HTTP and every TLS version) against the bucket's own ARNs,
 * built from its name. Names are known at preview when the program sets them deterministically; a policy
 * document that is still unknown at preview (for example built from `bucket.arn`) is reported through the
 * SDK's unknown-value mechanism (advisory "can't run during preview"), while every other bucket is judged.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { hipaa } from "../../lib/hipaa";
import { configSchema, ConfigOf, option, readConfig } from "../../lib/config";
import { s3Options } from "../../lib/s3/config";
import { BucketEntry, bucketArn, bucketLabel, buildS3Index } from "../../lib/s3/buckets";
import { sdkName } from "../../lib/resources";
import { parsePolicyDocument } from "../../lib/policy-doc";
import { S3_ACTIONS_WITHOUT_TLS_VERSION, S3_BUCKET_ACTIONS, S3_OBJECT_ACTIONS } from "../../lib/s3/actions";
import { DenyTarget, judgeTransportDeny, plaintextRequirement, tlsVersionRequirement } from "../../lib/transport";
import { judgeEachBucket, S3Findings } from "../../lib/s3/report";
import { isUnknown } from "../../lib/values";

const NAME = "s3-bucket-tls-only-policy";

const OPTIONS = s3Options({
    requireTlsVersion: option.boolean(true, "Also require a Deny for requests whose s3:TlsVersion is below minimumTlsVersion."),
    minimumTlsVersion: option.number(1.2, 1, 1.3, "The lowest TLS version the bucket policy must allow: requests over every TLS version below it must be denied."),
});

export type S3TlsConfig = ConfigOf<typeof OPTIONS>;

function fixFor(arn: string, cfg: S3TlsConfig): string {
    const tls = cfg.requireTlsVersion
        ? `, plus a statement with Condition {"NumericLessThan": {"s3:TlsVersion": "${cfg.minimumTlsVersion}"}}`
        : "";
    return (
        `Fix: attach an aws.s3.BucketPolicy whose document has {"Effect": "Deny", "Principal": "*", "Action": "s3:*", ` +
        `"Resource": ["${arn}", "${arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}${tls}; build the ARNs from the ` +
        "bucket name (pulumi.interpolate / pulumi.jsonStringify), not bucket.arn, so preview can judge it."
    );
}

/**
 * Every action that can target the bucket, on the bucket; every object action, on every object. For a TLS-version
 * requirement, only the actions whose requests carry s3:TlsVersion (a version deny cannot apply to the others).
 */
function targets(arn: string, byVersion: boolean): DenyTarget[] {
    const actions = (list: readonly string[]) => list.filter((a) => !byVersion || !S3_ACTIONS_WITHOUT_TLS_VERSION.includes(a)).map((a) => `s3:${a}`);
    return [
        { resource: { arn }, label: arn, actions: actions(S3_BUCKET_ACTIONS), actionPrefix: "s3:" },
        { resource: { prefix: `${arn}/` }, label: `${arn}/*`, actions: actions(S3_OBJECT_ACTIONS), actionPrefix: "s3:" },
    ];
}

function judge(e: BucketEntry, f: S3Findings, cfg: S3TlsConfig, unresolved: number): void {
    const label = bucketLabel(e);
    const sides = e.sides.policy;
    if (sides.length > 1) {
        f.fail(
            `${label} has ${sides.length} bucket policies (${sides.map((s) => `'${s.resource.name}'`).join(", ")}); S3 keeps only the last ` +
                "one applied, so which statements are in force is undefined. Fix: merge them into one aws.s3.BucketPolicy.",
            e.resource.urn,
        );
        return;
    }
    let doc: unknown;
    let source: string;
    let urn: string;
    if (sides.length === 1) {
        const s = sides[0];
        doc = s.resource.type === "aws-native:s3:BucketPolicy" ? s.props.policyDocument : s.props.policy;
        source = `${sdkName(s.resource.type)} '${s.resource.name}'`;
        urn = s.resource.urn;
    } else {
        doc = e.props.policy;
        source = `the inline policy of '${e.logicalName}'`;
        urn = e.resource.urn;
        if (doc === undefined || doc === null || doc === "") {
            if (unresolved > 0) {
                f.unknown(label, `${unresolved} bucket policy resource(s) name a bucket not known until apply and may belong to it`, `${e.logicalName}.policy`);
                return;
            }
            const arn = bucketArn(e);
            f.fail(
                `${label} has no bucket policy, so S3 accepts plaintext HTTP requests for it. ${fixFor(isUnknown(arn) ? "arn:aws:s3:::<bucket>" : arn, cfg)}`,
                e.resource.urn,
            );
            return;
        }
    }
    const arn = bucketArn(e);
    if (isUnknown(arn)) {
        f.unknown(label, "the bucket name (and so its ARN) is not known until apply", `${e.logicalName}.bucket`);
        return;
    }
    const parsed = parsePolicyDocument(doc);
    if (parsed.kind === "unknown") {
        f.unknown(label, `the document of ${source} is not known until apply`, `${e.logicalName}.policy`);
        return;
    }
    if (parsed.kind === "invalid") {
        f.fail(`${label}: ${source} cannot be evaluated: the policy ${parsed.error}. ${fixFor(arn, cfg)}`, urn);
        return;
    }
    const requirements = [plaintextRequirement()];
    if (cfg.requireTlsVersion) {
        requirements.push(tlsVersionRequirement(cfg.minimumTlsVersion));
    }
    const failures: string[] = [];
    let unknown = false;
    for (const req of requirements) {
        const v = judgeTransportDeny(parsed.doc.statements, req, targets(arn, req.transports.every((t) => t.secure)));
        if (v.status === "fail") {
            failures.push(`it does not ${req.title} (${v.detail})`);
        } else if (v.status === "unknown") {
            unknown = true;
        }
    }
    if (failures.length > 0) {
        f.fail(`${label}: ${source} does not enforce TLS for every request: ${failures.join("; ")}. ${fixFor(arn, cfg)}`, urn);
    } else if (unknown) {
        f.unknown(label, `statements of ${source} hold values not known until apply`, `${e.logicalName}.policy`);
    } else {
        f.pass();
    }
}

export const s3BucketTlsOnlyPolicy: StackValidationPolicy = {
    name: NAME,
    description:
        "Every S3 bucket has a bucket policy that denies all S3 actions to every principal on the bucket and its objects when aws:SecureTransport is false and, by default, when s3:TlsVersion is below 1.2.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: hipaa("164.312(e)(1)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)"),
    remediationSteps:
        "Attach one aws.s3.BucketPolicy (aws-native: aws-native.s3.BucketPolicy) per bucket with a Deny statement for Principal \"*\", Action " +
        "\"s3:*\", Resource [arn:aws:s3:::<bucket>, arn:aws:s3:::<bucket>/*] and Condition {\"Bool\": {\"aws:SecureTransport\": \"false\"}}, and a second " +
        "Deny with Condition {\"NumericLessThan\": {\"s3:TlsVersion\": \"1.2\"}}. Keep each condition in its own statement (IAM ANDs keys within a " +
        "statement), do not use NotPrincipal, and build the ARNs from the deterministic bucket name so the document is known at preview.",
    configSchema: configSchema(OPTIONS),
    validateStack: (args, report) => {
        const cfg = readConfig(NAME, args, OPTIONS);
        const index = buildS3Index(args.resources);
        const unresolved = index.unresolved.policy.length;
        judgeEachBucket(NAME, args, report, index, cfg.exemptions, (e, f) => judge(e, f, cfg, unresolved));
    },
};
