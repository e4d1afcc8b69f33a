import * as assert from "assert";
import { LOG_GROUP, logRetentionMinimum as policy } from "../../../policy-pack/policies/controls/log-retention-minimum";
import { messages, remediateResource, UNKNOWN, validateResource } from "../helpers";

describe("log-retention-minimum", () => {
    it("passes the default minimum of 365 days, longer retention and never-expire", async () => {
        for (const props of [{ retentionInDays: 365 }, { retentionInDays: 2192 }, {}, { retentionInDays: 0 }]) {
            assert.deepStrictEqual(await validateResource(policy, { type: LOG_GROUP, props }), { violations: [], notApplicable: [], previewSkipped: [] });
        }
    });

    it("fails shorter retention, naming the group and the accepted values", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: LOG_GROUP, name: "/aws/lambda/ingest", props: { retentionInDays: 30 } })), [
            'cloudwatch.LogGroup "/aws/lambda/ingest" keeps logs for 30 days, less than the required 365: set retentionInDays to 365 or more (CloudWatch accepts 365, 400, 545...).',
        ]);
    });

    it("applies a configured minimum such as six years for audit logs", async () => {
        const config = { minimumRetentionDays: 2192 };
        assert.strictEqual((await validateResource(policy, { type: LOG_GROUP, props: { retentionInDays: 1827 } }, { config })).violations.length, 1);
        assert.deepStrictEqual((await validateResource(policy, { type: LOG_GROUP, props: { retentionInDays: 2192 } }, { config })).violations, []);
    });

    it("rejects a minimum CloudWatch does not accept, naming the config key", async () => {
        await assert.rejects(validateResource(policy, { type: LOG_GROUP, props: {} }, { config: { minimumRetentionDays: 366 } }), /policy log-retention-minimum: config minimumRetentionDays must be one of CloudWatch Logs' retention values \(1, 3, 5.*3653\); got 366/);
    });

    it("remediates by raising retention to the minimum, never shortening or expiring it", async () => {
        const r = await remediateResource(policy, { type: LOG_GROUP, props: { name: "app", retentionInDays: 14 } });
        assert.deepStrictEqual(r.props, { name: "app", retentionInDays: 365 });
        assert.strictEqual((await remediateResource(policy, { type: LOG_GROUP, props: { retentionInDays: 3653 } })).props, undefined);
        assert.strictEqual((await remediateResource(policy, { type: LOG_GROUP, props: {} })).props, undefined);
    });

    it("judges at preview when other values are unknown, and leaves an unknown retention to the SDK", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: LOG_GROUP, props: { kmsKeyId: UNKNOWN, retentionInDays: 365 } }), { violations: [], notApplicable: [], previewSkipped: [] });
        assert.deepStrictEqual((await validateResource(policy, { type: LOG_GROUP, props: { retentionInDays: UNKNOWN } })).previewSkipped, ["string value at .retentionInDays can't be known during preview"]);
    });

    it("is not applicable to other types", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:cloudwatch/logStream:LogStream" })).notApplicable.length, 1);
    });
});
