/**
 * BatchEtl: the on-prem EHR database copied nightly into the raw zone, over the site-to-site VPN.
 *
 *     on-prem DB --JDBC (SSL enforced)--> Glue ENI in a private subnet --> s3://<raw>/customer=<id>/source=<schema>-<table>/...
 *
 * Each table's `source=` value comes from lake-layout.ts `tableSource` (config validation rejected two tables sharing
 * one) and reaches the job as `--table_sources`; the script does no folding of its own, so the mapping has one
 * definition.
 *
 * - Credentials: a Secrets Manager secret (secrets key) holds `{username, password}`; the password comes from
 *   `pulumi config set --secret onPremDbPassword` and stays a secret in state. The Glue connection names the secret
 *   (`SECRET_ID`), so no password sits in the Data Catalog.
 * - Encryption: Data Catalog encryption (data-lake key) with connection-password encryption (secrets key); a Glue
 *   security configuration encrypts job output in S3 (SSE-KMS), job logs in CloudWatch and job bookmarks
 *   (CSE-KMS). HIPAA 164.312(a)(2)(iv), 164.312(e)(1) (JDBC_ENFORCE_SSL + IPSec VPN).
 * - A crawler records the source tables' schemas in a catalog database (metadata only, no rows).
 * - A scheduled ETL job runs `glue/jdbc_to_parquet.py` (kept in this repository, uploaded as an SSE-KMS object) and
 *   copies the configured tables incrementally with job bookmarks.
 * - One Glue role with least privilege: the secret, the script, its temp prefix, the customer's raw prefix (append
 *   only: no delete), the connection, its own catalog database, its own log groups.
 *
 * Network prerequisites (network component): the security group of the connection needs a self-referencing
 * all-TCP ingress rule (Glue's requirement for its workers), egress to the database port over the VPN, and the
 * private subnet needs the S3 gateway endpoint plus interface endpoints for Glue, Secrets Manager, KMS, STS and
 * CloudWatch Logs (the platform has no NAT gateway).
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { glueCrawlerLogGroupName, glueJobLogGroupNames, serviceLogGroups } from "../shared/service-logs";
import { BatchEtlSettings, SourceTable } from "./settings";
import { bucketArn, regionalArn, resourceName } from "../shared/naming";
import { BucketRef, NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { classificationTags } from "../shared/tags";
import { customerPrefix } from "../shared/lake-layout";
import { glueSecurityConfiguration } from "../shared/glue-security";
import { keyUseStatement, logGroupArn, policyJson, roleArn, serviceTrustPolicy, viaService } from "../shared/iam";

/** The ETL script, kept in the repository and uploaded by the program. */
export const ETL_SCRIPT_PATH = path.join(__dirname, "glue", "jdbc_to_parquet.py");

/** Crawler include path of a table: `<database>/<schema>/<table>`, or `<schema>/<table>` for MySQL (schema = database). */
export function crawlerPath(engine: string, database: string, t: SourceTable): string {
    return engine === "mysql" ? `${t.schema}/${t.table}` : `${database}/${t.schema}/${t.table}`;
}

/**
 * The account's Data Catalog encryption settings: catalog metadata with the data-lake key, connection passwords with
 * the secrets key (164.312(a)(2)(iv)). One per account and region, so exactly one owner may create it, and deleting
 * it turns catalog encryption off: `Ingestion` owns it for the whole stack, whatever paths are on.
 */
export function createCatalogEncryption(
    name: string,
    keys: Pick<PlatformKeyRefs, "dataLake" | "secrets">,
    parent: pulumi.Resource,
): aws.glue.DataCatalogEncryptionSettings {
    return new aws.glue.DataCatalogEncryptionSettings(
        name,
        {
            dataCatalogEncryptionSettings: {
                encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: keys.dataLake.arn },
                connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: keys.secrets.arn },
            },
        },
        { parent },
    );
}

export interface BatchEtlArgs {
    context: PlatformContext;
    /** `PlatformConfig.ingestion.batch`; whether the component exists is the caller's decision. */
    config: Omit<BatchEtlSettings, "enabled">;
    /** Customer that owns the on-prem database (`PlatformConfig.ingestion.onPremCustomer`). */
    customer: string;
    /** `dataLake`: catalog, job output, bookmarks and the script; `secrets`: the JDBC secret; `logs`: job logs. */
    keys: Pick<PlatformKeyRefs, "dataLake" | "secrets" | "logs">;
    /** Private subnets and the compute security group; the connection uses the first private subnet. */
    network: NetworkRefs;
    /** Raw zone of the data lake (job output). */
    rawBucket: BucketRef;
    /** Bucket for Glue scripts (`glue/scripts/`) and job temp files (`glue/temp/`), SSE-KMS with the data-lake key. */
    assetsBucket: BucketRef;
    /**
     * Create the Data Catalog encryption settings (see {@link createCatalogEncryption}). `Ingestion` passes false and
     * owns them itself, so that switching batch ETL off never turns catalog encryption off. @default true
     */
    manageCatalogEncryption?: boolean;
    /** Glue version; 4.0 honours `--enable-continuous-cloudwatch-log`, 5.0 logs in real time by default. @default "4.0" */
    glueVersion?: "4.0" | "5.0";
    /** Worker type and count; two G.1X workers copy tens of millions of rows a night. @default "G.1X", 2 */
    workerType?: "G.1X" | "G.2X" | "G.4X";
    numberOfWorkers?: number;
    /** Job timeout in minutes (a stuck run holds the bookmark and the VPN link). @default 120 */
    timeoutMinutes?: number;
    /** Schedule of the schema crawler. @default weekly, Sunday 01:00 UTC */
    crawlerSchedule?: string;
}

export class BatchEtl extends pulumi.ComponentResource {
    readonly jobName: string;
    readonly connectionName: string;
    readonly crawlerName: string;
    readonly secretName: string;
    readonly securityConfigurationName: string;
    readonly sourceDatabaseName: string;
    readonly glueRoleArn: string;
    readonly scriptS3Uri: string;
    /** `s3://<raw>/customer=<id>/`, where the job writes. */
    readonly targetPath: string;
    readonly secret: aws.secretsmanager.Secret;
    readonly job: aws.glue.Job;

    constructor(name: string, args: BatchEtlArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:ingestion:BatchEtl", name, {}, opts);
        const { naming, protect } = args.context;
        const cfg = args.config;
        // Validated and parsed at config time (components/ingestion/settings.ts).
        const { engine, database } = cfg.source;
        const tables = cfg.tables;

        const glueName = (role: string) => resourceName(naming, `${name}-${role}`, "glue");
        this.jobName = glueName("jdbc-to-parquet");
        this.connectionName = glueName("onprem-jdbc");
        this.crawlerName = glueName("source-crawler");
        this.securityConfigurationName = glueName("security");
        this.sourceDatabaseName = glueName("source").replace(/-/g, "_");
        this.secretName = resourceName(naming, `${name}-onprem-jdbc`);
        const glueRoleName = resourceName(naming, `${name}-glue`, "iam");
        this.glueRoleArn = roleArn(naming, glueRoleName);
        const scriptKey = `glue/scripts/${this.jobName}/jdbc_to_parquet.py`;
        const tempPrefix = `glue/temp/${this.jobName}/`;
        this.scriptS3Uri = `s3://${args.assetsBucket.name}/${scriptKey}`;
        this.targetPath = `s3://${args.rawBucket.name}/${customerPrefix(args.customer)}`;
        const rawArn = bucketArn(naming, args.rawBucket.name);
        const assetsArn = bucketArn(naming, args.assetsBucket.name);
        const certArn = cfg.jdbcCertS3Uri ? `arn:${naming.partition}:s3:::${cfg.jdbcCertS3Uri.slice("s3://".length)}` : undefined;
        // Secrets Manager appends six random characters to a secret's ARN; `??????` matches exactly those.
        const secretArnPattern = regionalArn(naming, "secretsmanager", `secret:${this.secretName}-??????`);
        const phi = classificationTags("phi");

        if (args.manageCatalogEncryption ?? true) {
            createCatalogEncryption(`${name}-catalog-encryption`, args.keys, this);
        }

        const securityConfiguration = glueSecurityConfiguration(`${name}-security`, { name: this.securityConfigurationName, keys: args.keys }, { parent: this });

        this.secret = new aws.secretsmanager.Secret(
            `${name}-db-secret`,
            {
                name: this.secretName,
                description: `Credentials of the on-prem database ${database} for Glue connection ${this.connectionName}`,
                kmsKeyId: args.keys.secrets.arn,
                // A deleted secret can be restored within the window; the longest window in prod. Outside prod it is
                // deleted at once: a secret in its window keeps its name, so re-creating the stack would collide.
                recoveryWindowInDays: protect ? 30 : 0,
                tags: classificationTags("confidential"),
            },
            { parent: this, protect },
        );
        new aws.secretsmanager.SecretVersion(
            `${name}-db-secret-value`,
            {
                secretId: this.secret.id,
                // Glue reads `username` and `password` from a SECRET_ID secret. The password Output is a secret, so the
                // whole JSON is one (and the provider keeps secretString secret in state).
                secretString: pulumi.jsonStringify({ username: cfg.username, password: cfg.password }),
            },
            { parent: this },
        );

        const glueRole = new aws.iam.Role(
            `${name}-glue-role`,
            {
                name: glueRoleName,
                description: `Glue crawler and job ${this.jobName}: on-prem JDBC to the raw zone of customer ${args.customer}`,
                assumeRolePolicy: serviceTrustPolicy("glue.amazonaws.com", { sid: "TrustService", sourceAccount: naming.accountId }),
            },
            { parent: this },
        );
        const catalogArn = regionalArn(naming, "glue", "catalog");
        const gluePolicy = new aws.iam.RolePolicy(
            `${name}-glue-policy`,
            {
                role: glueRole.name,
                name: "jdbc-to-raw",
                policy: policyJson([
                    { Sid: "ReadJdbcSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secretArnPattern },
                    keyUseStatement(naming, "DecryptJdbcSecret", args.keys.secrets, ["kms:Decrypt"], { via: [viaService(naming, "secretsmanager")] }),
                    {
                        Sid: "UseConnection",
                        Effect: "Allow",
                        Action: ["glue:GetConnection", "glue:GetConnections"],
                        Resource: [catalogArn, regionalArn(naming, "glue", `connection/${this.connectionName}`)],
                    },
                    {
                        Sid: "CrawlIntoSourceDatabase",
                        Effect: "Allow",
                        Action: [
                            "glue:GetDatabase",
                            "glue:GetTable",
                            "glue:GetTables",
                            "glue:CreateTable",
                            "glue:UpdateTable",
                            "glue:GetPartitions",
                            "glue:BatchGetPartition",
                            "glue:BatchCreatePartition",
                            "glue:UpdatePartition",
                        ],
                        Resource: [
                            catalogArn,
                            regionalArn(naming, "glue", `database/${this.sourceDatabaseName}`),
                            regionalArn(naming, "glue", `table/${this.sourceDatabaseName}/*`),
                        ],
                    },
                    { Sid: "ReadSecurityConfiguration", Effect: "Allow", Action: ["glue:GetSecurityConfiguration"], Resource: "*" },
                    { Sid: "AssetsBucketList", Effect: "Allow", Action: ["s3:ListBucket"], Resource: assetsArn, Condition: { StringLike: { "s3:prefix": [`glue/scripts/${this.jobName}/*`, `${tempPrefix}*`] } } },
                    { Sid: "ReadScript", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${assetsArn}/glue/scripts/${this.jobName}/*` },
                    // The private CA's certificate the connection validates the database against (CUSTOM_JDBC_CERT).
                    ...(certArn ? [{ Sid: "ReadJdbcCertificate", Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: certArn }] : []),
                    { Sid: "TempFiles", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: `${assetsArn}/${tempPrefix}*` },
                    {
                        Sid: "RawBucketList",
                        Effect: "Allow",
                        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
                        Resource: rawArn,
                        Condition: { StringLike: { "s3:prefix": [`${customerPrefix(args.customer)}*`] } },
                    },
                    {
                        // Append only (no s3:DeleteObject): the raw zone is the system of record (164.312(c)(1)).
                        Sid: "WriteCustomerRawPrefix",
                        Effect: "Allow",
                        Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                        Resource: `${rawArn}/${customerPrefix(args.customer)}*`,
                    },
                    // S3 output and the script are SSE-KMS (through S3); the encrypted catalog is read through Glue; job
                    // bookmarks are encrypted client-side (CSE-KMS) by the job with its own credentials, so a call may
                    // also come without kms:ViaService. IfExists admits exactly those three paths, no other service.
                    keyUseStatement(naming, "DataLakeKey", args.keys.dataLake, ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"], {
                        conditions: { StringEqualsIfExists: { "kms:ViaService": [viaService(naming, "s3"), viaService(naming, "glue")] } },
                    }),
                    {
                        Sid: "JobLogs",
                        Effect: "Allow",
                        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
                        Resource: [logGroupArn(naming, "/aws-glue/*"), `${logGroupArn(naming, "/aws-glue/*")}:log-stream:*`],
                    },
                    { Sid: "JobMetrics", Effect: "Allow", Action: ["cloudwatch:PutMetricData"], Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } } },
                    {
                        // Glue places ENIs in the connection's subnet. Describe* has no resource-level permissions, and the
                        // subnet and group ids are unknown at preview; the actions are limited to network interfaces.
                        Sid: "ConnectionNetworkInterfaces",
                        Effect: "Allow",
                        Action: [
                            "ec2:CreateNetworkInterface",
                            "ec2:DeleteNetworkInterface",
                            "ec2:DescribeNetworkInterfaces",
                            "ec2:DescribeSubnets",
                            "ec2:DescribeSecurityGroups",
                            "ec2:DescribeVpcAttribute",
                            "ec2:DescribeVpcEndpoints",
                            "ec2:DescribeRouteTables",
                            "ec2:CreateTags",
                            "ec2:DeleteTags",
                        ],
                        Resource: "*",
                        Condition: { StringEquals: { "aws:RequestedRegion": naming.region } },
                    },
                ]),
            },
            { parent: this },
        );

        const subnetId = pulumi.output(args.network.privateSubnetIds).apply((ids) => {
            if (!ids.length) {
                throw new Error(`BatchEtl '${name}': network.privateSubnetIds is empty; the JDBC connection needs a private subnet`);
            }
            return ids[0];
        });
        const subnet = aws.ec2.getSubnetOutput({ id: subnetId }, { parent: this });
        const connection = new aws.glue.Connection(
            `${name}-jdbc`,
            {
                name: this.connectionName,
                description: `On-prem database ${database} (${engine}) over the site-to-site VPN, SSL enforced`,
                connectionType: "JDBC",
                connectionProperties: {
                    JDBC_CONNECTION_URL: cfg.jdbcUrl,
                    // The driver refuses a connection without TLS (164.312(e)(1)), on top of the IPSec tunnel.
                    JDBC_ENFORCE_SSL: "true",
                    SECRET_ID: this.secretName,
                    // An on-prem database with a private-CA certificate: Glue validates the server against that CA
                    // instead of skipping validation (164.312(e)(1); a skipped check would admit any server).
                    ...(cfg.jdbcCertS3Uri ? { CUSTOM_JDBC_CERT: cfg.jdbcCertS3Uri, SKIP_CUSTOM_JDBC_CERT_VALIDATION: "false" } : {}),
                },
                physicalConnectionRequirements: {
                    subnetId,
                    availabilityZone: subnet.availabilityZone,
                    securityGroupIdLists: [args.network.computeSecurityGroupId],
                },
                tags: classificationTags("confidential"),
            },
            { parent: this, dependsOn: [this.secret] },
        );

        // Glue would create these unencrypted with no retention on first run: created first, with the logs key.
        const [crawlerLogs, ...jobLogs] = serviceLogGroups(
            this,
            name,
            [
                { suffix: "crawler-logs", name: glueCrawlerLogGroupName(this.securityConfigurationName, glueRoleName) },
                ...glueJobLogGroupNames(this.securityConfigurationName, glueRoleName).map((n, i) => ({ suffix: `job-logs-${i === 0 ? "output" : "error"}`, name: n })),
            ],
            args.keys.logs,
            args.context.logRetentionDays,
        );
        const sourceDatabase = new aws.glue.CatalogDatabase(
            `${name}-source-db`,
            {
                name: this.sourceDatabaseName,
                description: `Schemas of the on-prem tables of customer ${args.customer} (crawled metadata; no rows)`,
            },
            { parent: this },
        );
        new aws.glue.Crawler(
            `${name}-crawler`,
            {
                name: this.crawlerName,
                role: this.glueRoleArn,
                databaseName: sourceDatabase.name,
                description: `Schemas of ${tables.length} on-prem table(s) for ${this.jobName}`,
                tablePrefix: "src_",
                jdbcTargets: tables.map((t) => ({ connectionName: this.connectionName, path: crawlerPath(engine, database, t) })),
                securityConfiguration: this.securityConfigurationName,
                schedule: args.crawlerSchedule ?? "cron(0 1 ? * SUN *)",
                // A column dropped at the source is kept and logged, never deleted from the catalog silently.
                schemaChangePolicy: { deleteBehavior: "LOG", updateBehavior: "UPDATE_IN_DATABASE" },
                recrawlPolicy: { recrawlBehavior: "CRAWL_EVERYTHING" },
                tags: classificationTags("confidential"),
            },
            { parent: this, dependsOn: [glueRole, gluePolicy, connection, securityConfiguration, crawlerLogs] },
        );

        const script = new aws.s3.BucketObjectv2(
            `${name}-script`,
            {
                bucket: args.assetsBucket.name,
                key: scriptKey,
                source: new pulumi.asset.FileAsset(ETL_SCRIPT_PATH),
                contentType: "text/x-python",
                serverSideEncryption: "aws:kms",
                kmsKeyId: args.keys.dataLake.arn,
                bucketKeyEnabled: true,
                tags: classificationTags("internal"),
            },
            { parent: this },
        );

        this.job = new aws.glue.Job(
            `${name}-job`,
            {
                name: this.jobName,
                description: `Incremental copy of ${cfg.sourceTables.join(", ")} to ${this.targetPath} as Parquet`,
                roleArn: this.glueRoleArn,
                glueVersion: args.glueVersion ?? "4.0",
                command: { name: "glueetl", pythonVersion: "3", scriptLocation: this.scriptS3Uri },
                workerType: args.workerType ?? "G.1X",
                numberOfWorkers: args.numberOfWorkers ?? 2,
                timeout: args.timeoutMinutes ?? 120,
                // A retry resumes from the last committed bookmark; a concurrent run would read the same rows twice.
                maxRetries: 1,
                executionProperty: { maxConcurrentRuns: 1 },
                connections: [this.connectionName],
                securityConfiguration: this.securityConfigurationName,
                defaultArguments: {
                    "--job-language": "python",
                    "--job-bookmark-option": "job-bookmark-enable",
                    "--enable-continuous-cloudwatch-log": "true",
                    "--enable-metrics": "true",
                    "--TempDir": `s3://${args.assetsBucket.name}/${tempPrefix}`,
                    "--connection_name": this.connectionName,
                    "--connection_type": engine,
                    "--source_tables": cfg.sourceTables.join(","),
                },
                // A manual run cannot point the job at another tenant's prefix, nor at a table whose prefix config
                // validation never saw (it may narrow --source_tables to configured tables; the job refuses others).
                nonOverridableArguments: {
                    "--target_path": this.targetPath,
                    "--customer": args.customer,
                    "--table_sources": tables.map((t) => `${t.schema}.${t.table}=${t.source}`).join(","),
                },
                tags: phi,
            },
            { parent: this, dependsOn: [glueRole, gluePolicy, connection, securityConfiguration, script, ...jobLogs] },
        );

        new aws.glue.Trigger(
            `${name}-schedule`,
            {
                name: glueName("nightly"),
                description: `Runs ${this.jobName} on ${cfg.schedule}`,
                type: "SCHEDULED",
                schedule: cfg.schedule,
                startOnCreation: true,
                enabled: true,
                actions: [{ jobName: this.job.name }],
            },
            { parent: this },
        );

        this.registerOutputs({
            jobName: this.jobName,
            connectionName: this.connectionName,
            crawlerName: this.crawlerName,
            secretName: this.secretName,
            securityConfigurationName: this.securityConfigurationName,
            sourceDatabaseName: this.sourceDatabaseName,
            glueRoleArn: this.glueRoleArn,
            targetPath: this.targetPath,
        });
    }
}
