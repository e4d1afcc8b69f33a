/**
 * AnalyticsCatalog: the Glue Data Catalog of the lake.
 *
 * - Databases for the raw and curated zones, and one for the S3 Inventory reports.
 * - A crawler over the curated zone (incremental: new folders only, so a daily run costs little), running with
 *   a Glue security configuration that encrypts what it writes to S3 and CloudWatch Logs (HIPAA
 *   164.312(a)(2)(iv)), under a role that reads the curated zone and writes only the curated database.
 * - A table over the S3 Inventory reports with partition projection: Athena computes the partitions (source
 *   bucket x report time) from table properties, so no crawler or `MSCK REPAIR` is needed as reports arrive.
 *
 * S3 writes an inventory report to `<destination-prefix>/<source-bucket>/<inventory-id>/hive/dt=YYYY-MM-DD-HH-MM/symlink.txt`
 * (the Hive-compatible manifest listing that day's data files; S3 User Guide, "Locating your inventory list").
 * One table covers every source bucket: `source_bucket` is an enum-projected partition (the bucket names are
 * deterministic), `dt` a date-projected one, and `storage.location.template` rebuilds the path above.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NamingContext, regionalArn, resourceName } from "../shared/naming";
import { glueCrawlerLogGroupName, serviceLogGroups } from "../shared/service-logs";
import { BucketRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { INVENTORY_CONFIGURATION_NAME, INVENTORY_PREFIX } from "../storage/secure-bucket";
import {
    IGNORE_KEY_OUTPUT_FORMAT,
    INVENTORY_COLUMNS,
    INVENTORY_DT_PARTITION,
    INVENTORY_SERDE,
    INVENTORY_SOURCE_PARTITION,
    InventoryFormat,
    SYMLINK_INPUT_FORMAT,
} from "../../apps/analytics-functions/inventory-schema";
import { ZoneBucket } from "../../apps/analytics-functions/query-templates";
import { glueSecurityConfiguration } from "../shared/glue-security";
import { glueReadStatement, glueWriteStatement, keyUseStatement, PolicyStatement, policyJson, s3ReadStatements, serviceTrustPolicy } from "../shared/iam";

/** The Glue/Athena name of a database: lowercase letters, digits and underscores (Athena rejects hyphens). */
export function catalogName(naming: NamingContext, role: string): string {
    return `${naming.prefix}_${naming.environment}_${role}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** A bucket whose S3 Inventory reports the table covers. */
export interface InventoriedBucket {
    /** Lake zone name used in query results (`raw`, `curated`, ...). */
    zone: string;
    bucket: BucketRef;
    /** The zone's lifecycle days before STANDARD_IA (for the "past expected transition" query). */
    infrequentAccessDays: number;
    /** Encryption the bucket requires. @default "SSE-KMS" ("SSE-S3" only for the server-access-log bucket) */
    encryption?: "SSE-KMS" | "SSE-S3";
}

export interface InventoryTableArgs {
    /** Destination bucket of the inventory reports. */
    bucket: BucketRef;
    /** Destination prefix of each bucket's inventory configuration ("" for none). @default INVENTORY_PREFIX of SecureBucket */
    prefix?: string;
    /** The inventory configuration id (`aws.s3.Inventory` `name`). @default INVENTORY_CONFIGURATION_NAME of SecureBucket */
    configurationId?: string;
    /** Report format; ORC and Parquet are read by column name. CSV is refused (positional, untyped). @default "Parquet" (what SecureBucket writes) */
    format?: InventoryFormat | "CSV";
    sources: InventoriedBucket[];
    /** First report day the projection covers, `YYYY-MM-DD`. @default "2025-01-01" */
    firstReportDate?: string;
}

export interface AnalyticsCatalogArgs {
    context: PlatformContext;
    /** dataLake: reading curated objects and the catalog; logs: the crawler's CloudWatch Logs encryption. */
    keys: Pick<PlatformKeyRefs, "dataLake" | "logs">;
    rawBucket: BucketRef;
    curatedBucket: BucketRef;
    inventory: InventoryTableArgs;
    /**
     * Name of an existing Glue security configuration (the batch-ETL component creates one). When omitted this
     * component creates its own with the same builder (`glueSecurityConfiguration`, components/shared/glue-security.ts).
     */
    securityConfigurationName?: string;
    /** Crawler schedule (Glue cron). @default "cron(30 3 * * ? *)" (after the nightly ETL) */
    crawlerSchedule?: string;
}

/** Names other analytics components query by (all deterministic, known at preview). */
export interface CatalogRefs {
    rawDatabase: string;
    curatedDatabase: string;
    inventoryDatabase: string;
    inventoryTable: string;
    rawBucket: BucketRef;
    curatedBucket: BucketRef;
    inventoryBucket: BucketRef;
    /** Key prefix under which every inventory report object lives ("" for the whole bucket). */
    inventoryPrefix: string;
    zones: ZoneBucket[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Table properties of the projected inventory table (exported for tests and documentation). */
/** `<prefix>/` of the reports in the destination bucket ("" for none). */
export function inventoryPrefixOf(inv: InventoryTableArgs): string {
    const p = (inv.prefix ?? INVENTORY_PREFIX).replace(/^\/+|\/+$/g, "");
    return p ? `${p}/` : "";
}

export function inventoryProjection(inv: InventoryTableArgs): Record<string, string> {
    const prefix = inventoryPrefixOf(inv);
    const configurationId = inv.configurationId ?? INVENTORY_CONFIGURATION_NAME;
    const first = inv.firstReportDate ?? "2025-01-01";
    if (!DATE.test(first)) {
        throw new Error(`inventory.firstReportDate: expected YYYY-MM-DD, got '${first}'`);
    }
    return {
        EXTERNAL: "TRUE",
        "projection.enabled": "true",
        [`projection.${INVENTORY_SOURCE_PARTITION}.type`]: "enum",
        [`projection.${INVENTORY_SOURCE_PARTITION}.values`]: inv.sources.map((s) => s.bucket.name).join(","),
        [`projection.${INVENTORY_DT_PARTITION}.type`]: "date",
        [`projection.${INVENTORY_DT_PARTITION}.format`]: "yyyy-MM-dd-HH-mm",
        [`projection.${INVENTORY_DT_PARTITION}.range`]: `${first}-00-00,NOW`,
        [`projection.${INVENTORY_DT_PARTITION}.interval`]: "1",
        [`projection.${INVENTORY_DT_PARTITION}.interval.unit`]: "HOURS",
        "storage.location.template": `s3://${inv.bucket.name}/${prefix}\${${INVENTORY_SOURCE_PARTITION}}/${configurationId}/hive/${INVENTORY_DT_PARTITION}=\${${INVENTORY_DT_PARTITION}}/`,
    };
}

export class AnalyticsCatalog extends pulumi.ComponentResource {
    readonly rawDatabase: aws.glue.CatalogDatabase;
    readonly curatedDatabase: aws.glue.CatalogDatabase;
    readonly inventoryDatabase: aws.glue.CatalogDatabase;
    readonly inventoryTable: aws.glue.CatalogTable;
    readonly crawler: aws.glue.Crawler;
    readonly crawlerRole: aws.iam.Role;
    /** Created only when no `securityConfigurationName` was given. */
    readonly securityConfiguration?: aws.glue.SecurityConfiguration;
    /** Name of the security configuration the crawler runs with. */
    readonly securityConfigurationName: string;
    readonly refs: CatalogRefs;

    constructor(name: string, args: AnalyticsCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:analytics:AnalyticsCatalog", name, {}, opts);
        const { naming, protect } = args.context;
        const inv = args.inventory;
        const format = inv.format ?? "Parquet";
        const configurationId = inv.configurationId ?? INVENTORY_CONFIGURATION_NAME;
        if (format === "CSV") {
            throw new Error(
                `AnalyticsCatalog '${name}': inventory.format must be Parquet or ORC, got 'CSV'. CSV reports are positional and ` +
                    "untyped (every column a string, keys URL-encoded); set the S3 inventory destination format to Parquet.",
            );
        }
        if (inv.sources.length === 0) {
            throw new Error(`AnalyticsCatalog '${name}': inventory.sources: expected at least one inventoried bucket, got none`);
        }
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(configurationId)) {
            throw new Error(`AnalyticsCatalog '${name}': inventory.configurationId: expected an S3 inventory id (letters, digits, . _ -), got '${configurationId}'`);
        }
        const inventoryPrefix = inventoryPrefixOf(inv);

        // Dropping a database drops its table definitions; prod protects them like the data they describe.
        const dbOpts: pulumi.CustomResourceOptions = { parent: this, protect };
        const database = (role: string, description: string, bucket?: BucketRef) =>
            new aws.glue.CatalogDatabase(
                `${name}-${role}-db`,
                { name: catalogName(naming, role), description, locationUri: bucket ? `s3://${bucket.name}/` : undefined },
                dbOpts,
            );
        this.rawDatabase = database("raw", "Raw zone: source-shaped data as ingested (PHI).", args.rawBucket);
        this.curatedDatabase = database("curated", "Curated zone: cleaned, partitioned Parquet maintained by the curated crawler (PHI).", args.curatedBucket);
        this.inventoryDatabase = database("inventory", "S3 Inventory reports of the lake buckets (storage metadata, no PHI content).");

        const inventoryTableName = "s3_inventory";
        this.inventoryTable = new aws.glue.CatalogTable(
            `${name}-inventory-table`,
            {
                name: inventoryTableName,
                databaseName: this.inventoryDatabase.name,
                tableType: "EXTERNAL_TABLE",
                description: "S3 Inventory reports of every lake bucket; partitions are projected, never crawled.",
                parameters: inventoryProjection(inv),
                partitionKeys: [
                    { name: INVENTORY_SOURCE_PARTITION, type: "string", comment: "Source bucket of the report" },
                    { name: INVENTORY_DT_PARTITION, type: "string", comment: "Report time, YYYY-MM-DD-HH-MM" },
                ],
                storageDescriptor: {
                    location: `s3://${inv.bucket.name}/${inventoryPrefix}`,
                    inputFormat: SYMLINK_INPUT_FORMAT,
                    outputFormat: IGNORE_KEY_OUTPUT_FORMAT,
                    serDeInfo: { serializationLibrary: INVENTORY_SERDE[format] },
                    columns: INVENTORY_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
                },
            },
            { parent: this },
        );

        if (args.securityConfigurationName) {
            this.securityConfigurationName = args.securityConfigurationName;
        } else {
            this.securityConfigurationName = resourceName(naming, "analytics", "glue");
            this.securityConfiguration = glueSecurityConfiguration(
                `${name}-security-configuration`,
                { name: this.securityConfigurationName, keys: args.keys },
                { parent: this },
            );
        }

        const crawlerName = resourceName(naming, "curated-crawler", "glue");
        const crawlerRoleName = resourceName(naming, "curated-crawler", "iam");
        this.crawlerRole = new aws.iam.Role(
            `${name}-crawler-role`,
            {
                name: crawlerRoleName,
                description: "Glue crawler of the curated zone: reads curated objects, maintains the curated database.",
                assumeRolePolicy: serviceTrustPolicy("glue.amazonaws.com", { sourceAccount: naming.accountId }),
            },
            { parent: this },
        );
        const curatedDb = catalogName(naming, "curated");
        const statements: PolicyStatement[] = [
            ...s3ReadStatements("CuratedRead", args.curatedBucket),
            glueReadStatement(naming, "CuratedCatalogRead", curatedDb, "*"),
            glueWriteStatement(naming, "CuratedCatalogWrite", curatedDb),
            // Decrypt curated objects; Encrypt/GenerateDataKey for a catalog encrypted with the lake key.
            keyUseStatement(naming, "DataLakeKey", args.keys.dataLake, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]),
            {
                Sid: "CrawlerLogs",
                Effect: "Allow",
                // AssociateKmsKey: Glue attaches the security configuration's key to the crawler log group.
                Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
                Resource: [regionalArn(naming, "logs", "log-group:/aws-glue/crawlers*"), regionalArn(naming, "logs", "log-group:/aws-glue/crawlers*:log-stream:*")],
            },
            // GetSecurityConfiguration has no resource-level permissions.
            { Sid: "ReadSecurityConfiguration", Effect: "Allow", Action: ["glue:GetSecurityConfiguration"], Resource: ["*"] },
        ];
        new aws.iam.RolePolicy(`${name}-crawler-policy`, { role: this.crawlerRole.name, name: "curated-crawler", policy: policyJson(statements) }, { parent: this });

        // Glue would create the crawler's log group unencrypted with no retention: created first, with the logs key.
        const [crawlerLogs] = serviceLogGroups(
            this,
            name,
            [{ suffix: "crawler-logs", name: glueCrawlerLogGroupName(this.securityConfigurationName, crawlerRoleName) }],
            args.keys.logs,
            args.context.logRetentionDays,
        );
        this.crawler = new aws.glue.Crawler(
            `${name}-curated-crawler`,
            {
                name: crawlerName,
                description: "Adds new curated partitions and tables to the curated database.",
                databaseName: this.curatedDatabase.name,
                role: this.crawlerRole.arn,
                schedule: args.crawlerSchedule ?? "cron(30 3 * * ? *)",
                securityConfiguration: this.securityConfigurationName,
                s3Targets: [
                    {
                        path: `s3://${args.curatedBucket.name}/`,
                        // Spark and Glue job scratch output is not data.
                        exclusions: ["**/_temporary/**", "**/.spark-staging/**", "**/_SUCCESS", "**/*_$folder$"],
                    },
                ],
                // Incremental crawls read only new folders (new customer/date partitions); a schema change needs a
                // one-off full crawl. LOG on delete: a crawler never drops a table analysts rely on.
                recrawlPolicy: { recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" },
                schemaChangePolicy: { updateBehavior: "LOG", deleteBehavior: "LOG" },
                configuration: JSON.stringify({
                    Version: 1.0,
                    Grouping: { TableGroupingPolicy: "CombineCompatibleSchemas" },
                    CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
                }),
            },
            { parent: this, dependsOn: [crawlerLogs, ...(this.securityConfiguration ? [this.securityConfiguration] : [])] },
        );

        this.refs = {
            rawDatabase: catalogName(naming, "raw"),
            curatedDatabase: curatedDb,
            inventoryDatabase: catalogName(naming, "inventory"),
            inventoryTable: inventoryTableName,
            rawBucket: args.rawBucket,
            curatedBucket: args.curatedBucket,
            inventoryBucket: inv.bucket,
            inventoryPrefix,
            zones: inv.sources.map((s) => ({ zone: s.zone, bucket: s.bucket.name, infrequentAccessDays: s.infrequentAccessDays, encryption: s.encryption ?? "SSE-KMS" })),
        };

        this.registerOutputs({
            rawDatabaseName: this.refs.rawDatabase,
            curatedDatabaseName: this.refs.curatedDatabase,
            inventoryDatabaseName: this.refs.inventoryDatabase,
            inventoryTableName,
            crawlerName,
            securityConfigurationName: this.securityConfigurationName,
        });
    }
}
