import * as assert from "assert";
import { Backup, BackupArgs } from "../../../components/storage/backup";
import { inputs, one, ofType } from "../../support/platform";
import { expectAllUnder, record, Setup, setup } from "./helpers";

const T = {
    vault: "aws:backup/vault:Vault",
    lock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    plan: "aws:backup/plan:Plan",
    selection: "aws:backup/selection:Selection",
    role: "aws:iam/role:Role",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
};

const DB_ARN = "arn:aws:rds:us-east-1:345678901234:cluster:hdp-prod-database";
const build = (s: Setup, extra: Partial<BackupArgs> = {}) => () =>
    new Backup("backup", { context: s.context, keys: s.keys, settings: s.cfg.storage.backup, resourceArns: [DB_ARN], ...extra });

type Rule = { ruleName: string; lifecycle: Record<string, unknown>; targetVaultName: string; schedule: string };

describe("components/storage/backup", () => {
    it("dev: a vault encrypted with the backup key, a daily rule keeping 7 days warm, no lock, nothing protected", async () => {
        const s = setup("dev");
        const rec = await record("preview", build(s));
        const vault = one(rec, T.vault, "backup-vault");
        assert.deepStrictEqual({ name: inputs(vault).name, key: inputs(vault).kmsKeyArn, force: inputs(vault).forceDestroy }, { name: "hdp-dev-backup", key: s.keys.backup.arn, force: false });
        assert.strictEqual(vault.options.protect, false);
        assert.strictEqual(ofType(rec, T.lock).length, 0);
        const [rule] = inputs(one(rec, T.plan, "backup-plan")).rules as Rule[];
        assert.deepStrictEqual(rule.lifecycle, { deleteAfter: 7 });
        assert.strictEqual(rule.targetVaultName, "hdp-dev-backup");
        assert.strictEqual(rule.schedule, "cron(0 5 ? * * *)");
        expectAllUnder(rec, "healthcare:storage:Backup", "backup");
    });

    it("prod: vault lock in compliance mode (3-day grace), cold storage after 90 days, six-year retention, protected", async () => {
        const s = setup("prod");
        const rec = await record("preview", build(s));
        const lock = one(rec, T.lock, "backup-vault-lock");
        assert.deepStrictEqual(
            { min: inputs(lock).minRetentionDays, max: inputs(lock).maxRetentionDays, grace: inputs(lock).changeableForDays, vault: inputs(lock).backupVaultName },
            { min: 7, max: 2192, grace: 3, vault: "hdp-prod-backup" },
        );
        assert.strictEqual(lock.options.protect, true);
        assert.strictEqual(one(rec, T.vault, "backup-vault").options.protect, true);
        const [rule] = inputs(one(rec, T.plan, "backup-plan")).rules as Rule[];
        assert.deepStrictEqual(rule.lifecycle, { deleteAfter: 2192, coldStorageAfter: 90, optInToArchiveForSupportedResources: true });
    });

    it("uses cold storage only when recovery points can stay there the 90 days AWS requires", async () => {
        const cold: Record<number, unknown> = {};
        for (const retentionDays of [179, 180]) {
            const s = setup("dev", { backupRetentionDays: retentionDays });
            const rec = await record("preview", build(s));
            cold[retentionDays] = ((inputs(one(rec, T.plan, "backup-plan")).rules as Rule[])[0].lifecycle as Record<string, unknown>).coldStorageAfter;
        }
        assert.deepStrictEqual(cold, { 179: undefined, 180: 90 });
    });

    it("selects the stores by ARN and by the backup=true tag, with the AWS Backup service role", async () => {
        const s = setup("prod");
        const rec = await record("up", build(s));
        const role = one(rec, T.role, "backup-role");
        assert.deepStrictEqual(JSON.parse(inputs(role).assumeRolePolicy as string).Statement, [
            { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": s.cfg.naming.accountId } } },
        ]);
        assert.deepStrictEqual(ofType(rec, T.attachment).map((a) => inputs(a).policyArn).sort(), [
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        ]);
        const byArn = inputs(one(rec, T.selection, "backup-stores"));
        assert.deepStrictEqual(byArn.resources, [DB_ARN]);
        const byTag = inputs(one(rec, T.selection, "backup-tagged"));
        assert.deepStrictEqual(byTag.selectionTags, [{ type: "STRINGEQUALS", key: "backup", value: "true" }]);
        for (const sel of [byArn, byTag]) assert.strictEqual(sel.iamRoleArn, "arn:aws:iam::345678901234:role/hdp-prod-backup-service");
        const attachmentUrns = ofType(rec, T.attachment).map((a) => a.urn);
        for (const sel of ofType(rec, T.selection)) {
            for (const u of attachmentUrns) assert.ok(sel.dependencies.includes(u), `${sel.name} waits for the role's policies`);
        }
    });

    it("creates no ARN selection without ARNs, and no tag selection when asked", async () => {
        const s = setup("dev");
        const rec = await record("preview", build(s, { resourceArns: [], selectByTag: false }));
        assert.strictEqual(ofType(rec, T.selection).length, 0);
    });

    it("governance mode when the grace period is null", async () => {
        const s = setup("prod");
        const rec = await record("preview", build(s, { vaultLockChangeableForDays: null }));
        assert.strictEqual(inputs(one(rec, T.lock, "backup-vault-lock")).changeableForDays, undefined);
    });

    it("refuses lock bounds that would reject the plan's own recovery points, naming the argument", async () => {
        const s = setup("prod");
        await assert.rejects(record("preview", build(s, { vaultLockMaxRetentionDays: 365 })), /Backup 'backup' vaultLockMaxRetentionDays: expected an integer from the plan's retention \(2192 days\) to 36500, got 365/);
        await assert.rejects(record("preview", build(s, { vaultLockMinRetentionDays: 3000 })), /vaultLockMinRetentionDays: expected an integer from 1 to the plan's retention \(2192 days\), got 3000/);
        await assert.rejects(record("preview", build(s, { vaultLockChangeableForDays: 1 })), /vaultLockChangeableForDays: expected null \(governance mode\) or an integer of at least 3, got 1/);
        await assert.rejects(record("preview", build(s, { resourceArns: [DB_ARN, DB_ARN] })), /resourceArns: expected each ARN once/);
    });
});
