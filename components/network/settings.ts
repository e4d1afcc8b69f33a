/**
 * Network settings: the VPC, its availability zones and NAT, and the on-prem site behind the site-to-site VPN.
 */
import { cidrsOverlap, IPV4_PATTERN, KeyValues, parseCidr, Problem, problem } from "../shared/config-keys";
import { ValidationContext } from "../shared/settings";

/** The only Region where AWS offers the IAM interface endpoint (`com.amazonaws.iam`) in the commercial partition. */
export const IAM_ENDPOINT_REGION = "us-east-1";

export type NatGatewayStrategy = "none" | "single" | "onePerAz";

/** The network keys, as Pulumi.yaml declares them. */
export const NETWORK_KEYS = {
    vpcCidr: { type: "string", default: "10.40.0.0/16" },
    availabilityZones: { type: "integer", default: 2, min: 2, max: 3 },
    natGateways: { type: "string", default: "none", allowed: ["none", "single", "onePerAz"] },
    onPremCidrs: { type: "array", default: [] },
    onPremVpnPeerIp: { type: "string", default: "" },
    onPremBgpAsn: { type: "integer", default: 65000, min: 1, max: 4294967294 },
    onPremStaticRoutesOnly: { type: "boolean", default: true },
    onPremDnsDomain: { type: "string", default: "" },
    onPremDnsResolverIps: { type: "array", default: [] },
} as const;

export type NetworkValues = KeyValues<typeof NETWORK_KEYS>;

export interface OnPremisesConfig {
    /** On-prem networks reached over the site-to-site VPN. */
    cidrs: string[];
    /** Public IP of the on-prem VPN device (customer gateway). */
    vpnPeerIp: string;
    /** BGP ASN of the customer gateway. */
    bgpAsn: number;
    /** Static routes instead of BGP. */
    staticRoutesOnly: boolean;
    /** On-prem DNS domain forwarded to the on-prem resolvers through a Route 53 Resolver outbound endpoint. */
    dns?: { domain: string; resolverIps: string[] };
}

export interface NetworkConfig {
    vpcCidr: string;
    availabilityZones: number;
    natGateways: NatGatewayStrategy;
    /** Present when an on-prem site is connected. */
    onPremises?: OnPremisesConfig;
}

/** Problems of the network keys. Pure. */
export function validateNetworkSettings(v: NetworkValues, _ctx: ValidationContext): Problem[] {
    const problems: Problem[] = [];
    const vpcParsed = parseCidr(v.vpcCidr);
    if (!vpcParsed || vpcParsed[1] < 16 || vpcParsed[1] > 24) {
        problems.push(problem("vpcCidr", "an IPv4 CIDR block with a prefix from /16 to /24 and no host bits, such as 10.40.0.0/16", v.vpcCidr));
    }
    const cidrs = v.onPremCidrs;
    cidrs.forEach((c, i) => {
        if (!parseCidr(c)) problems.push(problem(`onPremCidrs[${i}]`, "an IPv4 CIDR block with no host bits, such as 192.168.0.0/16", c));
    });
    for (let i = 0; i < cidrs.length; i++) {
        if (parseCidr(cidrs[i]) && vpcParsed && cidrsOverlap(cidrs[i], v.vpcCidr)) {
            problems.push(problem(`onPremCidrs[${i}]`, `a range that does not overlap the VPC (${v.vpcCidr})`, cidrs[i]));
        }
        for (let j = i + 1; j < cidrs.length; j++) {
            if (cidrsOverlap(cidrs[i], cidrs[j])) {
                problems.push(problem(`onPremCidrs[${j}]`, `a range that does not overlap onPremCidrs[${i}] (${cidrs[i]})`, cidrs[j]));
            }
        }
    }
    if (cidrs.length > 0 || v.onPremVpnPeerIp !== "") {
        if (!IPV4_PATTERN.test(v.onPremVpnPeerIp)) {
            problems.push(
                problem("onPremVpnPeerIp", "the public IPv4 address of the on-prem VPN device (required with onPremCidrs)", v.onPremVpnPeerIp || undefined),
            );
        }
        if (cidrs.length === 0) {
            problems.push(problem("onPremCidrs", "at least one on-prem CIDR block when onPremVpnPeerIp is set", cidrs));
        }
    }
    problems.push(...validateOnPremDns(v));
    return problems;
}

/** RFC 1918 ranges: on-prem resolvers are reached over the VPN, never on a public address. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const DNS_DOMAIN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Problems of the on-prem DNS keys. Pure. */
function validateOnPremDns(v: NetworkValues): Problem[] {
    const problems: Problem[] = [];
    if (v.onPremDnsDomain && !DNS_DOMAIN.test(v.onPremDnsDomain)) {
        problems.push(problem("onPremDnsDomain", "a DNS domain such as hospital.internal (labels of letters, digits and hyphens)", v.onPremDnsDomain));
    }
    v.onPremDnsResolverIps.forEach((ip, i) => {
        const s = String(ip);
        if (!IPV4_PATTERN.test(s) || !PRIVATE_RANGES.some((r) => cidrsOverlap(`${s}/32`, r))) {
            problems.push(
                problem(`onPremDnsResolverIps[${i}]`, "the IPv4 address of an on-prem DNS resolver in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)", ip),
            );
        }
    });
    if (v.onPremDnsDomain && v.onPremDnsResolverIps.length === 0) {
        problems.push(problem("onPremDnsResolverIps", "at least one on-prem DNS resolver IP when onPremDnsDomain is set", v.onPremDnsResolverIps));
    }
    if (!v.onPremDnsDomain && v.onPremDnsResolverIps.length > 0) {
        problems.push(problem("onPremDnsDomain", "the on-prem DNS domain to forward when onPremDnsResolverIps is set", undefined));
    }
    if ((v.onPremDnsDomain || v.onPremDnsResolverIps.length > 0) && !hasOnPremises(v)) {
        problems.push(problem("onPremDnsDomain", "onPremCidrs and onPremVpnPeerIp to be set: the resolvers are reached over the site-to-site VPN", v.onPremDnsDomain || undefined));
    }
    return problems;
}

/** True when the values connect an on-prem site (onPremCidrs or onPremVpnPeerIp set). */
export const hasOnPremises = (v: NetworkValues): boolean => v.onPremCidrs.length > 0 || v.onPremVpnPeerIp !== "";

/** The network settings of valid values. Pure. */
export function networkSettings(v: NetworkValues): NetworkConfig {
    return {
        vpcCidr: v.vpcCidr,
        availabilityZones: v.availabilityZones,
        natGateways: v.natGateways as NatGatewayStrategy,
        onPremises: hasOnPremises(v)
            ? {
                  cidrs: v.onPremCidrs,
                  vpnPeerIp: v.onPremVpnPeerIp,
                  bgpAsn: v.onPremBgpAsn,
                  staticRoutesOnly: v.onPremStaticRoutesOnly,
                  dns: v.onPremDnsDomain ? { domain: v.onPremDnsDomain, resolverIps: v.onPremDnsResolverIps.map(String) } : undefined,
              }
            : undefined,
    };
}
