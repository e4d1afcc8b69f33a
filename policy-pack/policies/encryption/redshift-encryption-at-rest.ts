import { ResourceValidationPolicy } from "@pulumi/policy";
import { on, validateTypes } from "../../lib/dispatch";
import { ENCRYPTION_AT_REST, encryptionConfig, encryptionConfigSchema, subject } from "../../lib/encryption";
import { keyProblem, keyReference } from "../../lib/kms";
import { explicitlyFalse } from "../../lib/values";

export const REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster";
export const REDSHIFT_SERVERLESS_NAMESPACE = "aws:redshiftserverless/namespace:Namespace";

interface RedshiftCluster {
    /** A string in @pulumi/aws v7 ("true"/"false"); the provider default is encrypted. */
    encrypted?: string | boolean;
    kmsKeyId?: string;
}

export const redshiftEncryptionAtRest: ResourceValidationPolicy = {
    name: "redshift-encryption-at-rest",
    description: "Redshift provisioned clusters and Redshift Serverless namespaces encrypt data at rest with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: ENCRYPTION_AT_REST,
    remediationSteps:
        "Leave `encrypted` at its default (`true`) and set `kmsKeyId: key.arn` on `aws.redshift.Cluster`; set `kmsKeyId: key.arn` " +
        "on `aws.redshiftserverless.Namespace`. Redshift re-encrypts a provisioned cluster in place when the key changes " +
        "(the cluster is read-only meanwhile); a namespace's key change is also in place.",
    configSchema: encryptionConfigSchema,
    validateResource: validateTypes({
        [REDSHIFT_CLUSTER]: on<RedshiftCluster>((p, args, report) => {
            const name = subject(args);
            if (explicitlyFalse(p.encrypted)) {
                report(`${name} stores data unencrypted: encrypted is false; remove it (the default is true) and set kmsKeyId to a customer-managed KMS key ARN.`);
                return;
            }
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${name} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
        [REDSHIFT_SERVERLESS_NAMESPACE]: on<{ kmsKeyId?: string }>((p, args, report) => {
            // Namespaces are always encrypted; without kmsKeyId Redshift uses an AWS-owned key.
            const problem = keyProblem(keyReference(p, "kmsKeyId"), `${subject(args)} kmsKeyId`, encryptionConfig(args).requireCustomerManagedKey);
            if (problem) {
                report(`${problem}.`);
            }
        }),
    }),
};
