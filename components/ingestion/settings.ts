/**
 * Ingestion settings: streaming, batch ETL from the on-prem database, the file gateway and the Snowball landing.
 *
 * The JDBC URL and the source tables are parsed here, at config time: the batch ETL component receives the engine,
 * the database and the tables, and never parses (a URL without a database is a config problem, not a failure
 * while resources are being registered).
 */
import type * as pulumi from "@pulumi/pulumi";
import { IPV4_PATTERN, KeyValues, parseCidr, Problem, problem } from "../shared/config-keys";
import { ValidationContext } from "../shared/settings";
import { SOURCE_KEY, SOURCE_MAX_LENGTH, tableSource } from "../shared/lake-layout";

/** How lake-layout.ts `tableSource` names a table's prefix, for problems. */
const SOURCE_RULE = `${SOURCE_KEY}=<schema>-<table>, lowercased, every other run of characters one hyphen, at most ${SOURCE_MAX_LENGTH} characters`;

/** Firehose refuses Parquet conversion (and dynamic partitioning) with a buffer under 64 MiB; one floor keeps both options open. */
export const FIREHOSE_MIN_CONVERSION_BUFFER_MIB = 64;

/** The ingestion keys, as Pulumi.yaml declares them. */
export const INGESTION_KEYS = {
    streamingEnabled: { type: "boolean", default: true },
    kinesisMode: { type: "string", default: "ON_DEMAND", allowed: ["ON_DEMAND", "PROVISIONED"] },
    kinesisShardCount: { type: "integer", default: 1, min: 1, max: 500 },
    // Kinesis retention: 24 hours to 365 days.
    kinesisRetentionHours: { type: "integer", default: 24, min: 24, max: 8760 },
    // Firehose buffering: up to 900 s and 128 MiB.
    firehoseBufferSeconds: { type: "integer", default: 300, min: 60, max: 900 },
    firehoseBufferMiB: { type: "integer", default: 64, min: FIREHOSE_MIN_CONVERSION_BUFFER_MIB, max: 128 },
    firehoseParquet: { type: "boolean", default: false },
    streamProducerPrincipalArns: { type: "array", default: [] },
    batchEtlEnabled: { type: "boolean", default: false },
    onPremJdbcUrl: { type: "string", default: "" },
    onPremDbUsername: { type: "string", default: "" },
    onPremJdbcCertS3Uri: { type: "string", default: "" },
    onPremDbPassword: { type: "string", secret: true },
    etlSchedule: { type: "string", default: "cron(0 2 * * ? *)" },
    etlSourceTables: { type: "array", default: [] },
    storageGatewayEnabled: { type: "boolean", default: false },
    storageGatewayActivationKey: { type: "string", secret: true },
    storageGatewayIpAddress: { type: "string", default: "" },
    storageGatewayNfsClientCidrs: { type: "array", default: [] },
    storageGatewayNfsUnencrypted: { type: "boolean", default: false },
    storageGatewaySmb: { type: "boolean", default: false },
    storageGatewaySmbAllowedUsers: { type: "array", default: [] },
    storageGatewayTimezone: { type: "string", default: "GMT" },
    storageGatewayCacheDiskNode: { type: "string", default: "/dev/sdb" },
    bulkMigrationEnabled: { type: "boolean", default: true },
    onPremCustomer: { type: "string", default: "" },
} as const;

export type IngestionValues = KeyValues<typeof INGESTION_KEYS>;

/** Glue connection type (and job `--connection_type`) by JDBC URL scheme. */
const CONNECTION_TYPES: Record<string, string> = {
    postgresql: "postgresql",
    mysql: "mysql",
    sqlserver: "sqlserver",
    "oracle:thin": "oracle",
};

/** Engine (Glue connection type) and database of the on-prem source. */
export interface JdbcSource {
    engine: string;
    database: string;
}

/** A source table: `schema.table` with an optional job-bookmark column after `:`. */
export interface SourceTable {
    schema: string;
    table: string;
    bookmarkKey?: string;
}

const JDBC_FORM = "a JDBC URL such as jdbc:postgresql://ehr.hospital.local:5432/ehr";

/** Engine and database of a JDBC URL (`jdbc:postgresql://host:5432/ehr` -> `postgresql`, `ehr`); undefined when it has no database. */
export function parseJdbcUrl(url: string): JdbcSource | undefined {
    const m = /^jdbc:(postgresql|mysql|sqlserver|oracle:thin):(.*)$/.exec(url);
    if (!m) return undefined;
    const rest = m[2];
    let database: string;
    if (m[1] === "sqlserver") {
        database = /databaseName=([^;]+)/i.exec(rest)?.[1] ?? "";
    } else if (m[1] === "oracle:thin") {
        database = /[/:]([A-Za-z0-9_$#.]+)$/.exec(rest)?.[1] ?? "";
    } else {
        database = /^\/\/[^/]+\/([^?;]+)/.exec(rest)?.[1] ?? "";
    }
    return database ? { engine: CONNECTION_TYPES[m[1]], database } : undefined;
}

/** A source table with its raw-zone `source=` value (lake-layout.ts `tableSource`), unique among the tables. */
export interface EtlTable extends SourceTable {
    source: string;
}

/** `schema.table` or `schema.table:bookmark_column`; undefined for anything else. */
export function parseSourceTable(spec: string): SourceTable | undefined {
    const m = /^([A-Za-z_][A-Za-z0-9_$]*)\.([A-Za-z_][A-Za-z0-9_$]*)(?::([A-Za-z_][A-Za-z0-9_]*))?$/.exec(spec);
    return m ? { schema: m[1], table: m[2], bookmarkKey: m[3] } : undefined;
}

export interface StreamingSettings {
    enabled: boolean;
    mode: "ON_DEMAND" | "PROVISIONED";
    shardCount: number;
    retentionHours: number;
    bufferSeconds: number;
    bufferMiB: number;
    parquetConversion: boolean;
    /**
     * IAM roles or users of the account that may assume a producer role; each may assume only the producer role of
     * the customer in its own `customer` tag. Empty: only principals of the account authenticated with MFA and
     * tagged with a customer (a person testing); machines must be named.
     */
    producerPrincipalArns: string[];
}

interface BatchEtlCommon {
    jdbcUrl: string;
    username: string;
    /** `s3://<bucket>/<key>.pem` of the private CA's certificate the connection validates the database against. */
    jdbcCertS3Uri?: string;
    schedule: string;
    sourceTables: string[];
}

/** Batch ETL switched off: nothing is required. */
export interface BatchEtlOff extends BatchEtlCommon {
    enabled: false;
    password?: undefined;
    source?: undefined;
    tables?: undefined;
}

/** Batch ETL switched on: everything the job needs, validated and parsed. */
export interface BatchEtlSettings extends BatchEtlCommon {
    enabled: true;
    /** Secret from `pulumi config set --secret onPremDbPassword`. */
    password: pulumi.Output<string>;
    /** Engine and database of `jdbcUrl`. */
    source: JdbcSource;
    /** `sourceTables`, parsed, each with its own `source=` value (validation rejected two tables sharing one). */
    tables: EtlTable[];
}

export interface StorageGatewaySettings {
    enabled: boolean;
    /** Activation key, or the appliance IP from which the provider fetches one; exactly one is set. */
    activationKey?: pulumi.Output<string>;
    gatewayIpAddress?: string;
    /** NFS client networks; NFS carries file contents unencrypted between clients and the appliance. */
    nfsClientCidrs: string[];
    smbEnabled: boolean;
    /** Active Directory users and `@groups` allowed on the SMB share (guest access is never enabled). */
    smbAllowedUsers: string[];
    timezone: string;
    /** Device node of the appliance's local disk that becomes the gateway's cache (an S3 File Gateway needs one). */
    cacheDiskNode: string;
}

export interface IngestionConfig {
    streaming: StreamingSettings;
    batch: BatchEtlSettings | BatchEtlOff;
    storageGateway: StorageGatewaySettings;
    bulkMigration: { enabled: boolean };
    /**
     * Customer (one of `customers`) that owns the on-prem site: batch ETL output and file-gateway files land under
     * its `customer=<id>/` prefix. Empty when neither batch ETL nor the Storage Gateway is enabled.
     */
    onPremCustomer: string;
}

/** What the ingestion validator needs from other areas. */
export interface IngestionContext extends ValidationContext {
    /** True when the network settings connect an on-prem site over the VPN. */
    onPremisesConnected: boolean;
    /** The on-prem DNS domain forwarded by the Route 53 Resolver ("" when none). */
    onPremDnsDomain: string;
}

const required = (key: string, form: string): Problem => problem(key, `${form} (the key is required: pulumi config set ${key} <value>)`, undefined);

/** Problems of the ingestion keys. Pure. */
export function validateIngestionSettings(v: IngestionValues, ctx: IngestionContext): Problem[] {
    const problems: Problem[] = [];
    const producerForm = `an IAM role or user ARN of account ${ctx.accountId} (arn:${ctx.partition}:iam::${ctx.accountId}:role/<name>)`;
    v.streamProducerPrincipalArns.forEach((arn, i) => {
        if (!new RegExp(`^arn:${ctx.partition}:iam::${ctx.accountId}:(role|user)/[\\w+=,.@/-]+$`).test(String(arn))) {
            problems.push(problem(`streamProducerPrincipalArns[${i}]`, producerForm, arn));
        }
    });
    const batch = v.batchEtlEnabled;
    const gateway = v.storageGatewayEnabled;
    if (batch) {
        if (!v.onPremJdbcUrl) {
            problems.push(required("onPremJdbcUrl", JDBC_FORM));
        } else if (!/^jdbc:(postgresql|mysql|sqlserver|oracle:thin):\/?\/?.+/.test(v.onPremJdbcUrl)) {
            problems.push(problem("onPremJdbcUrl", JDBC_FORM, v.onPremJdbcUrl));
        } else if (!parseJdbcUrl(v.onPremJdbcUrl)) {
            // The crawler's include paths and the job's catalog start with the database name.
            problems.push(problem("onPremJdbcUrl", `${JDBC_FORM} that names the database (the crawler's include paths start with it)`, v.onPremJdbcUrl));
        }
        // An on-prem host name resolves in the VPC only through a Resolver forwarding rule to the on-prem DNS.
        const host = /^jdbc:[a-z:]+:@?\/\/([^:/;?]+)/.exec(v.onPremJdbcUrl)?.[1];
        if (ctx.isProd && host && !IPV4_PATTERN.test(host) && !ctx.onPremDnsDomain) {
            problems.push(
                problem(
                    "onPremDnsDomain",
                    `the on-prem DNS domain (with onPremDnsResolverIps) when the onPremJdbcUrl host is a name in prod: the ETL job resolves ${host} through a Route 53 Resolver forwarding rule`,
                    undefined,
                ),
            );
        }
        if (v.onPremJdbcCertS3Uri && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^\s]+\.pem$/.test(v.onPremJdbcCertS3Uri)) {
            problems.push(problem("onPremJdbcCertS3Uri", "s3://<bucket>/<key>.pem, the private CA's certificate the Glue connection validates the database against", v.onPremJdbcCertS3Uri));
        }
        if (!v.onPremDbUsername) problems.push(required("onPremDbUsername", "the on-prem database user for the ETL job"));
        if (!v.onPremDbPassword) {
            problems.push(problem("onPremDbPassword", "a secret (pulumi config set --secret onPremDbPassword <value>) when batchEtlEnabled is true", undefined));
        }
        if (!ctx.onPremisesConnected) {
            problems.push(problem("batchEtlEnabled", "onPremCidrs and onPremVpnPeerIp to be set: the ETL job reaches the on-prem database over the site-to-site VPN", true));
        }
    }
    if (!/^cron\(.+\)$|^rate\(.+\)$/.test(v.etlSchedule)) {
        problems.push(problem("etlSchedule", "a Glue schedule expression such as cron(0 2 * * ? *)", v.etlSchedule));
    }
    if (gateway) {
        if (ctx.isProd && !v.storageGatewayActivationKey) {
            // Activation by IP needs the deploying machine to reach the appliance on the hospital's private network.
            problems.push(
                problem(
                    "storageGatewayActivationKey",
                    "a secret (pulumi config set --secret storageGatewayActivationKey <value>, fetched once from the appliance's local console) when storageGatewayEnabled is true in prod: a CI runner cannot reach the appliance's private address to activate it by storageGatewayIpAddress",
                    undefined,
                ),
            );
        } else if (!v.storageGatewayActivationKey === !v.storageGatewayIpAddress) {
            problems.push(
                problem(
                    "storageGatewayIpAddress",
                    "exactly one of storageGatewayActivationKey (secret) or storageGatewayIpAddress when storageGatewayEnabled is true",
                    v.storageGatewayIpAddress || undefined,
                ),
            );
        }
        if (!/^\/dev\/[a-z0-9]+$/.test(v.storageGatewayCacheDiskNode)) {
            problems.push(problem("storageGatewayCacheDiskNode", "the device node of the appliance's cache disk, such as /dev/sdb", v.storageGatewayCacheDiskNode));
        }
        // NFSv3/v4.1 on the gateway has no transport encryption: PHI would cross the LAN in clear (164.312(e)(1)).
        if (ctx.isProd && v.storageGatewayNfsClientCidrs.length > 0 && !v.storageGatewayNfsUnencrypted) {
            problems.push(
                problem(
                    "storageGatewayNfsClientCidrs",
                    "no NFS client CIDRs in prod (NFS carries PHI unencrypted between clients and the appliance; use storageGatewaySmb, which requires SMB3 encryption), or storageGatewayNfsUnencrypted true to accept unencrypted NFS explicitly",
                    v.storageGatewayNfsClientCidrs,
                ),
            );
        }
        if (v.storageGatewayIpAddress && !IPV4_PATTERN.test(v.storageGatewayIpAddress)) {
            problems.push(problem("storageGatewayIpAddress", "the IPv4 address of the gateway appliance", v.storageGatewayIpAddress));
        }
        if (v.storageGatewayNfsClientCidrs.length === 0 && !v.storageGatewaySmb) {
            problems.push(problem("storageGatewayNfsClientCidrs", "at least one NFS client CIDR, or storageGatewaySmb true", v.storageGatewayNfsClientCidrs));
        }
    }
    v.storageGatewayNfsClientCidrs.forEach((c, i) => {
        const parsed = parseCidr(c);
        if (!parsed) problems.push(problem(`storageGatewayNfsClientCidrs[${i}]`, "an IPv4 CIDR block with no host bits", c));
        // A /0-/7 client list lets nearly any host that reaches the appliance mount PHI (HIPAA 164.312(a)(1)).
        else if (parsed[1] < 8) {
            problems.push(problem(`storageGatewayNfsClientCidrs[${i}]`, "a client network of /8 or narrower (the share is restricted to the hospital's client networks)", c));
        }
    });
    if (gateway && v.storageGatewaySmb) {
        if (v.storageGatewaySmbAllowedUsers.length === 0) {
            problems.push(
                problem(
                    "storageGatewaySmbAllowedUsers",
                    "at least one Active Directory user or @group when storageGatewaySmb is true (guest access is never enabled)",
                    v.storageGatewaySmbAllowedUsers,
                ),
            );
        }
        v.storageGatewaySmbAllowedUsers.forEach((u, i) => {
            if (!/^@?[^\s"/\\[\]:;|=,+*?<>]{1,256}$/.test(u)) {
                problems.push(problem(`storageGatewaySmbAllowedUsers[${i}]`, "an Active Directory user name or @group name without spaces or \" / \\ [ ] : ; | = , + * ? < >", u));
            }
        });
    }
    // Each table's raw-zone prefix (lake-layout.ts tableSource); tables sharing one would interleave their rows there.
    const bySource = new Map<string, string[]>();
    v.etlSourceTables.forEach((t, i) => {
        const parsed = parseSourceTable(t);
        if (!parsed) {
            problems.push(problem(`etlSourceTables[${i}]`, "schema.table, optionally followed by :bookmark_column (for example ehr.encounters:updated_at)", t));
            return;
        }
        const source = tableSource(parsed.schema, parsed.table);
        if (!source) {
            problems.push(problem(`etlSourceTables[${i}]`, `schema.table with a letter or digit in it (its raw-zone prefix keeps only letters, digits and hyphens: ${SOURCE_RULE})`, t));
            return;
        }
        bySource.set(source, [...(bySource.get(source) ?? []), `${parsed.schema}.${parsed.table}`]);
    });
    for (const [source, names] of bySource) {
        if (names.length > 1) {
            problems.push(
                problem(
                    "etlSourceTables",
                    `tables that each map to their own raw-zone prefix (${SOURCE_RULE}); these share ${SOURCE_KEY}=${source}/`,
                    names,
                ),
            );
        }
    }
    if (batch && v.etlSourceTables.length === 0) {
        problems.push(problem("etlSourceTables", "at least one schema.table when batchEtlEnabled is true (the ETL job copies only listed tables)", v.etlSourceTables));
    }
    if (batch || gateway) {
        const owner = v.onPremCustomer;
        const which = batch ? "batchEtlEnabled" : "storageGatewayEnabled";
        const known = ctx.customers.join(", ") || "none configured";
        if (!owner) {
            problems.push(
                problem(
                    "onPremCustomer",
                    `the customer id that owns the on-prem site (one of customers: ${known}) when ${which} is true: its data lands under customer=<id>/`,
                    undefined,
                ),
            );
        } else if (!ctx.customers.includes(owner)) {
            problems.push(problem("onPremCustomer", `one of customers (${known})`, owner));
        }
    }
    return problems;
}

/** The ingestion settings of valid values. Pure. */
export function ingestionSettings(v: IngestionValues): IngestionConfig {
    const common: BatchEtlCommon = {
        jdbcUrl: v.onPremJdbcUrl,
        username: v.onPremDbUsername,
        jdbcCertS3Uri: v.onPremJdbcCertS3Uri || undefined,
        schedule: v.etlSchedule,
        sourceTables: v.etlSourceTables,
    };
    const gateway = v.storageGatewayEnabled;
    return {
        streaming: {
            enabled: v.streamingEnabled,
            mode: v.kinesisMode as StreamingSettings["mode"],
            shardCount: v.kinesisShardCount,
            retentionHours: v.kinesisRetentionHours,
            bufferSeconds: v.firehoseBufferSeconds,
            bufferMiB: v.firehoseBufferMiB,
            parquetConversion: v.firehoseParquet,
            producerPrincipalArns: v.streamProducerPrincipalArns.map(String),
        },
        batch: v.batchEtlEnabled
            ? {
                  ...common,
                  enabled: true,
                  password: v.onPremDbPassword as pulumi.Output<string>,
                  source: parseJdbcUrl(v.onPremJdbcUrl) as JdbcSource,
                  tables: v.etlSourceTables.map((t) => {
                      const parsed = parseSourceTable(t) as SourceTable;
                      return { ...parsed, source: tableSource(parsed.schema, parsed.table) as string };
                  }),
              }
            : { ...common, enabled: false },
        storageGateway: {
            enabled: gateway,
            activationKey: gateway ? v.storageGatewayActivationKey : undefined,
            gatewayIpAddress: v.storageGatewayIpAddress || undefined,
            nfsClientCidrs: v.storageGatewayNfsClientCidrs,
            smbEnabled: v.storageGatewaySmb,
            smbAllowedUsers: v.storageGatewaySmbAllowedUsers,
            timezone: v.storageGatewayTimezone,
            cacheDiskNode: v.storageGatewayCacheDiskNode,
        },
        bulkMigration: { enabled: v.bulkMigrationEnabled },
        onPremCustomer: v.onPremCustomer,
    };
}
