import * as assert from "assert";
import { ALB_LISTENER, ELB_LOAD_BALANCER, LB_LISTENER, loadBalancerTlsListeners as policy } from "../../../policy-pack/policies/controls/load-balancer-tls-listeners";
import { messages, UNKNOWN, validateResource } from "../helpers";

const https = (sslPolicy?: string) => ({ loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", certificateArn: "arn:cert", sslPolicy, defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] });

describe("load-balancer-tls-listeners", () => {
    it("passes HTTPS and TLS listeners with TLS 1.2+ policies, and HTTP listeners that only redirect to HTTPS", async () => {
        for (const sslPolicy of ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10", "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"]) {
            assert.deepStrictEqual(await validateResource(policy, { type: LB_LISTENER, props: https(sslPolicy) }), { violations: [], notApplicable: [], previewSkipped: [] }, sslPolicy);
        }
        assert.deepStrictEqual((await validateResource(policy, { type: ALB_LISTENER, props: { ...https("ELBSecurityPolicy-TLS13-1-2-2021-06"), protocol: "TLS", port: 5432 } })).violations, []);
        const redirect = { port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] };
        assert.deepStrictEqual((await validateResource(policy, { type: LB_LISTENER, props: redirect })).violations, []);
    });

    it("fails TLS 1.0/1.1 policies and a missing policy (the 2016-08 default)", async () => {
        for (const sslPolicy of ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-1-2021-06", "ELBSecurityPolicy-TLS-1-1-2017-01", "ELBSecurityPolicy-FS-1-1-2019-08"]) {
            assert.match(messages(await validateResource(policy, { type: LB_LISTENER, name: "api", props: https(sslPolicy) }))[0], /^lb\.Listener "api" negotiates TLS below 1\.2/, sslPolicy);
        }
        assert.match(messages(await validateResource(policy, { type: LB_LISTENER, props: https(undefined) }))[0], /sslPolicy not set, default ELBSecurityPolicy-2016-08 allows TLS 1\.0/);
    });

    it("fails plain HTTP forwarding (also by the default protocol) and plain TCP", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: LB_LISTENER, name: "web", props: { port: 80, defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] } })), [
            'lb.Listener "web" serves plain HTTP on port 80: use protocol "HTTPS" with a certificate and a TLS 1.2 sslPolicy, or make every default action a redirect to HTTPS.',
        ]);
        assert.match(messages(await validateResource(policy, { type: LB_LISTENER, props: { port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP" } }] } }))[0], /serves plain HTTP/);
        assert.match(messages(await validateResource(policy, { type: LB_LISTENER, name: "db", props: { port: 5432, protocol: "TCP" } }))[0], /lb\.Listener "db" forwards TCP without TLS on port 5432/);
    });

    it("accepts configured extra SSL policies and TLS passthrough ports", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: LB_LISTENER, props: https("Custom-Tls12") }, { config: { allowedSslPolicies: ["Custom-Tls12"] } })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: LB_LISTENER, props: { port: 443, protocol: "TCP" } }, { config: { tlsPassthroughPorts: [443] } })).violations, []);
        await assert.rejects(validateResource(policy, { type: LB_LISTENER, props: https() }, { config: { tlsPassthroughPorts: "443" } }), /config tlsPassthroughPorts must be a list of numbers; got "443"/);
    });

    it("reports Classic Load Balancer listeners, which cannot be verified to refuse TLS 1.0", async () => {
        const v = await validateResource(policy, { type: ELB_LOAD_BALANCER, name: "legacy", props: { listeners: [{ lbPort: 443, lbProtocol: "HTTPS", instancePort: 80, instanceProtocol: "HTTP" }, { lbPort: 80, lbProtocol: "HTTP", instancePort: 80, instanceProtocol: "HTTP" }] } });
        assert.deepStrictEqual(messages(v).map((m) => m.split(":")[0]), ['elb.LoadBalancer "legacy" listener on port 443 uses a Classic Load Balancer, whose default negotiation policy allows TLS 1.0', 'elb.LoadBalancer "legacy" listener on port 80 accepts plaintext HTTP']);
    });

    it("is not applicable to Gateway Load Balancer listeners and other types; judges at preview", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: LB_LISTENER, props: { protocol: "GENEVE", port: 6081 } })).notApplicable, ["Gateway Load Balancer (GENEVE) listeners forward packets without terminating connections."]);
        assert.strictEqual((await validateResource(policy, { type: "aws:lb/loadBalancer:LoadBalancer" })).notApplicable.length, 1);
        assert.deepStrictEqual(await validateResource(policy, { type: LB_LISTENER, props: { ...https("ELBSecurityPolicy-TLS13-1-2-2021-06"), loadBalancerArn: UNKNOWN, certificateArn: UNKNOWN } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
