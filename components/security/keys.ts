/**
 * PlatformKeys: one customer-managed KMS key per data domain (HIPAA 164.312(a)(2)(iv) encryption at rest).
 *
 * Why one key per domain: a grant on the streaming key does not open the data lake, a domain's key can be
 * disabled during an incident without stopping the others, and CloudTrail shows key use per domain.
 *
 * Key policies (built with the shared IAM document builder from deterministic ARNs, so they are known at
 * preview) grant only:
 * - the account root, which is AWS's default "enable IAM policies" statement: it does not let anyone outside the
 *   account in, it makes IAM identity policies (such as `AccessRoles`, with `kms:ViaService`) the place where use of
 *   the key is granted, and it keeps the key manageable if an administrator role is deleted (without it a key can
 *   become unmanageable; AWS KMS Developer Guide, "Default key policy");
 * - optional key administrators (management actions only, no cryptographic use);
 * - the AWS service principals each domain needs, each pinned to this account with `aws:SourceAccount`,
 *   `aws:SourceArn` or `kms:CallerAccount`, and to this stack's resources with encryption-context conditions:
 *   - data lake: `s3.amazonaws.com` for SSE-KMS inventory reports (S3 User Guide, "Configuring Amazon S3
 *     Inventory": kms:GenerateDataKey, aws:SourceAccount, aws:SourceArn of the source bucket);
 *     `macie.amazonaws.com` for sensitive data discovery results (Macie User Guide, "Storing and retaining
 *     sensitive data discovery results": kms:GenerateDataKey and kms:Encrypt, aws:SourceAccount, aws:SourceArn of
 *     the export configuration and classification jobs); Macie's service-linked role to decrypt the objects it
 *     scans, only through S3;
 *   - logs: `s3.amazonaws.com` for inventory reports of buckets on this key (the audit bucket);
 *     `logs.<region>.amazonaws.com` for log groups of this account (kms:EncryptionContext:aws:logs:arn);
 *     `cloudtrail.amazonaws.com` for this stack's trails (aws:SourceArn and
 *     kms:EncryptionContext:aws:cloudtrail:arn); `cloudwatch.amazonaws.com` (alarm actions) and
 *     `events.amazonaws.com` (EventBridge rules) publishing to this stack's encrypted SNS topics
 *     (kms:EncryptionContext:aws:sns:topicArn); `config.amazonaws.com` delivering configuration history to the audit
 *     bucket (aws:SourceAccount, aws:SourceArn of Config in this region).
 * Databases, streaming, secrets and backup keys are used by AWS services on behalf of IAM principals (grants and
 * `kms:ViaService`), which IAM policies authorise; they need no service principal.
 *
 * Rotation is on (yearly), the deletion window comes from config (`kmsDeletionWindowDays`, 30 in prod), and in prod
 * each key carries `protect`: deleting a key makes everything encrypted with it unreadable.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement, policyJson } from "../shared/iam";
import { accountRootArn, globalArn, NamingContext, regionalArn, resourceName } from "../shared/naming";
import { KeyRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { classificationTags, DataClassification } from "../shared/tags";


export type KeyDomain = keyof PlatformKeyRefs;

export const KEY_DOMAINS: readonly KeyDomain[] = ["dataLake", "databases", "streaming", "logs", "secrets", "backup"];

/** Name segment of each domain's alias (`alias/<prefix>-<env>-<segment>`) and child resources. */
export const KEY_DOMAIN_SEGMENT: Readonly<Record<KeyDomain, string>> = {
    dataLake: "data-lake",
    databases: "databases",
    streaming: "streaming",
    logs: "logs",
    secrets: "secrets",
    backup: "backup",
};

/** What each domain's key protects (key description and the resource-level classification tag). */
const DOMAIN_INFO: Readonly<Record<KeyDomain, { description: string; classification: DataClassification }>> = {
    dataLake: { description: "S3 data lake zones, Athena results, Glue, Macie discovery results, S3 inventory", classification: "phi" },
    databases: { description: "RDS, Aurora, Redshift, DynamoDB, ElastiCache, EFS, EBS", classification: "phi" },
    streaming: { description: "Kinesis Data Streams and Firehose", classification: "phi" },
    logs: { description: "CloudWatch Logs, CloudTrail, the SNS alert topic, SQS dead-letter queues", classification: "confidential" },
    secrets: { description: "Secrets Manager secrets", classification: "confidential" },
    backup: { description: "AWS Backup vault", classification: "phi" },
};

/**
 * Management actions of a key administrator, named one by one: no cryptographic use, and no `kms:CreateGrant`
 * (which AWS's console default includes through `kms:Create*` and which would let an administrator grant itself
 * Decrypt without changing the key policy, leaving no policy change to alarm on).
 */
export const KEY_ADMINISTRATION_ACTIONS = [
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:CreateAlias",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
    "kms:UpdateKeyDescription",
    "kms:EnableKey",
    "kms:DisableKey",
    "kms:EnableKeyRotation",
    "kms:DisableKeyRotation",
    "kms:RotateKeyOnDemand",
    "kms:RevokeGrant",
    "kms:RetireGrant",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
];

/** Macie's service-linked role, which reads (and so decrypts) the objects a classification job analyses. */
export function macieServiceLinkedRoleArn(naming: NamingContext): string {
    return globalArn(naming, "iam", "role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie");
}

/** EC2 Auto Scaling's service-linked role, which launches instances with encrypted EBS volumes. */
export function autoScalingServiceLinkedRoleArn(naming: NamingContext): string {
    return globalArn(naming, "iam", "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
}

/** DNS suffix of service endpoints and regional service principals in the partition. */
function dnsSuffix(naming: NamingContext): string {
    return naming.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

/** `alias/<prefix>-<env>[-<qualifier>]-<segment>`, known at preview. */
export function keyAliasName(naming: NamingContext, domain: KeyDomain, qualifier = ""): string {
    return `alias/${resourceName(naming, `${qualifier ? `${qualifier}-` : ""}${KEY_DOMAIN_SEGMENT[domain]}`)}`;
}

export interface PlatformKeysArgs {
    /** Naming (aliases, ARNs in policies) and `protect` (prod). */
    context: PlatformContext;
    /** Days a key scheduled for deletion can still be recovered: `security.kmsDeletionWindowDays` (KMS allows 7-30). */
    deletionWindowInDays: number;
    /**
     * IAM roles or users of this account that administer the keys (policy, rotation, deletion) but cannot use them.
     * Administration is otherwise delegated to IAM through the account root statement.
     * @default []
     */
    administratorArns?: string[];
    /** Days between automatic rotations (KMS allows 90-2560). @default 365 */
    rotationPeriodInDays?: number;
    /**
     * Extra segment in alias names for a second key set in the same account and region
     * (`alias/hdp-prod-<qualifier>-data-lake`). @default "" (`alias/hdp-prod-data-lake`)
     */
    aliasQualifier?: string;
}

export class PlatformKeys extends pulumi.ComponentResource {
    /** Key references for other components (ARN unknown at preview; alias known). */
    readonly refs: PlatformKeyRefs;
    readonly keys: Readonly<Record<KeyDomain, aws.kms.Key>>;
    readonly aliases: Readonly<Record<KeyDomain, aws.kms.Alias>>;
    /** Key policy documents (JSON), known at preview. */
    readonly policies: Readonly<Record<KeyDomain, pulumi.Output<string>>>;
    readonly dataLake: aws.kms.Key;
    readonly databases: aws.kms.Key;
    readonly streaming: aws.kms.Key;
    readonly logs: aws.kms.Key;
    readonly secrets: aws.kms.Key;
    readonly backup: aws.kms.Key;

    constructor(name: string, args: PlatformKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:security:PlatformKeys", name, {}, opts);
        const { naming, protect } = args.context;
        const what = `PlatformKeys '${name}'`;
        // deletionWindowInDays and administratorArns are validated with the config (components/security/settings.ts).
        const window = args.deletionWindowInDays;
        const rotation = args.rotationPeriodInDays ?? 365;
        if (!Number.isInteger(rotation) || rotation < 90 || rotation > 2560) {
            throw new Error(`${what}: rotationPeriodInDays must be a whole number from 90 to 2560 (KMS limits), got ${rotation}`);
        }
        const admins = args.administratorArns ?? [];
        const qualifier = args.aliasQualifier ?? "";
        if (qualifier !== "" && !/^[a-z][a-z0-9-]{0,20}$/.test(qualifier)) {
            throw new Error(`${what}: aliasQualifier must be 1-21 lowercase letters, digits and hyphens starting with a letter, got '${qualifier}'`);
        }

        const keys = {} as Record<KeyDomain, aws.kms.Key>;
        const aliases = {} as Record<KeyDomain, aws.kms.Alias>;
        const policies = {} as Record<KeyDomain, pulumi.Output<string>>;
        const refs = {} as Record<KeyDomain, KeyRef>;
        for (const domain of KEY_DOMAINS) {
            const segment = KEY_DOMAIN_SEGMENT[domain];
            const role = qualifier ? `${qualifier}-${segment}` : segment;
            const aliasName = keyAliasName(naming, domain, qualifier);
            const statements = [...baseStatements(naming, admins), ...serviceStatements(naming, domain)];
            policies[domain] = policyJson(statements);
            keys[domain] = new aws.kms.Key(
                `${name}-${role}`,
                {
                    description: `${aliasName}: ${DOMAIN_INFO[domain].description} (HIPAA 164.312(a)(2)(iv))`,
                    keyUsage: "ENCRYPT_DECRYPT",
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    enableKeyRotation: true,
                    rotationPeriodInDays: rotation,
                    deletionWindowInDays: window,
                    // A single-region key: a multi-Region replica would copy key material out of the stack's region.
                    multiRegion: false,
                    // Never skip KMS's check that the policy leaves the caller able to manage the key.
                    bypassPolicyLockoutSafetyCheck: false,
                    policy: policies[domain],
                    tags: classificationTags(DOMAIN_INFO[domain].classification, { "key-domain": segment }),
                },
                { parent: this, protect },
            );
            aliases[domain] = new aws.kms.Alias(`${name}-${role}-alias`, { name: aliasName, targetKeyId: keys[domain].keyId }, { parent: this });
            refs[domain] = { arn: keys[domain].arn, aliasName };
        }

        this.keys = keys;
        this.aliases = aliases;
        this.policies = policies;
        this.refs = refs;
        this.dataLake = keys.dataLake;
        this.databases = keys.databases;
        this.streaming = keys.streaming;
        this.logs = keys.logs;
        this.secrets = keys.secrets;
        this.backup = keys.backup;

        this.registerOutputs({
            keyArns: Object.fromEntries(KEY_DOMAINS.map((d) => [d, keys[d].arn])),
            aliasNames: Object.fromEntries(KEY_DOMAINS.map((d) => [d, refs[d].aliasName])),
        });
    }
}

/** Statements every key has: the account (IAM delegation) and, if any, the administrators. */
function baseStatements(naming: NamingContext, admins: string[]): PolicyStatement[] {
    const statements: PolicyStatement[] = [
        { Sid: "EnableIamPoliciesOfThisAccount", Effect: "Allow", Principal: { AWS: accountRootArn(naming) }, Action: "kms:*", Resource: "*" },
    ];
    if (admins.length > 0) {
        statements.push({ Sid: "KeyAdministrators", Effect: "Allow", Principal: { AWS: admins }, Action: KEY_ADMINISTRATION_ACTIONS, Resource: "*" });
    }
    return statements;
}

/** The service principals a domain's key serves, each limited to this account and this stack's resources. */
export function serviceStatements(naming: NamingContext, domain: KeyDomain): PolicyStatement[] {
    const { partition, region, accountId, prefix, environment } = naming;
    const stack = `${prefix}-${environment}-`;
    const sourceAccount = { "aws:SourceAccount": accountId };
    const thisStacksTrails = regionalArn(naming, "cloudtrail", `trail/${stack}*`);
    // A SecureBucket's inventory report is encrypted with the bucket's own key by default, and buckets use the
    // data-lake key (lake zones, inventory, Macie results) or the logs key (audit bucket).
    const inventoryReports: PolicyStatement = {
        Sid: "AllowS3InventoryReportsOfThisStacksBuckets",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "kms:GenerateDataKey",
        Resource: "*",
        Condition: { StringEquals: sourceAccount, ArnLike: { "aws:SourceArn": `arn:${partition}:s3:::${stack}*` } },
    };
    switch (domain) {
        case "dataLake":
            return [
                inventoryReports,
                {
                    Sid: "AllowMacieToEncryptDiscoveryResults",
                    Effect: "Allow",
                    Principal: { Service: "macie.amazonaws.com" },
                    Action: ["kms:GenerateDataKey", "kms:Encrypt"],
                    Resource: "*",
                    Condition: {
                        StringEquals: sourceAccount,
                        ArnLike: { "aws:SourceArn": [regionalArn(naming, "macie2", "export-configuration:*"), regionalArn(naming, "macie2", "classification-job/*")] },
                    },
                },
                {
                    // Principal "*" narrowed by aws:PrincipalArn: naming the role as principal would make KMS reject the
                    // policy until Macie is enabled and has created its service-linked role.
                    Sid: "AllowMacieServiceLinkedRoleToReadObjectsThroughS3",
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: ["kms:Decrypt", "kms:DescribeKey"],
                    Resource: "*",
                    Condition: {
                        ArnEquals: { "aws:PrincipalArn": macieServiceLinkedRoleArn(naming) },
                        StringEquals: { "kms:CallerAccount": accountId, "kms:ViaService": `s3.${region}.${dnsSuffix(naming)}` },
                    },
                },
            ];
        case "databases": {
            // The databases key is the account's EBS default key (AccountGuardrails). Auto Scaling launches through its
            // service-linked role, whose AWS-managed policy grants no KMS use: AWS requires the key policy to name it
            // ("Required AWS KMS key policy for use with encrypted volumes", EC2 Auto Scaling user guide), or every
            // encrypted launch through Auto Scaling fails account-wide. Principal "*" narrowed by aws:PrincipalArn:
            // naming the role would make KMS reject the policy in an account where Auto Scaling has not created it yet.
            const autoScaling = { ArnEquals: { "aws:PrincipalArn": autoScalingServiceLinkedRoleArn(naming) }, StringEquals: { "kms:CallerAccount": accountId } };
            return [
                {
                    Sid: "AllowAutoScalingServiceLinkedRoleToUseTheKey",
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                    Resource: "*",
                    Condition: autoScaling,
                },
                {
                    Sid: "AllowAutoScalingServiceLinkedRoleToGrantForVolumes",
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "kms:CreateGrant",
                    Resource: "*",
                    Condition: { ...autoScaling, Bool: { "kms:GrantIsForAWSResource": "true" } },
                },
            ];
        }
        case "logs":
            return [
                inventoryReports,
                {
                    Sid: "AllowCloudWatchLogsForThisAccountsLogGroups",
                    Effect: "Allow",
                    Principal: { Service: `logs.${region}.${dnsSuffix(naming)}` },
                    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    Resource: "*",
                    Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": regionalArn(naming, "logs", "log-group:*") } },
                },
                {
                    Sid: "AllowCloudTrailToEncryptThisStacksTrails",
                    Effect: "Allow",
                    Principal: { Service: "cloudtrail.amazonaws.com" },
                    Action: "kms:GenerateDataKey*",
                    Resource: "*",
                    Condition: {
                        StringEquals: sourceAccount,
                        ArnLike: { "aws:SourceArn": thisStacksTrails },
                        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition}:cloudtrail:*:${accountId}:trail/*` },
                    },
                },
                {
                    Sid: "AllowCloudTrailToDescribeKey",
                    Effect: "Allow",
                    Principal: { Service: "cloudtrail.amazonaws.com" },
                    Action: "kms:DescribeKey",
                    Resource: "*",
                    Condition: { StringEquals: sourceAccount, ArnLike: { "aws:SourceArn": thisStacksTrails } },
                },
                {
                    // AWS Config delivers configuration history and snapshots SSE-KMS into the audit bucket as the
                    // Config service principal (its service-linked role has no S3 or KMS permissions; Config
                    // Developer Guide, "Permissions for the KMS Key"), only for Config of this account and region.
                    Sid: "AllowConfigToEncryptDeliveries",
                    Effect: "Allow",
                    Principal: { Service: "config.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                    Resource: "*",
                    Condition: { StringEquals: sourceAccount, ArnLike: { "aws:SourceArn": regionalArn(naming, "config", "*") } },
                },
                ...["cloudwatch.amazonaws.com", "events.amazonaws.com"].map(
                    (principal): PolicyStatement => ({
                        Sid: principal.startsWith("cloudwatch") ? "AllowCloudWatchAlarmsToPublishToEncryptedTopics" : "AllowEventBridgeToPublishToEncryptedTopics",
                        Effect: "Allow",
                        Principal: { Service: principal },
                        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                        Resource: "*",
                        Condition: { StringEquals: sourceAccount, ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": regionalArn(naming, "sns", `${stack}*`) } },
                    }),
                ),
            ];
        default:
            return [];
    }
}
