import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { asArray, truthy } from "../../lib/values";

export const DYNAMODB_TABLE = "aws:dynamodb/table:Table";
export const DYNAMODB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica";

interface Table {
    serverSideEncryption?: { enabled?: boolean; kmsKeyArn?: string };
    replicas?: { regionName?: string; kmsKeyArn?: string }[];
}

export const dynamodbEncryptionAtRest: ResourceValidationPolicy = {
    name: "dynamodb-encryption-at-rest",
    description: "DynamoDB tables and their replicas are encrypted with a customer-managed KMS key rather than the AWS-owned or AWS-managed key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `serverSideEncryption: { enabled: true, kmsKeyArn: key.arn }` on `aws.dynamodb.Table`, and `kmsKeyArn` (a key in the " +
        "replica's region) on every entry of `replicas` and on `aws.dynamodb.TableReplica`. DynamoDB switches the key in place, " +
        "without replacing the table.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [DYNAMODB_TABLE]: on<Table>((p, args, report) => {
            const cfg = encryptionConfig(args);
            if (!cfg.requireCustomerManagedKey) {
                // Every DynamoDB table is encrypted at rest (AWS-owned key at least): nothing else to require.
                return;
            }
            const name = subject(args);
            const sse = p.serverSideEncryption;
            if (!sse || !truthy(sse.enabled)) {
                report(`${name} is encrypted only with the AWS-owned DynamoDB key: set serverSideEncryption: { enabled: true, kmsKeyArn } with a customer-managed KMS key ARN.`);
            } else {
                const problem = keyProblem(keyReference(sse, "kmsKeyArn"), `${name} serverSideEncryption.kmsKeyArn`, true);
                if (problem) {
                    report(`${problem}.`);
                }
            }
            for (const [i, replica] of asArray<{ regionName?: string }>(p.replicas).entries()) {
                const problem = keyProblem(keyReference(replica, "kmsKeyArn"), `${name} replicas[${i}] (${replica.regionName ?? "?"}) kmsKeyArn`, true);
                if (problem) {
                    report(`${problem} in that region.`);
                }
            }
        }),
        [DYNAMODB_TABLE_REPLICA]: on<{ kmsKeyArn?: string }>((p, args, report) => {
            const problem = keyProblem(keyReference(p, "kmsKeyArn"), `${subject(args)} kmsKeyArn`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem} in the replica's region.`);
            }
        }),
    }),
};
