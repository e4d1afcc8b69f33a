/**
 * The one way this program writes an IAM policy document (identity, trust, resource, key and endpoint policies).
 *
 * Statements are typed in the JSON form AWS stores (`Effect`, `Action`, `Resource`, `Principal`, `Condition`), and
 * {@link policyJson} serialises them with `pulumi.jsonStringify`, so a document is an `Output<string>` that is KNOWN
 * AT PREVIEW whenever its values are plain strings: every name and ARN here is built from deterministic names
 * (naming.ts), which lets the policy pack judge the document in a pull request. Values are written as given: a
 * single action stays a string, a list stays a list (IAM reads both the same way).
 *
 * KMS keys are the one resource whose ARN is random; statements on a key therefore name `key/*` of this account and
 * region and narrow it to the key's alias with `kms:ResourceAliases` (the documented ABAC form for "this key", KMS
 * Developer Guide "Use aliases to control access to KMS keys") instead of an ARN unknown until the key exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { globalArn, NamingContext, regionalArn } from "./naming";
import { BucketRef, KeyRef } from "./refs";

/** One value or a list of them, as IAM accepts for actions, resources, principals and condition values. */
export type OneOrMany<T> = T | T[];

/** Condition operators without qualifiers (IAM User Guide, "IAM JSON policy elements: Condition operators"). */
export type BaseConditionOperator =
    | "StringEquals"
    | "StringNotEquals"
    | "StringEqualsIgnoreCase"
    | "StringNotEqualsIgnoreCase"
    | "StringLike"
    | "StringNotLike"
    | "NumericEquals"
    | "NumericNotEquals"
    | "NumericLessThan"
    | "NumericLessThanEquals"
    | "NumericGreaterThan"
    | "NumericGreaterThanEquals"
    | "DateEquals"
    | "DateNotEquals"
    | "DateLessThan"
    | "DateLessThanEquals"
    | "DateGreaterThan"
    | "DateGreaterThanEquals"
    | "Bool"
    | "BinaryEquals"
    | "IpAddress"
    | "NotIpAddress"
    | "ArnEquals"
    | "ArnLike"
    | "ArnNotEquals"
    | "ArnNotLike";

/** Every condition operator IAM accepts: the base ones, their `IfExists` forms, set qualifiers, and `Null`. */
export type ConditionOperator =
    | BaseConditionOperator
    | `${BaseConditionOperator}IfExists`
    | `ForAnyValue:${BaseConditionOperator}`
    | `ForAllValues:${BaseConditionOperator}`
    | "Null";

/** A statement's `Condition` block: operator -> condition key -> value(s). */
export type Condition = Partial<Record<ConditionOperator, Record<string, OneOrMany<string>>>>;

/** `Principal` / `NotPrincipal` of a resource or trust policy. */
export type Principal = "*" | { AWS?: OneOrMany<string>; Service?: OneOrMany<string>; Federated?: OneOrMany<string>; CanonicalUser?: OneOrMany<string> };

/** One statement, in the JSON form AWS stores. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Principal;
    NotPrincipal?: Principal;
    Action?: OneOrMany<string>;
    NotAction?: OneOrMany<string>;
    Resource?: OneOrMany<string>;
    NotResource?: OneOrMany<string>;
    Condition?: Condition;
}

/** A whole policy document. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Id?: string;
    Statement: PolicyStatement[];
}

/**
 * The document of `statements`. Throws on what IAM would reject when the policy is put (so the error names the
 * statement at preview, not at `pulumi up`): a statement with both or neither of Action/NotAction, with both
 * Resource and NotResource or Principal and NotPrincipal, or a statement id used twice.
 */
export function policyDocument(statements: PolicyStatement[], options: { id?: string } = {}): PolicyDocument {
    const seen = new Set<string>();
    statements.forEach((s, i) => {
        const which = s.Sid ? `statement '${s.Sid}'` : `statement ${i}`;
        if ((s.Action === undefined) === (s.NotAction === undefined)) {
            throw new Error(`IAM policy document: ${which} must have exactly one of Action and NotAction`);
        }
        if (s.Resource !== undefined && s.NotResource !== undefined) {
            throw new Error(`IAM policy document: ${which} has both Resource and NotResource`);
        }
        if (s.Principal !== undefined && s.NotPrincipal !== undefined) {
            throw new Error(`IAM policy document: ${which} has both Principal and NotPrincipal`);
        }
        if (s.Sid !== undefined) {
            if (seen.has(s.Sid)) {
                throw new Error(`IAM policy document: statement id '${s.Sid}' is used twice (IAM requires unique Sids in a policy)`);
            }
            seen.add(s.Sid);
        }
    });
    return { Version: "2012-10-17", ...(options.id ? { Id: options.id } : {}), Statement: statements };
}

/** `{"Version": "2012-10-17", "Statement": [...]}` as JSON, of statements or of a document (see {@link policyDocument} for the checks). */
export function policyJson(statements: PolicyStatement[] | PolicyDocument, options: { id?: string } = {}): pulumi.Output<string> {
    const doc = Array.isArray(statements) ? policyDocument(statements, options) : policyDocument(statements.Statement, { id: statements.Id });
    return pulumi.jsonStringify(doc);
}

/** Confused-deputy guards of a service trust policy. */
export interface ServiceTrust {
    /** `aws:SourceAccount` the service must act for (StringEquals). @default none */
    sourceAccount?: string;
    /** `aws:SourceArn` of the resource the service acts for: a pattern (ArnLike), or one exact ARN with `sourceArnExact`. @default none */
    sourceArn?: string;
    /** Match `sourceArn` with StringEquals (one known ARN) instead of ArnLike. @default false */
    sourceArnExact?: boolean;
    /** Statement id. @default none */
    sid?: string;
}

/**
 * Trust policy letting one AWS service principal assume a role. The guards pin it to this account and, where the
 * service sends it, to the resource acting (confused-deputy protection: another account's resource of the same
 * service cannot make the service act with the role). Services that send neither (Lambda and EC2 execution roles)
 * take none.
 */
export function serviceTrustPolicy(service: string, trust: ServiceTrust = {}): pulumi.Output<string> {
    const condition: Condition = {};
    if (trust.sourceAccount) {
        condition.StringEquals = { "aws:SourceAccount": trust.sourceAccount };
    }
    if (trust.sourceArn && trust.sourceArnExact) {
        condition.StringEquals = { ...condition.StringEquals, "aws:SourceArn": trust.sourceArn };
    } else if (trust.sourceArn) {
        condition.ArnLike = { "aws:SourceArn": trust.sourceArn };
    }
    return policyJson([
        {
            ...(trust.sid ? { Sid: trust.sid } : {}),
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
        },
    ]);
}

/** ARN of an IAM role by its deterministic name. */
export function roleArn(naming: NamingContext, roleName: string): string {
    return globalArn(naming, "iam", `role/${roleName}`);
}

/** ARN of a CloudWatch Logs log group by name (the form services take, without the trailing `:*`). */
export function logGroupArn(naming: NamingContext, logGroupName: string): string {
    return regionalArn(naming, "logs", `log-group:${logGroupName}`);
}

/** `<service>.<region>.amazonaws.com` (`.com.cn` in China), the `kms:ViaService` of calls a service makes for a principal. */
export function viaService(naming: NamingContext, service: string): string {
    return `${service}.${naming.region}.${naming.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

/** The S3 encryption context of objects in one bucket (the bucket ARN with an S3 Bucket Key, the object ARN without). */
export function s3EncryptionContext(bucketArn: string): Condition {
    return { StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] } };
}

export interface KeyUseOptions {
    /** Services the key may be used through (`kms:ViaService`); omitted means direct use (client-side encryption). */
    via?: string[];
    /** Extra conditions (e.g. the S3 encryption context of one bucket), merged operator by operator with the alias condition. */
    conditions?: Condition;
}

/**
 * Allows `actions` on exactly the key behind `key.aliasName` in this account and region. The resource is every key
 * of the account and region (`key/*`), narrowed by `kms:ResourceAliases`, because the key ARN is unknown at preview.
 */
export function keyUseStatement(naming: NamingContext, sid: string, key: KeyRef, actions: string[], options: KeyUseOptions = {}): PolicyStatement {
    const condition: Condition = { "ForAnyValue:StringEquals": { "kms:ResourceAliases": [key.aliasName] } };
    if (options.via?.length) {
        condition.StringEquals = { "kms:ViaService": options.via };
    }
    for (const [operator, entries] of Object.entries(options.conditions ?? {}) as [ConditionOperator, Record<string, OneOrMany<string>>][]) {
        condition[operator] = { ...(condition[operator] ?? {}), ...entries };
    }
    return { Sid: sid, Effect: "Allow", Action: actions, Resource: [regionalArn(naming, "kms", "key/*")], Condition: condition };
}

const trimSlash = (p: string) => p.replace(/^\/+/, "");

/**
 * Read access to a bucket, or to one prefix of it: `s3:ListBucket` limited by `s3:prefix`, `s3:GetObject` on
 * the objects under the prefix.
 */
export function s3ReadStatements(sid: string, bucket: BucketRef, prefix = ""): PolicyStatement[] {
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
export function s3WriteStatement(sid: string, bucket: BucketRef, prefix = "", allowDelete = false): PolicyStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", ...(allowDelete ? ["s3:DeleteObject"] : [])],
        Resource: [`${bucket.arn}/${trimSlash(prefix)}*`],
    };
}

/** Glue Data Catalog read of one database and some (or all, `*`) of its tables. */
export function glueReadStatement(naming: NamingContext, sid: string, database: string, tables: string[] | "*"): PolicyStatement {
    const tableArns = tables === "*" ? [regionalArn(naming, "glue", `table/${database}/*`)] : tables.map((t) => regionalArn(naming, "glue", `table/${database}/${t}`));
    return {
        Sid: sid,
        Effect: "Allow",
        Action: ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
        Resource: [regionalArn(naming, "glue", "catalog"), regionalArn(naming, "glue", `database/${database}`), ...tableArns],
    };
}

/** Glue Data Catalog writes of tables and partitions in one database (crawlers, Spark jobs). */
export function glueWriteStatement(naming: NamingContext, sid: string, database: string): PolicyStatement {
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
export function logWriteStatement(naming: NamingContext, sid: string, logGroupNames: string[]): PolicyStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: logGroupNames.flatMap((n) => [logGroupArn(naming, n), `${logGroupArn(naming, n)}:log-stream:*`]),
    };
}
