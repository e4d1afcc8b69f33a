/**
 * SecurityMonitoring: CIS metric filters and alarms on the CloudTrail log group, EventBridge rules for Macie,
 * GuardDuty and S3 public-access changes, all notifying the stakeholders through one KMS-encrypted SNS topic.
 *
 * HIPAA mapping: 164.308(a)(1)(ii)(D) information system activity review, 164.308(a)(6) security incident
 * procedures (incidents reach named people), 164.312(b) audit controls. E-mail is not a safe channel for ePHI,
 * so the messages carry identifiers (finding type, bucket, actor), never object keys or sample data.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, policyDocument, policyJson } from "../shared/iam";
import { NamingContext, regionalArn, resourceName } from "../shared/naming";
import { KeyRef, PlatformContext } from "../shared/refs";

export type FindingSeverity = "Low" | "Medium" | "High";

/** One CIS AWS Foundations Benchmark monitoring control: a metric filter on the trail's log group and its alarm. */
export interface CisMetricControl {
    /** Short id used in resource, metric and alarm names. */
    id: string;
    /** CIS AWS Foundations Benchmark v1.5/v3.0 section 4 (Security Hub CloudWatch.*) control. */
    cis: string;
    description: string;
    /** The benchmark's filter pattern, verbatim. */
    pattern: string;
}

/**
 * The benchmark's filter patterns (CIS AWS Foundations v1.5.0/v3.0.0 section 4; the same patterns back
 * Security Hub controls CloudWatch.1-11). Changing a pattern here changes what is detected: keep them verbatim.
 */
export const CIS_METRIC_CONTROLS: readonly CisMetricControl[] = [
    {
        id: "unauthorized-api-calls",
        cis: "4.1",
        description: "Unauthorized API calls (AccessDenied / UnauthorizedOperation)",
        pattern:
            '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    },
    {
        id: "console-signin-without-mfa",
        cis: "4.2",
        description: "Management Console sign-in without MFA",
        pattern:
            '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    },
    {
        id: "root-account-usage",
        cis: "4.3",
        description: "Use of the root account",
        pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    },
    {
        id: "iam-policy-changes",
        cis: "4.4",
        description: "IAM policy changes",
        pattern:
            "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
    },
    {
        id: "cloudtrail-changes",
        cis: "4.5",
        description: "CloudTrail configuration changes",
        pattern:
            "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    },
    {
        id: "kms-key-disable-or-deletion",
        cis: "4.7",
        description: "Disabling or scheduled deletion of customer-managed KMS keys",
        pattern: "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    },
    {
        id: "s3-bucket-policy-changes",
        cis: "4.8",
        description: "S3 bucket policy and ACL changes",
        pattern:
            "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    },
    {
        id: "security-group-changes",
        cis: "4.10",
        description: "Security group changes",
        pattern:
            "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    },
    {
        id: "nacl-changes",
        cis: "4.11",
        description: "Network ACL changes",
        pattern:
            "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    },
];

/** Metric namespace of the CIS metrics (the benchmark's suggestion; one namespace groups them in the console). */
export const CIS_METRIC_NAMESPACE = "CISBenchmark";

/** Macie severity descriptions at or above a minimum (Macie findings carry `detail.severity.description`). */
export function macieSeveritiesAtOrAbove(minimum: FindingSeverity): FindingSeverity[] {
    const order: FindingSeverity[] = ["Low", "Medium", "High"];
    return order.slice(order.indexOf(minimum));
}

/**
 * GuardDuty's numeric bands: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0. The rule matches
 * `detail.severity >= ` the band's lower bound, so Critical findings are always included.
 */
export const GUARDDUTY_SEVERITY_FLOOR: Record<FindingSeverity, number> = { Low: 1, Medium: 4, High: 7 };

/**
 * CloudTrail event names that change who can reach a bucket from outside: the bucket's and the account's public
 * access block, the bucket policy, ACLs and Object Ownership (re-enabling ACLs).
 */
export const S3_PUBLIC_ACCESS_EVENT_NAMES: readonly string[] = [
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutAccountPublicAccessBlock",
    "DeleteAccountPublicAccessBlock",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "PutObjectAcl",
    "PutBucketOwnershipControls",
    "DeleteBucketOwnershipControls",
];

export interface SecurityMonitoringArgs {
    context: PlatformContext;
    /** Key of the SNS topic (`keys.logs`); its key policy must let cloudwatch.amazonaws.com and events.amazonaws.com use it. */
    logsKey: KeyRef;
    /** `PlatformConfig.alertEmails`: each gets an e-mail subscription (confirmed by the recipient). */
    alertEmails: string[];
    /** Name of the CloudTrail log group the metric filters read (`AuditTrail.logGroupName`). */
    trailLogGroupName: pulumi.Input<string>;
    /** `security.macie.alertMinimumSeverity`: Macie findings at or above it reach the topic. */
    macieMinimumSeverity: FindingSeverity;
    /**
     * GuardDuty findings at or above this band reach the topic.
     * @default "Low" (every GuardDuty finding)
     */
    guardDutyMinimumSeverity?: FindingSeverity;
    /**
     * Names of EventBridge rules of other components that publish to the topic (for example ComplianceMonitoring's
     * Config and Security Hub rules, `complianceNames(...).ruleNames`): the topic policy admits them by ARN, as it
     * admits this component's own rules. Names, not ARNs: the ARNs are built in this account and region.
     * @default []
     */
    externalRuleNames?: string[];
    /**
     * Alarm on the CIS metrics after this many matching events in five minutes.
     * @default 1 (every occurrence)
     */
    alarmThreshold?: number;
}

/** Deterministic names of everything the topic policy names, known at preview. */
export interface MonitoringNames {
    topicName: string;
    topicArn: string;
    alarmNames: Record<string, string>;
    ruleNames: Record<"macie" | "guardduty" | "s3PublicAccess", string>;
    /** Rules of other components allowed to publish (`SecurityMonitoringArgs.externalRuleNames`). */
    externalRuleNames: string[];
}

export function monitoringNames(naming: NamingContext, name: string, externalRuleNames: string[] = []): MonitoringNames {
    const topicName = resourceName(naming, `${name}-alerts`, "sns");
    return {
        topicName,
        topicArn: regionalArn(naming, "sns", topicName),
        alarmNames: Object.fromEntries(CIS_METRIC_CONTROLS.map((c) => [c.id, resourceName(naming, `${name}-cis-${c.cis}-${c.id}`)])),
        ruleNames: {
            macie: resourceName(naming, `${name}-macie-findings`),
            guardduty: resourceName(naming, `${name}-guardduty-findings`),
            s3PublicAccess: resourceName(naming, `${name}-s3-public-access-changes`),
        },
        externalRuleNames,
    };
}

/**
 * Topic policy: CloudWatch may publish for any alarm of this stack (its `<prefix>-<environment>-` name prefix, in this
 * account and region: the CIS alarms here and the analytics alarms on function errors, dead letters and inventory
 * findings), EventBridge only for this account's named rules, and nobody may publish or subscribe without TLS.
 * Another stack of the account (another environment prefix) or another account cannot publish.
 */
export function alertTopicPolicy(naming: NamingContext, names: MonitoringNames): PolicyDocument {
    const alarmArns = regionalArn(naming, "cloudwatch", `alarm:${naming.prefix}-${naming.environment}-*`);
    const ruleArns = [...Object.values(names.ruleNames), ...names.externalRuleNames].map((r) => regionalArn(naming, "events", `rule/${r}`));
    return policyDocument([
        {
            Sid: "CloudWatchAlarmsOfThisAccount",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: names.topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": naming.accountId }, ArnLike: { "aws:SourceArn": alarmArns } },
        },
        {
            Sid: "EventBridgeRulesOfThisAccount",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sns:Publish",
            Resource: names.topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": naming.accountId }, ArnEquals: { "aws:SourceArn": ruleArns } },
        },
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: ["sns:Publish", "sns:Subscribe"],
            Resource: names.topicArn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ]);
}

/** EventBridge patterns, exported so tests can match sample events against them. */
export function findingPatterns(args: Pick<SecurityMonitoringArgs, "macieMinimumSeverity" | "guardDutyMinimumSeverity">): Record<"macie" | "guardduty" | "s3PublicAccess", Record<string, unknown>> {
    const guardDutyMin = args.guardDutyMinimumSeverity ?? "Low";
    return {
        macie: {
            source: ["aws.macie"],
            "detail-type": ["Macie Finding"],
            detail: { severity: { description: macieSeveritiesAtOrAbove(args.macieMinimumSeverity) } },
        },
        guardduty: {
            source: ["aws.guardduty"],
            "detail-type": ["GuardDuty Finding"],
            detail: { severity: [{ numeric: [">=", GUARDDUTY_SEVERITY_FLOOR[guardDutyMin]] }] },
        },
        s3PublicAccess: {
            source: ["aws.s3"],
            "detail-type": ["AWS API Call via CloudTrail"],
            detail: { eventSource: ["s3.amazonaws.com"], eventName: [...S3_PUBLIC_ACCESS_EVENT_NAMES] },
        },
    };
}

/** Readable messages. Only identifiers travel by e-mail: no object keys, no samples of detected data. */
const TRANSFORMERS: Record<"macie" | "guardduty" | "s3PublicAccess", aws.types.input.cloudwatch.EventTargetInputTransformer> = {
    macie: {
        inputPaths: {
            severity: "$.detail.severity.description",
            type: "$.detail.type",
            bucket: "$.detail.resourcesAffected.s3Bucket.name",
            account: "$.account",
            region: "$.region",
            findingId: "$.detail.id",
        },
        inputTemplate: '"Macie <severity> finding <type> on bucket <bucket> (account <account>, <region>). Review finding <findingId> in the Macie console."',
    },
    guardduty: {
        inputPaths: {
            severity: "$.detail.severity",
            type: "$.detail.type",
            title: "$.detail.title",
            account: "$.account",
            region: "$.region",
            findingId: "$.detail.id",
        },
        inputTemplate: '"GuardDuty finding (severity <severity>) <type>: <title> (account <account>, <region>). Review finding <findingId> in the GuardDuty console."',
    },
    s3PublicAccess: {
        inputPaths: {
            event: "$.detail.eventName",
            bucket: "$.detail.requestParameters.bucketName",
            actor: "$.detail.userIdentity.arn",
            sourceIp: "$.detail.sourceIPAddress",
            time: "$.time",
            account: "$.account",
            region: "$.region",
        },
        inputTemplate: '"S3 public-access setting changed: <event> on bucket <bucket> by <actor> from <sourceIp> at <time> (account <account>, <region>)."',
    },
};

export class SecurityMonitoring extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    /** Deterministic ARN of the alert topic, known at preview (for other areas' alarm actions). */
    readonly topicArn: string;
    readonly alarms: Record<string, aws.cloudwatch.MetricAlarm>;
    readonly rules: Record<"macie" | "guardduty" | "s3PublicAccess", aws.cloudwatch.EventRule>;

    constructor(name: string, args: SecurityMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:security:SecurityMonitoring", name, {}, opts);
        const { naming } = args.context;
        const external = args.externalRuleNames ?? [];
        const names = monitoringNames(naming, name, external);
        const clash = external.find((r, i) => external.indexOf(r) !== i || Object.values(names.ruleNames).includes(r));
        if (clash) {
            throw new Error(`SecurityMonitoring '${name}': externalRuleNames lists '${clash}' twice or names one of the component's own rules`);
        }
        this.topicArn = names.topicArn;
        const threshold = args.alarmThreshold ?? 1;
        if (!Number.isInteger(threshold) || threshold < 1) {
            throw new Error(`SecurityMonitoring '${name}': alarmThreshold must be a positive integer, got ${JSON.stringify(args.alarmThreshold)}`);
        }
        const child = { parent: this };

        // A customer-managed key, not alias/aws/sns: CloudWatch and EventBridge cannot use the AWS-managed SNS key.
        this.topic = new aws.sns.Topic(
            `${name}-alerts`,
            { name: names.topicName, displayName: `${naming.prefix}-${naming.environment} security alerts`, kmsMasterKeyId: args.logsKey.arn },
            child,
        );
        const topicPolicy = new aws.sns.TopicPolicy(
            `${name}-alerts-policy`,
            { arn: this.topic.arn, policy: policyJson(alertTopicPolicy(naming, names)) },
            child,
        );
        args.alertEmails.forEach((email, i) => {
            new aws.sns.TopicSubscription(`${name}-alert-email-${i}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, child);
        });

        // Alarms and targets name the topic by its deterministic ARN (known at preview) and wait for its policy.
        const afterTopic = { parent: this, dependsOn: [this.topic, topicPolicy] };
        this.alarms = {};
        for (const control of CIS_METRIC_CONTROLS) {
            const metricName = resourceName(naming, `${name}-${control.id}`);
            new aws.cloudwatch.LogMetricFilter(
                `${name}-${control.id}-filter`,
                {
                    name: metricName,
                    logGroupName: args.trailLogGroupName,
                    pattern: control.pattern,
                    metricTransformation: { name: metricName, namespace: CIS_METRIC_NAMESPACE, value: "1", defaultValue: "0" },
                },
                child,
            );
            this.alarms[control.id] = new aws.cloudwatch.MetricAlarm(
                `${name}-${control.id}-alarm`,
                {
                    name: names.alarmNames[control.id],
                    alarmDescription: `CIS ${control.cis}: ${control.description}. Investigate in CloudTrail (HIPAA 164.308(a)(6)).`,
                    namespace: CIS_METRIC_NAMESPACE,
                    metricName,
                    statistic: "Sum",
                    period: 300,
                    evaluationPeriods: 1,
                    threshold,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    // No events is the normal state, not a reason to alarm.
                    treatMissingData: "notBreaching",
                    alarmActions: [names.topicArn],
                },
                afterTopic,
            );
        }

        const patterns = findingPatterns(args);
        const descriptions = {
            macie: `Macie findings of severity ${macieSeveritiesAtOrAbove(args.macieMinimumSeverity).join(", ")}`,
            guardduty: `GuardDuty findings of severity ${GUARDDUTY_SEVERITY_FLOOR[args.guardDutyMinimumSeverity ?? "Low"]} or higher`,
            s3PublicAccess: "Changes to S3 public access blocks, bucket policies, ACLs and object ownership",
        };
        const rules = {} as Record<"macie" | "guardduty" | "s3PublicAccess", aws.cloudwatch.EventRule>;
        for (const key of ["macie", "guardduty", "s3PublicAccess"] as const) {
            const role = key === "s3PublicAccess" ? "s3-public-access" : key;
            rules[key] = new aws.cloudwatch.EventRule(
                `${name}-${role}-rule`,
                { name: names.ruleNames[key], description: descriptions[key], eventPattern: JSON.stringify(patterns[key]) },
                child,
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${role}-target`,
                { rule: rules[key].name, targetId: "security-alerts-topic", arn: names.topicArn, inputTransformer: TRANSFORMERS[key] },
                afterTopic,
            );
        }
        this.rules = rules;

        this.registerOutputs({ topicArn: this.topicArn, topicName: names.topicName });
    }
}
