/**
 * IAM policy builders shared by the analytics components (a helper module, not a component).
 *
 * Every document here is a plain JSON string built from deterministic names (naming.ts), so it is KNOWN AT
 * PREVIEW and the policy pack judges it in a pull request. KMS keys are the one resource whose ARN is random;
 * statements on a key therefore name `key/*` of this account and region and narrow it to the key's alias
 * with the `kms:ResourceAliases` condition (the documented ABAC form for "this key", see the KMS developer
 * guide "Use aliases to control access to KMS keys"), instead of embedding an ARN unknown until the key exists.
 */
import { NamingContext, regionalArn } from "../shared/naming";
import { BucketRef, KeyRef } from "../shared/refs";

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface IamStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action: string[];
    Resource: string[];
    Condition?: ConditionBlock;
}

/** The IAM JSON policy document of `statements`. */
export function policyJson(statements: IamStatement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * Trust policy for a service principal. `conditions` guard against the confused deputy where the service
 * supports them (aws:SourceAccount / aws:SourceArn); Lambda execution roles take none.
 */
export function servicePrincipalTrust(service: string, conditions?: ConditionBlock): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(conditions ? { Condition: conditions } : {}) }],
    });
}

/** Use of one customer-managed key, identified by its alias (known at preview). */
export function kmsKeyStatement(naming: NamingContext, sid: string, key: KeyRef, actions: string[], extra?: ConditionBlock): IamStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: actions,
        Resource: [regionalArn(naming, "kms", "key/*")],
        Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": [key.aliasName] }, ...(extra ?? {}) },
    };
}

const trimSlash = (p: string) => p.replace(/^\/+/, "");

/**
 * Read access to a bucket, or to one prefix of it: `s3:ListBucket` limited by `s3:prefix`, `s3:GetObject` on
 * the objects under the prefix.
 */
export function s3ReadStatements(sid: string, bucket: BucketRef, prefix = ""): IamStatement[] {
    const p = trimSlash(prefix);
    return [
        {
            Sid: `${sid}List`,
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation"],
            Resource: [bucket.arn],
            ...(p ? { Condition: { StringLike: { "s3:prefix": [`${p}*`] } } } : {}),
        },
        { Sid: `${sid}Get`, Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: [`${bucket.arn}/${p}*`] },
    ];
}

/** Write access under a prefix (multipart uploads included); no delete unless asked. */
export function s3WriteStatement(sid: string, bucket: BucketRef, prefix = "", allowDelete = false): IamStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", ...(allowDelete ? ["s3:DeleteObject"] : [])],
        Resource: [`${bucket.arn}/${trimSlash(prefix)}*`],
    };
}

/** Glue Data Catalog read of one database and some (or all, `*`) of its tables. */
export function glueReadStatement(naming: NamingContext, sid: string, database: string, tables: string[] | "*"): IamStatement {
    const tableArns = tables === "*" ? [regionalArn(naming, "glue", `table/${database}/*`)] : tables.map((t) => regionalArn(naming, "glue", `table/${database}/${t}`));
    return {
        Sid: sid,
        Effect: "Allow",
        Action: ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
        Resource: [regionalArn(naming, "glue", "catalog"), regionalArn(naming, "glue", `database/${database}`), ...tableArns],
    };
}

/** Glue Data Catalog writes of tables and partitions in one database (crawlers, Spark jobs). */
export function glueWriteStatement(naming: NamingContext, sid: string, database: string): IamStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: [
            "glue:CreateTable",
            "glue:UpdateTable",
            "glue:CreatePartition",
            "glue:UpdatePartition",
            "glue:BatchCreatePartition",
            "glue:BatchUpdatePartition",
        ],
        Resource: [regionalArn(naming, "glue", "catalog"), regionalArn(naming, "glue", `database/${database}`), regionalArn(naming, "glue", `table/${database}/*`)],
    };
}

/** Writing to explicitly created log groups (streams and events only: the groups exist, encrypted). */
export function logWriteStatement(naming: NamingContext, sid: string, logGroupNames: string[]): IamStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: logGroupNames.flatMap((n) => [regionalArn(naming, "logs", `log-group:${n}`), regionalArn(naming, "logs", `log-group:${n}:log-stream:*`)]),
    };
}

/** The Glue/Athena name of a database: lowercase letters, digits and underscores (Athena rejects hyphens). */
export function catalogName(naming: NamingContext, role: string): string {
    return `${naming.prefix}_${naming.environment}_${role}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}
