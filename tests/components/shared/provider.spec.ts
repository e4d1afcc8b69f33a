import * as assert from "assert";
import { createPlatformProvider } from "../../../components/shared/provider";
import { standardTags } from "../../../components/shared/tags";
import { recordProgram } from "../../../tools/offline/recorder";
import { inputs, one, platformConfig } from "../../support/platform";

describe("components/shared/provider", () => {
    it("pins the account and region and applies the standard tags as defaultTags", async () => {
        const cfg = platformConfig("prod");
        const tags = standardTags({ environment: cfg.environment, dataClassification: "phi", owner: cfg.owner, costCenter: cfg.costCenter });
        const rec = await recordProgram(async () => {
            createPlatformProvider("aws", { naming: cfg.naming, defaultTags: tags });
        }, { mode: "preview" });
        const provider = inputs(one(rec, "pulumi:providers:aws", "aws"));
        assert.strictEqual(provider.region, "us-east-1");
        // Providers receive list and object config as JSON strings on the wire.
        assert.deepStrictEqual(JSON.parse(provider.allowedAccountIds as string), ["345678901234"]);
        assert.deepStrictEqual(JSON.parse(provider.defaultTags as string), { tags });
    });
});
