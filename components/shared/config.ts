/**
 * The one place stack config is read and validated.
 *
 * Every key is declared and documented in Pulumi.yaml. `loadPlatformConfig` validates all of them
 * before any resource is registered and reports every invalid value at once, each naming the key, the
 * expected form and the value given. Components never read config; they receive slices of
 * {@link PlatformConfig} as args.
 */
import * as pulumi from "@pulumi/pulumi";
import { NamingContext } from "./naming";
import { CUSTOMER_ID_PATTERN } from "./tags";

export const PROJECT = "healthcare-data-platform";

export type Environment = "dev" | "staging" | "prod";
export const ENVIRONMENTS: readonly Environment[] = ["dev", "staging", "prod"];

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). 2192 days = six years. */
export const CLOUDWATCH_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** HIPAA 164.316(b)(2): documentation, including audit logs, is retained six years. */
export const HIPAA_RETENTION_DAYS = 2192;

/** S3 refuses a transition to STANDARD_IA or ONEZONE_IA earlier than 30 days after creation. */
export const S3_MIN_IA_DAYS = 30;

export type ArchiveStorageClass = "GLACIER" | "GLACIER_IR" | "DEEP_ARCHIVE";
export type NatGatewayStrategy = "none" | "single" | "onePerAz";
export type DataZone = "landing" | "raw" | "curated" | "results" | "import";
export const DATA_ZONES: readonly DataZone[] = ["landing", "raw", "curated", "results", "import"];

/** Lifecycle of one bucket: current objects to IA, then to an archive class; old versions and uploads expire. */
export interface LifecycleSettings {
    /** Days after creation before STANDARD_IA (S3 minimum 30). */
    infrequentAccessDays: number;
    /** Days after creation before the archive class; later than `infrequentAccessDays`. */
    archiveDays: number;
    archiveStorageClass: ArchiveStorageClass;
    /** Days a noncurrent version is kept before it expires. */
    noncurrentVersionExpirationDays: number;
    /** Days before an incomplete multipart upload is aborted (its parts are billed until then). */
    abortIncompleteMultipartUploadDays: number;
}

export interface OnPremisesConfig {
    /** On-prem networks reached over the site-to-site VPN. */
    cidrs: string[];
    /** Public IP of the on-prem VPN device (customer gateway). */
    vpnPeerIp: string;
    /** BGP ASN of the customer gateway. */
    bgpAsn: number;
    /** Static routes instead of BGP. */
    staticRoutesOnly: boolean;
}

export interface NetworkConfig {
    vpcCidr: string;
    availabilityZones: number;
    natGateways: NatGatewayStrategy;
    /** Present when an on-prem site is connected. */
    onPremises?: OnPremisesConfig;
}

export interface LoggingConfig {
    /** Retention of operational log groups (flow logs, Lambda, Glue, Firehose errors). */
    retentionDays: number;
    /** Retention of audit evidence (CloudTrail log group and audit bucket). */
    auditRetentionDays: number;
}

export interface ObjectLockSettings {
    enabled: boolean;
    mode: "GOVERNANCE" | "COMPLIANCE";
    retentionDays: number;
}

export interface DataLakeConfig {
    lifecycle: Record<DataZone | "logs" | "inventory", LifecycleSettings>;
    objectLock: ObjectLockSettings;
}

export interface SecurityConfig {
    kmsDeletionWindowDays: number;
    macie: {
        findingPublishingFrequency: "FIFTEEN_MINUTES" | "ONE_HOUR" | "SIX_HOURS";
        /** Findings at or above this severity are sent to the alert topic. */
        alertMinimumSeverity: "Low" | "Medium" | "High";
        jobFrequency: "DAILY" | "WEEKLY" | "MONTHLY";
        /** Regex of a medical record number custom data identifier; empty disables it. */
        medicalRecordNumberRegex: string;
    };
    guardDutyEnabled: boolean;
    /** IAM roles or users of the stack's account that administer the KMS keys (never use them). */
    keyAdministratorArns: string[];
    /** Who may assume the platform's human roles (data engineer, analyst, customer readers). */
    access: {
        /** IAM principals of the stack's account; empty means the account root (any IAM principal its own policies allow). */
        trustedPrincipalArns: string[];
        /** Require `aws:MultiFactorAuthPresent` to assume the roles (off only for federated, IdP-enforced MFA). */
        requireMfa: boolean;
    };
}

export interface RdsSettings {
    enabled: boolean;
    engine: "postgres" | "aurora-postgresql";
    engineVersion: string;
    instanceClass: string;
    allocatedStorageGiB: number;
    multiAz: boolean;
    backupRetentionDays: number;
}

export interface StorageConfig {
    rds: RdsSettings;
    redshift: {
        enabled: boolean;
        mode: "serverless" | "provisioned";
        baseCapacityRpu: number;
        nodeType: string;
        numberOfNodes: number;
        snapshotRetentionDays: number;
    };
    dynamodb: { enabled: boolean };
    elasticache: {
        enabled: boolean;
        mode: "serverless" | "replicationGroup";
        nodeType: string;
        replicas: number;
        snapshotRetentionDays: number;
    };
    efs: { enabled: boolean };
    ebs: { volumeEnabled: boolean; volumeSizeGiB: number };
    backup: { retentionDays: number; vaultLock: boolean };
}

export interface IngestionConfig {
    streaming: {
        enabled: boolean;
        mode: "ON_DEMAND" | "PROVISIONED";
        shardCount: number;
        retentionHours: number;
        bufferSeconds: number;
        bufferMiB: number;
        parquetConversion: boolean;
    };
    batch: {
        enabled: boolean;
        jdbcUrl: string;
        username: string;
        /** Secret from `pulumi config set --secret onPremDbPassword`; present only when batch ETL is enabled. */
        password?: pulumi.Output<string>;
        schedule: string;
        sourceTables: string[];
    };
    storageGateway: {
        enabled: boolean;
        /** Activation key, or the appliance IP from which the provider fetches one; exactly one is set. */
        activationKey?: pulumi.Output<string>;
        gatewayIpAddress?: string;
        nfsClientCidrs: string[];
        smbEnabled: boolean;
        /** Active Directory users and `@groups` allowed on the SMB share (guest access is never enabled). */
        smbAllowedUsers: string[];
        timezone: string;
    };
    bulkMigration: { enabled: boolean };
    /**
     * Customer (one of `customers`) that owns the on-prem site: batch ETL output and file-gateway files land under
     * its `customer=<id>/` prefix. Empty when neither batch ETL nor the Storage Gateway is enabled.
     */
    onPremCustomer: string;
}

export interface AnalyticsConfig {
    athenaBytesScannedCutoff: number;
    emr: {
        mode: "serverless" | "cluster" | "none";
        releaseLabel: string;
        clusterInstanceType: string;
        /** `s3://bucket/key.zip` of the PEM certificates for in-transit TLS between cluster nodes; required in cluster mode. */
        tlsCertificatesS3Object?: string;
    };
    lambda: { reservedConcurrency: number; memoryMiB: number; timeoutSeconds: number };
    api: {
        enabled: boolean;
        authorization: "IAM" | "JWT";
        jwtIssuer?: string;
        jwtAudience: string[];
        throttleBurst: number;
        throttleRate: number;
    };
    opensearch: { enabled: boolean; instanceType: string; instanceCount: number };
    quicksight: { enabled: boolean };
}

export interface PlatformConfig {
    project: string;
    stack: string;
    environment: Environment;
    naming: NamingContext;
    owner: string;
    costCenter: string;
    /** Stateful resources get the `protect` option and service-side deletion protection. */
    protect: boolean;
    alertEmails: string[];
    /** Tenant ids; each gets a tag-scoped reader role. */
    customers: string[];
    network: NetworkConfig;
    logging: LoggingConfig;
    dataLake: DataLakeConfig;
    security: SecurityConfig;
    storage: StorageConfig;
    ingestion: IngestionConfig;
    analytics: AnalyticsConfig;
}

/** Where raw values come from: `pulumi.Config` in a program, a plain map in tests. */
export interface ConfigSource {
    /** Raw string value of a project key (objects and arrays as JSON), or undefined. */
    get(key: string): string | undefined;
    /** Raw string value of a provider key such as `aws:region`. */
    getQualified(key: string): string | undefined;
    /** A secret value as an Output marked secret, or undefined. */
    getSecret(key: string): pulumi.Output<string> | undefined;
    stack: string;
}

/** Raised with every invalid value listed; nothing is registered when it is thrown. */
export class ConfigValidationError extends Error {
    constructor(readonly problems: string[]) {
        super(`Stack configuration is invalid:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigValidationError";
    }
}

const show = (v: unknown): string => (typeof v === "string" ? `'${v}'` : JSON.stringify(v));

/** Reads typed values and collects problems instead of stopping at the first. */
class Reader {
    readonly problems: string[] = [];
    constructor(private readonly source: ConfigSource) {}

    problem(key: string, expected: string, given: unknown): void {
        const name = key.includes(":") ? key : `${PROJECT}:${key}`;
        this.problems.push(`${name}: expected ${expected}, got ${show(given)}`);
    }

    raw(key: string): string | undefined {
        const v = this.source.get(key);
        return v === undefined || v === "" ? undefined : v;
    }

    string(key: string, def: string): string;
    string(key: string): string | undefined;
    string(key: string, def?: string): string | undefined {
        return this.raw(key) ?? def;
    }

    required(key: string, expected: string): string {
        const v = this.raw(key);
        if (v === undefined) {
            this.problem(key, `${expected} (the key is required: pulumi config set ${key} <value>)`, undefined);
            return "";
        }
        return v;
    }

    oneOf<T extends string>(key: string, allowed: readonly T[], def: T): T {
        const v = this.raw(key) ?? def;
        if (!(allowed as readonly string[]).includes(v)) {
            this.problem(key, `one of ${allowed.join(", ")}`, v);
            return def;
        }
        return v as T;
    }

    bool(key: string, def: boolean): boolean {
        const v = this.raw(key);
        if (v === undefined) return def;
        if (v === "true" || v === "false") return v === "true";
        this.problem(key, "true or false", v);
        return def;
    }

    int(key: string, def: number, min: number, max: number): number {
        const v = this.raw(key);
        if (v === undefined) return def;
        const n = Number(v);
        if (!Number.isInteger(n) || n < min || n > max) {
            this.problem(key, `an integer from ${min} to ${max}`, /^-?\d+$/.test(v) ? n : v);
            return def;
        }
        return n;
    }

    list(key: string): string[] {
        const v = this.raw(key);
        if (v === undefined) return [];
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            parsed = v;
        }
        if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string")) {
            this.problem(key, "a list of strings", parsed);
            return [];
        }
        return parsed as string[];
    }
}

/** Parses `a.b.c.d/n`; returns [network address as uint32, prefix length] or undefined. */
export function parseCidr(cidr: string): [number, number] | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    // A CIDR with host bits set is almost always a typo (10.0.0.1/16); AWS rejects it for VPCs.
    if ((addr & ~mask) >>> 0 !== 0) return undefined;
    return [addr, prefix];
}

/** True when two valid CIDR blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const pa = parseCidr(a);
    const pb = parseCidr(b);
    if (!pa || !pb) return false;
    const prefix = Math.min(pa[1], pb[1]);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return (pa[0] & mask) >>> 0 === (pb[0] & mask) >>> 0;
}

const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function readLifecycle(r: Reader, prefix: string, base?: LifecycleSettings): LifecycleSettings {
    const key = (k: string) => `${prefix}${k}`;
    // Per-zone keys default to 0 in Pulumi.yaml: 0 inherits the stack-wide value.
    const own = (k: string) => (base && r.raw(key(k)) === "0" ? undefined : r.raw(key(k)));
    const archiveStorageClass = base
        ? base.archiveStorageClass
        : r.oneOf<ArchiveStorageClass>(key("ArchiveStorageClass"), ["GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"], "GLACIER");
    const iaRaw = own("IaDays");
    const infrequentAccessDays = iaRaw === undefined ? (base?.infrequentAccessDays ?? 30) : r.int(key("IaDays"), 30, 0, 36500);
    if (iaRaw !== undefined && infrequentAccessDays < S3_MIN_IA_DAYS) {
        r.problem(key("IaDays"), `at least ${S3_MIN_IA_DAYS} days (S3's minimum before a transition to STANDARD_IA)`, infrequentAccessDays);
    }
    const archiveRaw = own("ArchiveDays");
    const archiveDays = archiveRaw === undefined ? (base?.archiveDays ?? 90) : r.int(key("ArchiveDays"), 90, 0, 36500);
    // A zone that sets neither key inherits a pair already checked.
    const ownKeys = iaRaw !== undefined || archiveRaw !== undefined || !base;
    if (ownKeys && archiveDays <= infrequentAccessDays) {
        if (archiveRaw !== undefined || !base) {
            r.problem(key("ArchiveDays"), `the ${archiveStorageClass} transition after the STANDARD_IA transition (${infrequentAccessDays} days)`, archiveDays);
        } else {
            r.problem(key("IaDays"), `a STANDARD_IA transition before the ${archiveStorageClass} transition (${archiveDays} days)`, infrequentAccessDays);
        }
    }
    return {
        infrequentAccessDays,
        archiveDays,
        archiveStorageClass,
        noncurrentVersionExpirationDays: base?.noncurrentVersionExpirationDays ?? r.int(key("NoncurrentExpirationDays"), 90, 1, 36500),
        abortIncompleteMultipartUploadDays: base?.abortIncompleteMultipartUploadDays ?? r.int(key("AbortMultipartDays"), 7, 1, 365),
    };
}

function retention(r: Reader, key: string, def: number): number {
    const raw = r.raw(key);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(n)) {
        r.problem(key, `one of CloudWatch Logs' retention values (${CLOUDWATCH_RETENTION_DAYS.join(", ")})`, /^\d+$/.test(raw) ? n : raw);
        return def;
    }
    return n;
}

/**
 * Validates and types the stack config. Throws {@link ConfigValidationError} listing every problem.
 */
export function loadPlatformConfig(source: ConfigSource): PlatformConfig {
    const r = new Reader(source);
    const environment = r.oneOf<Environment>("environment", ENVIRONMENTS, "dev");
    if (r.raw("environment") === undefined) {
        r.problem("environment", `one of ${ENVIRONMENTS.join(", ")} (the key is required)`, undefined);
    }
    const isProd = environment === "prod";
    const protect = r.bool("protectStatefulResources", true);
    if (isProd && !protect) {
        r.problem("protectStatefulResources", "true in prod (stateful resources holding PHI are protected from deletion)", protect);
    }

    // Account and region pin the stack: names embed them, and the explicit provider refuses other accounts.
    const region = source.getQualified("aws:region");
    if (!region || !/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(region)) {
        r.problem("aws:region", "an AWS region such as us-east-1", region);
    }
    let accountId = "";
    const accountsRaw = source.getQualified("aws:allowedAccountIds");
    let accounts: unknown;
    try {
        accounts = accountsRaw === undefined ? undefined : JSON.parse(accountsRaw);
    } catch {
        accounts = accountsRaw;
    }
    if (!Array.isArray(accounts) || accounts.length !== 1 || !/^\d{12}$/.test(String(accounts[0]))) {
        r.problem("aws:allowedAccountIds", "a list with exactly one 12-digit AWS account id", accounts);
    } else {
        accountId = String(accounts[0]);
    }
    const partition = region?.startsWith("us-gov-") ? "aws-us-gov" : region?.startsWith("cn-") ? "aws-cn" : "aws";

    const prefix = r.string("namePrefix", "hdp");
    if (!/^[a-z][a-z0-9]{1,9}$/.test(prefix)) {
        r.problem("namePrefix", "2-10 lowercase letters and digits starting with a letter (it starts every bucket name)", prefix);
    }

    const owner = r.string("owner", "platform-team");
    const costCenter = r.string("costCenter", "healthcare-data");
    for (const [key, value] of [["owner", owner], ["costCenter", costCenter]] as const) {
        if (!/^[\p{L}\p{N} +\-=._:/@]{1,256}$/u.test(value)) {
            r.problem(key, "a tag value (1-256 letters, digits, spaces and + - = . _ : / @)", value);
        }
    }

    const alertEmails = r.list("alertEmails");
    alertEmails.forEach((email, i) => {
        if (!EMAIL_PATTERN.test(email)) r.problem(`alertEmails[${i}]`, "an e-mail address such as security@example.org", email);
    });
    if (isProd && alertEmails.length === 0) {
        r.problem("alertEmails", "at least one stakeholder e-mail in prod (HIPAA 164.308(a)(6): incidents must reach someone)", alertEmails);
    }

    const customers = r.list("customers");
    customers.forEach((id, i) => {
        if (!CUSTOMER_ID_PATTERN.test(id)) {
            r.problem(`customers[${i}]`, "a tag-safe customer id: 1-32 lowercase letters, digits and inner hyphens", id);
        }
    });
    const dup = customers.find((c, i) => customers.indexOf(c) !== i);
    if (dup) r.problem("customers", "unique customer ids", dup);

    // Network
    const vpcCidr = r.string("vpcCidr", "10.40.0.0/16");
    const vpcParsed = parseCidr(vpcCidr);
    if (!vpcParsed || vpcParsed[1] < 16 || vpcParsed[1] > 24) {
        r.problem("vpcCidr", "an IPv4 CIDR block with a prefix from /16 to /24 and no host bits, such as 10.40.0.0/16", vpcCidr);
    }
    const availabilityZones = r.int("availabilityZones", 2, 2, 3);
    const natGateways = r.oneOf<NatGatewayStrategy>("natGateways", ["none", "single", "onePerAz"], "none");
    const onPremCidrs = r.list("onPremCidrs");
    onPremCidrs.forEach((c, i) => {
        if (!parseCidr(c)) r.problem(`onPremCidrs[${i}]`, "an IPv4 CIDR block with no host bits, such as 192.168.0.0/16", c);
    });
    for (let i = 0; i < onPremCidrs.length; i++) {
        if (parseCidr(onPremCidrs[i]) && vpcParsed && cidrsOverlap(onPremCidrs[i], vpcCidr)) {
            r.problem(`onPremCidrs[${i}]`, `a range that does not overlap the VPC (${vpcCidr})`, onPremCidrs[i]);
        }
        for (let j = i + 1; j < onPremCidrs.length; j++) {
            if (cidrsOverlap(onPremCidrs[i], onPremCidrs[j])) {
                r.problem(`onPremCidrs[${j}]`, `a range that does not overlap onPremCidrs[${i}] (${onPremCidrs[i]})`, onPremCidrs[j]);
            }
        }
    }
    let onPremises: OnPremisesConfig | undefined;
    const vpnPeerIp = r.string("onPremVpnPeerIp");
    if (onPremCidrs.length > 0 || vpnPeerIp !== undefined) {
        if (!vpnPeerIp || !IPV4_PATTERN.test(vpnPeerIp)) {
            r.problem("onPremVpnPeerIp", "the public IPv4 address of the on-prem VPN device (required with onPremCidrs)", vpnPeerIp);
        }
        if (onPremCidrs.length === 0) {
            r.problem("onPremCidrs", "at least one on-prem CIDR block when onPremVpnPeerIp is set", onPremCidrs);
        }
        onPremises = {
            cidrs: onPremCidrs,
            vpnPeerIp: vpnPeerIp ?? "",
            bgpAsn: r.int("onPremBgpAsn", 65000, 1, 4294967294),
            staticRoutesOnly: r.bool("onPremStaticRoutesOnly", true),
        };
    }
    // Logging: HIPAA 164.316(b)(2) keeps audit evidence six years in production.
    const logRetention = retention(r, "logRetentionDays", 30);
    const auditRetention = retention(r, "auditLogRetentionDays", HIPAA_RETENTION_DAYS);
    if (isProd && auditRetention < HIPAA_RETENTION_DAYS) {
        r.problem("auditLogRetentionDays", `at least ${HIPAA_RETENTION_DAYS} days in prod (HIPAA 164.316(b)(2), six years)`, auditRetention);
    }

    // Data lake lifecycle: a default, refined per zone.
    const base = readLifecycle(r, "lifecycle");
    const lifecycle = {} as Record<DataZone | "logs" | "inventory", LifecycleSettings>;
    for (const zone of [...DATA_ZONES, "logs", "inventory"] as const) {
        lifecycle[zone] = readLifecycle(r, `lifecycle${zone.charAt(0).toUpperCase()}${zone.slice(1)}`, base);
    }
    const objectLock: ObjectLockSettings = {
        enabled: r.bool("objectLockEnabled", false),
        mode: r.oneOf("objectLockMode", ["GOVERNANCE", "COMPLIANCE"] as const, "GOVERNANCE"),
        retentionDays: r.int("objectLockRetentionDays", HIPAA_RETENTION_DAYS, 1, 36500),
    };

    const security: SecurityConfig = {
        kmsDeletionWindowDays: r.int("kmsDeletionWindowDays", 30, 7, 30),
        macie: {
            findingPublishingFrequency: r.oneOf("macieFindingFrequency", ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"] as const, "ONE_HOUR"),
            alertMinimumSeverity: r.oneOf("macieAlertMinimumSeverity", ["Low", "Medium", "High"] as const, "Medium"),
            jobFrequency: r.oneOf("macieJobFrequency", ["DAILY", "WEEKLY", "MONTHLY"] as const, "DAILY"),
            // An explicit empty string disables the identifier (Pulumi.yaml); only an absent key takes the default.
            medicalRecordNumberRegex:
                source.get("macieMedicalRecordNumberRegex") === "" ? "" : r.string("macieMedicalRecordNumberRegex", "\\bMRN[-:#]? ?\\d{6,10}\\b"),
        },
        guardDutyEnabled: r.bool("guardDutyEnabled", true),
        keyAdministratorArns: r.list("kmsKeyAdministratorArns"),
        access: { trustedPrincipalArns: r.list("accessTrustedPrincipalArns"), requireMfa: r.bool("accessRequireMfa", true) },
    };
    // Key policies and trust policies name only principals of the stack's own account.
    const iamPrincipal = new RegExp(`^arn:${partition}:iam::${accountId}:(role|user)/[\\w+=,.@/-]+$`);
    security.keyAdministratorArns.forEach((arn, i) => {
        if (!iamPrincipal.test(arn)) r.problem(`kmsKeyAdministratorArns[${i}]`, `an IAM role or user ARN of account ${accountId} (arn:${partition}:iam::${accountId}:role/<name>)`, arn);
    });
    security.access.trustedPrincipalArns.forEach((arn, i) => {
        if (!iamPrincipal.test(arn)) r.problem(`accessTrustedPrincipalArns[${i}]`, `an IAM role or user ARN of account ${accountId} (arn:${partition}:iam::${accountId}:role/<name>)`, arn);
    });
    if (isProd && security.kmsDeletionWindowDays < 30) {
        r.problem("kmsDeletionWindowDays", "30 in prod (the longest window, to recover a key scheduled for deletion by mistake)", security.kmsDeletionWindowDays);
    }
    if (security.macie.medicalRecordNumberRegex) {
        try {
            new RegExp(security.macie.medicalRecordNumberRegex);
        } catch {
            r.problem("macieMedicalRecordNumberRegex", "a valid regular expression", security.macie.medicalRecordNumberRegex);
        }
    }

    const storage: StorageConfig = {
        rds: {
            enabled: r.bool("rdsEnabled", true),
            engine: r.oneOf("rdsEngine", ["postgres", "aurora-postgresql"] as const, "postgres"),
            engineVersion: r.string("rdsEngineVersion", "16.4"),
            instanceClass: r.string("rdsInstanceClass", "db.t4g.micro"),
            allocatedStorageGiB: r.int("rdsAllocatedStorageGiB", 20, 20, 65536),
            multiAz: r.bool("rdsMultiAz", true),
            backupRetentionDays: r.int("rdsBackupRetentionDays", 7, 1, 35),
        },
        redshift: {
            enabled: r.bool("redshiftEnabled", false),
            mode: r.oneOf("redshiftMode", ["serverless", "provisioned"] as const, "serverless"),
            baseCapacityRpu: r.int("redshiftBaseCapacityRpu", 8, 8, 1024),
            nodeType: r.string("redshiftNodeType", "ra3.large"),
            numberOfNodes: r.int("redshiftNodes", 2, 1, 128),
            snapshotRetentionDays: r.int("redshiftSnapshotRetentionDays", 7, 1, 35),
        },
        dynamodb: { enabled: r.bool("dynamodbEnabled", true) },
        elasticache: {
            enabled: r.bool("elasticacheEnabled", true),
            mode: r.oneOf("elasticacheMode", ["serverless", "replicationGroup"] as const, "serverless"),
            nodeType: r.string("elasticacheNodeType", "cache.t4g.micro"),
            replicas: r.int("elasticacheReplicas", 1, 0, 5),
            snapshotRetentionDays: r.int("elasticacheSnapshotRetentionDays", 7, 0, 35),
        },
        efs: { enabled: r.bool("efsEnabled", true) },
        ebs: { volumeEnabled: r.bool("ebsVolumeEnabled", false), volumeSizeGiB: r.int("ebsVolumeSizeGiB", 20, 1, 16384) },
        backup: { retentionDays: r.int("backupRetentionDays", 35, 1, 36500), vaultLock: r.bool("backupVaultLock", false) },
    };
    if (isProd && storage.elasticache.mode === "replicationGroup" && storage.elasticache.replicas < 1) {
        r.problem("elasticacheReplicas", "at least 1 in prod (automatic failover needs a replica)", storage.elasticache.replicas);
    }

    const batchEnabled = r.bool("batchEtlEnabled", false);
    const gatewayEnabled = r.bool("storageGatewayEnabled", false);
    const ingestion: IngestionConfig = {
        streaming: {
            enabled: r.bool("streamingEnabled", true),
            mode: r.oneOf("kinesisMode", ["ON_DEMAND", "PROVISIONED"] as const, "ON_DEMAND"),
            shardCount: r.int("kinesisShardCount", 1, 1, 500),
            // Kinesis retention: 24 hours to 365 days.
            retentionHours: r.int("kinesisRetentionHours", 24, 24, 8760),
            // Firehose buffering: 0-900 s; dynamic partitioning needs at least 64 MiB (max 128).
            bufferSeconds: r.int("firehoseBufferSeconds", 300, 60, 900),
            bufferMiB: r.int("firehoseBufferMiB", 64, 64, 128),
            parquetConversion: r.bool("firehoseParquet", false),
        },
        batch: {
            enabled: batchEnabled,
            jdbcUrl: batchEnabled ? r.required("onPremJdbcUrl", "a JDBC URL such as jdbc:postgresql://ehr.hospital.local:5432/ehr") : (r.string("onPremJdbcUrl") ?? ""),
            username: batchEnabled ? r.required("onPremDbUsername", "the on-prem database user for the ETL job") : (r.string("onPremDbUsername") ?? ""),
            password: batchEnabled ? source.getSecret("onPremDbPassword") : undefined,
            schedule: r.string("etlSchedule", "cron(0 2 * * ? *)"),
            sourceTables: r.list("etlSourceTables"),
        },
        storageGateway: {
            enabled: gatewayEnabled,
            activationKey: gatewayEnabled ? source.getSecret("storageGatewayActivationKey") : undefined,
            gatewayIpAddress: r.string("storageGatewayIpAddress"),
            nfsClientCidrs: r.list("storageGatewayNfsClientCidrs"),
            smbEnabled: r.bool("storageGatewaySmb", false),
            smbAllowedUsers: r.list("storageGatewaySmbAllowedUsers"),
            timezone: r.string("storageGatewayTimezone", "GMT"),
        },
        bulkMigration: { enabled: r.bool("bulkMigrationEnabled", true) },
        onPremCustomer: r.string("onPremCustomer") ?? "",
    };
    const batch = ingestion.batch;
    if (batchEnabled) {
        if (batch.jdbcUrl && !/^jdbc:(postgresql|mysql|sqlserver|oracle:thin):\/?\/?.+/.test(batch.jdbcUrl)) {
            r.problem("onPremJdbcUrl", "a JDBC URL such as jdbc:postgresql://ehr.hospital.local:5432/ehr", batch.jdbcUrl);
        }
        if (!batch.password) {
            r.problem("onPremDbPassword", "a secret (pulumi config set --secret onPremDbPassword <value>) when batchEtlEnabled is true", undefined);
        }
        if (!onPremises) {
            r.problem("batchEtlEnabled", "onPremCidrs and onPremVpnPeerIp to be set: the ETL job reaches the on-prem database over the site-to-site VPN", true);
        }
    }
    if (!/^cron\(.+\)$|^rate\(.+\)$/.test(batch.schedule)) {
        r.problem("etlSchedule", "a Glue schedule expression such as cron(0 2 * * ? *)", batch.schedule);
    }
    const gw = ingestion.storageGateway;
    if (gatewayEnabled) {
        if (!gw.activationKey === !gw.gatewayIpAddress) {
            r.problem("storageGatewayIpAddress", "exactly one of storageGatewayActivationKey (secret) or storageGatewayIpAddress when storageGatewayEnabled is true", gw.gatewayIpAddress);
        }
        if (gw.gatewayIpAddress && !IPV4_PATTERN.test(gw.gatewayIpAddress)) {
            r.problem("storageGatewayIpAddress", "the IPv4 address of the gateway appliance", gw.gatewayIpAddress);
        }
        if (gw.nfsClientCidrs.length === 0 && !gw.smbEnabled) {
            r.problem("storageGatewayNfsClientCidrs", "at least one NFS client CIDR, or storageGatewaySmb true", gw.nfsClientCidrs);
        }
    }
    gw.nfsClientCidrs.forEach((c, i) => {
        if (!parseCidr(c)) r.problem(`storageGatewayNfsClientCidrs[${i}]`, "an IPv4 CIDR block with no host bits", c);
        // A /0-/7 client list lets nearly any host that reaches the appliance mount PHI (HIPAA 164.312(a)(1)).
        else if ((parseCidr(c) as [number, number])[1] < 8) {
            r.problem(`storageGatewayNfsClientCidrs[${i}]`, "a client network of /8 or narrower (the share is restricted to the hospital's client networks)", c);
        }
    });
    if (gatewayEnabled && gw.smbEnabled) {
        if (gw.smbAllowedUsers.length === 0) {
            r.problem("storageGatewaySmbAllowedUsers", "at least one Active Directory user or @group when storageGatewaySmb is true (guest access is never enabled)", gw.smbAllowedUsers);
        }
        gw.smbAllowedUsers.forEach((u, i) => {
            if (!/^@?[^\s"/\\[\]:;|=,+*?<>]{1,256}$/.test(u)) {
                r.problem(`storageGatewaySmbAllowedUsers[${i}]`, "an Active Directory user name or @group name without spaces or \" / \\ [ ] : ; | = , + * ? < >", u);
            }
        });
    }
    // schema.table, optionally with the job-bookmark column after a colon (ehr.encounters:updated_at).
    batch.sourceTables.forEach((t, i) => {
        if (!/^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*(:[A-Za-z_][A-Za-z0-9_]*)?$/.test(t)) {
            r.problem(`etlSourceTables[${i}]`, "schema.table, optionally followed by :bookmark_column (for example ehr.encounters:updated_at)", t);
        }
    });
    if (batchEnabled && batch.sourceTables.length === 0) {
        r.problem("etlSourceTables", "at least one schema.table when batchEtlEnabled is true (the ETL job copies only listed tables)", batch.sourceTables);
    }
    if (batchEnabled || gatewayEnabled) {
        const owner = ingestion.onPremCustomer;
        const which = batchEnabled ? "batchEtlEnabled" : "storageGatewayEnabled";
        if (!owner) {
            r.problem("onPremCustomer", `the customer id that owns the on-prem site (one of customers: ${customers.join(", ") || "none configured"}) when ${which} is true: its data lands under customer=<id>/`, undefined);
        } else if (!customers.includes(owner)) {
            r.problem("onPremCustomer", `one of customers (${customers.join(", ") || "none configured"})`, owner);
        }
    }

    const analytics: AnalyticsConfig = {
        // Athena's minimum per-query cutoff is 10 MB.
        athenaBytesScannedCutoff: r.int("athenaBytesScannedCutoff", 10 * 1024 ** 3, 10 * 1024 ** 2, Number.MAX_SAFE_INTEGER),
        emr: {
            mode: r.oneOf("emrMode", ["serverless", "cluster", "none"] as const, "serverless"),
            releaseLabel: r.string("emrReleaseLabel", "emr-7.5.0"),
            clusterInstanceType: r.string("emrClusterInstanceType", "m6g.xlarge"),
            tlsCertificatesS3Object: r.string("emrTlsCertificatesS3Object"),
        },
        lambda: {
            reservedConcurrency: r.int("analyticsLambdaReservedConcurrency", 5, 1, 1000),
            memoryMiB: r.int("analyticsLambdaMemoryMiB", 512, 128, 10240),
            timeoutSeconds: r.int("analyticsLambdaTimeoutSeconds", 60, 1, 900),
        },
        api: {
            enabled: r.bool("apiEnabled", true),
            authorization: r.oneOf("apiAuthorization", ["IAM", "JWT"] as const, "IAM"),
            jwtIssuer: r.string("apiJwtIssuer"),
            jwtAudience: r.list("apiJwtAudience"),
            throttleBurst: r.int("apiThrottleBurst", 20, 1, 5000),
            throttleRate: r.int("apiThrottleRate", 10, 1, 10000),
        },
        opensearch: {
            enabled: r.bool("opensearchEnabled", false),
            instanceType: r.string("opensearchInstanceType", "t3.small.search"),
            instanceCount: r.int("opensearchInstanceCount", 1, 1, 80),
        },
        quicksight: { enabled: r.bool("quicksightEnabled", false) },
    };
    if (!/^emr-\d+\.\d+\.\d+$/.test(analytics.emr.releaseLabel)) {
        r.problem("emrReleaseLabel", "an EMR release label such as emr-7.5.0", analytics.emr.releaseLabel);
    }
    // EMR on EC2 in-transit encryption needs certificates the platform must not generate (a private key in state).
    const certs = analytics.emr.tlsCertificatesS3Object;
    if ((analytics.emr.mode === "cluster" || certs !== undefined) && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+\.zip$/.test(certs ?? "")) {
        r.problem("emrTlsCertificatesS3Object", "s3://<bucket>/<key>.zip of the PEM certificates for in-transit encryption (required when emrMode is cluster)", certs);
    }
    if (analytics.api.enabled && analytics.api.authorization === "JWT") {
        if (!analytics.api.jwtIssuer || !/^https:\/\//.test(analytics.api.jwtIssuer)) {
            r.problem("apiJwtIssuer", "the https:// issuer URL of the identity provider when apiAuthorization is JWT", analytics.api.jwtIssuer);
        }
        if (analytics.api.jwtAudience.length === 0) {
            r.problem("apiJwtAudience", "at least one audience when apiAuthorization is JWT", analytics.api.jwtAudience);
        }
    }

    if (r.problems.length > 0) {
        throw new ConfigValidationError(r.problems);
    }

    return {
        project: PROJECT,
        stack: source.stack,
        environment,
        naming: { prefix, environment, region: region ?? "", accountId, partition },
        owner,
        costCenter,
        protect,
        alertEmails,
        customers,
        network: { vpcCidr, availabilityZones, natGateways, onPremises },
        logging: { retentionDays: logRetention, auditRetentionDays: auditRetention },
        dataLake: { lifecycle, objectLock },
        security,
        storage,
        ingestion,
        analytics,
    };
}

/** Reads the running stack's config through `pulumi.Config`. */
export function readPlatformConfig(): PlatformConfig {
    const project = new pulumi.Config();
    const aws = new pulumi.Config("aws");
    return loadPlatformConfig({
        stack: pulumi.getStack(),
        get: (key) => {
            const v = project.get(key);
            return v === undefined ? undefined : String(v);
        },
        getQualified: (key) => {
            const [ns, k] = key.split(":");
            return ns === "aws" ? aws.get(k) : new pulumi.Config(ns).get(k);
        },
        // An empty secret (the Pulumi.yaml default) means unset; reading the raw value this way does not log it.
        getSecret: (key) => (pulumi.runtime.getConfig(`${PROJECT}:${key}`) ? project.requireSecret(key) : undefined),
    });
}
