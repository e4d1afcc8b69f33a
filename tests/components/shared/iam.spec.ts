import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    keyUseStatement,
    logWriteStatement,
    policyDocument,
    policyJson,
    s3EncryptionContext,
    s3ReadStatements,
    s3WriteStatement,
    serviceTrustPolicy,
    viaService,
} from "../../../components/shared/iam";
import { NamingContext } from "../../../components/shared/naming";
import { simulate } from "../security/support";

const ACCOUNT = "123456789012";
const OTHER = "999999999999";
const naming: NamingContext = { prefix: "hdp", environment: "prod", accountId: ACCOUNT, region: "us-east-1", partition: "aws" };
const bucket = { name: "hdp-prod-curated", arn: "arn:aws:s3:::hdp-prod-curated" };
const role = `arn:aws:iam::${ACCOUNT}:role/hdp-prod-x`;

/** The JSON of a document Output, parsed (every value here is known, as in a preview). */
const parsed = (json: pulumi.Output<string>) => new Promise<{ Version: string; Statement: Record<string, unknown>[] }>((resolve) => json.apply((s) => resolve(JSON.parse(s))));

describe("components/shared/iam", () => {
    it("serialises statements as given, with the 2012-10-17 version and an optional Id", async () => {
        const statements = [{ Sid: "A", Effect: "Allow" as const, Action: "s3:GetObject", Resource: [`${bucket.arn}/*`] }];
        assert.deepStrictEqual(await parsed(policyJson(statements)), { Version: "2012-10-17", Statement: statements });
        assert.deepStrictEqual(policyDocument(statements, { id: "doc" }), { Version: "2012-10-17", Id: "doc", Statement: statements });
        // A whole document is accepted too (network endpoint policies are built as documents, then serialised).
        assert.deepStrictEqual(await parsed(policyJson(policyDocument(statements))), { Version: "2012-10-17", Statement: statements });
    });

    it("refuses what IAM would reject when the policy is put, naming the statement", () => {
        assert.throws(() => policyDocument([{ Sid: "Both", Effect: "Allow", Action: "s3:*", NotAction: "iam:*" }]), {
            message: "IAM policy document: statement 'Both' must have exactly one of Action and NotAction",
        });
        assert.throws(() => policyDocument([{ Effect: "Deny" }]), { message: "IAM policy document: statement 0 must have exactly one of Action and NotAction" });
        assert.throws(() => policyDocument([{ Sid: "R", Effect: "Allow", Action: "s3:*", Resource: "*", NotResource: "x" }]), {
            message: "IAM policy document: statement 'R' has both Resource and NotResource",
        });
        assert.throws(() => policyDocument([{ Sid: "P", Effect: "Allow", Action: "s3:*", Principal: "*", NotPrincipal: { AWS: "*" } }]), {
            message: "IAM policy document: statement 'P' has both Principal and NotPrincipal",
        });
        assert.throws(
            () =>
                policyDocument([
                    { Sid: "Same", Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
                    { Sid: "Same", Effect: "Allow", Action: "s3:PutObject", Resource: "*" },
                ]),
            { message: "IAM policy document: statement id 'Same' is used twice (IAM requires unique Sids in a policy)" },
        );
    });

    describe("serviceTrustPolicy", () => {
        const assume = (trust: pulumi.Output<string>, principal: string, context: Record<string, string>) =>
            parsed(trust).then((doc) => simulate({ principal, action: "sts:AssumeRole", resource: role, resourceAccount: ACCOUNT, context }, { resourcePolicy: doc }));
        const sourceArn = `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/fl-1`;

        it("lets only the named service assume the role; without guards (Lambda, EC2) there is no condition", async () => {
            const trust = serviceTrustPolicy("lambda.amazonaws.com");
            assert.deepStrictEqual((await parsed(trust)).Statement, [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
            assert.strictEqual(await assume(trust, "lambda.amazonaws.com", {}), "Allowed");
            assert.strictEqual(await assume(trust, "glue.amazonaws.com", {}), "ImplicitlyDenied");
        });

        it("pins the service to this account and to the matching source resources (confused deputy)", async () => {
            const trust = serviceTrustPolicy("vpc-flow-logs.amazonaws.com", { sid: "TrustService", sourceAccount: ACCOUNT, sourceArn: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/*` });
            assert.deepStrictEqual((await parsed(trust)).Statement[0].Condition, {
                StringEquals: { "aws:SourceAccount": ACCOUNT },
                ArnLike: { "aws:SourceArn": `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/*` },
            });
            assert.strictEqual((await parsed(trust)).Statement[0].Sid, "TrustService");
            assert.strictEqual(await assume(trust, "vpc-flow-logs.amazonaws.com", { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": sourceArn }), "Allowed");
            assert.strictEqual(await assume(trust, "vpc-flow-logs.amazonaws.com", { "aws:SourceAccount": OTHER, "aws:SourceArn": sourceArn }), "ImplicitlyDenied");
            assert.strictEqual(
                await assume(trust, "vpc-flow-logs.amazonaws.com", { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:ec2:us-east-1:${OTHER}:vpc-flow-log/fl-1` }),
                "ImplicitlyDenied",
            );
        });

        it("matches one exact source ARN with StringEquals when asked (CloudTrail's own trail)", async () => {
            const trail = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/hdp-prod-audit`;
            const trust = serviceTrustPolicy("cloudtrail.amazonaws.com", { sourceAccount: ACCOUNT, sourceArn: trail, sourceArnExact: true });
            assert.deepStrictEqual((await parsed(trust)).Statement[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": trail } });
            assert.strictEqual(await assume(trust, "cloudtrail.amazonaws.com", { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": trail }), "Allowed");
            assert.strictEqual(await assume(trust, "cloudtrail.amazonaws.com", { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `${trail}-2` }), "ImplicitlyDenied");
        });
    });

    describe("statement helpers (evaluated)", () => {
        // KMS needs the key policy to delegate to IAM (the Keys component's root statement) before an identity policy counts.
        const keyPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }] };
        const can = async (statements: Parameters<typeof policyJson>[0], action: string, resource: string, context?: Record<string, string | string[]>) =>
            simulate(
                { principal: role, action, resource, resourceAccount: ACCOUNT, context },
                { identityPolicy: await parsed(policyJson(statements)), resourcePolicy: action.startsWith("kms:") ? keyPolicy : undefined },
            );

        it("s3ReadStatements and s3WriteStatement stay under their prefix; delete only when asked", async () => {
            const statements = [...s3ReadStatements("Read", bucket, "/exports/"), s3WriteStatement("Write", bucket, "exports/")];
            assert.strictEqual(await can(statements, "s3:GetObject", `${bucket.arn}/exports/a.csv`), "Allowed");
            assert.strictEqual(await can(statements, "s3:GetObject", `${bucket.arn}/customer=x/a.parquet`), "ImplicitlyDenied");
            assert.strictEqual(await can(statements, "s3:ListBucket", bucket.arn, { "s3:prefix": "exports/2025/" }), "Allowed");
            assert.strictEqual(await can(statements, "s3:ListBucket", bucket.arn, { "s3:prefix": "customer=x/" }), "ImplicitlyDenied");
            assert.strictEqual(await can(statements, "s3:PutObject", `${bucket.arn}/exports/a.csv`), "Allowed");
            assert.strictEqual(await can(statements, "s3:DeleteObject", `${bucket.arn}/exports/a.csv`), "ImplicitlyDenied");
            assert.strictEqual(await can([s3WriteStatement("Write", bucket, "", true)], "s3:DeleteObject", `${bucket.arn}/a`), "Allowed");
        });

        it("keyUseStatement names the key by alias, through the given services, with extra conditions merged", async () => {
            const key = { arn: "unknown-at-preview", aliasName: "alias/hdp-prod-data-lake" };
            const st = keyUseStatement(naming, "Lake", key, ["kms:Decrypt"], { via: [viaService(naming, "s3")], conditions: s3EncryptionContext(bucket.arn) });
            assert.deepStrictEqual(st.Condition, {
                "ForAnyValue:StringEquals": { "kms:ResourceAliases": ["alias/hdp-prod-data-lake"] },
                StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com"] },
                StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucket.arn, `${bucket.arn}/*`] },
            });
            const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
            const ctx = (alias: string, via: string) => ({ "kms:ResourceAliases": [alias], "kms:ViaService": via, "kms:EncryptionContext:aws:s3:arn": `${bucket.arn}/x` });
            assert.strictEqual(await can([st], "kms:Decrypt", keyArn, ctx("alias/hdp-prod-data-lake", "s3.us-east-1.amazonaws.com")), "Allowed");
            assert.strictEqual(await can([st], "kms:Decrypt", keyArn, ctx("alias/hdp-prod-logs", "s3.us-east-1.amazonaws.com")), "ImplicitlyDenied");
            assert.strictEqual(await can([st], "kms:Decrypt", keyArn, ctx("alias/hdp-prod-data-lake", "glue.us-east-1.amazonaws.com")), "ImplicitlyDenied");
            // Merging keeps both StringEquals keys (an extra StringEquals does not replace kms:ViaService).
            const merged = keyUseStatement(naming, "K", key, ["kms:Decrypt"], { via: ["kinesis.us-east-1.amazonaws.com"], conditions: { StringEquals: { "kms:EncryptionContext:aws:kinesis:arn": "arn:s" } } });
            assert.deepStrictEqual(merged.Condition?.StringEquals, { "kms:ViaService": ["kinesis.us-east-1.amazonaws.com"], "kms:EncryptionContext:aws:kinesis:arn": "arn:s" });
        });

        it("logWriteStatement covers the named groups' streams only", async () => {
            const st = [logWriteStatement(naming, "Logs", ["/aws/lambda/hdp-prod-x"])];
            assert.strictEqual(await can(st, "logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/hdp-prod-x:log-stream:s`), "Allowed");
            assert.strictEqual(await can(st, "logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:s`), "ImplicitlyDenied");
        });
    });
});
