import * as assert from "assert";
import { MANAGED_SERVICE_RULES, managedServiceEncryptionAtRest as policy } from "../../../policy-pack/policies/encryption/managed-service-encryption-at-rest";
import { messages, UNKNOWN, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("managed-service-encryption-at-rest", () => {
    it("fails every listed type without its key argument, naming that argument", async () => {
        for (const [type, checks] of Object.entries(MANAGED_SERVICE_RULES)) {
            const first = checks.find((c) => c.kind === "key")!;
            const props = Object.fromEntries(checks.filter((c) => c.kind === "switch").map((c) => [c.path, true]));
            const v = await validateResource(policy, { type, name: "x", props });
            assert.ok(messages(v)[0].endsWith(` ${"path" in first ? first.path : ""} is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`), `${type}: ${messages(v)}`);
        }
    });

    it("passes a customer-managed key, known or unknown at preview", async () => {
        for (const key of [CMK, UNKNOWN]) {
            assert.deepStrictEqual((await validateResource(policy, { type: "aws:cloudtrail/eventDataStore:EventDataStore", props: { kmsKeyId: key } })).violations, []);
            assert.deepStrictEqual(
                (await validateResource(policy, { type: "aws:comprehend/documentClassifier:DocumentClassifier", props: { volumeKmsKeyId: key, modelKmsKeyId: key } })).violations,
                [],
            );
        }
    });

    it("requires storage gateway volumes to be KMS-encrypted even when AWS keys are accepted", async () => {
        const v = await validateResource(policy, { type: "aws:storagegateway/storedIscsiVolume:StoredIscsiVolume", name: "v", props: {} }, { config: { requireCustomerManagedKey: false } });
        assert.deepStrictEqual(messages(v), [
            `storagegateway.StoredIscsiVolume "v" stores data unencrypted (kmsEncrypted is not set): set kmsEncrypted: true with kmsKey, a customer-managed KMS key ARN (a new volume is needed).`,
        ]);
    });
});

describe("managed-service-encryption-at-rest: EMR Serverless logs", () => {
    const EMR_SERVERLESS = "aws:emrserverless/application:Application";

    it("judges managed persistence (on by default) unless it is switched off, and the CloudWatch and S3 log keys where configured", async () => {
        const monitoring = (m: Record<string, unknown>) => ({ name: "spark", type: "spark", releaseLabel: "emr-7.5.0", monitoringConfiguration: m });
        const compliant = monitoring({
            managedPersistenceMonitoringConfiguration: { enabled: false },
            cloudwatchLoggingConfiguration: { enabled: true, encryptionKeyArn: CMK },
            s3MonitoringConfiguration: { logUri: "s3://logs/emr/", encryptionKeyArn: CMK },
        });
        assert.deepStrictEqual((await validateResource(policy, { type: EMR_SERVERLESS, props: compliant })).violations, []);
        assert.deepStrictEqual(messages(await validateResource(policy, { type: EMR_SERVERLESS, name: "spark", props: monitoring({ cloudwatchLoggingConfiguration: { enabled: false } }) })), [
            `emrserverless.Application "spark" monitoringConfiguration.managedPersistenceMonitoringConfiguration.encryptionKeyArn is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key.`,
        ]);
        assert.match(
            messages(await validateResource(policy, { type: EMR_SERVERLESS, props: monitoring({ managedPersistenceMonitoringConfiguration: { enabled: false }, cloudwatchLoggingConfiguration: { enabled: true } }) }))[0],
            /cloudwatchLoggingConfiguration\.encryptionKeyArn is not set/,
        );
    });
});
