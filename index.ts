/**
 * healthcare-data-platform: composes the area components for one stack. Reads config, builds, exports.
 */
import { readPlatformConfig } from "./components/shared/config";
import { createPlatformProvider } from "./components/shared/provider";
import { standardTags } from "./components/shared/tags";

const cfg = readPlatformConfig();

const provider = createPlatformProvider("aws", {
    naming: cfg.naming,
    defaultTags: standardTags({ environment: cfg.environment, dataClassification: "phi", owner: cfg.owner, costCenter: cfg.costCenter }),
});

export const environment = cfg.environment;
export const providerUrn = provider.urn;
