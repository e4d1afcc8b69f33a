/**
 * AthenaWorkspace: the workgroup analysts and the platform's functions query the lake in, and its named
 * queries.
 *
 * The workgroup ENFORCES its configuration (a client cannot choose another results location or turn
 * encryption off): results go to the results bucket under `athena/`, SSE-KMS with the data-lake key
 * (HIPAA 164.312(a)(2)(iv)), owned by the bucket owner, only if the bucket belongs to this account
 * (`expectedBucketOwner`, so a bucket-name squatter cannot receive PHI results). A per-query bytes-scanned
 * cutoff bounds the cost of a runaway query, and CloudWatch metrics per workgroup feed audits and alarms
 * (164.312(b)).
 *
 * Named queries are the allow-list of query-templates.ts (the same SQL the presentation API runs); queries
 * with `?` placeholders prompt for their parameters in the Athena console.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { regionalArn, resourceName } from "../shared/naming";
import { BucketRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { CatalogRefs } from "./catalog";
import { buildTemplates, TemplateContext } from "../../apps/analytics-functions/query-templates";

/** Athena's minimum per-query cutoff (10 MB). */
export const ATHENA_MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;

export interface AthenaWorkspaceArgs {
    context: PlatformContext;
    /** dataLake: encryption of query results. */
    keys: Pick<PlatformKeyRefs, "dataLake">;
    /** Per-query cutoff in bytes (`PlatformConfig.analytics.athenaBytesScannedCutoff`, at least 10 MB). */
    bytesScannedCutoffPerQuery: number;
    resultsBucket: BucketRef;
    /** Prefix of query results in the results bucket. @default "athena/<workgroup>/" (the results zone's layout) */
    resultsPrefix?: string;
    /** @default "Athena engine version 3" (parameterized queries need engine 2 or later) */
    engineVersion?: string;
    catalog: CatalogRefs;
}

/** Everything a function needs to run the allow-listed queries (plain values, known at preview). */
export interface AthenaQueryAccess {
    workgroupName: string;
    workgroupArn: string;
    resultsBucket: BucketRef;
    resultsPrefix: string;
    catalog: CatalogRefs;
    templateContext: TemplateContext;
}

export class AthenaWorkspace extends pulumi.ComponentResource {
    readonly workgroup: aws.athena.Workgroup;
    readonly workgroupName: string;
    /** `arn:<partition>:athena:<region>:<account>:workgroup/<name>`, known at preview. */
    readonly workgroupArn: string;
    readonly namedQueries: aws.athena.NamedQuery[];
    readonly queryAccess: AthenaQueryAccess;

    constructor(name: string, args: AthenaWorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:analytics:AthenaWorkspace", name, {}, opts);
        const { naming, protect } = args.context;
        if (!Number.isInteger(args.bytesScannedCutoffPerQuery) || args.bytesScannedCutoffPerQuery < ATHENA_MIN_BYTES_SCANNED_CUTOFF) {
            throw new Error(
                `AthenaWorkspace '${name}': bytesScannedCutoffPerQuery (athenaBytesScannedCutoff): expected an integer of at least ` +
                    `${ATHENA_MIN_BYTES_SCANNED_CUTOFF} bytes (Athena's minimum), got ${args.bytesScannedCutoffPerQuery}`,
            );
        }
        this.workgroupName = resourceName(naming, "analytics", "athena");
        const resultsPrefix = `${(args.resultsPrefix ?? `athena/${this.workgroupName}`).replace(/^\/+|\/+$/g, "")}/`;
        this.workgroupArn = regionalArn(naming, "athena", `workgroup/${this.workgroupName}`);

        this.workgroup = new aws.athena.Workgroup(
            `${name}-workgroup`,
            {
                name: this.workgroupName,
                description: "Lake analytics: enforced SSE-KMS results in the results bucket, per-query scan limit.",
                state: "ENABLED",
                // Deleting a workgroup with named queries must be deliberate; prod never force-deletes.
                forceDestroy: !protect,
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    bytesScannedCutoffPerQuery: args.bytesScannedCutoffPerQuery,
                    requesterPaysEnabled: false,
                    engineVersion: { selectedEngineVersion: args.engineVersion ?? "Athena engine version 3" },
                    resultConfiguration: {
                        outputLocation: `s3://${args.resultsBucket.name}/${resultsPrefix}`,
                        expectedBucketOwner: naming.accountId,
                        aclConfiguration: { s3AclOption: "BUCKET_OWNER_FULL_CONTROL" },
                        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: args.keys.dataLake.arn },
                    },
                },
            },
            { parent: this, protect },
        );

        const templateContext: TemplateContext = {
            inventoryDatabase: args.catalog.inventoryDatabase,
            inventoryTable: args.catalog.inventoryTable,
            curatedDatabase: args.catalog.curatedDatabase,
            zones: args.catalog.zones,
        };
        this.namedQueries = buildTemplates(templateContext).map(
            (t) =>
                new aws.athena.NamedQuery(
                    `${name}-${t.id}`,
                    {
                        name: t.title,
                        workgroup: this.workgroup.name,
                        database: t.database,
                        query: t.sql,
                        description: `${t.description} Parameters: ${t.placeholders.join(", ") || "none"}.`.slice(0, 1024),
                    },
                    { parent: this },
                ),
        );

        this.queryAccess = {
            workgroupName: this.workgroupName,
            workgroupArn: this.workgroupArn,
            resultsBucket: args.resultsBucket,
            resultsPrefix,
            catalog: args.catalog,
            templateContext,
        };

        this.registerOutputs({
            workgroupName: this.workgroupName,
            workgroupArn: this.workgroupArn,
            resultsLocation: `s3://${args.resultsBucket.name}/${resultsPrefix}`,
            namedQueries: this.namedQueries.map((q) => q.name),
        });
    }
}
