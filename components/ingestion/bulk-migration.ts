/**
 * BulkMigrationLanding: what an AWS Snowball import job needs to land hundreds of terabytes in the import zone.
 *
 * Pulumi's AWS provider has no resource for a Snowball job (the job is an order for a physical device: created,
 * shipped, filled on-prem, returned and imported; see docs/runbooks/snowball-migration.md). What can be declared is
 * declared here:
 * - the IAM role the Snowball service assumes to write into the import bucket (trust `importexport.amazonaws.com`,
 *   only for this account), with the import-only S3 actions AWS documents for Snowball, on the import bucket only;
 * - a KMS grant on the data-lake key for that role, constrained to the import bucket's encryption context, so the
 *   SSE-KMS writes work whatever the key policy delegates to IAM (the role's policy alone needs that delegation);
 * - an operator policy (attach it to the migration operator's role or SSO permission set) to create and track the
 *   job, pass exactly this role to Snowball, and let Snowball create its grant on the data-lake key, which it uses as
 *   the job key that encrypts the device's unlock code and manifest (164.312(a)(2)(iv)).
 *
 * The import bucket itself is a data-lake zone (`import`), passed in as a BucketRef. Data is verified with the S3
 * Inventory report of that bucket (encryption status per object) before it is promoted to the raw zone.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketArn, regionalArn, resourceName } from "../shared/naming";
import { BucketRef, PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { keyUseStatement, PolicyStatement, policyJson, roleArn, s3EncryptionContext, serviceTrustPolicy, viaService } from "../shared/iam";

/** The service principal of Snowball jobs (AWS Import/Export heritage). */
export const SNOWBALL_SERVICE_PRINCIPAL = "importexport.amazonaws.com";

export interface BulkMigrationLandingArgs {
    context: PlatformContext;
    /** `dataLake` encrypts the imported objects and is the job key. */
    keys: Pick<PlatformKeyRefs, "dataLake">;
    /** Import zone of the data lake. */
    importBucket: BucketRef;
    /** SNS topic the Snowball job notifies on state changes (the role then may publish to it). @default none */
    notificationTopicArn?: string;
}

export class BulkMigrationLanding extends pulumi.ComponentResource {
    readonly importBucketName: string;
    /** Role to give `aws snowball create-job --role-arn`. */
    readonly snowballRoleArn: string;
    /** Customer-managed policy for the people who order and track the job. */
    readonly operatorPolicyArn: string;
    /** Alias of the key to give `--kms-key-arn` (resolve it to the key ARN). */
    readonly jobKeyAlias: string;
    readonly grant: aws.kms.Grant;

    constructor(name: string, args: BulkMigrationLandingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:ingestion:BulkMigrationLanding", name, {}, opts);
        const { naming } = args.context;
        const importArn = bucketArn(naming, args.importBucket.name);
        if (args.importBucket.arn !== importArn) {
            throw new Error(`BulkMigrationLanding '${name}': importBucket.arn '${args.importBucket.arn}' is not the ARN of bucket '${args.importBucket.name}'`);
        }
        if (args.notificationTopicArn !== undefined && !/^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(args.notificationTopicArn)) {
            throw new Error(`BulkMigrationLanding '${name}': notificationTopicArn must be an SNS topic ARN, got '${args.notificationTopicArn}'`);
        }
        this.importBucketName = args.importBucket.name;
        this.jobKeyAlias = args.keys.dataLake.aliasName;
        const roleName = resourceName(naming, `${name}-snowball`, "iam");
        this.snowballRoleArn = roleArn(naming, roleName);
        const operatorPolicyName = resourceName(naming, `${name}-operator`, "iam");
        this.operatorPolicyArn = `arn:${naming.partition}:iam::${naming.accountId}:policy/${operatorPolicyName}`;

        const role = new aws.iam.Role(
            `${name}-snowball-role`,
            {
                name: roleName,
                description: `Snowball import jobs: write into ${args.importBucket.name} only`,
                // Confused-deputy protection: Snowball may use this role only for this account's jobs.
                assumeRolePolicy: serviceTrustPolicy(SNOWBALL_SERVICE_PRINCIPAL, { sid: "TrustSnowball", sourceAccount: naming.accountId }),
            },
            { parent: this },
        );

        const statements: PolicyStatement[] = [
            {
                Sid: "ImportBucket",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                Resource: importArn,
            },
            {
                // AWS's import-only set for Snowball. PutObjectAcl stays because the import sets an ACL on each object; the
                // bucket's BucketOwnerEnforced ownership accepts only the owner's full control, so it cannot share data.
                Sid: "ImportObjects",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObjectAcl", "s3:GetObject"],
                Resource: `${importArn}/*`,
            },
            keyUseStatement(naming, "EncryptImportedObjects", args.keys.dataLake, ["kms:GenerateDataKey", "kms:Decrypt"], {
                via: [viaService(naming, "s3")],
                conditions: s3EncryptionContext(importArn),
            }),
        ];
        if (args.notificationTopicArn) {
            statements.push({ Sid: "JobNotifications", Effect: "Allow", Action: ["sns:Publish"], Resource: args.notificationTopicArn });
        }
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-snowball-policy`,
            { role: role.name, name: "import-into-import-zone", policy: policyJson(statements) },
            { parent: this },
        );

        this.grant = new aws.kms.Grant(
            `${name}-import-grant`,
            {
                name: resourceName(naming, `${name}-snowball-import`),
                keyId: args.keys.dataLake.arn,
                granteePrincipal: this.snowballRoleArn,
                operations: ["GenerateDataKey", "Decrypt"],
                // With an S3 Bucket Key (every SecureBucket has one) S3 uses the bucket ARN as encryption context, so the
                // grant is useless for any other bucket's data.
                constraints: [{ encryptionContextSubset: { "aws:s3:arn": importArn } }],
                retireOnDelete: true,
            },
            // KMS checks that the grantee exists when the grant is created.
            { parent: this, dependsOn: [role, rolePolicy] },
        );

        new aws.iam.Policy(
            `${name}-operator-policy`,
            {
                name: operatorPolicyName,
                description: "Order, track and complete Snowball import jobs into the import zone (attach to the migration operator)",
                policy: policyJson([
                    {
                        // Snowball jobs have no resource-level permissions: job ids are assigned at creation.
                        Sid: "ManageSnowballJobs",
                        Effect: "Allow",
                        Action: [
                            "snowball:CreateJob",
                            "snowball:DescribeJob",
                            "snowball:ListJobs",
                            "snowball:UpdateJob",
                            "snowball:CancelJob",
                            "snowball:GetJobManifest",
                            "snowball:GetJobUnlockCode",
                            "snowball:GetSnowballUsage",
                            "snowball:CreateAddress",
                            "snowball:DescribeAddress",
                            "snowball:DescribeAddresses",
                            "snowball:CreateReturnShippingLabel",
                            "snowball:DescribeReturnShippingLabel",
                        ],
                        Resource: "*",
                        Condition: { StringEquals: { "aws:RequestedRegion": naming.region } },
                    },
                    {
                        Sid: "PassOnlyTheImportRole",
                        Effect: "Allow",
                        Action: "iam:PassRole",
                        Resource: this.snowballRoleArn,
                        Condition: { StringEquals: { "iam:PassedToService": SNOWBALL_SERVICE_PRINCIPAL } },
                    },
                    keyUseStatement(naming, "DescribeJobKey", args.keys.dataLake, ["kms:DescribeKey"]),
                    // Snowball creates its own grant on the job key when the job is created, with the creator's rights.
                    keyUseStatement(naming, "LetSnowballGrantItself", args.keys.dataLake, ["kms:CreateGrant"], {
                        conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } },
                    }),
                    {
                        Sid: "VerifyImport",
                        Effect: "Allow",
                        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
                        Resource: importArn,
                    },
                    {
                        Sid: "ListImportKms",
                        Effect: "Allow",
                        Action: ["kms:ListAliases"],
                        Resource: "*",
                    },
                ]),
            },
            { parent: this },
        );

        this.registerOutputs({
            importBucketName: this.importBucketName,
            snowballRoleArn: this.snowballRoleArn,
            operatorPolicyArn: this.operatorPolicyArn,
            jobKeyAlias: this.jobKeyAlias,
            jobKeyAliasArn: regionalArn(naming, "kms", this.jobKeyAlias),
        });
    }
}
