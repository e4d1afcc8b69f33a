/**
 * Shared by the ingestion component specs: bucket refs as the data lake names them, recordings of the components
 * with a stack's config, and IAM evaluation of recorded documents with @cloud-copilot/iam-simulate (a real IAM
 * evaluation engine, not string matching).
 */
import * as assert from "assert";
import { PlatformConfig } from "../../../components/shared/config";
import { bucketArn, bucketName } from "../../../components/shared/naming";
import { BucketRef } from "../../../components/shared/refs";
import { Mode, RecordedResource, Recording, recordProgram } from "../../../tools/offline/recorder";
import { Decision, evaluate } from "../../support/iam";
import { platformConfig, stackConfigMap } from "../../support/platform";

export const STACKS = ["dev", "prod"] as const;
export const MODES: Mode[] = ["preview", "up"];

/** A data-lake zone (or other bucket) of `cfg` by purpose, as `DataLake` exposes it. */
export function bucketRef(cfg: PlatformConfig, purpose: string): BucketRef {
    const name = bucketName(cfg.naming, purpose);
    return { name, arn: bucketArn(cfg.naming, name) };
}

export function lakeRefs(cfg: PlatformConfig): { landing: BucketRef; raw: BucketRef; import: BucketRef; glueAssets: BucketRef } {
    return { landing: bucketRef(cfg, "landing"), raw: bucketRef(cfg, "raw"), import: bucketRef(cfg, "import"), glueAssets: bucketRef(cfg, "glue-assets") };
}

/** Records `program` with the stack's config and the mocks answering for the stack's own account. */
export function record(cfg: PlatformConfig, stack: "dev" | "prod", mode: Mode, program: () => void): Promise<Recording> {
    return recordProgram(
        async () => {
            program();
        },
        {
            mode,
            stack,
            config: stackConfigMap(stack),
            context: { accountId: cfg.naming.accountId, region: cfg.naming.region, partition: cfg.naming.partition },
        },
    );
}

export { platformConfig };

export type { Decision } from "../../support/iam";

export interface Request {
    action: string;
    resource: string;
    context?: Record<string, string | string[]>;
}

/**
 * The decision of `principal`'s identity policies for a request, with the context exactly as given. Validation
 * errors and context keys the action does not define fail the test (`evaluate` in tests/support/iam.ts).
 */
export function decide(principal: string, policies: unknown[], req: Request, account: string): Promise<Decision> {
    return evaluate({
        principal,
        action: req.action,
        resource: req.resource,
        resourceAccount: account,
        context: req.context,
        identityPolicies: policies,
        // KMS authorises only through the key policy; the platform's keys delegate to IAM with AWS's default root
        // statement (components/security/keys.ts), which makes the identity policies the deciding documents.
        resourcePolicy: req.action.startsWith("kms:") ? delegatingKeyPolicy(account) : undefined,
    });
}

/** AWS's default key policy statement: the account may use the key as its IAM policies allow. */
export function delegatingKeyPolicy(account: string): unknown {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
    };
}

/** The JSON document of a recorded property, parsed; fails when it is not a known string (unknown at preview). */
export function documentOf(res: RecordedResource, prop: string): { Statement: Record<string, unknown>[] } {
    let raw: unknown = res.inputs[prop];
    if (raw && typeof raw === "object" && "value" in (raw as object)) raw = (raw as { value: unknown }).value;
    assert.strictEqual(typeof raw, "string", `${res.type} ${res.name}.${prop} is not a known string: ${JSON.stringify(raw)}`);
    return JSON.parse(raw as string);
}
