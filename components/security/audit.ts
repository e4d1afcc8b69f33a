/**
 * AuditTrail: the account's CloudTrail, its dedicated audit bucket and its CloudWatch Logs delivery.
 *
 * HIPAA mapping:
 * - 164.312(b) audit controls and 164.308(a)(1)(ii)(D) activity review: a multi-region trail with global service
 *   events, plus S3 data events (reads and writes) on every PHI bucket, so every access to ePHI is recorded.
 * - 164.312(c)(1)/(c)(2) integrity: log file validation (signed digest files) and, in prod, Object Lock on the
 *   audit bucket for the audit retention period.
 * - 164.312(a)(2)(iv) encryption: SSE-KMS with the logs key for log files, the bucket and the log group.
 * - 164.316(b)(2) retention: the log group and the Object Lock retention follow `logging.auditRetentionDays`.
 * The bucket also receives AWS Config's configuration history when `configDeliveryPrefix` is set (ComplianceMonitoring).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LifecycleSettings, ObjectLockSettings } from "../storage/settings";
import { PolicyStatement, policyJson, serviceTrustPolicy } from "../shared/iam";
import { bucketArn, bucketName, NamingContext, regionalArn, resourceName } from "../shared/naming";
import { KeyRef, PlatformContext } from "../shared/refs";
import { SecureBucket } from "../storage/secure-bucket";
import { configDeliveryBucketStatements } from "./compliance-monitoring";

export interface AuditTrailArgs {
    context: PlatformContext;
    /** Key of the log files, the audit bucket and the log group (`keys.logs`). */
    logsKey: KeyRef;
    /** `PlatformConfig.logging.auditRetentionDays`: log group retention and Object Lock retention (a CloudWatch value). */
    auditRetentionDays: number;
    /**
     * `PlatformConfig.dataLake.objectLock`: whether the audit bucket is locked. Its retention is replaced by
     * `auditRetentionDays`, so audit evidence is immutable exactly as long as it must be kept, and its mode by
     * COMPLIANCE (the lake's mode applies to the lake only): with GOVERNANCE, `s3:BypassGovernanceRetention` would let
     * an administrator delete evidence early. The bucket policy also denies that bypass to everyone.
     */
    objectLock: ObjectLockSettings;
    /** Lifecycle of the audit bucket (`dataLake.lifecycle.logs`). */
    lifecycle: LifecycleSettings;
    /** Server access log target (the platform's SSE-S3 log bucket). */
    accessLogBucketName: string;
    /** Destination of the audit bucket's S3 inventory. */
    inventoryBucketName: string;
    /**
     * Names of the buckets holding PHI; reads and writes of their objects are logged as data events. An empty list
     * logs no data events (only valid when the stack holds no PHI bucket).
     */
    phiBucketNames: string[];
    /**
     * Prefix under which AWS Config delivers into the audit bucket (ComplianceMonitoring's delivery channel): the bucket
     * policy then admits config.amazonaws.com for this account and region under `<prefix>/AWSLogs/<account>/Config/`.
     * @default undefined (no Config statements: Config is off or delivers elsewhere)
     */
    configDeliveryPrefix?: string;
    /**
     * Purpose segment of the audit bucket's name (`<prefix>-<env>-<purpose>-<account>-<region>`).
     * @default the component name (`audit` when wired as `new AuditTrail("audit", ...)`)
     */
    bucketPurpose?: string;
}

/** Everything about the trail that policies must know before it exists, derived from config only. */
export interface TrailIdentity {
    trailName: string;
    /** `arn:<partition>:cloudtrail:<home region>:<account>:trail/<name>`: the `aws:SourceArn` CloudTrail sends. */
    trailArn: string;
    logGroupName: string;
    logGroupArn: string;
}

export function trailIdentity(naming: NamingContext, name: string): TrailIdentity {
    const trailName = resourceName(naming, name);
    const logGroupName = `/aws/cloudtrail/${resourceName(naming, name, "logGroup")}`;
    return {
        trailName,
        trailArn: regionalArn(naming, "cloudtrail", `trail/${trailName}`),
        logGroupName,
        logGroupArn: regionalArn(naming, "logs", `log-group:${logGroupName}`),
    };
}

/**
 * Bucket policy statements CloudTrail needs (AWS's documented policy with the `aws:SourceArn` condition).
 * With Object Ownership `BucketOwnerEnforced` ACLs are disabled, but S3 still accepts a PutObject that carries the
 * `bucket-owner-full-control` canned ACL, which is what CloudTrail sends; so the `s3:x-amz-acl` condition stays and
 * any other ACL is refused. GetBucketAcl keeps working and is CloudTrail's pre-delivery check.
 */
export function cloudTrailBucketStatements(
    naming: NamingContext,
    auditBucketName: string,
    trailArn: string,
): PolicyStatement[] {
    const arn = bucketArn(naming, auditBucketName);
    const Principal = { Service: "cloudtrail.amazonaws.com" };
    return [
        { Sid: "AWSCloudTrailAclCheck", Effect: "Allow", Principal, Action: "s3:GetBucketAcl", Resource: arn, Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
        {
            // Audit evidence is WORM (164.312(c)(1), 164.316(b)(2)): the default retention is COMPLIANCE, and no
            // principal may bypass a GOVERNANCE retention either (an object written with an explicit one included).
            Sid: "DenyRetentionBypass",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:BypassGovernanceRetention",
            Resource: [arn, `${arn}/*`],
        },
        {
            Sid: "AWSCloudTrailWrite",
            Effect: "Allow",
            Principal,
            Action: "s3:PutObject",
            Resource: `${arn}/AWSLogs/${naming.accountId}/*`,
            Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
    ];
}

/** Advanced event selectors: every management event, and object-level reads and writes of the PHI buckets. */
export function auditEventSelectors(naming: NamingContext, phiBucketNames: string[]): aws.types.input.cloudtrail.TrailAdvancedEventSelector[] {
    // With advanced selectors, management events are logged only if a selector asks for them.
    const selectors: aws.types.input.cloudtrail.TrailAdvancedEventSelector[] = [
        { name: "All management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
    ];
    if (phiBucketNames.length > 0) {
        selectors.push({
            // No readOnly field: both reads (GetObject) and writes (PutObject, DeleteObject) are recorded.
            name: "PHI bucket object reads and writes",
            fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::S3::Object"] },
                { field: "resources.ARN", startsWiths: phiBucketNames.map((b) => `${bucketArn(naming, b)}/`) },
            ],
        });
    }
    return selectors;
}

export class AuditTrail extends pulumi.ComponentResource {
    readonly bucket: SecureBucket;
    readonly trail: aws.cloudtrail.Trail;
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** Deterministic trail name and ARN, known at preview. */
    readonly trailName: string;
    readonly trailArn: string;
    /** Name of the CloudTrail log group (known at preview; carries the dependency on the log group). */
    readonly logGroupName: pulumi.Output<string>;
    readonly bucketName: string;

    constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:security:AuditTrail", name, {}, opts);
        const { naming, protect } = args.context;
        const id = trailIdentity(naming, name);
        this.trailName = id.trailName;
        this.trailArn = id.trailArn;
        const duplicate = args.phiBucketNames.find((b, i) => args.phiBucketNames.indexOf(b) !== i);
        if (duplicate) {
            throw new Error(`AuditTrail '${name}': phiBucketNames lists '${duplicate}' twice`);
        }

        // The bucket's policy statements need its name before the SecureBucket exists: the naming helper gives the
        // same deterministic name SecureBucket uses (checked below).
        const purpose = args.bucketPurpose ?? name;
        const expectedBucketName = bucketName(naming, purpose);
        // The trail's own bucket is never a data-event source: logging CloudTrail's deliveries would feed back.
        this.bucket = new SecureBucket(
            `${name}-bucket`,
            {
                naming,
                purpose,
                // Log files name buckets, object keys and callers, not ePHI contents; Macie does not need to scan them.
                dataClassification: "confidential",
                encryption: "kms",
                kmsKey: args.logsKey,
                lifecycle: args.lifecycle,
                accessLogBucketName: args.accessLogBucketName,
                inventoryBucketName: args.inventoryBucketName,
                // COMPLIANCE whatever the lake's mode: GOVERNANCE lets anyone with s3:BypassGovernanceRetention delete
                // audit evidence early; in COMPLIANCE no one can, the root user included, until the retention ends.
                objectLock: { ...args.objectLock, mode: "COMPLIANCE", retentionDays: args.auditRetentionDays },
                additionalPolicyStatements: [
                    ...cloudTrailBucketStatements(naming, expectedBucketName, id.trailArn),
                    ...(args.configDeliveryPrefix === undefined ? [] : configDeliveryBucketStatements(naming, expectedBucketName, args.configDeliveryPrefix)),
                ],
                // CloudTrail encrypts log files with the trail's key (SSE-KMS) but writes the hourly digest files of log
                // file validation with SSE-S3 (CloudTrail User Guide, "Encrypting CloudTrail log files with AWS KMS keys").
                // A deny on any encryption header but aws:kms would silently stop digest delivery and with it the
                // integrity control (164.312(c)(2)); the bucket's default encryption still applies the logs key to
                // every upload that names no encryption, and only CloudTrail writes here.
                requireKmsUploads: false,
                protect,
            },
            { parent: this },
        );
        this.bucketName = this.bucket.bucketName;
        if (this.bucketName !== expectedBucketName) {
            throw new Error(`AuditTrail '${name}': SecureBucket named the audit bucket '${this.bucketName}', but its policy was written for '${expectedBucketName}' (naming.bucketName)`);
        }
        if (args.phiBucketNames.includes(this.bucketName)) {
            throw new Error(`AuditTrail '${name}': phiBucketNames must not include the audit bucket itself (${this.bucketName})`);
        }

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                name: id.logGroupName,
                kmsKeyId: args.logsKey.arn,
                retentionInDays: args.auditRetentionDays,
                deletionProtectionEnabled: protect,
            },
            { parent: this, protect },
        );
        this.logGroupName = this.logGroup.name;

        const role = new aws.iam.Role(
            `${name}-cloudwatch-role`,
            {
                name: resourceName(naming, `${name}-cloudtrail-to-logs`, "iam"),
                description: "CloudTrail delivery of this trail's events to its CloudWatch Logs group",
                assumeRolePolicy: serviceTrustPolicy("cloudtrail.amazonaws.com", { sourceAccount: naming.accountId, sourceArn: id.trailArn, sourceArnExact: true }),
            },
            { parent: this },
        );
        const delivery = new aws.iam.RolePolicy(
            `${name}-cloudwatch-delivery`,
            {
                name: "deliver-trail-events",
                role: role.name,
                policy: policyJson([
                    {
                        Sid: "WriteTrailStreams",
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        // A multi-region trail writes one stream per source region, all named <account>_CloudTrail_<region>.
                        Resource: `${id.logGroupArn}:log-stream:${naming.accountId}_CloudTrail_*`,
                    },
                ]),
            },
            { parent: this },
        );

        this.trail = new aws.cloudtrail.Trail(
            `${name}-trail`,
            {
                name: id.trailName,
                s3BucketName: this.bucket.bucketName,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                kmsKeyId: args.logsKey.arn,
                // CloudTrail wants the stream wildcard on the group ARN.
                cloudWatchLogsGroupArn: pulumi.interpolate`${this.logGroup.arn}:*`,
                cloudWatchLogsRoleArn: role.arn,
                advancedEventSelectors: auditEventSelectors(naming, args.phiBucketNames),
            },
            // CreateTrail checks the bucket policy and the role first: wait for the whole SecureBucket and the policy.
            { parent: this, protect, dependsOn: [this.bucket, delivery] },
        );

        this.registerOutputs({
            trailName: this.trailName,
            trailArn: this.trailArn,
            bucketName: this.bucketName,
            logGroupName: this.logGroupName,
        });
    }
}
