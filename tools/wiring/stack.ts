/**
 * The recorded stack as the wiring proof reads it: account facts, and the policy-bearing resources (keys, buckets,
 * topics, queues, roles, log groups, functions, secrets) indexed by the ARN or name other resources refer to them by.
 *
 * ARNs are built from the recorded names the way AWS builds them (not taken from mock outputs), so the proof asks
 * the same question AWS would. Only what is unknowable before create (KMS key ids, flow log and VPN ids) comes from
 * the engine's outputs, which is why the proof runs on `up` recordings.
 */
import type { Recording, RecordedResource } from "../offline/recorder";
import { plainValue } from "../offline/recorder";

export type Doc = { Version?: string; Statement: Record<string, unknown>[] };

export interface KeyFacts {
    urn: string;
    arn: string;
    policy?: Doc;
    aliases: string[];
}
export interface BucketFacts {
    urn: string;
    name: string;
    arn: string;
    policy?: Doc;
    /** Default encryption: `aws:kms` (with key) or `AES256`; undefined when the bucket sets none (S3 then uses SSE-S3). */
    sse?: { algorithm: string; keyArn?: string; bucketKey: boolean };
    tags: Record<string, string>;
    /** Whether S3 sends this bucket's object events to EventBridge. */
    eventBridge: boolean;
}
export interface RoleFacts {
    urn: string;
    name: string;
    arn: string;
    trust?: Doc;
    /** Inline and customer-managed policies, parsed. */
    policies: Doc[];
    /** AWS-managed policy ARNs attached: their documents are not recorded, so the proof never counts on them. */
    awsManaged: string[];
    tags: Record<string, string>;
}
export interface LambdaFacts {
    urn: string;
    name: string;
    arn: string;
    roleArn: string;
    deadLetterArn?: string;
    /** Resource policy built from the function's recorded `aws.lambda.Permission`s. */
    policy: Doc;
}

/** Plain (secret-unwrapped, unknown-dropped) inputs of a recorded resource. */
export function plainInputs(r: RecordedResource): Record<string, unknown> {
    return (plainValue(r.inputs) ?? {}) as Record<string, unknown>;
}
function plainOutputs(r: RecordedResource): Record<string, unknown> {
    return (plainValue(r.outputs) ?? {}) as Record<string, unknown>;
}
function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "" ? v : undefined;
}
function parseDoc(v: unknown): Doc | undefined {
    if (typeof v !== "string" || v === "") return undefined;
    const doc = JSON.parse(v) as Doc;
    if (!Array.isArray(doc.Statement)) doc.Statement = doc.Statement ? [doc.Statement as unknown as Record<string, unknown>] : [];
    return doc;
}

/** Everything the derivation needs to know about one recorded stack. */
export class StackFacts {
    readonly account: string;
    readonly region: string;
    readonly partition: string;
    readonly keys = new Map<string, KeyFacts>();
    readonly buckets = new Map<string, BucketFacts>();
    readonly topics = new Map<string, { urn: string; name: string; arn: string; policy?: Doc; keyArn?: string }>();
    readonly queues = new Map<string, { urn: string; name: string; arn: string; url: string; policy?: Doc; keyArn?: string }>();
    readonly roles = new Map<string, RoleFacts>();
    readonly logGroups = new Map<string, { urn: string; name: string; arn: string; keyArn?: string }>();
    /** Account-level CloudWatch Logs resource policies (they apply to every log group they name). */
    readonly logResourcePolicies: Doc[] = [];
    readonly lambdas = new Map<string, LambdaFacts>();
    readonly secrets = new Map<string, { urn: string; name: string; arn: string; keyArn?: string; policy?: Doc }>();
    readonly byUrn = new Map<string, RecordedResource>();

    constructor(readonly recording: Recording) {
        const res = recording.resources;
        for (const r of res) this.byUrn.set(r.urn, r);
        const provider = res.find((r) => r.type === "pulumi:providers:aws");
        const pin = provider ? plainInputs(provider) : {};
        this.region = str(pin.region) ?? "us-east-1";
        this.partition = this.region.startsWith("us-gov-") ? "aws-us-gov" : this.region.startsWith("cn-") ? "aws-cn" : "aws";
        const allowed = str(pin.allowedAccountIds);
        const ids = allowed ? (JSON.parse(allowed) as string[]) : [];
        if (ids.length !== 1) throw new Error(`wiring proof: the aws provider must pin exactly one account in allowedAccountIds, got ${allowed ?? "none"}`);
        this.account = ids[0];

        const of = (type: string) => res.filter((r) => r.type === type);
        for (const k of of("aws:kms/key:Key")) {
            const arn = str(plainOutputs(k).arn);
            if (!arn) throw new Error(`wiring proof: key ${k.urn} has no ARN; the proof needs an 'up' recording`);
            this.keys.set(arn, { urn: k.urn, arn, policy: parseDoc(plainInputs(k).policy), aliases: [] });
        }
        for (const a of of("aws:kms/alias:Alias")) {
            const i = plainInputs(a);
            const key = this.key(str(i.targetKeyId));
            if (key && str(i.name)) key.aliases.push(str(i.name) as string);
        }
        for (const b of of("aws:s3/bucket:Bucket")) {
            const i = plainInputs(b);
            const name = str(i.bucket) ?? (str(plainOutputs(b).bucket) as string);
            this.buckets.set(name, { urn: b.urn, name, arn: `arn:${this.partition}:s3:::${name}`, tags: (i.tags ?? {}) as Record<string, string>, eventBridge: false });
        }
        for (const p of of("aws:s3/bucketPolicy:BucketPolicy")) {
            const i = plainInputs(p);
            const b = this.buckets.get(str(i.bucket) ?? "");
            if (b) b.policy = parseDoc(i.policy);
        }
        for (const e of of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")) {
            const i = plainInputs(e);
            const rule = ((i.rules ?? []) as Record<string, unknown>[])[0] ?? {};
            const def = (rule.applyServerSideEncryptionByDefault ?? {}) as Record<string, unknown>;
            const b = this.buckets.get(str(i.bucket) ?? "");
            if (b) b.sse = { algorithm: str(def.sseAlgorithm) ?? "AES256", keyArn: this.key(str(def.kmsMasterKeyId))?.arn ?? str(def.kmsMasterKeyId), bucketKey: rule.bucketKeyEnabled === true };
        }
        for (const n of of("aws:s3/bucketNotification:BucketNotification")) {
            const i = plainInputs(n);
            const b = this.buckets.get(str(i.bucket) ?? "");
            if (b && i.eventbridge === true) b.eventBridge = true;
        }
        for (const t of of("aws:sns/topic:Topic")) {
            const i = plainInputs(t);
            const name = str(i.name) as string;
            const arn = `arn:${this.partition}:sns:${this.region}:${this.account}:${name}`;
            this.topics.set(arn, { urn: t.urn, name, arn, keyArn: this.key(str(i.kmsMasterKeyId))?.arn ?? str(i.kmsMasterKeyId) });
        }
        for (const p of of("aws:sns/topicPolicy:TopicPolicy")) {
            const i = plainInputs(p);
            const t = this.topics.get(str(i.arn) ?? "");
            if (t) t.policy = parseDoc(i.policy);
        }
        for (const q of of("aws:sqs/queue:Queue")) {
            const i = plainInputs(q);
            const name = str(i.name) as string;
            const arn = `arn:${this.partition}:sqs:${this.region}:${this.account}:${name}`;
            this.queues.set(arn, { urn: q.urn, name, arn, url: str(plainOutputs(q).url) ?? "", keyArn: this.key(str(i.kmsMasterKeyId))?.arn ?? str(i.kmsMasterKeyId) });
        }
        for (const p of of("aws:sqs/queuePolicy:QueuePolicy")) {
            const i = plainInputs(p);
            const q = [...this.queues.values()].find((x) => x.url !== "" && x.url === str(i.queueUrl));
            if (q) q.policy = parseDoc(i.policy);
        }
        const managed = new Map<string, Doc>();
        for (const p of of("aws:iam/policy:Policy")) {
            const i = plainInputs(p);
            const doc = parseDoc(i.policy);
            if (doc) managed.set(`arn:${this.partition}:iam::${this.account}:policy${str(i.path) ?? "/"}${str(i.name)}`, doc);
        }
        for (const r of of("aws:iam/role:Role")) {
            const i = plainInputs(r);
            const name = str(i.name) as string;
            this.roles.set(this.roleArn(name, str(i.path)), {
                urn: r.urn,
                name,
                arn: this.roleArn(name, str(i.path)),
                trust: parseDoc(i.assumeRolePolicy),
                policies: [],
                awsManaged: [],
                tags: (i.tags ?? {}) as Record<string, string>,
            });
        }
        const roleByName = (n: string | undefined) => [...this.roles.values()].find((x) => x.name === n || x.arn === n);
        for (const p of of("aws:iam/rolePolicy:RolePolicy")) {
            const i = plainInputs(p);
            const doc = parseDoc(i.policy);
            if (doc) roleByName(str(i.role))?.policies.push(doc);
        }
        for (const a of of("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
            const i = plainInputs(a);
            const role = roleByName(str(i.role));
            const arn = str(i.policyArn) ?? "";
            if (!role) continue;
            if (managed.has(arn)) role.policies.push(managed.get(arn) as Doc);
            else role.awsManaged.push(arn);
        }
        for (const g of of("aws:cloudwatch/logGroup:LogGroup")) {
            const i = plainInputs(g);
            const name = str(i.name) as string;
            const arn = this.logGroupArn(name);
            this.logGroups.set(arn, { urn: g.urn, name, arn, keyArn: this.key(str(i.kmsKeyId))?.arn ?? str(i.kmsKeyId) });
        }
        for (const p of of("aws:cloudwatch/logResourcePolicy:LogResourcePolicy")) {
            const doc = parseDoc(plainInputs(p).policyDocument);
            if (doc) this.logResourcePolicies.push(doc);
        }
        for (const f of of("aws:lambda/function:Function")) {
            const i = plainInputs(f);
            const name = str(i.name) as string;
            const dlq = (i.deadLetterConfig ?? {}) as Record<string, unknown>;
            this.lambdas.set(this.lambdaArn(name), { urn: f.urn, name, arn: this.lambdaArn(name), roleArn: str(i.role) ?? "", deadLetterArn: str(dlq.targetArn), policy: { Version: "2012-10-17", Statement: [] } });
        }
        for (const p of of("aws:lambda/permission:Permission")) {
            const i = plainInputs(p);
            const fn = this.lambdas.get(this.lambdaArn(str(i.function) ?? "")) ?? this.lambdas.get(str(i.function) ?? "");
            if (!fn) continue;
            // The statement AWS writes into the function policy for AddPermission.
            const condition: Record<string, Record<string, string>> = {};
            if (str(i.sourceArn)) condition.ArnLike = { "aws:SourceArn": str(i.sourceArn) as string };
            if (str(i.sourceAccount)) condition.StringEquals = { "aws:SourceAccount": str(i.sourceAccount) as string };
            const principal = str(i.principal) as string;
            fn.policy.Statement.push({
                Sid: p.name.replace(/[^A-Za-z0-9]/g, ""),
                Effect: "Allow",
                Principal: principal.endsWith(".amazonaws.com") ? { Service: principal } : { AWS: principal },
                Action: str(i.action),
                Resource: fn.arn,
                ...(Object.keys(condition).length ? { Condition: condition } : {}),
            });
        }
        for (const s of of("aws:secretsmanager/secret:Secret")) {
            const i = plainInputs(s);
            const name = str(i.name) as string;
            this.secrets.set(name, { urn: s.urn, name, arn: str(plainOutputs(s).arn) ?? `arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:${name}-AbCdEf`, keyArn: this.key(str(i.kmsKeyId))?.arn, policy: parseDoc(i.policy) });
        }
        for (const p of of("aws:secretsmanager/secretPolicy:SecretPolicy")) {
            const i = plainInputs(p);
            const s = [...this.secrets.values()].find((x) => x.arn === str(i.secretArn));
            if (s) s.policy = parseDoc(i.policy);
        }
    }

    /** A key by ARN, id, alias name or alias ARN. */
    key(ref: string | undefined): KeyFacts | undefined {
        if (!ref) return undefined;
        for (const k of this.keys.values()) {
            if (k.arn === ref || k.arn.endsWith(`:key/${ref}`) || k.aliases.includes(ref) || k.aliases.some((a) => ref.endsWith(`:${a}`))) return k;
        }
        return undefined;
    }
    roleArn(name: string, path = "/"): string {
        return `arn:${this.partition}:iam::${this.account}:role${path}${name}`;
    }
    logGroupArn(name: string): string {
        return `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:${name}`;
    }
    lambdaArn(name: string): string {
        return name.startsWith("arn:") ? name : `arn:${this.partition}:lambda:${this.region}:${this.account}:function:${name}`;
    }
    arn(service: string, resource: string, regional = true): string {
        return `arn:${this.partition}:${service}:${regional ? this.region : ""}:${this.account}:${resource}`;
    }
    /** `<service>.<region>.amazonaws.com`, the value of `kms:ViaService` for calls a service makes for a caller. */
    via(service: string): string {
        return `${service}.${this.region}.amazonaws.com`;
    }
    /** Merged log-group resource policies (CloudWatch Logs evaluates every policy of the account and region). */
    logResourcePolicy(): Doc | undefined {
        return this.logResourcePolicies.length ? { Version: "2012-10-17", Statement: this.logResourcePolicies.flatMap((d) => d.Statement) } : undefined;
    }
    /** The bucket an `s3://bucket/key` URI or bucket ARN names. */
    bucketOf(ref: string | undefined): BucketFacts | undefined {
        if (!ref) return undefined;
        const name = ref.replace(/^s3:\/\//, "").replace(/^arn:[^:]+:s3:::/, "").split("/")[0];
        return this.buckets.get(name);
    }
    resource(urn: string): RecordedResource | undefined {
        return this.byUrn.get(urn);
    }
}
