/**
 * ComplianceMonitoring: the detective half of the platform. The policy pack stops a non-compliant `pulumi up`;
 * this component watches what happens afterwards (console changes, scripts, resources created outside Pulumi):
 * - AWS Config: a configuration recorder for every supported resource type (global types only in the home
 *   region, so IAM is not recorded twice), using Config's service-linked role; a delivery channel into the audit
 *   bucket under its own prefix, SSE-KMS with the logs key; the recorder started after the channel exists;
 * - the HIPAA Security conformance pack (`conformance/hipaa-security.yaml`, a file in the repository with its
 *   source and version in its header), parameters from stack config;
 * - Security Hub with AWS Foundational Security Best Practices and CIS AWS Foundations subscribed;
 * - EventBridge rules sending Config NON_COMPLIANT changes and Security Hub HIGH/CRITICAL findings to the
 *   platform's alert topic (SecurityMonitoring).
 *
 * Config and Security Hub each have a "managed by the delegated administrator" mode (like GuardDuty and Macie):
 * the organisation's security account then owns the recorder/pack or the hub, and this component creates only the
 * alert rules for the account.
 *
 * HIPAA mapping: 164.308(a)(1)(ii)(D) information system activity review (configuration history and continuous
 * evaluation), 164.312(b) audit controls (configuration items kept in the audit bucket), 164.308(a)(6) security
 * incidents reach the stakeholders, 164.308(a)(8) evaluation (the conformance pack is a standing technical
 * evaluation).
 */
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement } from "../shared/iam";
import { bucketArn, globalArn, NamingContext, regionalArn, resourceName } from "../shared/naming";
import { KeyRef, PlatformContext } from "../shared/refs";
import { CisVersion, ComplianceSettings } from "./settings";

/** Path of the conformance pack template, kept in the repository (its header names source and version). */
export const HIPAA_CONFORMANCE_TEMPLATE = path.join(__dirname, "conformance", "hipaa-security.yaml");

/** Config's limit for a conformance pack `templateBody`. */
export const CONFORMANCE_TEMPLATE_MAX_LENGTH = 51200;

/** Prefix of Config's deliveries in the audit bucket (objects land under `<prefix>/AWSLogs/<account>/Config/`). */
export const CONFIG_DELIVERY_PREFIX = "config";

/** `MinRetentionTime` of cw-loggroup-retention-period-check accepts only these days (no 2192, 2557, ...). */
export const CONFIG_MIN_RETENTION_VALUES = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653] as const;

export type { ComplianceSettings };

export interface ComplianceMonitoringArgs {
    context: PlatformContext;
    /** `PlatformConfig.security.compliance` (components/security/settings.ts; its `enabled` decides whether the component is constructed at all). */
    settings: ComplianceSettings;
    /** Key of Config's deliveries (`keys.logs`); its key policy lets config.amazonaws.com encrypt for this account. */
    logsKey: KeyRef;
    /**
     * The audit bucket (`AuditTrail.bucketName`); its policy must carry {@link configDeliveryBucketStatements}
     * (AuditTrail's `configDeliveryPrefix`).
     */
    auditBucketName: string;
    /** The alert topic (`SecurityMonitoring.topicArn`); its policy must admit {@link complianceNames}' rule ARNs. */
    alertTopicArn: string;
    /** `logging.retentionDays`: the conformance pack's minimum log group retention. */
    logRetentionDays: number;
    /** `storage.backup.retentionDays`: the conformance pack's minimum backup plan retention. */
    backupRetentionDays: number;
    /**
     * What must exist before children that AWS checks on creation: PutDeliveryChannel checks the audit bucket policy
     * and key (`delivery`: the AuditTrail), an EventBridge target publishes under the topic policy (`alerts`: the
     * SecurityMonitoring). Given to those children as `dependsOn` (a component's own `dependsOn` is not recorded on its
     * children, so the engine would not know the order).
     * @default {} (nothing to wait for)
     */
    waitFor?: { delivery?: pulumi.Resource[]; alerts?: pulumi.Resource[] };
    /**
     * Prefix of Config's deliveries in the audit bucket.
     * @default CONFIG_DELIVERY_PREFIX
     */
    deliveryPrefix?: string;
}

/** Deterministic names and ARNs of everything other components' policies refer to, known at preview. */
export interface ComplianceNames {
    recorderName: string;
    deliveryChannelName: string;
    conformancePackName: string;
    /** `aws:SourceArn` Config presents to S3 and KMS on delivery (any Config resource of this account and region). */
    configSourceArn: string;
    serviceLinkedRoleArn: string;
    ruleNames: Record<ComplianceRule, string>;
    ruleArns: Record<ComplianceRule, string>;
}

export type ComplianceRule = "configNonCompliance" | "securityHubFindings";
export const COMPLIANCE_RULES: readonly ComplianceRule[] = ["configNonCompliance", "securityHubFindings"];

export function complianceNames(naming: NamingContext, name: string): ComplianceNames {
    const ruleNames: Record<ComplianceRule, string> = {
        configNonCompliance: resourceName(naming, `${name}-config-noncompliance`),
        securityHubFindings: resourceName(naming, `${name}-securityhub-findings`),
    };
    return {
        recorderName: resourceName(naming, `${name}-recorder`),
        deliveryChannelName: resourceName(naming, `${name}-delivery`),
        conformancePackName: resourceName(naming, `${name}-hipaa-security`),
        configSourceArn: regionalArn(naming, "config", "*"),
        serviceLinkedRoleArn: configServiceLinkedRoleArn(naming),
        ruleNames,
        ruleArns: {
            configNonCompliance: regionalArn(naming, "events", `rule/${ruleNames.configNonCompliance}`),
            securityHubFindings: regionalArn(naming, "events", `rule/${ruleNames.securityHubFindings}`),
        },
    };
}

/** Config's service-linked role: it reads resource configurations; deliveries go out as the Config service principal. */
export function configServiceLinkedRoleArn(naming: NamingContext): string {
    return globalArn(naming, "iam", "role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig");
}

/**
 * Audit bucket statements from the Config Developer Guide ("Permissions for the Amazon S3 Bucket", service-linked
 * role case: the role has no S3 permissions, so Config delivers as `config.amazonaws.com`): the ACL and existence
 * checks on the bucket, and PutObject only under `<prefix>/AWSLogs/<account>/Config/` with the
 * `bucket-owner-full-control` ACL Config sends (accepted under BucketOwnerEnforced). Every statement is pinned to
 * this account (`aws:SourceAccount`) and to Config in this region (`aws:SourceArn`, which Config sets to
 * `arn:<partition>:config:<region>:<account>:*`).
 */
export function configDeliveryBucketStatements(naming: NamingContext, auditBucketName: string, prefix: string): PolicyStatement[] {
    const arn = bucketArn(naming, auditBucketName);
    const Principal = { Service: "config.amazonaws.com" };
    const fromThisAccount = { StringEquals: { "aws:SourceAccount": naming.accountId }, ArnLike: { "aws:SourceArn": regionalArn(naming, "config", "*") } };
    return [
        { Sid: "AWSConfigBucketPermissionsCheck", Effect: "Allow", Principal, Action: "s3:GetBucketAcl", Resource: arn, Condition: fromThisAccount },
        { Sid: "AWSConfigBucketExistenceCheck", Effect: "Allow", Principal, Action: "s3:ListBucket", Resource: arn, Condition: fromThisAccount },
        {
            Sid: "AWSConfigBucketDelivery",
            Effect: "Allow",
            Principal,
            Action: "s3:PutObject",
            Resource: `${arn}/${prefix}/AWSLogs/${naming.accountId}/Config/*`,
            Condition: { ...fromThisAccount, StringEquals: { ...fromThisAccount.StringEquals, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
    ];
}

/**
 * Security Hub standards ARNs, built from partition and region (known at preview). CIS 1.2.0 is the one global
 * `ruleset` ARN; every later standard is regional.
 */
export function securityHubStandardArns(naming: Pick<NamingContext, "partition" | "region">, cisVersion: CisVersion): { foundational: string; cis: string } {
    const { partition, region } = naming;
    return {
        foundational: `arn:${partition}:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`,
        cis:
            cisVersion === "1.2.0"
                ? `arn:${partition}:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0`
                : `arn:${partition}:securityhub:${region}::standards/cis-aws-foundations-benchmark/v/${cisVersion}`,
    };
}

/** The largest `MinRetentionTime` Config accepts that does not exceed `days` (a 2192-day group passes a 1827 check). */
export function configMinRetentionTime(days: number): number {
    const fitting = CONFIG_MIN_RETENTION_VALUES.filter((v) => v <= days);
    if (fitting.length === 0) {
        throw new Error(`logRetentionDays ${days} is below every MinRetentionTime cw-loggroup-retention-period-check accepts (${CONFIG_MIN_RETENTION_VALUES.join(", ")})`);
    }
    return fitting[fitting.length - 1];
}

/** The conformance pack's input parameters (names as declared in the template's `Parameters`), as strings. */
export function conformancePackParameters(args: Pick<ComplianceMonitoringArgs, "settings" | "logRetentionDays" | "backupRetentionDays">): Record<string, string> {
    const c = args.settings.conformance;
    return {
        AccessKeyMaxAgeDays: String(c.accessKeyMaxAgeDays),
        CredentialMaxUnusedDays: String(c.accessKeyMaxAgeDays),
        PasswordMinimumLength: String(c.passwordMinimumLength),
        PasswordMaxAgeDays: String(c.passwordMaxAgeDays),
        PasswordReusePrevention: String(c.passwordReusePrevention),
        LogGroupMinRetentionDays: String(configMinRetentionTime(args.logRetentionDays)),
        BackupMinRetentionDays: String(args.backupRetentionDays),
    };
}

/** The parameter names a template declares (its top-level `Parameters:` block). */
export function templateParameterNames(template: string): string[] {
    const block = /^Parameters:\n((?:[ \t]+.*\n|\s*\n)+)/m.exec(template);
    return block ? [...block[1].matchAll(/^ {2}([A-Za-z0-9]+):/gm)].map((m) => m[1]) : [];
}

/** The `# Source:` and `# Version:` lines of the template's header (shown by the evidence report). */
export function templateProvenance(template: string): { source?: string; version?: string } {
    return {
        source: /^# Source: (.+)$/m.exec(template)?.[1].trim(),
        version: /^# Version: (.+)$/m.exec(template)?.[1].trim(),
    };
}

/** EventBridge patterns, exported so specs can match sample events against them. */
export function compliancePatterns(): Record<ComplianceRule, Record<string, unknown>> {
    return {
        configNonCompliance: {
            source: ["aws.config"],
            "detail-type": ["Config Rules Compliance Change"],
            detail: {
                messageType: ["ComplianceChangeNotification"],
                newEvaluationResult: { complianceType: ["NON_COMPLIANT"] },
                // Security Hub's own Config rules (securityhub-*) report through their Security Hub finding below.
                configRuleName: [{ "anything-but": { prefix: "securityhub-" } }],
            },
        },
        securityHubFindings: {
            source: ["aws.securityhub"],
            "detail-type": ["Security Hub Findings - Imported"],
            detail: {
                findings: {
                    Severity: { Label: ["HIGH", "CRITICAL"] },
                    RecordState: ["ACTIVE"],
                    Workflow: { Status: ["NEW"] },
                    // GuardDuty and Macie findings already reach the topic through SecurityMonitoring's own rules.
                    ProductName: [{ "anything-but": ["GuardDuty", "Macie"] }],
                },
            },
        },
    };
}

/**
 * Readable messages. Only identifiers travel by e-mail (rule, resource type and id, control, account): Config and
 * Security Hub never put object contents in these fields. A Security Hub event may batch several findings: the
 * message names the first, the console shows all.
 */
export const COMPLIANCE_TRANSFORMERS: Record<ComplianceRule, aws.types.input.cloudwatch.EventTargetInputTransformer> = {
    configNonCompliance: {
        inputPaths: {
            rule: "$.detail.configRuleName",
            resourceType: "$.detail.resourceType",
            resourceId: "$.detail.resourceId",
            time: "$.time",
            account: "$.account",
            region: "$.region",
        },
        inputTemplate:
            '"AWS Config: <resourceType> <resourceId> is NON_COMPLIANT with rule <rule> since <time> (account <account>, <region>). Runbook: docs/runbooks/config-noncompliance.md."',
    },
    securityHubFindings: {
        inputPaths: {
            severity: "$.detail.findings[0].Severity.Label",
            title: "$.detail.findings[0].Title",
            control: "$.detail.findings[0].Compliance.SecurityControlId",
            resource: "$.detail.findings[0].Resources[0].Id",
            account: "$.account",
            region: "$.region",
        },
        inputTemplate:
            '"Security Hub <severity> finding <control>: <title> on <resource> (account <account>, <region>). Runbook: docs/runbooks/config-noncompliance.md."',
    },
};

export class ComplianceMonitoring extends pulumi.ComponentResource {
    /** Undefined when the delegated administrator runs Config for the account. */
    readonly serviceLinkedRole?: aws.iam.ServiceLinkedRole;
    readonly recorder?: aws.cfg.Recorder;
    readonly deliveryChannel?: aws.cfg.DeliveryChannel;
    readonly recorderStatus?: aws.cfg.RecorderStatus;
    readonly conformancePack?: aws.cfg.ConformancePack;
    /** Undefined when Security Hub is off or run by the delegated administrator. */
    readonly securityHub?: aws.securityhub.Account;
    readonly standards: aws.securityhub.StandardsSubscription[];
    readonly rules: Record<ComplianceRule, aws.cloudwatch.EventRule>;
    readonly names: ComplianceNames;

    constructor(name: string, args: ComplianceMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:security:ComplianceMonitoring", name, {}, opts);
        const { naming, protect } = args.context;
        const what = `ComplianceMonitoring '${name}'`;
        const s = args.settings;
        const names = complianceNames(naming, name);
        this.names = names;
        const prefix = args.deliveryPrefix ?? CONFIG_DELIVERY_PREFIX;
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(prefix)) {
            throw new Error(`${what}: deliveryPrefix must be 1-63 lowercase letters, digits and hyphens (one key segment), got '${prefix}'`);
        }
        const child = { parent: this };

        // --- AWS Config ---
        const ownConfig = !s.config.managedByDelegatedAdministrator;
        let configReady: pulumi.Resource | undefined;
        if (ownConfig) {
            if (!s.config.serviceLinkedRoleExists) {
                // Account-wide and shared by every region's recorder: kept when this stack goes away, so another
                // region's recorder does not lose its role (IAM refuses the delete while a recorder uses it anyway).
                this.serviceLinkedRole = new aws.iam.ServiceLinkedRole(
                    `${name}-config-role`,
                    { awsServiceName: "config.amazonaws.com", description: "AWS Config recorder of the healthcare data platform" },
                    { parent: this, retainOnDelete: true },
                );
            }
            const homeRegion = s.config.homeRegion || naming.region;
            // Stopping the recorder ends the configuration history (164.312(b) evidence): protected in prod.
            this.recorder = new aws.cfg.Recorder(
                `${name}-recorder`,
                {
                    name: names.recorderName,
                    // The deterministic ARN, known at preview; the dependency below waits for the role when it is created here.
                    roleArn: names.serviceLinkedRoleArn,
                    recordingGroup: { allSupported: true, includeGlobalResourceTypes: homeRegion === naming.region },
                    recordingMode: { recordingFrequency: s.config.recordingFrequency },
                },
                { parent: this, protect, dependsOn: this.serviceLinkedRole ? [this.serviceLinkedRole] : [] },
            );
            // PutDeliveryChannel needs the recorder and checks the bucket policy and the key (`waitFor.delivery`: the
            // audit trail, whose bucket carries configDeliveryBucketStatements).
            this.deliveryChannel = new aws.cfg.DeliveryChannel(
                `${name}-delivery`,
                {
                    name: names.deliveryChannelName,
                    s3BucketName: args.auditBucketName,
                    s3KeyPrefix: prefix,
                    s3KmsKeyArn: args.logsKey.arn,
                    snapshotDeliveryProperties: { deliveryFrequency: s.config.snapshotDeliveryFrequency },
                },
                { parent: this, dependsOn: [this.recorder, ...(args.waitFor?.delivery ?? [])] },
            );
            this.recorderStatus = new aws.cfg.RecorderStatus(
                `${name}-recorder-status`,
                { name: this.recorder.name, isEnabled: true },
                { parent: this, dependsOn: [this.deliveryChannel] },
            );
            configReady = this.recorderStatus;

            if (s.config.conformancePackEnabled) {
                const template = fs.readFileSync(HIPAA_CONFORMANCE_TEMPLATE, "utf8");
                if (template.length > CONFORMANCE_TEMPLATE_MAX_LENGTH) {
                    throw new Error(`${what}: ${path.basename(HIPAA_CONFORMANCE_TEMPLATE)} is ${template.length} characters, over Config's templateBody limit of ${CONFORMANCE_TEMPLATE_MAX_LENGTH}`);
                }
                const parameters = conformancePackParameters(args);
                const declared = templateParameterNames(template);
                const undeclared = Object.keys(parameters).filter((p) => !declared.includes(p));
                if (undeclared.length > 0) {
                    // Config rejects input parameters the template does not declare, at apply time; say it at preview.
                    throw new Error(`${what}: ${path.basename(HIPAA_CONFORMANCE_TEMPLATE)} does not declare parameter(s) ${undeclared.join(", ")} (declared: ${declared.join(", ")})`);
                }
                this.conformancePack = new aws.cfg.ConformancePack(
                    `${name}-hipaa-security`,
                    {
                        name: names.conformancePackName,
                        templateBody: template,
                        inputParameters: Object.entries(parameters).map(([parameterName, parameterValue]) => ({ parameterName, parameterValue })),
                    },
                    // A conformance pack needs a running recorder.
                    { parent: this, dependsOn: [this.recorderStatus] },
                );
            }
        }

        // --- Security Hub ---
        this.standards = [];
        if (s.securityHub.enabled && !s.securityHub.managedByDelegatedAdministrator) {
            // Disabling Security Hub deletes its findings and standards state: protected in prod. Its controls
            // evaluate through Config, so it waits for the recorder when this stack runs one.
            this.securityHub = new aws.securityhub.Account(
                `${name}-securityhub`,
                // Standards are subscribed explicitly below (the default set includes the superseded CIS 1.2.0).
                { enableDefaultStandards: false, controlFindingGenerator: "SECURITY_CONTROL", autoEnableControls: true },
                { parent: this, protect, dependsOn: configReady ? [configReady] : [] },
            );
            const arns = securityHubStandardArns(naming, s.securityHub.cisVersion);
            for (const [role, standardsArn] of [
                ["fsbp", arns.foundational],
                ["cis", arns.cis],
            ] as const) {
                this.standards.push(new aws.securityhub.StandardsSubscription(`${name}-standard-${role}`, { standardsArn }, { parent: this, dependsOn: [this.securityHub] }));
            }
        }

        // --- Alerts to the platform's topic ---
        const patterns = compliancePatterns();
        const descriptions: Record<ComplianceRule, string> = {
            configNonCompliance: "AWS Config rule evaluations that turn NON_COMPLIANT (conformance pack and other Config rules)",
            securityHubFindings: "New, active Security Hub findings of severity HIGH or CRITICAL (GuardDuty and Macie have their own rules)",
        };
        const roles: Record<ComplianceRule, string> = { configNonCompliance: "config-noncompliance", securityHubFindings: "securityhub-findings" };
        const rules = {} as Record<ComplianceRule, aws.cloudwatch.EventRule>;
        for (const key of COMPLIANCE_RULES) {
            rules[key] = new aws.cloudwatch.EventRule(
                `${name}-${roles[key]}-rule`,
                { name: names.ruleNames[key], description: descriptions[key], eventPattern: JSON.stringify(patterns[key]) },
                child,
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${roles[key]}-target`,
                { rule: rules[key].name, targetId: "security-alerts-topic", arn: args.alertTopicArn, inputTransformer: COMPLIANCE_TRANSFORMERS[key] },
                { parent: this, dependsOn: args.waitFor?.alerts ?? [] },
            );
        }
        this.rules = rules;

        this.registerOutputs({
            recorderName: this.recorder ? names.recorderName : undefined,
            conformancePackName: this.conformancePack ? names.conformancePackName : undefined,
            securityHubStandards: this.standards.map((x) => x.standardsArn),
            ruleNames: names.ruleNames,
        });
    }
}
