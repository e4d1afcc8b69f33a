/**
 * Answers for the mock runtime: resource outputs per mode, and provider function (invoke) results.
 *
 * `pulumi preview` knows only a new resource's inputs; its id, ARN and every other computed output stay
 * unknown until `pulumi up` creates it. In `preview` mode these mocks therefore answer with the planned
 * state the engine would return: the inputs, the physical name the provider's Check fills in when the
 * program leaves it out (auto-naming), and every computed-only output of the type as the unknown sentinel
 * (the SDK turns any other missing output into an unknown as well). In `up` mode they return realistic,
 * deterministic ids and ARNs so that a recording can be compared run to run, and only properties the type
 * really has (read from its generated SDK, see `schema.ts`).
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { invokeMocks } from "./invokes";
import { resourceSchema } from "./schema";
import { SECRET_SIG, SIG_KEY } from "./wire";

export interface MockContext {
    accountId: string;
    region: string;
    partition: string;
    /** Availability zones the region reports, in order. */
    availabilityZones: string[];
}

export const DEFAULT_CONTEXT: MockContext = {
    accountId: "123456789012",
    region: "us-east-1",
    partition: "aws",
    availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
};

type State = Record<string, unknown>;

/** Short, stable suffix like the engine's auto-naming (seven hex characters). */
export function stableSuffix(seed: string, length = 7): string {
    return crypto.createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** `aws:s3/bucket:Bucket` -> { pkg: "aws", module: "s3", resource: "Bucket" }. */
export function parseType(type: string): { pkg: string; module: string; resource: string } {
    const [pkg, mod = "", resource = ""] = type.split(":");
    return { pkg, module: mod.split("/")[0], resource };
}

// Service prefix of the ARN where it differs from the provider module name.
const ARN_SERVICE: Record<string, string> = {
    cloudwatch: "logs",
    ec2transitgateway: "ec2",
    elasticache: "elasticache",
    redshiftserverless: "redshift-serverless",
    emrserverless: "emr-serverless",
    apigatewayv2: "apigateway",
    opensearch: "es",
    sfn: "states",
    cloudtrail: "cloudtrail",
    cognito: "cognito-idp",
    macie2: "macie2",
    storagegateway: "storagegateway",
    cfg: "config",
};

// Resource path inside the ARN, by type token, where it is not `<lowercased resource>/<name>`.
const ARN_PATH: Record<string, (name: string, id: string) => string> = {
    "aws:cloudwatch/logGroup:LogGroup": (n) => `log-group:${n}`,
    "aws:cloudwatch/metricAlarm:MetricAlarm": (n) => `alarm:${n}`,
    "aws:cloudwatch/eventRule:EventRule": (n) => `rule/${n}`,
    "aws:kms/key:Key": (_n, id) => `key/${id}`,
    "aws:kms/alias:Alias": (n) => n,
    "aws:sns/topic:Topic": (n) => n,
    "aws:sqs/queue:Queue": (n) => n,
    "aws:lambda/function:Function": (n) => `function:${n}`,
    "aws:rds/instance:Instance": (n) => `db:${n}`,
    "aws:rds/cluster:Cluster": (n) => `cluster:${n}`,
    "aws:rds/clusterInstance:ClusterInstance": (n) => `db:${n}`,
    "aws:rds/parameterGroup:ParameterGroup": (n) => `pg:${n}`,
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (n) => `cluster-pg:${n}`,
    "aws:rds/subnetGroup:SubnetGroup": (n) => `subgrp:${n}`,
    "aws:redshift/cluster:Cluster": (n) => `cluster:${n}`,
    "aws:dynamodb/table:Table": (n) => `table/${n}`,
    "aws:kinesis/stream:Stream": (n) => `stream/${n}`,
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (n) => `deliverystream/${n}`,
    "aws:glue/catalogDatabase:CatalogDatabase": (n) => `database/${n}`,
    "aws:glue/job:Job": (n) => `job/${n}`,
    "aws:glue/crawler:Crawler": (n) => `crawler/${n}`,
    "aws:glue/connection:Connection": (n) => `connection/${n}`,
    "aws:athena/workgroup:Workgroup": (n) => `workgroup/${n}`,
    "aws:secretsmanager/secret:Secret": (n) => `secret:${n}-${stableSuffix(n, 6)}`,
    "aws:cloudtrail/trail:Trail": (n) => `trail/${n}`,
    "aws:backup/vault:Vault": (n) => `backup-vault:${n}`,
    "aws:backup/plan:Plan": (_n, id) => `backup-plan:${id}`,
    "aws:efs/fileSystem:FileSystem": (_n, id) => `file-system/${id}`,
    "aws:efs/accessPoint:AccessPoint": (_n, id) => `access-point/${id}`,
    "aws:ebs/volume:Volume": (_n, id) => `volume/${id}`,
    "aws:ec2/vpc:Vpc": (_n, id) => `vpc/${id}`,
    "aws:ec2/subnet:Subnet": (_n, id) => `subnet/${id}`,
    "aws:ec2/securityGroup:SecurityGroup": (_n, id) => `security-group/${id}`,
    "aws:ec2/vpcEndpoint:VpcEndpoint": (_n, id) => `vpc-endpoint/${id}`,
    "aws:ec2/launchTemplate:LaunchTemplate": (_n, id) => `launch-template/${id}`,
    "aws:ec2/vpnGateway:VpnGateway": (_n, id) => `vpn-gateway/${id}`,
    "aws:ec2/customerGateway:CustomerGateway": (_n, id) => `customer-gateway/${id}`,
    "aws:ec2/vpnConnection:VpnConnection": (_n, id) => `vpn-connection/${id}`,
    "aws:ec2/flowLog:FlowLog": (_n, id) => `vpc-flow-log/${id}`,
    "aws:elasticache/replicationGroup:ReplicationGroup": (n) => `replicationgroup:${n}`,
    "aws:elasticache/serverlessCache:ServerlessCache": (n) => `serverlesscache:${n}`,
    "aws:elasticache/userGroup:UserGroup": (n) => `usergroup:${n}`,
    "aws:elasticache/user:User": (n) => `user:${n}`,
    "aws:opensearch/domain:Domain": (n) => `domain/${n}`,
    "aws:emrserverless/application:Application": (_n, id) => `/applications/${id}`,
    "aws:emr/cluster:Cluster": (_n, id) => `cluster/${id}`,
    "aws:apigatewayv2/api:Api": (_n, id) => `/apis/${id}`,
    "aws:macie2/classificationJob:ClassificationJob": (_n, id) => `classification-job/${id}`,
    "aws:macie2/customDataIdentifier:CustomDataIdentifier": (_n, id) => `custom-data-identifier/${id}`,
    "aws:guardduty/detector:Detector": (_n, id) => `detector/${id}`,
    "aws:storagegateway/gateway:Gateway": (_n, id) => `gateway/${id}`,
    "aws:storagegateway/nfsFileShare:NfsFileShare": (_n, id) => `share/${id}`,
    "aws:storagegateway/smbFileShare:SmbFileShare": (_n, id) => `share/${id}`,
    "aws:redshiftserverless/namespace:Namespace": (_n, id) => `namespace/${id}`,
    "aws:redshiftserverless/workgroup:Workgroup": (_n, id) => `workgroup/${id}`,
};

// Services whose ARNs carry no region (global) or neither region nor account (S3).
const GLOBAL_SERVICES = new Set(["iam", "cloudfront", "route53", "organizations"]);

// Property holding the physical name, where the provider auto-names it when the program does not.
export const NAME_PROPERTY: Record<string, string> = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:sqs/queue:Queue": "name",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:rds/clusterInstance:ClusterInstance": "identifier",
    "aws:redshift/cluster:Cluster": "clusterIdentifier",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:opensearch/domain:Domain": "domainName",
    "aws:redshiftserverless/namespace:Namespace": "namespaceName",
    "aws:redshiftserverless/workgroup:Workgroup": "workgroupName",
    "aws:elasticache/userGroup:UserGroup": "userGroupId",
    "aws:elasticache/user:User": "userId",
};

function isProviderType(type: string): boolean {
    return type.startsWith("pulumi:providers:");
}

function isAbsent(value: unknown): boolean {
    return value === undefined || value === null || value === "";
}


/** The string inside a (possibly secret) input, as the provider sees it. */
function plainString(value: unknown): string | undefined {
    if (typeof value === "string") {
        return value;
    }
    if (value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
        return plainString((value as Record<string, unknown>).value);
    }
    return undefined;
}

/** A UUID-shaped id derived from `seed` (providers and other engine-assigned ids). */
export function uuidFrom(seed: string): string {
    const h = crypto.createHash("sha256").update(seed).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The physical name the provider gives a resource the program did not name: the logical name (or the
 * program's prefix) plus a suffix. The real suffix is random; here it derives from type and name so that
 * preview and up agree and repeated runs compare equal.
 */
export function autoName(type: string, name: string, nameProp: string, inputs: Record<string, unknown> = {}): string {
    const prefix = plainString(inputs[`${nameProp}Prefix`]) ?? `${name}-`;
    const physical = `${prefix}${stableSuffix(`${type}::${name}`)}`;
    return type === "aws:s3/bucket:Bucket" || type === "aws:s3/bucketV2:BucketV2" ? physical.toLowerCase() : physical;
}

type ComputedOutputs = (physicalName: string, id: string, ctx: MockContext, inputs: State) => Record<string, unknown>;

const secretArn = (ctx: MockContext, name: string) => `arn:${ctx.partition}:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${stableSuffix(name, 6)}`;
const host = (name: string, service: string, ctx: MockContext) => `${name}.${stableSuffix(`${service}::${ctx.accountId}`, 12)}.${ctx.region}.${service}.amazonaws.com`;

/** `us-east-1` -> `use1`, as ElastiCache writes regions in endpoint names. */
const shortRegion = (region: string) => region.split("-").map((part, i) => (i === 0 || /^\d+$/.test(part) ? part : part.charAt(0))).join("");

/** Computed outputs of data stores, in the shapes the provider reports after create. */
const COMPUTED_OUTPUTS: Record<string, ComputedOutputs> = {
    "aws:rds/instance:Instance": (n, _id, ctx) => ({
        address: host(n, "rds", ctx),
        endpoint: `${host(n, "rds", ctx)}:5432`,
        masterUserSecrets: [{ secretArn: secretArn(ctx, `rds!db-${n}`), secretStatus: "active" }],
    }),
    "aws:rds/cluster:Cluster": (n, _id, ctx) => ({
        endpoint: host(n, "rds", ctx).replace(`${n}.`, `${n}.cluster-`),
        readerEndpoint: host(n, "rds", ctx).replace(`${n}.`, `${n}.cluster-ro-`),
        masterUserSecrets: [{ secretArn: secretArn(ctx, `rds!cluster-${n}`), secretStatus: "active" }],
    }),
    "aws:redshift/cluster:Cluster": (n, _id, ctx) => ({ dnsName: host(n, "redshift", ctx), endpoint: `${host(n, "redshift", ctx)}:5439`, masterPasswordSecretArn: secretArn(ctx, `redshift!${n}`) }),
    "aws:redshiftserverless/namespace:Namespace": (n, _id, ctx) => ({ adminPasswordSecretArn: secretArn(ctx, `redshift!${n}-admin`) }),
    "aws:redshiftserverless/workgroup:Workgroup": (n, _id, ctx) => ({ endpoints: [{ address: host(n, "redshift-serverless", ctx), port: 5439 }] }),
    "aws:elasticache/replicationGroup:ReplicationGroup": (n, _id, ctx) => ({
        primaryEndpointAddress: `master.${n}.${stableSuffix(n, 6)}.${shortRegion(ctx.region)}.cache.amazonaws.com`,
        readerEndpointAddress: `replica.${n}.${stableSuffix(n, 6)}.${shortRegion(ctx.region)}.cache.amazonaws.com`,
    }),
    "aws:elasticache/serverlessCache:ServerlessCache": (n, _id, ctx) => ({
        endpoints: [{ address: `${n}-${stableSuffix(n, 6)}.serverless.${ctx.region}.cache.amazonaws.com`, port: 6379 }],
        readerEndpoints: [{ address: `${n}-${stableSuffix(n, 6)}.serverless.${ctx.region}.cache.amazonaws.com`, port: 6380 }],
    }),
    "aws:opensearch/domain:Domain": (n, _id, ctx) => ({ endpoint: `vpc-${n}-${stableSuffix(n, 26)}.${ctx.region}.es.amazonaws.com` }),
    // Gateway endpoints publish the service's prefix list, which security groups use for egress.
    "aws:ec2/vpcEndpoint:VpcEndpoint": (_n, _id, _ctx, inputs) => (inputs.vpcEndpointType === "Gateway" ? { prefixListId: `pl-${stableSuffix(`${inputs.serviceName}`, 8)}` } : {}),
    // Lambda permissions and IAM policies name the API by its execute-api ARN (arn:aws:execute-api:<region>:<account>:<id>).
    "aws:apigatewayv2/api:Api": (_n, id, ctx) => ({
        apiEndpoint: `https://${id.slice(0, 10)}.execute-api.${ctx.region}.amazonaws.com`,
        executionArn: `arn:${ctx.partition}:execute-api:${ctx.region}:${ctx.accountId}:${id}`,
    }),
    // Queue policies name their queue by URL.
    "aws:sqs/queue:Queue": (n, _id, ctx) => ({ url: `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${n}` }),
};

/** Mocks with the realism of the chosen mode. */
export class OfflineMocks implements pulumi.runtime.Mocks {
    constructor(
        readonly mode: "preview" | "up",
        readonly context: MockContext,
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
        const inputs = (args.inputs ?? {}) as State;
        if (args.custom === false) {
            // Components (local or remote) resolve their own outputs through registerOutputs; in preview a remote
            // component's outputs are unknown like any other computed value.
            if (args.type === "awsx:ec2:Vpc" && this.mode === "up") {
                return this.awsxVpc(args.name, inputs);
            }
            return { id: undefined, state: { ...inputs } };
        }
        if (this.mode === "preview") {
            return this.plannedResource(args.type, args.name, inputs, args.id);
        }
        return this.customResource(args.type, args.name, inputs);
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const mock = invokeMocks[args.token];
        if (!mock) {
            // Fail loudly: a silent empty answer would let a program pass offline and break in the cloud.
            const message =
                `offline engine: no mock for invoke '${args.token}'. Add one to tools/offline/invokes.ts ` +
                `(inputs were ${JSON.stringify(args.inputs)}).`;
            // The SDK rethrows an invoke failure with the engine's gRPC `details`, so the message must travel there.
            throw Object.assign(new Error(message), { details: message });
        }
        return mock(args.inputs as Record<string, unknown>, this.context);
    }

    /**
     * What the engine answers for a new resource during `pulumi preview`: the checked inputs plus unknown
     * computed outputs. The id stays unknown (an empty id in a preview is the engine's "not created yet").
     */
    private plannedResource(type: string, name: string, inputs: State, importId?: string): { id: string | undefined; state: State } {
        const state: State = { ...inputs };
        const schema = resourceSchema(type);
        if (schema && !isProviderType(type)) {
            const nameProp = NAME_PROPERTY[type] ?? "name";
            // The provider's Check auto-names before the preview is shown, so the name is known in a preview
            // unless the program asked for a prefix (then the cloud picks the suffix at create time).
            if (schema.inputs.has(nameProp) && isAbsent(inputs[nameProp]) && isAbsent(inputs[`${nameProp}Prefix`])) {
                state[nameProp] = autoName(type, name, nameProp, inputs);
            }
            for (const prop of schema.outputOnly) {
                if (!(prop in state)) {
                    state[prop] = pulumi.unknown;
                }
            }
        }
        return { id: importId || undefined, state };
    }

    private customResource(type: string, name: string, inputs: State): { id: string; state: State } {
        const { pkg, module, resource } = parseType(type);
        const state: State = { ...inputs };
        if (isProviderType(type)) {
            // Provider references carry the provider's id; the engine gives providers UUIDs.
            return { id: uuidFrom(`${type}::${name}`), state };
        }
        const schema = resourceSchema(type);
        // Without a schema (an SDK the engine cannot read) every guess is allowed, as before.
        const has = (prop: string) => !schema || schema.state.has(prop);
        const nameProp = NAME_PROPERTY[type] ?? "name";
        let physicalName = plainString(inputs[nameProp]);
        if (physicalName === undefined || physicalName === "") {
            physicalName = autoName(type, name, nameProp, inputs);
            if (has(nameProp)) {
                state[nameProp] = physicalName;
            }
        }
        const id = this.physicalId(type, resource, physicalName, name);
        if (pkg === "aws") {
            if (has("arn")) {
                state.arn ??= this.arn(type, module, resource, physicalName, id);
            }
            if (has("tagsAll") && inputs.tags !== undefined) {
                state.tagsAll ??= inputs.tags;
            }
            // AWS provider v7 reports the region of every regional resource.
            if (schema?.state.has("region")) {
                state.region ??= this.context.region;
            }
        }
        if (type === "aws:s3/bucket:Bucket" || type === "aws:s3/bucketV2:BucketV2") {
            state.bucketDomainName = `${physicalName}.s3.amazonaws.com`;
            state.bucketRegionalDomainName = `${physicalName}.s3.${this.context.region}.amazonaws.com`;
            state.region ??= this.context.region;
            if (has("bucketRegion")) {
                state.bucketRegion ??= this.context.region;
            }
        }
        if (type === "aws:kms/key:Key") {
            state.keyId = id;
        }
        if (type === "aws:iam/role:Role") {
            state.uniqueId = `AROA${stableSuffix(name, 17).toUpperCase()}`;
        }
        // Endpoints and managed secrets the data stores report once created, so stack outputs are realistic after up.
        for (const [prop, value] of Object.entries(COMPUTED_OUTPUTS[type]?.(physicalName, id, this.context, inputs) ?? {})) {
            if (has(prop) && state[prop] === undefined) state[prop] = value;
        }
        return { id, state };
    }

    private physicalId(type: string, resource: string, physicalName: string, name: string): string {
        const hex = stableSuffix(`${type}::${name}`, 17);
        switch (type) {
            case "aws:kms/key:Key":
                return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-8${hex.slice(15, 17)}0-${stableSuffix(name, 12)}`;
            case "aws:ec2/vpc:Vpc":
                return `vpc-${hex}`;
            case "aws:ec2/subnet:Subnet":
                return `subnet-${hex}`;
            case "aws:ec2/securityGroup:SecurityGroup":
                return `sg-${hex}`;
            case "aws:ec2/vpcEndpoint:VpcEndpoint":
                return `vpce-${hex}`;
            case "aws:ebs/volume:Volume":
                return `vol-${hex}`;
            case "aws:efs/fileSystem:FileSystem":
                return `fs-${hex}`;
            case "aws:efs/accessPoint:AccessPoint":
                return `fsap-${hex}`;
            case "aws:ec2/launchTemplate:LaunchTemplate":
                return `lt-${hex}`;
            case "aws:ec2/vpnGateway:VpnGateway":
                return `vgw-${hex}`;
            case "aws:ec2/customerGateway:CustomerGateway":
                return `cgw-${hex}`;
            case "aws:ec2/vpnConnection:VpnConnection":
                return `vpn-${hex}`;
            case "aws:ec2/flowLog:FlowLog":
                return `fl-${hex}`;
            case "aws:ec2/routeTable:RouteTable":
                return `rtb-${hex}`;
            case "aws:guardduty/detector:Detector":
                return stableSuffix(name, 32);
            default:
                // Most AWS resources use their name as id; others use an opaque id that the name stands in for here.
                return resource ? physicalName : `${name}-${hex}`;
        }
    }

    private arn(type: string, module: string, resource: string, physicalName: string, id: string): string {
        const { partition, region, accountId } = this.context;
        const service = ARN_SERVICE[module] ?? module;
        if (module === "s3") {
            return `arn:${partition}:s3:::${physicalName}`;
        }
        const path = ARN_PATH[type]?.(physicalName, id) ?? `${resource.charAt(0).toLowerCase()}${resource.slice(1)}/${physicalName}`;
        if (GLOBAL_SERVICES.has(service)) {
            return `arn:${partition}:${service}::${accountId}:${path}`;
        }
        const sep = path.startsWith("/") ? "" : ":";
        return `arn:${partition}:${service}:${region}:${accountId}${sep}${path}`;
    }

    private awsxVpc(name: string, inputs: State): { id: string; state: State } {
        const azCount = typeof inputs.numberOfAvailabilityZones === "number" ? inputs.numberOfAvailabilityZones : 2;
        const azs = Array.isArray(inputs.availabilityZoneNames)
            ? (inputs.availabilityZoneNames as string[])
            : this.context.availabilityZones.slice(0, azCount);
        const vpcId = `vpc-${stableSuffix(`awsx::${name}`, 17)}`;
        const ids = (kind: string) => azs.map((az) => `subnet-${stableSuffix(`${name}::${kind}::${az}`, 17)}`);
        const specs = Array.isArray(inputs.subnetSpecs) ? (inputs.subnetSpecs as { type?: string }[]) : [];
        const kinds = new Set(specs.length ? specs.map((s) => String(s.type ?? "").toLowerCase()) : ["private", "public"]);
        return {
            id: `${name}`,
            state: {
                ...inputs,
                vpcId,
                privateSubnetIds: kinds.has("private") ? ids("private") : [],
                publicSubnetIds: kinds.has("public") ? ids("public") : [],
                isolatedSubnetIds: kinds.has("isolated") ? ids("isolated") : [],
                routeTableIds: azs.map((az) => `rtb-${stableSuffix(`${name}::rt::${az}`, 17)}`),
            },
        };
    }
}
