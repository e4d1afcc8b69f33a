import * as assert from "assert";
import { Policy } from "@pulumi/policy";
import { controlPolicies } from "../../../policy-pack/policies/controls";
import { policies as allPolicies } from "../../../policy-pack/policies";
import { checkMetadata, FakeResource, FakeStackResource, schemaDefaults, validateResource, validateStack, Verdict } from "../helpers";

const ADMIN = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

/** Resources (or a stack) per configurable policy whose verdict depends on every config default. */
const PROBES: Record<string, FakeResource[] | { stack: FakeStackResource[] }> = {
    "kms-key-rotation": [{ type: "aws:kms/key:Key", props: { enableKeyRotation: true, rotationPeriodInDays: 400 } }],
    "cloudtrail-audit-configuration": [{ type: "aws:cloudtrail/trail:Trail", props: { s3BucketName: "b", enableLogFileValidation: true } }],
    "log-retention-minimum": [{ type: "aws:cloudwatch/logGroup:LogGroup", props: { retentionInDays: 180 } }],
    "data-store-backups": [{ type: "aws:rds/cluster:Cluster", props: { backupRetentionPeriod: 5 } }],
    "load-balancer-tls-listeners": [
        { type: "aws:lb/listener:Listener", props: { protocol: "TCP", port: 443 } },
        { type: "aws:lb/listener:Listener", props: { protocol: "HTTPS", port: 443, sslPolicy: "Custom-Policy" } },
    ],
    "iam-no-wildcard-admin": [{ type: "aws:iam/rolePolicy:RolePolicy", name: "breakglass", props: { policy: ADMIN } }],
    "rds-tls-in-transit": { stack: [{ type: "aws:rds/instance:Instance", name: "db", props: { engine: "oracle-ee", parameterGroupName: "shared" } }, { type: "aws:rds/instance:Instance", name: "db2", props: { engine: "postgres", parameterGroupName: "shared" } }] },
    "redshift-tls-in-transit": { stack: [{ type: "aws:redshift/cluster:Cluster", name: "dw", props: { clusterParameterGroupName: "shared" } }] },
    "config-recorder-for-phi": { stack: [{ type: "aws:dynamodb/table:Table", name: "t", props: { tags: { "data-classification": "PHI" } } }] },
    "required-tags": { stack: [{ type: "aws:sqs/queue:Queue", name: "q", props: { tags: { team: "x" } } }] },
};

async function verdict(p: Policy, probe: FakeResource | { stack: FakeStackResource[] }, config?: Record<string, unknown>): Promise<Verdict> {
    return "stack" in probe ? validateStack(p, probe.stack, { config }) : validateResource(p, probe, { config });
}

describe("control policies: metadata and config defaults", () => {
    it("are well-formed and advisory by default", () => {
        for (const p of controlPolicies) {
            checkMetadata(p, "advisory");
        }
    });

    it("are all in the pack's policy list", () => {
        for (const p of controlPolicies) {
            assert.ok(allPolicies.includes(p), p.name);
        }
    });

    it("apply in code exactly the defaults their config schema declares", async () => {
        const configurable = controlPolicies.filter((p) => Object.keys(p.configSchema?.properties ?? {}).length > 0).map((p) => p.name);
        assert.deepStrictEqual(Object.keys(PROBES).sort(), configurable.sort());
        for (const p of controlPolicies.filter((x) => configurable.includes(x.name))) {
            const probes = PROBES[p.name];
            for (const probe of Array.isArray(probes) ? probes : [probes]) {
                const withoutConfig = await verdict(p, probe);
                assert.ok(withoutConfig.violations.length > 0, `${p.name}: the probe must be sensitive to the defaults`);
                assert.deepStrictEqual(withoutConfig, await verdict(p, probe, schemaDefaults(p)), p.name);
            }
        }
    });
});
