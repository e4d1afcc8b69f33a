import * as assert from "assert";
import { Backup } from "../../../components/storage/backup";
import { Cache } from "../../../components/storage/cache";
import { DataLake } from "../../../components/storage/data-lake";
import { Database } from "../../../components/storage/database";
import { MetadataTable } from "../../../components/storage/dynamodb";
import { FileStorage } from "../../../components/storage/file-storage";
import { Warehouse } from "../../../components/storage/redshift";
import { inputs } from "../../support/platform";
import { record, setup } from "./helpers";

// The input holding the physical name AWS requires to be unique (per account and region, or globally for S3), by type.
const PHYSICAL_NAME: Record<string, string> = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:rds/clusterInstance:ClusterInstance": "identifier",
    "aws:rds/subnetGroup:SubnetGroup": "name",
    "aws:rds/parameterGroup:ParameterGroup": "name",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "name",
    "aws:redshift/cluster:Cluster": "clusterIdentifier",
    "aws:redshift/subnetGroup:SubnetGroup": "name",
    "aws:redshift/parameterGroup:ParameterGroup": "name",
    "aws:redshiftserverless/namespace:Namespace": "namespaceName",
    "aws:redshiftserverless/workgroup:Workgroup": "workgroupName",
    "aws:dynamodb/table:Table": "name",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:elasticache/serverlessCache:ServerlessCache": "name",
    "aws:elasticache/subnetGroup:SubnetGroup": "name",
    "aws:elasticache/user:User": "userId",
    "aws:elasticache/userGroup:UserGroup": "userGroupId",
    "aws:secretsmanager/secret:Secret": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:efs/fileSystem:FileSystem": "creationToken",
    "aws:ec2/securityGroup:SecurityGroup": "name",
    "aws:backup/vault:Vault": "name",
    "aws:backup/plan:Plan": "name",
    "aws:iam/role:Role": "name",
};

describe("components/storage: two instances of every component in one stack", () => {
    it("register without URN clashes and with distinct physical names", async () => {
        const s = setup("prod", { redshiftMode: "provisioned" });
        const st = s.cfg.storage;
        const rec = await record("preview", () => {
            for (const n of ["a", "b"]) {
                new DataLake(`${n}-lake`, { context: s.context, keys: s.keys, config: s.cfg.dataLake, purposePrefix: `${n}lake` });
                new Database(`${n}-db`, { context: s.context, keys: s.keys, network: s.network, settings: st.rds });
                new Warehouse(`${n}-wh`, { context: s.context, keys: s.keys, network: s.network, settings: st.redshift });
                new MetadataTable(`${n}-table`, { context: s.context, keys: s.keys });
                new Cache(`${n}-cache`, { context: s.context, keys: s.keys, network: s.network, settings: st.elasticache });
                new FileStorage(`${n}-files`, { context: s.context, keys: s.keys, network: s.network, settings: { efs: st.efs, ebs: st.ebs } });
                new Backup(`${n}-backup`, { context: s.context, keys: s.keys, settings: st.backup });
            }
        });
        const seen = new Map<string, string>();
        const clashes: string[] = [];
        for (const r of rec.resources) {
            const prop = PHYSICAL_NAME[r.type];
            if (!prop) continue;
            const v = inputs(r)[prop];
            assert.strictEqual(typeof v, "string", `${r.type} ${r.name} has its physical name ${prop} known at preview`);
            const key = `${r.type}|${v}`;
            if (seen.has(key)) clashes.push(`${r.type} ${prop}=${v}`);
            seen.set(key, r.urn);
        }
        assert.deepStrictEqual(clashes, []);
        assert.ok(seen.size > 60, `physical names were compared (${seen.size})`);
    });
});
