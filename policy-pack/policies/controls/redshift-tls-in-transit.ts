import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { policyConfig, stringList } from "../../lib/config";
import { judgeEach, subject } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { StackIndex } from "../../lib/resources";
import { asArray, probe } from "../../lib/values";

export const REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster";
export const REDSHIFT_PARAMETER_GROUP = "aws:redshift/parameterGroup:ParameterGroup";
export const REDSHIFT_SERVERLESS_WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup";

const NAME = "redshift-tls-in-transit";

export interface RedshiftTlsConfig {
    /**
     * Names of parameter groups managed outside this stack that are known to set require_ssl = true.
     * @default []
     */
    trustedParameterGroups: string[];
}
const DEFAULTS: RedshiftTlsConfig = { trustedParameterGroups: [] };

const FIX = 'create an aws.redshift.ParameterGroup with { name: "require_ssl", value: "true" } and use its name as clusterParameterGroupName';

export const redshiftTlsInTransit: StackValidationPolicy = {
    name: NAME,
    description:
        "Redshift provisioned clusters use a parameter group with require_ssl = true, and Redshift Serverless workgroups do " +
        "not turn require_ssl off.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediationSteps:
        "Create an `aws.redshift.ParameterGroup` with `{ name: \"require_ssl\", value: \"true\" }` and pass its `name` as " +
        "`clusterParameterGroupName` (the default parameter group cannot be changed); remove any `require_ssl = false` entry from " +
        "a workgroup's `configParameters`. Parameter group changes apply after a cluster reboot.",
    configSchema: {
        properties: {
            trustedParameterGroups: { type: "array", items: { type: "string" }, default: DEFAULTS.trustedParameterGroups, description: "Parameter groups managed outside this stack that set require_ssl = true." },
        },
    },
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        if (!index.has(REDSHIFT_CLUSTER, REDSHIFT_SERVERLESS_WORKGROUP)) {
            return args.notApplicable("The stack has no Redshift clusters or Redshift Serverless workgroups.");
        }
        const trusted = stringList(NAME, "trustedParameterGroups", policyConfig(args, DEFAULTS).trustedParameterGroups);
        const groupTypes = new Set([REDSHIFT_PARAMETER_GROUP]);

        judgeEach([...index.ofType(REDSHIFT_CLUSTER), ...index.ofType(REDSHIFT_SERVERLESS_WORKGROUP)], (r: PolicyResource) => {
            if (r.type === REDSHIFT_SERVERLESS_WORKGROUP) {
                // Serverless workgroups require SSL unless a config parameter turns it off.
                for (const c of asArray<{ parameterKey?: string; parameterValue?: string }>(r.props["configParameters"])) {
                    if (c.parameterKey === "require_ssl" && String(c.parameterValue).toLowerCase() !== "true") {
                        report(`${subject(r)} turns require_ssl off ("${c.parameterValue}"), so clients may connect without TLS: remove that config parameter or set it to "true".`, r.urn);
                    }
                }
                return;
            }
            const deps = index.referenced(r, "clusterParameterGroupName", groupTypes);
            let group: PolicyResource | undefined = deps[0];
            if (!group) {
                const p = probe(r.props, "clusterParameterGroupName");
                if (p.state === "absent") {
                    report(`${subject(r)} uses the default parameter group, which does not require SSL: ${FIX}.`, r.urn);
                    return;
                }
                const name = p.state === "known" ? String(p.value) : String(r.props["clusterParameterGroupName"]);
                if (name.startsWith("default.")) {
                    report(`${subject(r)} uses the default parameter group "${name}", which does not require SSL: ${FIX}.`, r.urn);
                    return;
                }
                group = index.withProp([REDSHIFT_PARAMETER_GROUP], "name", name)[0];
                if (!group) {
                    if (!trusted.includes(name)) {
                        report(`${subject(r)} uses parameter group "${name}", which is not in this stack, so require_ssl cannot be verified: manage it here or list it in trustedParameterGroups.`, r.urn);
                    }
                    return;
                }
            }
            const param = asArray<{ name?: string; value?: string }>(group.props["parameters"]).find((x) => x.name === "require_ssl");
            if (!param || String(param.value).toLowerCase() !== "true") {
                report(`${subject(r)} uses ${subject(group)}, which ${param ? `sets require_ssl to "${param.value}"` : "does not set require_ssl"}, so clients may connect without TLS: set { name: "require_ssl", value: "true" } in it.`, r.urn);
            }
        });
    },
};
