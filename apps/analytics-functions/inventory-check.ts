/**
 * Scheduled inventory check (EventBridge, daily): runs the allow-listed `inventory-health` query over the
 * latest S3 Inventory reports and publishes the counts as CloudWatch metrics in the embedded metric format
 * (EMF): one JSON line on stdout that CloudWatch Logs turns into metrics. EMF needs no
 * `cloudwatch:PutMetricData` permission and no SDK client beyond Athena. Alarms on these metrics notify the
 * security topic (HIPAA 164.308(a)(1)(ii)(D) information system activity review, 164.312(a)(2)(iv)).
 *
 * Metrics (namespace from the environment, dimension `Environment`):
 * - `ObjectsNotEncryptedAsRequired` current objects not SSE-KMS/DSSE-KMS in a KMS bucket (not encrypted at all in the
 *                                 SSE-S3 access-log bucket)
 * - `ObjectsWithoutBucketKey`  SSE-KMS objects written without the S3 Bucket Key
 * - `ObjectsPastTransition`    STANDARD objects older than their zone's IA days (lifecycle not working)
 * - `InventoryReportsMissing`  zone buckets with no inventory report since the look-back day
 */
import { Athena } from "@aws-sdk/client-athena";
import { AthenaApi, runQuery } from "./athena-runner";
import { INVENTORY_METRICS } from "./inventory-schema";
import { bindParameters, buildTemplates, TemplateContext } from "./query-templates";

export interface InventoryCheckDeps {
    athena: AthenaApi;
    templateContext: TemplateContext;
    workgroup: string;
    namespace: string;
    environment: string;
    queryTimeoutMs: number;
    now?: () => Date;
    sleep?: (ms: number) => Promise<void>;
    /** Where the EMF line goes; stdout in Lambda (raw, so the JSON log format does not wrap it). */
    emit?: (line: string) => void;
}

export interface InventoryCheckResult {
    notEncryptedAsRequired: number;
    withoutBucketKey: number;
    pastTransition: number;
    missingReports: string[];
    queryExecutionId: string;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0)) || 0;


export function createInventoryCheckHandler(deps: InventoryCheckDeps): () => Promise<InventoryCheckResult> {
    const template = buildTemplates(deps.templateContext).find((t) => t.id === "inventory-health");
    if (!template) {
        throw new Error("the inventory-health query template is missing");
    }
    const now = deps.now ?? (() => new Date());
    const emit = deps.emit ?? ((line: string) => void process.stdout.write(`${line}\n`));
    return async () => {
        const at = now();
        const bound = bindParameters(template, {}, deps.templateContext, at);
        const result = await runQuery(
            deps.athena,
            { sql: template.sql, executionParameters: bound.executionParameters, workgroup: deps.workgroup, database: template.database },
            { timeoutMs: deps.queryTimeoutMs, sleep: deps.sleep, now: () => now().getTime() },
        );
        const reported = new Set(result.rows.map((r) => String(r.source_bucket)));
        const totals = result.rows.reduce<Omit<InventoryCheckResult, "missingReports" | "queryExecutionId">>(
            (acc, r) => ({
                notEncryptedAsRequired: acc.notEncryptedAsRequired + num(r.not_encrypted_as_required),
                withoutBucketKey: acc.withoutBucketKey + num(r.without_bucket_key),
                pastTransition: acc.pastTransition + num(r.past_transition),
            }),
            { notEncryptedAsRequired: 0, withoutBucketKey: 0, pastTransition: 0 },
        );
        // An empty result is not "all clean": it means no report arrived, which the metric makes visible.
        const missingReports = deps.templateContext.zones.filter((z) => !reported.has(z.bucket)).map((z) => z.zone);
        emit(
            JSON.stringify({
                _aws: {
                    Timestamp: at.getTime(),
                    CloudWatchMetrics: [
                        {
                            Namespace: deps.namespace,
                            Dimensions: [["Environment"]],
                            Metrics: INVENTORY_METRICS.map((Name) => ({ Name, Unit: "Count" })),
                        },
                    ],
                },
                Environment: deps.environment,
                ObjectsNotEncryptedAsRequired: totals.notEncryptedAsRequired,
                ObjectsWithoutBucketKey: totals.withoutBucketKey,
                ObjectsPastTransition: totals.pastTransition,
                InventoryReportsMissing: missingReports.length,
                queryExecutionId: result.queryExecutionId,
            }),
        );
        return { ...totals, missingReports, queryExecutionId: result.queryExecutionId };
    };
}

let live: (() => Promise<InventoryCheckResult>) | undefined;

/** Lambda entry point (EventBridge scheduled event; the event body is not used). */
export async function handler(): Promise<InventoryCheckResult> {
    if (!live) {
        const need = (name: string): string => {
            const v = process.env[name];
            if (!v) throw new Error(`environment variable ${name} is not set`);
            return v;
        };
        live = createInventoryCheckHandler({
            // The Lambda runtime provides SDK v3; the bundle keeps @aws-sdk/* external.
            athena: new Athena({}),
            templateContext: JSON.parse(need("TEMPLATE_CONTEXT")) as TemplateContext,
            workgroup: need("ATHENA_WORKGROUP"),
            namespace: need("METRIC_NAMESPACE"),
            environment: need("ENVIRONMENT"),
            queryTimeoutMs: Number(need("QUERY_TIMEOUT_MS")),
        });
    }
    return live();
}
