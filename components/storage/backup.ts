/**
 * Backup: the platform's AWS Backup vault, daily plan and selection of the stateful stores
 * (HIPAA 164.308(a)(7)(ii)(A) data backup plan, 164.310(d)(2)(iv) data backup and storage).
 *
 * - Vault encrypted with the backup key (a separate key from the stores', so a compromise or disablement of the
 *   databases key does not take the backups with it) [164.312(a)(2)(iv)].
 * - A daily rule keeping recovery points `storage.backup.retentionDays`. Long retention moves recovery points to
 *   cold storage after `coldStorageAfterDays` (for the resource types that support it: EFS, DynamoDB with
 *   advanced features, ...). AWS requires a recovery point to stay in cold storage at least 90 days, so the
 *   rule only uses cold storage when `retentionDays >= coldStorageAfterDays + 90`; otherwise everything stays warm.
 * - Selection: the ARNs passed in (`resourceArns`, known at preview: RDS, DynamoDB) and every resource tagged
 *   `backup=true` (EFS, EBS, Redshift, whose ARNs only exist after creation).
 * - The service role uses AWS's managed policies `AWSBackupServiceRolePolicyForBackup` and
 *   `AWSBackupServiceRolePolicyForRestores`. The stores' KMS key policies must let this role (or the account,
 *   delegating to IAM) create grants, or encrypted resources cannot be backed up.
 *
 * VAULT LOCK (`settings.vaultLock`, prod): recovery points cannot be deleted before `minRetentionDays` nor kept
 * longer than `maxRetentionDays`, by anyone, the root user included [164.312(c)(1)]. With `changeableForDays`
 * (default 3, the AWS minimum) the lock is created in COMPLIANCE mode: during those days it can still be changed or
 * removed; once they pass it is IRREVERSIBLE: the lock, its retention bounds and the vault itself cannot be
 * changed or deleted until every recovery point has expired, and AWS Support cannot lift it. Review the first
 * prod deployment within the grace period. `vaultLockChangeableForDays: null` gives GOVERNANCE mode instead
 * (removable by principals allowed `backup:DeleteBackupVaultLockConfiguration`).
 *
 * With `context.protect` (prod): `protect` on the vault and the lock.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StorageConfig } from "./settings";
import { keyUseStatement, policyJson, serviceTrustPolicy, viaService } from "../shared/iam";
import { globalArn, regionalArn, resourceName } from "../shared/naming";
import { PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { BACKUP_TAG } from "./store-support";

/** AWS Backup's rule: a recovery point spends at least this many days in cold storage before deletion. */
export const COLD_STORAGE_MINIMUM_DAYS = 90;
/** AWS Backup's shortest compliance-mode grace period. */
export const VAULT_LOCK_MIN_CHANGEABLE_DAYS = 3;

export const BACKUP_MANAGED_POLICIES = ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"] as const;

export interface BackupArgs {
    context: PlatformContext;
    /** `backup` encrypts the vault. */
    keys: Pick<PlatformKeyRefs, "backup">;
    /** `PlatformConfig.storage.backup`: retention and whether the vault is locked. */
    settings: StorageConfig["backup"];
    /** Role segment of physical names. @default the component name */
    role?: string;
    /** ARNs of stores to back up (plain strings, known at preview). @default [] */
    resourceArns?: string[];
    /** Also back up every resource tagged `backup=true`. @default true */
    selectByTag?: boolean;
    /** Schedule of the daily rule (UTC). @default "cron(0 5 ? * * *)" */
    schedule?: string;
    /** Days before a recovery point moves to cold storage (only when retention allows, see above). @default 90 */
    coldStorageAfterDays?: number;
    /** Vault Lock minimum retention. @default min(7, retentionDays) */
    vaultLockMinRetentionDays?: number;
    /** Vault Lock maximum retention. @default retentionDays */
    vaultLockMaxRetentionDays?: number;
    /** Grace period before the lock becomes immutable; `null` for governance mode. @default 3 */
    vaultLockChangeableForDays?: number | null;
}

export class Backup extends pulumi.ComponentResource {
    readonly vaultName: string;
    /** Vault ARN, known at preview. */
    readonly vaultArn: string;
    readonly planId: pulumi.Output<string>;
    /** Service role ARN, known at preview. */
    readonly roleArn: string;
    /** Days after which recovery points move to cold storage, or undefined when the rule keeps them warm. */
    readonly coldStorageAfterDays?: number;
    readonly vault: aws.backup.Vault;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:storage:Backup", name, {}, opts);
        const { naming, protect } = args.context;
        const role = args.role ?? name;
        const retention = args.settings.retentionDays;
        const problem = (key: string, expected: string, got: unknown) =>
            new Error(`Backup '${name}' ${key}: expected ${expected}, got ${JSON.stringify(got)}`);

        const coldAfter = args.coldStorageAfterDays ?? 90;
        if (!Number.isInteger(coldAfter) || coldAfter < 1) {
            throw problem("coldStorageAfterDays", "a positive integer", coldAfter);
        }
        this.coldStorageAfterDays = retention >= coldAfter + COLD_STORAGE_MINIMUM_DAYS ? coldAfter : undefined;

        const minRetention = args.vaultLockMinRetentionDays ?? Math.min(7, retention);
        const maxRetention = args.vaultLockMaxRetentionDays ?? retention;
        const changeable = args.vaultLockChangeableForDays === undefined ? VAULT_LOCK_MIN_CHANGEABLE_DAYS : args.vaultLockChangeableForDays;
        if (args.settings.vaultLock) {
            if (!Number.isInteger(minRetention) || minRetention < 1 || minRetention > retention) {
                throw problem("vaultLockMinRetentionDays", `an integer from 1 to the plan's retention (${retention} days)`, minRetention);
            }
            if (!Number.isInteger(maxRetention) || maxRetention < retention || maxRetention > 36500) {
                throw problem("vaultLockMaxRetentionDays", `an integer from the plan's retention (${retention} days) to 36500`, maxRetention);
            }
            if (changeable !== null && (!Number.isInteger(changeable) || changeable < VAULT_LOCK_MIN_CHANGEABLE_DAYS)) {
                throw problem("vaultLockChangeableForDays", `null (governance mode) or an integer of at least ${VAULT_LOCK_MIN_CHANGEABLE_DAYS}`, changeable);
            }
        }

        this.vaultName = resourceName(naming, role);
        this.vaultArn = regionalArn(naming, "backup", `backup-vault:${this.vaultName}`);
        this.vault = new aws.backup.Vault(
            `${name}-vault`,
            { name: this.vaultName, kmsKeyArn: args.keys.backup.arn, forceDestroy: false, tags: { "data-classification": "phi" } },
            { parent: this, protect },
        );
        if (args.settings.vaultLock) {
            new aws.backup.VaultLockConfiguration(
                `${name}-vault-lock`,
                {
                    backupVaultName: this.vault.name,
                    minRetentionDays: minRetention,
                    maxRetentionDays: maxRetention,
                    changeableForDays: changeable ?? undefined,
                },
                { parent: this, protect },
            );
        }

        const planName = resourceName(naming, `${role}-daily`);
        const plan = new aws.backup.Plan(
            `${name}-plan`,
            {
                name: planName,
                rules: [
                    {
                        ruleName: "daily",
                        targetVaultName: this.vault.name,
                        schedule: args.schedule ?? "cron(0 5 ? * * *)",
                        startWindow: 60,
                        completionWindow: 360,
                        lifecycle: {
                            deleteAfter: retention,
                            coldStorageAfter: this.coldStorageAfterDays,
                            optInToArchiveForSupportedResources: this.coldStorageAfterDays !== undefined ? true : undefined,
                        },
                        recoveryPointTags: { "data-classification": "phi", "backup-plan": planName },
                    },
                ],
            },
            { parent: this },
        );
        this.planId = plan.id;

        const roleName = resourceName(naming, `${role}-service`, "iam");
        this.roleArn = globalArn(naming, "iam", `role/${roleName}`);
        const serviceRole = new aws.iam.Role(
            `${name}-role`,
            {
                name: roleName,
                description: "Assumed by AWS Backup to back up and restore the platform's stores",
// Only AWS Backup acting for this account (confused-deputy guard).
                assumeRolePolicy: serviceTrustPolicy("backup.amazonaws.com", { sourceAccount: naming.accountId }),
            },
            { parent: this },
        );
        // The vault key: the managed policies' KMS statements are AWS's to change, and the backup key policy delegates
        // to IAM, so the role names the vault key itself (by alias, known at preview), usable only through AWS Backup.
        const vaultKey = new aws.iam.RolePolicy(
            `${name}-role-vault-key`,
            {
                role: serviceRole.name,
                name: "vault-key",
                policy: policyJson([
                    keyUseStatement(naming, "EncryptRecoveryPoints", args.keys.backup, ["kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt", "kms:DescribeKey"], {
                        via: [viaService(naming, "backup")],
                    }),
                    keyUseStatement(naming, "GrantForRecoveryPoints", args.keys.backup, ["kms:CreateGrant"], {
                        via: [viaService(naming, "backup")],
                        conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } },
                    }),
                ]),
            },
            { parent: this },
        );
        const attachments = BACKUP_MANAGED_POLICIES.map(
            (p) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-role-${p}`,
                    { role: serviceRole.name, policyArn: `arn:${naming.partition}:iam::aws:policy/service-role/${p}` },
                    { parent: this },
                ),
        );

        // Selections name the role by its deterministic ARN (known at preview) and wait for its policies.
        const resourceArns = args.resourceArns ?? [];
        const dup = resourceArns.find((a, i) => resourceArns.indexOf(a) !== i);
        if (dup) {
            throw problem("resourceArns", "each ARN once", dup);
        }
        if (resourceArns.length > 0) {
            new aws.backup.Selection(
                `${name}-stores`,
                { name: resourceName(naming, `${role}-stores`), planId: plan.id, iamRoleArn: this.roleArn, resources: resourceArns },
                { parent: this, dependsOn: [...attachments, vaultKey] },
            );
        }
        if (args.selectByTag ?? true) {
            new aws.backup.Selection(
                `${name}-tagged`,
                {
                    name: resourceName(naming, `${role}-tagged`),
                    planId: plan.id,
                    iamRoleArn: this.roleArn,
                    selectionTags: [{ type: "STRINGEQUALS", key: BACKUP_TAG.key, value: BACKUP_TAG.value }],
                },
                { parent: this, dependsOn: [...attachments, vaultKey] },
            );
        }

        this.registerOutputs({ vaultName: this.vaultName, vaultArn: this.vaultArn, planId: this.planId, roleArn: this.roleArn });
    }
}
