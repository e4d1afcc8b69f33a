/**
 * Computed outputs the offline mocks do not produce but the program reads after create (a queue's URL, an API's
 * execution ARN, a function's invoke ARN...), in the shapes AWS reports. Deterministic: derived from the
 * resource's id, name and inputs, so repeated runs agree and `pulumi preview --expect-no-changes` holds.
 */
import * as crypto from "crypto";
import type { MockContext } from "../../../offline/mocks";
import { stableSuffix, uuidFrom } from "../../../offline/mocks";
import { unwrapSecrets, type PropertyMap } from "../values";

type Extra = (id: string, name: string, state: PropertyMap, ctx: MockContext) => PropertyMap;

const str = (v: unknown): string | undefined => {
    const plain = unwrapSecrets(v);
    return typeof plain === "string" ? plain : undefined;
};
const hex = (seed: string, n = 17) => stableSuffix(seed, n);
// A fixed creation time: AWS reports the real one, a test double must not make state differ run to run.
const CREATED = "2026-01-01T00:00:00Z";

/** The VPC's main route table, as `aws.ec2.getRouteTables` without a subnet filter answers (invokes.ts). */
export function mainRouteTableId(vpcId: string): string {
    return `rtb-${crypto.createHash("sha256").update(`route-table::${vpcId}::main`).digest("hex").slice(0, 17)}`;
}

export const EXTRA_OUTPUTS: Record<string, Extra> = {
    "aws:sqs/queue:Queue": (_id, _n, s, ctx) => ({ url: `https://sqs.${ctx.region}.amazonaws.com/${ctx.accountId}/${str(s.name)}` }),
    "aws:apigatewayv2/api:Api": (id, _n, _s, ctx) => ({ executionArn: `arn:${ctx.partition}:execute-api:${ctx.region}:${ctx.accountId}:${id}` }),
    "aws:apigatewayv2/stage:Stage": (_id, _n, s, ctx) => ({
        executionArn: `arn:${ctx.partition}:execute-api:${ctx.region}:${ctx.accountId}:${str(s.apiId)}/${str(s.name)}`,
        invokeUrl: `https://${str(s.apiId)}.execute-api.${ctx.region}.amazonaws.com/${str(s.name) === "$default" ? "" : str(s.name)}`,
    }),
    "aws:lambda/function:Function": (_id, _n, s, ctx) => {
        const arn = str(s.arn);
        const invoke = (target: string) => `arn:${ctx.partition}:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${target}/invocations`;
        return { version: "$LATEST", qualifiedArn: `${arn}:$LATEST`, invokeArn: invoke(String(arn)), qualifiedInvokeArn: invoke(`${arn}:$LATEST`), lastModified: CREATED };
    },
    "aws:kms/alias:Alias": (_id, _n, s, ctx) => {
        const target = str(s.targetKeyId);
        return target ? { targetKeyArn: target.startsWith("arn:") ? target : `arn:${ctx.partition}:kms:${ctx.region}:${ctx.accountId}:key/${target}` } : {};
    },
    "aws:dynamodb/table:Table": (_id, _n, s) => (unwrapSecrets(s.streamEnabled) === true ? { streamArn: `${str(s.arn)}/stream/${CREATED.replace("Z", ".000")}`, streamLabel: CREATED.replace("Z", ".000") } : {}),
    "aws:ec2/vpc:Vpc": (id) => ({
        mainRouteTableId: mainRouteTableId(id),
        defaultRouteTableId: mainRouteTableId(id),
        defaultSecurityGroupId: `sg-${hex(`${id}::default-sg`)}`,
        defaultNetworkAclId: `acl-${hex(`${id}::default-acl`)}`,
        dhcpOptionsId: `dopt-${hex(`${id}::dhcp`)}`,
    }),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (id, _n, s, ctx) => {
        const subnets = (unwrapSecrets(s.subnetIds) as string[] | undefined) ?? [];
        const interfaceType = str(s.vpcEndpointType) === "Interface";
        return {
            state: "available",
            requesterManaged: false,
            networkInterfaceIds: interfaceType ? subnets.map((sub) => `eni-${hex(`${id}::${sub}`)}`) : [],
            dnsEntries: interfaceType ? [{ dnsName: `${id}-${hex(id, 8)}.${str(s.serviceName)?.split(".").pop()}.${ctx.region}.vpce.amazonaws.com`, hostedZoneId: "Z7HUB22UULQXV" }] : [],
        };
    },
    "aws:secretsmanager/secretVersion:SecretVersion": (_id, name, s) => ({ secretArn: str(s.secretId), versionId: uuidFrom(`secret-version::${name}::${JSON.stringify(unwrapSecrets(s.secretString) ?? "")}`) }),
    "aws:rds/instance:Instance": (_id, name, s) => ({ resourceId: `db-${hex(name, 26).toUpperCase()}`, status: "available", engineVersionActual: str(s.engineVersion) ?? null, hostedZoneId: "Z2R2ITUGPM61AM" }),
    "aws:efs/fileSystem:FileSystem": (id, _n, _s, ctx) => ({ dnsName: `${id}.efs.${ctx.region}.amazonaws.com`, numberOfMountTargets: 0, sizeInBytes: [{ value: 6144, valueInIa: 0, valueInStandard: 6144 }] }),
    "aws:efs/accessPoint:AccessPoint": (_id, _n, s, ctx) => ({ fileSystemArn: `arn:${ctx.partition}:elasticfilesystem:${ctx.region}:${ctx.accountId}:file-system/${str(s.fileSystemId)}` }),
    "aws:efs/mountTarget:MountTarget": (id, _n, s, ctx) => ({
        fileSystemArn: `arn:${ctx.partition}:elasticfilesystem:${ctx.region}:${ctx.accountId}:file-system/${str(s.fileSystemId)}`,
        dnsName: `${str(s.fileSystemId)}.efs.${ctx.region}.amazonaws.com`,
        networkInterfaceId: `eni-${hex(id)}`,
    }),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (id) => ({ securityGroupRuleId: id }),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (id) => ({ securityGroupRuleId: id }),
    "aws:cloudtrail/trail:Trail": (_id, _n, _s, ctx) => ({ homeRegion: ctx.region }),
    "aws:macie2/classificationJob:ClassificationJob": (id, _n, _s, ctx) => ({ jobId: id, jobArn: `arn:${ctx.partition}:macie2:${ctx.region}:${ctx.accountId}:classification-job/${id}`, createdAt: CREATED }),
    "aws:iam/role:Role": () => ({ createDate: CREATED }),
    "aws:iam/policy:Policy": (_id, name) => ({ policyId: `ANPA${hex(name, 17).toUpperCase()}`, attachmentCount: 0 }),
    "aws:guardduty/detector:Detector": (_id, _n, _s, ctx) => ({ accountId: ctx.accountId }),
    "aws:sns/topic:Topic": (_id, _n, _s, ctx) => ({ owner: ctx.accountId }),
    "aws:sns/topicPolicy:TopicPolicy": (_id, _n, _s, ctx) => ({ owner: ctx.accountId }),
    "aws:s3/bucket:Bucket": (_id, _n, _s, ctx) => (ctx.region === "us-east-1" ? { hostedZoneId: "Z3AQBSTGFYJSTF" } : {}),
    "aws:kms/grant:Grant": (id) => ({ grantId: hex(`${id}::grant`, 64) }),
};
