/**
 * Warehouse: Amazon Redshift for PHI analytics, Serverless (namespace + workgroup, the default) or a
 * provisioned cluster, by `storage.redshift.mode`.
 *
 * Controls (HIPAA section in brackets):
 * - Encrypted with the databases key [164.312(a)(2)(iv)].
 * - `require_ssl` (workgroup `configParameters` / cluster parameter group) [164.312(e)(1)].
 * - Enhanced VPC routing (COPY/UNLOAD traffic stays in the VPC, through its S3 endpoint and flow logs), not
 *   publicly accessible, private subnets, a security group admitting 5439 only from the compute group
 *   [164.312(a)(1), 164.312(e)(1)].
 * - Audit logging to CloudWatch Logs: connection, user and user-activity logs (serverless `logExports`, cluster
 *   `aws.redshift.Logging`); user-activity logging also needs `enable_user_activity_logging` [164.312(b)].
 * - The admin password is generated and kept by Redshift in Secrets Manager, encrypted with the secrets key
 *   (`manageAdminPassword` / `manageMasterPassword`): no password in the program, config or state [164.312(d)].
 * - Backups [164.308(a)(7)]: a provisioned cluster keeps automated snapshots for `snapshotRetentionDays` and takes
 *   a final snapshot in prod. Serverless keeps recovery points for 24 hours (fixed by AWS, no schedule); longer
 *   retention comes from snapshots, and the namespace carries the `backup=true` tag for the AWS Backup plan.
 * - With `context.protect` (prod): `protect` on the namespace / cluster.
 *
 * REPLACEMENT RISK: changing `mode`, the namespace or cluster name (`role`), `kmsKeyId` of a cluster, `dbName`
 * / `databaseName` or the admin user name replaces the warehouse with an EMPTY one. `protect` makes prod refuse it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StorageConfig } from "./settings";
import { resourceName } from "../shared/naming";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { serviceLogGroups } from "../shared/service-logs";
import { BACKUP_TAG, storeSecurityGroup } from "./store-support";

export const REDSHIFT_PORT = 5439;

/** Audit logs exported to CloudWatch Logs. */
export const REDSHIFT_LOG_EXPORTS: readonly string[] = ["connectionlog", "userlog", "useractivitylog"];

/**
 * Serverless workgroup parameters. The API returns the full set, so all of them are declared (a partial set
 * shows a permanent diff); the values other than `require_ssl` and `enable_user_activity_logging` are AWS's
 * defaults.
 */
export const SERVERLESS_CONFIG_PARAMETERS: readonly { parameterKey: string; parameterValue: string }[] = [
    { parameterKey: "require_ssl", parameterValue: "true" },
    { parameterKey: "enable_user_activity_logging", parameterValue: "true" },
    { parameterKey: "auto_mv", parameterValue: "true" },
    { parameterKey: "datestyle", parameterValue: "ISO, MDY" },
    { parameterKey: "enable_case_sensitive_identifier", parameterValue: "false" },
    { parameterKey: "query_group", parameterValue: "default" },
    { parameterKey: "search_path", parameterValue: "$user, public" },
    { parameterKey: "max_query_execution_time", parameterValue: "14400" },
    { parameterKey: "use_fips_ssl", parameterValue: "false" },
];

export interface WarehouseArgs {
    context: PlatformContext;
    /** `databases` encrypts the warehouse, `secrets` the managed admin secret, `logs` the audit log groups. */
    keys: Pick<PlatformKeyRefs, "databases" | "secrets" | "logs">;
    /** Retention of the audit log groups (connection, user, user-activity logs). @default context.logRetentionDays */
    auditLogRetentionDays?: number;
    network: Pick<NetworkRefs, "vpcId" | "privateSubnetIds" | "computeSecurityGroupId">;
    /** `PlatformConfig.storage.redshift`. Whether the warehouse exists is the caller's plain boolean (`enabled`). */
    settings: StorageConfig["redshift"];
    /** Role segment of physical names. @default the component name */
    role?: string;
    /** Initial database. @default "analytics" */
    databaseName?: string;
    /** Admin user name (password managed by Redshift). @default "phi_admin" */
    adminUsername?: string;
    /** IAM roles the warehouse may assume (COPY/UNLOAD, Spectrum). @default [] */
    iamRoleArns?: pulumi.Input<string>[];
    /** Take a final snapshot when a provisioned cluster is deleted. @default context.protect */
    finalSnapshot?: boolean;
}

export class Warehouse extends pulumi.ComponentResource {
    /** Namespace or cluster name, known at preview. */
    readonly name: string;
    readonly port = REDSHIFT_PORT;
    /** Endpoint host (workgroup endpoint or cluster DNS name). */
    readonly endpoint: pulumi.Output<string>;
    /** ARN of the Secrets Manager secret Redshift created for the admin user. */
    readonly adminSecretArn: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly namespace?: aws.redshiftserverless.Namespace;
    readonly workgroup?: aws.redshiftserverless.Workgroup;
    readonly cluster?: aws.redshift.Cluster;

    constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:storage:Warehouse", name, {}, opts);
        const { naming, protect } = args.context;
        const s = args.settings;
        const role = args.role ?? name;
        const databaseName = args.databaseName ?? "analytics";
        const adminUsername = args.adminUsername ?? "phi_admin";
        const finalSnapshot = args.finalSnapshot ?? protect;
        this.name = resourceName(naming, role, "redshift");
        const tags = { "data-classification": "phi", [BACKUP_TAG.key]: BACKUP_TAG.value };

        const sg = storeSecurityGroup(this, name, {
            naming,
            network: args.network,
            role,
            service: "Redshift",
            ports: { fromPort: REDSHIFT_PORT, toPort: REDSHIFT_PORT },
        });
        this.securityGroupId = sg.securityGroup.id;

        // Created before logging starts: Redshift would otherwise create them unencrypted and keep them forever.
        const logGroups = serviceLogGroups(
            this,
            name,
            REDSHIFT_LOG_EXPORTS.map((t) => ({ suffix: `log-${t}`, name: s.mode === "serverless" ? `/aws/redshift/${this.name}/${t}` : `/aws/redshift/cluster/${this.name}/${t}` })),
            args.keys.logs,
            args.auditLogRetentionDays ?? args.context.logRetentionDays,
        );

        if (s.mode === "serverless") {
            this.namespace = new aws.redshiftserverless.Namespace(
                `${name}-namespace`,
                {
                    namespaceName: this.name,
                    dbName: databaseName,
                    adminUsername,
                    manageAdminPassword: true,
                    adminPasswordSecretKmsKeyId: args.keys.secrets.arn,
                    kmsKeyId: args.keys.databases.arn,
                    logExports: [...REDSHIFT_LOG_EXPORTS],
                    iamRoles: args.iamRoleArns ?? [],
                    tags,
                },
                { parent: this, protect, dependsOn: logGroups },
            );
            this.workgroup = new aws.redshiftserverless.Workgroup(
                `${name}-workgroup`,
                {
                    workgroupName: this.name,
                    namespaceName: this.namespace.namespaceName,
                    baseCapacity: s.baseCapacityRpu,
                    enhancedVpcRouting: true,
                    publiclyAccessible: false,
                    subnetIds: args.network.privateSubnetIds,
                    securityGroupIds: [sg.securityGroup.id],
                    port: REDSHIFT_PORT,
                    configParameters: SERVERLESS_CONFIG_PARAMETERS.map((p) => ({ ...p })),
                    tags: { "data-classification": "phi" },
                },
                { parent: this },
            );
            this.endpoint = this.workgroup.endpoints.apply((e) => e?.[0]?.address ?? "");
            this.adminSecretArn = this.namespace.adminPasswordSecretArn;
        } else {
            const subnetGroup = new aws.redshift.SubnetGroup(
                `${name}-subnets`,
                {
                    name: this.name,
                    description: `Private subnets of ${this.name}`,
                    subnetIds: args.network.privateSubnetIds,
                },
                { parent: this },
            );
            const parameterGroup = new aws.redshift.ParameterGroup(
                `${name}-params`,
                {
                    name: resourceName(naming, `${role}-redshift-2-0`, "redshift"),
                    family: "redshift-2.0",
                    description: "Requires TLS and logs user activity (HIPAA 164.312(e)(1), 164.312(b))",
                    parameters: [
                        { name: "require_ssl", value: "true" },
                        { name: "enable_user_activity_logging", value: "true" },
                    ],
                },
                { parent: this },
            );
            this.cluster = new aws.redshift.Cluster(
                `${name}-cluster`,
                {
                    clusterIdentifier: this.name,
                    nodeType: s.nodeType,
                    numberOfNodes: s.numberOfNodes,
                    clusterType: s.numberOfNodes > 1 ? "multi-node" : "single-node",
                    databaseName,
                    masterUsername: adminUsername,
                    manageMasterPassword: true,
                    masterPasswordSecretKmsKeyId: args.keys.secrets.arn,
                    // A string in provider v7.
                    encrypted: "true",
                    kmsKeyId: args.keys.databases.arn,
                    enhancedVpcRouting: true,
                    publiclyAccessible: false,
                    clusterSubnetGroupName: subnetGroup.name,
                    clusterParameterGroupName: parameterGroup.name,
                    vpcSecurityGroupIds: [sg.securityGroup.id],
                    automatedSnapshotRetentionPeriod: s.snapshotRetentionDays,
                    skipFinalSnapshot: !finalSnapshot,
                    finalSnapshotIdentifier: finalSnapshot ? `${this.name}-final` : undefined,
                    allowVersionUpgrade: true,
                    port: REDSHIFT_PORT,
                    iamRoles: args.iamRoleArns ?? [],
                    tags,
                },
                { parent: this, protect },
            );
            new aws.redshift.Logging(
                `${name}-logging`,
                {
                    clusterIdentifier: this.cluster.clusterIdentifier,
                    logDestinationType: "cloudwatch",
                    logExports: [...REDSHIFT_LOG_EXPORTS],
                },
                { parent: this, dependsOn: logGroups },
            );
            this.endpoint = this.cluster.dnsName;
            this.adminSecretArn = this.cluster.masterPasswordSecretArn;
        }

        this.registerOutputs({ name: this.name, endpoint: this.endpoint, adminSecretArn: this.adminSecretArn });
    }
}
