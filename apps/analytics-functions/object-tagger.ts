/**
 * Object tagger (S3 → EventBridge "Object Created" → this function): gives every new lake object the `customer` tag
 * its key names, so customer reader roles (which read only objects tagged with their own customer, HIPAA
 * 164.312(a)(1)) can read what Firehose, Glue, EMR, the file gateway and Snowball write: none of those writers can
 * set object tags themselves.
 *
 * The key is the source of truth: `customer=<id>/...` or `exports/customer=<id>/...`. An object whose key names no
 * configured customer is left untagged and logged: customers are refused untagged objects (fail closed). A tag that
 * disagrees with the key (a mis-tagged upload) is overwritten with the key's customer. Other tags are kept.
 * Tagging an object emits "Object Tags Added", not "Object Created", so the function never triggers itself.
 */
import { S3Client, GetObjectTaggingCommand, PutObjectTaggingCommand, Tag } from "@aws-sdk/client-s3";

/** The `customer` tag key (components/shared/tags.ts TAG_KEYS.customer). */
export const CUSTOMER_TAG_KEY = "customer";

/** The customer a lake key belongs to, or undefined. Keys in EventBridge events may arrive URL-encoded. */
export function customerOfKey(key: string): string | undefined {
    for (const candidate of [key, safeDecode(key)]) {
        const m = /^(?:exports\/)?customer=([a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?)\//.exec(candidate ?? "");
        if (m) return m[1];
    }
    return undefined;
}

function safeDecode(key: string): string | undefined {
    try {
        return decodeURIComponent(key.replace(/\+/g, " "));
    } catch {
        return undefined;
    }
}

/** The tag set to write: the key's customer, other tags kept; undefined when nothing changes. */
export function mergedTags(existing: Tag[], customer: string): Tag[] | undefined {
    const current = existing.find((t) => t.Key === CUSTOMER_TAG_KEY)?.Value;
    if (current === customer) return undefined;
    return [...existing.filter((t) => t.Key !== CUSTOMER_TAG_KEY), { Key: CUSTOMER_TAG_KEY, Value: customer }];
}

export interface ObjectCreatedEvent {
    "detail-type"?: string;
    detail: { bucket: { name: string }; object: { key: string; "version-id"?: string } };
}

export interface TaggerS3 {
    send(command: GetObjectTaggingCommand): Promise<{ TagSet?: Tag[] }>;
    send(command: PutObjectTaggingCommand): Promise<unknown>;
}

export type TagOutcome = { action: "tagged" | "unchanged"; customer: string } | { action: "skipped"; reason: string };

/** Tags one created object. `customers` are the configured customer ids. */
export async function tagObject(s3: TaggerS3, event: ObjectCreatedEvent, customers: readonly string[]): Promise<TagOutcome> {
    const bucket = event.detail.bucket.name;
    const rawKey = event.detail.object.key;
    const customer = customerOfKey(rawKey);
    if (!customer) return { action: "skipped", reason: `key names no customer: s3://${bucket}/${rawKey}` };
    if (!customers.includes(customer)) return { action: "skipped", reason: `customer '${customer}' is not configured: s3://${bucket}/${rawKey} stays untagged` };
    const key = /^(?:exports\/)?customer=/.test(rawKey) ? rawKey : (safeDecode(rawKey) as string);
    const versionId = event.detail.object["version-id"];
    const existing = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    const tags = mergedTags(existing.TagSet ?? [], customer);
    if (!tags) return { action: "unchanged", customer };
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId, Tagging: { TagSet: tags } }));
    return { action: "tagged", customer };
}

const client = new S3Client({});

export async function handler(event: ObjectCreatedEvent): Promise<TagOutcome> {
    const customers = (process.env.CUSTOMERS ?? "").split(",").filter((c) => c !== "");
    const outcome = await tagObject(client as unknown as TaggerS3, event, customers);
    if (outcome.action === "skipped") console.warn(JSON.stringify({ message: "object left untagged", reason: outcome.reason }));
    return outcome;
}
