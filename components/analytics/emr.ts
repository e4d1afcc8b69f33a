/**
 * EmrProcessing: Spark for large unstructured processing and ML over the lake.
 *
 * `serverless` (default): an EMR Serverless Spark application in the private subnets with the compute security
 * group (workers get no public IPs), auto-start on job submission, auto-stop when idle, a maximum capacity that
 * bounds cost, logs to the encrypted logs bucket (SSE-KMS) and to a KMS-encrypted log group, and no managed log
 * persistence (no third copy of job logs outside the platform's retention). Jobs run as the job runtime role.
 *
 * `cluster`: an EMR on EC2 cluster in one private subnet, with a security configuration that encrypts
 * - EMRFS data in S3 with SSE-KMS (the data-lake key) and local disks, including EBS root and storage volumes,
 *   with the databases key (HIPAA 164.312(a)(2)(iv));
 * - data in transit between nodes with TLS (164.312(e)(1)). EMR on EC2 needs the certificates itself: the
 *   `PEM` provider reads a zip (`privateKey.pem`, `certificateChain.pem`, optional `trustedCertificates.pem`)
 *   from S3; a wildcard certificate for the VPC's private DNS domain (`*.ec2.internal` in us-east-1,
 *   `*.<region>.compute.internal` elsewhere) covers every node. The zip is passed in (`tlsCertificatesS3Object`)
 *   because a private key must never pass through Pulumi state; issue it from a private CA and upload it to an
 *   SSE-KMS bucket (see the README).
 * - IMDSv2 only on every node.
 * Service and instance roles are built here with least privilege; the service role uses AWS's
 * `AmazonEMRServicePolicy_v2`, which is itself scoped to resources tagged
 * `for-use-with-amazon-emr-managed-policies=true` (the security groups here carry the tag; the private subnets
 * must too).
 *
 * Both modes: the execution role reads the raw and curated zones and writes only the curated zone (never the
 * landing or import zones), and maintains only the curated Glue database (164.312(a)(1) least privilege).
 * `none` creates nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AnalyticsConfig } from "./settings";
import { globalArn, regionalArn, resourceName } from "../shared/naming";
import { BucketRef, NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { CatalogRefs } from "./catalog";
import { glueReadStatement, glueWriteStatement, keyUseStatement, logWriteStatement, PolicyStatement, policyJson, s3ReadStatements, s3WriteStatement, serviceTrustPolicy } from "../shared/iam";

/** The tag AWS's v2 EMR managed policies require on every VPC resource EMR touches. */
export const EMR_MANAGED_POLICY_TAG = { "for-use-with-amazon-emr-managed-policies": "true" };

export interface EmrProcessingArgs {
    context: PlatformContext;
    /** dataLake: S3 data and logs; databases: cluster local disks; logs: the serverless log group. */
    keys: Pick<PlatformKeyRefs, "dataLake" | "databases" | "logs">;
    network: NetworkRefs;
    /** Mode, release and instance type (`PlatformConfig.analytics.emr`). */
    settings: AnalyticsConfig["emr"];
    catalog: Pick<CatalogRefs, "rawBucket" | "curatedBucket" | "rawDatabase" | "curatedDatabase">;
    /** Encrypted bucket (and prefix) for job and cluster logs. @default prefix "emr/" */
    logs: { bucket: BucketRef; prefix?: string };
    /** Serverless: upper bound of the application's capacity. @default { cpu: "32 vCPU", memory: "128 GB", disk: "640 GB" } */
    maximumCapacity?: { cpu: string; memory: string; disk: string };
    /** Serverless: minutes idle before the application stops. @default 15 */
    idleTimeoutMinutes?: number;
    /** Cluster: core nodes. @default 2 */
    coreInstanceCount?: number;
    /** Cluster: seconds idle before the cluster terminates itself. @default 3600 */
    clusterIdleTimeoutSeconds?: number;
    /**
     * Cluster: `s3://bucket/key.zip` of the PEM certificates for in-transit TLS (required in cluster mode).
     * @default settings.tlsCertificatesS3Object (config key `emrTlsCertificatesS3Object`)
     */
    tlsCertificatesS3Object?: string;
}

const S3_ZIP = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+\.zip)$/;

/** The security configuration document of cluster mode (exported for tests and the policy pack's examples). */
export function emrSecurityConfiguration(args: Pick<EmrProcessingArgs, "context" | "keys">, certificatesS3Object: string): string {
    const aliasArn = (alias: string) => regionalArn(args.context.naming, "kms", alias);
    // Alias ARNs (accepted by EMR and EBS) keep the document known at preview; key ARNs are random until created.
    return JSON.stringify({
        EncryptionConfiguration: {
            EnableAtRestEncryption: true,
            EnableInTransitEncryption: true,
            AtRestEncryptionConfiguration: {
                S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey: aliasArn(args.keys.dataLake.aliasName) },
                LocalDiskEncryptionConfiguration: {
                    EncryptionKeyProviderType: "AwsKms",
                    AwsKmsKey: aliasArn(args.keys.databases.aliasName),
                    EnableEbsEncryption: true,
                },
            },
            InTransitEncryptionConfiguration: {
                TLSCertificateConfiguration: { CertificateProviderType: "PEM", S3Object: certificatesS3Object },
            },
        },
        InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
    });
}

export class EmrProcessing extends pulumi.ComponentResource {
    readonly mode: AnalyticsConfig["emr"]["mode"];
    /** The role jobs run as (serverless) or the cluster's EC2 instance role; undefined when mode is none. */
    readonly executionRole?: aws.iam.Role;
    readonly application?: aws.emrserverless.Application;
    readonly cluster?: aws.emr.Cluster;
    readonly securityConfiguration?: aws.emr.SecurityConfiguration;
    readonly logGroup?: aws.cloudwatch.LogGroup;

    constructor(name: string, args: EmrProcessingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:analytics:EmrProcessing", name, {}, opts);
        const { naming, logRetentionDays } = args.context;
        this.mode = args.settings.mode;
        if (this.mode === "none") {
            this.registerOutputs({ mode: this.mode });
            return;
        }
        const c = args.catalog;
        const logsPrefix = `${(args.logs.prefix ?? "emr/").replace(/^\/+|\/+$/g, "")}/`;
        const logUri = `s3://${args.logs.bucket.name}/${logsPrefix}`;

        // What Spark may touch: read raw and curated, write curated; never landing or import.
        const lakeStatements: PolicyStatement[] = [
            ...s3ReadStatements("RawRead", c.rawBucket),
            ...s3ReadStatements("CuratedRead", c.curatedBucket),
            // Spark overwrites partitions, which deletes the previous files.
            s3WriteStatement("CuratedWrite", c.curatedBucket, "", true),
            s3WriteStatement("LogsWrite", args.logs.bucket, logsPrefix),
            glueReadStatement(naming, "RawCatalogRead", c.rawDatabase, "*"),
            glueReadStatement(naming, "CuratedCatalogRead", c.curatedDatabase, "*"),
            glueWriteStatement(naming, "CuratedCatalogWrite", c.curatedDatabase),
            keyUseStatement(naming, "DataLakeKey", args.keys.dataLake, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:DescribeKey"]),
        ];

        if (this.mode === "serverless") {
            const appName = resourceName(naming, "spark", "generic");
            const logGroupName = `/aws/emr-serverless/${appName}`;
            this.logGroup = new aws.cloudwatch.LogGroup(
                `${name}-logs`,
                { name: logGroupName, kmsKeyId: args.keys.logs.arn, retentionInDays: logRetentionDays },
                { parent: this },
            );
            const roleName = resourceName(naming, "spark-job", "iam");
            this.executionRole = new aws.iam.Role(
                `${name}-job-role`,
                {
                    name: roleName,
                    description: "EMR Serverless job runtime role: reads raw and curated, writes curated.",
                    assumeRolePolicy: serviceTrustPolicy("emr-serverless.amazonaws.com", {
                        sourceAccount: naming.accountId,
                        sourceArn: regionalArn(naming, "emr-serverless", "/applications/*"),
                    }),
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-job-policy`,
                {
                    role: this.executionRole.name,
                    name: "lake-zones",
                    policy: policyJson([
                        ...lakeStatements,
                        logWriteStatement(naming, "JobLogs", [logGroupName]),
                        { Sid: "DescribeLogGroups", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: [regionalArn(naming, "logs", "log-group:*")] },
                        keyUseStatement(naming, "LogsKey", args.keys.logs, ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"]),
                    ]),
                },
                { parent: this },
            );
            this.application = new aws.emrserverless.Application(
                `${name}-spark`,
                {
                    name: appName,
                    type: "spark",
                    releaseLabel: args.settings.releaseLabel,
                    architecture: "ARM64",
                    autoStartConfiguration: { enabled: true },
                    autoStopConfiguration: { enabled: true, idleTimeoutMinutes: args.idleTimeoutMinutes ?? 15 },
                    maximumCapacity: args.maximumCapacity ?? { cpu: "32 vCPU", memory: "128 GB", disk: "640 GB" },
                    networkConfiguration: { subnetIds: args.network.privateSubnetIds, securityGroupIds: [args.network.computeSecurityGroupId] },
                    interactiveConfiguration: { studioEnabled: false, livyEndpointEnabled: false },
                    monitoringConfiguration: {
                        s3MonitoringConfiguration: { logUri: `${logUri}serverless/`, encryptionKeyArn: args.keys.dataLake.arn },
                        cloudwatchLoggingConfiguration: { enabled: true, logGroupName, encryptionKeyArn: args.keys.logs.arn },
                        managedPersistenceMonitoringConfiguration: { enabled: false },
                    },
                    runtimeConfigurations: [
                        {
                            classification: "spark-defaults",
                            properties: {
                                "spark.hadoop.hive.metastore.client.factory.class": "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory",
                                // EMRFS asks S3 for SSE-KMS with the lake key on every write (the bucket default is the same key).
                                "spark.hadoop.fs.s3.enableServerSideEncryption": "true",
                                "spark.hadoop.fs.s3.serverSideEncryption.kms.keyId": args.keys.dataLake.arn,
                            },
                        },
                    ],
                },
                { parent: this, dependsOn: [this.logGroup] },
            );
            this.registerOutputs({ mode: this.mode, applicationName: appName, executionRoleArn: globalArn(naming, "iam", `role/${roleName}`), logUri });
            return;
        }

        // Cluster mode.
        const certs = args.tlsCertificatesS3Object ?? args.settings.tlsCertificatesS3Object;
        const certMatch = certs ? S3_ZIP.exec(certs) : null;
        if (!certs || !certMatch) {
            throw new Error(
                `EmrProcessing '${name}': tlsCertificatesS3Object (config emrTlsCertificatesS3Object): expected s3://<bucket>/<key>.zip of the ` +
                    `PEM certificates for in-transit encryption when emrMode is cluster, got ${certs === undefined ? "nothing" : `'${certs}'`}`,
            );
        }
        const coreCount = args.coreInstanceCount ?? 2;
        if (!Number.isInteger(coreCount) || coreCount < 1) {
            throw new Error(`EmrProcessing '${name}': coreInstanceCount: expected an integer of at least 1, got ${coreCount}`);
        }
        const clusterName = resourceName(naming, "spark-cluster", "generic");
        const instanceRoleName = resourceName(naming, "emr-instance", "iam");
        const serviceRoleName = resourceName(naming, "emr-service", "iam");

        this.executionRole = new aws.iam.Role(
            `${name}-instance-role`,
            { name: instanceRoleName, description: "EMR cluster nodes: read raw and curated, write curated.", assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com") },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-instance-policy`,
            {
                role: this.executionRole.name,
                name: "lake-zones",
                policy: policyJson([
                    ...lakeStatements,
                    { Sid: "TlsCertificates", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:${naming.partition}:s3:::${certMatch[1]}/${certMatch[2]}`] },
                    keyUseStatement(naming, "LocalDiskKey", args.keys.databases, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:DescribeKey"]),
                ]),
            },
            { parent: this },
        );
        const profile = new aws.iam.InstanceProfile(`${name}-instance-profile`, { name: instanceRoleName, role: this.executionRole.name }, { parent: this });

        const serviceRole = new aws.iam.Role(
            `${name}-service-role`,
            {
                name: serviceRoleName,
                description: "EMR service role (AmazonEMRServicePolicy_v2, scoped by the EMR managed-policy tag).",
                assumeRolePolicy: serviceTrustPolicy("elasticmapreduce.amazonaws.com", {
                    sourceAccount: naming.accountId,
                    sourceArn: regionalArn(naming, "elasticmapreduce", "*"),
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-service-managed-policy`,
            { role: serviceRole.name, policyArn: `arn:${naming.partition}:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2` },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-service-policy`,
            {
                role: serviceRole.name,
                name: "pass-instance-role-and-keys",
                policy: policyJson([
                    // The v2 managed policy passes only EMR_EC2_DefaultRole; this cluster's instance role is named here.
                    { Sid: "PassInstanceRole", Effect: "Allow", Action: ["iam:PassRole"], Resource: [globalArn(naming, "iam", `role/${instanceRoleName}`)], Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } },
                    // EBS encryption of the nodes' volumes with the databases key.
                    keyUseStatement(naming, "LocalDiskKey", args.keys.databases, ["kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"]),
                ]),
            },
            { parent: this },
        );

        this.securityConfiguration = new aws.emr.SecurityConfiguration(
            `${name}-security-configuration`,
            { name: resourceName(naming, "emr-encryption", "generic"), configuration: emrSecurityConfiguration(args, certs) },
            { parent: this },
        );

        // EMR adds its own rules to the managed groups; the tag lets AmazonEMRServicePolicy_v2 manage them.
        const group = (role: string, description: string) =>
            new aws.ec2.SecurityGroup(
                `${name}-${role}-sg`,
                { name: resourceName(naming, `emr-${role}`, "generic"), description, vpcId: args.network.vpcId, revokeRulesOnDelete: true, tags: { ...EMR_MANAGED_POLICY_TAG } },
                { parent: this },
            );
        const master = group("primary", "EMR-managed: primary node");
        const core = group("core", "EMR-managed: core and task nodes");
        const serviceAccess = group("service-access", "EMR-managed: service access for clusters in private subnets");

        this.cluster = new aws.emr.Cluster(
            `${name}-cluster`,
            {
                name: clusterName,
                releaseLabel: args.settings.releaseLabel,
                applications: ["Spark", "Hadoop"],
                serviceRole: serviceRole.arn,
                securityConfiguration: this.securityConfiguration.name,
                logUri: `${logUri}cluster/`,
                // Logs EMR pushes to S3 are encrypted with the lake key (EMR 5.30+).
                logEncryptionKmsKeyId: args.keys.dataLake.arn,
                ec2Attributes: {
                    // Private subnet: nodes get no public IP and no route to an internet gateway.
                    subnetId: pulumi.output(args.network.privateSubnetIds).apply((ids) => ids[0]),
                    instanceProfile: profile.arn,
                    emrManagedMasterSecurityGroup: master.id,
                    emrManagedSlaveSecurityGroup: core.id,
                    serviceAccessSecurityGroup: serviceAccess.id,
                    additionalMasterSecurityGroups: args.network.computeSecurityGroupId,
                    additionalSlaveSecurityGroups: args.network.computeSecurityGroupId,
                },
                masterInstanceGroup: { instanceType: args.settings.clusterInstanceType },
                coreInstanceGroup: {
                    instanceType: args.settings.clusterInstanceType,
                    instanceCount: coreCount,
                    ebsConfigs: [{ size: 64, type: "gp3", volumesPerInstance: 1 }],
                },
                keepJobFlowAliveWhenNoSteps: true,
                // The cluster holds no data of record (HDFS is scratch; results land in S3), so it ends itself when
                // idle; termination protection would block that and keep billing.
                autoTerminationPolicy: { idleTimeout: args.clusterIdleTimeoutSeconds ?? 3600 },
                terminationProtection: false,
                configurationsJson: JSON.stringify([
                    { Classification: "spark-hive-site", Properties: { "hive.metastore.client.factory.class": "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory" } },
                ]),
                tags: { ...EMR_MANAGED_POLICY_TAG },
            },
            { parent: this },
        );

        this.registerOutputs({ mode: this.mode, clusterName, instanceRoleArn: globalArn(naming, "iam", `role/${instanceRoleName}`), logUri });
    }
}
