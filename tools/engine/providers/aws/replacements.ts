/**
 * Properties whose change makes pulumi-aws replace the resource (Terraform's `ForceNew`), for the types this
 * program creates. The real provider reads this from its schema; the test double keeps a table, and a property
 * that is not listed updates in place. Besides the table, the physical-name property of every type and its
 * `...Prefix` force a replacement (AWS cannot rename a bucket, key alias, table, queue, log group...).
 */
import { NAME_PROPERTY } from "../../../offline/mocks";

export const FORCE_NEW: Record<string, readonly string[]> = {
    "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
    "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
    "aws:s3/bucketVersioning:BucketVersioning": ["bucket", "expectedBucketOwner"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["bucket", "expectedBucketOwner"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
    "aws:s3/bucketLogging:BucketLogging": ["bucket", "expectedBucketOwner"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["bucket", "expectedBucketOwner"],
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": ["bucket", "expectedBucketOwner"],
    "aws:s3/bucketNotification:BucketNotification": ["bucket"],
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": ["bucket"],
    "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"],
    "aws:kms/alias:Alias": ["name", "namePrefix"],
    "aws:rds/instance:Instance": ["identifier", "identifierPrefix", "engine", "dbName", "username", "storageEncrypted", "kmsKeyId", "availabilityZone", "characterSetName", "timezone"],
    "aws:rds/cluster:Cluster": ["clusterIdentifier", "clusterIdentifierPrefix", "engine", "databaseName", "masterUsername", "storageEncrypted", "kmsKeyId", "availabilityZones"],
    "aws:rds/clusterInstance:ClusterInstance": ["identifier", "identifierPrefix", "clusterIdentifier", "engine", "availabilityZone"],
    "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix"],
    "aws:rds/parameterGroup:ParameterGroup": ["name", "namePrefix", "family", "description"],
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": ["name", "namePrefix", "family", "description"],
    "aws:redshift/cluster:Cluster": ["clusterIdentifier", "databaseName", "masterUsername", "availabilityZone"],
    "aws:dynamodb/table:Table": ["name"],
    "aws:sqs/queue:Queue": ["name", "namePrefix", "fifoQueue"],
    "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
    "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
    "aws:iam/role:Role": ["name", "namePrefix", "path"],
    "aws:iam/policy:Policy": ["name", "namePrefix", "path", "description"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:iam/instanceProfile:InstanceProfile": ["name", "namePrefix", "path"],
    "aws:lambda/function:Function": ["name"],
    "aws:lambda/permission:Permission": ["action", "function", "principal", "sourceArn", "sourceAccount", "statementId", "statementIdPrefix", "qualifier", "eventSourceToken", "principalOrgId"],
    "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
    "aws:cloudwatch/eventRule:EventRule": ["name", "namePrefix", "eventBusName"],
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": ["logGroupName"],
    "aws:ec2/vpc:Vpc": ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
    "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "outpostArn"],
    "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId"],
    "aws:ec2/routeTable:RouteTable": ["vpcId"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId"],
    "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"],
    "aws:ec2/natGateway:NatGateway": ["subnetId", "allocationId", "connectivityType", "privateIp"],
    "aws:ec2/eip:Eip": ["domain", "publicIpv4Pool", "networkBorderGroup", "address"],
    "aws:ec2/internetGateway:InternetGateway": [],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpcId", "serviceName", "vpcEndpointType"],
    "aws:ec2/flowLog:FlowLog": ["vpcId", "subnetId", "eniId", "logDestination", "logDestinationType", "logFormat", "trafficType", "iamRoleArn", "maxAggregationInterval", "destinationOptions"],
    "aws:ec2/customerGateway:CustomerGateway": ["bgpAsn", "ipAddress", "type", "certificateArn", "deviceName"],
    "aws:ec2/vpnConnection:VpnConnection": ["customerGatewayId", "type", "staticRoutesOnly", "localIpv4NetworkCidr", "remoteIpv4NetworkCidr"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
    "aws:kinesis/stream:Stream": ["name"],
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ["name", "destination"],
    "aws:glue/catalogDatabase:CatalogDatabase": ["name", "catalogId"],
    "aws:glue/catalogTable:CatalogTable": ["name", "databaseName", "catalogId"],
    "aws:glue/job:Job": ["name"],
    "aws:glue/crawler:Crawler": ["name"],
    "aws:glue/connection:Connection": ["name", "catalogId"],
    "aws:glue/securityConfiguration:SecurityConfiguration": ["name", "encryptionConfiguration"],
    "aws:athena/workgroup:Workgroup": ["name"],
    "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
    "aws:cloudtrail/trail:Trail": ["name"],
    "aws:backup/vault:Vault": ["name", "kmsKeyArn"],
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": ["backupVaultName", "changeableForDays"],
    "aws:backup/selection:Selection": ["name", "planId", "iamRoleArn", "resources", "notResources", "selectionTags", "conditions"],
    "aws:efs/fileSystem:FileSystem": ["creationToken", "encrypted", "kmsKeyId", "performanceMode", "availabilityZoneName"],
    "aws:elasticache/replicationGroup:ReplicationGroup": ["replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName", "engine"],
    "aws:opensearch/domain:Domain": ["domainName"],
    "aws:storagegateway/cache:Cache": ["diskId", "gatewayArn"],
    "aws:storagegateway/gateway:Gateway": ["activationKey", "gatewayIpAddress", "gatewayType", "mediumChangerType", "tapeDriveType"],
    "aws:macie2/classificationJob:ClassificationJob": ["jobType", "s3JobDefinition", "name", "namePrefix", "initialRun", "customDataIdentifierIds"],
    "aws:macie2/customDataIdentifier:CustomDataIdentifier": ["name", "namePrefix", "regex", "keywords", "ignoreWords", "maximumMatchDistance", "description"],
};

/** The properties of `type` whose change replaces the resource (`schemaInputs` gates the generic name rule). */
export function forceNewProperties(type: string, schemaInputs?: Set<string>): Set<string> {
    const props = new Set(FORCE_NEW[type] ?? []);
    if (!(type in FORCE_NEW)) {
        const nameProp = NAME_PROPERTY[type] ?? "name";
        for (const p of [nameProp, `${nameProp}Prefix`]) {
            if (!schemaInputs || schemaInputs.has(p)) {
                props.add(p);
            }
        }
    }
    return props;
}

/** Properties that make AWS refuse a delete while they are true (the bridged provider surfaces the API error). */
export const DELETION_PROTECTION: Record<string, { property: string; message: string }> = {
    "aws:rds/instance:Instance": {
        property: "deletionProtection",
        message: "deleting RDS DB Instance (%s): InvalidParameterCombination: Cannot delete protected DB Instance, please disable deletion protection and try again.",
    },
    "aws:rds/cluster:Cluster": {
        property: "deletionProtection",
        message: "deleting RDS Cluster (%s): InvalidParameterCombination: Cannot delete protected Cluster, please disable deletion protection and try again.",
    },
    "aws:dynamodb/table:Table": {
        property: "deletionProtectionEnabled",
        message: "deleting Amazon DynamoDB Table (%s): ValidationException: Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
    },
    "aws:ec2/instance:Instance": {
        property: "disableApiTermination",
        message: "terminating EC2 Instance (%s): OperationNotPermitted: The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.",
    },
};
