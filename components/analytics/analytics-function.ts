/**
 * AnalyticsFunction: a Lambda function of the analytics area with every control the platform requires, and
 * a role limited to what its workload does.
 *
 * Controls: runs in the private subnets with the compute security group (no public endpoint, data stays in the
 * VPC; 164.312(e)(1)); environment variables encrypted with the data-lake key rather than Lambda's AWS-managed
 * key (164.312(a)(2)(iv)); X-Ray active tracing and JSON logs to a log group created here, KMS-encrypted with
 * the logs key and retained per config (164.312(b)); a KMS-encrypted SQS dead-letter queue that keeps failed
 * asynchronous invocations (for example a scheduled run) instead of dropping them; reserved concurrency so a
 * runaway caller cannot starve the account or run up Athena cost.
 *
 * Workloads (code in `apps/analytics-functions/`, bundled by the program with esbuild; `@aws-sdk/*` stays external because
 * the nodejs22.x runtime provides SDK v3 (Node 20 reached end of life in April 2026)):
 * - `inventory-check`: daily, runs the `inventory-health` query over the inventory table and publishes EMF
 *   metrics; alarms notify the security topic when objects are not KMS-encrypted or a report is missing.
 * - `query-api`: behind the presentation API, runs allow-listed parameterised queries, optional result cache.
 * - `object-tagger`: S3 sends the lake buckets' "Object Created" events to EventBridge; a rule invokes the function,
 *   which tags each object with the customer its key names (`customer=<id>/`, `exports/customer=<id>/`). Customer
 *   readers read only objects tagged with their customer, and Firehose, Glue, EMR, the file gateway and Snowball
 *   cannot tag what they write: this is what makes their objects readable by the right customer, and no other.
 *
 * Every IAM document is plain JSON of deterministic ARNs (known at preview).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as esbuild from "esbuild";
import * as path from "path";
import { AnalyticsConfig } from "./settings";
import { regionalArn, resourceName } from "../shared/naming";
import { BucketRef, NetworkRefs, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { AthenaQueryAccess } from "./athena";
import { INVENTORY_METRICS } from "../../apps/analytics-functions/inventory-schema";
import { glueReadStatement, keyUseStatement, logWriteStatement, PolicyStatement, policyJson, s3ReadStatements, s3WriteStatement, serviceTrustPolicy } from "../shared/iam";

/** Handler modules in `apps/analytics-functions/` that export `handler`. */
export type FunctionEntry = "inventory-check" | "query-api" | "object-tagger";

/** API Gateway HTTP APIs give an integration at most 30 s; the query must end (or be stopped) before that. */
export const API_INTEGRATION_TIMEOUT_SECONDS = 30;

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The Lambda sources: application code, not components (bundled from here at program time). */
const FUNCTIONS_DIR = path.join(REPO_ROOT, "apps", "analytics-functions");
const bundles = new Map<FunctionEntry, string>();

/**
 * Bundles a handler module into one CommonJS file for nodejs22.x with esbuild's synchronous API, at program
 * time (so `pulumi preview` already sees the exact code). Cached per process: several functions and tests
 * share a bundle. Output is deterministic (paths relative to the repository), so an unchanged handler does not
 * produce a code diff.
 */
export function bundleHandler(entry: FunctionEntry): string {
    const cached = bundles.get(entry);
    if (cached !== undefined) {
        return cached;
    }
    const result = esbuild.buildSync({
        entryPoints: [path.join(FUNCTIONS_DIR, `${entry}.ts`)],
        absWorkingDir: REPO_ROOT,
        bundle: true,
        write: false,
        platform: "node",
        target: "node22",
        format: "cjs",
        external: ["@aws-sdk/*"],
        legalComments: "none",
        sourcemap: false,
        logLevel: "silent",
    });
    if (result.errors.length > 0 || result.outputFiles.length !== 1) {
        throw new Error(`bundling apps/analytics-functions/${entry}.ts failed: ${result.errors.map((e) => e.text).join("; ")}`);
    }
    const code = result.outputFiles[0].text;
    bundles.set(entry, code);
    return code;
}

/** The ElastiCache store results may be cached in (TLS always; IAM authentication when `iamAuth` is set). */
export interface CacheRef {
    /** Primary (or serverless) endpoint address. */
    endpoint: pulumi.Input<string>;
    port: number;
    /** Security group the function needs to reach the cache, if the compute group is not already admitted. */
    securityGroupId?: pulumi.Input<string>;
    /** IAM authentication: an ElastiCache user with `authenticationMode.type = "iam"` whose id equals its name. */
    iamAuth?: { cacheName: string; userId: string; serverless: boolean };
}

/**
 * The query API's authorisation model, passed to the handler as environment variables. JWT: tenant tokens carry
 * `tenantScope` and the `customerClaim`; analyst tokens `analystScope`. IAM: sessions of `analystRoleArns` are
 * analysts; any other role of the account is pinned by its `customer` tag (which the function may read).
 */
export type QueryApiAuth =
    | { mode: "JWT"; customerClaim: string; tenantScope: string; analystScope?: string }
    | { mode: "IAM"; analystRoleArns: string[] };

/** Roles whose `customer` tag the query API may read: this stack's (`<prefix>-<env>-*`, e.g. the customer reader roles). */
export function tenantRoleArnPattern(naming: PlatformContext["naming"]): string {
    return `arn:${naming.partition}:iam::${naming.accountId}:role/${naming.prefix}-${naming.environment}-*`;
}

export type AnalyticsWorkload =
    | {
          kind: "inventory-check";
          /** EventBridge schedule. @default "cron(0 7 * * ? *)" (after the daily inventory reports land) */
          schedule?: string;
          /** @default "HealthcareDataPlatform/Inventory" */
          metricNamespace?: string;
      }
    | {
          kind: "query-api";
          /** Who may call and how callers are pinned to a customer (apps/analytics-functions/caller-auth.ts); no default. */
          auth: QueryApiAuth;
          cache?: CacheRef;
      }
    | {
          kind: "object-tagger";
          /** Buckets whose new objects are tagged (S3 sends their events to EventBridge). */
          buckets: BucketRef[];
          /** Configured customer ids; a key naming another id stays untagged (and so unreadable by customers). */
          customers: string[];
      };

export interface AnalyticsFunctionArgs {
    context: PlatformContext;
    /** dataLake: environment encryption, lake reads and Athena results; logs: log group and dead-letter queue. */
    keys: Pick<PlatformKeyRefs, "dataLake" | "logs">;
    network: NetworkRefs;
    /** Memory, timeout and reserved concurrency (`PlatformConfig.analytics.lambda`). */
    settings: AnalyticsConfig["lambda"];
    /** Role segment of the function's names, e.g. `inventory-check` -> `hdp-prod-inventory-check`. */
    role: string;
    workload: AnalyticsWorkload;
    /** The workgroup, results location and catalog the function queries (Athena workloads only). */
    athena?: AthenaQueryAccess;
    /** SNS topic for alarms (function errors, dead letters, inventory findings); no alarms without it. */
    alarmTopicArn?: pulumi.Input<string>;
}

/** Environment variables of a workload (names only, no secrets; all within Lambda's 4 KB limit). */
export function workloadEnvironment(args: AnalyticsFunctionArgs, timeoutSeconds: number): Record<string, pulumi.Input<string>> {
    const w = args.workload;
    if (w.kind === "object-tagger") {
        return { ENVIRONMENT: args.context.naming.environment, CUSTOMERS: w.customers.join(",") };
    }
    const athena = athenaOf(args);
    const base: Record<string, pulumi.Input<string>> = {
        ATHENA_WORKGROUP: athena.workgroupName,
        TEMPLATE_CONTEXT: JSON.stringify(athena.templateContext),
        ENVIRONMENT: args.context.naming.environment,
    };
    if (w.kind === "inventory-check") {
        return { ...base, METRIC_NAMESPACE: w.metricNamespace ?? "HealthcareDataPlatform/Inventory", QUERY_TIMEOUT_MS: String(Math.max(1, timeoutSeconds - 5) * 1000) };
    }
    const auth: Record<string, string> =
        w.auth.mode === "JWT"
            ? { AUTH_MODE: "JWT", CUSTOMER_CLAIM: w.auth.customerClaim, TENANT_SCOPE: w.auth.tenantScope, ...(w.auth.analystScope ? { ANALYST_SCOPE: w.auth.analystScope } : {}) }
            : { AUTH_MODE: "IAM", ACCOUNT_ID: args.context.naming.accountId, ANALYST_ROLE_ARNS: w.auth.analystRoleArns.join(",") };
    const env: Record<string, pulumi.Input<string>> = {
        ...base,
        ...auth,
        // Leave 2 s to answer 504 before API Gateway cuts the integration.
        QUERY_TIMEOUT_MS: String(Math.max(1, Math.min(timeoutSeconds, API_INTEGRATION_TIMEOUT_SECONDS) - 2) * 1000),
    };
    if (w.cache) {
        env.CACHE_ENDPOINT = w.cache.endpoint;
        env.CACHE_PORT = String(w.cache.port);
        if (w.cache.iamAuth) {
            env.CACHE_NAME = w.cache.iamAuth.cacheName;
            env.CACHE_USER_ID = w.cache.iamAuth.userId;
            env.CACHE_SERVERLESS = String(w.cache.iamAuth.serverless);
        }
    }
    return env;
}

function athenaOf(args: AnalyticsFunctionArgs): AthenaQueryAccess {
    if (!args.athena) throw new Error(`AnalyticsFunction '${args.role}': workload ${args.workload.kind} queries Athena and needs args.athena`);
    return args.athena;
}

/** Object keys the tagger may tag: the customer prefixes of each bucket. */
export function taggerObjectArns(buckets: BucketRef[]): string[] {
    return buckets.flatMap((b) => [`${b.arn}/customer=*`, `${b.arn}/exports/customer=*`]);
}

/** What a workload may do with Athena, Glue, S3 and KMS (beyond the baseline every function gets). */
export function workloadStatements(args: AnalyticsFunctionArgs): PolicyStatement[] {
    const { naming } = args.context;
    const w0 = args.workload;
    if (w0.kind === "object-tagger") {
        // Tagging needs no KMS (tags are not encrypted with the object); only the customer tag, only configured ids.
        return [
            { Sid: "ReadObjectTags", Effect: "Allow", Action: ["s3:GetObjectTagging", "s3:GetObjectVersionTagging"], Resource: taggerObjectArns(w0.buckets) },
            {
                Sid: "TagObjectsWithTheirCustomer",
                Effect: "Allow",
                Action: ["s3:PutObjectTagging", "s3:PutObjectVersionTagging"],
                Resource: taggerObjectArns(w0.buckets),
                Condition: { StringEquals: { "s3:RequestObjectTag/customer": w0.customers } },
            },
        ];
    }
    const a = athenaOf(args);
    const c = a.catalog;
    const statements: PolicyStatement[] = [
        {
            Sid: "RunQueriesInWorkgroup",
            Effect: "Allow",
            Action: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"],
            Resource: [a.workgroupArn],
        },
        // Athena writes and reads results with the caller's permissions.
        ...s3ReadStatements("AthenaResultsRead", a.resultsBucket, a.resultsPrefix),
        s3WriteStatement("AthenaResultsWrite", a.resultsBucket, a.resultsPrefix),
        ...s3ReadStatements("InventoryRead", c.inventoryBucket, c.inventoryPrefix),
        glueReadStatement(naming, "InventoryCatalogRead", c.inventoryDatabase, [c.inventoryTable]),
        // Lake objects, results and (if encrypted with it) the catalog use the data-lake key.
        keyUseStatement(naming, "DataLakeKey", args.keys.dataLake, ["kms:Decrypt", "kms:GenerateDataKey"]),
    ];
    const w = args.workload;
    if (w.kind === "query-api") {
        statements.push(...s3ReadStatements("CuratedRead", c.curatedBucket), glueReadStatement(naming, "CuratedCatalogRead", c.curatedDatabase, "*"));
        if (w.auth.mode === "IAM") {
            // The caller's tenant is its role's `customer` tag; only this stack's roles can be tenants.
            statements.push({ Sid: "ReadCallerRoleTags", Effect: "Allow", Action: ["iam:ListRoleTags"], Resource: [tenantRoleArnPattern(naming)] });
        }
        if (w.cache?.iamAuth) {
            const auth = w.cache.iamAuth;
            statements.push({
                Sid: "CacheIamAuth",
                Effect: "Allow",
                Action: ["elasticache:Connect"],
                Resource: [
                    regionalArn(naming, "elasticache", `${auth.serverless ? "serverlesscache" : "replicationgroup"}:${auth.cacheName}`),
                    regionalArn(naming, "elasticache", `user:${auth.userId}`),
                ],
            });
        }
    }
    return statements;
}

const FUNCTION_DESCRIPTIONS: Record<FunctionEntry, string> = {
    "inventory-check": "Daily S3 inventory check: encryption, lifecycle and report coverage.",
    "query-api": "Runs allow-listed Athena queries for the presentation API.",
    "object-tagger": "Tags each new lake object with the customer its key names (customer readers read only their tag).",
};

export class AnalyticsFunction extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly functionName: string;
    /** Known at preview. */
    readonly functionArn: string;
    readonly roleArn: string;
    readonly logGroupName: string;
    readonly schedule?: aws.cloudwatch.EventRule;
    readonly alarms: aws.cloudwatch.MetricAlarm[] = [];

    constructor(name: string, args: AnalyticsFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:analytics:AnalyticsFunction", name, {}, opts);
        const { naming, logRetentionDays } = args.context;
        const s = args.settings;
        const entry: FunctionEntry = args.workload.kind;
        // timeoutSeconds is at least MIN_ANALYTICS_TIMEOUT_SECONDS, validated with the config (./settings.ts).

        this.functionName = resourceName(naming, args.role, "lambda");
        this.functionArn = regionalArn(naming, "lambda", `function:${this.functionName}`);
        this.logGroupName = `/aws/lambda/${this.functionName}`;
        const queueName = resourceName(naming, `${args.role}-dlq`, "sqs");
        const queueArn = regionalArn(naming, "sqs", queueName);
        const roleName = resourceName(naming, `${args.role}-fn`, "iam");
        this.roleArn = `arn:${naming.partition}:iam::${naming.accountId}:role/${roleName}`;

        // Created before the function so Lambda never auto-creates an unencrypted, never-expiring group.
        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: this.logGroupName, kmsKeyId: args.keys.logs.arn, retentionInDays: logRetentionDays },
            { parent: this },
        );

        this.deadLetterQueue = new aws.sqs.Queue(
            `${name}-dlq`,
            {
                name: queueName,
                kmsMasterKeyId: args.keys.logs.arn,
                kmsDataKeyReusePeriodSeconds: 300,
                sqsManagedSseEnabled: false,
                // The maximum: failed runs stay inspectable for two weeks.
                messageRetentionSeconds: 1_209_600,
            },
            { parent: this },
        );
        new aws.sqs.QueuePolicy(
            `${name}-dlq-policy`,
            {
                queueUrl: this.deadLetterQueue.url,
                policy: policyJson([
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "sqs:*",
                        Resource: queueArn,
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ]),
            },
            { parent: this },
        );

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: roleName,
                description: `Execution role of ${this.functionName} (${entry}).`,
                assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
            },
            { parent: this },
        );
        const statements: PolicyStatement[] = [
            logWriteStatement(naming, "OwnLogGroup", [this.logGroupName]),
            { Sid: "DeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queueArn] },
            // Sending to the KMS-encrypted queue needs the logs key.
            keyUseStatement(naming, "LogsKeyForDeadLetters", args.keys.logs, ["kms:GenerateDataKey", "kms:Decrypt"]),
            // Tracing and VPC networking: these actions have no resource-level permissions (same as AWS's
            // AWSXRayDaemonWriteAccess and AWSLambdaVPCAccessExecutionRole managed policies).
            { Sid: "Tracing", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: ["*"] },
            {
                Sid: "VpcNetworkInterfaces",
                Effect: "Allow",
                Action: [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                Resource: ["*"],
            },
            ...workloadStatements(args),
        ];
        const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.name, name: entry, policy: policyJson(statements) }, { parent: this });

        const securityGroupIds: pulumi.Input<string>[] = [args.network.computeSecurityGroupId];
        if (args.workload.kind === "query-api" && args.workload.cache?.securityGroupId) {
            securityGroupIds.push(args.workload.cache.securityGroupId);
        }
        this.function = new aws.lambda.Function(
            `${name}-function`,
            {
                name: this.functionName,
                description: FUNCTION_DESCRIPTIONS[entry],
                role: this.role.arn,
                runtime: "nodejs22.x",
                // Graviton: cheaper per GB-second for the same work.
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleHandler(entry)) }),
                memorySize: s.memoryMiB,
                timeout: s.timeoutSeconds,
                reservedConcurrentExecutions: s.reservedConcurrency,
                kmsKeyArn: args.keys.dataLake.arn,
                environment: { variables: workloadEnvironment(args, s.timeoutSeconds) },
                tracingConfig: { mode: "Active" },
                vpcConfig: { subnetIds: args.network.privateSubnetIds, securityGroupIds },
                deadLetterConfig: { targetArn: queueArn },
                loggingConfig: { logFormat: "JSON", logGroup: this.logGroupName, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
            },
            // The role policy must exist before the first invocation (ENIs, logs, the dead-letter queue).
            { parent: this, dependsOn: [this.logGroup, this.deadLetterQueue, policy] },
        );

        const w = args.workload;
        if (w.kind === "inventory-check") {
            const ruleName = resourceName(naming, `${args.role}-schedule`, "generic");
            this.schedule = new aws.cloudwatch.EventRule(
                `${name}-schedule`,
                { name: ruleName, description: "Daily run of the S3 inventory check.", scheduleExpression: w.schedule ?? "cron(0 7 * * ? *)", state: "ENABLED" },
                { parent: this },
            );
            this.invokedBy(`${name}-schedule`, this.schedule, ruleName, naming);
        }

        if (w.kind === "object-tagger") {
            const ruleName = resourceName(naming, `${args.role}-objects`, "generic");
            const bucketNames = w.buckets.map((b) => b.name);
            // S3 sends the buckets' object events to EventBridge (one notification configuration per bucket: this
            // is it; no other component configures lake notifications).
            const notifications = w.buckets.map(
                (b, i) => new aws.s3.BucketNotification(`${name}-events-${i}`, { bucket: b.name, eventbridge: true }, { parent: this }),
            );
            const rule = new aws.cloudwatch.EventRule(
                `${name}-objects`,
                {
                    name: ruleName,
                    description: "New objects under a customer prefix of the lake buckets.",
                    eventPattern: JSON.stringify({
                        source: ["aws.s3"],
                        "detail-type": ["Object Created"],
                        detail: { bucket: { name: bucketNames }, object: { key: [{ prefix: "customer=" }, { prefix: "exports/customer=" }] } },
                    }),
                    state: "ENABLED",
                },
                { parent: this, dependsOn: notifications },
            );
            this.invokedBy(`${name}-objects`, rule, ruleName, naming);
        }

        if (args.alarmTopicArn) {
            const topic = args.alarmTopicArn;
            const alarm = (role: string, spec: Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "alarmActions" | "okActions">) =>
                this.alarms.push(
                    new aws.cloudwatch.MetricAlarm(
                        `${name}-${role}-alarm`,
                        { name: resourceName(naming, `${args.role}-${role}`, "generic"), alarmActions: [topic], okActions: [topic], ...spec },
                        { parent: this },
                    ),
                );
            alarm("errors", {
                alarmDescription: `${this.functionName} failed an invocation.`,
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: { FunctionName: this.functionName },
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            });
            alarm("dead-letters", {
                alarmDescription: `Events of ${this.functionName} reached its dead-letter queue ${queueName}.`,
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: queueName },
                statistic: "Maximum",
                period: 300,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            });
            if (w.kind === "inventory-check") {
                const namespace = w.metricNamespace ?? "HealthcareDataPlatform/Inventory";
                const findings: Record<(typeof INVENTORY_METRICS)[number], string> = {
                    ObjectsNotEncryptedAsRequired: "Lake objects are not encrypted as their bucket requires (HIPAA 164.312(a)(2)(iv)); run the 'Objects not encrypted with the platform key' named query.",
                    ObjectsWithoutBucketKey: "SSE-KMS lake objects were written without the S3 Bucket Key; run the 'Objects not encrypted with the platform key' named query.",
                    ObjectsPastTransition: "STANDARD lake objects are older than their zone's lifecycle transition; run the 'Objects past their expected lifecycle transition' named query.",
                    InventoryReportsMissing: "A lake bucket has no S3 inventory report in the last two days, or the check did not run: check the bucket's inventory configuration and the function's logs.",
                };
                for (const metric of INVENTORY_METRICS) {
                    alarm(metric.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase(), {
                        alarmDescription: findings[metric],
                        namespace,
                        metricName: metric,
                        dimensions: { Environment: naming.environment },
                        statistic: "Maximum",
                        // One datapoint a day; a missing datapoint means the check itself did not run.
                        period: 86_400,
                        evaluationPeriods: 1,
                        threshold: 0,
                        comparisonOperator: "GreaterThanThreshold",
                        treatMissingData: metric === "InventoryReportsMissing" ? "breaching" : "notBreaching",
                    });
                }
            }
        }

        this.registerOutputs({
            functionName: this.functionName,
            functionArn: this.functionArn,
            roleArn: this.roleArn,
            logGroupName: this.logGroupName,
            deadLetterQueueArn: queueArn,
        });
    }

    /**
     * Lets one EventBridge rule invoke the function: the permission pins the rule's deterministic ARN and this
     * account (a confused-deputy guard), and the target retries twice within an hour before the dead-letter queue
     * keeps the event.
     */
    private invokedBy(role: string, rule: aws.cloudwatch.EventRule, ruleName: string, naming: PlatformContext["naming"]): void {
        new aws.lambda.Permission(
            `${role}-invoke`,
            {
                function: this.function.name,
                action: "lambda:InvokeFunction",
                principal: "events.amazonaws.com",
                sourceArn: regionalArn(naming, "events", `rule/${ruleName}`),
                sourceAccount: naming.accountId,
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(
            `${role}-target`,
            { rule: rule.name, arn: this.function.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
            { parent: this },
        );
    }
}
