import * as assert from "assert";
import { KEY_ADMINISTRATION_ACTIONS, KEY_DOMAINS, KEY_DOMAIN_SEGMENT, keyAliasName, PlatformKeys, PlatformKeysArgs } from "../../../components/security/keys";
import { PlatformConfig } from "../../../components/shared/config";
import { Mode, Recording, recordProgram } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, one, ofType, platformConfig, UNKNOWN } from "../../support/platform";
import { evaluate, keyPolicy, outputsOf, statement } from "./iam-eval";

type Doc = { Statement: Record<string, unknown>[] };

function args(cfg: PlatformConfig, overrides: Partial<PlatformKeysArgs> = {}): PlatformKeysArgs {
    return { context: contextOf(cfg), deletionWindowInDays: cfg.security.kmsDeletionWindowDays, ...overrides };
}

function record(cfg: PlatformConfig, mode: Mode, overrides: Partial<PlatformKeysArgs> = {}): Promise<Recording> {
    return recordProgram(
        async () => {
            new PlatformKeys("keys", args(cfg, overrides));
        },
        { mode, context: { accountId: cfg.naming.accountId, region: cfg.naming.region, partition: cfg.naming.partition } },
    );
}

const ANOTHER_ACCOUNT = "999999999999";

describe("components/security/keys", () => {
    const dev = platformConfig("dev");
    const prod = platformConfig("prod");

    for (const cfg of [dev, prod]) {
        it(`creates one rotating customer-managed key and alias per data domain (${cfg.environment})`, async () => {
            const rec = await record(cfg, "up");
            const component = one(rec, "healthcare:security:PlatformKeys", "keys");
            const keys = ofType(rec, "aws:kms/key:Key");
            assert.strictEqual(keys.length, KEY_DOMAINS.length);
            for (const domain of KEY_DOMAINS) {
                const segment = KEY_DOMAIN_SEGMENT[domain];
                const key = one(rec, "aws:kms/key:Key", `keys-${segment}`);
                const k = inputs(key);
                assert.strictEqual(key.parent, component.urn);
                assert.strictEqual(k.enableKeyRotation, true);
                assert.strictEqual(k.rotationPeriodInDays, 365);
                assert.strictEqual(k.deletionWindowInDays, cfg.security.kmsDeletionWindowDays);
                assert.strictEqual(k.keyUsage, "ENCRYPT_DECRYPT");
                assert.strictEqual(k.customerMasterKeySpec, "SYMMETRIC_DEFAULT");
                assert.strictEqual(k.multiRegion, false);
                assert.strictEqual(k.bypassPolicyLockoutSafetyCheck, false);
                const alias = one(rec, "aws:kms/alias:Alias", `keys-${segment}-alias`);
                assert.strictEqual(alias.parent, component.urn);
                assert.strictEqual(inputs(alias).name, `alias/${cfg.naming.prefix}-${cfg.environment}-${segment}`);
                assert.strictEqual(inputs(alias).targetKeyId, outputsOf(key).keyId, "the alias points at its own key");
                assert.deepStrictEqual(alias.propertyDependencies.targetKeyId, [key.urn]);
            }
            assert.strictEqual(cfg.security.kmsDeletionWindowDays, cfg.environment === "prod" ? 30 : 7);
            assert.strictEqual(descendants(rec, component.urn).length, KEY_DOMAINS.length * 2);
        });
    }

    it("protects the keys in prod, none in dev, and never the aliases", async () => {
        const prodRec = await record(prod, "preview");
        assert.deepStrictEqual(ofType(prodRec, "aws:kms/key:Key").map((k) => k.options.protect), KEY_DOMAINS.map(() => true));
        assert.ok(ofType(prodRec, "aws:kms/alias:Alias").every((a) => !a.options.protect));
        const devRec = await record(dev, "preview");
        assert.ok(devRec.resources.every((r) => !r.options.protect));
    });

    it("exposes refs whose aliases match the platform's contract and whose ARNs are the keys' ARNs", async () => {
        const rec = await record(dev, "up");
        const outputs = outputsOf(one(rec, "healthcare:security:PlatformKeys", "keys")) as { keyArns: Record<string, string>; aliasNames: Record<string, string> };
        const contract = fakeKeys(dev);
        for (const domain of KEY_DOMAINS) {
            assert.strictEqual(outputs.aliasNames[domain], contract[domain].aliasName);
            assert.strictEqual(outputs.aliasNames[domain], keyAliasName(dev.naming, domain));
            const key = one(rec, "aws:kms/key:Key", `keys-${KEY_DOMAIN_SEGMENT[domain]}`);
            assert.strictEqual(outputs.keyArns[domain], outputsOf(key).arn);
            assert.match(outputs.keyArns[domain], /^arn:aws:kms:us-east-1:210987654321:key\/[0-9a-f-]{36}$/);
        }
    });

    it("knows every key policy at preview", async () => {
        const rec = await record(prod, "preview");
        for (const key of ofType(rec, "aws:kms/key:Key")) {
            assert.notStrictEqual(inputs(key).policy, UNKNOWN, `${key.name} policy is known at preview`);
            assert.strictEqual(inputs(key).arn, undefined);
            JSON.parse(inputs(key).policy as string);
        }
    });

    it("grants only this account, the administrators and service principals pinned to this account", async () => {
        const admin = `arn:aws:iam::${prod.naming.accountId}:role/key-admins`;
        const rec = await record(prod, "up", { administratorArns: [admin] });
        for (const domain of KEY_DOMAINS) {
            const doc = keyPolicy(rec, KEY_DOMAIN_SEGMENT[domain]) as Doc;
            for (const s of doc.Statement) {
                assert.strictEqual(s.Effect, "Allow");
                const principal = s.Principal as Record<string, string | string[]>;
                const aws = ([] as string[]).concat(principal.AWS ?? []);
                const services = ([] as string[]).concat(principal.Service ?? []);
                const condition = JSON.stringify(s.Condition ?? {});
                for (const p of aws) {
                    if (p === "*") {
                        assert.match(condition, /"kms:CallerAccount":"345678901234"/, `${domain} ${s.Sid}: "*" is pinned to the account`);
                        assert.match(condition, /"aws:PrincipalArn"/, `${domain} ${s.Sid}: "*" is narrowed to one role`);
                    } else {
                        assert.ok(p === "arn:aws:iam::345678901234:root" || p === admin, `${domain} ${s.Sid}: principal ${p}`);
                    }
                }
                for (const svc of services) {
                    assert.ok(/aws:SourceAccount|kms:EncryptionContext:aws:logs:arn/.test(condition), `${domain} ${s.Sid}: ${svc} is pinned to this account`);
                    assert.ok(condition.includes("345678901234"), `${domain} ${s.Sid}: condition names the account`);
                }
                assert.ok(!JSON.stringify(s).includes(ANOTHER_ACCOUNT));
            }
            const adminStatement = statement(doc, "KeyAdministrators");
            assert.deepStrictEqual(adminStatement.Action, KEY_ADMINISTRATION_ACTIONS);
            for (const action of adminStatement.Action as string[]) {
                assert.ok(!action.includes("*") && !/Decrypt|Encrypt|GenerateDataKey|Sign|Verify|Mac|CreateGrant/.test(action), `administrators may not use the key: ${action}`);
            }
        }
        // The databases key is also the account's EBS default key: the Auto Scaling service-linked role is named on it.
        assert.deepStrictEqual((keyPolicy(rec, "databases") as Doc).Statement.map((s) => s.Sid), [
            "EnableIamPoliciesOfThisAccount",
            "KeyAdministrators",
            "AllowAutoScalingServiceLinkedRoleToUseTheKey",
            "AllowAutoScalingServiceLinkedRoleToGrantForVolumes",
        ]);
        // Streaming, secrets and backup serve AWS services through IAM grants: no service principal.
        for (const segment of ["streaming", "secrets", "backup"]) {
            const doc = keyPolicy(rec, segment) as Doc;
            assert.deepStrictEqual(doc.Statement.map((s) => s.Sid), ["EnableIamPoliciesOfThisAccount", "KeyAdministrators"]);
        }
    });

    describe("key policies, evaluated (recorded in up mode)", () => {
        let rec: Recording;
        const account = prod.naming.accountId;
        const admin = `arn:aws:iam::${account}:role/key-admins`;
        before(async () => {
            rec = await record(prod, "up", { administratorArns: [admin] });
        });
        const keyArn = (segment: string) => outputsOf(one(rec, "aws:kms/key:Key", `keys-${segment}`)).arn as string;
        const ask = (segment: string, principal: string, action: string, context: Record<string, string | string[]>, identityPolicies: unknown[] = []) =>
            evaluate({ principal, action, resource: keyArn(segment), resourceAccount: account, context, identityPolicies, resourcePolicy: keyPolicy(rec, segment) });

        it("Macie can encrypt discovery results with the data-lake key only for this account", async () => {
            const job = (acct: string) => `arn:aws:macie2:us-east-1:${acct}:classification-job/0123456789abcdef0123456789abcdef`;
            const macie = (sourceAccount: string, sourceArn: string, action = "kms:GenerateDataKey") =>
                ask("data-lake", "macie.amazonaws.com", action, { "aws:SourceAccount": sourceAccount, "aws:SourceArn": sourceArn });
            assert.strictEqual(await macie(account, job(account)), "Allowed");
            assert.strictEqual(await macie(account, `arn:aws:macie2:us-east-1:${account}:export-configuration:abc`, "kms:Encrypt"), "Allowed");
            assert.strictEqual(await macie(ANOTHER_ACCOUNT, job(ANOTHER_ACCOUNT)), "ImplicitlyDenied", "a job of another account");
            assert.strictEqual(await macie(ANOTHER_ACCOUNT, job(account)), "ImplicitlyDenied", "another SourceAccount");
            assert.strictEqual(await macie(account, job(account), "kms:Decrypt"), "ImplicitlyDenied", "Macie never decrypts as a service principal");
            // Macie cannot use any other domain's key.
            assert.strictEqual(await ask("logs", "macie.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceAccount": account, "aws:SourceArn": job(account) }), "ImplicitlyDenied");
        });

        it("Macie's service-linked role can decrypt scanned objects through S3 only", async () => {
            const slr = `arn:aws:iam::${account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`;
            const decrypt = (principal: string, via: string) =>
                ask("data-lake", principal, "kms:Decrypt", { "aws:PrincipalArn": principal, "kms:CallerAccount": account, "kms:ViaService": via });
            assert.strictEqual(await decrypt(slr, "s3.us-east-1.amazonaws.com"), "Allowed");
            assert.strictEqual(await decrypt(slr, "secretsmanager.us-east-1.amazonaws.com"), "ImplicitlyDenied");
            assert.strictEqual(await decrypt(`arn:aws:iam::${account}:role/some-other-role`, "s3.us-east-1.amazonaws.com"), "ImplicitlyDenied");
        });

        it("the Auto Scaling service-linked role can use the databases key (the EBS default key) and grant it to EC2 only for AWS resources", async () => {
            // AWS: "Required AWS KMS key policy for use with encrypted volumes" (EC2 Auto Scaling user guide). Without it
            // every Auto Scaling launch of an encrypted volume fails once the key is the account's EBS default key.
            const slr = `arn:aws:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
            const use = (principal: string, action: string, extra: Record<string, string> = {}) =>
                ask("databases", principal, action, { "aws:PrincipalArn": principal, "kms:CallerAccount": account, ...extra });
            for (const action of ["kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt", "kms:ReEncryptFrom", "kms:DescribeKey", "kms:Encrypt"]) {
                assert.strictEqual(await use(slr, action), "Allowed", action);
            }
            assert.strictEqual(await use(slr, "kms:CreateGrant", { "kms:GrantIsForAWSResource": "true" }), "Allowed");
            assert.strictEqual(await use(slr, "kms:CreateGrant", { "kms:GrantIsForAWSResource": "false" }), "ImplicitlyDenied");
            assert.strictEqual(await use(`arn:aws:iam::${account}:role/some-other-role`, "kms:Decrypt"), "ImplicitlyDenied");
            assert.strictEqual(await ask("data-lake", slr, "kms:Decrypt", { "aws:PrincipalArn": slr, "kms:CallerAccount": account }), "ImplicitlyDenied", "only the databases key");
        });

        it("CloudTrail can encrypt log files with the logs key only for this stack's trails in this account", async () => {
            const trail = (acct: string, name = "hdp-prod-audit") => `arn:aws:cloudtrail:us-east-1:${acct}:trail/${name}`;
            const cloudtrail = (sourceAccount: string, sourceArn: string, context = sourceArn, segment = "logs") =>
                ask(segment, "cloudtrail.amazonaws.com", "kms:GenerateDataKey", {
                    "aws:SourceAccount": sourceAccount,
                    "aws:SourceArn": sourceArn,
                    "kms:EncryptionContext:aws:cloudtrail:arn": context,
                });
            assert.strictEqual(await cloudtrail(account, trail(account)), "Allowed");
            assert.strictEqual(await cloudtrail(ANOTHER_ACCOUNT, trail(ANOTHER_ACCOUNT)), "ImplicitlyDenied", "a trail of another account");
            assert.strictEqual(await cloudtrail(ANOTHER_ACCOUNT, trail(account)), "ImplicitlyDenied", "another SourceAccount");
            assert.strictEqual(await cloudtrail(account, trail(account), trail(ANOTHER_ACCOUNT)), "ImplicitlyDenied", "log files of another account's trail");
            assert.strictEqual(await cloudtrail(account, trail(account, "someone-elses-trail")), "ImplicitlyDenied", "a trail this stack does not name");
            assert.strictEqual(await cloudtrail(account, trail(account), trail(account), "data-lake"), "ImplicitlyDenied", "CloudTrail cannot use the data-lake key");
            const describe = (sourceAccount: string) =>
                ask("logs", "cloudtrail.amazonaws.com", "kms:DescribeKey", { "aws:SourceAccount": sourceAccount, "aws:SourceArn": trail(sourceAccount) });
            assert.strictEqual(await describe(account), "Allowed");
            assert.strictEqual(await describe(ANOTHER_ACCOUNT), "ImplicitlyDenied");
        });

        it("CloudWatch Logs can use the logs key for this account's log groups only", async () => {
            const logs = (groupArn: string) =>
                ask("logs", "logs.us-east-1.amazonaws.com", "kms:GenerateDataKey", { "kms:EncryptionContext:aws:logs:arn": groupArn });
            assert.strictEqual(await logs(`arn:aws:logs:us-east-1:${account}:log-group:/aws/vpc/flow-logs`), "Allowed");
            assert.strictEqual(await logs(`arn:aws:logs:us-east-1:${ANOTHER_ACCOUNT}:log-group:/aws/vpc/flow-logs`), "ImplicitlyDenied");
        });

        it("alarms and EventBridge rules can publish to this stack's encrypted topics only", async () => {
            for (const service of ["cloudwatch.amazonaws.com", "events.amazonaws.com"]) {
                const publish = (sourceAccount: string, topic: string) =>
                    ask("logs", service, "kms:GenerateDataKey", { "aws:SourceAccount": sourceAccount, "kms:EncryptionContext:aws:sns:topicArn": topic });
                assert.strictEqual(await publish(account, `arn:aws:sns:us-east-1:${account}:hdp-prod-alerts`), "Allowed", service);
                assert.strictEqual(await publish(ANOTHER_ACCOUNT, `arn:aws:sns:us-east-1:${account}:hdp-prod-alerts`), "ImplicitlyDenied", service);
                assert.strictEqual(await publish(account, `arn:aws:sns:us-east-1:${account}:unrelated-topic`), "ImplicitlyDenied", service);
            }
        });

        it("S3 can encrypt inventory reports with the data-lake and logs keys for this stack's buckets in this account only", async () => {
            const inventory = (sourceAccount: string, bucket: string) =>
                ask("data-lake", "s3.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceAccount": sourceAccount, "aws:SourceArn": `arn:aws:s3:::${bucket}` });
            assert.strictEqual(await inventory(account, `hdp-prod-curated-${account}-us-east-1`), "Allowed");
            assert.strictEqual(await inventory(ANOTHER_ACCOUNT, `hdp-prod-curated-${account}-us-east-1`), "ImplicitlyDenied");
            assert.strictEqual(await inventory(account, "another-bucket"), "ImplicitlyDenied");
            // The audit bucket is on the logs key: its report is encrypted with that key.
            const logsKey = (sourceAccount: string) =>
                ask("logs", "s3.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceAccount": sourceAccount, "aws:SourceArn": `arn:aws:s3:::hdp-prod-audit-${account}-us-east-1` });
            assert.strictEqual(await logsKey(account), "Allowed");
            assert.strictEqual(await logsKey(ANOTHER_ACCOUNT), "ImplicitlyDenied");
            assert.strictEqual(await ask("databases", "s3.amazonaws.com", "kms:GenerateDataKey", { "aws:SourceAccount": account, "aws:SourceArn": `arn:aws:s3:::hdp-prod-curated-${account}-us-east-1` }), "ImplicitlyDenied");
        });

        it("account principals use a key only when an IAM policy allows it; other accounts never; administrators cannot decrypt", async () => {
            const role = `arn:aws:iam::${account}:role/hdp-prod-data-engineer`;
            const allowDecrypt = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn("data-lake") }] };
            assert.strictEqual(await ask("data-lake", role, "kms:Decrypt", {}, [allowDecrypt]), "Allowed", "IAM delegation through the account root");
            assert.strictEqual(await ask("data-lake", role, "kms:Decrypt", {}), "ImplicitlyDenied", "the key policy alone grants nothing to a role");
            const outsider = `arn:aws:iam::${ANOTHER_ACCOUNT}:role/attacker`;
            const allowAll = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }] };
            assert.strictEqual(await ask("data-lake", outsider, "kms:Decrypt", {}, [allowAll]), "ImplicitlyDenied", "another account");
            assert.strictEqual(await ask("data-lake", admin, "kms:ScheduleKeyDeletion", {}), "Allowed", "administrator manages");
            assert.strictEqual(await ask("data-lake", admin, "kms:Decrypt", {}), "ImplicitlyDenied", "administrator cannot use the key");
            assert.strictEqual(await ask("data-lake", admin, "kms:CreateGrant", {}), "ImplicitlyDenied", "nor grant itself its use");
        });
    });

    it("two instances with different alias qualifiers do not collide", async () => {
        const rec = await recordProgram(
            async () => {
                new PlatformKeys("keys", args(dev));
                new PlatformKeys("keys-dr", args(dev, { aliasQualifier: "dr" }));
            },
            { mode: "preview" },
        );
        const urns = rec.resources.map((r) => r.urn);
        assert.strictEqual(new Set(urns).size, urns.length);
        const aliasNames = ofType(rec, "aws:kms/alias:Alias").map((a) => inputs(a).name as string);
        assert.strictEqual(new Set(aliasNames).size, KEY_DOMAINS.length * 2);
        assert.ok(aliasNames.includes("alias/hdp-dev-dr-data-lake"));
        assert.ok(aliasNames.includes("alias/hdp-dev-data-lake"));
    });

    describe("refuses bad input, naming the argument or config key", () => {
        it("a rotation period KMS does not allow", async () => {
            await assert.rejects(record(dev, "preview", { rotationPeriodInDays: 30 }), /rotationPeriodInDays must be a whole number from 90 to 2560/);
        });
    });
});
