import * as assert from "assert";
import { CLOUDTRAIL_TRAIL, cloudtrailAuditConfiguration as policy } from "../../../policy-pack/policies/controls/cloudtrail-audit-configuration";
import { messages, remediateResource, UNKNOWN, validateResource } from "../helpers";

const GOOD = {
    s3BucketName: "audit",
    isMultiRegionTrail: true,
    enableLogFileValidation: true,
    cloudWatchLogsGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:cloudtrail:*",
    cloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/cloudtrail-logs",
};

describe("cloudtrail-audit-configuration", () => {
    it("passes a multi-region, validated trail delivering to CloudWatch Logs", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: CLOUDTRAIL_TRAIL, props: GOOD }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("reports each missing setting of a default trail", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: CLOUDTRAIL_TRAIL, name: "trail", props: { s3BucketName: "audit" } })), [
            'cloudtrail.Trail "trail" records only its own region, so activity in other regions goes unaudited: set isMultiRegionTrail: true.',
            'cloudtrail.Trail "trail" does not validate log files, so tampering with audit logs would go unnoticed: set enableLogFileValidation: true.',
            'cloudtrail.Trail "trail" does not deliver to CloudWatch Logs (cloudWatchLogsGroupArn is not set), so no metric filter or alarm can watch it: set cloudWatchLogsGroupArn and cloudWatchLogsRoleArn.',
        ]);
    });

    it("fails stopped logging and a log group without a role", async () => {
        assert.match(messages(await validateResource(policy, { type: CLOUDTRAIL_TRAIL, props: { ...GOOD, enableLogging: false } }))[0], /has logging stopped/);
        assert.match(messages(await validateResource(policy, { type: CLOUDTRAIL_TRAIL, props: { ...GOOD, cloudWatchLogsRoleArn: undefined } }))[0], /cloudWatchLogsRoleArn is not set/);
    });

    it("lets config drop the multi-region and CloudWatch requirements", async () => {
        const v = await validateResource(policy, { type: CLOUDTRAIL_TRAIL, props: { s3BucketName: "audit", enableLogFileValidation: true } }, { config: { requireMultiRegion: false, requireCloudWatchLogs: false } });
        assert.deepStrictEqual(v.violations, []);
    });

    it("remediates the in-place settings but cannot invent a log group", async () => {
        const r = await remediateResource(policy, { type: CLOUDTRAIL_TRAIL, props: { s3BucketName: "audit", enableLogging: false } });
        assert.deepStrictEqual(r.props, { s3BucketName: "audit", enableLogging: true, isMultiRegionTrail: true, enableLogFileValidation: true });
        assert.deepStrictEqual(messages(await validateResource(policy, { type: CLOUDTRAIL_TRAIL, name: "trail", props: r.props })).length, 1);
        assert.strictEqual((await remediateResource(policy, { type: CLOUDTRAIL_TRAIL, props: GOOD })).props, undefined);
    });

    it("counts a log group and role whose ARNs are unknown at preview as present", async () => {
        const v = await validateResource(policy, { type: CLOUDTRAIL_TRAIL, props: { ...GOOD, cloudWatchLogsGroupArn: UNKNOWN, cloudWatchLogsRoleArn: UNKNOWN } });
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("is not applicable to other types", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: "aws:cloudtrail/eventDataStore:EventDataStore" })).notApplicable, ["Policy only applies to resources of type 'aws:cloudtrail/trail:Trail'"]);
    });
});
