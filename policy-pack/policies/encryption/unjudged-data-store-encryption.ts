import { ResourceValidationPolicy } from "@pulumi/policy";
import { notApplicableQuick } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, subject } from "../../lib/encryption";
import { asArray, withDefaults } from "../../lib/values";

/**
 * Data-holding resource types of `@pulumi/aws` v7 whose encryption at rest the pack does not judge, with the
 * arguments a reviewer should look at. They are reported (advisory) rather than passed in silence.
 */
export const UNJUDGED_DATA_STORES: Readonly<Record<string, string>> = {
    "aws:appsync/apiCache:ApiCache": "atRestEncryptionEnabled",
    "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": "encryptionKeyArn (AWS-owned key otherwise)",
    "aws:codecommit/repository:Repository": "kmsKeyId",
    "aws:cognito/userPool:UserPool": "always AWS-managed encryption; keep PHI out of user attributes",
    "aws:dax/cluster:Cluster": "serverSideEncryption.enabled",
    "aws:docdb/elasticCluster:ElasticCluster": "kmsKeyId",
    "aws:docdb/globalCluster:GlobalCluster": "storageEncrypted",
    "aws:dsql/cluster:Cluster": "kmsEncryptionKey",
    "aws:dynamodb/globalTable:GlobalTable": "legacy global table: migrate to aws.dynamodb.Table replicas with kmsKeyArn",
    "aws:ebs/snapshot:Snapshot": "the source volume's encryption",
    "aws:ebs/snapshotCopy:SnapshotCopy": "encrypted and kmsKeyId",
    "aws:ec2/launchConfiguration:LaunchConfiguration": "cannot name a KMS key: migrate to aws.ec2.LaunchTemplate",
    "aws:ecr/repository:Repository": "encryptionConfigurations (KMS with kmsKey)",
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": "the primary replication group's atRestEncryptionEnabled and kmsKeyId",
    "aws:fsx/lustreFileSystem:LustreFileSystem": "kmsKeyId",
    "aws:fsx/ontapFileSystem:OntapFileSystem": "kmsKeyId",
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": "kmsKeyId",
    "aws:fsx/windowsFileSystem:WindowsFileSystem": "kmsKeyId",
    "aws:glacier/vault:Vault": "always AWS-managed AES-256: prefer S3 Glacier storage classes on a KMS-encrypted bucket",
    "aws:keyspaces/table:Table": "encryptionSpecification (CUSTOMER_MANAGED_KMS_KEY)",
    "aws:kinesis/videoStream:VideoStream": "kmsKeyId",
    "aws:kinesisanalyticsv2/application:Application": "application snapshots and state",
    "aws:lightsail/database:Database": "always AWS-managed encryption",
    "aws:lightsail/disk:Disk": "always AWS-managed encryption",
    "aws:memorydb/cluster:Cluster": "kmsKeyArn",
    "aws:mq/broker:Broker": "encryptionOptions.kmsKeyId",
    "aws:msk/cluster:Cluster": "encryptionInfo.encryptionAtRestKmsKeyArn",
    "aws:msk/serverlessCluster:ServerlessCluster": "always AWS-managed encryption",
    "aws:neptune/globalCluster:GlobalCluster": "storageEncrypted",
    "aws:opensearch/serverlessCollection:ServerlessCollection": "the encryption aws.opensearch.ServerlessSecurityPolicy (KmsARN)",
    "aws:qldb/ledger:Ledger": "kmsKey",
    "aws:rds/clusterSnapshot:ClusterSnapshot": "the source cluster's encryption",
    "aws:rds/snapshot:Snapshot": "the source instance's encryption",
    "aws:sagemaker/domain:Domain": "kmsKeyId",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "kmsKeyArn",
    "aws:sagemaker/notebookInstance:NotebookInstance": "kmsKeyId",
    "aws:ssm/parameter:Parameter": "type SecureString with keyId",
    "aws:timestreaminfluxdb/dbInstance:DbInstance": "always AWS-managed encryption",
    "aws:timestreamwrite/database:Database": "kmsKeyId",
    "aws:workspaces/workspace:Workspace": "rootVolumeEncryptionEnabled, userVolumeEncryptionEnabled and volumeEncryptionKey",
};

export interface UnjudgedConfig {
    /**
     * Resource types whose encryption the organisation has reviewed and accepts; they are no longer reported.
     * @default []
     */
    acknowledgedTypes: string[];
}

const DEFAULTS: UnjudgedConfig = { acknowledgedTypes: [] };
const HINTS = new Map(Object.entries(UNJUDGED_DATA_STORES));
const NOT_A_DATA_STORE = "Policy only applies to data-holding resource types that the other encryption-at-rest policies do not judge.";

export const unjudgedDataStoreEncryption: ResourceValidationPolicy = {
    name: "unjudged-data-store-encryption",
    description:
        "Data-holding resource types whose encryption at rest the pack does not judge are reported for manual review instead " +
        "of being passed in silence.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Check the named arguments of the resource: it should be encrypted with a customer-managed KMS key. Once reviewed, list " +
        "the type in this policy's `acknowledgedTypes` config, or open an issue so the pack learns to judge it.",
    configSchema: {
        properties: {
            acknowledgedTypes: {
                type: "array",
                items: { type: "string" },
                default: DEFAULTS.acknowledgedTypes,
                description: "Type tokens (for example aws:msk/cluster:Cluster) whose encryption has been reviewed and is accepted.",
            },
        },
    },
    validateResource: (args, report) => {
        const hint = HINTS.get(args.type);
        if (hint === undefined) {
            return notApplicableQuick(args, NOT_A_DATA_STORE);
        }
        const cfg = withDefaults<UnjudgedConfig>(args.getConfig<Partial<UnjudgedConfig>>(), DEFAULTS);
        if (asArray<string>(cfg.acknowledgedTypes).includes(args.type)) {
            return args.notApplicable(`Type '${args.type}' is listed in acknowledgedTypes: its encryption was reviewed.`);
        }
        report(`${subject(args)} holds data whose encryption at rest this pack does not judge (look at: ${hint}): make sure it uses a customer-managed KMS key, then add '${args.type}' to acknowledgedTypes.`);
    },
};
