/**
 * MacieDiscovery: Macie enabled for the account, a scheduled sensitive-data discovery job over every bucket tagged
 * `data-classification=phi` (tag criteria, so a new PHI bucket is covered without editing a list), an encrypted
 * repository for the discovery results, and an optional medical-record-number custom data identifier.
 *
 * HIPAA mapping: 164.308(a)(1)(ii)(D) information system activity review and 164.308(a)(1)(ii)(A) risk analysis
 * (knowing where ePHI lives); 164.312(a)(2)(iv) encryption of the results; 164.312(b) audit evidence retained.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LifecycleSettings } from "../storage/settings";
import { SecurityConfig } from "./settings";
import { Condition, PolicyStatement } from "../shared/iam";
import { bucketArn, bucketName, NamingContext, regionalArn, resourceName } from "../shared/naming";
import { KeyRef, PlatformContext } from "../shared/refs";
import { DataClassification, TAG_KEYS } from "../shared/tags";
import { SecureBucket } from "../storage/secure-bucket";

/** The tag Macie's job selects buckets by; SecureBucket puts exactly this tag on PHI buckets. */
export const PHI_BUCKET_TAG: { key: string; value: DataClassification } = { key: TAG_KEYS.dataClassification, value: "phi" };

/** Prefix under which Macie writes discovery results in the results bucket. */
export const MACIE_RESULTS_PREFIX = "macie-discovery-results/";

/** Keywords that must appear near a medical-record-number match (Macie limits: 50 keywords of 3-90 characters). */
export const DEFAULT_MRN_KEYWORDS: readonly string[] = ["MRN", "medical record", "med rec", "patient id", "chart number"];

export interface MacieDiscoveryArgs {
    context: PlatformContext;
    /** Key of the discovery results (`keys.dataLake`); its key policy must let macie.amazonaws.com encrypt (see the report). */
    dataLakeKey: KeyRef;
    /** `PlatformConfig.security.macie`: publishing frequency, job schedule, optional MRN regex. */
    macie: SecurityConfig["macie"];
    /** Lifecycle of the results bucket (`dataLake.lifecycle.logs`). */
    lifecycle: LifecycleSettings;
    accessLogBucketName: string;
    inventoryBucketName: string;
    /**
     * Purpose segment of the results bucket's name.
     * @default `${name}-results` (`macie-results` when wired as `new MacieDiscovery("macie", ...)`)
     */
    resultsBucketPurpose?: string;
    /**
     * Keywords required within `maximumMatchDistance` of a medical-record-number match.
     * @default DEFAULT_MRN_KEYWORDS
     */
    medicalRecordNumberKeywords?: readonly string[];
    /**
     * Enable Macie for the account (`aws.macie2.Account`). False where the organisation's Macie delegated
     * administrator already enabled it (`securityDelegatedAdministrator`): creating the account again fails.
     * @default true
     */
    manageAccount?: boolean;
}

/** `aws:SourceArn` values Macie presents when it writes results (export configuration and jobs of this account). */
export function macieSourceArns(naming: NamingContext): string[] {
    return [regionalArn(naming, "macie2", "export-configuration:*"), regionalArn(naming, "macie2", "classification-job/*")];
}

/**
 * Bucket policy statements from Macie's "storing and retaining sensitive data discovery results" guide: Macie may
 * put results under the prefix and locate the bucket, only on behalf of this account's export configuration and jobs.
 * (The guide's deny-wrong-key statements are SecureBucket's own `requireKmsUploads` statements.)
 */
export function macieResultsBucketStatements(naming: NamingContext, resultsBucketName: string): PolicyStatement[] {
    const arn = bucketArn(naming, resultsBucketName);
    const Principal = { Service: "macie.amazonaws.com" };
    const Condition: Condition = { StringEquals: { "aws:SourceAccount": naming.accountId }, ArnLike: { "aws:SourceArn": macieSourceArns(naming) } };
    return [
        { Sid: "AllowMacieToUploadResults", Effect: "Allow", Principal, Action: "s3:PutObject", Resource: `${arn}/${MACIE_RESULTS_PREFIX}*`, Condition },
        { Sid: "AllowMacieToLocateBucket", Effect: "Allow", Principal, Action: "s3:GetBucketLocation", Resource: arn, Condition },
    ];
}

/**
 * Bucket criteria: this account's buckets carrying the PHI tag. Macie evaluates the criteria every run, so a bucket
 * created (or re-tagged) later is scanned on the next run.
 */
export function phiBucketCriteria(naming: NamingContext): aws.types.input.macie2.ClassificationJobS3JobDefinitionBucketCriteria {
    return {
        includes: {
            ands: [
                { tagCriterion: { comparator: "EQ", tagValues: [{ key: PHI_BUCKET_TAG.key, value: PHI_BUCKET_TAG.value }] } },
                { simpleCriterion: { comparator: "EQ", key: "ACCOUNT_ID", values: [naming.accountId] } },
            ],
        },
    };
}

export function scheduleFrequency(frequency: SecurityConfig["macie"]["jobFrequency"]): aws.types.input.macie2.ClassificationJobScheduleFrequency {
    switch (frequency) {
        case "DAILY":
            return { dailySchedule: true };
        case "WEEKLY":
            // Sunday: the lowest load on the platform's weekday batch jobs.
            return { weeklySchedule: "SUNDAY" };
        case "MONTHLY":
            return { monthlySchedule: 1 };
    }
}

export class MacieDiscovery extends pulumi.ComponentResource {
    /** Macie for the account; undefined when the delegated administrator manages it. */
    readonly account?: aws.macie2.Account;
    readonly resultsBucket: SecureBucket;
    readonly exportConfiguration: aws.macie2.ClassificationExportConfiguration;
    readonly job: aws.macie2.ClassificationJob;
    readonly medicalRecordNumberIdentifier?: aws.macie.CustomDataIdentifier;
    readonly jobName: string;

    constructor(name: string, args: MacieDiscoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:security:MacieDiscovery", name, {}, opts);
        const { naming, protect } = args.context;
        // Validated with the config, Macie's 512-character limit included (components/security/settings.ts).
        const regex = args.macie.medicalRecordNumberRegex;
        const keywords = [...(args.medicalRecordNumberKeywords ?? DEFAULT_MRN_KEYWORDS)];
        const badKeyword = keywords.find((k) => k.length < 3 || k.length > 90);
        if (badKeyword !== undefined || keywords.length > 50) {
            throw new Error(`MacieDiscovery '${name}': medicalRecordNumberKeywords must be at most 50 keywords of 3-90 characters, got ${JSON.stringify(badKeyword ?? keywords.length)}`);
        }

        // Disabling Macie deletes its findings and jobs: protected in prod.
        this.account =
            (args.manageAccount ?? true)
                ? new aws.macie2.Account(`${name}-account`, { status: "ENABLED", findingPublishingFrequency: args.macie.findingPublishingFrequency }, { parent: this, protect })
                : undefined;
        const afterAccount = this.account ? [this.account] : [];

        const purpose = args.resultsBucketPurpose ?? `${name}-results`;
        const expectedBucketName = bucketName(naming, purpose);
        this.resultsBucket = new SecureBucket(
            `${name}-results`,
            {
                naming,
                purpose,
                // Results name objects and locations of sensitive data, never the data itself.
                dataClassification: "confidential",
                encryption: "kms",
                kmsKey: args.dataLakeKey,
                lifecycle: args.lifecycle,
                accessLogBucketName: args.accessLogBucketName,
                inventoryBucketName: args.inventoryBucketName,
                additionalPolicyStatements: macieResultsBucketStatements(naming, expectedBucketName),
                protect,
            },
            { parent: this },
        );
        if (this.resultsBucket.bucketName !== expectedBucketName) {
            throw new Error(`MacieDiscovery '${name}': SecureBucket named the results bucket '${this.resultsBucket.bucketName}', but its policy was written for '${expectedBucketName}' (naming.bucketName)`);
        }

        // Macie checks the bucket policy and the key when the configuration is saved.
        this.exportConfiguration = new aws.macie2.ClassificationExportConfiguration(
            `${name}-results-export`,
            { s3Destination: { bucketName: this.resultsBucket.bucketName, keyPrefix: MACIE_RESULTS_PREFIX, kmsKeyArn: args.dataLakeKey.arn } },
            { parent: this, dependsOn: [...afterAccount, this.resultsBucket] },
        );

        if (regex) {
            this.medicalRecordNumberIdentifier = new aws.macie.CustomDataIdentifier(
                `${name}-mrn`,
                {
                    name: resourceName(naming, `${name}-medical-record-number`),
                    description: "Medical record numbers (MRN) of the organisation's EHR, near an MRN keyword",
                    regex,
                    keywords,
                    // Characters between a keyword and the match; 50 keeps "MRN: 1234567" and table headers in reach.
                    maximumMatchDistance: 50,
                },
                { parent: this, dependsOn: afterAccount },
            );
        }

        this.jobName = resourceName(naming, `${name}-phi-discovery`);
        // Macie cannot delete a job; the provider cancels it on delete, and most job fields force a new job.
        this.job = new aws.macie2.ClassificationJob(
            `${name}-phi-discovery`,
            {
                name: this.jobName,
                description: `Scheduled discovery over every bucket tagged ${PHI_BUCKET_TAG.key}=${PHI_BUCKET_TAG.value}`,
                jobType: "SCHEDULED",
                scheduleFrequency: scheduleFrequency(args.macie.jobFrequency),
                // Scan existing objects on the first run too, not only objects changed after the job was created.
                initialRun: true,
                samplingPercentage: 100,
                s3JobDefinition: { bucketCriteria: phiBucketCriteria(naming) },
                customDataIdentifierIds: this.medicalRecordNumberIdentifier ? [this.medicalRecordNumberIdentifier.id] : undefined,
            },
            { parent: this, dependsOn: [...afterAccount, this.exportConfiguration] },
        );

        this.registerOutputs({
            jobName: this.jobName,
            resultsBucketName: this.resultsBucket.bucketName,
            medicalRecordNumberIdentifierId: this.medicalRecordNumberIdentifier?.id,
        });
    }
}
