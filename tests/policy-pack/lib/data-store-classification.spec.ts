/**
 * Coverage by construction (issue 13): the SDK scan is re-run and compared with the checked-in candidates, every
 * candidate must be classified, every "judged" entry must be judged by the policy it names, with the paths that
 * policy's rule table declares, and the README tables must be the ones the classification renders.
 */
import * as assert from "assert";
import * as fs from "fs";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { AtRestRules, judgedPaths } from "../../../policy-pack/lib/at-rest-rules";
import { DATA_STORE_CLASSIFICATION } from "../../../policy-pack/lib/data-store-classification";
import { policies } from "../../../policy-pack/policies";
import { CODECOMMIT_RULES, codecommitRepositoryEncryption } from "../../../policy-pack/policies/encryption/codecommit-repository-encryption";
import { DAX_RULES, daxEncryptionAtRest } from "../../../policy-pack/policies/encryption/dax-encryption-at-rest";
import { DOCDB_ELASTIC_RULES, docdbElasticClusterEncryptionAtRest } from "../../../policy-pack/policies/encryption/docdb-elastic-cluster-encryption-at-rest";
import { EBS_SNAPSHOT_COPY_RULES, ebsSnapshotCopyEncryptionAtRest } from "../../../policy-pack/policies/encryption/ebs-snapshot-copy-encryption-at-rest";
import { ECR_RULES, ecrRepositoryEncryptionAtRest } from "../../../policy-pack/policies/encryption/ecr-repository-encryption-at-rest";
import { FSX_RULES, fsxEncryptionAtRest } from "../../../policy-pack/policies/encryption/fsx-encryption-at-rest";
import { KEYSPACES_RULES, keyspacesEncryptionAtRest } from "../../../policy-pack/policies/encryption/keyspaces-encryption-at-rest";
import { KINESIS_VIDEO_RULES, kinesisVideoStreamEncryptionAtRest } from "../../../policy-pack/policies/encryption/kinesis-video-stream-encryption-at-rest";
import { LEDGER_DATABASE_RULES, ledgerDatabaseEncryptionAtRest } from "../../../policy-pack/policies/encryption/ledger-database-encryption-at-rest";
import { MANAGED_SERVICE_RULES, managedServiceEncryptionAtRest } from "../../../policy-pack/policies/encryption/managed-service-encryption-at-rest";
import { MEMORYDB_RULES, memorydbEncryptionAtRest } from "../../../policy-pack/policies/encryption/memorydb-encryption-at-rest";
import { MQ_RULES, mqBrokerEncryptionAtRest } from "../../../policy-pack/policies/encryption/mq-broker-encryption-at-rest";
import { MSK_RULES, mskEncryptionAtRest } from "../../../policy-pack/policies/encryption/msk-encryption-at-rest";
import { SAGEMAKER_RULES, sagemakerEncryptionAtRest } from "../../../policy-pack/policies/encryption/sagemaker-encryption-at-rest";
import { TIMESTREAM_RULES, timestreamEncryptionAtRest } from "../../../policy-pack/policies/encryption/timestream-encryption-at-rest";
import { WORKSPACES_RULES, workspacesVolumeEncryption } from "../../../policy-pack/policies/encryption/workspaces-volume-encryption";
import { CANDIDATES_FILE, candidatesJson, README_FILE, renderCoverage, unclassified } from "../../../tools/pack-coverage/generate";
import { Candidate, scanAwsSdk } from "../../../tools/pack-coverage/scan";
import { validateResource } from "../helpers";

const RULE_TABLES: [ResourceValidationPolicy, AtRestRules][] = [
    [mskEncryptionAtRest, MSK_RULES],
    [memorydbEncryptionAtRest, MEMORYDB_RULES],
    [daxEncryptionAtRest, DAX_RULES],
    [fsxEncryptionAtRest, FSX_RULES],
    [timestreamEncryptionAtRest, TIMESTREAM_RULES],
    [sagemakerEncryptionAtRest, SAGEMAKER_RULES],
    [keyspacesEncryptionAtRest, KEYSPACES_RULES],
    [ecrRepositoryEncryptionAtRest, ECR_RULES],
    [mqBrokerEncryptionAtRest, MQ_RULES],
    [kinesisVideoStreamEncryptionAtRest, KINESIS_VIDEO_RULES],
    [codecommitRepositoryEncryption, CODECOMMIT_RULES],
    [workspacesVolumeEncryption, WORKSPACES_RULES],
    [docdbElasticClusterEncryptionAtRest, DOCDB_ELASTIC_RULES],
    [ledgerDatabaseEncryptionAtRest, LEDGER_DATABASE_RULES],
    [ebsSnapshotCopyEncryptionAtRest, EBS_SNAPSHOT_COPY_RULES],
    [managedServiceEncryptionAtRest, MANAGED_SERVICE_RULES],
];

describe("data-store classification (coverage by construction)", function () {
    // The scan parses every generated module of @pulumi/aws (about 1,700 files and the 5 MB input typings).
    this.timeout(180_000);
    let scanned: Candidate[];

    before(() => {
        scanned = scanAwsSdk();
    });

    it("finds the data stores issue 13 named, with the key argument where the SDK declares it", () => {
        const byType = new Map(scanned.map((c) => [c.type, c]));
        assert.deepStrictEqual(byType.get("aws:msk/cluster:Cluster")?.paths, ["encryptionInfo.encryptionAtRestKmsKeyArn"]);
        // A block whose fields choose no key (DAX has only `enabled`) is named as the block.
        assert.deepStrictEqual(byType.get("aws:dax/cluster:Cluster")?.paths, ["serverSideEncryption"]);
        assert.deepStrictEqual(byType.get("aws:keyspaces/table:Table")?.paths, ["encryptionSpecification.kmsKeyIdentifier"]);
        assert.deepStrictEqual(byType.get("aws:glacier/vault:Vault"), { type: "aws:glacier/vault:Vault", paths: [], knownDataStore: true });
        for (const t of ["aws:memorydb/cluster:Cluster", "aws:fsx/lustreFileSystem:LustreFileSystem", "aws:fsx/ontapFileSystem:OntapFileSystem", "aws:timestreamwrite/database:Database", "aws:sagemaker/notebookInstance:NotebookInstance"]) {
            assert.ok(byType.has(t), t);
        }
        // In-transit settings alone do not make a data store.
        assert.strictEqual(byType.get("aws:ec2/vpnConnection:VpnConnection"), undefined);
    });

    it("matches the checked-in candidates (run `npm run coverage:generate` after an SDK upgrade)", () => {
        assert.strictEqual(candidatesJson(scanned), fs.readFileSync(CANDIDATES_FILE, "utf8"));
    });

    it("classifies every candidate, and would name a type the SDK gains", () => {
        assert.deepStrictEqual(unclassified(scanned), []);
        assert.deepStrictEqual(unclassified([...scanned, { type: "aws:newservice/store:Store", paths: ["kmsKeyId"], knownDataStore: false }]), ["aws:newservice/store:Store"]);
    });

    it("gives every unjudged type a written reason", () => {
        for (const [type, c] of Object.entries(DATA_STORE_CLASSIFICATION)) {
            if ("unjudged" in c) {
                assert.ok(c.reason.length > 30, `${type}: reason too short`);
            } else {
                assert.ok(c.paths.length > 0 || type.includes("erverless") || type.includes("influxdb"), `${type}: judged without paths`);
            }
        }
    });

    it("names, for every judged type, a policy of the pack that judges it", async () => {
        for (const [type, c] of Object.entries(DATA_STORE_CLASSIFICATION)) {
            if (!("judgedBy" in c)) {
                continue;
            }
            const policy = policies.find((p) => p.name === c.judgedBy);
            assert.ok(policy, `${type}: no policy named ${c.judgedBy}`);
            assert.strictEqual(policy.enforcementLevel, "mandatory", c.judgedBy);
            if ("validateStack" in policy) {
                continue; // The S3 stack policies judge buckets through their own index (specs under tests/policy-pack/s3).
            }
            const props = type === "aws:lambda/function:Function" ? { environment: { variables: { A: "b" } } } : {};
            const v = await validateResource(policy, { type, props });
            assert.deepStrictEqual(v.notApplicable, [], `${c.judgedBy} does not judge ${type}`);
        }
    });

    it("lists for rule-driven policies exactly the paths their rule tables judge", () => {
        for (const [policy, rules] of RULE_TABLES) {
            for (const [type, paths] of Object.entries(judgedPaths(rules))) {
                assert.deepStrictEqual(DATA_STORE_CLASSIFICATION[type], { judgedBy: policy.name, paths }, type);
            }
        }
    });

    it("keeps the README coverage tables generated from the classification", () => {
        assert.ok(fs.readFileSync(README_FILE, "utf8").includes(renderCoverage()), "policy-pack/README.md is stale: run npm run coverage:generate");
    });
});
