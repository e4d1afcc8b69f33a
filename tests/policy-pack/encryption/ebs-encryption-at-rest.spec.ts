import * as assert from "assert";
import {
    EBS_VOLUME,
    EC2_INSTANCE,
    EC2_LAUNCH_TEMPLATE,
    EC2_SPOT_INSTANCE_REQUEST,
    ebsEncryptionAtRest as policy,
} from "../../../policy-pack/policies/encryption/ebs-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/cccccccc-2222-3333-4444-555555555555";

describe("ebs-encryption-at-rest", () => {
    it("passes encrypted volumes, instance devices and launch-template mappings on a customer-managed key", async () => {
        assert.deepStrictEqual(await validateResource(policy, { type: EBS_VOLUME, props: { availabilityZone: "us-east-1a", encrypted: true, kmsKeyId: CMK } }), { violations: [], notApplicable: [], previewSkipped: [] });
        const instance = { rootBlockDevice: { encrypted: true, kmsKeyId: CMK }, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true, kmsKeyId: CMK }] };
        assert.deepStrictEqual((await validateResource(policy, { type: EC2_INSTANCE, props: instance })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: EC2_SPOT_INSTANCE_REQUEST, props: instance })).violations, []);
        const lt = { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: CMK } }, { deviceName: "/dev/sdb", virtualName: "ephemeral0" }] };
        assert.deepStrictEqual((await validateResource(policy, { type: EC2_LAUNCH_TEMPLATE, props: lt })).violations, []);
    });

    it("fails an unencrypted volume, an undeclared root device and an unencrypted data device, naming each", async () => {
        assert.deepStrictEqual(messages(await validateResource(policy, { type: EBS_VOLUME, name: "data", props: { encrypted: false } })), [
            'ebs.Volume "data" is unencrypted (encrypted: false): set encrypted: true and kmsKeyId to a customer-managed KMS key ARN.',
        ]);
        const v = await validateResource(policy, { type: EC2_INSTANCE, name: "etl", props: { ami: "ami-1", ebsBlockDevices: [{ deviceName: "/dev/sdf" }] } });
        assert.deepStrictEqual(messages(v), [
            'ec2.Instance "etl" declares no rootBlockDevice, so its root volume follows the AMI snapshot\'s encryption: add rootBlockDevice: { encrypted: true, kmsKeyId } with a customer-managed KMS key ARN.',
            'ec2.Instance "etl" ebsBlockDevices[0] (/dev/sdf) does not set encrypted: true, so it is encrypted only if the AMI snapshot or the account default says so: set encrypted: true and kmsKeyId to a customer-managed KMS key ARN.',
        ]);
    });

    it("fails launch templates with encrypted \"false\", with no EBS mapping, or on the AWS-managed key", async () => {
        assert.match(messages(await validateResource(policy, { type: EC2_LAUNCH_TEMPLATE, name: "lt", props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] } }))[0], /blockDeviceMappings\[0\] \(\/dev\/xvda\)\.ebs is unencrypted/);
        assert.match(messages(await validateResource(policy, { type: EC2_LAUNCH_TEMPLATE, name: "lt", props: { imageId: "ami-1" } }))[0], /declares no EBS blockDeviceMappings/);
        assert.match(messages(await validateResource(policy, { type: EC2_LAUNCH_TEMPLATE, name: "lt", props: { blockDeviceMappings: [{ deviceName: "/dev/sdb", noDevice: "" }, { ebs: { encrypted: "true", kmsKeyId: "alias/aws/ebs" } }] } }))[0], /blockDeviceMappings\[1\]\.ebs kmsKeyId is the AWS-managed key "alias\/aws\/ebs"/);
    });

    it("defers an instance without rootBlockDevice to its launch template", async () => {
        assert.deepStrictEqual((await validateResource(policy, { type: EC2_INSTANCE, props: { launchTemplate: { id: "lt-1" } } })).violations, []);
    });

    it("accepts undeclared encryption when config says the account encrypts EBS by default with a customer-managed key", async () => {
        const config = { ebsEncryptionByDefault: true };
        assert.deepStrictEqual((await validateResource(policy, { type: EC2_INSTANCE, props: { ami: "ami-1" } }, { config })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: EBS_VOLUME, props: { encrypted: true } }, { config })).violations, []);
        assert.deepStrictEqual((await validateResource(policy, { type: EC2_LAUNCH_TEMPLATE, props: {} }, { config })).violations, []);
        // Explicitly disabling encryption still fails.
        assert.strictEqual((await validateResource(policy, { type: EBS_VOLUME, props: { encrypted: false } }, { config })).violations.length, 1);
        // Accepting AWS-managed keys.
        assert.deepStrictEqual((await validateResource(policy, { type: EBS_VOLUME, props: { encrypted: true, kmsKeyId: "alias/aws/ebs" } }, { config: { requireCustomerManagedKey: false } })).violations, []);
    });

    it("reports other types as not applicable; passes at preview with unknown keys", async () => {
        assert.strictEqual((await validateResource(policy, { type: "aws:ec2/vpc:Vpc" })).notApplicable.length, 1);
        const v = await validateResource(policy, { type: EC2_INSTANCE, props: { rootBlockDevice: { encrypted: true, kmsKeyId: UNKNOWN }, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true, kmsKeyId: UNKNOWN }] } });
        assert.deepStrictEqual(v, { violations: [], notApplicable: [], previewSkipped: [] });
        assert.strictEqual(policy.remediateResource, undefined);
    });
});
