/**
 * AccountGuardrails: account-wide settings that protect every resource, including ones created outside this
 * program: GuardDuty threat detection with S3 protection, the account-level S3 public access block, and EBS
 * encryption by default with the platform's databases key.
 *
 * HIPAA mapping: 164.308(a)(1)(ii)(D) activity review and 164.308(a)(6) incident detection (GuardDuty);
 * 164.312(a)(1) access control (no public bucket anywhere in the account); 164.312(a)(2)(iv) encryption at rest
 * (every new EBS volume and snapshot copy encrypted with a customer-managed key).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KeyRef, PlatformContext } from "../shared/refs";

/** GuardDuty protection plans (DetectorFeature names) this platform has data for. */
export type GuardDutyFeature = "S3_DATA_EVENTS" | "RDS_LOGIN_EVENTS" | "EBS_MALWARE_PROTECTION" | "LAMBDA_NETWORK_LOGS";

/**
 * S3 protection watches data-plane access to the PHI buckets; RDS protection watches logins to Aurora/PostgreSQL;
 * malware protection scans EBS volumes of suspicious instances; Lambda protection watches function network traffic.
 * Runtime monitoring needs an agent on every host and is left to the teams that run hosts.
 */
export const DEFAULT_GUARDDUTY_FEATURES: readonly GuardDutyFeature[] = ["S3_DATA_EVENTS", "RDS_LOGIN_EVENTS", "EBS_MALWARE_PROTECTION", "LAMBDA_NETWORK_LOGS"];

export interface AccountGuardrailsArgs {
    context: PlatformContext;
    /** Default key of EBS encryption (`keys.databases`). */
    databasesKey: KeyRef;
    /** `PlatformConfig.security.guardDutyEnabled`; false only where an organisation-managed detector already exists. */
    guardDutyEnabled: boolean;
    /**
     * Protection plans enabled on the detector.
     * @default DEFAULT_GUARDDUTY_FEATURES
     */
    guardDutyFeatures?: readonly GuardDutyFeature[];
    /**
     * How often GuardDuty publishes updates of existing findings to EventBridge (new findings go out at once).
     * @default "FIFTEEN_MINUTES"
     */
    guardDutyFindingPublishingFrequency?: "FIFTEEN_MINUTES" | "ONE_HOUR" | "SIX_HOURS";
}

export class AccountGuardrails extends pulumi.ComponentResource {
    readonly detector?: aws.guardduty.Detector;
    readonly publicAccessBlock: aws.s3.AccountPublicAccessBlock;
    readonly ebsEncryptionByDefault: aws.ebs.EncryptionByDefault;
    readonly ebsDefaultKey: aws.ebs.DefaultKmsKey;

    constructor(name: string, args: AccountGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:security:AccountGuardrails", name, {}, opts);
        const { naming, protect } = args.context;
        // Deleting any of these account settings silently weakens every resource in the account: protected in prod.
        const guarded = { parent: this, protect };

        if (args.guardDutyEnabled) {
            const features = [...(args.guardDutyFeatures ?? DEFAULT_GUARDDUTY_FEATURES)];
            if (!features.includes("S3_DATA_EVENTS")) {
                throw new Error(`AccountGuardrails '${name}': guardDutyFeatures must include S3_DATA_EVENTS (S3 protection of the PHI buckets), got ${JSON.stringify(features)}`);
            }
            const duplicate = features.find((f, i) => features.indexOf(f) !== i);
            if (duplicate) {
                throw new Error(`AccountGuardrails '${name}': guardDutyFeatures lists '${duplicate}' twice`);
            }
            // Protection plans are DetectorFeature resources; the detector's `datasources` block is deprecated in v7.
            const detector = new aws.guardduty.Detector(
                `${name}-guardduty`,
                { enable: true, findingPublishingFrequency: args.guardDutyFindingPublishingFrequency ?? "FIFTEEN_MINUTES" },
                guarded,
            );
            for (const feature of features) {
                new aws.guardduty.DetectorFeature(
                    `${name}-guardduty-${feature.toLowerCase().replace(/_/g, "-")}`,
                    { detectorId: detector.id, name: feature, status: "ENABLED" },
                    { parent: this },
                );
            }
            this.detector = detector;
        }

        this.publicAccessBlock = new aws.s3.AccountPublicAccessBlock(
            `${name}-s3-public-access-block`,
            {
                accountId: naming.accountId,
                blockPublicAcls: true,
                ignorePublicAcls: true,
                blockPublicPolicy: true,
                restrictPublicBuckets: true,
            },
            guarded,
        );

        this.ebsEncryptionByDefault = new aws.ebs.EncryptionByDefault(`${name}-ebs-encryption`, { enabled: true }, guarded);
        this.ebsDefaultKey = new aws.ebs.DefaultKmsKey(
            `${name}-ebs-default-key`,
            { keyArn: args.databasesKey.arn },
            { ...guarded, dependsOn: [this.ebsEncryptionByDefault] },
        );

        this.registerOutputs({
            guardDutyDetectorId: this.detector?.id,
            ebsDefaultKeyArn: args.databasesKey.arn,
        });
    }
}
