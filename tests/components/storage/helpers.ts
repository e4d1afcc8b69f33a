/**
 * Helpers of the storage specs: a stack's config and fakes in one call, recording, and questions every store's
 * spec asks (what sits under a component, how its security group admits traffic, whether a value is a secret).
 */
import * as assert from "assert";
import { PlatformConfig } from "../../../components/shared/config";
import { NetworkRefs, PlatformContext, PlatformKeyRefs } from "../../../components/shared/refs";
import { Mode, RecordedResource, Recording, recordProgram } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, fakeNetwork, inputs, isWireSecret, ofType, platformConfig, UNKNOWN } from "../../support/platform";

export interface Setup {
    cfg: PlatformConfig;
    context: PlatformContext;
    keys: PlatformKeyRefs;
    network: NetworkRefs;
}

/** Config of `Pulumi.<stack>.yaml` with overrides, and the context, keys and network built from it. */
export function setup(stack: "dev" | "prod", overrides: Record<string, unknown> = {}): Setup {
    const cfg = platformConfig(stack, overrides);
    return { cfg, context: contextOf(cfg), keys: fakeKeys(cfg), network: fakeNetwork(cfg) };
}

/** Records `build` (which constructs components) in `mode`. */
export function record(mode: Mode, build: () => void): Promise<Recording> {
    return recordProgram(async () => {
        build();
    }, { mode });
}

/** The component of `type` named `name` and every resource under it. */
export function subtree(rec: Recording, type: string, name: string): { component: RecordedResource; resources: RecordedResource[] } {
    const component = rec.resources.find((r) => r.type === type && r.name === name);
    if (!component) {
        throw new Error(`no ${type} named '${name}' (have: ${rec.resources.filter((r) => !r.custom).map((r) => `${r.type} ${r.name}`).join(", ")})`);
    }
    return { component, resources: descendants(rec, component.urn) };
}

/** Ingress rules recorded in `rec`, plain inputs. */
export function ingressRules(rec: Recording): Record<string, unknown>[] {
    return ofType(rec, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(inputs);
}

/**
 * Asserts the store's security-group setup: one group, no inline rules, and exactly one ingress rule that admits
 * TCP `from`-`to` from the compute security group and from nothing else (no CIDR, no prefix list).
 */
export function expectOnlyComputeIngress(rec: Recording, network: NetworkRefs, from: number, to = from): void {
    const groups = ofType(rec, "aws:ec2/securityGroup:SecurityGroup").map(inputs);
    assert.strictEqual(groups.length, 1, "one security group");
    assert.strictEqual(groups[0].ingress, undefined, "no inline ingress");
    assert.strictEqual(groups[0].egress, undefined, "no inline egress");
    assert.strictEqual(groups[0].vpcId, network.vpcId);
    const rules = ingressRules(rec);
    assert.strictEqual(rules.length, 1, "one ingress rule");
    const { ipProtocol, fromPort, toPort, referencedSecurityGroupId, cidrIpv4, cidrIpv6, prefixListId } = rules[0];
    assert.deepStrictEqual(
        { ipProtocol, fromPort, toPort, referencedSecurityGroupId, cidrIpv4, cidrIpv6, prefixListId },
        { ipProtocol: "tcp", fromPort: from, toPort: to, referencedSecurityGroupId: network.computeSecurityGroupId, cidrIpv4: undefined, cidrIpv6: undefined, prefixListId: undefined },
    );
    assert.strictEqual(ofType(rec, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").length, 0);
    assert.strictEqual(ofType(rec, "aws:ec2/securityGroupRule:SecurityGroupRule").length, 0);
}

/** Every resource of `rec` other than the stack is parented, transitively, to a component of `type`. */
export function expectAllUnder(rec: Recording, type: string, name: string): void {
    const { resources } = subtree(rec, type, name);
    const inside = new Set(resources.map((r) => r.urn));
    const outside = rec.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !(r.type === type && r.name === name) && !inside.has(r.urn));
    assert.deepStrictEqual(outside.map((r) => `${r.type} ${r.name}`), []);
    for (const r of resources) {
        assert.ok(r.name.startsWith(`${name}-`), `${r.type} '${r.name}' is named ${name}-<role>`);
    }
}

/** Strings of a wire value outside secret wrappers (where a plaintext secret must never appear). */
export function plainStrings(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") {
        out.push(value);
    } else if (Array.isArray(value)) {
        value.forEach((v) => plainStrings(v, out));
    } else if (value && typeof value === "object" && !isWireSecret(value)) {
        Object.values(value as Record<string, unknown>).forEach((v) => plainStrings(v, out));
    }
    return out;
}

/** Names of inputs that hold JSON documents (policies) and are unknown in `rec`. */
export function unknownPolicyDocuments(rec: Recording): string[] {
    const found: string[] = [];
    for (const r of rec.resources) {
        const ins = inputs(r);
        for (const [k, v] of Object.entries(ins)) {
            if (/policy$/i.test(k) && (v === UNKNOWN || (typeof v === "string" && v.includes(UNKNOWN)))) {
                found.push(`${r.type} ${r.name}.${k}`);
            }
        }
    }
    return found;
}
