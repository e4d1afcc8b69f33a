/**
 * Turning a store off in config removes exactly that store's resources: the storage composition
 * (components/storage/compose.ts, the same code index.ts calls) is recorded with and without the store, and the
 * difference must be the store's own subtree, with every other resource registered with the same inputs.
 */
import * as assert from "assert";
import { Recording } from "../../../tools/offline/recorder";
import { inputs } from "../../support/platform";
import { composeStorage } from "../../../components/storage/compose";
import { record, setup, subtree, unknownPolicyDocuments } from "./helpers";

interface Case {
    title: string;
    stack: "dev" | "prod";
    key: string;
    /** The component whose subtree disappears. */
    component: [type: string, name: string];
    /** When only part of the component goes: the types that disappear (the component itself stays). */
    onlyTypes?: string[];
}

const EFS_TYPES = [
    "aws:efs/fileSystem:FileSystem",
    "aws:efs/backupPolicy:BackupPolicy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    "aws:efs/accessPoint:AccessPoint",
    "aws:efs/mountTarget:MountTarget",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
];

const CASES: Case[] = [
    { title: "rdsEnabled=false removes the database", stack: "dev", key: "rdsEnabled", component: ["healthcare:storage:Database", "database"] },
    { title: "rdsEnabled=false removes the Aurora cluster (prod)", stack: "prod", key: "rdsEnabled", component: ["healthcare:storage:Database", "database"] },
    { title: "redshiftEnabled=false removes the warehouse", stack: "prod", key: "redshiftEnabled", component: ["healthcare:storage:Warehouse", "warehouse"] },
    { title: "dynamodbEnabled=false removes the table", stack: "dev", key: "dynamodbEnabled", component: ["healthcare:storage:MetadataTable", "ingestion-manifest"] },
    { title: "elasticacheEnabled=false removes the serverless cache (dev)", stack: "dev", key: "elasticacheEnabled", component: ["healthcare:storage:Cache", "cache"] },
    { title: "elasticacheEnabled=false removes the replication group (prod)", stack: "prod", key: "elasticacheEnabled", component: ["healthcare:storage:Cache", "cache"] },
    { title: "efsEnabled=false removes the whole file storage when there is no volume (dev)", stack: "dev", key: "efsEnabled", component: ["healthcare:storage:FileStorage", "files"] },
    {
        title: "efsEnabled=false removes only the EFS resources when the EBS volume stays (prod)",
        stack: "prod",
        key: "efsEnabled",
        component: ["healthcare:storage:FileStorage", "files"],
        onlyTypes: EFS_TYPES,
    },
    {
        title: "ebsVolumeEnabled=false removes only the volume (prod)",
        stack: "prod",
        key: "ebsVolumeEnabled",
        component: ["healthcare:storage:FileStorage", "files"],
        onlyTypes: ["aws:ebs/volume:Volume"],
    },
];

// Recordings are deterministic; each configuration is recorded once (the full stacks serve several cases).
const recordings = new Map<string, Promise<Recording>>();
function compose(stack: "dev" | "prod", overrides: Record<string, unknown> = {}): Promise<Recording> {
    const key = `${stack}:${JSON.stringify(overrides)}`;
    let rec = recordings.get(key);
    if (!rec) {
        const s = setup(stack, overrides);
        rec = record("preview", () => composeStorage(s.cfg, s));
        recordings.set(key, rec);
    }
    return rec;
}

describe("components/storage: a store disabled in config", () => {
    for (const c of CASES) {
        it(c.title, async () => {
            const full = await compose(c.stack);
            const without = await compose(c.stack, { [c.key]: false });
            const { component, resources } = subtree(full, ...c.component);
            const expected = c.onlyTypes ? resources.filter((r) => c.onlyTypes?.includes(r.type)) : [component, ...resources];
            assert.ok(expected.length > 0, "the store has resources to remove");

            const remaining = new Set(without.resources.map((r) => r.urn));
            const removed = full.resources.filter((r) => !remaining.has(r.urn)).map((r) => r.urn).sort();
            assert.deepStrictEqual(removed, expected.map((r) => r.urn).sort());
            const before = new Set(full.resources.map((r) => r.urn));
            assert.deepStrictEqual(without.resources.filter((r) => !before.has(r.urn)).map((r) => r.urn), [], "nothing new appears");

            // Every other resource is registered exactly as before, except the backup selection that lists store ARNs.
            const fullByUrn = new Map(full.resources.map((r) => [r.urn, r]));
            for (const r of without.resources) {
                if (r.name === "backup-stores") continue;
                assert.deepStrictEqual(inputs(r), inputs(fullByUrn.get(r.urn) as (typeof full.resources)[number]), `${r.type} ${r.name} unchanged`);
            }
        });
    }

    it("every policy document of the storage area (bucket, EFS, trust policies) is known at preview, dev and prod", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const rec = await compose(stack);
            assert.deepStrictEqual(unknownPolicyDocuments(rec), [], stack);
            const documents = rec.resources.filter((r) => Object.keys(r.inputs).some((k) => /policy$/i.test(k)));
            assert.ok(documents.length >= 9, `${stack}: policy documents were checked (${documents.length})`);
        }
    });

    it("the backup plan then selects only the stores that remain", async () => {
        const without = await compose("prod", { rdsEnabled: false });
        const sel = without.resources.find((r) => r.name === "backup-stores");
        assert.ok(sel);
        assert.deepStrictEqual(inputs(sel).resources, ["arn:aws:dynamodb:us-east-1:345678901234:table/hdp-prod-ingestion-manifest"]);
        const none = await compose("prod", { rdsEnabled: false, dynamodbEnabled: false });
        assert.strictEqual(none.resources.find((r) => r.name === "backup-stores"), undefined);
        assert.ok(none.resources.find((r) => r.name === "backup-tagged"), "the tag-based selection stays");
    });
});
