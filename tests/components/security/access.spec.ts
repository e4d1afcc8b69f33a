import * as assert from "assert";
import { AccessRoles, AccessRolesArgs } from "../../../components/security/access";
import { PlatformConfig } from "../../../components/shared/config";
import { Mode, Recording, recordProgram } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, one, ofType, platformConfig, UNKNOWN } from "../../support/platform";
import { Baseline, bucketPolicy, documentOf, evaluate, keyPolicy, outputsOf, recordBaseline, zoneRefs } from "./iam-eval";

type Doc = { Statement: Record<string, unknown>[] };

function args(cfg: PlatformConfig, overrides: Partial<AccessRolesArgs> = {}): AccessRolesArgs {
    return { context: contextOf(cfg), customers: cfg.customers, zones: zoneRefs(cfg), dataLakeKey: fakeKeys(cfg).dataLake, ...overrides };
}

function record(cfg: PlatformConfig, mode: Mode, overrides: Partial<AccessRolesArgs> = {}): Promise<Recording> {
    return recordProgram(
        async () => {
            new AccessRoles("access", args(cfg, overrides));
        },
        { mode, context: { accountId: cfg.naming.accountId, region: cfg.naming.region, partition: cfg.naming.partition } },
    );
}

const ANOTHER_ACCOUNT = "999999999999";

describe("components/security/access", () => {
    const dev = platformConfig("dev");
    const prod = platformConfig("prod");

    for (const cfg of [dev, prod]) {
        it(`creates the engineer and analyst roles and one tagged reader role per customer (${cfg.environment})`, async () => {
            const rec = await record(cfg, "up");
            const component = one(rec, "healthcare:security:AccessRoles", "access");
            const roles = ofType(rec, "aws:iam/role:Role");
            const p = `${cfg.naming.prefix}-${cfg.environment}`;
            assert.deepStrictEqual(
                roles.map((r) => inputs(r).name).sort(),
                [`${p}-analyst`, `${p}-data-engineer`, ...cfg.customers.map((c) => `${p}-customer-${c}-reader`)].sort(),
            );
            for (const r of roles) {
                assert.strictEqual(r.parent, component.urn);
                assert.strictEqual(inputs(r).maxSessionDuration, 3600);
                const customer = /customer-(.+)-reader$/.exec(inputs(r).name as string)?.[1];
                assert.deepStrictEqual(inputs(r).tags, customer ? { customer } : {}, `${inputs(r).name}: principal tag customer only on reader roles`);
            }
            // Each reader has the one shared reader policy attached, by the policy's ARN.
            const policy = one(rec, "aws:iam/policy:Policy", "access-customer-reader-policy");
            const attachments = ofType(rec, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            assert.strictEqual(attachments.length, cfg.customers.length);
            for (const a of attachments) {
                assert.strictEqual(inputs(a).policyArn, outputsOf(policy).arn);
            }
            assert.ok(descendants(rec, component.urn).every((r) => r.parent === component.urn));
            assert.ok(rec.resources.every((r) => !r.options.protect), "roles are not stateful");
        });
    }

    it("knows every trust and permission document at preview", async () => {
        const rec = await record(prod, "preview");
        const docs = [
            ...ofType(rec, "aws:iam/role:Role").map((r) => inputs(r).assumeRolePolicy),
            ...ofType(rec, "aws:iam/rolePolicy:RolePolicy").map((r) => inputs(r).policy),
            inputs(one(rec, "aws:iam/policy:Policy", "access-customer-reader-policy")).policy,
        ];
        assert.strictEqual(docs.length, 3 + 2 + 2 + 1);
        for (const d of docs) {
            assert.notStrictEqual(d, UNKNOWN);
            JSON.parse(d as string);
        }
    });

    it("names every action: no wildcard action on data or keys", async () => {
        const rec = await record(prod, "up");
        const docs: Doc[] = [
            ...ofType(rec, "aws:iam/rolePolicy:RolePolicy").map((r) => documentOf(r, "policy")),
            documentOf(one(rec, "aws:iam/policy:Policy", "access-customer-reader-policy"), "policy"),
        ];
        for (const doc of docs) {
            for (const s of doc.Statement) {
                for (const action of ([] as string[]).concat(s.Action as string | string[])) {
                    assert.ok(!action.includes("*"), `${s.Sid}: ${action}`);
                }
                assert.strictEqual(s.NotAction, undefined);
                for (const r of ([] as string[]).concat(s.Resource as string | string[])) {
                    assert.notStrictEqual(r, "*", `${s.Sid} names its resources`);
                }
            }
        }
    });

    describe("trust policy, evaluated", () => {
        const assume = async (cfg: PlatformConfig, principal: string, context: Record<string, string>, action = "sts:AssumeRole", overrides: Partial<AccessRolesArgs> = {}) => {
            const rec = await record(cfg, "up", overrides);
            const roleRes = one(rec, "aws:iam/role:Role", "access-customer-st-marys-reader");
            const allow = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] };
            return evaluate({
                principal,
                action,
                resource: outputsOf(roleRes).arn as string,
                resourceAccount: cfg.naming.accountId,
                context,
                identityPolicies: [allow],
                resourcePolicy: documentOf(roleRes, "assumeRolePolicy"),
            });
        };
        const user = (acct: string) => `arn:aws:iam::${acct}:user/alice`;

        it("only principals of this account with MFA may assume a role", async () => {
            assert.strictEqual(await assume(prod, user(prod.naming.accountId), { "aws:MultiFactorAuthPresent": "true" }), "Allowed");
            assert.strictEqual(await assume(prod, user(prod.naming.accountId), { "aws:MultiFactorAuthPresent": "false" }), "ImplicitlyDenied", "without MFA");
            assert.strictEqual(await assume(prod, user(prod.naming.accountId), {}), "ImplicitlyDenied", "MFA key absent (long-term keys)");
            assert.strictEqual(await assume(prod, user(ANOTHER_ACCOUNT), { "aws:MultiFactorAuthPresent": "true" }), "ImplicitlyDenied", "another account");
        });

        it("never lets a caller tag the session (a session tag `customer` would switch tenants)", async () => {
            assert.strictEqual(await assume(prod, user(prod.naming.accountId), { "aws:MultiFactorAuthPresent": "true" }, "sts:TagSession"), "ImplicitlyDenied");
        });

        it("drops the MFA condition only when asked, still for this account only", async () => {
            assert.strictEqual(await assume(prod, user(prod.naming.accountId), {}, "sts:AssumeRole", { requireMfa: false }), "Allowed");
            assert.strictEqual(await assume(prod, user(ANOTHER_ACCOUNT), {}, "sts:AssumeRole", { requireMfa: false }), "ImplicitlyDenied");
        });
    });

    describe("tag-based customer access, evaluated with the bucket and key policies of the real components (up mode)", () => {
        let base: Baseline;
        before(async () => {
            base = await recordBaseline("prod", "up");
        });
        const account = () => base.cfg.naming.accountId;
        const tls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };
        const readerDoc = () => documentOf(one(base.rec, "aws:iam/policy:Policy", "access-customer-reader-policy"), "policy");
        const roleDoc = (role: "data-engineer" | "analyst") => documentOf(one(base.rec, "aws:iam/rolePolicy:RolePolicy", `access-${role}-policy`), "policy");
        const readerArn = (customer: string) => `arn:aws:iam::${account()}:role/hdp-prod-customer-${customer}-reader`;

        /** A customer reader (principal tag from its role) reading an object of a zone. */
        const read = (customer: string, zone: "curated" | "results", key: string, objectTag: string | undefined, extra: Record<string, string> = {}) => {
            const context: Record<string, string> = { ...tls, "aws:PrincipalTag/customer": customer, ...extra };
            if (objectTag !== undefined) {
                context["s3:ExistingObjectTag/customer"] = objectTag;
            }
            return evaluate({
                principal: readerArn(customer),
                action: "s3:GetObject",
                resource: `${base.zones[zone].arn}/${key}`,
                resourceAccount: account(),
                context,
                identityPolicies: [readerDoc()],
                resourcePolicy: bucketPolicy(base.rec, zone),
            });
        };

        it("a customer role reads its own customer's objects", async () => {
            assert.strictEqual(await read("st-marys", "curated", "customer=st-marys/source=ehr/year=2025/month=03/day=07/a.parquet", "st-marys"), "Allowed");
            assert.strictEqual(await read("northside-clinic", "curated", "customer=northside-clinic/source=lab/year=2025/month=01/day=02/b.parquet", "northside-clinic"), "Allowed");
            assert.strictEqual(await read("st-marys", "results", "exports/customer=st-marys/2025-03-07.csv", "st-marys"), "Allowed");
        });

        it("and is denied another customer's objects, untagged ones and mis-tagged ones", async () => {
            assert.strictEqual(await read("st-marys", "curated", "customer=northside-clinic/source=lab/x.parquet", "northside-clinic"), "ExplicitlyDenied", "another customer's object");
            assert.strictEqual(await read("st-marys", "curated", "customer=st-marys/source=ehr/x.parquet", undefined), "ExplicitlyDenied", "an untagged object in its own prefix");
            assert.strictEqual(await read("st-marys", "curated", "customer=st-marys/source=ehr/x.parquet", "northside-clinic"), "ExplicitlyDenied", "another customer's tag in its own prefix");
            assert.strictEqual(await read("st-marys", "curated", "customer=northside-clinic/x.parquet", "st-marys"), "ImplicitlyDenied", "its tag outside its prefix");
            assert.strictEqual(await read("st-marys", "results", "athena/hdp-prod-analytics/q.csv", undefined), "ExplicitlyDenied", "query results are no customer's");
        });

        it("reads only over TLS 1.2 or later, whatever the tags say", async () => {
            const own = "customer=st-marys/a.parquet";
            assert.strictEqual(await read("st-marys", "curated", own, "st-marys", { "s3:TlsVersion": "1.1" }), "ExplicitlyDenied");
            assert.strictEqual(await read("st-marys", "curated", own, "st-marys", { "aws:SecureTransport": "false" }), "ExplicitlyDenied");
        });

        it("lists only its own prefix and writes nothing", async () => {
            const list = (prefix: string | undefined) =>
                evaluate({
                    principal: readerArn("st-marys"),
                    action: "s3:ListBucket",
                    resource: base.zones.curated.arn,
                    resourceAccount: account(),
                    context: { ...tls, "aws:PrincipalTag/customer": "st-marys", ...(prefix === undefined ? {} : { "s3:prefix": prefix }) },
                    identityPolicies: [readerDoc()],
                    resourcePolicy: bucketPolicy(base.rec, "curated"),
                });
            assert.strictEqual(await list("customer=st-marys/"), "Allowed");
            assert.strictEqual(await list("customer=st-marys/source=ehr/year=2025/"), "Allowed");
            assert.strictEqual(await list("customer=northside-clinic/"), "ImplicitlyDenied");
            assert.strictEqual(await list(""), "ImplicitlyDenied");
            assert.strictEqual(await list(undefined), "ImplicitlyDenied");
            const put = await evaluate({
                principal: readerArn("st-marys"),
                action: "s3:PutObject",
                resource: `${base.zones.curated.arn}/customer=st-marys/new.parquet`,
                resourceAccount: account(),
                context: { ...tls, "aws:PrincipalTag/customer": "st-marys", "s3:RequestObjectTag/customer": "st-marys", "s3:ObjectCreationOperation": "true" },
                identityPolicies: [readerDoc()],
                resourcePolicy: bucketPolicy(base.rec, "curated"),
            });
            assert.strictEqual(put, "ImplicitlyDenied");
        });

        it("decrypts with the data-lake key only through S3, on the lake buckets it reads", async () => {
            const keyArn = outputsOf(one(base.rec, "aws:kms/key:Key", "keys-data-lake")).arn as string;
            const decrypt = (via: string, context: string, aliases = ["alias/hdp-prod-data-lake"]) =>
                evaluate({
                    principal: readerArn("st-marys"),
                    action: "kms:Decrypt",
                    resource: keyArn,
                    resourceAccount: account(),
                    context: { "kms:ViaService": via, "kms:ResourceAliases": aliases, "kms:EncryptionContext:aws:s3:arn": context, "kms:CallerAccount": account() },
                    identityPolicies: [readerDoc()],
                    resourcePolicy: keyPolicy(base.rec, "data-lake"),
                });
            assert.strictEqual(await decrypt("s3.us-east-1.amazonaws.com", base.zones.curated.arn), "Allowed", "S3 Bucket Key context is the bucket ARN");
            assert.strictEqual(await decrypt("s3.us-east-1.amazonaws.com", base.zones.raw.arn), "ImplicitlyDenied", "a zone it does not read");
            assert.strictEqual(await decrypt("secretsmanager.us-east-1.amazonaws.com", base.zones.curated.arn), "ImplicitlyDenied", "not through S3");
            assert.strictEqual(await decrypt("s3.us-east-1.amazonaws.com", base.zones.curated.arn, ["alias/hdp-prod-databases"]), "ImplicitlyDenied", "another domain's key");
        });

        it("data engineers write only customer-tagged objects (multipart parts aside) and never purge versions", async () => {
            const object = `${base.zones.curated.arn}/customer=st-marys/source=ehr/x.parquet`;
            const engineer = `arn:aws:iam::${account()}:role/hdp-prod-data-engineer`;
            const write = (action: string, context: Record<string, string>) =>
                evaluate({
                    principal: engineer,
                    action,
                    resource: object,
                    resourceAccount: account(),
                    context: { ...tls, ...context },
                    identityPolicies: [roleDoc("data-engineer")],
                    resourcePolicy: bucketPolicy(base.rec, "curated"),
                });
            assert.strictEqual(await write("s3:PutObject", { "s3:RequestObjectTag/customer": "st-marys", "s3:ObjectCreationOperation": "true" }), "Allowed");
            assert.strictEqual(await write("s3:PutObject", { "s3:ObjectCreationOperation": "true" }), "ImplicitlyDenied", "untagged upload");
            assert.strictEqual(await write("s3:PutObject", { "s3:RequestObjectTag/customer": "unknown-clinic", "s3:ObjectCreationOperation": "true" }), "ImplicitlyDenied", "not a configured customer");
            assert.strictEqual(await write("s3:PutObject", { "s3:ObjectCreationOperation": "false" }), "Allowed", "UploadPart of a multipart upload");
            assert.strictEqual(
                await write("s3:PutObject", { "s3:RequestObjectTag/customer": "st-marys", "s3:ObjectCreationOperation": "true", "s3:x-amz-server-side-encryption": "AES256" }),
                "ExplicitlyDenied",
                "the bucket policy still refuses SSE-S3",
            );
            assert.strictEqual(await write("s3:GetObject", { "s3:ExistingObjectTag/customer": "northside-clinic" }), "Allowed", "engineers read every customer");
            assert.strictEqual(await write("s3:DeleteObjectVersion", {}), "ImplicitlyDenied", "no permanent deletion");
            // Athena writes the engineer's query results with the engineer's credentials, untagged (they are no customer's).
            const results = await evaluate({
                principal: engineer,
                action: "s3:PutObject",
                resource: `${base.zones.results.arn}/athena/hdp-prod-analytics/q.csv`,
                resourceAccount: account(),
                context: { ...tls, "s3:ObjectCreationOperation": "true" },
                identityPolicies: [roleDoc("data-engineer")],
                resourcePolicy: bucketPolicy(base.rec, "results"),
            });
            assert.strictEqual(results, "Allowed", "Athena query results");
        });

        it("analysts read curated and results, write only Athena results, and query only through the workgroup", async () => {
            const analyst = `arn:aws:iam::${account()}:role/hdp-prod-analyst`;
            const ask = (action: string, resource: string, zone: "curated" | "results" | undefined, context: Record<string, string> = {}) =>
                evaluate({
                    principal: analyst,
                    action,
                    resource,
                    resourceAccount: account(),
                    context: zone ? { ...tls, ...context } : context,
                    identityPolicies: [roleDoc("analyst")],
                    resourcePolicy: zone ? bucketPolicy(base.rec, zone) : undefined,
                });
            assert.strictEqual(await ask("s3:GetObject", `${base.zones.curated.arn}/customer=st-marys/x.parquet`, "curated"), "Allowed");
            assert.strictEqual(await ask("s3:GetObject", `${base.zones.raw.arn}/customer=st-marys/x.parquet`, undefined), "ImplicitlyDenied", "raw zone");
            assert.strictEqual(await ask("s3:PutObject", `${base.zones.results.arn}/athena/hdp-prod-analytics/q.csv`, "results", { "s3:ObjectCreationOperation": "true" }), "Allowed");
            assert.strictEqual(await ask("s3:PutObject", `${base.zones.curated.arn}/customer=st-marys/x.parquet`, "curated", { "s3:ObjectCreationOperation": "true" }), "ImplicitlyDenied");
            const wg = (name: string) => `arn:aws:athena:us-east-1:${account()}:workgroup/${name}`;
            assert.strictEqual(await ask("athena:StartQueryExecution", wg("hdp-prod-analytics"), undefined), "Allowed");
            assert.strictEqual(await ask("athena:StartQueryExecution", wg("primary"), undefined), "ImplicitlyDenied", "the unencrypted default workgroup");
        });
    });

    it("two instances with different name qualifiers do not collide", async () => {
        const rec = await recordProgram(
            async () => {
                new AccessRoles("access", args(dev));
                new AccessRoles("access-b", args(dev, { nameQualifier: "b" }));
            },
            { mode: "preview" },
        );
        const urns = rec.resources.map((r) => r.urn);
        assert.strictEqual(new Set(urns).size, urns.length);
        const names = [...ofType(rec, "aws:iam/role:Role"), ...ofType(rec, "aws:iam/policy:Policy")].map((r) => inputs(r).name as string);
        assert.strictEqual(new Set(names).size, names.length);
        assert.ok(names.includes("hdp-dev-b-analyst"));
    });

    describe("refuses bad input, naming the argument", () => {
        it("a session length IAM does not allow", async () => {
            await assert.rejects(record(dev, "preview", { maxSessionDurationSeconds: 60 }), /maxSessionDurationSeconds must be a whole number from 3600 to 43200/);
        });
    });
});
