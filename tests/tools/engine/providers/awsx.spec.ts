/**
 * The awsx test provider's Vpc construct, run under the SDK's mock monitor: the children it registers (types,
 * names, parents, arguments) and the outputs the program reads. The subnet masks come from the program's own
 * `subnetMasks`, as components/network/network.ts passes them.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { subnetMasks } from "../../../../components/network/network";
import { AwsxProvider } from "../../../../tools/engine/providers/awsx/provider";
import { planSubnets } from "../../../../tools/engine/providers/awsx/vpc";
import { DEFAULT_CONTEXT, OfflineMocks } from "../../../../tools/offline/mocks";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

class RecordingMocks extends OfflineMocks {
    readonly registered: Registered[] = [];
    override newResource(args: pulumi.runtime.MockResourceArgs) {
        this.registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return super.newResource(args);
    }
}

function value<T>(o: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

async function construct(inputs: Record<string, unknown>): Promise<{ mocks: RecordingMocks; state: pulumi.Inputs }> {
    const mocks = new RecordingMocks("up", DEFAULT_CONTEXT);
    await pulumi.runtime.setMocks(mocks, "healthcare-data-platform", "dev", false);
    const result = await new AwsxProvider().construct("network-vpc", "awsx:ec2:Vpc", inputs, {});
    // The provider server waits for outstanding registrations before it answers Construct; so do the specs, by
    // waiting for the id of every child the outputs hold (all of them).
    const children = Object.values(result.state).flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => pulumi.CustomResource.isInstance(v));
    await Promise.all(children.map((c) => value((c as pulumi.CustomResource).id)));
    return { mocks, state: result.state };
}

/** The program's Vpc arguments for `natGateways` (components/network/network.ts). */
function programArgs(natGateways: "None" | "Single" | "OnePerAz", azs = 2): Record<string, unknown> {
    const masks = subnetMasks("10.40.0.0/16", azs);
    const subnetSpecs: Record<string, unknown>[] = [{ type: "Private", cidrMask: masks.private, name: "private" }];
    if (natGateways !== "None") subnetSpecs.push({ type: "Public", cidrMask: masks.public, name: "public" });
    return {
        cidrBlock: "10.40.0.0/16",
        numberOfAvailabilityZones: azs,
        subnetStrategy: "Auto",
        subnetSpecs,
        natGateways: { strategy: natGateways },
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: "hdp-dev-network" },
    };
}

const summary = (r: Registered[]) => r.map((x) => `${x.type} ${x.name}`);

describe("engine test provider: awsx Vpc construct", () => {
    it("lays out subnets like awsx's Auto strategy (documented default layout of a /16 over three zones)", () => {
        const planned = planSubnets("vpc", "10.0.0.0/16", ["us-east-1a", "us-east-1b", "us-east-1c"], undefined);
        assert.deepStrictEqual(
            planned.map((p) => `${p.subnetName} ${p.azName} ${p.cidrBlock}`),
            [
                "vpc-private-1 us-east-1a 10.0.0.0/19",
                "vpc-public-1 us-east-1a 10.0.32.0/20",
                "vpc-private-2 us-east-1b 10.0.64.0/19",
                "vpc-public-2 us-east-1b 10.0.96.0/20",
                "vpc-private-3 us-east-1c 10.0.128.0/19",
                "vpc-public-3 us-east-1c 10.0.160.0/20",
            ],
        );
    });

    it("refuses specs larger than a zone, naming the sizes", () => {
        assert.throws(() => planSubnets("vpc", "10.0.0.0/24", ["a", "b"], [{ type: "Private", cidrMask: 25 }, { type: "Public", cidrMask: 25 }]), {
            message: "awsx:ec2:Vpc: subnets are too large for the VPC: each availability zone has 128 addresses (a /25 of 10.0.0.0/24), the subnet specs need 256",
        });
    });

    it("registers VPC, internet gateway, subnets with route tables and associations, one NAT gateway and its routes (Single)", async () => {
        const { mocks, state } = await construct(programArgs("Single"));
        const children = mocks.registered.filter((r) => r.type !== "awsx:ec2:Vpc");
        // Registration order follows input resolution, so compare the set.
        assert.deepStrictEqual(summary(children).sort(), [
            "aws:ec2/vpc:Vpc network-vpc",
            "aws:ec2/internetGateway:InternetGateway network-vpc",
            "aws:ec2/subnet:Subnet network-vpc-public-1",
            "aws:ec2/routeTable:RouteTable network-vpc-public-1",
            "aws:ec2/routeTableAssociation:RouteTableAssociation network-vpc-public-1",
            "aws:ec2/eip:Eip network-vpc-1",
            "aws:ec2/natGateway:NatGateway network-vpc-1",
            "aws:ec2/route:Route network-vpc-public-1",
            "aws:ec2/subnet:Subnet network-vpc-private-1",
            "aws:ec2/routeTable:RouteTable network-vpc-private-1",
            "aws:ec2/routeTableAssociation:RouteTableAssociation network-vpc-private-1",
            "aws:ec2/route:Route network-vpc-private-1",
            "aws:ec2/subnet:Subnet network-vpc-public-2",
            "aws:ec2/routeTable:RouteTable network-vpc-public-2",
            "aws:ec2/routeTableAssociation:RouteTableAssociation network-vpc-public-2",
            "aws:ec2/route:Route network-vpc-public-2",
            "aws:ec2/subnet:Subnet network-vpc-private-2",
            "aws:ec2/routeTable:RouteTable network-vpc-private-2",
            "aws:ec2/routeTableAssociation:RouteTableAssociation network-vpc-private-2",
            "aws:ec2/route:Route network-vpc-private-2",
        ].sort());
        const byName = (type: string, name: string) => children.find((c) => c.type === type && c.name === name)!.inputs;
        const vpc = byName("aws:ec2/vpc:Vpc", "network-vpc");
        assert.deepStrictEqual(vpc, { cidrBlock: "10.40.0.0/16", enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: "hdp-dev-network" } });
        const subnets = children
            .filter((c) => c.type === "aws:ec2/subnet:Subnet")
            .map((c) => [c.name, c.inputs.availabilityZone, c.inputs.cidrBlock, c.inputs.mapPublicIpOnLaunch])
            .sort((a, b) => String(a[2]).localeCompare(String(b[2]), "en", { numeric: true }));
        assert.deepStrictEqual(subnets, [
            ["network-vpc-private-1", "us-east-1a", "10.40.0.0/18", false],
            ["network-vpc-public-1", "us-east-1a", "10.40.64.0/21", true],
            ["network-vpc-private-2", "us-east-1b", "10.40.128.0/18", false],
            ["network-vpc-public-2", "us-east-1b", "10.40.192.0/21", true],
        ]);
        assert.deepStrictEqual(byName("aws:ec2/subnet:Subnet", "network-vpc-private-2").tags, { Name: "network-vpc-private-2", SubnetType: "Private" });
        // Both private zones route through the single NAT gateway in zone 1; public subnets through the gateway.
        const natId = (await value((state.natGateways as pulumi.CustomResource[])[0].id)) as string;
        assert.strictEqual(byName("aws:ec2/route:Route", "network-vpc-private-2").natGatewayId, natId);
        assert.strictEqual(byName("aws:ec2/route:Route", "network-vpc-private-1").natGatewayId, natId);
        assert.strictEqual(byName("aws:ec2/route:Route", "network-vpc-public-2").gatewayId, await value((state.internetGateway as pulumi.CustomResource).id));
        assert.strictEqual(byName("aws:ec2/route:Route", "network-vpc-public-2").destinationCidrBlock, "0.0.0.0/0");

        // The outputs the program reads, and the children's parents (in their URNs).
        assert.strictEqual(await value(state.vpcId), await value((state.vpc as pulumi.CustomResource).id));
        const privateIds = await value(state.privateSubnetIds as pulumi.Input<string>[]);
        assert.strictEqual(privateIds.length, 2);
        assert.deepStrictEqual(await value(state.isolatedSubnetIds as pulumi.Input<string>[]), []);
        // Parents, as the URN records them (the mock monitor writes the parent's own type before the child's).
        const urnOf = async (r: unknown) => value((r as pulumi.CustomResource).urn);
        assert.match(await urnOf(state.vpc), /::awsx:ec2:Vpc\$aws:ec2\/vpc:Vpc::network-vpc$/);
        assert.match(await urnOf((state.subnets as unknown[])[3]), /::aws:ec2\/vpc:Vpc\$aws:ec2\/subnet:Subnet::network-vpc-private-2$/);
        assert.match(await urnOf((state.routeTables as unknown[])[3]), /::aws:ec2\/subnet:Subnet\$aws:ec2\/routeTable:RouteTable::network-vpc-private-2$/);
        assert.match(await urnOf((state.natGateways as unknown[])[0]), /::aws:ec2\/subnet:Subnet\$aws:ec2\/natGateway:NatGateway::network-vpc-1$/);
        assert.match(await urnOf(state.internetGateway), /::aws:ec2\/vpc:Vpc\$aws:ec2\/internetGateway:InternetGateway::network-vpc$/);
    });

    it("makes a NAT gateway per zone for OnePerAz, and none (but still the internet gateway) for None", async () => {
        const perAz = await construct(programArgs("OnePerAz", 3));
        assert.deepStrictEqual(
            perAz.mocks.registered.filter((r) => r.type === "aws:ec2/natGateway:NatGateway").map((r) => r.name),
            ["network-vpc-1", "network-vpc-2", "network-vpc-3"],
        );
        const none = await construct(programArgs("None"));
        const types = new Set(none.mocks.registered.map((r) => r.type));
        assert.ok(!types.has("aws:ec2/natGateway:NatGateway") && !types.has("aws:ec2/eip:Eip") && !types.has("aws:ec2/route:Route"));
        assert.ok(types.has("aws:ec2/internetGateway:InternetGateway"));
        assert.deepStrictEqual(await value(none.state.publicSubnetIds as pulumi.Input<string>[]), []);
    });

    it("refuses a NAT strategy without a public subnet to host it", async () => {
        await assert.rejects(construct({ ...programArgs("None"), natGateways: { strategy: "Single" } }), {
            message: "awsx:ec2:Vpc: natGateways.strategy Single needs both a private subnet (which routes through NAT) and a public subnet (which hosts the NAT gateway)",
        });
    });

    it("fails any other component type, naming it", async () => {
        await assert.rejects(new AwsxProvider().construct("lb", "awsx:lb:ApplicationLoadBalancer", {}, {}), {
            message: "unknown resource type awsx:lb:ApplicationLoadBalancer: the awsx test provider (tools/engine/providers/awsx) implements only awsx:ec2:Vpc",
        });
    });
});
