/**
 * Encryption at rest for S3 (HIPAA 164.312(a)(2)(iv)): default encryption with a customer-managed KMS key.
 *
 * Why customer-managed: S3 encrypts every object with SSE-S3 since January 2023, but with S3-owned keys there
 * is no key policy to revoke access and no CloudTrail record of key use per request. The AWS managed key
 * `aws/s3` has a fixed key policy, so it is rejected too.
 *
 * SSE-S3 is accepted only where the real cloud requires it or the pack config allows it:
 * - server access log target buckets: S3 delivers access logs only to buckets whose default encryption is
 *   SSE-S3 ("Default server-side encryption with AWS KMS keys (SSE-KMS) is not supported", S3 User Guide,
 *   "Enabling Amazon S3 server access logging");
 * - Elastic Load Balancing access-log buckets: "The only server-side encryption option that's supported is
 *   Amazon S3-managed keys (SSE-S3)" (ELB User Guide, access logs);
 * both only when the log source is in the same stack, so the pack can see the relationship;
 * - buckets matching `sseS3AllowedBucketPatterns`, or every bucket with `allowSseS3: true`.
 * S3 Inventory and CloudTrail destinations support SSE-KMS with a key policy that grants the service, so they
 * get no allowance.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { hipaa } from "../../lib/hipaa";
import { configSchema, ConfigOf, option, readConfig } from "../../lib/config";
import { bucketPatternsOption, s3Options } from "../../lib/s3/config";
import { defaultEncryptionRules } from "../../lib/s3/encryption";
import { BucketEntry, bucketLabel, buildS3Index } from "../../lib/s3/buckets";
import { judgeEachBucket, S3Findings } from "../../lib/s3/report";
import { isUnknown } from "../../lib/values";

const NAME = "s3-bucket-kms-encryption";

/** Resource types whose output is a customer-managed KMS key (an unknown key id that depends on one is a CMK). */
const CMK_TYPES = new Set([
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
    "aws:kms/alias:Alias",
    "aws-native:kms:Key",
    "aws-native:kms:ReplicaKey",
    "aws-native:kms:Alias",
]);

const FIX =
    'Fix: give the bucket an aws.s3.BucketServerSideEncryptionConfiguration with applyServerSideEncryptionByDefault { sseAlgorithm: "aws:kms" ' +
    '(or "aws:kms:dsse"), kmsMasterKeyId: <customer-managed key ARN> } and bucketKeyEnabled: true (aws-native: bucketEncryption.' +
    "serverSideEncryptionConfiguration[].serverSideEncryptionByDefault).";

const OPTIONS = s3Options({
    allowSseS3: option.boolean(false, "Accept SSE-S3 (AES256) on every bucket. Off: only customer-managed KMS keys count."),
    sseS3AllowedBucketPatterns: bucketPatternsOption("Bucket name patterns (wildcards or /regex/) that may use SSE-S3, for log targets the stack cannot show."),
    allowSseS3ForLogTargets: option.boolean(
        true,
        "Accept SSE-S3 on buckets that are the target of an S3 server access logging configuration or load balancer access logs in the same stack (AWS supports only SSE-S3 there).",
    ),
});

export type S3EncryptionConfig = ConfigOf<typeof OPTIONS>;

function isAwsManagedS3Key(keyId: string): boolean {
    return keyId === "alias/aws/s3" || /:alias\/aws\/s3$/.test(keyId);
}

/** Why SSE-S3 is acceptable for this bucket, or undefined. */
function sseS3Allowance(e: BucketEntry, cfg: S3EncryptionConfig): string | undefined {
    if (cfg.allowSseS3) {
        return "allowSseS3 is true";
    }
    const names = [typeof e.name === "string" ? e.name : undefined, e.logicalName];
    const match = cfg.sseS3AllowedBucketPatterns.find((p) => names.some((n) => n !== undefined && p.test(n)));
    if (match) {
        return `it matches sseS3AllowedBucketPatterns '${match.source}'`;
    }
    if (cfg.allowSseS3ForLogTargets && e.logTargetOf.length > 0) {
        const src = e.logTargetOf[0];
        return `it receives ${src.via === "load balancer" ? "load balancer access logs" : "S3 server access logs"} from '${src.resource.name}', which AWS delivers only to SSE-S3 buckets`;
    }
    return undefined;
}

function judge(e: BucketEntry, f: S3Findings, cfg: S3EncryptionConfig, unresolved: number): void {
    const label = bucketLabel(e);
    const sides = e.sides.encryption;
    if (sides.length > 1) {
        f.fail(
            `${label} is managed by ${sides.length} encryption configurations (${sides.map((s) => `'${s.resource.name}'`).join(", ")}); ` +
                "S3 keeps only the last one applied, so the effective default encryption is undefined. Fix: keep exactly one " +
                "aws.s3.BucketServerSideEncryptionConfiguration per bucket.",
            e.resource.urn,
        );
        return;
    }
    let rules = defaultEncryptionRules(e);
    if (!isUnknown(rules) && rules.length === 0 && sides.length === 0 && unresolved > 0) {
        f.unknown(label, `${unresolved} encryption configuration(s) name a bucket that is not known until apply and may belong to it`, `${e.logicalName}.encryption`);
        return;
    }
    if (isUnknown(rules)) {
        f.unknown(label, "its default encryption rules are not known until apply", `${e.logicalName}.encryption`);
        return;
    }
    if (rules.length === 0) {
        // No configuration: S3 applies SSE-S3 to every new object.
        rules = [{ algorithm: "AES256", keyId: undefined, source: "S3's default (no encryption configuration in the stack)", urn: e.resource.urn, deps: [] }];
    }

    const problems: string[] = [];
    let unknown = false;
    for (const r of rules) {
        if (isUnknown(r.algorithm)) {
            unknown = true;
            continue;
        }
        if (r.algorithm === "aws:kms" || r.algorithm === "aws:kms:dsse") {
            if (r.keyId === undefined || r.keyId === "") {
                problems.push(`${r.source} uses ${r.algorithm} without kmsMasterKeyId, which means the AWS managed key aws/s3`);
            } else if (isUnknown(r.keyId)) {
                if (!r.deps.some((d) => CMK_TYPES.has(d.type))) {
                    unknown = true;
                }
            } else if (isAwsManagedS3Key(r.keyId)) {
                problems.push(`${r.source} uses the AWS managed key ${r.keyId}, whose key policy cannot be restricted or revoked`);
            }
        } else if (r.algorithm === "AES256") {
            const allowance = sseS3Allowance(e, cfg);
            if (!allowance) {
                problems.push(`${r.source} sets SSE-S3 (AES256), which uses keys you cannot audit or revoke`);
            }
        } else {
            problems.push(`${r.source} sets sseAlgorithm ${JSON.stringify(r.algorithm)}, not aws:kms or aws:kms:dsse`);
        }
    }
    if (problems.length > 0) {
        f.fail(`${label} is not encrypted at rest with a customer-managed KMS key: ${problems.join("; ")}. ${FIX}`, rules[0].urn);
    } else if (unknown) {
        f.unknown(label, "its encryption algorithm or KMS key is not known until apply", `${e.logicalName}.encryption`);
    } else {
        f.pass();
    }
}

export const s3BucketKmsEncryption: StackValidationPolicy = {
    name: NAME,
    description:
        "Every S3 bucket encrypts new objects by default with SSE-KMS or DSSE-KMS under a customer-managed KMS key; SSE-S3 only where AWS requires it for log delivery or the pack config allows it.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: hipaa("164.312(a)(2)(iv)"),
    remediationSteps:
        "Create a customer-managed aws.kms.Key (rotation enabled) and an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with " +
        'sseAlgorithm "aws:kms" and kmsMasterKeyId set to the key ARN, bucketKeyEnabled true. For aws-native buckets set bucketEncryption.' +
        "serverSideEncryptionConfiguration. Buckets that receive S3 server access logs or load balancer logs from the same stack may keep AES256; " +
        "other SSE-S3 buckets need an explicit allowance (sseS3AllowedBucketPatterns) or an exemption with a reason.",
    configSchema: configSchema(OPTIONS),
    validateStack: (args, report) => {
        const cfg = readConfig(NAME, args, OPTIONS);
        const index = buildS3Index(args.resources);
        const unresolved = index.unresolved.encryption.length;
        judgeEachBucket(NAME, args, report, index, cfg.exemptions, (e, f) => judge(e, f, cfg, unresolved));
    },
};
