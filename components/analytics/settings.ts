/**
 * Analytics settings: Athena, EMR, the analytics functions, the HTTPS API, OpenSearch and QuickSight.
 */
import { KeyValues, Problem, problem } from "../shared/config-keys";
import { ValidationContext } from "../shared/settings";
import { IAM_ENDPOINT_REGION } from "../network/settings";

/** Query timeouts in the functions assume they live at least this long (an Athena query's first poll window). */
export const MIN_ANALYTICS_TIMEOUT_SECONDS = 10;

/** The analytics keys, as Pulumi.yaml declares them. */
export const ANALYTICS_KEYS = {
    // Athena's minimum per-query cutoff is 10 MB.
    athenaBytesScannedCutoff: { type: "integer", default: 10 * 1024 ** 3, min: 10 * 1024 ** 2, max: Number.MAX_SAFE_INTEGER },
    emrMode: { type: "string", default: "serverless", allowed: ["serverless", "cluster", "none"] },
    emrReleaseLabel: { type: "string", default: "emr-7.5.0" },
    emrClusterInstanceType: { type: "string", default: "m6g.xlarge" },
    emrTlsCertificatesS3Object: { type: "string", default: "" },
    analyticsLambdaReservedConcurrency: { type: "integer", default: 5, min: 1, max: 1000 },
    // The account's Lambda concurrent-executions quota (Service Quotas L-B99A9384): 1000 by default, 10 in some new accounts.
    lambdaAccountConcurrencyLimit: { type: "integer", default: 1000, min: 1, max: 1_000_000 },
    analyticsLambdaMemoryMiB: { type: "integer", default: 512, min: 128, max: 10240 },
    analyticsLambdaTimeoutSeconds: { type: "integer", default: 60, min: MIN_ANALYTICS_TIMEOUT_SECONDS, max: 900 },
    apiEnabled: { type: "boolean", default: true },
    apiAuthorization: { type: "string", default: "IAM", allowed: ["IAM", "JWT"] },
    apiJwtIssuer: { type: "string", default: "" },
    apiJwtAudience: { type: "array", default: [] },
    apiJwtCustomerClaim: { type: "string", default: "customer" },
    apiJwtTenantScope: { type: "string", default: "hdp-api/tenant" },
    // "" is a value: no token may act as an analyst.
    apiJwtAnalystScope: { type: "string", default: "hdp-api/analyst", emptyIsValue: true },
    apiIamAnalystRoleArns: { type: "array", default: [] },
    apiThrottleBurst: { type: "integer", default: 20, min: 1, max: 5000 },
    apiThrottleRate: { type: "integer", default: 10, min: 1, max: 10000 },
    opensearchEnabled: { type: "boolean", default: false },
    opensearchInstanceType: { type: "string", default: "t3.small.search" },
    opensearchInstanceCount: { type: "integer", default: 1, min: 1, max: 80 },
    opensearchServiceLinkedRoleExists: { type: "boolean", default: false },
    quicksightEnabled: { type: "boolean", default: false },
} as const;

export type AnalyticsValues = KeyValues<typeof ANALYTICS_KEYS>;

export interface EmrSettings {
    mode: "serverless" | "cluster" | "none";
    releaseLabel: string;
    clusterInstanceType: string;
    /** `s3://bucket/key.zip` of the PEM certificates for in-transit TLS between cluster nodes; required in cluster mode. */
    tlsCertificatesS3Object?: string;
}

export interface ApiSettings {
    enabled: boolean;
    authorization: "IAM" | "JWT";
    jwtIssuer?: string;
    jwtAudience: string[];
    /** JWT mode: the claim naming the one customer a tenant token is pinned to. */
    jwtCustomerClaim: string;
    /** JWT mode: the scope every tenant token carries (the routes require it or the analyst scope). */
    jwtTenantScope: string;
    /** JWT mode: the scope of analyst tokens; absent when no token may act as an analyst. */
    jwtAnalystScope?: string;
    /** IAM mode: roles of this account whose sessions are analysts; every other caller needs a `customer` role tag. */
    iamAnalystRoleArns: string[];
    throttleBurst: number;
    throttleRate: number;
}

export interface AnalyticsConfig {
    athenaBytesScannedCutoff: number;
    emr: EmrSettings;
    lambda: { reservedConcurrency: number; memoryMiB: number; timeoutSeconds: number };
    api: ApiSettings;
    /** `serviceLinkedRoleExists`: the account already has AWSServiceRoleForAmazonOpenSearchService (one per account). */
    opensearch: { enabled: boolean; instanceType: string; instanceCount: number; serviceLinkedRoleExists: boolean };
    quicksight: { enabled: boolean };
}

/** RFC 6749 section 3.3 scope-token: printable ASCII without space, `"` and `\\`. */
export const SCOPE_TOKEN_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
/** A JWT claim name the API can read: a bare name, a `prefix:name` (Cognito's `custom:`) or a URI-style namespace. */
export const CLAIM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:/-]{0,127}$/;
/** Claims the identity provider sets for its own purposes: none of them may name a customer. */
export const RESERVED_CLAIMS: readonly string[] = ["sub", "iss", "aud", "exp", "nbf", "iat", "jti", "scope", "scp", "client_id", "azp", "token_use", "username", "cognito:username", "cognito:groups"];
/** Analyst role ARNs travel in one Lambda environment variable (4 KB for all of them). */
export const MAX_ANALYST_ROLES = 20;

/** Lambda refuses a reservation that leaves the account fewer unreserved concurrent executions than this. */
export const LAMBDA_MIN_UNRESERVED_CONCURRENCY = 100;

/** The analytics functions with reserved concurrency: inventory check, query API (when on), object tagger (with customers). */
export function reservingFunctions(v: AnalyticsValues, customers: readonly string[]): number {
    return 1 + (v.apiEnabled ? 1 : 0) + (customers.length > 0 ? 1 : 0);
}

/** Availability zones an OpenSearch domain of `instanceCount` data nodes spreads over (zone awareness beyond one node). */
export function openSearchZones(instanceCount: number): number {
    return instanceCount <= 1 ? 1 : instanceCount % 3 === 0 ? 3 : 2;
}

/** What the analytics validator needs from other areas. */
export interface AnalyticsContext extends ValidationContext {
    /** The network's availability zones: one private subnet each. */
    availabilityZones: number;
    /** Whether the private subnets reach the internet through NAT (`natGateways` other than none). */
    natEgress: boolean;
}

/** Problems of the analytics keys. Pure. */
export function validateAnalyticsSettings(v: AnalyticsValues, ctx: AnalyticsContext): Problem[] {
    const problems: Problem[] = [];
    if (v.opensearchEnabled && v.opensearchInstanceCount > 1) {
        const zones = openSearchZones(v.opensearchInstanceCount);
        if (zones === 2 && v.opensearchInstanceCount % 2 !== 0) {
            problems.push(
                problem("opensearchInstanceCount", "an even number or a multiple of 3 so nodes spread evenly over availability zones (zone awareness)", v.opensearchInstanceCount),
            );
        } else if (zones > ctx.availabilityZones) {
            problems.push(
                problem(
                    "opensearchInstanceCount",
                    `a count that spreads over at most availabilityZones (${ctx.availabilityZones}) zones: a multiple of 3 spreads over 3`,
                    v.opensearchInstanceCount,
                ),
            );
        }
    }
    // PutFunctionConcurrency fails when the account would keep fewer than 100 unreserved executions.
    const functions = reservingFunctions(v, ctx.customers);
    const reservable = Math.max(0, v.lambdaAccountConcurrencyLimit - LAMBDA_MIN_UNRESERVED_CONCURRENCY);
    if (v.analyticsLambdaReservedConcurrency * functions > reservable) {
        const perFunction = Math.floor(reservable / functions);
        const why = `${functions} functions may reserve at most ${reservable} of the account's ${v.lambdaAccountConcurrencyLimit} concurrent executions: Lambda keeps ${LAMBDA_MIN_UNRESERVED_CONCURRENCY} unreserved`;
        problems.push(
            problem(
                "analyticsLambdaReservedConcurrency",
                perFunction >= 1 ? `at most ${perFunction} per function (${why})` : `no reservation this account can grant (${why}; raise the quota and lambdaAccountConcurrencyLimit)`,
                v.analyticsLambdaReservedConcurrency,
            ),
        );
    }
    if (!/^emr-\d+\.\d+\.\d+$/.test(v.emrReleaseLabel)) {
        problems.push(problem("emrReleaseLabel", "an EMR release label such as emr-7.5.0", v.emrReleaseLabel));
    }
    // EMR on EC2 in-transit encryption needs certificates the platform must not generate (a private key in state).
    const certs = v.emrTlsCertificatesS3Object;
    if ((v.emrMode === "cluster" || certs !== "") && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+\.zip$/.test(certs)) {
        problems.push(
            problem("emrTlsCertificatesS3Object", "s3://<bucket>/<key>.zip of the PEM certificates for in-transit encryption (required when emrMode is cluster)", certs || undefined),
        );
    }
    if (v.apiEnabled && v.apiAuthorization === "JWT") {
        if (!/^https:\/\//.test(v.apiJwtIssuer)) {
            problems.push(problem("apiJwtIssuer", "the https:// issuer URL of the identity provider when apiAuthorization is JWT", v.apiJwtIssuer || undefined));
        }
        if (v.apiJwtAudience.length === 0) {
            problems.push(problem("apiJwtAudience", "at least one audience when apiAuthorization is JWT", v.apiJwtAudience));
        }
        if (!CLAIM_NAME_PATTERN.test(v.apiJwtCustomerClaim) || RESERVED_CLAIMS.includes(v.apiJwtCustomerClaim)) {
            problems.push(
                problem("apiJwtCustomerClaim", `a claim name (letters, digits and _ . : / -, starting with a letter) other than ${RESERVED_CLAIMS.join(", ")}`, v.apiJwtCustomerClaim),
            );
        }
        if (!SCOPE_TOKEN_PATTERN.test(v.apiJwtTenantScope)) {
            problems.push(problem("apiJwtTenantScope", "an OAuth scope (printable characters without spaces, quotes or backslashes) that every tenant token carries", v.apiJwtTenantScope));
        }
        if (v.apiJwtAnalystScope !== "" && !SCOPE_TOKEN_PATTERN.test(v.apiJwtAnalystScope)) {
            problems.push(problem("apiJwtAnalystScope", "an OAuth scope (printable characters without spaces, quotes or backslashes), or \"\" for no analyst tokens", v.apiJwtAnalystScope));
        } else if (v.apiJwtAnalystScope === v.apiJwtTenantScope) {
            problems.push(problem("apiJwtAnalystScope", "a scope other than apiJwtTenantScope (one scope cannot mean both pinned and not pinned)", v.apiJwtAnalystScope));
        }
    }
    if (v.apiEnabled && v.apiAuthorization === "IAM") {
        // The VPC Lambda reads the caller's role tags from IAM: through the IAM interface endpoint, which AWS offers
        // only in the IAM control plane's Region, or through NAT. Without either, no tenant could ever be resolved.
        if (ctx.region !== "" && ctx.region !== IAM_ENDPOINT_REGION && !ctx.natEgress) {
            problems.push(
                problem(
                    "apiAuthorization",
                    `JWT in ${ctx.region} without NAT (natGateways: none): IAM mode maps callers to tenants with iam:ListRoleTags, and AWS offers the IAM VPC endpoint only in ${IAM_ENDPOINT_REGION}`,
                    v.apiAuthorization,
                ),
            );
        }
        if (v.apiIamAnalystRoleArns.length > MAX_ANALYST_ROLES) {
            problems.push(problem("apiIamAnalystRoleArns", `at most ${MAX_ANALYST_ROLES} role ARNs`, v.apiIamAnalystRoleArns.length));
        }
        v.apiIamAnalystRoleArns.forEach((arn, i) => {
            const m = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
            if (!m || m[1] !== ctx.partition || (ctx.accountId !== "" && m[2] !== ctx.accountId)) {
                problems.push(problem(`apiIamAnalystRoleArns[${i}]`, `an IAM role ARN of this stack's account, arn:${ctx.partition}:iam::${ctx.accountId || "<account>"}:role/<name>`, arn));
                return;
            }
            // A tenant's reader role named as an analyst would see every customer.
            const tenant = ctx.customers.find((c) => m[3].endsWith(`customer-${c}-reader`));
            if (tenant !== undefined) {
                problems.push(problem(`apiIamAnalystRoleArns[${i}]`, `a role that is not a customer's reader role (this one reads ${tenant})`, arn));
            }
        });
    }
    return problems;
}

/** The analytics settings of valid values. Pure. */
export function analyticsSettings(v: AnalyticsValues): AnalyticsConfig {
    return {
        athenaBytesScannedCutoff: v.athenaBytesScannedCutoff,
        emr: {
            mode: v.emrMode as EmrSettings["mode"],
            releaseLabel: v.emrReleaseLabel,
            clusterInstanceType: v.emrClusterInstanceType,
            tlsCertificatesS3Object: v.emrTlsCertificatesS3Object || undefined,
        },
        lambda: { reservedConcurrency: v.analyticsLambdaReservedConcurrency, memoryMiB: v.analyticsLambdaMemoryMiB, timeoutSeconds: v.analyticsLambdaTimeoutSeconds },
        api: {
            enabled: v.apiEnabled,
            authorization: v.apiAuthorization as ApiSettings["authorization"],
            jwtIssuer: v.apiJwtIssuer || undefined,
            jwtAudience: v.apiJwtAudience,
            jwtCustomerClaim: v.apiJwtCustomerClaim,
            jwtTenantScope: v.apiJwtTenantScope,
            jwtAnalystScope: v.apiJwtAnalystScope || undefined,
            iamAnalystRoleArns: v.apiIamAnalystRoleArns,
            throttleBurst: v.apiThrottleBurst,
            throttleRate: v.apiThrottleRate,
        },
        opensearch: {
            enabled: v.opensearchEnabled,
            instanceType: v.opensearchInstanceType,
            instanceCount: v.opensearchInstanceCount,
            serviceLinkedRoleExists: v.opensearchServiceLinkedRoleExists,
        },
        quicksight: { enabled: v.quicksightEnabled },
    };
}
