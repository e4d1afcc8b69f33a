import * as assert from "assert";
import { secretOverrides } from "../../../tools/offline/cli";
import { runOffline } from "../../../tools/offline/engine";
import { OPERATOR_SECRETS } from "../../support/platform";

describe("offline engine on the platform program (prod, up)", function () {
    this.timeout(300_000);

    it("answers as the stack's own account with realistic endpoints, so every stack output is set", async () => {
        // The offline lane runs the stack file's example account (a real deploy refuses it) and leaves no flag behind.
        assert.strictEqual(process.env.HDP_TEST_LANE, undefined);
        // The prod stack file holds no secret: the operator sets it with `pulumi config set --secret`.
        const result = await runOffline({ stack: "prod", mode: "up", policyPackDir: null, configOverrides: secretOverrides(Object.keys(OPERATOR_SECRETS.prod)) });
        assert.strictEqual(result.exitCode, 0, result.error?.message);
        assert.strictEqual(process.env.HDP_TEST_LANE, undefined);
        const outputs = result.recording?.stackOutputs as Record<string, unknown>;
        assert.match(String((outputs.keyArns as Record<string, string>).dataLake), /^arn:aws:kms:us-east-1:345678901234:key\//);
        for (const key of ["databaseEndpoint", "cacheEndpoint", "warehouseEndpoint", "auditTrailArn", "alertTopicArn"]) {
            assert.ok(typeof outputs[key] === "string" && (outputs[key] as string).length > 0, `${key} is ${JSON.stringify(outputs[key])}`);
        }
        assert.match(String(outputs.cacheEndpoint), /\.use1\.cache\.amazonaws\.com$/);
    });
});
