/**
 * IAM helpers shared by the ingestion components (no components here).
 *
 * Every document is built from deterministic names only, so roles and policies are known in `pulumi preview` and the
 * policy pack judges them in a pull request. KMS keys are named through their alias (`kms:ResourceAliases`) rather
 * than their ARN: a key created in the same stack has an ARN that is unknown until `pulumi up`, its alias is not.
 */
import * as pulumi from "@pulumi/pulumi";
import { globalArn, NamingContext, regionalArn } from "../shared/naming";
import { KeyRef } from "../shared/refs";

/** A condition block of an IAM statement: operator -> condition key -> value(s). */
export type IamCondition = Record<string, Record<string, string | string[]>>;

/** One IAM policy statement in the JSON form AWS stores. */
export interface IamStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: string | string[];
    Principal?: { Service?: string | string[]; AWS?: string | string[] };
    Condition?: IamCondition;
}

/** `{"Version": "2012-10-17", "Statement": [...]}` as a JSON string (known at preview: every value is a plain string). */
export function policyJson(statements: IamStatement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
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

/**
 * Trust policy letting one AWS service assume a role, only on behalf of this account (confused-deputy protection:
 * another account's resource of the same service cannot make the service act with this role).
 */
export function serviceTrustPolicy(naming: NamingContext, service: string, sourceArnPattern?: string): pulumi.Output<string> {
    const condition: IamCondition = { StringEquals: { "aws:SourceAccount": naming.accountId } };
    if (sourceArnPattern) {
        condition.ArnLike = { "aws:SourceArn": sourceArnPattern };
    }
    return policyJson([
        { Sid: "TrustService", Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", Condition: condition },
    ]);
}

export interface KeyUseOptions {
    /** Services the key may be used through (`kms:ViaService`); omitted means direct use (client-side encryption). */
    via?: string[];
    /** Extra conditions (e.g. the S3 encryption context of one bucket), merged with the alias condition. */
    conditions?: IamCondition;
}

/**
 * Allows `actions` on exactly the key behind `key.aliasName` in this account and region. The resource is every key
 * of the account and region (`key/*`), narrowed by `kms:ResourceAliases`, because the key ARN is unknown at preview.
 */
export function keyUseStatement(naming: NamingContext, sid: string, key: KeyRef, actions: string[], options: KeyUseOptions = {}): IamStatement {
    const condition: IamCondition = { "ForAnyValue:StringEquals": { "kms:ResourceAliases": [key.aliasName] } };
    if (options.via?.length) {
        condition.StringEquals = { "kms:ViaService": options.via };
    }
    for (const [operator, entries] of Object.entries(options.conditions ?? {})) {
        condition[operator] = { ...(condition[operator] ?? {}), ...entries };
    }
    return { Sid: sid, Effect: "Allow", Action: actions, Resource: regionalArn(naming, "kms", "key/*"), Condition: condition };
}

/** The S3 encryption context of objects in one bucket (the bucket ARN with an S3 Bucket Key, the object ARN without). */
export function s3EncryptionContext(bucketArn: string): IamCondition {
    return { StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] } };
}
