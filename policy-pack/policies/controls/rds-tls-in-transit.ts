import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { policyConfig, stringList } from "../../lib/config";
import { judgeEach, subject } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { StackIndex } from "../../lib/resources";
import { asArray, probe } from "../../lib/values";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const RDS_CLUSTER = "aws:rds/cluster:Cluster";
export const RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
export const RDS_CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup";

const NAME = "rds-tls-in-transit";

export interface RdsTlsConfig {
    /**
     * Names of parameter groups managed outside this stack that are known to force TLS.
     * @default []
     */
    trustedParameterGroups: string[];
    /**
     * Engines (or engine prefixes such as "oracle") this policy must not report; for engines that enforce TLS
     * through option groups, which the policy does not judge.
     * @default []
     */
    exemptEngines: string[];
}
const DEFAULTS: RdsTlsConfig = { trustedParameterGroups: [], exemptEngines: [] };

/** How an engine family is forced onto TLS: the parameter and the values that mean "on". */
interface TlsParameter {
    family: "postgres" | "aurora-postgresql" | "mysql" | "sqlserver";
    parameter: string;
    on: readonly string[];
}

const FORCE_SSL = ["1", "true", "on"];
const SECURE_TRANSPORT = ["1", "on", "true"];

/** The TLS parameter for an engine (or a parameter group family such as `postgres16`), or undefined if unjudged. */
export function tlsParameterFor(engineOrFamily: string): TlsParameter | undefined {
    const e = engineOrFamily.toLowerCase();
    if (e.startsWith("aurora-postgresql")) {
        return { family: "aurora-postgresql", parameter: "rds.force_ssl", on: FORCE_SSL };
    }
    if (e.startsWith("postgres")) {
        return { family: "postgres", parameter: "rds.force_ssl", on: FORCE_SSL };
    }
    if (e.startsWith("aurora") || e.startsWith("mysql") || e.startsWith("mariadb")) {
        return { family: "mysql", parameter: "require_secure_transport", on: SECURE_TRANSPORT };
    }
    if (e.startsWith("sqlserver")) {
        return { family: "sqlserver", parameter: "rds.force_ssl", on: FORCE_SSL };
    }
    return undefined;
}

/** Leading major version of `16.3` or of a family such as `postgres16`. */
function majorVersion(value: unknown): number | undefined {
    if (typeof value !== "string") {
        return undefined;
    }
    const m = /(\d+)/.exec(value);
    return m ? Number(m[1]) : undefined;
}

type GroupRef =
    | { kind: "default" }
    | { kind: "managed"; group: PolicyResource }
    | { kind: "external"; name: string };

function knownString(r: PolicyResource, key: string): string | undefined {
    const p = probe(r.props, key);
    return p.state === "known" && typeof p.value === "string" && p.value !== "" ? p.value : undefined;
}

export const rdsTlsInTransit: StackValidationPolicy = {
    name: NAME,
    description:
        "RDS DB instances and clusters force TLS for client connections through their parameter group (rds.force_ssl = 1 for " +
        "PostgreSQL and SQL Server, require_secure_transport = ON for MySQL and MariaDB).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediationSteps:
        "Create an `aws.rds.ParameterGroup` (instances) or `aws.rds.ClusterParameterGroup` (Aurora and Multi-AZ clusters) for the " +
        "engine family with `{ name: \"rds.force_ssl\", value: \"1\" }` (PostgreSQL, SQL Server) or `{ name: \"require_secure_transport\", " +
        "value: \"ON\" }` (MySQL, MariaDB), and pass its `name` as `parameterGroupName` / `dbClusterParameterGroupName`. The change " +
        "is in place; static parameters apply at the next reboot.",
    configSchema: {
        properties: {
            trustedParameterGroups: { type: "array", items: { type: "string" }, default: DEFAULTS.trustedParameterGroups, description: "Parameter groups managed outside this stack that are known to force TLS." },
            exemptEngines: { type: "array", items: { type: "string" }, default: DEFAULTS.exemptEngines, description: "Engines or engine prefixes not to report (e.g. oracle, whose TLS is an option-group setting)." },
        },
    },
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        if (!index.has(RDS_INSTANCE, RDS_CLUSTER)) {
            return args.notApplicable("The stack has no RDS DB instances or clusters.");
        }
        const cfg = policyConfig(args, DEFAULTS);
        const trusted = stringList(NAME, "trustedParameterGroups", cfg.trustedParameterGroups);
        const exempt = stringList(NAME, "exemptEngines", cfg.exemptEngines).map((e) => e.toLowerCase());

        const groupOf = (r: PolicyResource, key: string, groupType: string): GroupRef => {
            // Property dependencies first: they name the group even while its generated name is unknown at preview.
            const deps = index.referenced(r, key, new Set([groupType]));
            if (deps.length > 0) {
                return { kind: "managed", group: deps[0] };
            }
            const p = probe(r.props, key);
            if (p.state === "absent") {
                return { kind: "default" };
            }
            // An unknown name not traced to a group of this stack cannot be judged: let the SDK say so.
            const name = p.state === "known" ? String(p.value) : String(r.props[key]);
            if (name.startsWith("default.")) {
                return { kind: "default" };
            }
            const byName = index.withProp([groupType], "name", name);
            return byName.length > 0 ? { kind: "managed", group: byName[0] } : { kind: "external", name };
        };

        const judge = (r: PolicyResource, key: string, groupType: string): void => {
            const group = groupOf(r, key, groupType);
            const engine = knownString(r, "engine") ?? (group.kind === "managed" ? knownString(group.group, "family") : undefined);
            if (engine === undefined) {
                report(`${subject(r)} does not name its engine (and no parameter group family tells it), so TLS enforcement cannot be judged: set engine.`, r.urn);
                return;
            }
            if (exempt.some((e) => engine.toLowerCase().startsWith(e))) {
                return;
            }
            const tls = tlsParameterFor(engine);
            if (!tls) {
                report(`${subject(r)} runs engine ${engine}, whose TLS enforcement (an option-group setting) this policy does not judge: verify it, then add the engine to exemptEngines.`, r.urn);
                return;
            }
            // RDS for PostgreSQL 15 and later ship rds.force_ssl = 1 in their default parameter groups.
            const version = majorVersion(knownString(r, "engineVersion")) ?? (group.kind === "managed" ? majorVersion(knownString(group.group, "family")) : undefined);
            const defaultForces = tls.family === "postgres" && version !== undefined && version >= 15;
            const fix = `set ${tls.parameter} to ${tls.on === FORCE_SSL ? "1" : "ON"} in a ${groupType === RDS_PARAMETER_GROUP ? "aws.rds.ParameterGroup" : "aws.rds.ClusterParameterGroup"} and use it as ${key}`;
            switch (group.kind) {
                case "default":
                    if (!defaultForces) {
                        report(`${subject(r)} uses the default parameter group, which does not force TLS for ${engine}${version !== undefined ? ` ${version}` : ""}: ${fix}.`, r.urn);
                    }
                    return;
                case "external":
                    if (!trusted.includes(group.name)) {
                        report(`${subject(r)} uses parameter group "${group.name}", which is not in this stack, so TLS enforcement cannot be verified: manage it here with ${tls.parameter} forced on, or list it in trustedParameterGroups.`, r.urn);
                    }
                    return;
                case "managed": {
                    const params = asArray<{ name?: string; value?: string }>(group.group.props["parameters"]);
                    const param = params.find((x) => typeof x.name === "string" && x.name.toLowerCase() === tls.parameter);
                    if (param) {
                        const value = String(param.value ?? "").toLowerCase();
                        if (!tls.on.includes(value)) {
                            report(`${subject(r)} uses ${subject(group.group)}, which sets ${tls.parameter} to "${param.value}", so clients may connect without TLS: ${fix}.`, r.urn);
                        }
                    } else if (!defaultForces) {
                        report(`${subject(r)} uses ${subject(group.group)}, which does not set ${tls.parameter}, so clients may connect without TLS: ${fix}.`, r.urn);
                    }
                    return;
                }
            }
        };

        const targets = [
            ...index.ofType(RDS_INSTANCE).map((r) => ({ r, key: "parameterGroupName", groupType: RDS_PARAMETER_GROUP })),
            ...index.ofType(RDS_CLUSTER).map((r) => ({ r, key: "dbClusterParameterGroupName", groupType: RDS_CLUSTER_PARAMETER_GROUP })),
        ];
        judgeEach(targets, (t) => judge(t.r, t.key, t.groupType));
    },
};
