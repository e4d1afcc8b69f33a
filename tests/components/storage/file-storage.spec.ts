import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FileStorage } from "../../../components/storage/file-storage";
import { inputs, one, ofType, policyDocument } from "../../support/platform";
import { expectAllUnder, expectOnlyComputeIngress, record, Setup, setup } from "./helpers";

const T = {
    fs: "aws:efs/fileSystem:FileSystem",
    policy: "aws:efs/fileSystemPolicy:FileSystemPolicy",
    backup: "aws:efs/backupPolicy:BackupPolicy",
    ap: "aws:efs/accessPoint:AccessPoint",
    mount: "aws:efs/mountTarget:MountTarget",
    volume: "aws:ebs/volume:Volume",
};

const build = (s: Setup) => () =>
    new FileStorage("files", {
        context: s.context,
        keys: s.keys,
        network: s.network,
        settings: { efs: s.cfg.storage.efs, ebs: s.cfg.storage.ebs },
    });

type Stmt = { Sid: string; Effect: string; Principal: unknown; Action: unknown; Condition?: Record<string, Record<string, string>>; Resource?: unknown };

describe("components/storage/file-storage", () => {
    describe("EFS", () => {
        it("encrypts the file system with the databases key, backs it up and tiers it to IA", async () => {
            const s = setup("dev");
            const rec = await record("preview", build(s));
            const res = one(rec, T.fs, "files-efs");
            const f = inputs(res);
            assert.strictEqual(f.encrypted, true);
            assert.strictEqual(f.kmsKeyId, s.keys.databases.arn);
            assert.strictEqual(f.creationToken, "hdp-dev-files");
            assert.deepStrictEqual(f.lifecyclePolicies, [{ transitionToIa: "AFTER_30_DAYS" }, { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }]);
            assert.strictEqual(res.options.protect, false);
            const backup = one(rec, T.backup, "files-efs-backup");
            // EFS automatic backups would go to AWS's default vault, beside the locked one: off; the Backup plan selects
            // the file system by its backup=true tag.
            assert.deepStrictEqual(inputs(backup).backupPolicy, { status: "DISABLED" });
            assert.strictEqual((f.tags as Record<string, string>).backup, "true");
            assert.deepStrictEqual(backup.propertyDependencies.fileSystemId, [res.urn]);
        });

        it("has a file-system policy, known at preview, that denies non-TLS access and root, and allows mounts via mount targets", async () => {
            const s = setup("dev");
            const rec = await record("preview", build(s));
            const policyRes = one(rec, T.policy, "files-efs-policy");
            const doc = policyDocument(policyRes);
            const bySid = Object.fromEntries((doc.Statement as Stmt[]).map((st) => [st.Sid, st]));
            assert.deepStrictEqual(bySid.DenyInsecureTransport, {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "*",
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            });
            assert.deepStrictEqual(
                { effect: bySid.DenyClientRootAccess.Effect, action: bySid.DenyClientRootAccess.Action, principal: bySid.DenyClientRootAccess.Principal },
                { effect: "Deny", action: "elasticfilesystem:ClientRootAccess", principal: { AWS: "*" } },
            );
            const allow = bySid.AllowMountThroughMountTargetsToThisAccount;
            assert.deepStrictEqual(allow.Principal, { AWS: "arn:aws:iam::210987654321:root" });
            assert.deepStrictEqual(allow.Condition, { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } });
            assert.ok(!(doc.Statement as Stmt[]).some((st) => st.Effect === "Allow" && JSON.stringify(st.Principal).includes('"*"')), "no Allow to everyone");
            assert.strictEqual(inputs(policyRes).bypassPolicyLockoutSafetyCheck, false);
            assert.deepStrictEqual(policyRes.propertyDependencies.fileSystemId, [one(rec, T.fs, "files-efs").urn]);
        });

        it("confines clients to access points with a fixed POSIX identity", async () => {
            const s = setup("dev");
            const rec = await record("preview", build(s));
            const ap = inputs(one(rec, T.ap, "files-ap-analytics"));
            assert.deepStrictEqual(ap.posixUser, { uid: 1000, gid: 1000 });
            assert.deepStrictEqual(ap.rootDirectory, { path: "/analytics", creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0750" } });
        });

        it("puts one mount target in each private subnet, behind a group admitting NFS only from compute", async () => {
            for (const stack of ["dev", "prod"] as const) {
                const s = setup(stack);
                const rec = await record("up", build(s));
                const mounts = ofType(rec, T.mount).map(inputs);
                assert.deepStrictEqual(mounts.map((m) => m.subnetId), s.network.privateSubnetIds, `${stack}: a mount target per private subnet`);
                const sgId = one(rec, "aws:ec2/securityGroup:SecurityGroup", "files-sg").id;
                for (const m of mounts) assert.deepStrictEqual(m.securityGroups, [sgId]);
                expectOnlyComputeIngress(rec, s.network, 2049);
            }
        });

        it("protects the file system in prod", async () => {
            const s = setup("prod");
            const rec = await record("preview", build(s));
            assert.strictEqual(one(rec, T.fs, "files-efs").options.protect, true);
            expectAllUnder(rec, "healthcare:storage:FileStorage", "files");
        });

        it("needs a plain subnet count when the subnets are an Output, and says so", async () => {
            const s = setup("dev");
            const network = { ...s.network, privateSubnetIds: pulumi.output(["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"]) };
            await assert.rejects(
                record("preview", () => new FileStorage("files", { context: s.context, keys: s.keys, network, settings: { efs: s.cfg.storage.efs, ebs: s.cfg.storage.ebs } })),
                /FileStorage 'files' subnetCount: expected a positive integer \(one mount target per private subnet; required when network\.privateSubnetIds is an Output\), got undefined/,
            );
            const rec = await record("up", () =>
                new FileStorage("files", { context: s.context, keys: s.keys, network, settings: { efs: s.cfg.storage.efs, ebs: s.cfg.storage.ebs }, subnetCount: 2 }),
            );
            assert.deepStrictEqual(ofType(rec, T.mount).map((m) => inputs(m).subnetId), ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"]);
        });
    });

    describe("EBS", () => {
        it("prod: an encrypted gp3 volume with the databases key in the first AZ, final snapshot and protect", async () => {
            const s = setup("prod");
            const rec = await record("up", build(s));
            const res = one(rec, T.volume, "files-ebs");
            const v = inputs(res);
            assert.deepStrictEqual(
                { az: v.availabilityZone, type: v.type, size: v.size, encrypted: v.encrypted, key: v.kmsKeyId, finalSnapshot: v.finalSnapshot, protect: res.options.protect },
                { az: "us-east-1a", type: "gp3", size: 100, encrypted: true, key: s.keys.databases.arn, finalSnapshot: true, protect: true },
            );
            assert.strictEqual((v.tags as Record<string, string>).backup, "true");
        });

        it("dev: no volume unless ebsVolumeEnabled; with it, no final snapshot or protect", async () => {
            const off = setup("dev");
            assert.strictEqual(ofType(await record("preview", build(off)), T.volume).length, 0);
            const on = setup("dev", { ebsVolumeEnabled: true });
            const res = one(await record("preview", build(on)), T.volume, "files-ebs");
            assert.deepStrictEqual({ finalSnapshot: inputs(res).finalSnapshot, protect: res.options.protect, encrypted: inputs(res).encrypted }, { finalSnapshot: false, protect: false, encrypted: true });
        });

        it("with EFS disabled, only the volume exists", async () => {
            const s = setup("prod", { efsEnabled: false });
            const rec = await record("preview", build(s));
            const custom = rec.resources.filter((r) => r.custom).map((r) => r.type);
            assert.deepStrictEqual(custom, [T.volume]);
        });
    });
});
