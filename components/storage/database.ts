/**
 * Database: PostgreSQL for PHI, as an RDS instance (`postgres`) or an Aurora cluster (`aurora-postgresql`).
 *
 * Controls (HIPAA section in brackets):
 * - Private subnets only, `publiclyAccessible: false`, a security group admitting 5432 only from the compute
 *   security group [164.312(a)(1)].
 * - Storage and Performance Insights encrypted with the databases key [164.312(a)(2)(iv)].
 * - A parameter group forcing TLS (`rds.force_ssl=1`, `ssl_min_protocol_version=TLSv1.2`) and logging
 *   connections and disconnections [164.312(e)(1), 164.312(b)]; `postgresql`/`upgrade` logs exported to
 *   KMS-encrypted log groups created here with the platform's retention.
 * - IAM database authentication [164.312(d)]; the master password is generated, stored and rotated by RDS in
 *   Secrets Manager (`manageMasterUserPassword`), encrypted with the secrets key: no password ever exists in the
 *   program, the stack config or the state.
 * - Automated backups with retention from config, Multi-AZ (instance) or a second instance in another AZ
 *   (Aurora) when `multiAz` [164.308(a)(7)].
 * - With `context.protect` (prod): `deletionProtection`, the `protect` resource option, a final snapshot with a
 *   deterministic identifier, and automated backups kept after deletion.
 *
 * REPLACEMENT RISK: changing any of these replaces the database (a new, EMPTY database; restore from the final
 * snapshot or a backup): `storage.rds.engine` (instance <-> Aurora are different resources), the physical
 * identifier (`role` or the component name), `storageEncrypted`, `kmsKeyId` (the databases key ARN: a new key
 * replaces the database), `dbName`/`databaseName`, `username`/`masterUsername`, and for Aurora
 * `dbSubnetGroupName` and `engineMode`. Moving an instance to another subnet group means a new VPC and downtime.
 * In prod `protect` makes `pulumi up` refuse such a replacement instead of performing it; review the preview.
 * A major version change (`rdsEngineVersion` 16 -> 17) creates a new parameter group (its name carries the
 * family) and upgrades in place; it needs `allowMajorVersionUpgrade`, which is deliberately not set.
 * `rdsEngineVersion` is the major version only (`16`, validated in config), for RDS and Aurora: AWS applies minor
 * upgrades (`autoMinorVersionUpgrade`) without drift, and a pinned minor that AWS retires cannot fail a deploy.
 * Final snapshots are taken only where `protect` is on (prod), so a dev stack destroyed and re-created leaves no
 * snapshot name behind to collide with.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RdsSettings } from "./settings";
import { regionalArn, resourceName } from "../shared/naming";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { BACKUP_TAG, majorVersion, storeSecurityGroup } from "./store-support";

export const POSTGRES_PORT = 5432;

/** Parameters every PostgreSQL parameter group of the platform sets. All are dynamic (no reboot). */
export const POSTGRES_TLS_AND_AUDIT_PARAMETERS: readonly { name: string; value: string }[] = [
    // HIPAA 164.312(e)(1): refuse unencrypted connections and TLS below 1.2.
    { name: "rds.force_ssl", value: "1" },
    { name: "ssl_min_protocol_version", value: "TLSv1.2" },
    // HIPAA 164.312(b): who connected, from where, and for how long.
    { name: "log_connections", value: "1" },
    { name: "log_disconnections", value: "1" },
];

export interface DatabaseArgs {
    context: PlatformContext;
    /** `databases` encrypts storage and Performance Insights, `secrets` the managed master secret, `logs` the log groups. */
    keys: Pick<PlatformKeyRefs, "databases" | "secrets" | "logs">;
    network: Pick<NetworkRefs, "vpcId" | "privateSubnetIds" | "computeSecurityGroupId">;
    /** `PlatformConfig.storage.rds`. Whether the database exists at all is the caller's plain boolean (`enabled`). */
    settings: RdsSettings;
    /** Role segment of physical names (`hdp-prod-<role>`). @default the component name */
    role?: string;
    /** Initial database. @default "phi" */
    databaseName?: string;
    /** Master user name (its password is managed by RDS). @default "phi_admin" */
    masterUsername?: string;
    /** Performance Insights retention: 7 (free) or a multiple of 31 up to 731. @default 7 */
    performanceInsightsRetentionDays?: number;
    /** Daily backup window (UTC), outside the maintenance window. @default "03:00-04:00" */
    backupWindow?: string;
    /** Weekly maintenance window (UTC). @default "sun:05:00-sun:06:00" */
    maintenanceWindow?: string;
    /**
     * Take a final snapshot on deletion. Its identifier is deterministic (`<identifier>-final`), so a second
     * deletion of a re-created database fails until the old snapshot is removed: that is why dev skips it.
     * @default context.protect
     */
    finalSnapshot?: boolean;
    /** Apply modifications now rather than in the maintenance window. @default !context.protect */
    applyImmediately?: boolean;
}

export class Database extends pulumi.ComponentResource {
    /** Instance or cluster identifier, known at preview. */
    readonly identifier: string;
    /** ARN of the instance or cluster, known at preview (AWS Backup selection, IAM). */
    readonly arn: string;
    /** Writer endpoint (`host:port` for an instance, host for a cluster). */
    readonly endpoint: pulumi.Output<string>;
    /** Reader endpoint (Aurora), otherwise the writer endpoint. */
    readonly readerEndpoint: pulumi.Output<string>;
    readonly port = POSTGRES_PORT;
    /** ARN of the Secrets Manager secret RDS created for the master user. */
    readonly masterUserSecretArn: pulumi.Output<string>;
    /**
     * `DbiResourceId` (instance) or cluster resource id, for IAM database authentication policies
     * (`rds-db:connect` on `arn:<partition>:rds-db:<region>:<account>:dbuser:<id>/<db user>`). Known after creation.
     */
    readonly iamAuthResourceId: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    /** Log groups the exports go to, created here with the logs key and the platform retention. */
    readonly logGroupNames: string[];
    /** Resources for the AWS Backup selection (ARNs known at preview). */
    readonly backupResourceArns: string[];
    readonly instance?: aws.rds.Instance;
    readonly cluster?: aws.rds.Cluster;
    readonly clusterInstances: aws.rds.ClusterInstance[] = [];

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:storage:Database", name, {}, opts);
        const { naming, protect } = args.context;
        const s = args.settings;
        const role = args.role ?? name;
        const aurora = s.engine === "aurora-postgresql";
        const major = majorVersion(s.engineVersion, `Database '${name}' settings.engineVersion (rdsEngineVersion)`);
        const piRetention = args.performanceInsightsRetentionDays ?? 7;
        if (piRetention !== 7 && !(piRetention % 31 === 0 && piRetention >= 31 && piRetention <= 731)) {
            throw new Error(`Database '${name}' performanceInsightsRetentionDays: expected 7 or a multiple of 31 up to 731, got ${piRetention}`);
        }
        const finalSnapshot = args.finalSnapshot ?? protect;
        const applyImmediately = args.applyImmediately ?? !protect;
        const databaseName = args.databaseName ?? "phi";
        const username = args.masterUsername ?? "phi_admin";
        const backupWindow = args.backupWindow ?? "03:00-04:00";
        const maintenanceWindow = args.maintenanceWindow ?? "sun:05:00-sun:06:00";

        this.identifier = resourceName(naming, role, "rds");
        const finalSnapshotIdentifier = `${this.identifier}-final`;
        const stateful = { parent: this, protect };
        const tags = { "data-classification": "phi", [BACKUP_TAG.key]: BACKUP_TAG.value };

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            {
                name: this.identifier,
                description: `Private subnets of ${this.identifier} (no route to an internet gateway)`,
                subnetIds: args.network.privateSubnetIds,
            },
            { parent: this },
        );
        const sg = storeSecurityGroup(this, name, {
            naming,
            network: args.network,
            role,
            service: "PostgreSQL",
            ports: { fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT },
        });
        this.securityGroupId = sg.securityGroup.id;

        // RDS would create these log groups itself, unencrypted and kept forever; created first, they get the
        // logs key and the platform's retention.
        const logExports = aurora ? ["postgresql"] : ["postgresql", "upgrade"];
        const logPrefix = aurora ? `/aws/rds/cluster/${this.identifier}` : `/aws/rds/instance/${this.identifier}`;
        this.logGroupNames = logExports.map((e) => `${logPrefix}/${e}`);
        const logGroups = logExports.map(
            (e, i) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-log-${e}`,
                    {
                        name: this.logGroupNames[i],
                        kmsKeyId: args.keys.logs.arn,
                        retentionInDays: args.context.logRetentionDays,
                    },
                    { parent: this },
                ),
        );

        const parameters = POSTGRES_TLS_AND_AUDIT_PARAMETERS.map((p) => ({ ...p, applyMethod: "immediate" }));
        const family = `${aurora ? "aurora-postgresql" : "postgres"}${major}`;
        const common = {
            engineVersion: s.engineVersion,
            storageEncrypted: true,
            kmsKeyId: args.keys.databases.arn,
            iamDatabaseAuthenticationEnabled: true,
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: args.keys.secrets.arn,
            backupRetentionPeriod: s.backupRetentionDays,
            deletionProtection: protect,
            skipFinalSnapshot: !finalSnapshot,
            finalSnapshotIdentifier: finalSnapshot ? finalSnapshotIdentifier : undefined,
            // Automated backups outlive a deleted database in prod (restore after a mistaken deletion).
            deleteAutomatedBackups: !protect,
            copyTagsToSnapshot: true,
            enabledCloudwatchLogsExports: logExports,
            vpcSecurityGroupIds: [sg.securityGroup.id],
            dbSubnetGroupName: subnetGroup.name,
            applyImmediately,
            tags,
        };
        const instanceCommon = {
            instanceClass: s.instanceClass,
            publiclyAccessible: false,
            autoMinorVersionUpgrade: true,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: args.keys.databases.arn,
            performanceInsightsRetentionPeriod: piRetention,
            caCertIdentifier: "rds-ca-rsa2048-g1",
        };

        // The same TLS-forcing parameters for an instance's or a cluster's group.
        const parameterGroupArgs = {
            name: resourceName(naming, `${role}-${family}`, "rds"),
            family,
            description: "Forces TLS 1.2+ and logs connections (HIPAA 164.312(e)(1), 164.312(b))",
            parameters,
        };
        if (aurora) {
            const parameterGroup = new aws.rds.ClusterParameterGroup(
                `${name}-params`,
                parameterGroupArgs,
                { parent: this },
            );
            this.cluster = new aws.rds.Cluster(
                `${name}-cluster`,
                {
                    ...common,
                    clusterIdentifier: this.identifier,
                    engine: "aurora-postgresql",
                    engineMode: "provisioned",
                    databaseName,
                    masterUsername: username,
                    dbClusterParameterGroupName: parameterGroup.name,
                    preferredBackupWindow: backupWindow,
                    preferredMaintenanceWindow: maintenanceWindow,
                },
                { ...stateful, dependsOn: logGroups },
            );
            // Aurora's Multi-AZ is a reader in another AZ that is promoted on failure.
            const count = s.multiAz ? 2 : 1;
            for (let i = 0; i < count; i++) {
                this.clusterInstances.push(
                    new aws.rds.ClusterInstance(
                        `${name}-instance-${i + 1}`,
                        {
                            ...instanceCommon,
                            identifier: resourceName(naming, `${role}-${i + 1}`, "rds"),
                            clusterIdentifier: this.cluster.id,
                            engine: "aurora-postgresql",
                            engineVersion: s.engineVersion,
                            dbSubnetGroupName: subnetGroup.name,
                            copyTagsToSnapshot: true,
                            promotionTier: i,
                            applyImmediately,
                            tags,
                        },
                        stateful,
                    ),
                );
            }
            this.arn = regionalArn(naming, "rds", `cluster:${this.identifier}`);
            this.endpoint = this.cluster.endpoint;
            this.readerEndpoint = this.cluster.readerEndpoint;
            this.masterUserSecretArn = this.cluster.masterUserSecrets.apply((m) => m?.[0]?.secretArn ?? "");
            this.iamAuthResourceId = this.cluster.clusterResourceId;
        } else {
            const parameterGroup = new aws.rds.ParameterGroup(
                `${name}-params`,
                parameterGroupArgs,
                { parent: this },
            );
            this.instance = new aws.rds.Instance(
                `${name}-instance`,
                {
                    ...common,
                    ...instanceCommon,
                    identifier: this.identifier,
                    engine: "postgres",
                    dbName: databaseName,
                    username,
                    allocatedStorage: s.allocatedStorageGiB,
                    storageType: "gp3",
                    multiAz: s.multiAz,
                    parameterGroupName: parameterGroup.name,
                    backupWindow,
                    maintenanceWindow,
                    port: POSTGRES_PORT,
                },
                { ...stateful, dependsOn: logGroups },
            );
            this.arn = regionalArn(naming, "rds", `db:${this.identifier}`);
            this.endpoint = this.instance.endpoint;
            this.readerEndpoint = this.instance.endpoint;
            this.masterUserSecretArn = this.instance.masterUserSecrets.apply((m) => m?.[0]?.secretArn ?? "");
            this.iamAuthResourceId = this.instance.resourceId;
        }
        this.backupResourceArns = [this.arn];

        this.registerOutputs({
            identifier: this.identifier,
            arn: this.arn,
            endpoint: this.endpoint,
            masterUserSecretArn: this.masterUserSecretArn,
        });
    }
}
