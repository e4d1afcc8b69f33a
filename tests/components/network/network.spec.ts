import * as assert from "assert";
import { composeNetwork } from "../../../components/network/compose";
import { VALKEY_SERVERLESS_READER_PORT } from "../../../components/storage/cache";
import { PlatformConfig } from "../../../components/shared/config";
import {
    DEFAULT_COMPUTE_TLS_PORTS,
    DEFAULT_INTERFACE_ENDPOINTS,
    DEFAULT_ON_PREM_TLS_PORTS,
    InterfaceEndpointService,
    Network,
    NetworkArgs,
} from "../../../components/network/network";
import { Mode, recordProgram, Recording, RecordedResource } from "../../../tools/offline/recorder";
import { ALLOW_ALL, evaluate } from "../../support/iam";
import { contextOf, descendants, fakeKeys, inputs, ofType, one, platformConfig, policyDocument, UNKNOWN } from "../../support/platform";
import { runPack, simulate } from "../security/support";

const T = {
    vpc: "awsx:ec2:Vpc",
    component: "healthcare:network:Network",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    flowLog: "aws:ec2/flowLog:FlowLog",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    cgw: "aws:ec2/customerGateway:CustomerGateway",
    vgw: "aws:ec2/vpnGateway:VpnGateway",
    vpn: "aws:ec2/vpnConnection:VpnConnection",
    vpnRoute: "aws:ec2/vpnConnectionRoute:VpnConnectionRoute",
    propagation: "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation",
    resolverEndpoint: "aws:route53/resolverEndpoint:ResolverEndpoint",
    resolverRule: "aws:route53/resolverRule:ResolverRule",
    resolverRuleAssociation: "aws:route53/resolverRuleAssociation:ResolverRuleAssociation",
} as const;
const VPN_TYPES = [T.cgw, T.vgw, T.vpn, T.vpnRoute, T.propagation];
const OTHER_ACCOUNT = "999988887777";
const OPEN_BUCKET = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }] };

type Stack = "dev" | "prod";

function argsFor(cfg: PlatformConfig, extra: Partial<NetworkArgs> = {}): NetworkArgs {
    return { context: contextOf(cfg), network: cfg.network, logsKey: fakeKeys(cfg).logs, ...extra };
}

async function record(stack: Stack, mode: Mode, overrides: Record<string, unknown> = {}, extra: Partial<NetworkArgs> = {}): Promise<{ rec: Recording; cfg: PlatformConfig }> {
    const cfg = platformConfig(stack, overrides);
    const rec = await recordProgram(
        async () => {
            // The stack's network as index.ts composes it; a spec that varies the component's own arguments builds it directly.
            if (Object.keys(extra).length === 0) composeNetwork(cfg, { context: contextOf(cfg), keys: fakeKeys(cfg) });
            else new Network("network", argsFor(cfg, extra));
        },
        { mode, stack, context: { accountId: cfg.naming.accountId, region: cfg.naming.region } },
    );
    return { rec, cfg };
}

const vpcOutputs = (rec: Recording) => one(rec, T.vpc, "network-vpc").outputs as { vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[] };

/** Route table ids the component looked up (the getRouteTables invoke's answer is deterministic per subnet). */
function routeTableInvoke(rec: Recording): { filters: { name: string; values: string[] }[]; vpcId: string } {
    const calls = rec.invokes.filter((i) => i.token === "aws:ec2/getRouteTables:getRouteTables");
    assert.strictEqual(calls.length, 1, "exactly one route-table lookup");
    return calls[0].args as { filters: { name: string; values: string[] }[]; vpcId: string };
}

describe("Network (healthcare:network:Network)", () => {
    describe("VPC layout", () => {
        it("dev: private subnets only, no NAT, two AZs, DNS on for private endpoint names, pinned subnet strategy", async () => {
            const { rec, cfg } = await record("dev", "preview");
            const vpc = inputs(one(rec, T.vpc, "network-vpc"));
            assert.strictEqual(cfg.network.natGateways, "none");
            assert.deepStrictEqual(vpc.natGateways, { strategy: "None" });
            assert.deepStrictEqual(vpc.subnetSpecs, [{ type: "Private", cidrMask: 18, name: "private" }]);
            assert.strictEqual(vpc.cidrBlock, "10.40.0.0/16");
            assert.strictEqual(vpc.numberOfAvailabilityZones, 2);
            assert.strictEqual(vpc.enableDnsHostnames, true);
            assert.strictEqual(vpc.enableDnsSupport, true);
            assert.strictEqual(vpc.subnetStrategy, "Auto");
            // The awsx component is one remote registration whose children the mocks do not expand.
            assert.strictEqual(one(rec, T.vpc, "network-vpc").remote, true);
        });

        for (const [nat, strategy] of [["single", "Single"], ["onePerAz", "OnePerAz"]] as const) {
            it(`natGateways=${nat} adds exactly one small public subnet spec for the NAT gateway and nothing else`, async () => {
                const base = await record("prod", "preview");
                const { rec } = await record("prod", "preview", { natGateways: nat });
                const vpc = inputs(one(rec, T.vpc, "network-vpc"));
                assert.deepStrictEqual(vpc.natGateways, { strategy });
                // 10.50.0.0/16 over three AZs: /18 per AZ, half of it private (/19), a /22 public slice.
                assert.deepStrictEqual(vpc.subnetSpecs, [
                    { type: "Private", cidrMask: 19, name: "private" },
                    { type: "Public", cidrMask: 22, name: "public" },
                ]);
                assert.strictEqual(rec.resources.length, base.rec.resources.length);
            });
        }

        it("up: the refs and outputs carry the VPC's ids; a NAT-less VPC has no public subnet", async () => {
            const { rec, cfg } = await record("prod", "up");
            const out = vpcOutputs(rec);
            assert.strictEqual(out.privateSubnetIds.length, 3);
            assert.deepStrictEqual(out.publicSubnetIds, []);
            const component = one(rec, T.component, "network");
            assert.strictEqual(component.outputs.vpcId, out.vpcId);
            assert.deepStrictEqual(component.outputs.privateSubnetIds, out.privateSubnetIds);
            assert.strictEqual(component.outputs.vpcCidr, cfg.network.vpcCidr);
            assert.match(String(component.outputs.computeSecurityGroupId), /^sg-[0-9a-f]{17}$/);
            assert.strictEqual(component.outputs.computeSecurityGroupId, one(rec, T.sg, "network-compute-sg").id);
        });

        it("rejects a CIDR too small for the AZ count, naming network.vpcCidr", async () => {
            const cfg = platformConfig("prod");
            await assert.rejects(
                recordProgram(async () => {
                    new Network("network", argsFor(cfg, { network: { ...cfg.network, vpcCidr: "10.0.0.0/26" } }));
                }, { mode: "preview" }),
                /Network: network\.vpcCidr 10\.0\.0\.0\/26 is too small for 3 availability zones \(private subnets would be \/29; AWS's smallest is \/28\)/,
            );
        });
    });

    describe("flow logs", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: ALL traffic of the VPC into a KMS-encrypted log group with the operational retention`, async () => {
                const { rec, cfg } = await record(stack, "up");
                const group = one(rec, T.logGroup, "network-flow-logs");
                const flow = one(rec, T.flowLog, "network-flow-log");
                const role = one(rec, T.role, "network-flow-logs-role");
                const g = inputs(group);
                assert.strictEqual(g.name, "/aws/vpc-flow-logs/" + `hdp-${stack}-network`);
                assert.strictEqual(g.kmsKeyId, fakeKeys(cfg).logs.arn);
                assert.strictEqual(g.retentionInDays, cfg.logging.retentionDays);
                assert.strictEqual(g.deletionProtectionEnabled, stack === "prod");
                assert.strictEqual(group.options.protect, stack === "prod");
                const f = inputs(flow);
                assert.strictEqual(f.trafficType, "ALL");
                assert.strictEqual(f.logDestinationType, "cloud-watch-logs");
                assert.strictEqual(f.vpcId, vpcOutputs(rec).vpcId);
                assert.strictEqual(f.logDestination, group.outputs.arn);
                assert.strictEqual(f.iamRoleArn, role.outputs.arn);
                assert.strictEqual(f.maxAggregationInterval, 60);
                // The flow log waits for the delivery permissions, or its first deliveries fail.
                assert.ok(flow.dependencies.includes(one(rec, T.rolePolicy, "network-flow-logs-delivery").urn));
            });
        }

        it("the delivery role is assumable only by VPC Flow Logs for this account, and may write only its log group", async () => {
            const { rec, cfg } = await record("prod", "preview");
            const account = cfg.naming.accountId;
            const trust = policyDocument(one(rec, T.role, "network-flow-logs-role"), "assumeRolePolicy");
            const assume = (principal: string, sourceAccount: string) =>
                simulate(
                    {
                        principal,
                        action: "sts:AssumeRole",
                        resource: `arn:aws:iam::${account}:role/hdp-prod-network-flow-logs`,
                        resourceAccount: account,
                        context: { "aws:SourceAccount": sourceAccount, "aws:SourceArn": `arn:aws:ec2:us-east-1:${sourceAccount}:vpc-flow-log/fl-0123456789abcdef0` },
                    },
                    { resourcePolicy: trust },
                );
            assert.strictEqual(await assume("vpc-flow-logs.amazonaws.com", account), "Allowed");
            assert.strictEqual(await assume("vpc-flow-logs.amazonaws.com", OTHER_ACCOUNT), "ImplicitlyDenied");
            assert.strictEqual(await assume("delivery.logs.amazonaws.com", account), "ImplicitlyDenied");

            const delivery = policyDocument(one(rec, T.rolePolicy, "network-flow-logs-delivery"));
            const role = `arn:aws:sts::${account}:assumed-role/hdp-prod-network-flow-logs/flow-logs`;
            const put = (group: string) =>
                simulate(
                    { principal: role, action: "logs:PutLogEvents", resource: `arn:aws:logs:us-east-1:${account}:log-group:${group}:log-stream:eni-1-all`, resourceAccount: account },
                    { identityPolicy: delivery },
                );
            assert.strictEqual(await put("/aws/vpc-flow-logs/hdp-prod-network"), "Allowed");
            assert.strictEqual(await put("/aws/cloudtrail/hdp-prod-audit"), "ImplicitlyDenied");
        });
    });

    describe("VPC endpoints", () => {
        it("S3 and DynamoDB gateway endpoints route through the private route tables looked up by subnet association", async () => {
            const { rec } = await record("prod", "up");
            const out = vpcOutputs(rec);
            const lookup = routeTableInvoke(rec);
            assert.strictEqual(lookup.vpcId, out.vpcId);
            assert.deepStrictEqual(lookup.filters, [{ name: "association.subnet-id", values: out.privateSubnetIds }]);
            const routeTables = one(rec, T.component, "network").outputs.privateRouteTableIds as string[];
            assert.strictEqual(routeTables.length, 3);
            assert.deepStrictEqual(routeTables, [...routeTables].sort());
            for (const service of ["s3", "dynamodb"]) {
                const ep = inputs(one(rec, T.endpoint, `network-${service}-endpoint`));
                assert.strictEqual(ep.vpcEndpointType, "Gateway");
                assert.strictEqual(ep.serviceName, `com.amazonaws.us-east-1.${service}`);
                assert.deepStrictEqual(ep.routeTableIds, routeTables);
                assert.strictEqual(ep.vpcId, out.vpcId);
                // The compute group reaches the gateway endpoint at the service's prefix list, read from the endpoint.
                const prefixList = one(rec, T.endpoint, `network-${service}-endpoint`).outputs.prefixListId;
                assert.match(String(prefixList), /^pl-[0-9a-f]+$/);
                assert.strictEqual(inputs(one(rec, T.egress, `network-compute-out-${service}-endpoint`)).prefixListId, prefixList);
            }
        });

        it("one interface endpoint per default service, in the private subnets, behind the endpoint group, with private DNS", async () => {
            const { rec } = await record("dev", "up");
            const interfaces = ofType(rec, T.endpoint).filter((r) => inputs(r).vpcEndpointType === "Interface");
            const services = interfaces.map((r) => String(inputs(r).serviceName).replace("com.amazonaws.us-east-1.", "").replace("com.amazonaws.", ""));
            // Dev's query API authorises with IAM, so the composition adds the IAM endpoint (see the next test).
            assert.deepStrictEqual([...services].sort(), [...DEFAULT_INTERFACE_ENDPOINTS, "iam"].sort());
            assert.ok(!services.includes("execute-api"), "execute-api would hijack *.execute-api names of public APIs");
            const sg = one(rec, T.sg, "network-endpoints-sg").id;
            for (const r of interfaces) {
                const ep = inputs(r);
                assert.strictEqual(ep.privateDnsEnabled, true, r.name);
                assert.deepStrictEqual(ep.subnetIds, vpcOutputs(rec).privateSubnetIds, r.name);
                assert.deepStrictEqual(ep.securityGroupIds, [sg], r.name);
            }
        });

        it("an IAM-mode query API in us-east-1 gets the global IAM endpoint (com.amazonaws.iam) for its tenant lookup; a JWT API, or another Region (NAT), does not; the component refuses it outside us-east-1", async () => {
            const iamEndpoints = (rec: Recording) => ofType(rec, T.endpoint).filter((r) => String(inputs(r).serviceName).startsWith("com.amazonaws.iam"));
            for (const stack of ["dev", "prod"] as const) {
                const { rec, cfg } = await record(stack, "preview");
                assert.strictEqual(cfg.analytics.api.authorization, "IAM");
                const [iam] = iamEndpoints(rec);
                assert.strictEqual(iamEndpoints(rec).length, 1, stack);
                assert.strictEqual(iam.name, "network-iam-endpoint");
                assert.strictEqual(inputs(iam).serviceName, "com.amazonaws.iam");
                assert.strictEqual(inputs(iam).privateDnsEnabled, true, "the SDK's iam.amazonaws.com must resolve to the endpoint");
            }
            const jwt = await record("dev", "preview", { apiAuthorization: "JWT", apiJwtIssuer: "https://idp.example.org", apiJwtAudience: ["hdp-api"] });
            assert.deepStrictEqual(iamEndpoints(jwt.rec), []);
            // Outside us-east-1 there is no IAM endpoint to create: IAM mode reaches IAM through NAT there (config requires it).
            const westWithNat = await record("dev", "preview", { "aws:region": "us-west-2", natGateways: "single" });
            assert.deepStrictEqual(iamEndpoints(westWithNat.rec), []);
            const cfg = platformConfig("dev");
            await assert.rejects(
                recordProgram(async () => {
                    new Network("network", { ...argsFor(cfg, { interfaceEndpoints: ["kms", "iam"] }), context: { ...contextOf(cfg), naming: { ...cfg.naming, region: "eu-west-1" } } });
                }, { mode: "preview" }),
                (e: Error) =>
                    e.message === "Network 'network': interfaceEndpoints lists 'iam', whose endpoint service (com.amazonaws.iam) AWS offers only in us-east-1; the stack's region is eu-west-1",
            );
        });

        it("a chosen endpoint list is honoured and a service listed twice is refused by name", async () => {
            const chosen: InterfaceEndpointService[] = ["kms", "sts", "redshift-data", "ecr.api", "ecr.dkr"];
            const { rec } = await record("dev", "preview", {}, { interfaceEndpoints: chosen });
            const services = ofType(rec, T.endpoint)
                .filter((r) => inputs(r).vpcEndpointType === "Interface")
                .map((r) => String(inputs(r).serviceName).split(".").slice(3).join("."));
            assert.deepStrictEqual(services.sort(), [...chosen].sort());
            assert.ok(one(rec, T.endpoint, "network-ecr-dkr-endpoint"));
            const cfg = platformConfig("dev");
            await assert.rejects(
                recordProgram(async () => {
                    new Network("network", argsFor(cfg, { interfaceEndpoints: ["kms", "logs", "kms"] }));
                }, { mode: "preview" }),
                /Network 'network': interfaceEndpoints lists 'kms' twice; expected one endpoint per service/,
            );
        });

        it("every endpoint policy is a known document at preview", async () => {
            for (const stack of ["dev", "prod"] as const) {
                const { rec } = await record(stack, "preview");
                for (const r of ofType(rec, T.endpoint)) {
                    const raw = inputs(r).policy;
                    assert.notStrictEqual(raw, UNKNOWN, r.name);
                    assert.ok(!JSON.stringify(raw).includes(UNKNOWN), r.name);
                    assert.ok(policyDocument(r).Statement.length > 0, r.name);
                }
            }
        });

        it("S3 endpoint policy (evaluated): own principals to own buckets; no foreign bucket, no foreign principal; AWS repos read-only", async () => {
            const { rec, cfg } = await record("prod", "preview");
            const account = cfg.naming.accountId;
            const endpointPolicy = policyDocument(one(rec, T.endpoint, "network-s3-endpoint"));
            const app = `arn:aws:sts::${account}:assumed-role/hdp-prod-glue-etl/job`;
            // Buckets of other accounts get a wide-open bucket policy (an attacker's drop bucket, AWS's public repositories),
            // so that only the endpoint policy can be what refuses a request.
            const s3 = (principal: string, action: string, resource: string, resourceAccount: string) =>
                simulate({ principal, action, resource, resourceAccount }, { endpointPolicy, resourcePolicy: resourceAccount === account ? undefined : OPEN_BUCKET });
            const raw = `arn:aws:s3:::hdp-prod-raw-${account}-us-east-1`;
            assert.strictEqual(await s3(app, "s3:PutObject", `${raw}/customer=st-marys/a.json`, account), "Allowed");
            assert.strictEqual(await s3(app, "s3:ListBucket", raw, account), "Allowed");
            // A bucket named like ours but owned elsewhere, and any other bucket: the exfiltration paths.
            assert.strictEqual(await s3(app, "s3:PutObject", "arn:aws:s3:::hdp-prod-exfil/a.json", OTHER_ACCOUNT), "ImplicitlyDenied");
            assert.strictEqual(await s3(app, "s3:PutObject", "arn:aws:s3:::attacker-drop/a.json", OTHER_ACCOUNT), "ImplicitlyDenied");
            assert.strictEqual(await s3(`arn:aws:iam::${OTHER_ACCOUNT}:role/intruder`, "s3:GetObject", `${raw}/a.json`, account), "ImplicitlyDenied");
            // Dev's buckets are not prod's.
            assert.strictEqual(await s3(app, "s3:GetObject", `arn:aws:s3:::hdp-dev-raw-${account}-us-east-1/a.json`, account), "ImplicitlyDenied");
            const repo = "arn:aws:s3:::al2023-repos-us-east-1-de612dc2/core/mirrors/repodata.xml";
            assert.strictEqual(await s3(app, "s3:GetObject", repo, "137112412989"), "Allowed");
            assert.strictEqual(await s3(app, "s3:PutObject", repo, "137112412989"), "ImplicitlyDenied");
            // ECR's layer bucket is reachable only when images are pulled through the ECR endpoints.
            const layer = "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/sha256/abc";
            assert.strictEqual(await s3(app, "s3:GetObject", layer, "137112412989"), "ImplicitlyDenied");
            const withEcr = await record("prod", "preview", {}, { interfaceEndpoints: [...DEFAULT_INTERFACE_ENDPOINTS, "ecr.api", "ecr.dkr"] });
            assert.strictEqual(
                await simulate(
                    { principal: app, action: "s3:GetObject", resource: layer, resourceAccount: "137112412989" },
                    { endpointPolicy: policyDocument(one(withEcr.rec, T.endpoint, "network-s3-endpoint")), resourcePolicy: OPEN_BUCKET },
                ),
                "Allowed",
            );
        });

        it("DynamoDB and interface endpoint policies (evaluated): this account's principals on this account's resources", async () => {
            const { rec, cfg } = await record("dev", "preview");
            const account = cfg.naming.accountId;
            const app = `arn:aws:sts::${account}:assumed-role/hdp-dev-api/fn`;
            const intruder = `arn:aws:iam::${OTHER_ACCOUNT}:role/intruder`;
            const ddb = policyDocument(one(rec, T.endpoint, "network-dynamodb-endpoint"));
            const table = (name: string) => `arn:aws:dynamodb:us-east-1:${account}:table/${name}`;
            assert.strictEqual(await simulate({ principal: app, action: "dynamodb:GetItem", resource: table("hdp-dev-sessions"), resourceAccount: account }, { endpointPolicy: ddb }), "Allowed");
            assert.strictEqual(await simulate({ principal: app, action: "dynamodb:GetItem", resource: table("other-team"), resourceAccount: account }, { endpointPolicy: ddb }), "ImplicitlyDenied");
            assert.strictEqual(await simulate({ principal: intruder, action: "dynamodb:GetItem", resource: table("hdp-dev-sessions"), resourceAccount: account }, { endpointPolicy: ddb }), "ImplicitlyDenied");

            const kms = policyDocument(one(rec, T.endpoint, "network-kms-endpoint"));
            const ownKey = `arn:aws:kms:us-east-1:${account}:key/11111111-2222-4333-8444-555555555555`;
            const foreignKey = `arn:aws:kms:us-east-1:${OTHER_ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;
            // Key policies that let everyone in: only the endpoint policy decides.
            const openKey = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }] };
            const viaKms = (principal: string, action: string, key: string, keyAccount: string) =>
                simulate({ principal, action, resource: key, resourceAccount: keyAccount }, { endpointPolicy: kms, resourcePolicy: openKey });
            assert.strictEqual(await viaKms(app, "kms:Decrypt", ownKey, account), "Allowed");
            // Encrypting under a foreign key is a way out for data: refused.
            assert.strictEqual(await viaKms(app, "kms:Encrypt", foreignKey, OTHER_ACCOUNT), "ImplicitlyDenied");
            assert.strictEqual(await viaKms(intruder, "kms:Decrypt", ownKey, account), "ImplicitlyDenied");
            // Calls without a resource ARN keep working (IfExists).
            const sts = policyDocument(one(rec, T.endpoint, "network-sts-endpoint"));
            // A call on no resource carries no aws:ResourceAccount (`simulate` would add one), so the IfExists branch decides.
            const who = await evaluate({
                principal: app,
                action: "sts:GetCallerIdentity",
                resource: "*",
                resourceAccount: account,
                context: { "aws:PrincipalAccount": account },
                identityPolicies: [ALLOW_ALL],
                endpointPolicy: sts,
            });
            assert.strictEqual(who, "Allowed");
        });
    });

    describe("security groups", () => {
        const rulesOf = (rec: Recording, type: string, groupName: string) =>
            ofType(rec, type).filter((r) => r.propertyDependencies.securityGroupId?.includes(one(rec, T.sg, groupName).urn));

        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: endpoints admit only HTTPS from the VPC; compute leaves only on TLS ports to the VPC${stack === "prod" ? ", the on-prem CIDRs" : ""} and the gateway prefix lists`, async () => {
                const { rec, cfg } = await record(stack, "preview");
                const endpointIngress = rulesOf(rec, T.ingress, "network-endpoints-sg").map(inputs);
                assert.deepStrictEqual(
                    endpointIngress.map((r) => [r.ipProtocol, r.fromPort, r.toPort, r.cidrIpv4]),
                    [["tcp", 443, 443, cfg.network.vpcCidr]],
                );
                assert.deepStrictEqual(rulesOf(rec, T.egress, "network-endpoints-sg"), []);

                const egress = rulesOf(rec, T.egress, "network-compute-sg");
                const toCidr = egress.map(inputs).filter((r) => r.cidrIpv4 !== undefined);
                // dev's Valkey cache is serverless, whose replica reads use 6380: the stack's compute may reach it (prod's replication group does not).
                const serverlessCachePorts = cfg.storage.elasticache.enabled && cfg.storage.elasticache.mode === "serverless" ? [VALKEY_SERVERLESS_READER_PORT] : [];
                assert.deepStrictEqual(serverlessCachePorts, stack === "dev" ? [6380] : []);
                const expected = [
                    ...[...DEFAULT_COMPUTE_TLS_PORTS, ...serverlessCachePorts].map((p) => `${cfg.network.vpcCidr}:${p}`),
                    ...(cfg.network.onPremises?.cidrs ?? []).flatMap((c) => DEFAULT_ON_PREM_TLS_PORTS.map((p) => `${c}:${p}`)),
                ];
                assert.deepStrictEqual(toCidr.map((r) => `${r.cidrIpv4}:${r.fromPort}`).sort(), expected.sort());
                assert.ok(toCidr.every((r) => r.fromPort === r.toPort && r.ipProtocol === "tcp"));
                // 443 to the S3 and DynamoDB prefix lists, taken from the gateway endpoints themselves.
                for (const service of ["s3", "dynamodb"]) {
                    const rule = one(rec, T.egress, `network-compute-out-${service}-endpoint`);
                    assert.deepStrictEqual([inputs(rule).fromPort, inputs(rule).toPort], [443, 443]);
                    assert.deepStrictEqual(rule.propertyDependencies.prefixListId, [one(rec, T.endpoint, `network-${service}-endpoint`).urn]);
                }
                // Nothing anywhere opens the internet.
                for (const r of [...ofType(rec, T.ingress), ...ofType(rec, T.egress)]) {
                    assert.ok(!["0.0.0.0/0"].includes(String(inputs(r).cidrIpv4)), r.name);
                    assert.notStrictEqual(inputs(r).ipProtocol, "-1", r.name);
                }
            });
        }

        it("the self-reference Glue needs stays inside the compute group and can be switched off", async () => {
            const { rec } = await record("dev", "up");
            const sg = one(rec, T.sg, "network-compute-sg").id;
            for (const [type, name] of [[T.ingress, "network-compute-self-in"], [T.egress, "network-compute-self-out"]] as const) {
                const r = inputs(one(rec, type, name));
                assert.deepStrictEqual([r.referencedSecurityGroupId, r.securityGroupId, r.fromPort, r.toPort], [sg, sg, 0, 65535]);
            }
            const off = await record("dev", "preview", {}, { allowIntraComputeTraffic: false });
            const on = await record("dev", "preview", {}, { allowIntraComputeTraffic: true });
            assert.strictEqual(off.rec.resources.length, on.rec.resources.length - 2);
            assert.ok(!off.rec.resources.some((r) => r.name.includes("compute-self")));
        });
    });

    describe("on-prem names (Route 53 Resolver)", () => {
        it("dev (no on-prem site): no resolver endpoint, rule or association", async () => {
            const { rec } = await record("dev", "preview");
            for (const type of [T.resolverEndpoint, T.resolverRule, T.resolverRuleAssociation]) assert.deepStrictEqual(ofType(rec, type), [], type);
        });

        it("prod: an outbound endpoint in two private subnets, port 53 only to the on-prem resolvers, and a forwarding rule for the on-prem domain associated with the VPC", async () => {
            const { rec, cfg } = await record("prod", "up");
            const dns = cfg.network.onPremises!.dns!;
            assert.deepStrictEqual(dns, { domain: "stmarys.internal", resolverIps: ["192.168.1.10", "192.168.1.11"] });
            const vpc = vpcOutputs(rec);
            const endpoint = inputs(one(rec, T.resolverEndpoint, "network-dns-outbound"));
            assert.strictEqual(endpoint.direction, "OUTBOUND");
            assert.deepStrictEqual(endpoint.ipAddresses, vpc.privateSubnetIds.slice(0, 2).map((subnetId) => ({ subnetId })));
            const sg = one(rec, T.sg, "network-dns-sg");
            assert.deepStrictEqual(endpoint.securityGroupIds, [sg.id]);
            assert.strictEqual(inputs(sg).vpcId, vpc.vpcId);
            // Egress: TCP and UDP 53 to each resolver, nothing else; no ingress (the endpoint only initiates queries).
            const egress = ofType(rec, T.egress).filter((r) => inputs(r).securityGroupId === sg.id).map((r) => inputs(r));
            assert.deepStrictEqual(
                egress.map((e) => `${e.ipProtocol} ${e.fromPort}-${e.toPort} ${e.cidrIpv4}`).sort(),
                ["tcp 53-53 192.168.1.10/32", "tcp 53-53 192.168.1.11/32", "udp 53-53 192.168.1.10/32", "udp 53-53 192.168.1.11/32"],
            );
            assert.deepStrictEqual(ofType(rec, T.ingress).filter((r) => inputs(r).securityGroupId === sg.id), []);
            const rule = one(rec, T.resolverRule, "network-dns-forward");
            assert.deepStrictEqual(
                { ruleType: inputs(rule).ruleType, domainName: inputs(rule).domainName, targetIps: inputs(rule).targetIps, resolverEndpointId: inputs(rule).resolverEndpointId },
                { ruleType: "FORWARD", domainName: "stmarys.internal", targetIps: [{ ip: "192.168.1.10", port: 53 }, { ip: "192.168.1.11", port: 53 }], resolverEndpointId: one(rec, T.resolverEndpoint, "network-dns-outbound").id },
            );
            const assoc = inputs(one(rec, T.resolverRuleAssociation, "network-dns-forward-vpc"));
            assert.deepStrictEqual([assoc.resolverRuleId, assoc.vpcId], [rule.id, vpc.vpcId]);
        });
    });

    describe("site-to-site VPN", () => {
        it("dev (no onPremCidrs): no customer gateway, VPN gateway, connection, route or propagation", async () => {
            const { rec, cfg } = await record("dev", "preview");
            assert.strictEqual(cfg.network.onPremises, undefined);
            for (const type of VPN_TYPES) {
                assert.deepStrictEqual(ofType(rec, type), [], type);
            }
            assert.ok(!ofType(rec, T.logGroup).some((r) => r.name === "network-vpn-logs"));
        });

        it("prod: customer gateway and a VPN gateway attached to the VPC", async () => {
            const { rec, cfg } = await record("prod", "up");
            const onPrem = cfg.network.onPremises!;
            const cgw = one(rec, T.cgw, "network-customer-gateway");
            assert.deepStrictEqual(
                { type: inputs(cgw).type, ipAddress: inputs(cgw).ipAddress, bgpAsn: inputs(cgw).bgpAsn },
                { type: "ipsec.1", ipAddress: onPrem.vpnPeerIp, bgpAsn: String(onPrem.bgpAsn) },
            );
            const vgw = one(rec, T.vgw, "network-vpn-gateway");
            assert.strictEqual(inputs(vgw).vpcId, vpcOutputs(rec).vpcId);
            assert.deepStrictEqual(vgw.propertyDependencies.vpcId, [one(rec, T.vpc, "network-vpc").urn]);
        });

        it("prod: an IPSec connection with IKEv2, AES-256-GCM, SHA-2 and EC DH groups 19-21 on both tunnels, logged to an encrypted group", async () => {
            const { rec, cfg } = await record("prod", "up");
            const vpn = inputs(one(rec, T.vpn, "network-vpn"));
            const logs = one(rec, T.logGroup, "network-vpn-logs");
            assert.strictEqual(vpn.type, "ipsec.1");
            assert.strictEqual(vpn.staticRoutesOnly, true);
            assert.strictEqual(vpn.customerGatewayId, one(rec, T.cgw, "network-customer-gateway").id);
            assert.strictEqual(vpn.vpnGatewayId, one(rec, T.vgw, "network-vpn-gateway").id);
            assert.strictEqual(vpn.presharedKeyStorage, "SecretsManager");
            for (const t of ["tunnel1", "tunnel2"]) {
                assert.deepStrictEqual(vpn[`${t}IkeVersions`], ["ikev2"], t);
                for (const phase of ["Phase1", "Phase2"]) {
                    assert.deepStrictEqual(vpn[`${t}${phase}EncryptionAlgorithms`], ["AES256-GCM-16"], `${t} ${phase}`);
                    assert.deepStrictEqual(vpn[`${t}${phase}IntegrityAlgorithms`], ["SHA2-256", "SHA2-384", "SHA2-512"], `${t} ${phase}`);
                    assert.deepStrictEqual(vpn[`${t}${phase}DhGroupNumbers`], [19, 20, 21], `${t} ${phase}`);
                }
                assert.deepStrictEqual(vpn[`${t}LogOptions`], {
                    cloudwatchLogOptions: { logEnabled: true, logGroupArn: logs.outputs.arn, logOutputFormat: "json" },
                });
            }
            assert.strictEqual(inputs(logs).kmsKeyId, fakeKeys(cfg).logs.arn);
            assert.strictEqual(inputs(logs).retentionInDays, cfg.logging.retentionDays);
        });

        it("prod: one static route per on-prem CIDR and propagation into each private route table", async () => {
            const { rec, cfg } = await record("prod", "up");
            const vpnId = one(rec, T.vpn, "network-vpn").id;
            assert.deepStrictEqual(
                ofType(rec, T.vpnRoute).map((r) => [inputs(r).destinationCidrBlock, inputs(r).vpnConnectionId]),
                cfg.network.onPremises!.cidrs.map((c) => [c, vpnId]),
            );
            const routeTables = one(rec, T.component, "network").outputs.privateRouteTableIds as string[];
            const vgw = one(rec, T.vgw, "network-vpn-gateway").id;
            assert.deepStrictEqual(
                ofType(rec, T.propagation).map((r) => [inputs(r).routeTableId, inputs(r).vpnGatewayId]),
                routeTables.map((rt) => [rt, vgw]),
            );
        });

        it("BGP (onPremStaticRoutesOnly=false): no static routes, propagation still on", async () => {
            const { rec } = await record("prod", "preview", { onPremStaticRoutesOnly: false });
            assert.strictEqual(inputs(one(rec, T.vpn, "network-vpn")).staticRoutesOnly, false);
            assert.deepStrictEqual(ofType(rec, T.vpnRoute), []);
            assert.strictEqual(ofType(rec, T.propagation).length, 3);
        });

        it("a 4-byte ASN goes in bgpAsnExtended", async () => {
            const { rec } = await record("prod", "preview", { onPremBgpAsn: 4200000000 });
            const cgw = inputs(one(rec, T.cgw, "network-customer-gateway"));
            assert.deepStrictEqual([cgw.bgpAsn, cgw.bgpAsnExtended], [undefined, "4200000000"]);
        });
    });

    describe("component hygiene", () => {
        for (const stack of ["dev", "prod"] as const) {
            it(`${stack}: every resource is a direct child of the Network component`, async () => {
                const { rec } = await record(stack, "preview");
                const component = one(rec, T.component, "network");
                const children = descendants(rec, component.urn);
                assert.strictEqual(children.length, rec.resources.length - 2);
                for (const r of children) {
                    assert.strictEqual(r.parent, component.urn, r.name);
                    assert.ok(r.name.startsWith("network-"), r.name);
                }
            });
        }

        it("prod protects the VPC, the log groups and the VPN resources; dev protects nothing", async () => {
            const { rec } = await record("prod", "preview");
            const protectedNames = rec.resources.filter((r) => r.options.protect).map((r) => r.name).sort();
            assert.deepStrictEqual(protectedNames, ["network-customer-gateway", "network-flow-logs", "network-vpc", "network-vpn", "network-vpn-gateway", "network-vpn-logs"]);
            const dev = await record("dev", "preview");
            assert.deepStrictEqual(dev.rec.resources.filter((r) => r.options.protect).map((r) => r.name), []);
        });

        it("two instances in one stack register no colliding URN or physical name", async () => {
            const cfg = platformConfig("prod");
            const rec = await recordProgram(
                async () => {
                    new Network("network", argsFor(cfg));
                    new Network("analytics-net", argsFor(cfg, { network: { ...cfg.network, vpcCidr: "10.60.0.0/16", onPremises: undefined } }));
                },
                { mode: "preview", stack: "prod", context: { accountId: cfg.naming.accountId } },
            );
            const urns = rec.resources.map((r) => r.urn);
            assert.strictEqual(new Set(urns).size, urns.length);
            const physical = (type: string) => ofType(rec, type).map((r: RecordedResource) => String(inputs(r).name));
            for (const type of [T.logGroup, T.role, T.sg]) {
                const names = physical(type);
                assert.strictEqual(new Set(names).size, names.length, `${type}: ${names.join(", ")}`);
            }
        });
    });

    describe("policy pack", () => {
        for (const stack of ["dev", "prod"] as const) {
            for (const mode of ["preview", "up"] as const) {
                it(`${stack} ${mode}: no mandatory violation, nothing skipped at preview${stack === "dev" ? ", only dev's short log retention advised against" : ""}`, async () => {
                    const { rec, cfg } = await record(stack, mode);
                    const verdict = await runPack(rec, cfg);
                    assert.deepStrictEqual(verdict.mandatory, []);
                    assert.deepStrictEqual(verdict.previewSkipped, []);
                    // Dev keeps operational logs 14 days by config (logRetentionDays); the pack's advisory minimum is 365.
                    assert.deepStrictEqual(
                        verdict.advisory.map((m) => m.replace(/:.*? "([^"]+)".*/, ": $1")),
                        stack === "dev" ? ["log-retention-minimum: network-flow-logs"] : [],
                    );
                });
            }
        }
    });
});
