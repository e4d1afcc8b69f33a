import { ResourceValidationPolicy } from "@pulumi/policy";
import { numberList, policyConfig, stringList } from "../../lib/config";
import { on, ResourceHandler, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { asArray } from "../../lib/values";

export const LB_LISTENER = "aws:lb/listener:Listener";
export const ALB_LISTENER = "aws:alb/listener:Listener";
export const ELB_LOAD_BALANCER = "aws:elb/loadBalancer:LoadBalancer";

const NAME = "load-balancer-tls-listeners";

// ELB security policies whose minimum protocol is TLS 1.2 or 1.3, including the FIPS and post-quantum variants
// (ELBSecurityPolicy-TLS13-1-2-2021-06, -TLS13-1-3-2021-06, -TLS-1-2-2017-01, -TLS-1-2-Ext-2018-06, -FS-1-2-Res-2020-10...).
const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

export interface LoadBalancerTlsConfig {
    /**
     * Extra SSL policy names accepted as TLS 1.2+ (custom or newer AWS policies).
     * @default []
     */
    allowedSslPolicies: string[];
    /**
     * Ports of TCP listeners that pass TLS through to targets which terminate it themselves.
     * @default []
     */
    tlsPassthroughPorts: number[];
}
const DEFAULTS: LoadBalancerTlsConfig = { allowedSslPolicies: [], tlsPassthroughPorts: [] };

interface Listener {
    protocol?: string;
    port?: number;
    sslPolicy?: string;
    defaultActions?: { type?: string; redirect?: { protocol?: string } }[];
}

const listener: ResourceHandler = on<Listener>((p, args, report) => {
    const cfg = policyConfig(args, DEFAULTS);
    const allowed = stringList(NAME, "allowedSslPolicies", cfg.allowedSslPolicies);
    const passthrough = numberList(NAME, "tlsPassthroughPorts", cfg.tlsPassthroughPorts);
    const name = subject(args);
    // The provider's default protocol is HTTP (for application load balancers).
    const protocol = typeof p.protocol === "string" ? p.protocol.toUpperCase() : "HTTP";
    const port = typeof p.port === "number" ? p.port : undefined;
    switch (protocol) {
        case "HTTPS":
        case "TLS": {
            const policy = p.sslPolicy;
            if (typeof policy !== "string" || !(TLS12_POLICY.test(policy) || allowed.includes(policy))) {
                report(`${name} negotiates TLS below 1.2 (sslPolicy ${typeof policy === "string" ? `"${policy}"` : "not set, default ELBSecurityPolicy-2016-08 allows TLS 1.0"}): set sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06".`);
            }
            return;
        }
        case "HTTP": {
            // An HTTP listener whose every action redirects to HTTPS carries no data in plaintext.
            const actions = asArray<NonNullable<Listener["defaultActions"]>[number]>(p.defaultActions);
            const redirects = actions.length > 0 && actions.every((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS");
            if (!redirects) {
                report(`${name} serves plain HTTP${port ? ` on port ${port}` : ""}: use protocol "HTTPS" with a certificate and a TLS 1.2 sslPolicy, or make every default action a redirect to HTTPS.`);
            }
            return;
        }
        case "GENEVE":
            return args.notApplicable("Gateway Load Balancer (GENEVE) listeners forward packets without terminating connections.");
        default: {
            if (port !== undefined && passthrough.includes(port)) {
                return;
            }
            report(`${name} forwards ${protocol} without TLS${port ? ` on port ${port}` : ""}: use protocol "TLS" with a TLS 1.2 sslPolicy, or list the port in tlsPassthroughPorts if the targets terminate TLS themselves.`);
        }
    }
});

export const loadBalancerTlsListeners: ResourceValidationPolicy = {
    name: NAME,
    description: "Load-balancer listeners accept only HTTPS or TLS with a security policy whose minimum is TLS 1.2 (plain HTTP only as a redirect to HTTPS).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediationSteps:
        "Give `aws.lb.Listener` `protocol: \"HTTPS\"` (or `\"TLS\"`), a `certificateArn` and `sslPolicy: \"ELBSecurityPolicy-TLS13-1-2-2021-06\"`; " +
        "turn port-80 listeners into redirects to HTTPS. Replace Classic Load Balancers with ALB/NLB. Listener changes apply in place.",
    configSchema: {
        properties: {
            allowedSslPolicies: { type: "array", items: { type: "string" }, default: DEFAULTS.allowedSslPolicies, description: "Extra SSL policy names accepted as TLS 1.2 or later." },
            tlsPassthroughPorts: { type: "array", items: { type: "integer" }, default: DEFAULTS.tlsPassthroughPorts, description: "TCP listener ports whose targets terminate TLS themselves." },
        },
    },
    validateResource: validateTypes({
        [LB_LISTENER]: listener,
        [ALB_LISTENER]: listener,
        [ELB_LOAD_BALANCER]: on<{ listeners?: { lbPort?: number; lbProtocol?: string }[] }>((p, args, report) => {
            const passthrough = numberList(NAME, "tlsPassthroughPorts", policyConfig(args, DEFAULTS).tlsPassthroughPorts);
            for (const l of asArray<{ lbPort?: number; lbProtocol?: string }>(p.listeners)) {
                const protocol = String(l.lbProtocol ?? "").toUpperCase();
                if (protocol === "HTTPS" || protocol === "SSL") {
                    // The classic default negotiation policy (ELBSecurityPolicy-2016-08) allows TLS 1.0, and the policy a
                    // listener really uses lives in a separate aws.elb.ListenerPolicy this resource policy cannot see.
                    report(`${subject(args)} listener on port ${l.lbPort} uses a Classic Load Balancer, whose default negotiation policy allows TLS 1.0: migrate to an application or network load balancer with sslPolicy "ELBSecurityPolicy-TLS13-1-2-2021-06".`);
                } else if (!(protocol === "TCP" && typeof l.lbPort === "number" && passthrough.includes(l.lbPort))) {
                    report(`${subject(args)} listener on port ${l.lbPort} accepts plaintext ${protocol}: use an HTTPS/SSL listener, or better an application or network load balancer with a TLS 1.2 policy.`);
                }
            }
        }),
    }),
};
