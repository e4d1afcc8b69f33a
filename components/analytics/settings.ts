/**
 * Analytics settings: Athena, EMR, the analytics functions, the HTTPS API, OpenSearch and QuickSight.
 */
import { KeyValues, Problem, problem } from "../shared/config-keys";
import { ValidationContext } from "../shared/settings";

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
