/**
 * FileStorage: the EFS file system for shared analytics files and, optionally, an EBS scratch volume.
 *
 * EFS (when `settings.efs.enabled`), HIPAA section in brackets:
 * - Encrypted with the databases key [164.312(a)(2)(iv)].
 * - A file-system policy that denies every request not made over TLS (`aws:SecureTransport` false), denies
 *   client root access (NFS root is squashed; access points set the POSIX identity), and allows mount and write
 *   only through a mount target to principals of this account whose IAM policies also allow it
 *   [164.312(e)(1), 164.312(a)(1)]. The document is plain JSON without unknown values, so the pack judges it at
 *   preview; it names no `Resource` (an EFS policy applies to its own file system, as the console writes it).
 * - Access points with a fixed POSIX user and a root directory created with restrictive permissions.
 * - One mount target per private subnet, behind a security group admitting NFS (2049) only from the compute
 *   security group.
 * - EFS automatic backups DISABLED: they go to AWS's default vault (aws/efs/automatic-backup-vault), beside the
 *   platform's locked vault and outside its retention; the `backup=true` tag puts the file system in the platform's
 *   own plan instead [164.308(a)(7)]. Lifecycle to Infrequent Access after 30 days and back on first access.
 *
 * EBS (when `settings.ebs.volumeEnabled`): a gp3 volume in the first AZ, encrypted with the databases key, a
 * final snapshot on deletion in prod. Account-wide EBS default encryption is part of the security baseline.
 *
 * With `context.protect` (prod): `protect` on the file system and the volume.
 *
 * REPLACEMENT RISK: changing `kmsKeyId`, `encrypted`, `performanceMode` or the creation token (`role`) replaces the
 * file system with an EMPTY one; changing the volume's AZ or key replaces the volume.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StorageConfig } from "./settings";
import { policyJson } from "../shared/iam";
import { accountRootArn, resourceName } from "../shared/naming";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { BACKUP_TAG, plainLength, storeSecurityGroup } from "./store-support";

export const NFS_PORT = 2049;

/** One EFS access point: the POSIX identity every client of it gets and the directory it is confined to. */
export interface AccessPointSpec {
    /** Logical role, also the Name tag suffix (`analytics`). */
    name: string;
    /** Absolute directory the access point exposes as `/`. */
    path: string;
    uid: number;
    gid: number;
    /** Octal permissions of the directory when EFS creates it. @default "0750" */
    permissions?: string;
}

export interface FileStorageArgs {
    context: PlatformContext;
    /** `databases` encrypts the file system and the volume. */
    keys: Pick<PlatformKeyRefs, "databases">;
    network: Pick<NetworkRefs, "vpcId" | "privateSubnetIds" | "computeSecurityGroupId">;
    /** `PlatformConfig.storage.efs` and `.ebs`: plain booleans decide which of the two exist. */
    settings: { efs: StorageConfig["efs"]; ebs: StorageConfig["ebs"] };
    /** Role segment of physical names. @default the component name */
    role?: string;
    /**
     * Number of private subnets, one mount target each. A plain number because it decides how many resources
     * exist. @default the length of `network.privateSubnetIds` when that is a plain array (required otherwise)
     */
    subnetCount?: number;
    /** Access points. @default one `analytics` access point at `/analytics`, uid/gid 1000, 0750 */
    accessPoints?: AccessPointSpec[];
    /** AZ of the EBS volume. @default the first available AZ of the region */
    ebsAvailabilityZone?: pulumi.Input<string>;
}

export const DEFAULT_ACCESS_POINTS: readonly AccessPointSpec[] = [{ name: "analytics", path: "/analytics", uid: 1000, gid: 1000, permissions: "0750" }];

/** The file-system policy (known at preview: no ARN of the file system in it). */
export function fileSystemPolicy(accountRoot: string): pulumi.Output<string> {
    return policyJson([
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
            Sid: "DenyClientRootAccess",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "elasticfilesystem:ClientRootAccess",
        },
        {
            Sid: "AllowMountThroughMountTargetsToThisAccount",
            Effect: "Allow",
            Principal: { AWS: accountRoot },
            Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
        },
    ]);
}

export class FileStorage extends pulumi.ComponentResource {
    readonly fileSystem?: aws.efs.FileSystem;
    readonly fileSystemId?: pulumi.Output<string>;
    readonly fileSystemArn?: pulumi.Output<string>;
    /** Access point ids by spec name. */
    readonly accessPointIds: Record<string, pulumi.Output<string>> = {};
    readonly securityGroupId?: pulumi.Output<string>;
    readonly volume?: aws.ebs.Volume;
    readonly volumeId?: pulumi.Output<string>;

    constructor(name: string, args: FileStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:storage:FileStorage", name, {}, opts);
        const { naming, protect } = args.context;
        const role = args.role ?? name;
        const physical = resourceName(naming, role);
        const stateful = { parent: this, protect };

        if (args.settings.efs.enabled) {
            const subnetCount = args.subnetCount ?? plainLength(args.network.privateSubnetIds);
            if (subnetCount === undefined || !Number.isInteger(subnetCount) || subnetCount < 1) {
                throw new Error(
                    `FileStorage '${name}' subnetCount: expected a positive integer (one mount target per private subnet; ` +
                        `required when network.privateSubnetIds is an Output), got ${subnetCount}`,
                );
            }
            const accessPoints = args.accessPoints ?? DEFAULT_ACCESS_POINTS;
            const names = accessPoints.map((a) => a.name);
            const dup = names.find((n, i) => names.indexOf(n) !== i);
            if (dup) {
                throw new Error(`FileStorage '${name}' accessPoints: expected unique names, '${dup}' appears twice`);
            }
            for (const ap of accessPoints) {
                if (!ap.path.startsWith("/") || ap.path === "/") {
                    throw new Error(`FileStorage '${name}' accessPoints '${ap.name}' path: expected a directory below '/', got '${ap.path}'`);
                }
            }

            const fs = new aws.efs.FileSystem(
                `${name}-efs`,
                {
                    creationToken: physical,
                    encrypted: true,
                    kmsKeyId: args.keys.databases.arn,
                    performanceMode: "generalPurpose",
                    throughputMode: "elastic",
                    lifecyclePolicies: [{ transitionToIa: "AFTER_30_DAYS" }, { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }],
                    tags: { Name: physical, "data-classification": "phi", [BACKUP_TAG.key]: BACKUP_TAG.value },
                },
                stateful,
            );
            this.fileSystem = fs;
            this.fileSystemId = fs.id;
            this.fileSystemArn = fs.arn;

            new aws.efs.BackupPolicy(`${name}-efs-backup`, { fileSystemId: fs.id, backupPolicy: { status: "DISABLED" } }, { parent: this });
            new aws.efs.FileSystemPolicy(
                `${name}-efs-policy`,
                { fileSystemId: fs.id, policy: fileSystemPolicy(accountRootArn(naming)), bypassPolicyLockoutSafetyCheck: false },
                { parent: this },
            );

            for (const ap of accessPoints) {
                const accessPoint = new aws.efs.AccessPoint(
                    `${name}-ap-${ap.name}`,
                    {
                        fileSystemId: fs.id,
                        posixUser: { uid: ap.uid, gid: ap.gid },
                        rootDirectory: {
                            path: ap.path,
                            creationInfo: { ownerUid: ap.uid, ownerGid: ap.gid, permissions: ap.permissions ?? "0750" },
                        },
                        tags: { Name: `${physical}-${ap.name}` },
                    },
                    { parent: this },
                );
                this.accessPointIds[ap.name] = accessPoint.id;
            }

            const sg = storeSecurityGroup(this, name, {
                naming,
                network: args.network,
                role,
                service: "NFS (EFS)",
                ports: { fromPort: NFS_PORT, toPort: NFS_PORT },
            });
            this.securityGroupId = sg.securityGroup.id;
            const subnets = pulumi.output(args.network.privateSubnetIds);
            for (let i = 0; i < subnetCount; i++) {
                new aws.efs.MountTarget(
                    `${name}-mount-${i + 1}`,
                    {
                        fileSystemId: fs.id,
                        subnetId: subnets.apply((ids) => {
                            if (ids.length <= i) {
                                throw new Error(`FileStorage '${name}': subnetCount is ${subnetCount} but network.privateSubnetIds has ${ids.length} subnets`);
                            }
                            return ids[i];
                        }),
                        securityGroups: [sg.securityGroup.id],
                    },
                    { parent: this },
                );
            }
        }

        if (args.settings.ebs.volumeEnabled) {
            const az =
                args.ebsAvailabilityZone ??
                aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this }).names.apply((n) => {
                    if (!n.length) {
                        throw new Error(`FileStorage '${name}': the region reports no available AZ for the EBS volume`);
                    }
                    return n[0];
                });
            this.volume = new aws.ebs.Volume(
                `${name}-ebs`,
                {
                    availabilityZone: az,
                    size: args.settings.ebs.volumeSizeGiB,
                    type: "gp3",
                    encrypted: true,
                    kmsKeyId: args.keys.databases.arn,
                    finalSnapshot: protect,
                    tags: { Name: `${physical}-scratch`, "data-classification": "phi", [BACKUP_TAG.key]: BACKUP_TAG.value },
                },
                stateful,
            );
            this.volumeId = this.volume.id;
        }

        this.registerOutputs({ fileSystemId: this.fileSystemId, volumeId: this.volumeId });
    }
}
