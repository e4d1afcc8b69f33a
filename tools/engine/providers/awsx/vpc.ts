/**
 * The `awsx:ec2:Vpc` component as pulumi-awsx 3.9.0 builds it, for the real engine: the same child resources
 * (types, logical names, parents, arguments) so that the policy pack judges exactly what a deployment would
 * create. Layout follows awsx's documented "Auto"/"Exact" strategies: the VPC range split evenly across the
 * zones, each zone's range allocated to the subnet specs in order, aligned to each subnet's mask.
 *
 * Per zone, in the order awsx registers them (public first, so a NAT gateway exists before private routes use it):
 * - `aws:ec2/subnet:Subnet` `<vpc>-<spec name>-<zone number>`, child of the VPC;
 * - `aws:ec2/routeTable:RouteTable` of the same name, child of the subnet, and its
 *   `aws:ec2/routeTableAssociation:RouteTableAssociation`, child of the route table;
 * - public subnets: an `aws:ec2/route:Route` 0.0.0.0/0 to the internet gateway and, as the NAT strategy asks
 *   (OnePerAz: each zone; Single: the first), an `aws:ec2/eip:Eip` and `aws:ec2/natGateway:NatGateway`
 *   `<vpc>-<zone number>`, children of the subnet;
 * - private subnets: a route 0.0.0.0/0 to the zone's NAT gateway (or the single one) unless the strategy is None;
 * - isolated subnets: no route.
 * The internet gateway `<vpc>` (child of the VPC) is created whatever the subnets, as awsx does: AWS does not
 * charge for an unattached gateway, and awsx keeps its resource graph static.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { resourceSchema } from "../../../offline/schema";
import { Block, format, last, nextAligned, parseBlock, size, next } from "./cidr";

export type SubnetType = "Public" | "Private" | "Isolated" | "Unused";

export interface SubnetSpecInput {
    type: SubnetType;
    name?: string;
    cidrMask?: number;
    size?: number;
    cidrBlocks?: string[];
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The awsx Vpc arguments the double reads; every other argument that aws.ec2.Vpc takes is passed through. */
export interface VpcInputs {
    cidrBlock?: string;
    numberOfAvailabilityZones?: number;
    availabilityZoneNames?: string[];
    availabilityZoneCidrMask?: number;
    subnetStrategy?: "Auto" | "Exact" | "Legacy";
    subnetSpecs?: SubnetSpecInput[];
    natGateways?: { strategy?: "None" | "Single" | "OnePerAz"; elasticIpAllocationIds?: pulumi.Input<string>[] };
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    [key: string]: unknown;
}

export interface PlannedSubnet {
    type: SubnetType;
    azName: string;
    azIndex: number;
    cidrBlock: string;
    subnetName: string;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const newBits = (count: number) => (count <= 1 ? 0 : Math.ceil(Math.log2(count)));

/** The mask of a spec: cidrMask, or the mask whose size is `size`. */
function specMask(spec: SubnetSpecInput, fallback: number, index: number): number {
    if (spec.cidrMask !== undefined) {
        return spec.cidrMask;
    }
    if (spec.size !== undefined) {
        const bits = 32 - Math.log2(spec.size);
        if (!Number.isInteger(bits)) {
            throw new Error(`awsx:ec2:Vpc: subnetSpecs[${index}].size must be a power of two (a CIDR block's size), got ${spec.size}`);
        }
        return bits;
    }
    return fallback;
}

/**
 * The subnets of every zone, in zone order, as awsx's "Auto" strategy allocates them (pure: the specs use it).
 * Without specs, awsx makes a private subnet of half and a public subnet of a quarter of each zone's range
 * (counted from at most a /16).
 */
export function planSubnets(vpcName: string, vpcCidr: string, azNames: string[], specs: SubnetSpecInput[] | undefined, azCidrMask?: number): PlannedSubnet[] {
    const vpc = parseBlock(vpcCidr);
    const azBits = azCidrMask ?? vpc.bits + newBits(azNames.length);
    const effective: SubnetSpecInput[] = specs ?? [
        { type: "Private", cidrMask: Math.max(azBits, 16) + 1 },
        { type: "Public", cidrMask: Math.max(azBits, 16) + 2 },
    ];
    if (effective.length === 0) {
        throw new Error("awsx:ec2:Vpc: subnetSpecs is empty; expected at least one subnet spec");
    }
    const defaultMask = azBits + newBits(effective.length);
    const masks = effective.map((s, i) => specMask(s, defaultMask, i));
    const azSize = 2 ** (32 - azBits);
    const needed = masks.reduce((acc, m) => acc + 2 ** (32 - m), 0);
    if (needed > azSize) {
        throw new Error(`awsx:ec2:Vpc: subnets are too large for the VPC: each availability zone has ${azSize} addresses (a /${azBits} of ${vpcCidr}), the subnet specs need ${needed}`);
    }
    if (azNames.length * azSize > size(vpc)) {
        throw new Error(`awsx:ec2:Vpc: ${azNames.length} availability zones of /${azBits} do not fit in ${vpcCidr}`);
    }
    const planned: PlannedSubnet[] = [];
    let zone: Block = { base: vpc.base, bits: azBits };
    azNames.forEach((azName, azIndex) => {
        let current: Block | undefined;
        effective.forEach((spec, i) => {
            current = current === undefined ? { base: zone.base, bits: masks[i] } : nextAligned(current, masks[i]);
            if (last(current) > last(zone)) {
                throw new Error(`awsx:ec2:Vpc: subnet spec ${i} (${spec.type}, /${masks[i]}) does not fit in zone ${azName} (${format(zone)})`);
            }
            const specName = spec.name ?? spec.type.toLowerCase();
            planned.push({ type: spec.type, azName, azIndex, cidrBlock: format(current), subnetName: `${vpcName}-${specName}-${azIndex + 1}`, tags: spec.tags });
        });
        zone = next(zone);
    });
    return planned;
}

const ORDER: Record<SubnetType, number> = { Public: 0, Private: 1, Isolated: 2, Unused: 3 };

function plain<T>(value: unknown, input: string): T | undefined {
    if (pulumi.Output.isInstance(value)) {
        throw new Error(`awsx:ec2:Vpc: ${input} must be a plain value (awsx decides the layout from it before anything is created), got an Output`);
    }
    return value as T | undefined;
}

function normaliseType(type: unknown, index: number): SubnetType {
    const t = String(type ?? "");
    const match = (["Public", "Private", "Isolated", "Unused"] as const).find((x) => x.toLowerCase() === t.toLowerCase());
    if (!match) {
        throw new Error(`awsx:ec2:Vpc: subnetSpecs[${index}].type must be Public, Private, Isolated or Unused, got '${t}'`);
    }
    return match;
}

/** The component. `ready` resolves to the outputs once every child is registered. */
export class AwsxVpc extends pulumi.ComponentResource {
    readonly ready: Promise<pulumi.Inputs>;

    constructor(name: string, inputs: VpcInputs, opts: pulumi.ComponentResourceOptions) {
        super("awsx:ec2:Vpc", name, {}, opts);
        this.ready = this.build(name, inputs);
    }

    private async availabilityZones(inputs: VpcInputs): Promise<string[]> {
        const names = plain<string[]>(inputs.availabilityZoneNames, "availabilityZoneNames");
        const count = plain<number>(inputs.numberOfAvailabilityZones, "numberOfAvailabilityZones");
        if (names && count !== undefined) {
            throw new Error("awsx:ec2:Vpc: set availabilityZoneNames or numberOfAvailabilityZones, not both");
        }
        if (names) {
            return names;
        }
        const wanted = count ?? 3;
        // awsx asks the aws provider (through the engine) which zones the region has.
        const zones = await aws.getAvailabilityZones({}, { parent: this });
        if (zones.names.length < wanted) {
            throw new Error(`awsx:ec2:Vpc: numberOfAvailabilityZones is ${wanted}, but the region has only ${zones.names.length} availability zones (${zones.names.join(", ")})`);
        }
        return zones.names.slice(0, wanted);
    }

    private async build(name: string, inputs: VpcInputs): Promise<pulumi.Inputs> {
        const strategy = plain<string>(inputs.subnetStrategy, "subnetStrategy") ?? "Legacy";
        if (strategy !== "Auto" && strategy !== "Exact") {
            throw new Error(`awsx:ec2:Vpc: the awsx test provider implements subnetStrategy Auto and Exact, got '${strategy}' (awsx's default when unset is Legacy)`);
        }
        const natStrategy = plain<{ strategy?: string }>(inputs.natGateways, "natGateways")?.strategy ?? "OnePerAz";
        if (!["None", "Single", "OnePerAz"].includes(natStrategy)) {
            throw new Error(`awsx:ec2:Vpc: natGateways.strategy must be None, Single or OnePerAz, got '${natStrategy}'`);
        }
        const rawSpecs = plain<SubnetSpecInput[]>(inputs.subnetSpecs, "subnetSpecs");
        const specs = rawSpecs?.map((s, i) => ({ ...s, type: normaliseType(s.type, i) }));
        if (specs?.some((s) => s.cidrBlocks !== undefined)) {
            throw new Error("awsx:ec2:Vpc: the awsx test provider does not implement explicit subnetSpecs[].cidrBlocks");
        }
        const cidrBlock = plain<string>(inputs.cidrBlock, "cidrBlock") ?? "10.0.0.0/16";
        const azNames = await this.availabilityZones(inputs);
        const planned = planSubnets(name, cidrBlock, azNames, specs, plain<number>(inputs.availabilityZoneCidrMask, "availabilityZoneCidrMask"));
        const types = new Set(planned.map((p) => p.type));
        if (natStrategy !== "None" && !(types.has("Public") && types.has("Private"))) {
            throw new Error(`awsx:ec2:Vpc: natGateways.strategy ${natStrategy} needs both a private subnet (which routes through NAT) and a public subnet (which hosts the NAT gateway)`);
        }

        const userTags = pulumi.output(inputs.tags ?? {});
        const sharedTags = userTags.apply((t) => ({ Name: name, ...t }));
        // Every aws.ec2.Vpc argument awsx's arguments share is passed through, as awsx spreads its args.
        const vpcInputs = resourceSchema("aws:ec2/vpc:Vpc")?.inputs ?? new Set<string>();
        const passThrough = Object.fromEntries(Object.entries(inputs).filter(([k]) => vpcInputs.has(k) && k !== "tags" && k !== "cidrBlock"));
        const vpc = new aws.ec2.Vpc(name, { ...passThrough, cidrBlock, tags: sharedTags }, { parent: this });
        const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: sharedTags }, { parent: vpc, dependsOn: [vpc] });

        const subnets: aws.ec2.Subnet[] = [];
        const bySubnetType: Record<"Public" | "Private" | "Isolated", aws.ec2.Subnet[]> = { Public: [], Private: [], Isolated: [] };
        const routeTables: aws.ec2.RouteTable[] = [];
        const associations: aws.ec2.RouteTableAssociation[] = [];
        const routes: aws.ec2.Route[] = [];
        const natGateways: aws.ec2.NatGateway[] = [];
        const eips: aws.ec2.Eip[] = [];
        azNames.forEach((_az, i) => {
            const zone = planned.filter((p) => p.azIndex === i && p.type !== "Unused").sort((a, b) => ORDER[a.type] - ORDER[b.type]);
            for (const spec of zone) {
                const typeTags = { Name: spec.subnetName, SubnetType: spec.type };
                const subnet = new aws.ec2.Subnet(
                    spec.subnetName,
                    {
                        vpcId: vpc.id,
                        availabilityZone: spec.azName,
                        mapPublicIpOnLaunch: spec.type === "Public",
                        cidrBlock: spec.cidrBlock,
                        tags: pulumi.all([sharedTags, spec.tags ?? {}]).apply(([shared, own]) => ({ ...shared, ...own, ...typeTags })),
                    },
                    { parent: vpc, dependsOn: [vpc] },
                );
                subnets.push(subnet);
                bySubnetType[spec.type as "Public" | "Private" | "Isolated"].push(subnet);
                const routeTable = new aws.ec2.RouteTable(
                    spec.subnetName,
                    { vpcId: vpc.id, tags: sharedTags.apply((shared) => ({ ...shared, ...typeTags })) },
                    { parent: subnet, dependsOn: [subnet] },
                );
                routeTables.push(routeTable);
                associations.push(
                    new aws.ec2.RouteTableAssociation(spec.subnetName, { routeTableId: routeTable.id, subnetId: subnet.id }, { parent: routeTable, dependsOn: [routeTable] }),
                );
                const wantsNat = natStrategy === "OnePerAz" ? natGateways.length < i + 1 : natStrategy === "Single" ? natGateways.length < 1 : false;
                if (spec.type === "Public" && wantsNat) {
                    const natName = `${name}-${i + 1}`;
                    const natTags = userTags.apply((t) => ({ ...t, Name: natName }));
                    const eip = new aws.ec2.Eip(natName, { tags: natTags }, { parent: subnet, dependsOn: [subnet] });
                    eips.push(eip);
                    natGateways.push(new aws.ec2.NatGateway(natName, { subnetId: subnet.id, allocationId: eip.allocationId, tags: natTags }, { parent: subnet, dependsOn: [subnet] }));
                }
                if (spec.type === "Public") {
                    routes.push(new aws.ec2.Route(spec.subnetName, { routeTableId: routeTable.id, gatewayId: igw.id, destinationCidrBlock: "0.0.0.0/0" }, { parent: routeTable, dependsOn: [routeTable] }));
                } else if (spec.type === "Private" && natStrategy !== "None") {
                    const nat = natStrategy === "Single" ? natGateways[0] : natGateways[i];
                    routes.push(new aws.ec2.Route(spec.subnetName, { routeTableId: routeTable.id, natGatewayId: nat.id, destinationCidrBlock: "0.0.0.0/0" }, { parent: routeTable, dependsOn: [routeTable] }));
                }
            }
        });

        const layout = (specs ?? planned.filter((p) => p.azIndex === 0)).map((s) => {
            const mask = "cidrBlock" in s ? parseBlock(s.cidrBlock).bits : s.cidrMask;
            const specName = "subnetName" in s ? s.subnetName.replace(`${name}-`, "").replace(/-\d+$/, "") : s.name;
            return { type: s.type, ...(specName && specName !== s.type.toLowerCase() ? { name: specName } : {}), ...(mask !== undefined ? { cidrMask: mask, size: 2 ** (32 - mask) } : {}) };
        });
        const outputs: pulumi.Inputs = {
            vpc,
            vpcId: vpc.id,
            subnets,
            publicSubnets: bySubnetType.Public,
            privateSubnets: bySubnetType.Private,
            isolatedSubnets: bySubnetType.Isolated,
            publicSubnetIds: bySubnetType.Public.map((s) => s.id),
            privateSubnetIds: bySubnetType.Private.map((s) => s.id),
            isolatedSubnetIds: bySubnetType.Isolated.map((s) => s.id),
            routeTables,
            routeTableAssociations: associations,
            routes,
            internetGateway: igw,
            natGateways,
            eips,
            vpcEndpoints: [],
            subnetLayout: layout,
        };
        this.registerOutputs(outputs);
        return outputs;
    }
}
