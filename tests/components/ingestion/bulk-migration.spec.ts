import * as assert from "assert";
import { BulkMigrationLanding } from "../../../components/ingestion/bulk-migration";
import { PlatformConfig } from "../../../components/shared/config";
import { Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, one } from "../../support/platform";
import { bucketRef, decide, documentOf, MODES, platformConfig, record, STACKS } from "./support";

const build = (cfg: PlatformConfig, notificationTopicArn?: string) => () =>
    new BulkMigrationLanding("ingest-bulk", { context: contextOf(cfg), keys: fakeKeys(cfg), importBucket: bucketRef(cfg, "import"), notificationTopicArn });

describe("components/ingestion/bulk-migration: BulkMigrationLanding", () => {
    for (const stack of STACKS) {
        for (const mode of MODES) {
            describe(`${stack}, ${mode}`, () => {
                const cfg = platformConfig(stack);
                const keys = fakeKeys(cfg);
                const account = cfg.naming.accountId;
                const p = `${cfg.naming.prefix}-${stack}`;
                const importZone = bucketRef(cfg, "import");
                const roleArn = `arn:aws:iam::${account}:role/${p}-ingest-bulk-snowball`;
                let rec: Recording;
                before(async () => {
                    rec = await record(cfg, stack, mode, build(cfg));
                });

                it("builds a role only Snowball (importexport.amazonaws.com) may assume, for this account's jobs", async () => {
                    const role = one(rec, "aws:iam/role:Role", "ingest-bulk-snowball-role");
                    assert.strictEqual(inputs(role).name, `${p}-ingest-bulk-snowball`);
                    assert.deepStrictEqual(documentOf(role, "assumeRolePolicy").Statement, [
                        {
                            Sid: "TrustSnowball",
                            Effect: "Allow",
                            Principal: { Service: "importexport.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:SourceAccount": account } },
                        },
                    ]);
                    const component = one(rec, "healthcare:ingestion:BulkMigrationLanding", "ingest-bulk");
                    assert.strictEqual(descendants(rec, component.urn).length, rec.resources.length - 2);
                });

                it("lets the role import into the import zone only, with the data-lake key only through S3 for that bucket", async () => {
                    const policy = documentOf(one(rec, "aws:iam/rolePolicy:RolePolicy", "ingest-bulk-snowball-policy"), "policy");
                    const can = (action: string, resource: string, context?: Record<string, string | string[]>) => decide(roleArn, [policy], { action, resource, context }, account);
                    assert.strictEqual(await can("s3:PutObject", `${importZone.arn}/customer=st-marys/archive/2019/scan-001.dcm`), "Allowed");
                    assert.strictEqual(await can("s3:ListBucket", importZone.arn), "Allowed");
                    assert.strictEqual(await can("s3:PutObject", `${bucketRef(cfg, "raw").arn}/x`), "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:DeleteObject", `${importZone.arn}/x`), "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:PutBucketPolicy", importZone.arn), "ImplicitlyDenied");
                    const key = `arn:aws:kms:us-east-1:${account}:key/00000001-aaaa-4bbb-8ccc-000000000009`;
                    const kms = (via: string, bucket: string) => ({
                        "kms:ResourceAliases": [keys.dataLake.aliasName],
                        "kms:ViaService": `${via}.us-east-1.amazonaws.com`,
                        "kms:EncryptionContext:aws:s3:arn": bucket,
                    });
                    assert.strictEqual(await can("kms:GenerateDataKey", key, kms("s3", importZone.arn)), "Allowed");
                    assert.strictEqual(await can("kms:GenerateDataKey", key, kms("s3", bucketRef(cfg, "raw").arn)), "ImplicitlyDenied");
                    assert.strictEqual(await can("kms:Decrypt", key, kms("dynamodb", importZone.arn)), "ImplicitlyDenied");
                });

                it("grants the role the data-lake key for the import bucket's encryption context only", async () => {
                    const grant = one(rec, "aws:kms/grant:Grant", "ingest-bulk-import-grant");
                    assert.deepStrictEqual(inputs(grant), {
                        name: `${p}-ingest-bulk-snowball-import`,
                        keyId: keys.dataLake.arn,
                        granteePrincipal: roleArn,
                        operations: ["GenerateDataKey", "Decrypt"],
                        constraints: [{ encryptionContextSubset: { "aws:s3:arn": importZone.arn } }],
                        retireOnDelete: true,
                    });
                    const roleUrn = one(rec, "aws:iam/role:Role", "ingest-bulk-snowball-role").urn;
                    assert.ok(grant.dependencies.includes(roleUrn), "KMS checks the grantee exists: the role comes first");
                });

                it("gives operators a policy that passes only this role, only to Snowball, and lets Snowball grant itself the job key", async () => {
                    const operator = `arn:aws:iam::${account}:role/migration-operator`;
                    const policy = documentOf(one(rec, "aws:iam/policy:Policy", "ingest-bulk-operator-policy"), "policy");
                    const can = (action: string, resource: string, context?: Record<string, string | string[]>) => decide(operator, [policy], { action, resource, context }, account);
                    assert.strictEqual(await can("iam:PassRole", roleArn, { "iam:PassedToService": "importexport.amazonaws.com" }), "Allowed");
                    assert.strictEqual(await can("iam:PassRole", roleArn, { "iam:PassedToService": "ec2.amazonaws.com" }), "ImplicitlyDenied");
                    assert.strictEqual(await can("iam:PassRole", `arn:aws:iam::${account}:role/admin`, { "iam:PassedToService": "importexport.amazonaws.com" }), "ImplicitlyDenied");
                    assert.strictEqual(await can("snowball:CreateJob", "*", { "aws:RequestedRegion": "us-east-1" }), "Allowed");
                    const key = `arn:aws:kms:us-east-1:${account}:key/00000001-aaaa-4bbb-8ccc-000000000009`;
                    assert.strictEqual(await can("kms:CreateGrant", key, { "kms:ResourceAliases": [keys.dataLake.aliasName], "kms:GrantIsForAWSResource": "true" }), "Allowed");
                    assert.strictEqual(await can("kms:CreateGrant", key, { "kms:ResourceAliases": [keys.dataLake.aliasName], "kms:GrantIsForAWSResource": "false" }), "ImplicitlyDenied");
                    assert.strictEqual(await can("kms:Decrypt", key, { "kms:ResourceAliases": [keys.dataLake.aliasName] }), "ImplicitlyDenied");
                });
            });
        }
    }

    it("lets the role publish job notifications to the given topic only when one is given", async () => {
        const cfg = platformConfig("dev");
        const topic = `arn:aws:sns:us-east-1:${cfg.naming.accountId}:hdp-dev-alerts`;
        const rec = await record(cfg, "dev", "preview", build(cfg, topic));
        const statements = documentOf(one(rec, "aws:iam/rolePolicy:RolePolicy", "ingest-bulk-snowball-policy"), "policy").Statement;
        assert.deepStrictEqual(statements[statements.length - 1], { Sid: "JobNotifications", Effect: "Allow", Action: ["sns:Publish"], Resource: topic });
        await assert.rejects(record(cfg, "dev", "preview", build(cfg, "my-topic")), { message: "BulkMigrationLanding 'ingest-bulk': notificationTopicArn must be an SNS topic ARN, got 'my-topic'" });
    });
});
