/**
 * Derivation: every service integration a recorded stack sets up, as the IAM requests AWS would evaluate for it.
 *
 * Each integration is a chain of steps (an assume-role, a publish through a resource policy, the KMS call behind
 * it, ...). Each step names who calls (a service principal, one of the stack's roles, or a service-linked role),
 * what, on which ARN, with the request context AWS sets (aws:SourceArn, aws:SourceAccount, kms:EncryptionContext:*,
 * kms:ViaService, kms:ResourceAliases, aws:SecureTransport, the S3 encryption headers), and the resource's own policy.
 *
 * Every recorded resource type is either derived here or listed in {@link NO_INTEGRATION} with the reason it sets up
 * none. A type in neither list, and a derived resource pointing at something the derivation does not understand
 * (an EventBridge target of a new kind, a log destination of a new type, a role trusted by a service nothing here
 * uses), is reported in `unexplained`, naming the resource, so the proof fails until the derivation is taught.
 */
import type { Recording } from "../offline/recorder";
import { BucketFacts, Doc, plainInputs, RoleFacts, StackFacts } from "./stack";

/** Who makes a call. */
export type Party =
    | { kind: "service"; service: string }
    | { kind: "role"; role: RoleFacts }
    /** An AWS service-linked role: its AWS-managed policy is not recorded, so only resource policies can grant it. */
    | { kind: "service-linked-role"; arn: string }
    /**
     * A principal outside the stack (a producer's own role or a person): its identity policies are not ours, so it is
     * taken to allow everything and only the resource's policy (a trust policy) decides.
     */
    | { kind: "principal"; arn: string; tags: Record<string, string>; mfa: boolean };

export interface Step {
    /** What the step proves, in words. */
    what: string;
    party: Party;
    action: string;
    resource: string;
    /** Request context of this call (the principal's own keys and aws:SecureTransport are added when evaluated). */
    context: Record<string, string | string[]>;
    /** The resource's policy (bucket, topic, queue, key, secret, function, log-group, trust policy...). */
    resourcePolicy?: Doc;
    expect: "Allowed" | "Denied";
}

export type IntegrationKind =
    | "alarm-to-topic"
    | "event-rule-target"
    | "cloudtrail-delivery"
    | "s3-access-logs"
    | "vpc-flow-logs"
    | "vended-log-delivery"
    | "s3-inventory"
    | "macie-results"
    | "config-delivery"
    | "macie-discovery"
    | "firehose-delivery"
    | "stream-producer"
    | "glue-job"
    | "glue-crawler"
    | "emr-serverless"
    | "athena-workgroup"
    | "lambda-function"
    | "api-to-lambda"
    | "backup-vault"
    | "log-group-key"
    | "ebs-default-key"
    | "file-gateway-share"
    | "snowball-import"
    | "opensearch-logs"
    | "efs-client"
    | "object-tagger"
    | "tenant-write-read"
    | "tenant-boundary"
    | "service-log-groups";

export interface Integration {
    kind: IntegrationKind;
    title: string;
    /** URN of the resource that sets the integration up. */
    source: string;
    steps: Step[];
    /** Facts the derivation found broken before any IAM evaluation (a missing key, an SSE-KMS log bucket...). */
    problems: string[];
}

export interface Unexplained {
    urn: string;
    type: string;
    name: string;
    reason: string;
}

export interface Derivation {
    stack: string;
    account: string;
    region: string;
    integrations: Integration[];
    unexplained: Unexplained[];
}

/** Resource types that set up no service-to-service call of their own, with the reason. */
export const NO_INTEGRATION: Record<string, string> = {
    "pulumi:pulumi:Stack": "the stack itself",
    "pulumi:providers:aws": "the provider (its allowedAccountIds pin the account the proof runs for)",
    "awsx:ec2:Vpc": "network topology (routes and security groups are not IAM decisions)",
    "aws:ec2/securityGroup:SecurityGroup": "network path, not an IAM decision",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "network path, not an IAM decision",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "network path, not an IAM decision",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "endpoint policies are proven by the network spec",
    "aws:ec2/customerGateway:CustomerGateway": "network path",
    "aws:ec2/vpnGateway:VpnGateway": "network path",
    "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation": "network path",
    "aws:ec2/vpnConnectionRoute:VpnConnectionRoute": "network path",
    "aws:route53/resolverEndpoint:ResolverEndpoint": "network path (DNS forwarding)",
    "aws:route53/resolverRule:ResolverRule": "network path (DNS forwarding)",
    "aws:route53/resolverRuleAssociation:ResolverRuleAssociation": "network path (DNS forwarding)",
    "aws:kms/key:Key": "key policies are evaluated in every integration that uses the key",
    "aws:kms/alias:Alias": "aliases are the kms:ResourceAliases of their key",
    "aws:kms/grant:Grant": "the grant's grantee is proven by the integration that uses it (snowball import)",
    "aws:iam/role:Role": "roles are proven through the integrations that assume them (a role no integration uses is reported)",
    "aws:iam/rolePolicy:RolePolicy": "identity policy of its role",
    "aws:iam/policy:Policy": "identity policy of the roles it is attached to",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "identity policy of its role",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": "created for the service; its policy is AWS-managed",
    "aws:s3/bucket:Bucket": "buckets are proven through the integrations that write or read them",
    "aws:s3/bucketPolicy:BucketPolicy": "resource policy of its bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "default key of its bucket",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket setting",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "bucket setting",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket setting",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket setting (S3 acts as the owner)",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "bucket setting",
    "aws:s3/bucketNotification:BucketNotification": "S3 → EventBridge needs no permission; the rules it feeds are derived",
    "aws:s3/bucketObjectv2:BucketObjectv2": "an object written by the deployer",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": "account setting",
    "aws:sns/topic:Topic": "topics are proven through the integrations that publish to them",
    "aws:sns/topicPolicy:TopicPolicy": "resource policy of its topic",
    "aws:sns/topicSubscription:TopicSubscription": "e-mail subscription (SNS delivers to e-mail without IAM)",
    "aws:sqs/queue:Queue": "queues are proven through the integrations that send to them",
    "aws:sqs/queuePolicy:QueuePolicy": "resource policy of its queue",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "resource policy of the log groups it names",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "CloudWatch Logs publishes the metric itself",
    "aws:cloudwatch/logStream:LogStream": "part of its log group",
    "aws:cloudwatch/eventRule:EventRule": "rules are proven through their targets",
    "aws:lambda/permission:Permission": "resource policy of its function",
    "aws:secretsmanager/secret:Secret": "secrets are proven through the roles that read them",
    "aws:secretsmanager/secretVersion:SecretVersion": "value of its secret",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "resource policy of its secret",
    "aws:rds/instance:Instance": "encryption at rest under the deployer's grant on the databases key (root-delegated key policy)",
    "aws:rds/cluster:Cluster": "encryption at rest under the deployer's grant on the databases key (root-delegated key policy)",
    "aws:rds/clusterInstance:ClusterInstance": "member of its cluster",
    "aws:rds/parameterGroup:ParameterGroup": "database setting",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "database setting",
    "aws:rds/subnetGroup:SubnetGroup": "network placement",
    "aws:redshiftserverless/workgroup:Workgroup": "network placement of its namespace",
    "aws:dynamodb/table:Table": "encryption at rest under the deployer's grant (root-delegated key policy)",
    "aws:elasticache/replicationGroup:ReplicationGroup": "encryption at rest under the deployer's grant (root-delegated key policy)",
    "aws:elasticache/serverlessCache:ServerlessCache": "encryption at rest under the deployer's grant (root-delegated key policy)",
    "aws:elasticache/subnetGroup:SubnetGroup": "network placement",
    "aws:elasticache/user:User": "cache user (IAM auth is proven by the function policy that connects)",
    "aws:elasticache/userGroup:UserGroup": "cache users",
    "aws:efs/fileSystem:FileSystem": "file systems are proven through their file-system policy (efs-client)",
    "aws:efs/accessPoint:AccessPoint": "part of its file system",
    "aws:efs/mountTarget:MountTarget": "network placement",
    "aws:efs/backupPolicy:BackupPolicy": "file-system setting",
    "aws:ebs/volume:Volume": "encryption at rest under the deployer's grant (root-delegated key policy)",
    "aws:ebs/encryptionByDefault:EncryptionByDefault": "account setting; the default key is derived",
    "aws:backup/plan:Plan": "schedule of its selections",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "vault setting",
    "aws:guardduty/detector:Detector": "GuardDuty publishes findings to EventBridge without IAM",
    "aws:guardduty/detectorFeature:DetectorFeature": "detector setting",
    "aws:macie2/account:Account": "Macie uses its service-linked role (macie-discovery)",
    "aws:macie/customDataIdentifier:CustomDataIdentifier": "Macie setting",
    "aws:glue/catalogDatabase:CatalogDatabase": "catalog entries are proven through the roles that use them",
    "aws:glue/catalogTable:CatalogTable": "catalog entries are proven through the roles that use them",
    "aws:glue/connection:Connection": "connections are proven through the jobs and crawlers that use them",
    "aws:glue/securityConfiguration:SecurityConfiguration": "encryption settings of the jobs and crawlers that use it",
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": "catalog setting",
    "aws:glue/trigger:Trigger": "Glue starts its own job",
    "aws:athena/namedQuery:NamedQuery": "saved query text",
    "aws:apigatewayv2/api:Api": "the API's integrations are derived",
    "aws:apigatewayv2/route:Route": "route of its integration (AWS_IAM authorisation is proven by tenant-boundary)",
    "aws:kinesis/stream:Stream": "streams are proven through their producers and consumers",
    "aws:storagegateway/gateway:Gateway": "the appliance; its file shares are derived",
    "aws:storagegateway/cache:Cache": "appliance disk",
    "aws:opensearch/domain:Domain": "derived as opensearch-logs",
    "aws:cfg/recorder:Recorder": "Config reads resource configurations through its service-linked role (AWS-managed policy); its deliveries are derived from the delivery channel (config-delivery)",
    "aws:cfg/recorderStatus:RecorderStatus": "starts its recorder",
    "aws:cfg/conformancePack:ConformancePack": "its managed rules evaluate through Config's service-linked role (AWS-managed policy)",
    "aws:securityhub/account:Account": "Security Hub reads through its service-linked role and publishes findings to EventBridge without IAM; the alert rule is derived",
    "aws:securityhub/standardsSubscription:StandardsSubscription": "standard of its hub (controls evaluate through Config's and Security Hub's service-linked roles)",
};

const DERIVED = new Set([
    "aws:cfg/deliveryChannel:DeliveryChannel",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudtrail/trail:Trail",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/vpnConnection:VpnConnection",
    "aws:apigatewayv2/stage:Stage",
    "aws:apigatewayv2/integration:Integration",
    "aws:s3/inventory:Inventory",
    "aws:macie2/classificationExportConfiguration:ClassificationExportConfiguration",
    "aws:macie2/classificationJob:ClassificationJob",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "aws:glue/job:Job",
    "aws:glue/crawler:Crawler",
    "aws:emrserverless/application:Application",
    "aws:athena/workgroup:Workgroup",
    "aws:lambda/function:Function",
    "aws:backup/vault:Vault",
    "aws:backup/selection:Selection",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:ebs/defaultKmsKey:DefaultKmsKey",
    "aws:storagegateway/nfsFileShare:NfsFileShare",
    "aws:storagegateway/smbFileShare:SmbFileShare",
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    "aws:redshiftserverless/namespace:Namespace",
    "aws:redshift/logging:Logging",
]);

/** Service principals whose roles the derivation knows how to trace to the resource that uses the role. */
const ROLE_USERS: Record<string, string> = {
    "lambda.amazonaws.com": "aws:lambda/function:Function",
    "firehose.amazonaws.com": "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "glue.amazonaws.com": "aws:glue/job:Job|aws:glue/crawler:Crawler",
    "emr-serverless.amazonaws.com": "aws:emrserverless/application:Application",
    "vpc-flow-logs.amazonaws.com": "aws:ec2/flowLog:FlowLog",
    "cloudtrail.amazonaws.com": "aws:cloudtrail/trail:Trail",
    "backup.amazonaws.com": "aws:backup/selection:Selection",
    "storagegateway.amazonaws.com": "aws:storagegateway/nfsFileShare:NfsFileShare|aws:storagegateway/smbFileShare:SmbFileShare",
    "importexport.amazonaws.com": "aws:kms/grant:Grant",
};

function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "" ? v : undefined;
}
function obj(v: unknown): Record<string, unknown> {
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
function arr(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

/** A stream producer: a role whose own policies put records into Kinesis. */
function isProducer(role: RoleFacts): boolean {
    return role.policies.some((d) => JSON.stringify(d).includes("kinesis:PutRecord"));
}

/** Trusted by an AWS service (Firehose, Glue...), not assumed by people or machines of the account. */
function serviceRole(role: RoleFacts): boolean {
    return JSON.stringify(role.trust ?? {}).includes(".amazonaws.com");
}

/** The customer a fixed `customer=<id>/` prefix names, if the template has one (not a record-derived expression). */
function fixedCustomerOf(template: string): string | undefined {
    return /(?:^|\/)customer=([a-z0-9-]+)\//.exec(template)?.[1];
}

/** Replaces Firehose/S3 key-template expressions with sample values, so a key is one real object key. */
function sampleKey(template: string, customer: string): string {
    return template
        .replace(/!\{partitionKeyFromQuery:customer\}/g, customer)
        .replace(/!\{partitionKeyFromQuery:[^}]+\}/g, "x")
        .replace(/!\{firehose:error-output-type\}/g, "processing-failed")
        .replace(/!\{timestamp:yyyy\}/g, "2026")
        .replace(/!\{timestamp:[^}]+\}/g, "01")
        .replace(/\/?$/, "/");
}

/** Builds the integrations of one stack. */
export class Deriver {
    readonly f: StackFacts;
    readonly integrations: Integration[] = [];
    readonly unexplained: Unexplained[] = [];
    /** Role ARNs some integration assumed (any role left is reported). */
    private readonly usedRoles = new Set<string>();

    constructor(readonly recording: Recording) {
        this.f = new StackFacts(recording);
    }

    derive(): Derivation {
        for (const r of this.recording.resources) {
            if (r.type.startsWith("healthcare:")) continue;
            if (DERIVED.has(r.type)) continue;
            if (!(r.type in NO_INTEGRATION)) {
                this.unexplained.push({ urn: r.urn, type: r.type, name: r.name, reason: `resource type ${r.type} is not known to the wiring derivation (tools/wiring/derive.ts): derive its integrations or list it in NO_INTEGRATION with the reason it has none` });
            }
        }
        const of = (t: string) => this.recording.resources.filter((r) => r.type === t);
        for (const r of of("aws:cloudwatch/metricAlarm:MetricAlarm")) this.alarm(r.urn, plainInputs(r));
        for (const r of of("aws:cloudwatch/eventTarget:EventTarget")) this.eventTarget(r.urn, r.name, plainInputs(r));
        for (const r of of("aws:cloudtrail/trail:Trail")) this.trail(r.urn, plainInputs(r));
        for (const r of of("aws:s3/bucketLogging:BucketLogging")) this.bucketLogging(r.urn, plainInputs(r));
        for (const r of of("aws:ec2/flowLog:FlowLog")) this.flowLog(r.urn, plainInputs(r), String(r.id));
        for (const r of of("aws:ec2/vpnConnection:VpnConnection")) this.vpnLogs(r.urn, plainInputs(r), String(r.id));
        for (const r of of("aws:apigatewayv2/stage:Stage")) this.apiAccessLogs(r.urn, plainInputs(r));
        for (const r of of("aws:apigatewayv2/integration:Integration")) this.apiIntegration(r.urn, plainInputs(r));
        for (const r of of("aws:s3/inventory:Inventory")) this.inventory(r.urn, plainInputs(r));
        for (const r of of("aws:macie2/classificationExportConfiguration:ClassificationExportConfiguration")) this.macieExport(r.urn, plainInputs(r));
        for (const r of of("aws:cfg/deliveryChannel:DeliveryChannel")) this.configDelivery(r.urn, plainInputs(r));
        for (const r of of("aws:macie2/classificationJob:ClassificationJob")) this.macieJob(r.urn, plainInputs(r));
        for (const r of of("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")) this.firehose(r.urn, plainInputs(r));
        for (const r of of("aws:glue/job:Job")) this.glueJob(r.urn, plainInputs(r));
        for (const r of of("aws:glue/crawler:Crawler")) this.glueCrawler(r.urn, plainInputs(r));
        for (const r of of("aws:emrserverless/application:Application")) this.emr(r.urn, plainInputs(r));
        for (const r of of("aws:athena/workgroup:Workgroup")) this.athena(r.urn, plainInputs(r));
        for (const r of of("aws:lambda/function:Function")) this.lambda(r.urn, plainInputs(r));
        for (const r of of("aws:backup/selection:Selection")) this.backupSelection(r.urn, plainInputs(r));
        for (const r of of("aws:backup/vault:Vault")) this.usedBy(r.urn, "backup vault");
        for (const r of of("aws:cloudwatch/logGroup:LogGroup")) this.logGroupKey(r.urn, plainInputs(r));
        for (const r of of("aws:ebs/defaultKmsKey:DefaultKmsKey")) this.ebsDefaultKey(r.urn, plainInputs(r));
        for (const r of of("aws:storagegateway/nfsFileShare:NfsFileShare")) this.fileShare(r.urn, plainInputs(r), "NFS");
        for (const r of of("aws:storagegateway/smbFileShare:SmbFileShare")) this.fileShare(r.urn, plainInputs(r), "SMB");
        for (const r of of("aws:kms/grant:Grant")) this.snowballGrant(r.urn, plainInputs(r));
        for (const r of of("aws:opensearch/domain:Domain")) this.openSearchLogs(r.urn, plainInputs(r));
        for (const r of of("aws:efs/fileSystemPolicy:FileSystemPolicy")) this.efsClient(r.urn, plainInputs(r));
        for (const r of of("aws:redshiftserverless/namespace:Namespace")) {
            const i = plainInputs(r);
            this.serviceLogGroups(r.urn, `Redshift Serverless ${str(i.namespaceName)}`, arr(i.logExports).map((t) => `/aws/redshift/${str(i.namespaceName)}/${String(t)}`));
        }
        for (const r of of("aws:redshift/logging:Logging")) {
            const i = plainInputs(r);
            if (i.logDestinationType === "cloudwatch") this.serviceLogGroups(r.urn, `Redshift ${str(i.clusterIdentifier)}`, arr(i.logExports).map((t) => `/aws/redshift/cluster/${str(i.clusterIdentifier)}/${String(t)}`));
        }
        for (const r of of("aws:iam/role:Role")) this.stream(r.urn);
        this.tenants();
        this.unusedRoles();
        return { stack: this.recording.stack, account: this.f.account, region: this.f.region, integrations: this.integrations, unexplained: this.unexplained };
    }

    // ---- building blocks -------------------------------------------------------------------------------------------

    private add(kind: IntegrationKind, title: string, source: string): Integration {
        const i: Integration = { kind, title, source, steps: [], problems: [] };
        this.integrations.push(i);
        return i;
    }

    private explain(urn: string, reason: string): void {
        const r = this.f.resource(urn);
        this.unexplained.push({ urn, type: r?.type ?? "?", name: r?.name ?? urn, reason });
    }

    private usedBy(_urn: string, _what: string): void {
        // Vaults are proven through the selections whose role writes into them.
    }

    private role(arn: string | undefined, i: Integration, service: string, sourceArn?: string): RoleFacts | undefined {
        const role = arn ? this.f.roles.get(arn) : undefined;
        if (!role) {
            i.problems.push(`role ${arn ?? "(none)"} is not one of this stack's roles`);
            return undefined;
        }
        this.usedRoles.add(role.arn);
        const ctx: Record<string, string> = { "aws:SourceAccount": this.f.account };
        if (sourceArn) ctx["aws:SourceArn"] = sourceArn;
        i.steps.push({ what: `${service} assumes ${role.name}`, party: { kind: "service", service }, action: "sts:AssumeRole", resource: role.arn, context: ctx, resourcePolicy: role.trust, expect: "Allowed" });
        return role;
    }

    /** KMS calls on `keyRef` by `party`, with the key policy; a key that is not this stack's is a problem. */
    private kms(i: Integration, party: Party, keyRef: string | undefined, actions: string[], context: Record<string, string | string[]>, what: string): void {
        const key = this.f.key(keyRef);
        if (!key) {
            i.problems.push(`${what}: key ${keyRef ?? "(none)"} is not one of this stack's keys`);
            return;
        }
        for (const action of actions) {
            const ctx: Record<string, string | string[]> = { ...context };
            if (key.aliases.length) ctx["kms:ResourceAliases"] = key.aliases;
            if (party.kind !== "service") ctx["kms:CallerAccount"] = this.f.account;
            i.steps.push({ what: `${what}: ${action} on ${key.aliases[0] ?? key.arn}`, party, action, resource: key.arn, context: ctx, resourcePolicy: key.policy, expect: "Allowed" });
        }
    }

    /** The encryption context S3 passes to KMS for an object (the bucket ARN with S3 Bucket Keys). */
    private s3Context(bucket: BucketFacts, key: string): string {
        return bucket.sse?.bucketKey ? bucket.arn : `${bucket.arn}/${key}`;
    }

    /**
     * An object write by `party`: PutObject through the bucket policy (with the encryption headers the writer sends),
     * and the KMS data key S3 asks for on the writer's behalf.
     */
    private s3Write(i: Integration, party: Party, bucket: BucketFacts | undefined, key: string, opts: { sseKey?: string; acl?: string; tags?: Record<string, string>; what: string; sourceArn?: string }): void {
        if (!bucket) {
            i.problems.push(`${opts.what}: the bucket is not one of this stack's buckets`);
            return;
        }
        // A PutObject that creates an object (not an UploadPart), over TLS 1.3 as the SDKs and services use.
        const ctx: Record<string, string | string[]> = { "s3:ObjectCreationOperation": "true", "s3:TlsVersion": "1.3" };
        if (opts.sseKey) {
            ctx["s3:x-amz-server-side-encryption"] = "aws:kms";
            ctx["s3:x-amz-server-side-encryption-aws-kms-key-id"] = this.f.key(opts.sseKey)?.arn ?? opts.sseKey;
        }
        if (opts.acl) ctx["s3:x-amz-acl"] = opts.acl;
        for (const [k, v] of Object.entries(opts.tags ?? {})) ctx[`s3:RequestObjectTag/${k}`] = v;
        if (party.kind === "service") {
            ctx["aws:SourceAccount"] = this.f.account;
            if (opts.sourceArn) ctx["aws:SourceArn"] = opts.sourceArn;
        }
        i.steps.push({ what: `${opts.what}: PutObject s3://${bucket.name}/${key}`, party, action: "s3:PutObject", resource: `${bucket.arn}/${key}`, context: ctx, resourcePolicy: bucket.policy, expect: "Allowed" });
        const keyRef = opts.sseKey ?? (bucket.sse?.algorithm === "aws:kms" ? bucket.sse.keyArn : undefined);
        if (keyRef && party.kind !== "service") {
            this.kms(i, party, keyRef, ["kms:GenerateDataKey"], { "kms:ViaService": this.f.via("s3"), "kms:EncryptionContext:aws:s3:arn": this.s3Context(bucket, key) }, `${opts.what} (through S3)`);
        }
    }

    private s3Read(i: Integration, party: Party, bucket: BucketFacts | undefined, key: string, what: string, tags: Record<string, string> = {}, expect: "Allowed" | "Denied" = "Allowed"): void {
        if (!bucket) {
            i.problems.push(`${what}: the bucket is not one of this stack's buckets`);
            return;
        }
        const ctx: Record<string, string> = {};
        for (const [k, v] of Object.entries(tags)) ctx[`s3:ExistingObjectTag/${k}`] = v;
        i.steps.push({ what: `${what}: GetObject s3://${bucket.name}/${key}`, party, action: "s3:GetObject", resource: `${bucket.arn}/${key}`, context: ctx, resourcePolicy: bucket.policy, expect });
        if (expect === "Allowed" && bucket.sse?.algorithm === "aws:kms") {
            this.kms(i, party, bucket.sse.keyArn, ["kms:Decrypt"], { "kms:ViaService": this.f.via("s3"), "kms:EncryptionContext:aws:s3:arn": this.s3Context(bucket, key) }, `${what} (through S3)`);
        }
    }

    private topicPublish(i: Integration, service: string, topicArn: string, sourceArn: string): void {
        const topic = this.f.topics.get(topicArn);
        if (!topic) {
            i.problems.push(`topic ${topicArn} is not one of this stack's topics`);
            return;
        }
        const party: Party = { kind: "service", service };
        i.steps.push({ what: `${service} publishes to ${topic.name}`, party, action: "sns:Publish", resource: topic.arn, context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": this.f.account }, resourcePolicy: topic.policy, expect: "Allowed" });
        if (topic.keyArn) {
            this.kms(i, party, topic.keyArn, ["kms:GenerateDataKey", "kms:Decrypt"], { "aws:SourceArn": sourceArn, "aws:SourceAccount": this.f.account, "kms:EncryptionContext:aws:sns:topicArn": topic.arn }, `SNS encrypts for ${service}`);
        }
    }

    private logWrite(i: Integration, party: Party, groupArn: string, stream: string, what: string, resourcePolicy?: Doc, context: Record<string, string> = {}): void {
        const group = this.f.logGroups.get(groupArn.replace(/:\*$/, ""));
        if (!group) {
            i.problems.push(`${what}: log group ${groupArn} is not created by this stack (the service would create it unencrypted, kept forever)`);
            return;
        }
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
            i.steps.push({ what: `${what}: ${action} ${group.name}`, party, action, resource: `${group.arn}:log-stream:${stream}`, context, resourcePolicy, expect: "Allowed" });
        }
    }

    /**
     * Log groups a service creates for itself when they are missing (unencrypted, kept forever): the stack must create
     * them first, with a key, so the service writes into them.
     */
    private serviceLogGroups(urn: string, service: string, names: string[]): void {
        if (names.length === 0) return;
        const i = this.add("service-log-groups", `${service} writes into log groups the stack created with a key`, urn);
        for (const name of names) {
            const g = this.f.logGroups.get(this.f.logGroupArn(name));
            if (!g) i.problems.push(`${service}: log group ${name} is not created by this stack (the service would create it unencrypted, kept forever)`);
            else if (!g.keyArn) i.problems.push(`${service}: log group ${name} has no KMS key`);
            else this.kms(i, { kind: "service", service: `logs.${this.f.region}.amazonaws.com` }, g.keyArn, ["kms:GenerateDataKey"], { "kms:EncryptionContext:aws:logs:arn": g.arn }, `CloudWatch Logs encrypts ${name}`);
        }
    }

    // ---- integrations ----------------------------------------------------------------------------------------------

    private alarm(urn: string, inp: Record<string, unknown>): void {
        const name = str(inp.alarmName) ?? (str(inp.name) as string);
        const alarmArn = this.f.arn("cloudwatch", `alarm:${name}`);
        const actions = new Set([...arr(inp.alarmActions), ...arr(inp.okActions), ...arr(inp.insufficientDataActions)].map(String));
        for (const action of actions) {
            if (!/^arn:[^:]+:sns:/.test(action)) {
                this.explain(urn, `alarm action ${action} is not an SNS topic; teach the derivation its permission model`);
                continue;
            }
            this.topicPublish(this.add("alarm-to-topic", `CloudWatch alarm ${name} → ${action.split(":").pop()}`, urn), "cloudwatch.amazonaws.com", action, alarmArn);
        }
    }

    private eventTarget(urn: string, name: string, inp: Record<string, unknown>): void {
        const rule = str(inp.rule) as string;
        const ruleArn = this.f.arn("events", `rule/${rule}`);
        const target = str(inp.arn) as string;
        const i = this.add("event-rule-target", `EventBridge rule ${rule} → ${target.split(/[:/]/).pop()}`, urn);
        if (str(inp.roleArn)) this.role(str(inp.roleArn), i, "events.amazonaws.com", ruleArn);
        if (/^arn:[^:]+:sns:/.test(target)) {
            this.topicPublish(i, "events.amazonaws.com", target, ruleArn);
        } else if (/^arn:[^:]+:lambda:/.test(target)) {
            const fn = this.f.lambdas.get(target);
            if (!fn) i.problems.push(`target ${target} is not one of this stack's functions`);
            else i.steps.push({ what: `EventBridge invokes ${fn.name}`, party: { kind: "service", service: "events.amazonaws.com" }, action: "lambda:InvokeFunction", resource: fn.arn, context: { "aws:SourceArn": ruleArn, "aws:SourceAccount": this.f.account }, resourcePolicy: fn.policy, expect: "Allowed" });
        } else {
            this.integrations.pop();
            this.explain(urn, `EventBridge target ${target} (${name}) is of a kind the derivation does not understand`);
        }
    }

    private trail(urn: string, inp: Record<string, unknown>): void {
        const name = str(inp.name) as string;
        const trailArn = this.f.arn("cloudtrail", `trail/${name}`);
        const i = this.add("cloudtrail-delivery", `CloudTrail ${name} → S3, KMS and CloudWatch Logs`, urn);
        const bucket = this.f.buckets.get(str(inp.s3BucketName) ?? "");
        const party: Party = { kind: "service", service: "cloudtrail.amazonaws.com" };
        const ctx = { "aws:SourceArn": trailArn, "aws:SourceAccount": this.f.account };
        if (!bucket) i.problems.push(`trail bucket ${str(inp.s3BucketName)} is not one of this stack's buckets`);
        else {
            i.steps.push({ what: "CloudTrail checks the bucket ACL", party, action: "s3:GetBucketAcl", resource: bucket.arn, context: ctx, resourcePolicy: bucket.policy, expect: "Allowed" });
            const prefix = str(inp.s3KeyPrefix) ? `${str(inp.s3KeyPrefix)}/` : "";
            const key = `${prefix}AWSLogs/${this.f.account}/CloudTrail/${this.f.region}/2026/01/01/${this.f.account}_CloudTrail_${this.f.region}_20260101T0000Z_x.json.gz`;
            const sse: Record<string, string> = str(inp.kmsKeyId) ? { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": this.f.key(str(inp.kmsKeyId))?.arn ?? String(inp.kmsKeyId) } : {};
            i.steps.push({ what: "CloudTrail writes a log file", party, action: "s3:PutObject", resource: `${bucket.arn}/${key}`, context: { ...ctx, "s3:x-amz-acl": "bucket-owner-full-control", ...sse }, resourcePolicy: bucket.policy, expect: "Allowed" });
        }
        if (str(inp.kmsKeyId)) {
            this.kms(i, party, str(inp.kmsKeyId), ["kms:GenerateDataKey"], { ...ctx, "kms:EncryptionContext:aws:cloudtrail:arn": trailArn }, "CloudTrail encrypts log files");
            this.kms(i, party, str(inp.kmsKeyId), ["kms:DescribeKey"], ctx, "CloudTrail validates the key");
        }
        if (str(inp.cloudWatchLogsRoleArn)) {
            const role = this.role(str(inp.cloudWatchLogsRoleArn), i, "cloudtrail.amazonaws.com", trailArn);
            if (role) this.logWrite(i, { kind: "role", role }, str(inp.cloudWatchLogsGroupArn) as string, `${this.f.account}_CloudTrail_${this.f.region}`, "CloudTrail delivers events to CloudWatch Logs");
        }
    }

    private bucketLogging(urn: string, inp: Record<string, unknown>): void {
        const source = this.f.buckets.get(str(inp.bucket) ?? "");
        const target = this.f.buckets.get(str(inp.targetBucket) ?? "");
        const i = this.add("s3-access-logs", `S3 server access logs ${str(inp.bucket)} → ${str(inp.targetBucket)}`, urn);
        if (!source || !target) {
            i.problems.push("source or target bucket is not one of this stack's buckets");
            return;
        }
        // S3 delivers server access logs only to buckets whose default encryption is SSE-S3.
        if (target.sse?.algorithm === "aws:kms") i.problems.push(`target ${target.name} defaults to SSE-KMS; S3 server access logs are delivered only to SSE-S3 buckets`);
        const key = `${str(inp.targetPrefix) ?? ""}2026-01-01-00-00-00-ABCDEF0123456789`;
        i.steps.push({ what: "S3 log delivery writes a log object", party: { kind: "service", service: "logging.s3.amazonaws.com" }, action: "s3:PutObject", resource: `${target.arn}/${key}`, context: { "aws:SourceArn": source.arn, "aws:SourceAccount": this.f.account }, resourcePolicy: target.policy, expect: "Allowed" });
    }

    private flowLog(urn: string, inp: Record<string, unknown>, id: string): void {
        const flowArn = this.f.arn("ec2", `vpc-flow-log/${id}`);
        const type = str(inp.logDestinationType) ?? "cloud-watch-logs";
        const i = this.add("vpc-flow-logs", `VPC flow logs ${id} → ${type}`, urn);
        if (type === "cloud-watch-logs") {
            const role = this.role(str(inp.iamRoleArn), i, "vpc-flow-logs.amazonaws.com", flowArn);
            if (role) this.logWrite(i, { kind: "role", role }, str(inp.logDestination) as string, "eni-0123456789abcdef0-all", "VPC flow logs deliver");
        } else if (type === "s3") {
            const bucket = this.f.bucketOf(str(inp.logDestination));
            this.s3Write(i, { kind: "service", service: "delivery.logs.amazonaws.com" }, bucket, `AWSLogs/${this.f.account}/vpcflowlogs/${this.f.region}/2026/01/01/x.log.gz`, { acl: "bucket-owner-full-control", what: "VPC flow logs deliver", sourceArn: this.f.arn("logs", "*") });
        } else {
            this.integrations.pop();
            this.explain(urn, `flow-log destination type ${type} is not known to the derivation`);
        }
    }

    /** Vended logs (VPN tunnel logs, HTTP API access logs): CloudWatch Logs' delivery service writes through the log groups' resource policy. */
    private vended(i: Integration, groupArn: string, what: string): void {
        const policy = this.f.logResourcePolicy();
        if (!policy) {
            i.problems.push(`${what}: no log-group resource policy lets delivery.logs.amazonaws.com write; AWS would add one at enablement only if the deployer may logs:PutResourcePolicy, in one of 10 policy slots per region`);
        }
        this.logWrite(i, { kind: "service", service: "delivery.logs.amazonaws.com" }, groupArn, "x", what, policy, { "aws:SourceAccount": this.f.account, "aws:SourceArn": this.f.arn("logs", "*") });
    }

    private vpnLogs(urn: string, inp: Record<string, unknown>, id: string): void {
        const groups = new Set<string>();
        for (const t of ["tunnel1LogOptions", "tunnel2LogOptions"]) {
            const cw = obj(obj(inp[t]).cloudwatchLogOptions);
            if (cw.logEnabled === true && str(cw.logGroupArn)) groups.add(str(cw.logGroupArn) as string);
        }
        for (const g of groups) this.vended(this.add("vended-log-delivery", `VPN ${id} tunnel logs → ${g.split(":log-group:")[1]}`, urn), g, "VPN tunnel logs");
    }

    private apiAccessLogs(urn: string, inp: Record<string, unknown>): void {
        const dest = str(obj(inp.accessLogSettings).destinationArn);
        if (!dest) return;
        if (!/^arn:[^:]+:logs:/.test(dest)) {
            this.explain(urn, `API access-log destination ${dest} is not a log group`);
            return;
        }
        this.vended(this.add("vended-log-delivery", `API ${str(inp.apiId)} access logs → ${dest.split(":log-group:")[1]}`, urn), dest, "API access logs");
    }

    private apiIntegration(urn: string, inp: Record<string, unknown>): void {
        const uri = str(inp.integrationUri) ?? "";
        const i = this.add("api-to-lambda", `API ${str(inp.apiId)} → ${uri.split(":").pop()}`, urn);
        const fn = this.f.lambdas.get(uri);
        if (!fn) {
            this.integrations.pop();
            this.explain(urn, `API integration target ${uri} is not one of this stack's functions`);
            return;
        }
        const sourceArn = this.f.arn("execute-api", `${str(inp.apiId)}/$default/POST/queries/q1`);
        i.steps.push({ what: `API Gateway invokes ${fn.name}`, party: { kind: "service", service: "apigateway.amazonaws.com" }, action: "lambda:InvokeFunction", resource: fn.arn, context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": this.f.account }, resourcePolicy: fn.policy, expect: "Allowed" });
    }

    private inventory(urn: string, inp: Record<string, unknown>): void {
        const source = this.f.buckets.get(str(inp.bucket) ?? "");
        const dest = obj(obj(inp.destination).bucket);
        const target = this.f.bucketOf(str(dest.bucketArn));
        const i = this.add("s3-inventory", `S3 inventory ${str(inp.bucket)} → ${target?.name ?? str(dest.bucketArn)}`, urn);
        if (!source || !target) {
            i.problems.push("source or destination bucket is not one of this stack's buckets");
            return;
        }
        const keyId = str(obj(obj(dest.encryption).sseKms).keyId);
        const prefix = str(dest.prefix) ? `${str(dest.prefix)}/` : "";
        const key = `${prefix}${source.name}/${str(inp.name)}/data/x.parquet`;
        const party: Party = { kind: "service", service: "s3.amazonaws.com" };
        const ctx = { "aws:SourceArn": source.arn, "aws:SourceAccount": this.f.account };
        i.steps.push({ what: "S3 writes the inventory report", party, action: "s3:PutObject", resource: `${target.arn}/${key}`, context: { ...ctx, "s3:x-amz-acl": "bucket-owner-full-control" }, resourcePolicy: target.policy, expect: "Allowed" });
        if (keyId) this.kms(i, party, keyId, ["kms:GenerateDataKey"], ctx, "S3 encrypts the inventory report");
    }

    private macieExport(urn: string, inp: Record<string, unknown>): void {
        const dest = obj(inp.s3Destination);
        const bucket = this.f.buckets.get(str(dest.bucketName) ?? "");
        const i = this.add("macie-results", `Macie discovery results → ${str(dest.bucketName)}`, urn);
        const party: Party = { kind: "service", service: "macie.amazonaws.com" };
        const ctx = { "aws:SourceArn": this.f.arn("macie2", "export-configuration:*"), "aws:SourceAccount": this.f.account };
        if (!bucket) {
            i.problems.push(`results bucket ${str(dest.bucketName)} is not one of this stack's buckets`);
            return;
        }
        const key = `${str(dest.keyPrefix) ?? ""}AWSLogs/${this.f.account}/Macie/${this.f.region}/job/x.jsonl.gz`;
        i.steps.push({ what: "Macie finds the bucket", party, action: "s3:GetBucketLocation", resource: bucket.arn, context: ctx, resourcePolicy: bucket.policy, expect: "Allowed" });
        const keyArn = this.f.key(str(dest.kmsKeyArn))?.arn ?? str(dest.kmsKeyArn) ?? "";
        i.steps.push({ what: "Macie writes a results file", party, action: "s3:PutObject", resource: `${bucket.arn}/${key}`, context: { ...ctx, "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn }, resourcePolicy: bucket.policy, expect: "Allowed" });
        this.kms(i, party, str(dest.kmsKeyArn), ["kms:GenerateDataKey", "kms:Encrypt"], ctx, "Macie encrypts results");
    }

    /**
     * AWS Config delivers configuration history and snapshots as the Config service principal (its service-linked role
     * has no S3 or KMS permissions): the ACL and existence checks, PutObject under `<prefix>/AWSLogs/<account>/Config/`
     * with `bucket-owner-full-control`, SSE-KMS with the channel's key. Config sets aws:SourceArn to
     * `arn:<partition>:config:<region>:<account>:*` (Config Developer Guide, "Permissions for the Amazon S3 Bucket").
     */
    private configDelivery(urn: string, inp: Record<string, unknown>): void {
        const bucketName = str(inp.s3BucketName) ?? "";
        const bucket = this.f.buckets.get(bucketName);
        const i = this.add("config-delivery", `AWS Config ${str(inp.name) ?? "default"} → ${bucketName}`, urn);
        if (!bucket) {
            i.problems.push(`delivery bucket ${bucketName} is not one of this stack's buckets`);
            return;
        }
        const party: Party = { kind: "service", service: "config.amazonaws.com" };
        const ctx = { "aws:SourceArn": this.f.arn("config", "*"), "aws:SourceAccount": this.f.account };
        i.steps.push({ what: "Config checks the bucket ACL", party, action: "s3:GetBucketAcl", resource: bucket.arn, context: ctx, resourcePolicy: bucket.policy, expect: "Allowed" });
        i.steps.push({ what: "Config checks the bucket exists", party, action: "s3:ListBucket", resource: bucket.arn, context: ctx, resourcePolicy: bucket.policy, expect: "Allowed" });
        const prefix = str(inp.s3KeyPrefix) ? `${str(inp.s3KeyPrefix)}/` : "";
        const key = `${prefix}AWSLogs/${this.f.account}/Config/${this.f.region}/2026/1/1/ConfigHistory/${this.f.account}_Config_${this.f.region}_ConfigHistory_AWS::S3::Bucket_20260101T000000Z.json.gz`;
        const kmsKey = str(inp.s3KmsKeyArn);
        const sse: Record<string, string> = kmsKey ? { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": this.f.key(kmsKey)?.arn ?? kmsKey } : {};
        i.steps.push({ what: "Config writes a configuration history file", party, action: "s3:PutObject", resource: `${bucket.arn}/${key}`, context: { ...ctx, "s3:x-amz-acl": "bucket-owner-full-control", ...sse }, resourcePolicy: bucket.policy, expect: "Allowed" });
        i.steps.push({ what: "Config of another account cannot write here", party, action: "s3:PutObject", resource: `${bucket.arn}/${key}`, context: { "aws:SourceArn": `arn:${this.f.partition}:config:${this.f.region}:999988887777:*`, "aws:SourceAccount": "999988887777", "s3:x-amz-acl": "bucket-owner-full-control", ...sse }, resourcePolicy: bucket.policy, expect: "Denied" });
        if (kmsKey) {
            this.kms(i, party, kmsKey, ["kms:GenerateDataKey"], { ...ctx, "kms:EncryptionContext:aws:s3:arn": this.s3Context(bucket, key) }, "Config encrypts its deliveries (through S3)");
        }
    }

    private macieJob(urn: string, inp: Record<string, unknown>): void {
        // The job selects buckets by tag: every bucket of this stack tagged data-classification=phi is read through S3
        // by Macie's service-linked role.
        const i = this.add("macie-discovery", `Macie job ${str(inp.name)} reads the PHI buckets`, urn);
        const slr: Party = { kind: "service-linked-role", arn: `arn:${this.f.partition}:iam::${this.f.account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie` };
        for (const b of this.f.buckets.values()) {
            if (b.tags["data-classification"] !== "phi" || b.sse?.algorithm !== "aws:kms") continue;
            this.kms(i, slr, b.sse.keyArn, ["kms:Decrypt"], { "kms:ViaService": this.f.via("s3"), "kms:EncryptionContext:aws:s3:arn": this.s3Context(b, "x") }, `Macie reads ${b.name}`);
        }
    }

    private firehose(urn: string, inp: Record<string, unknown>): void {
        const name = str(inp.name) as string;
        const streamArn = this.f.arn("firehose", `deliverystream/${name}`);
        const s3 = obj(inp.extendedS3Configuration);
        const i = this.add("firehose-delivery", `Firehose ${name} → stream, bucket, key`, urn);
        const role = this.role(str(s3.roleArn), i, "firehose.amazonaws.com", streamArn);
        if (!role) return;
        const party: Party = { kind: "role", role };
        const source = obj(inp.kinesisSourceConfiguration);
        if (str(source.kinesisStreamArn)) {
            if (str(source.roleArn) !== role.arn) this.role(str(source.roleArn), i, "firehose.amazonaws.com", streamArn);
            const kin = str(source.kinesisStreamArn) as string;
            for (const action of ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords"]) {
                i.steps.push({ what: `Firehose reads the source stream: ${action}`, party, action, resource: kin, context: {}, expect: "Allowed" });
            }
            const stream = this.recording.resources.find((r) => r.type === "aws:kinesis/stream:Stream" && this.f.arn("kinesis", `stream/${plainInputs(r).name}`) === kin);
            const keyId = stream ? str(plainInputs(stream).kmsKeyId) : undefined;
            if (keyId) this.kms(i, party, keyId, ["kms:Decrypt"], { "kms:ViaService": this.f.via("kinesis"), "kms:EncryptionContext:aws:kinesis:arn": kin }, "Firehose decrypts stream records");
        }
        const bucket = this.f.bucketOf(str(s3.bucketArn));
        const customers = this.customers();
        const prefix = str(s3.prefix) ?? "";
        const owner = fixedCustomerOf(prefix);
        if (/!\{partitionKeyFromQuery:customer\}/.test(prefix)) {
            // The tenant would come from each record: any producer of the source stream could land PHI under any
            // customer's prefix (issue 12). The tenant must be the stream, bound to the producer's identity.
            i.problems.push(`Firehose ${name} takes the tenant from each record's customer field (${prefix}): a producer can land records under another customer's prefix`);
        }
        if (owner) {
            this.s3Write(i, party, bucket, `${sampleKey(prefix, owner)}part-0001.parquet`, { sseKey: str(s3.kmsKeyArn), what: `Firehose delivers ${owner}'s records` });
            if (str(s3.errorOutputPrefix)) this.s3Write(i, party, bucket, `${sampleKey(str(s3.errorOutputPrefix) as string, owner)}part-0001`, { sseKey: str(s3.kmsKeyArn), what: `Firehose delivers ${owner}'s failed records` });
            // The role is confined to its customer: a misrouted delivery cannot reach another tenant's prefix.
            for (const other of customers.filter((c) => c !== owner)) {
                i.steps.push({ what: `${owner}'s Firehose is refused ${other}'s prefix`, party, action: "s3:PutObject", resource: `${bucket?.arn ?? str(s3.bucketArn)}/${sampleKey(prefix.replace(`customer=${owner}/`, `customer=${other}/`), other)}part-0001.parquet`, context: {}, resourcePolicy: bucket?.policy, expect: "Denied" });
            }
        } else {
            for (const c of customers.length ? customers : ["example"]) {
                this.s3Write(i, party, bucket, `${sampleKey(prefix, c)}part-0001.parquet`, { sseKey: str(s3.kmsKeyArn), what: `Firehose delivers ${c}'s records` });
            }
            if (str(s3.errorOutputPrefix)) this.s3Write(i, party, bucket, `${sampleKey(str(s3.errorOutputPrefix) as string, "x")}part-0001`, { sseKey: str(s3.kmsKeyArn), what: "Firehose delivers failed records" });
        }
        const logs = obj(s3.cloudwatchLoggingOptions);
        if (logs.enabled === true) {
            const arn = this.f.logGroupArn(str(logs.logGroupName) as string);
            i.steps.push({ what: "Firehose logs delivery errors", party, action: "logs:PutLogEvents", resource: `${arn}:log-stream:${str(logs.logStreamName)}`, context: {}, expect: "Allowed" });
        }
        const schema = obj(obj(s3.dataFormatConversionConfiguration).schemaConfiguration);
        if (str(schema.tableName)) {
            i.steps.push({ what: "Firehose reads the record schema", party, action: "glue:GetTableVersions", resource: this.f.arn("glue", `table/${str(schema.databaseName)}/${str(schema.tableName)}`), context: {}, expect: "Allowed" });
        }
    }

    /**
     * Producers: roles trusted by principals (not services) with kinesis:PutRecord(s). The tenant of a stream is its
     * `customer` tag: only a producer role of that customer may put records into it, and only a principal tagged with
     * that customer may assume the producer role. A stream without a customer, in a stack with customers, lands PHI
     * whose tenant no identity vouches for.
     */
    private stream(urn: string): void {
        const r = this.f.resource(urn);
        if (!r) return;
        const role = [...this.f.roles.values()].find((x) => x.urn === urn);
        if (!role || !isProducer(role)) return;
        const customers = this.customers();
        const mine = role.tags.customer;
        const streams = this.recording.resources.filter((x) => x.type === "aws:kinesis/stream:Stream");
        const party: Party = { kind: "role", role };
        const i = this.add("stream-producer", `Producer ${role.name}${mine ? ` (${mine})` : ""} → its stream only`, urn);
        this.usedRoles.add(role.arn);
        if (customers.length > 0 && !mine) i.problems.push(`producer role ${role.name} has no customer tag: the tenant of what it puts is not bound to its identity`);
        for (const s of streams) {
            const inp = plainInputs(s);
            const arn = this.f.arn("kinesis", `stream/${inp.name}`);
            const owner = obj(inp.tags).customer as string | undefined;
            if (customers.length > 0 && !owner) {
                i.problems.push(`stream ${String(inp.name)} has no customer tag: any producer's records land under whatever tenant they name`);
                continue;
            }
            const own = !owner || owner === mine;
            i.steps.push({ what: own ? `the producer puts records into ${String(inp.name)}` : `${mine}'s producer is refused ${owner}'s stream`, party, action: "kinesis:PutRecords", resource: arn, context: {}, expect: own ? "Allowed" : "Denied" });
            if (own && str(inp.kmsKeyId)) this.kms(i, party, str(inp.kmsKeyId), ["kms:GenerateDataKey"], { "kms:ViaService": this.f.via("kinesis"), "kms:EncryptionContext:aws:kinesis:arn": arn }, "Kinesis encrypts for the producer");
        }
        if (!mine || !role.trust) return;
        // Who may become this producer: a principal the trust policy names (a person with MFA when it names the
        // account), carrying its customer tag; the same principal tagged with another customer is refused.
        const named = (role.trust.Statement ?? []).flatMap((st) => arr(obj(st.Principal).AWS).concat(typeof obj(st.Principal).AWS === "string" ? [obj(st.Principal).AWS] : [])).map(String);
        const caller = named.find((a) => !a.endsWith(":root")) ?? `arn:${this.f.partition}:iam::${this.f.account}:user/wiring-proof-person`;
        for (const c of customers) {
            const principal: Party = { kind: "principal", arn: caller, tags: { customer: c }, mfa: true };
            i.steps.push({ what: c === mine ? `a producer principal tagged ${c} assumes the role` : `a producer principal tagged ${c} is refused ${mine}'s role`, party: principal, action: "sts:AssumeRole", resource: role.arn, context: {}, resourcePolicy: role.trust, expect: c === mine ? "Allowed" : "Denied" });
        }
        i.steps.push({ what: "a producer principal without a customer tag is refused", party: { kind: "principal", arn: caller, tags: {}, mfa: true }, action: "sts:AssumeRole", resource: role.arn, context: {}, resourcePolicy: role.trust, expect: "Denied" });
    }

    private securityConfig(name: string | undefined): Record<string, unknown> {
        const r = this.recording.resources.find((x) => x.type === "aws:glue/securityConfiguration:SecurityConfiguration" && plainInputs(x).name === name);
        return r ? obj(plainInputs(r).encryptionConfiguration) : {};
    }

    private connectionSecret(i: Integration, party: Party, connectionName: string): void {
        const conn = this.recording.resources.find((x) => x.type === "aws:glue/connection:Connection" && plainInputs(x).name === connectionName);
        if (!conn) {
            i.problems.push(`connection ${connectionName} is not one of this stack's connections`);
            return;
        }
        i.steps.push({ what: `Glue reads connection ${connectionName}`, party, action: "glue:GetConnection", resource: this.f.arn("glue", `connection/${connectionName}`), context: {}, expect: "Allowed" });
        // A private CA's certificate (CUSTOM_JDBC_CERT): Glue reads it from S3 with the caller's role before connecting.
        const cert = str(obj(plainInputs(conn).connectionProperties).CUSTOM_JDBC_CERT);
        if (cert) this.s3Read(i, party, this.f.bucketOf(cert), cert.replace(/^s3:\/\/[^/]+\//, ""), `Glue reads the database's CA certificate ${cert}`);
        const secretId = str(obj(plainInputs(conn).connectionProperties).SECRET_ID);
        if (!secretId) return;
        const secret = this.f.secrets.get(secretId) ?? [...this.f.secrets.values()].find((s) => s.arn === secretId);
        if (!secret) {
            i.problems.push(`connection secret ${secretId} is not one of this stack's secrets`);
            return;
        }
        i.steps.push({ what: `Glue reads secret ${secret.name}`, party, action: "secretsmanager:GetSecretValue", resource: secret.arn, context: {}, resourcePolicy: secret.policy, expect: "Allowed" });
        if (secret.keyArn) this.kms(i, party, secret.keyArn, ["kms:Decrypt"], { "kms:ViaService": this.f.via("secretsmanager"), "kms:EncryptionContext:SecretARN": secret.arn }, "Secrets Manager decrypts the secret");
    }

    private glueJob(urn: string, inp: Record<string, unknown>): void {
        const name = str(inp.name) as string;
        const i = this.add("glue-job", `Glue job ${name} → script, connection, secret, target`, urn);
        const role = this.role(str(inp.roleArn), i, "glue.amazonaws.com", this.f.arn("glue", `job/${name}`));
        if (!role) return;
        const party: Party = { kind: "role", role };
        const script = str(obj(inp.command).scriptLocation);
        if (script) this.s3Read(i, party, this.f.bucketOf(script), script.replace(/^s3:\/\/[^/]+\//, ""), "Glue reads the job script");
        for (const c of arr(inp.connections).map(String)) this.connectionSecret(i, party, c);
        const enc = this.securityConfig(str(inp.securityConfiguration));
        const sseKey = str(obj(enc.s3Encryption).kmsKeyArn);
        const target = str(obj(inp.nonOverridableArguments)["--target_path"]) ?? str(obj(inp.defaultArguments)["--target_path"]);
        if (target) this.s3Write(i, party, this.f.bucketOf(target), `${target.replace(/^s3:\/\/[^/]+\//, "")}ehr/encounters/part-0001.parquet`, { sseKey, what: "Glue writes the target" });
        const temp = str(obj(inp.defaultArguments)["--TempDir"]);
        if (temp) this.s3Write(i, party, this.f.bucketOf(temp), `${temp.replace(/^s3:\/\/[^/]+\//, "")}x`, { sseKey, what: "Glue writes temporary files" });
        // With a security configuration, Glue writes to /aws-glue/jobs/<configuration>-role/<role>/{output,error}.
        const jobLogs = str(inp.securityConfiguration) ? `/aws-glue/jobs/${str(inp.securityConfiguration)}-role/${role.name}` : "/aws-glue/jobs";
        for (const stream of ["output", "error"]) this.logWrite(i, party, this.f.logGroupArn(`${jobLogs}/${stream}`), "jr_0123456789abcdef", `Glue writes job ${stream} logs`);
    }

    private glueCrawler(urn: string, inp: Record<string, unknown>): void {
        const name = str(inp.name) as string;
        const i = this.add("glue-crawler", `Glue crawler ${name} → targets and catalog`, urn);
        const role = this.role(str(inp.role), i, "glue.amazonaws.com", this.f.arn("glue", `crawler/${name}`));
        if (!role) return;
        const party: Party = { kind: "role", role };
        for (const t of arr(inp.s3Targets).map(obj)) {
            const path = str(t.path) as string;
            const bucket = this.f.bucketOf(path);
            this.s3Read(i, party, bucket, `${path.replace(/^s3:\/\/[^/]+\/?/, "")}customer=${this.customers()[0] ?? "x"}/table/part-0001.parquet`, "the crawler reads data files");
        }
        for (const c of new Set(arr(inp.jdbcTargets).map((t) => str(obj(t).connectionName) as string))) this.connectionSecret(i, party, c);
        const db = str(inp.databaseName) as string;
        for (const action of ["glue:GetDatabase", "glue:CreateTable", "glue:UpdateTable"]) {
            i.steps.push({ what: `the crawler writes the catalog: ${action}`, party, action, resource: action === "glue:GetDatabase" ? this.f.arn("glue", `database/${db}`) : this.f.arn("glue", `table/${db}/t`), context: {}, expect: "Allowed" });
        }
        // With a security configuration, crawlers write to /aws-glue/crawlers-role/<role>-<configuration>.
        const crawlerLogs = str(inp.securityConfiguration) ? `/aws-glue/crawlers-role/${role.name}-${str(inp.securityConfiguration)}` : "/aws-glue/crawlers";
        this.logWrite(i, party, this.f.logGroupArn(crawlerLogs), name, "the crawler writes its logs");
    }

    private emr(urn: string, inp: Record<string, unknown>): void {
        const name = str(inp.name) as string;
        const i = this.add("emr-serverless", `EMR Serverless ${name} → job role, logs`, urn);
        // The job role is given per job run; the stack's role for it is the one emr-serverless may assume.
        const roles = [...this.f.roles.values()].filter((r) => JSON.stringify(r.trust ?? {}).includes("emr-serverless.amazonaws.com"));
        if (roles.length === 0) i.problems.push("no role trusts emr-serverless.amazonaws.com: jobs cannot run");
        const mon = obj(inp.monitoringConfiguration);
        for (const roleFacts of roles) {
            const role = this.role(roleFacts.arn, i, "emr-serverless.amazonaws.com", this.f.arn("emr-serverless", `/applications/${name}`));
            if (!role) continue;
            const party: Party = { kind: "role", role };
            const s3mon = obj(mon.s3MonitoringConfiguration);
            const uri = str(s3mon.logUri);
            if (uri) this.s3Write(i, party, this.f.bucketOf(uri), `${uri.replace(/^s3:\/\/[^/]+\//, "")}applications/x/jobs/y/SPARK_DRIVER/stdout.gz`, { sseKey: str(s3mon.encryptionKeyArn), what: "EMR writes job logs to S3" });
            const cw = obj(mon.cloudwatchLoggingConfiguration);
            if (cw.enabled === true) {
                this.logWrite(i, party, this.f.logGroupArn(str(cw.logGroupName) as string), "applications/x/jobs/y", "EMR writes job logs to CloudWatch Logs");
                if (str(cw.encryptionKeyArn)) this.kms(i, party, str(cw.encryptionKeyArn), ["kms:GenerateDataKey"], {}, "EMR encrypts CloudWatch log events");
            }
            const spark = arr(inp.runtimeConfigurations).map(obj).find((c) => c.classification === "spark-defaults");
            const sparkKey = str(obj(spark?.properties)["spark.hadoop.fs.s3.serverSideEncryption.kms.keyId"]);
            for (const b of this.f.buckets.values()) {
                if (b.tags["data-zone"] !== "curated") continue;
                const c = this.customers()[0] ?? "x";
                this.s3Write(i, party, b, `customer=${c}/encounters/part-0001.parquet`, { sseKey: sparkKey, what: "Spark writes the curated zone" });
            }
        }
    }

    private athena(urn: string, inp: Record<string, unknown>): void {
        const name = str(inp.name) as string;
        const result = obj(obj(inp.configuration).resultConfiguration);
        const out = str(result.outputLocation);
        const enc = obj(result.encryptionConfiguration);
        const wgArn = this.f.arn("athena", `workgroup/${name}`);
        // Athena reads and writes results with the caller's credentials: every role allowed to start queries here.
        for (const role of this.f.roles.values()) {
            if (!role.policies.some((d) => JSON.stringify(d).includes("athena:StartQueryExecution") && JSON.stringify(d).includes(wgArn))) continue;
            const i = this.add("athena-workgroup", `Athena ${name} results for ${role.name}`, urn);
            const party: Party = { kind: "role", role };
            i.steps.push({ what: "the caller starts a query", party, action: "athena:StartQueryExecution", resource: wgArn, context: {}, expect: "Allowed" });
            if (out) {
                const bucket = this.f.bucketOf(out);
                const key = `${out.replace(/^s3:\/\/[^/]+\//, "")}00000000-0000-0000-0000-000000000000.csv`;
                this.s3Write(i, party, bucket, key, { sseKey: enc.encryptionOption === "SSE_KMS" ? str(enc.kmsKeyArn) : undefined, acl: "bucket-owner-full-control", what: "Athena writes results for the caller" });
                this.s3Read(i, party, bucket, key, "Athena reads results for the caller");
            }
        }
    }

    private lambda(urn: string, inp: Record<string, unknown>): void {
        const name = str(inp.name) as string;
        const fn = this.f.lambdas.get(this.f.lambdaArn(name));
        const i = this.add("lambda-function", `Lambda ${name} → role, logs, dead letters`, urn);
        const role = this.role(str(inp.role), i, "lambda.amazonaws.com");
        if (!role || !fn) return;
        const party: Party = { kind: "role", role };
        const logGroup = str(obj(inp.loggingConfig).logGroup) ?? `/aws/lambda/${name}`;
        this.logWrite(i, party, this.f.logGroupArn(logGroup), "2026/01/01/[$LATEST]x", "the function logs");
        if (fn.deadLetterArn) {
            const q = this.f.queues.get(fn.deadLetterArn);
            if (!q) i.problems.push(`dead-letter target ${fn.deadLetterArn} is not one of this stack's queues`);
            else {
                i.steps.push({ what: "Lambda sends a failed event to the dead-letter queue", party, action: "sqs:SendMessage", resource: q.arn, context: {}, resourcePolicy: q.policy, expect: "Allowed" });
                if (q.keyArn) this.kms(i, party, q.keyArn, ["kms:GenerateDataKey"], { "kms:ViaService": this.f.via("sqs"), "kms:EncryptionContext:aws:sqs:arn": q.arn }, "SQS encrypts the dead letter");
            }
        }
        if (obj(inp.vpcConfig).subnetIds) {
            i.steps.push({ what: "Lambda attaches its network interface", party, action: "ec2:CreateNetworkInterface", resource: this.f.arn("ec2", "network-interface/*"), context: {}, expect: "Allowed" });
        }
    }

    private backupSelection(urn: string, inp: Record<string, unknown>): void {
        const plan = this.recording.resources.find((x) => x.type === "aws:backup/plan:Plan" && (plainInputs(x).name === str(inp.planId) || x.id === str(inp.planId)));
        const vaults = new Set(arr(plan ? plainInputs(plan).rules : []).map((r) => str(obj(r).targetVaultName) as string));
        for (const v of vaults) {
            const vault = this.recording.resources.find((x) => x.type === "aws:backup/vault:Vault" && plainInputs(x).name === v);
            const i = this.add("backup-vault", `AWS Backup ${str(inp.name)} → vault ${v}`, urn);
            const role = this.role(str(inp.iamRoleArn), i, "backup.amazonaws.com");
            if (!role || !vault) {
                if (!vault) i.problems.push(`vault ${v} is not one of this stack's vaults`);
                continue;
            }
            const party: Party = { kind: "role", role };
            const via = { "kms:ViaService": this.f.via("backup") };
            this.kms(i, party, str(plainInputs(vault).kmsKeyArn), ["kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], via, "AWS Backup encrypts recovery points");
            this.kms(i, party, str(plainInputs(vault).kmsKeyArn), ["kms:CreateGrant"], { ...via, "kms:GrantIsForAWSResource": "true" }, "AWS Backup grants the copy job");
        }
    }

    private logGroupKey(urn: string, inp: Record<string, unknown>): void {
        const keyId = str(inp.kmsKeyId);
        if (!keyId) return;
        const arn = this.f.logGroupArn(str(inp.name) as string);
        const i = this.add("log-group-key", `CloudWatch Logs ${str(inp.name)} → its key`, urn);
        this.kms(i, { kind: "service", service: `logs.${this.f.region}.amazonaws.com` }, keyId, ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"], { "kms:EncryptionContext:aws:logs:arn": arn }, "CloudWatch Logs uses the key");
    }

    private ebsDefaultKey(urn: string, inp: Record<string, unknown>): void {
        const i = this.add("ebs-default-key", "Auto Scaling service-linked role → EBS default key", urn);
        const slr: Party = { kind: "service-linked-role", arn: `arn:${this.f.partition}:iam::${this.f.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling` };
        const via = { "kms:ViaService": this.f.via("ec2") };
        this.kms(i, slr, str(inp.keyArn), ["kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt", "kms:ReEncryptFrom", "kms:DescribeKey"], via, "Auto Scaling launches encrypted volumes");
        this.kms(i, slr, str(inp.keyArn), ["kms:CreateGrant"], { ...via, "kms:GrantIsForAWSResource": "true" }, "Auto Scaling grants EC2 the volume key");
    }

    private fileShare(urn: string, inp: Record<string, unknown>, protocol: string): void {
        const i = this.add("file-gateway-share", `Storage Gateway ${protocol} share ${str(inp.fileShareName)} → bucket, key, audit log`, urn);
        const role = this.role(str(inp.roleArn), i, "storagegateway.amazonaws.com", str(inp.gatewayArn));
        if (!role) return;
        const location = str(inp.locationArn) as string;
        const bucket = this.f.bucketOf(location);
        const prefix = location.replace(/^arn:[^:]+:s3:::[^/]+\/?/, "");
        this.s3Write(i, { kind: "role", role }, bucket, `${prefix}scan-0001.pdf`, { sseKey: inp.kmsEncrypted === true ? str(inp.kmsKeyArn) : undefined, acl: str(inp.objectAcl), what: "the gateway uploads a file" });
        if (str(inp.auditDestinationArn) && !this.f.logGroups.has(str(inp.auditDestinationArn) as string)) i.problems.push(`audit destination ${str(inp.auditDestinationArn)} is not created by this stack`);
    }

    private snowballGrant(urn: string, inp: Record<string, unknown>): void {
        const role = this.f.roles.get(str(inp.granteePrincipal) ?? "");
        if (!role || !JSON.stringify(role.trust ?? {}).includes("importexport.amazonaws.com")) {
            if (!role) this.explain(urn, `grant to ${str(inp.granteePrincipal)}: grantee is not one of this stack's roles`);
            return;
        }
        const i = this.add("snowball-import", `Snowball import role ${role.name} → import bucket, key`, urn);
        this.role(role.arn, i, "importexport.amazonaws.com");
        const bucketArn = str(obj(arr(inp.constraints)[0]).encryptionContextSubset ? obj(obj(arr(inp.constraints)[0]).encryptionContextSubset)["aws:s3:arn"] : undefined);
        this.s3Write(i, { kind: "role", role }, this.f.bucketOf(bucketArn), "import/job-1/file-0001", { sseKey: str(inp.keyId), what: "Snowball imports an object" });
    }

    private openSearchLogs(urn: string, inp: Record<string, unknown>): void {
        const domainArn = this.f.arn("es", `domain/${str(inp.domainName)}`);
        for (const o of arr(inp.logPublishingOptions).map(obj)) {
            if (o.enabled === false) continue;
            const group = str(o.cloudwatchLogGroupArn) as string;
            const i = this.add("opensearch-logs", `OpenSearch ${str(inp.domainName)} ${str(o.logType)} → ${group.split(":log-group:")[1]}`, urn);
            this.logWrite(i, { kind: "service", service: "es.amazonaws.com" }, group, "x", "OpenSearch publishes logs", this.f.logResourcePolicy(), { "aws:SourceArn": domainArn, "aws:SourceAccount": this.f.account });
        }
    }

    private efsClient(urn: string, inp: Record<string, unknown>): void {
        const fsId = str(inp.fileSystemId) as string;
        const fsArn = this.f.arn("elasticfilesystem", `file-system/${fsId}`);
        const i = this.add("efs-client", `EFS ${fsId} clients over TLS through mount targets`, urn);
        const policy = JSON.parse(str(inp.policy) as string) as Doc;
        // A workload role of this account whose own policy allows mounting (what any client of the file system
        // needs): the file-system policy must let it in over TLS through a mount target, and refuse it without TLS.
        const client: RoleFacts = {
            urn,
            name: "efs-client",
            arn: this.f.roleArn("efs-client"),
            policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], Resource: fsArn }] }],
            awsManaged: [],
            tags: {},
        };
        const party: Party = { kind: "role", role: client };
        for (const action of ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]) {
            i.steps.push({ what: `a client of this account mounts over TLS: ${action}`, party, action, resource: fsArn, context: { "elasticfilesystem:AccessedViaMountTarget": "true" }, resourcePolicy: policy, expect: "Allowed" });
        }
        i.steps.push({ what: "a client asking for root access is refused", party, action: "elasticfilesystem:ClientRootAccess", resource: fsArn, context: { "elasticfilesystem:AccessedViaMountTarget": "true" }, resourcePolicy: policy, expect: "Denied" });
        i.steps.push({ what: "a client without TLS is refused", party, action: "elasticfilesystem:ClientMount", resource: fsArn, context: { "elasticfilesystem:AccessedViaMountTarget": "true", "aws:SecureTransport": "false" }, resourcePolicy: policy, expect: "Denied" });
    }

    // ---- tenants ---------------------------------------------------------------------------------------------------

    /** Customer ids: the `customer` tag of the customer reader roles. */
    customers(): string[] {
        return [...new Set([...this.f.roles.values()].map((r) => r.tags.customer).filter((c): c is string => typeof c === "string"))].sort();
    }

    /** The object tagger, if the stack has one: a function fed by an EventBridge rule on S3 Object Created. */
    private tagger(): { fn: string; role: RoleFacts; buckets: Set<string>; ruleArn: string } | undefined {
        for (const t of this.recording.resources.filter((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget")) {
            const ti = plainInputs(t);
            const rule = this.recording.resources.find((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && plainInputs(r).name === ti.rule);
            const pattern = rule ? (JSON.parse(String(plainInputs(rule).eventPattern ?? "{}")) as Record<string, unknown>) : {};
            if (!arr(pattern.source).includes("aws.s3") || !arr(pattern["detail-type"]).includes("Object Created")) continue;
            const fn = this.f.lambdas.get(String(ti.arn));
            const role = fn ? this.f.roles.get(fn.roleArn) : undefined;
            if (!fn || !role) continue;
            const names = arr(obj(obj(pattern.detail).bucket).name).map(String);
            return { fn: fn.name, role, buckets: new Set(names), ruleArn: this.f.arn("events", `rule/${ti.rule}`) };
        }
        return undefined;
    }

    private tenants(): void {
        const customers = this.customers();
        // Readers: people's roles of a customer (producers and service roles carry the customer tag too).
        const readers = [...this.f.roles.values()].filter((r) => typeof r.tags.customer === "string" && !isProducer(r) && !serviceRole(r));
        if (customers.length === 0) return;
        const phi = [...this.f.buckets.values()].filter((b) => b.tags["data-classification"] === "phi");
        const zone = (z: string) => phi.find((b) => b.tags["data-zone"] === z);
        const tagger = this.tagger();
        if (tagger) {
            // The tagger: S3 must send each bucket's events to EventBridge, and the tagger's role may set exactly the
            // customer tag of a configured customer on objects under that customer's prefix.
            const i = this.add("object-tagger", `Object tagger ${tagger.fn} tags new objects of ${tagger.buckets.size} bucket(s)`, this.f.lambdas.get(this.f.lambdaArn(tagger.fn))?.urn ?? tagger.role.urn);
            for (const name of tagger.buckets) {
                const b = this.f.buckets.get(name);
                if (!b) {
                    i.problems.push(`tagged bucket ${name} is not one of this stack's buckets`);
                    continue;
                }
                if (!b.eventBridge) i.problems.push(`${name} does not send object events to EventBridge: the tagger never runs for it`);
                const party: Party = { kind: "role", role: tagger.role };
                for (const c of customers) {
                    i.steps.push({ what: `the tagger tags ${c}'s object`, party, action: "s3:PutObjectTagging", resource: `${b.arn}/customer=${c}/x.parquet`, context: { "s3:RequestObjectTag/customer": c }, resourcePolicy: b.policy, expect: "Allowed" });
                }
                i.steps.push({ what: "the tagger cannot tag an object for an unknown customer", party, action: "s3:PutObjectTagging", resource: `${b.arn}/customer=someone-else/x.parquet`, context: { "s3:RequestObjectTag/customer": "someone-else" }, resourcePolicy: b.policy, expect: "Denied" });
            }
        }
        // Where customers read (access.ts DEFAULT_CUSTOMER_LOCATIONS), and the writer of each location.
        const writers: { zone: string; prefix: string; role?: RoleFacts; sseKey?: string; what: string }[] = [];
        const emrRole = [...this.f.roles.values()].find((r) => JSON.stringify(r.trust ?? {}).includes("emr-serverless.amazonaws.com"));
        const engineer = [...this.f.roles.values()].find((r) => r.name.endsWith("-data-engineer"));
        writers.push({ zone: "curated", prefix: "", role: emrRole, what: "Spark (EMR job role)" });
        writers.push({ zone: "results", prefix: "exports/", role: engineer, what: "the data engineer's export" });
        const [a] = customers;
        const readerA = readers.find((r) => r.tags.customer === a) as RoleFacts;
        for (const w of writers) {
            const bucket = zone(w.zone);
            if (!bucket || !w.role) continue;
            const key = `${w.prefix}customer=${a}/encounters/part-0001.parquet`;
            const i = this.add("tenant-write-read", `${w.what} writes ${w.zone} for ${a}; ${a}'s reader reads it`, readerA.urn);
            this.s3Write(i, { kind: "role", role: w.role }, bucket, key, { sseKey: bucket.sse?.keyArn, what: w.what, tags: w.role === engineer ? { customer: a } : undefined });
            let tag: Record<string, string> = w.role === engineer ? { customer: a } : {};
            if (w.role !== engineer) {
                if (tagger && (tagger.buckets.size === 0 || tagger.buckets.has(bucket.name)) && bucket.eventBridge) {
                    i.steps.push({ what: `the tagger ${tagger.fn} tags the object with its customer`, party: { kind: "role", role: tagger.role }, action: "s3:PutObjectTagging", resource: `${bucket.arn}/${key}`, context: { "s3:RequestObjectTag/customer": a }, resourcePolicy: bucket.policy, expect: "Allowed" });
                    tag = { customer: a };
                } else {
                    i.problems.push(`${w.what} cannot tag objects and no tagger (S3 → EventBridge → function) tags s3://${bucket.name}: customers are refused untagged objects`);
                }
            }
            this.s3Read(i, { kind: "role", role: readerA }, bucket, key, `${a}'s reader`, tag);
        }
        // The other way: every reader is refused every other customer's objects in every zone, the Athena results and the API.
        for (const reader of readers) {
            const me = reader.tags.customer;
            const i = this.add("tenant-boundary", `${me}'s reader is refused other customers' data`, reader.urn);
            const party: Party = { kind: "role", role: reader };
            for (const other of customers.filter((c) => c !== me)) {
                for (const b of phi) {
                    for (const prefix of ["", "exports/"]) {
                        this.s3Read(i, party, b, `${prefix}customer=${other}/encounters/part-0001.parquet`, `${me} reads ${other}'s object`, { customer: other }, "Denied");
                    }
                    // A mis-tagged or untagged object under the reader's own prefix is refused too.
                    this.s3Read(i, party, b, `customer=${me}/encounters/part-0002.parquet`, `${me} reads an object tagged ${other} under its own prefix`, { customer: other }, "Denied");
                }
            }
            const results = zone("results");
            for (const wg of this.recording.resources.filter((r) => r.type === "aws:athena/workgroup:Workgroup")) {
                const name = String(plainInputs(wg).name);
                if (results) this.s3Read(i, party, results, `athena/${name}/00000000-0000-0000-0000-000000000000.csv`, `${me} reads Athena results`, {}, "Denied");
                i.steps.push({ what: `${me} reads query results through Athena`, party, action: "athena:GetQueryResults", resource: this.f.arn("athena", `workgroup/${name}`), context: {}, expect: "Denied" });
            }
            for (const api of this.recording.resources.filter((r) => r.type === "aws:apigatewayv2/api:Api")) {
                i.steps.push({ what: `${me} calls the analytics API`, party, action: "execute-api:Invoke", resource: this.f.arn("execute-api", `${api.id}/$default/POST/queries/q1`), context: {}, expect: "Denied" });
            }
        }
    }

    private unusedRoles(): void {
        for (const role of this.f.roles.values()) {
            if (this.usedRoles.has(role.arn)) continue;
            const services = (role.trust?.Statement ?? []).flatMap((s) => arr(obj(s.Principal).Service).concat(typeof obj(s.Principal).Service === "string" ? [obj(s.Principal).Service] : [])).map(String);
            if (services.length === 0) continue; // assumed by people (proven by tenant-boundary and the access specs)
            const known = services.filter((s) => s in ROLE_USERS);
            this.explain(role.urn, known.length ? `role ${role.name} is trusted by ${services.join(", ")} but no recorded ${known.map((s) => ROLE_USERS[s]).join(" or ")} uses it` : `role ${role.name} is used by ${services.join(", ")}, which the derivation does not understand`);
        }
    }
}

export function deriveIntegrations(recording: Recording): Derivation {
    return new Deriver(recording).derive();
}
