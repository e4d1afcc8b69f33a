/**
 * The data lake's object-key layout, in one place for the components (IAM resources, Firehose prefixes, file-share
 * locations, Glue job targets), the Lambdas (queries that read the customer from a key), the ingest client (upload
 * keys) and the tests. Pure string functions, no Pulumi.
 *
 * Hive-style partitions, so Glue crawlers, Athena partition projection and Spark find partitions without listing
 * the whole bucket, and IAM can scope a tenant by prefix:
 *
 *     customer=<customer-id>/source=<system>/year=YYYY/month=MM/day=DD/<file>
 *
 * `customer` comes first so a tenant's data is one prefix (per-customer access grants and deletion); dates are
 * zero-padded UTC so lexical order is time order. The results zone puts customer exports under
 * `exports/customer=<id>/`. The Glue ETL script (components/ingestion/glue/jdbc_to_parquet.py) writes the same layout
 * below the `customer=<id>/` target path this module builds.
 *
 * Customer ids follow {@link CUSTOMER_ID_PATTERN}, the rule config validation enforces for `customers`
 * (1-32 lowercase letters, digits and inner hyphens; the id also ends up in IAM role names and tags).
 */
import { CUSTOMER_ID_PATTERN } from "./tags";

export { CUSTOMER_ID_PATTERN };

/** Hive partition key of the tenant (also the object tag and principal tag key of customer access). */
export const CUSTOMER_KEY = "customer";
/** Hive partition key of the source system. */
export const SOURCE_KEY = "source";

/** `source=` values of the platform's own ingestion paths. */
export const LAKE_SOURCES = {
    /** Kinesis -> Firehose into landing. */
    stream: "stream",
    /** The ingest client's manual uploads into landing. */
    upload: "upload",
    /** Storage Gateway NFS share into landing. */
    fileGateway: "file-gateway",
    /** Storage Gateway SMB share into landing. */
    fileGatewaySmb: "file-gateway-smb",
} as const;

/** A source segment: lowercase letters, digits and inner hyphens, 1-64 characters (`ehr`, `ehr-lab-results`). */
export const SOURCE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Most characters of a `source=` value ({@link SOURCE_PATTERN}). */
export const SOURCE_MAX_LENGTH = 64;

/**
 * The `source=` value of an on-prem table the batch ETL job copies into the raw zone: `<schema>-<table>` lowercased,
 * every run of characters other than letters and digits one hyphen, cut to {@link SOURCE_MAX_LENGTH} characters
 * (`EHR.Lab_Results` -> `ehr-lab-results`); undefined when no letter or digit is left (`_._`).
 *
 * The only definition of the mapping: config validation (components/ingestion/settings.ts) rejects two tables with
 * one value, and BatchEtl hands each table's value to the Glue job (`--table_sources`), which does no folding of its
 * own. The folding is lossy (case, punctuation, truncation), so `ehr.Lab_Results` and `EHR.lab_results` (distinct
 * tables to a quoting database) share a value; without the check their rows would interleave in one prefix, and a
 * tenant's deletion or correction of one table would hit the other. The fold itself is kept as it was, so tables
 * already copied keep their prefixes.
 */
export function tableSource(schema: string, table: string): string | undefined {
    const folded = `${schema}-${table}`
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
    const source = folded.slice(0, SOURCE_MAX_LENGTH).replace(/-+$/, "");
    return source || undefined;
}

/** What a customer id must look like, for error messages. */
export const CUSTOMER_ID_RULE = "1-32 lowercase letters, digits and inner hyphens";

function checkCustomer(customer: string, caller: string): void {
    if (!CUSTOMER_ID_PATTERN.test(customer)) {
        throw new Error(`${caller}: customer must be a customer id (${CUSTOMER_ID_RULE}), got '${customer}'`);
    }
}

/**
 * `customer=<value>/` without checking the value: for IAM policy variables (`${aws:PrincipalTag/customer}`),
 * Firehose expressions (`!{partitionKeyFromQuery:customer}`) and wildcards (`*`). Ids use {@link customerPrefix}.
 */
export function customerPrefixOf(value: string): string {
    return `${CUSTOMER_KEY}=${value}/`;
}

/** `customer=<value>/source=<source>/` without checking the customer value (see {@link customerPrefixOf}). */
export function sourcePrefixOf(customerValue: string, source: string, caller = "sourcePrefix"): string {
    if (!SOURCE_PATTERN.test(source)) {
        throw new Error(`${caller}: source must be lowercase letters, digits and inner hyphens (1-64), got '${source}'`);
    }
    return `${customerPrefixOf(customerValue)}${SOURCE_KEY}=${source}/`;
}

/** `customer=<id>/`: everything of one tenant in a zone. */
export function customerPrefix(customer: string): string {
    checkCustomer(customer, "customerPrefix");
    return customerPrefixOf(customer);
}

/** `customer=<id>/source=<source>/`: one tenant's data from one source system. */
export function sourcePrefix(customer: string, source: string): string {
    checkCustomer(customer, "sourcePrefix");
    return sourcePrefixOf(customer, source);
}

export interface PartitionKey {
    /** Customer (tenant) id, one of `PlatformConfig.customers`. */
    customer: string;
    /** Source system, e.g. `ehr`, `lab`, `claims`. */
    source: string;
    /** Day of the data (UTC). */
    date: Date;
}

/** `customer=<id>/source=<system>/year=YYYY/month=MM/day=DD/` for a partition (UTC date). */
export function partitionPrefix(key: PartitionKey): string {
    checkCustomer(key.customer, "partitionPrefix");
    if (Number.isNaN(key.date.getTime())) {
        throw new Error("partitionPrefix: date is not a valid Date");
    }
    const pad = (n: number) => String(n).padStart(2, "0");
    const d = key.date;
    return `${sourcePrefixOf(key.customer, key.source, "partitionPrefix")}year=${d.getUTCFullYear()}/month=${pad(d.getUTCMonth() + 1)}/day=${pad(d.getUTCDate())}/`;
}

/**
 * The customer of an object key (`customer=<id>/` at the start or after a `/`, e.g. `exports/customer=<id>/`), or
 * undefined when the key has none. {@link CUSTOMER_IN_KEY_REGEX} is the same rule for Athena's `regexp_extract`.
 */
export function customerOfKey(key: string): string | undefined {
    return new RegExp(CUSTOMER_IN_KEY_REGEX).exec(key)?.[1];
}

/** Regular expression (Java/Presto and JavaScript syntax) whose group 1 is the customer id of a key. */
export const CUSTOMER_IN_KEY_REGEX = `(?:^|/)${CUSTOMER_KEY}=([a-z0-9-]+)/`;
