/**
 * MetadataTable: the DynamoDB table of ingestion manifests and metadata (one item per ingested object or
 * batch: customer, source system, S3 key, checksum, status, timestamps).
 *
 * Key design: `pk` (string, e.g. `CUSTOMER#st-marys#SOURCE#ehr`) and `sk` (string, e.g.
 * `OBJECT#2025-03-07T02:00:00Z#encounters-0001.parquet`), so one query returns a customer's and source's
 * arrivals in time order. Items expire through the TTL attribute `expiresAt` (epoch seconds), which keeps
 * operational metadata from outliving its purpose (HIPAA 164.310(d)(2)(i) disposal); the objects themselves
 * follow the data lake's lifecycle.
 *
 * Controls: server-side encryption with the databases key (not the AWS-owned key) [164.312(a)(2)(iv)];
 * point-in-time recovery [164.308(a)(7)]; on-demand capacity by default (no throttling of a bursty ingest, no
 * capacity to manage); with `context.protect` (prod) `deletionProtectionEnabled` and the `protect` option.
 *
 * REPLACEMENT RISK: changing the table name (`role`), `hashKey`/`rangeKey` or the key attributes' types replaces
 * the table with an EMPTY one; `protect` makes prod refuse it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { regionalArn, resourceName } from "../shared/naming";
import { PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { BACKUP_TAG } from "./store-support";

export const MANIFEST_TTL_ATTRIBUTE = "expiresAt";

export interface MetadataTableArgs {
    context: PlatformContext;
    /** `databases` encrypts the table. */
    keys: Pick<PlatformKeyRefs, "databases">;
    /** Role segment of the table name. @default the component name */
    role?: string;
    /**
     * Capacity mode. `PROVISIONED` needs `readCapacity`/`writeCapacity` and is only cheaper for steady load.
     * @default "PAY_PER_REQUEST"
     */
    billingMode?: "PAY_PER_REQUEST" | "PROVISIONED";
    /** Provisioned read capacity units (PROVISIONED only). @default 5 */
    readCapacity?: number;
    /** Provisioned write capacity units (PROVISIONED only). @default 5 */
    writeCapacity?: number;
    /** What the items hold; manifests carry identifiers and object keys, not clinical content. @default "confidential" */
    dataClassification?: "phi" | "confidential";
}

export class MetadataTable extends pulumi.ComponentResource {
    /** Table name, known at preview. */
    readonly tableName: string;
    /** Table ARN, known at preview (IAM policies, AWS Backup selection). */
    readonly tableArn: string;
    readonly table: aws.dynamodb.Table;

    constructor(name: string, args: MetadataTableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:storage:MetadataTable", name, {}, opts);
        const { naming, protect } = args.context;
        const billingMode = args.billingMode ?? "PAY_PER_REQUEST";
        const provisioned = billingMode === "PROVISIONED";
        for (const [key, value] of [["readCapacity", args.readCapacity], ["writeCapacity", args.writeCapacity]] as const) {
            if (value !== undefined && (!provisioned || !Number.isInteger(value) || value < 1)) {
                throw new Error(
                    `MetadataTable '${name}' ${key}: expected a positive integer with billingMode PROVISIONED, got ${value} with billingMode ${billingMode}`,
                );
            }
        }
        this.tableName = resourceName(naming, args.role ?? name, "dynamodb");
        this.tableArn = regionalArn(naming, "dynamodb", `table/${this.tableName}`);

        this.table = new aws.dynamodb.Table(
            `${name}-table`,
            {
                name: this.tableName,
                billingMode,
                readCapacity: provisioned ? (args.readCapacity ?? 5) : undefined,
                writeCapacity: provisioned ? (args.writeCapacity ?? 5) : undefined,
                hashKey: "pk",
                rangeKey: "sk",
                attributes: [
                    { name: "pk", type: "S" },
                    { name: "sk", type: "S" },
                ],
                serverSideEncryption: { enabled: true, kmsKeyArn: args.keys.databases.arn },
                pointInTimeRecovery: { enabled: true },
                deletionProtectionEnabled: protect,
                ttl: { attributeName: MANIFEST_TTL_ATTRIBUTE, enabled: true },
                tags: { "data-classification": args.dataClassification ?? "confidential", [BACKUP_TAG.key]: BACKUP_TAG.value },
            },
            { parent: this, protect },
        );

        this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
    }
}
