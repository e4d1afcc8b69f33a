/**
 * What one area hands to another. Components depend on these small shapes, not on each other's classes,
 * so an area can be built, tested and replaced on its own.
 */
import * as pulumi from "@pulumi/pulumi";
import { NamingContext } from "./naming";

/** A customer-managed KMS key of one data domain. */
export interface KeyRef {
    /** Key ARN (unknown at preview; policies treat its presence as a CMK). */
    arn: pulumi.Input<string>;
    /** Alias, known at preview, e.g. `alias/hdp-prod-data-lake`. */
    aliasName: string;
}

/**
 * Keys per data domain. Separate keys limit the blast radius of a grant and let one domain's key be
 * disabled (incident response) without stopping the others.
 */
export interface PlatformKeyRefs {
    /** S3 data lake zones, Athena results, Glue catalog and jobs, Macie results. */
    dataLake: KeyRef;
    /** RDS, Aurora, Redshift, DynamoDB, ElastiCache, EFS, EBS. */
    databases: KeyRef;
    /** Kinesis Data Streams and Firehose. */
    streaming: KeyRef;
    /** CloudWatch Logs, CloudTrail, SNS alert topic, SQS dead-letter queues. */
    logs: KeyRef;
    /** Secrets Manager secrets. */
    secrets: KeyRef;
    /** AWS Backup vault. */
    backup: KeyRef;
}

/** A bucket by its deterministic name; every ARN derived from it is known at preview. */
export interface BucketRef {
    /** Physical bucket name. */
    name: string;
    /** `arn:<partition>:s3:::<name>`. */
    arn: string;
}

/** The network the data stores and compute run in. */
export interface NetworkRefs {
    vpcId: pulumi.Input<string>;
    vpcCidr: string;
    /** Private subnets (no route to an internet gateway) for data stores and compute. */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security group of the platform's compute (Lambda, Glue, EMR); data stores admit only it. */
    computeSecurityGroupId: pulumi.Input<string>;
    /** On-prem networks reachable through the VPN, if any. */
    onPremCidrs: string[];
}

/** Settings every component receives. */
export interface PlatformContext {
    naming: NamingContext;
    /** Put `protect` on stateful children and turn on service deletion protection (prod). */
    protect: boolean;
    /** Retention of operational log groups, a CloudWatch Logs value. */
    logRetentionDays: number;
}
