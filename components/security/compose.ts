/**
 * The security area as the stack's config asks for it, in two steps because the other areas sit between them:
 * `composeKeys` first (every other area encrypts with these keys), `composeSecurity` once the data lake exists (the
 * trail, Macie and the access roles name its buckets). Not components of their own: the security components stay
 * direct children of the stack, so their URNs do not depend on how they are grouped. `index.ts` calls both; the
 * security specs call the same functions.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../shared/config";
import { BucketRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import type { Storage } from "../storage/compose";
import { AccessRoles } from "./access";
import { AuditTrail } from "./audit";
import { ComplianceMonitoring, complianceNames, CONFIG_DELIVERY_PREFIX } from "./compliance-monitoring";
import { AccountGuardrails } from "./guardrails";
import { PlatformKeys } from "./keys";
import { MacieDiscovery } from "./macie";
import { SecurityMonitoring } from "./monitoring";

export function composeKeys(cfg: PlatformConfig, deps: { context: PlatformContext; opts?: pulumi.ComponentResourceOptions }): PlatformKeys {
    return new PlatformKeys(
        "keys",
        { context: deps.context, deletionWindowInDays: cfg.security.kmsDeletionWindowDays, administratorArns: cfg.security.keyAdministratorArns },
        deps.opts,
    );
}

export interface SecurityDeps {
    context: PlatformContext;
    keys: PlatformKeyRefs;
    /** The data lake's buckets: the trail and Macie log into its access-log bucket and report into its inventory. */
    dataLake: Storage["dataLake"];
    opts?: pulumi.ComponentResourceOptions;
}

export interface Security {
    guardrails: AccountGuardrails;
    audit: AuditTrail;
    monitoring: SecurityMonitoring;
    macie: MacieDiscovery;
    access: AccessRoles;
    /** AWS Config, the HIPAA conformance pack, Security Hub and their alerts; undefined when `complianceMonitoringEnabled` is false. */
    compliance?: ComplianceMonitoring;
    /** Audit evidence buckets, for whoever inventories or reads them: the trail's bucket and Macie's results bucket. */
    evidenceBuckets: { audit: BucketRef; macieResults: BucketRef };
}

export function composeSecurity(cfg: PlatformConfig, deps: SecurityDeps): Security {
    const { context, keys, dataLake, opts } = deps;
    // Buckets are referenced by deterministic name (known at preview), so consumers wait for them explicitly: S3 refuses
    // a logging target that does not exist yet (InvalidTargetBucketForLogging). An inventory destination is not checked
    // when the configuration is written (components/storage/data-lake.ts); waiting for it only means the first daily
    // report finds its bucket and policy in place.
    const afterLogBuckets: pulumi.ComponentResourceOptions = { ...opts, dependsOn: [dataLake.secureBuckets.accessLogs, dataLake.secureBuckets.inventory] };
    // The detective controls deliver into the audit bucket and alert through the monitoring topic: both policies admit
    // them by deterministic name, known before ComplianceMonitoring exists.
    const settings = cfg.security.compliance;
    const complianceRuleNames = settings.enabled ? Object.values(complianceNames(context.naming, "compliance").ruleNames) : [];
    const configDelivers = settings.enabled && !settings.config.managedByDelegatedAdministrator;
    // Under an organisation's delegated administrator, GuardDuty (and Macie) are already on: creating them again fails.
    const guardDutyEnabled = cfg.security.guardDutyEnabled && !cfg.security.delegatedAdministrator;
    const guardrails = new AccountGuardrails("guardrails", { context, databasesKey: keys.databases, guardDutyEnabled }, opts);
    const audit = new AuditTrail(
        "audit",
        {
            context,
            logsKey: keys.logs,
            auditRetentionDays: cfg.logging.auditRetentionDays,
            objectLock: cfg.dataLake.objectLock,
            lifecycle: cfg.dataLake.lifecycle.logs,
            accessLogBucketName: dataLake.accessLogs.name,
            inventoryBucketName: dataLake.inventory.name,
            phiBucketNames: dataLake.phiBucketNames,
            configDeliveryPrefix: configDelivers ? CONFIG_DELIVERY_PREFIX : undefined,
        },
        afterLogBuckets,
    );
    const monitoring = new SecurityMonitoring(
        "monitoring",
        {
            context,
            logsKey: keys.logs,
            alertEmails: cfg.alertEmails,
            trailLogGroupName: audit.logGroupName,
            macieMinimumSeverity: cfg.security.macie.alertMinimumSeverity,
            externalRuleNames: complianceRuleNames,
        },
        opts,
    );
    // PutDeliveryChannel checks the audit bucket policy and key; the rules' targets need the topic policy.
    const compliance = settings.enabled
        ? new ComplianceMonitoring(
              "compliance",
              {
                  context,
                  settings,
                  logsKey: keys.logs,
                  auditBucketName: audit.bucketName,
                  alertTopicArn: monitoring.topicArn,
                  logRetentionDays: cfg.logging.retentionDays,
                  backupRetentionDays: cfg.storage.backup.retentionDays,
                  waitFor: { delivery: [audit], alerts: [monitoring] },
              },
              opts,
          )
        : undefined;
    const macie = new MacieDiscovery(
        "macie",
        {
            context,
            dataLakeKey: keys.dataLake,
            macie: cfg.security.macie,
            manageAccount: !cfg.security.delegatedAdministrator,
            lifecycle: cfg.dataLake.lifecycle.logs,
            accessLogBucketName: dataLake.accessLogs.name,
            inventoryBucketName: dataLake.inventory.name,
        },
        afterLogBuckets,
    );
    const access = new AccessRoles(
        "access",
        {
            context,
            customers: cfg.customers,
            zones: dataLake.buckets,
            dataLakeKey: keys.dataLake,
            trustedPrincipalArns: cfg.security.access.trustedPrincipalArns.length > 0 ? cfg.security.access.trustedPrincipalArns : undefined,
            requireMfa: cfg.security.access.requireMfa,
        },
        opts,
    );
    const evidenceBuckets = {
        audit: { name: audit.bucket.bucketName, arn: audit.bucket.bucketArn },
        macieResults: { name: macie.resultsBucket.bucketName, arn: macie.resultsBucket.bucketArn },
    };
    return { guardrails, audit, monitoring, macie, access, compliance, evidenceBuckets };
}
