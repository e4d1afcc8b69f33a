/**
 * HybridFileGateway: an S3 File Gateway whose file shares write into the landing zone.
 *
 *     hospital clients --NFS/SMB (LAN)--> gateway appliance (on-prem VM) --TLS--> s3://<landing>/customer=<id>/source=file-gateway[-smb]/
 *
 * The appliance runs on-prem; this component activates it (activation key, or the appliance IP from which the
 * provider fetches one) and creates:
 * - the gateway's cache on the appliance's local disk (an S3 File Gateway refuses file shares until it has one);
 * - an NFS share restricted to the configured client CIDRs, root squashed, KMS-encrypted with the data-lake key
 *   (NFS itself is unencrypted on the wire: prod config refuses it without an explicit opt-in);
 * - an SMB share when configured: Active Directory authentication only (guest access is never enabled, it would be
 *   an unauthenticated path to PHI: 164.312(a)(1), 164.312(d)), Windows ACLs honoured, access-based enumeration (a
 *   user sees only what they may open), and SMB3 encryption required by the gateway (164.312(e)(1)). The gateway
 *   joins the domain out of band (runbook), so no domain password enters stack config or state;
 * - one IAM role the gateway assumes for its shares, limited to the shares' prefixes, with no s3:DeleteObjectVersion
 *   (deleting a file on a share adds a delete marker; versions stay recoverable, 164.312(c)(1));
 * - audit logging of file operations to a KMS-encrypted log group kept for the audit retention (164.312(b)).
 *
 * Objects are written with the bucket owner in full control (`bucket-owner-full-control`; the landing bucket enforces
 * BucketOwnerEnforced ownership) and the S3 Standard storage class (files are processed and moved on, so an IA
 * class would bill its 30-day minimum).
 *
 * NFS traffic between clients and the appliance is not encrypted by NFSv3/v4.1 itself; it stays on the hospital LAN
 * within the client CIDRs. Use the SMB share where the LAN segment is not trusted.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IngestionConfig } from "./settings";
import { bucketArn, resourceName } from "../shared/naming";
import { BucketRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { classificationTags } from "../shared/tags";
import { LAKE_SOURCES, sourcePrefix } from "../shared/lake-layout";
import { keyUseStatement, logGroupArn, policyJson, roleArn, s3EncryptionContext, serviceTrustPolicy, viaService } from "../shared/iam";

export interface HybridFileGatewayArgs {
    context: PlatformContext;
    /** `PlatformConfig.ingestion.storageGateway`; whether the component exists is the caller's decision. */
    config: Omit<IngestionConfig["storageGateway"], "enabled">;
    /** Customer that owns the on-prem site (`PlatformConfig.ingestion.onPremCustomer`): files land under its prefix. */
    customer: string;
    /** `dataLake` encrypts the files, `logs` the audit log group. */
    keys: Pick<PlatformKeyRefs, "dataLake" | "logs">;
    landingBucket: BucketRef;
    /**
     * Retention of the file-access audit log, a CloudWatch Logs value (`PlatformConfig.logging.auditRetentionDays`).
     * @default context.logRetentionDays
     */
    auditLogRetentionDays?: number;
    /**
     * DNS name of a Storage Gateway interface VPC endpoint, so the appliance talks to AWS through the VPN instead
     * of the public endpoint. Can only be set at activation. @default undefined (public endpoint, TLS)
     */
    gatewayVpcEndpoint?: pulumi.Input<string>;
    /**
     * Seconds before a directory listing is refreshed from S3 (files written to the prefix by others appear after
     * this). Storage Gateway accepts 300-2592000. @default 300
     */
    cacheStaleTimeoutSeconds?: number;
}

export class HybridFileGateway extends pulumi.ComponentResource {
    readonly gatewayName: string;
    readonly auditLogGroupName: string;
    readonly shareRoleArn: string;
    /** `customer=<id>/source=file-gateway/`, where NFS files land (when an NFS share exists). */
    readonly nfsPrefix?: string;
    /** `customer=<id>/source=file-gateway-smb/`, where SMB files land (when the SMB share exists). */
    readonly smbPrefix?: string;
    readonly gateway: aws.storagegateway.Gateway;
    readonly cache: aws.storagegateway.Cache;
    readonly nfsShare?: aws.storagegateway.NfsFileShare;
    readonly smbShare?: aws.storagegateway.SmbFileShare;

    constructor(name: string, args: HybridFileGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:ingestion:HybridFileGateway", name, {}, opts);
        const { naming, protect } = args.context;
        const cfg = args.config;
        const cacheStale = args.cacheStaleTimeoutSeconds ?? 300;
        if (!Number.isInteger(cacheStale) || cacheStale < 300 || cacheStale > 2592000) {
            throw new Error(`HybridFileGateway '${name}': cacheStaleTimeoutSeconds must be 300-2592000, got ${cacheStale}`);
        }

        const landingArn = bucketArn(naming, args.landingBucket.name);
        this.gatewayName = resourceName(naming, `${name}-file-gateway`);
        this.auditLogGroupName = `/aws/storagegateway/${this.gatewayName}`;
        const shareRoleName = resourceName(naming, `${name}-shares`, "iam");
        this.shareRoleArn = roleArn(naming, shareRoleName);
        const auditLogArn = logGroupArn(naming, this.auditLogGroupName);
        const prefixes: string[] = [];
        if (cfg.nfsClientCidrs.length > 0) {
            this.nfsPrefix = sourcePrefix(args.customer, LAKE_SOURCES.fileGateway);
            prefixes.push(this.nfsPrefix);
        }
        if (cfg.smbEnabled) {
            this.smbPrefix = sourcePrefix(args.customer, LAKE_SOURCES.fileGatewaySmb);
            prefixes.push(this.smbPrefix);
        }

        const auditLogs = new aws.cloudwatch.LogGroup(
            `${name}-audit-logs`,
            {
                name: this.auditLogGroupName,
                kmsKeyId: args.keys.logs.arn,
                retentionInDays: args.auditLogRetentionDays ?? args.context.logRetentionDays,
                deletionProtectionEnabled: protect,
                // File names and user names, not file contents.
                tags: classificationTags("confidential"),
            },
            { parent: this, protect },
        );

        this.gateway = new aws.storagegateway.Gateway(
            `${name}-gateway`,
            {
                gatewayName: this.gatewayName,
                gatewayType: "FILE_S3",
                gatewayTimezone: cfg.timezone,
                activationKey: cfg.activationKey,
                gatewayIpAddress: cfg.gatewayIpAddress,
                gatewayVpcEndpoint: args.gatewayVpcEndpoint,
                cloudwatchLogGroupArn: auditLogArn,
                // SMB3 with encryption only; older clients are refused rather than sent PHI in clear (164.312(e)(1)).
                smbSecurityStrategy: cfg.smbEnabled ? "MandatoryEncryption" : undefined,
                smbFileShareVisibility: cfg.smbEnabled ? false : undefined,
                tags: classificationTags("phi"),
            },
            {
                parent: this,
                protect,
                dependsOn: [auditLogs],
                // The domain join happens out of band so that no AD password is kept in state; the provider must not
                // try to undo it. The activation inputs are used once: a changed IP or key would otherwise replace
                // (delete and re-activate) a gateway that clients have mounted.
                ignoreChanges: ["smbActiveDirectorySettings", "activationKey", "gatewayIpAddress"],
            },
        );

        // The cache disk is a second virtual disk of the appliance; its id is only known to the activated gateway.
        const cacheDisk = aws.storagegateway.getLocalDiskOutput({ gatewayArn: this.gateway.arn, diskNode: cfg.cacheDiskNode }, { parent: this });
        this.cache = new aws.storagegateway.Cache(
            `${name}-cache`,
            { gatewayArn: this.gateway.arn, diskId: cacheDisk.diskId },
            // A cache disk cannot be removed from a gateway; replacing it means a new appliance.
            { parent: this, protect },
        );

        const shareRole = new aws.iam.Role(
            `${name}-shares-role`,
            {
                name: shareRoleName,
                description: `Storage Gateway ${this.gatewayName}: file shares into ${prefixes.join(", ")} of the landing zone`,
                assumeRolePolicy: serviceTrustPolicy("storagegateway.amazonaws.com", { sid: "TrustService", sourceAccount: naming.accountId }),
            },
            { parent: this },
        );
        const sharePolicy = new aws.iam.RolePolicy(
            `${name}-shares-policy`,
            {
                role: shareRole.name,
                name: "file-shares-to-landing",
                policy: policyJson([
                    {
                        Sid: "LandingBucket",
                        Effect: "Allow",
                        Action: ["s3:GetAccelerateConfiguration", "s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucketMultipartUploads"],
                        Resource: landingArn,
                    },
                    {
                        Sid: "ListSharePrefixes",
                        Effect: "Allow",
                        Action: ["s3:ListBucket", "s3:ListBucketVersions"],
                        Resource: landingArn,
                        Condition: { StringLike: { "s3:prefix": prefixes.flatMap((p) => [p, `${p}*`]) } },
                    },
                    {
                        Sid: "ShareObjects",
                        Effect: "Allow",
                        Action: [
                            "s3:AbortMultipartUpload",
                            "s3:DeleteObject",
                            "s3:GetObject",
                            "s3:GetObjectAcl",
                            "s3:GetObjectVersion",
                            "s3:ListMultipartUploadParts",
                            "s3:PutObject",
                            "s3:PutObjectAcl",
                        ],
                        Resource: prefixes.map((p) => `${landingArn}/${p}*`),
                    },
                    keyUseStatement(naming, "EncryptShareObjects", args.keys.dataLake, ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"], {
                        via: [viaService(naming, "s3")],
                        conditions: s3EncryptionContext(landingArn),
                    }),
                ]),
            },
            { parent: this },
        );

        const shareDefaults = {
            gatewayArn: this.gateway.arn,
            roleArn: this.shareRoleArn,
            kmsEncrypted: true,
            kmsKeyArn: args.keys.dataLake.arn,
            defaultStorageClass: "S3_STANDARD",
            objectAcl: "bucket-owner-full-control",
            auditDestinationArn: auditLogArn,
            guessMimeTypeEnabled: true,
            requesterPays: false,
            cacheAttributes: { cacheStaleTimeoutInSeconds: cacheStale },
            tags: classificationTags("phi"),
        };
        const shareOpts: pulumi.CustomResourceOptions = { parent: this, protect, dependsOn: [shareRole, sharePolicy, auditLogs, this.cache] };

        if (this.nfsPrefix) {
            this.nfsShare = new aws.storagegateway.NfsFileShare(
                `${name}-nfs`,
                {
                    ...shareDefaults,
                    fileShareName: `${args.customer}-landing`,
                    locationArn: `${landingArn}/${this.nfsPrefix}`,
                    clientLists: cfg.nfsClientCidrs,
                    // Root on a client is mapped to nobody: a compromised client's root cannot take over other files.
                    squash: "RootSquash",
                    readOnly: false,
                    nfsFileShareDefaults: { directoryMode: "0770", fileMode: "0660" },
                },
                shareOpts,
            );
        }
        if (this.smbPrefix) {
            this.smbShare = new aws.storagegateway.SmbFileShare(
                `${name}-smb`,
                {
                    ...shareDefaults,
                    fileShareName: `${args.customer}-landing-smb`,
                    locationArn: `${landingArn}/${this.smbPrefix}`,
                    authentication: "ActiveDirectory",
                    validUserLists: cfg.smbAllowedUsers,
                    smbAclEnabled: true,
                    accessBasedEnumeration: true,
                    readOnly: false,
                    caseSensitivity: "ClientSpecified",
                },
                shareOpts,
            );
        }

        this.registerOutputs({
            gatewayName: this.gatewayName,
            gatewayArn: this.gateway.arn,
            auditLogGroupName: this.auditLogGroupName,
            shareRoleArn: this.shareRoleArn,
            nfsPrefix: this.nfsPrefix,
            smbPrefix: this.smbPrefix,
        });
    }
}
