/**
 * Metadata every encryption policy must carry, and parity between each config schema's defaults and the defaults
 * the code applies (the CLI fills in schema defaults; unit tests and the offline engine do not).
 */
import * as assert from "assert";
import { encryptionPolicies } from "../../../policy-pack/policies/encryption";
import { policies as allPolicies } from "../../../policy-pack/policies";
import { checkMetadata, FakeResource, schemaDefaults, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/09090909-2222-3333-4444-555555555555";

/** A resource per policy whose verdict depends on every config default of that policy. */
const ENCRYPTION_DEFAULT_PROBES: Record<string, FakeResource[]> = {
    "rds-encryption-at-rest": [{ type: "aws:rds/instance:Instance", props: { storageEncrypted: true } }],
    "redshift-encryption-at-rest": [{ type: "aws:redshift/cluster:Cluster", props: {} }],
    "dynamodb-encryption-at-rest": [{ type: "aws:dynamodb/table:Table", props: {} }],
    "elasticache-encryption-at-rest": [{ type: "aws:elasticache/serverlessCache:ServerlessCache", props: {} }],
    "efs-encryption-at-rest": [{ type: "aws:efs/fileSystem:FileSystem", props: { encrypted: true } }],
    "ebs-encryption-at-rest": [
        { type: "aws:ebs/volume:Volume", props: { encrypted: true, kmsKeyId: "alias/aws/ebs" } },
        { type: "aws:ec2/instance:Instance", props: {} },
    ],
    "kinesis-stream-encryption-at-rest": [{ type: "aws:kinesis/stream:Stream", props: { encryptionType: "KMS", kmsKeyId: "alias/aws/kinesis" } }],
    "firehose-encryption-at-rest": [
        { type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", props: { destination: "extended_s3", serverSideEncryption: { enabled: true }, extendedS3Configuration: { bucketArn: "b", roleArn: "r", kmsKeyArn: CMK } } },
    ],
    "sns-topic-encryption-at-rest": [{ type: "aws:sns/topic:Topic", props: { kmsMasterKeyId: "alias/aws/sns" } }],
    "sqs-queue-encryption-at-rest": [{ type: "aws:sqs/queue:Queue", props: {} }, { type: "aws:sqs/queue:Queue", props: { kmsMasterKeyId: "alias/aws/sqs" } }],
    "cloudwatch-log-group-encryption-at-rest": [{ type: "aws:cloudwatch/logGroup:LogGroup", props: {} }],
    "glue-encryption-at-rest": [{ type: "aws:glue/securityConfiguration:SecurityConfiguration", props: { encryptionConfiguration: { s3Encryption: { s3EncryptionMode: "SSE-S3" } } } }],
    "athena-workgroup-encryption-at-rest": [{ type: "aws:athena/workgroup:Workgroup", props: { configuration: { resultConfiguration: { encryptionConfiguration: { encryptionOption: "SSE_S3" } } } } }],
    "emr-encryption-at-rest": [
        {
            type: "aws:emr/securityConfiguration:SecurityConfiguration",
            props: { configuration: JSON.stringify({ EncryptionConfiguration: { EnableAtRestEncryption: true, AtRestEncryptionConfiguration: { S3EncryptionConfiguration: { EncryptionMode: "SSE-S3" }, LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "Custom" } } } }) },
        },
    ],
    "opensearch-encryption-at-rest": [{ type: "aws:opensearch/domain:Domain", props: { encryptAtRest: { enabled: true } } }],
    "lambda-environment-encryption": [{ type: "aws:lambda/function:Function", props: { environment: { variables: { A: "b" } } } }],
    "secretsmanager-secret-encryption": [{ type: "aws:secretsmanager/secret:Secret", props: {} }],
    "backup-vault-encryption-at-rest": [{ type: "aws:backup/vault:Vault", props: {} }],
    "cloudtrail-encryption-at-rest": [{ type: "aws:cloudtrail/trail:Trail", props: { s3BucketName: "b" } }],
    "storagegateway-file-share-encryption": [{ type: "aws:storagegateway/nfsFileShare:NfsFileShare", props: {} }],
    "unjudged-data-store-encryption": [{ type: "aws:cognito/userPool:UserPool", props: {} }],
    "msk-encryption-at-rest": [{ type: "aws:msk/cluster:Cluster", props: {} }],
    "memorydb-encryption-at-rest": [{ type: "aws:memorydb/cluster:Cluster", props: {} }],
    "dax-encryption-at-rest": [{ type: "aws:dax/cluster:Cluster", props: { serverSideEncryption: { enabled: true } } }],
    "fsx-encryption-at-rest": [{ type: "aws:fsx/lustreFileSystem:LustreFileSystem", props: {} }],
    "timestream-encryption-at-rest": [{ type: "aws:timestreamwrite/database:Database", props: {} }],
    "sagemaker-encryption-at-rest": [{ type: "aws:sagemaker/notebookInstance:NotebookInstance", props: {} }],
    "keyspaces-encryption-at-rest": [{ type: "aws:keyspaces/table:Table", props: {} }],
    "ecr-repository-encryption-at-rest": [{ type: "aws:ecr/repository:Repository", props: {} }],
    "mq-broker-encryption-at-rest": [{ type: "aws:mq/broker:Broker", props: {} }],
    "kinesis-video-stream-encryption-at-rest": [{ type: "aws:kinesis/videoStream:VideoStream", props: {} }],
    "codecommit-repository-encryption": [{ type: "aws:codecommit/repository:Repository", props: {} }],
    "workspaces-volume-encryption": [{ type: "aws:workspaces/workspace:Workspace", props: { rootVolumeEncryptionEnabled: true, userVolumeEncryptionEnabled: true } }],
    "docdb-elastic-cluster-encryption-at-rest": [{ type: "aws:docdb/elasticCluster:ElasticCluster", props: {} }],
    "ledger-database-encryption-at-rest": [{ type: "aws:qldb/ledger:Ledger", props: {} }],
    "ebs-snapshot-copy-encryption-at-rest": [{ type: "aws:ebs/snapshotCopy:SnapshotCopy", props: { encrypted: true } }],
    "managed-service-encryption-at-rest": [{ type: "aws:cloudtrail/eventDataStore:EventDataStore", props: {} }],
};

describe("encryption policies: metadata and config defaults", () => {
    it("export one well-formed policy per family, mandatory except the advisory unjudged-data-store report", () => {
        for (const p of encryptionPolicies) {
            checkMetadata(p, p.name === "unjudged-data-store-encryption" ? "advisory" : "mandatory");
            assert.match(p.framework!.reference, /164\.312\(a\)\(2\)\(iv\)/, p.name);
        }
    });

    it("are all in the pack's policy list, with names unique across the pack", () => {
        const names = allPolicies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length, `duplicate policy names: ${names}`);
        for (const p of encryptionPolicies) {
            assert.ok(allPolicies.includes(p), p.name);
        }
    });

    it("apply in code exactly the defaults their config schema declares", async () => {
        assert.deepStrictEqual(Object.keys(ENCRYPTION_DEFAULT_PROBES).sort(), encryptionPolicies.map((p) => p.name).sort());
        for (const p of encryptionPolicies) {
            for (const probe of ENCRYPTION_DEFAULT_PROBES[p.name]) {
                const withoutConfig = await validateResource(p, probe);
                const withSchemaDefaults = await validateResource(p, probe, { config: schemaDefaults(p) });
                assert.ok(withoutConfig.violations.length > 0, `${p.name}: the probe must be sensitive to the defaults`);
                assert.deepStrictEqual(withoutConfig, withSchemaDefaults, p.name);
            }
        }
    });
});
