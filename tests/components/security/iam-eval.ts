/**
 * The security baseline program whose recorded documents the specs evaluate: PlatformKeys, the log and inventory
 * buckets, two lake zones as SecureBuckets and AccessRoles, wired as index.ts wires them; helpers to read its
 * documents; `evaluate` (IAM evaluation with @cloud-copilot/iam-simulate, tests/support/iam.ts) and
 * `runStackPolicies` (the pack's stack policies, tests/support/pack.ts) in the shape these specs call them.
 */
import * as assert from "assert";
import { Policy } from "@pulumi/policy";
import { AccessRoles } from "../../../components/security/access";
import { composeKeys } from "../../../components/security/compose";
import { PlatformConfig } from "../../../components/shared/config";
import { DataZone, DATA_ZONES } from "../../../components/storage/settings";
import { bucketArn, bucketName } from "../../../components/shared/naming";
import { BucketRef } from "../../../components/shared/refs";
import { SecureBucket } from "../../../components/storage/secure-bucket";
import { Mode, RecordedResource, Recording, recordProgram } from "../../../tools/offline/recorder";
import { IamRequest } from "../../support/iam";
import { isStackPolicy, runPolicies } from "../../support/pack";
import { contextOf, inputs, one, plain, platformConfig, stackConfigMap, UNKNOWN } from "../../support/platform";

export type { Decision } from "../../support/iam";
/** The decision of a request, failing the test on any validation error or dropped context key. */
export { evaluate } from "../../support/iam";

/** A request with its identity and resource policies, as given (no context is added). */
export type EvalRequest = Omit<IamRequest, "endpointPolicy">;

/** Everything the specs need from one recording of the security baseline. */
export interface Baseline {
    cfg: PlatformConfig;
    rec: Recording;
    zones: Record<DataZone, BucketRef>;
    logBucketName: string;
    inventoryBucketName: string;
}

/** Zone bucket refs named as the DataLake component names them. */
export function zoneRefs(cfg: PlatformConfig): Record<DataZone, BucketRef> {
    return Object.fromEntries(
        DATA_ZONES.map((z) => {
            const name = bucketName(cfg.naming, z);
            return [z, { name, arn: bucketArn(cfg.naming, name) }];
        }),
    ) as Record<DataZone, BucketRef>;
}

/**
 * Records PlatformKeys, the SSE-S3 access-log bucket, the inventory bucket, the curated and results zones and
 * AccessRoles, with real key references (ARNs unknown in preview, as in `pulumi preview`).
 */
export async function recordBaseline(stack: "dev" | "prod", mode: Mode, overrides: Record<string, unknown> = {}): Promise<Baseline> {
    const cfg = platformConfig(stack, overrides);
    const context = contextOf(cfg);
    const zones = zoneRefs(cfg);
    const logBucketName = bucketName(cfg.naming, "access-logs");
    const inventoryBucketName = bucketName(cfg.naming, "inventory");
    const rec = await recordProgram(
        async () => {
            const keys = composeKeys(cfg, { context });
            const common = { naming: cfg.naming, protect: cfg.protect };
            new SecureBucket("access-logs", {
                ...common,
                purpose: "access-logs",
                dataClassification: "confidential",
                encryption: "sse-s3",
                lifecycle: cfg.dataLake.lifecycle.logs,
                inventoryBucketName,
                inventoryEncryptionKey: keys.refs.dataLake,
                receivesAccessLogs: true,
            });
            new SecureBucket("inventory", {
                ...common,
                purpose: "inventory",
                dataClassification: "confidential",
                kmsKey: keys.refs.dataLake,
                lifecycle: cfg.dataLake.lifecycle.inventory,
                accessLogBucketName: logBucketName,
                receivesInventory: true,
            });
            for (const zone of ["curated", "results"] as const) {
                new SecureBucket(zone, {
                    ...common,
                    purpose: zone,
                    dataClassification: "phi",
                    kmsKey: keys.refs.dataLake,
                    lifecycle: cfg.dataLake.lifecycle[zone],
                    accessLogBucketName: logBucketName,
                    inventoryBucketName,
                    // As in the DataLake component, only some zones are locked; curated stands in for them here.
                    objectLock: zone === "curated" ? cfg.dataLake.objectLock : undefined,
                });
            }
            new AccessRoles("access", { context, customers: cfg.customers, zones, dataLakeKey: keys.refs.dataLake });
        },
        { mode, stack, config: stackConfigMap(stack, overrides), context: { accountId: cfg.naming.accountId, region: cfg.naming.region, partition: cfg.naming.partition } },
    );
    return { cfg, rec, zones, logBucketName, inventoryBucketName };
}

/** A JSON policy input of a recorded resource, parsed; fails when it is unknown (preview) or not JSON. */
export function documentOf(res: RecordedResource, prop: string): { Version: string; Statement: Record<string, unknown>[] } {
    const raw = inputs(res)[prop];
    assert.notStrictEqual(raw, UNKNOWN, `${res.type} '${res.name}'.${prop} is unknown`);
    assert.strictEqual(typeof raw, "string", `${res.type} '${res.name}'.${prop} is not a JSON string`);
    return JSON.parse(raw as string);
}

/** Plain recorded outputs of a resource (what `pulumi up` returned; a component's registered outputs). */
export function outputsOf(res: RecordedResource): Record<string, unknown> {
    return plain(res.outputs) as Record<string, unknown>;
}

/** The bucket policy document of the SecureBucket named `name`. */
export function bucketPolicy(rec: Recording, name: string): { Version: string; Statement: Record<string, unknown>[] } {
    return documentOf(one(rec, "aws:s3/bucketPolicy:BucketPolicy", `${name}-policy`), "policy");
}

/** The key policy of a PlatformKeys domain key (`data-lake`, `logs`, ...). */
export function keyPolicy(rec: Recording, segment: string, component = "keys"): { Version: string; Statement: Record<string, unknown>[] } {
    return documentOf(one(rec, "aws:kms/key:Key", `${component}-${segment}`), "policy");
}

/** The statement with `sid`, failing with the sids present otherwise. */
export function statement(doc: { Statement: Record<string, unknown>[] }, sid: string): Record<string, unknown> {
    const found = doc.Statement.find((s) => s.Sid === sid);
    assert.ok(found, `no statement '${sid}' (have: ${doc.Statement.map((s) => s.Sid).join(", ")})`);
    return found;
}

/**
 * Runs stack policies of the real pack over a recording, as AnalyzeStack does: every custom resource with its
 * recorded state (outputs; unknown at preview stays the engine's sentinel) and its property dependencies, with a
 * provider that carries only the region. Returns `<policy>: <message>` of every violation, whatever the policy's
 * enforcement level, and of every "can't run policy during preview" skip.
 */
export async function runStackPolicies(rec: Recording, region: string, policies: readonly Policy[]): Promise<{ violations: string[]; previewSkipped: string[] }> {
    for (const policy of policies) {
        assert.ok(isStackPolicy(policy), `${policy.name} is a stack policy`);
    }
    const out = { violations: [] as string[], previewSkipped: [] as string[] };
    for (const { policy, verdict } of await runPolicies(rec, { props: { region } }, policies)) {
        out.violations.push(...verdict.violations.map((x) => `${policy.name}: ${x.message}`));
        out.previewSkipped.push(...verdict.previewSkipped.map((m) => `${policy.name}: ${m}`));
    }
    return out;
}
