import { ResourceValidationPolicy } from "@pulumi/policy";
import { atRestHandlers, AtRestRules } from "../../lib/at-rest-rules";
import { validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfigSchema } from "../../lib/encryption";

export const MQ_BROKER = "aws:mq/broker:Broker";

/** Queued messages stay on the broker storage; without encryptionOptions.kmsKeyId MQ uses a key AWS owns. */
export const MQ_RULES: AtRestRules = {
    [MQ_BROKER]: [{ kind: "key", path: "encryptionOptions.kmsKeyId" }],
};

export const mqBrokerEncryptionAtRest: ResourceValidationPolicy = {
    name: "mq-broker-encryption-at-rest",
    description: "Amazon MQ brokers encrypt stored messages with a customer-managed KMS key rather than the AWS-owned default.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Set `encryptionOptions: { useAwsOwnedKey: false, kmsKeyId: key.arn }` on `aws.mq.Broker`. The key is fixed at creation: create a new " +
        "broker, drain the old one and switch producers and consumers.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes(atRestHandlers(MQ_RULES)),
};
