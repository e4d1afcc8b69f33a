/**
 * The network area as the stack's config asks for it. `index.ts` calls it; the network specs call the same function.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../shared/config";
import { PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { VALKEY_SERVERLESS_READER_PORT } from "../storage/cache";
import { DEFAULT_COMPUTE_TLS_PORTS, Network } from "./network";

export function composeNetwork(cfg: PlatformConfig, deps: { context: PlatformContext; keys: PlatformKeyRefs; opts?: pulumi.ComponentResourceOptions }): Network {
    const st = cfg.storage;
    // A serverless Valkey cache also serves replica reads on 6380: compute egress must reach it.
    const serverlessCache = st.elasticache.enabled && st.elasticache.mode === "serverless";
    return new Network(
        "network",
        {
            context: deps.context,
            network: cfg.network,
            logsKey: deps.keys.logs,
            computeTlsPorts: [...DEFAULT_COMPUTE_TLS_PORTS, ...(serverlessCache ? [VALKEY_SERVERLESS_READER_PORT] : [])],
        },
        deps.opts,
    );
}
