/**
 * Encryption at rest (HIPAA 164.312(a)(2)(iv)) for every non-S3 data-holding resource type of @pulumi/aws v7
 * (S3 is judged by the policies in ../s3). Mandatory by default; `unjudged-data-store-encryption` (advisory)
 * reports the data stores the pack knows of but does not judge.
 */
import { Policies } from "@pulumi/policy";
import { athenaWorkgroupEncryptionAtRest } from "./athena-workgroup-encryption-at-rest";
import { backupVaultEncryptionAtRest } from "./backup-vault-encryption-at-rest";
import { cloudtrailEncryptionAtRest } from "./cloudtrail-encryption-at-rest";
import { cloudwatchLogGroupEncryptionAtRest } from "./cloudwatch-log-group-encryption-at-rest";
import { dynamodbEncryptionAtRest } from "./dynamodb-encryption-at-rest";
import { ebsEncryptionAtRest } from "./ebs-encryption-at-rest";
import { efsEncryptionAtRest } from "./efs-encryption-at-rest";
import { elasticacheEncryptionAtRest } from "./elasticache-encryption-at-rest";
import { emrEncryptionAtRest } from "./emr-encryption-at-rest";
import { firehoseEncryptionAtRest } from "./firehose-encryption-at-rest";
import { glueEncryptionAtRest } from "./glue-encryption-at-rest";
import { kinesisStreamEncryptionAtRest } from "./kinesis-stream-encryption-at-rest";
import { lambdaEnvironmentEncryption } from "./lambda-environment-encryption";
import { opensearchEncryptionAtRest } from "./opensearch-encryption-at-rest";
import { rdsEncryptionAtRest } from "./rds-encryption-at-rest";
import { redshiftEncryptionAtRest } from "./redshift-encryption-at-rest";
import { secretsmanagerSecretEncryption } from "./secretsmanager-secret-encryption";
import { snsTopicEncryptionAtRest } from "./sns-topic-encryption-at-rest";
import { sqsQueueEncryptionAtRest } from "./sqs-queue-encryption-at-rest";
import { storagegatewayFileShareEncryption } from "./storagegateway-file-share-encryption";
import { unjudgedDataStoreEncryption } from "./unjudged-data-store-encryption";

export const encryptionPolicies: Policies = [
    rdsEncryptionAtRest,
    redshiftEncryptionAtRest,
    dynamodbEncryptionAtRest,
    elasticacheEncryptionAtRest,
    efsEncryptionAtRest,
    ebsEncryptionAtRest,
    kinesisStreamEncryptionAtRest,
    firehoseEncryptionAtRest,
    snsTopicEncryptionAtRest,
    sqsQueueEncryptionAtRest,
    cloudwatchLogGroupEncryptionAtRest,
    glueEncryptionAtRest,
    athenaWorkgroupEncryptionAtRest,
    emrEncryptionAtRest,
    opensearchEncryptionAtRest,
    lambdaEnvironmentEncryption,
    secretsmanagerSecretEncryption,
    backupVaultEncryptionAtRest,
    cloudtrailEncryptionAtRest,
    storagegatewayFileShareEncryption,
    unjudgedDataStoreEncryption,
];
