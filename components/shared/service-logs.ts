/**
 * Log groups AWS services create for themselves when missing: unencrypted and kept forever. The platform creates
 * them first, with the logs key and the configured retention, so the service writes into them (HIPAA 164.312(b),
 * 164.316(b)(2)). Names are the services' own conventions:
 * - Redshift Serverless: `/aws/redshift/<namespace>/<log type>`; provisioned: `/aws/redshift/cluster/<cluster>/<log type>`
 *   (Redshift management guide, "Audit logging for Amazon Redshift Serverless" / "Database audit logging");
 * - Glue with a security configuration: jobs `/aws-glue/jobs/<configuration>-role/<role>/{output,error}`, crawlers
 *   `/aws-glue/crawlers-role/<role>-<configuration>` (Glue developer guide, "Encrypting data written by AWS Glue").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KeyRef } from "./refs";

/** Glue job log groups written with a security configuration. */
export function glueJobLogGroupNames(securityConfigurationName: string, roleName: string): string[] {
    return ["output", "error"].map((s) => `/aws-glue/jobs/${securityConfigurationName}-role/${roleName}/${s}`);
}

/** Glue crawler log group written with a security configuration. */
export function glueCrawlerLogGroupName(securityConfigurationName: string, roleName: string): string {
    return `/aws-glue/crawlers-role/${roleName}-${securityConfigurationName}`;
}

/** Creates `names` as KMS-encrypted log groups with a retention, children of `parent` named `<name>-<suffix>`. */
export function serviceLogGroups(
    parent: pulumi.Resource,
    name: string,
    groups: { suffix: string; name: string }[],
    logsKey: KeyRef,
    retentionInDays: number,
): aws.cloudwatch.LogGroup[] {
    return groups.map((g) => new aws.cloudwatch.LogGroup(`${name}-${g.suffix}`, { name: g.name, kmsKeyId: logsKey.arn, retentionInDays }, { parent }));
}
