/**
 * The network area as the stack's config asks for it. `index.ts` calls it; the network specs call the same function.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../shared/config";
import { PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { VALKEY_SERVERLESS_READER_PORT } from "../storage/cache";
import { DEFAULT_COMPUTE_TLS_PORTS, DEFAULT_INTERFACE_ENDPOINTS, Network } from "./network";
import { IAM_ENDPOINT_REGION } from "./settings";

export function composeNetwork(cfg: PlatformConfig, deps: { context: PlatformContext; keys: PlatformKeyRefs; opts?: pulumi.ComponentResourceOptions }): Network {
    const st = cfg.storage;
    // A serverless Valkey cache also serves replica reads on 6380: compute egress must reach it.
    const serverlessCache = st.elasticache.enabled && st.elasticache.mode === "serverless";
    // In IAM mode the query API (a VPC Lambda) maps a caller to a tenant through its role's customer tag
    // (iam:ListRoleTags, apps/analytics-functions/caller-auth.ts): IAM must be reachable from the private subnets.
    // AWS offers the IAM endpoint only in us-east-1; elsewhere config validation requires NAT for IAM mode.
    const iamTenantLookup = cfg.analytics.api.enabled && cfg.analytics.api.authorization === "IAM" && cfg.naming.region === IAM_ENDPOINT_REGION;
    return new Network(
        "network",
        {
            context: deps.context,
            network: cfg.network,
            logsKey: deps.keys.logs,
            interfaceEndpoints: [...DEFAULT_INTERFACE_ENDPOINTS, ...(iamTenantLookup ? (["iam"] as const) : [])],
            computeTlsPorts: [...DEFAULT_COMPUTE_TLS_PORTS, ...(serverlessCache ? [VALKEY_SERVERLESS_READER_PORT] : [])],
        },
        deps.opts,
    );
}
