/**
 * AccessRoles: the human roles of the platform (HIPAA 164.312(a)(1) access control, 164.308(a)(4) information
 * access management, 164.312(d) person authentication).
 *
 * - `data-engineer`: reads and writes every lake zone; every object it creates carries a `customer` tag naming a
 *   configured customer; queries through the Athena workgroup.
 * - `analyst`: reads the curated and results zones, queries through the Athena workgroup (whose results land in the
 *   results zone under `athena/`).
 * - `customer-<id>-reader`, one per configured customer: the role carries the principal tag `customer=<id>`, and
 *   one shared policy lets it read only objects whose `customer` object tag equals `${aws:PrincipalTag/customer}`,
 *   under that customer's Hive-style prefix (`customer=<id>/...`, `exports/customer=<id>/...` in results). The
 *   prefix and the tag are checked independently (defence in depth), and an explicit Deny refuses any object in those
 *   buckets whose tag is another customer's or missing, whatever else is attached to the role.
 *
 * Trust: only principals of this account (`trustedPrincipalArns`, default the account root, i.e. IAM principals of the
 * account whose own policies allow `sts:AssumeRole` on the role), and by default only with MFA
 * (`aws:MultiFactorAuthPresent`). `sts:TagSession` is not allowed: a session tag `customer` would override the
 * role's principal tag and so switch tenants. Federated humans (IAM Identity Center, SAML) whose MFA is enforced by
 * the identity provider do not carry `aws:MultiFactorAuthPresent`; for them set `requireMfa: false` and name their
 * permission-set roles in `trustedPrincipalArns`.
 *
 * No `*` action on data: every S3 action is named. KMS permissions name the data-lake key by its alias
 * (`kms:ResourceAliases`) and are usable only through S3 (and Glue for catalog metadata) on the lake buckets
 * (`kms:EncryptionContext:aws:s3:arn`): the key ARN itself is unknown until the key exists, the alias is known at
 * preview, so every document here is known in a pull-request preview.
 *
 * Multipart uploads: `UploadPart` is authorised as `s3:PutObject` without tag headers; `s3:ObjectCreationOperation`
 * is false for it (and for `CreateMultipartUpload`), so parts are allowed separately. `CompleteMultipartUpload` is
 * also `s3:PutObject` (with `s3:ObjectCreationOperation` true) and carries no tag header of its own: an upload
 * completes only if S3 presents the tags given at `CreateMultipartUpload`. Untagged objects are refused either way.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DATA_ZONES, DataZone } from "../storage/settings";
import { PolicyStatement, policyJson } from "../shared/iam";
import { customerPrefixOf } from "../shared/lake-layout";
import { accountRootArn, NamingContext, regionalArn, resourceName } from "../shared/naming";
import { BucketRef, KeyRef, PlatformContext } from "../shared/refs";
import { TAG_KEYS } from "../shared/tags";

/** The principal tag a customer role carries and the object tag its data carries. */
export const CUSTOMER_TAG = TAG_KEYS.customer;
/** IAM policy variable of the caller's customer tag. */
export const PRINCIPAL_CUSTOMER = `\${aws:PrincipalTag/${CUSTOMER_TAG}}`;

/** Object reads (no listing, no writes). */
export const OBJECT_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"];

/** Where a customer's objects live in a zone: `<bucket>/<prefix>customer=<id>/...`. */
export interface CustomerLocation {
    zone: DataZone;
    /** Key prefix before `customer=<id>/`, e.g. `exports/` in the results zone. */
    prefix: string;
}

/** Customers read their curated data and the exports made for them (layout of the DataLake component). */
export const DEFAULT_CUSTOMER_LOCATIONS: readonly CustomerLocation[] = [
    { zone: "curated", prefix: "" },
    { zone: "results", prefix: "exports/" },
];

export interface AccessRolesArgs {
    /** Naming (role names, ARNs in documents). */
    context: PlatformContext;
    /** Customer (tenant) ids; each gets a reader role tagged `customer=<id>`. `PlatformConfig.customers`. */
    customers: string[];
    /** The lake zones by zone (`DataLake.buckets`). */
    zones: Readonly<Record<DataZone, BucketRef>>;
    /** The data-lake key; policies name it by alias, which is known at preview. */
    dataLakeKey: KeyRef;
    /** Athena workgroups analysts and engineers query through. @default [`<prefix>-<env>-analytics`] */
    athenaWorkgroupNames?: string[];
    /**
     * Glue databases (names or IAM wildcards) whose table metadata Athena reads.
     * @default [`<prefix>?<env>?*`] (this stack's databases, with `-` or `_` separators)
     */
    glueDatabaseNames?: string[];
    /** Locations customer readers may read. @default {@link DEFAULT_CUSTOMER_LOCATIONS} */
    customerLocations?: readonly CustomerLocation[];
    /**
     * Require `aws:MultiFactorAuthPresent` to assume any of the roles. Turn off only for federated humans whose IdP
     * enforces MFA (and then name their roles in `trustedPrincipalArns`).
     * @default true
     */
    requireMfa?: boolean;
    /** Principals of this account that may assume the roles. @default [the account root] */
    trustedPrincipalArns?: string[];
    /** Session length (IAM allows 3600-43200 s). @default 3600 */
    maxSessionDurationSeconds?: number;
    /** Permissions boundary attached to every role. @default none */
    permissionsBoundaryArn?: string;
    /**
     * Extra segment in role and policy names for a second set of roles in the same account
     * (`hdp-prod-<qualifier>-analyst`). @default "" (`hdp-prod-analyst`)
     */
    nameQualifier?: string;
}

export class AccessRoles extends pulumi.ComponentResource {
    readonly dataEngineerRole: aws.iam.Role;
    readonly analystRole: aws.iam.Role;
    /** Reader role per customer id. */
    readonly customerReaderRoles: Readonly<Record<string, aws.iam.Role>>;
    /** The one policy every customer reader role has; it reads the customer from the principal tag. */
    readonly customerReaderPolicy: aws.iam.Policy;
    /** Role names, known at preview. */
    readonly roleNames: { dataEngineer: string; analyst: string; customerReaders: Readonly<Record<string, string>> };
    /** Policy documents (JSON), known at preview. */
    readonly documents: {
        trust: pulumi.Output<string>;
        dataEngineer: pulumi.Output<string>;
        analyst: pulumi.Output<string>;
        customerReader: pulumi.Output<string>;
    };

    constructor(name: string, args: AccessRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:security:AccessRoles", name, {}, opts);
        const { naming } = args.context;
        const what = `AccessRoles '${name}'`;
        // customers and trustedPrincipalArns are validated with the config (components/shared/settings.ts, security/settings.ts).
        const session = args.maxSessionDurationSeconds ?? 3600;
        if (!Number.isInteger(session) || session < 3600 || session > 43200) {
            throw new Error(`${what}: maxSessionDurationSeconds must be a whole number from 3600 to 43200 (IAM limits), got ${session}`);
        }
        const trusted = args.trustedPrincipalArns ?? [accountRootArn(naming)];
        for (const loc of args.customerLocations ?? DEFAULT_CUSTOMER_LOCATIONS) {
            if (!/^([A-Za-z0-9_.=-]+\/)*$/.test(loc.prefix)) {
                throw new Error(`${what}: customerLocations prefix must be empty or end with '/' and hold no wildcards, got '${loc.prefix}' for zone ${loc.zone}`);
            }
        }
        const qualifier = args.nameQualifier ?? "";
        if (qualifier !== "" && !/^[a-z][a-z0-9-]{0,15}$/.test(qualifier)) {
            throw new Error(`${what}: nameQualifier must be 1-16 lowercase letters, digits and hyphens starting with a letter, got '${qualifier}'`);
        }
        const iamName = (role: string) => resourceName(naming, qualifier ? `${qualifier}-${role}` : role, "iam");
        const requireMfa = args.requireMfa ?? true;
        const trust = policyJson([
            {
                Sid: "AssumeFromThisAccount",
                Effect: "Allow",
                Principal: { AWS: trusted },
                // sts:AssumeRole only: sts:TagSession would let a caller set a session tag `customer` and change tenant.
                Action: "sts:AssumeRole",
                ...(requireMfa ? { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } } : {}),
            },
        ]);
        const helpers = new PolicyParts(naming, args);
        const engineerDoc = policyJson(helpers.dataEngineer());
        const analystDoc = policyJson(helpers.analyst());
        const customerDoc = policyJson(helpers.customerReader());

        const roleNames = {
            dataEngineer: iamName("data-engineer"),
            analyst: iamName("analyst"),
            customerReaders: Object.fromEntries(args.customers.map((c) => [c, iamName(`customer-${c}-reader`)])),
        };
        const role = (logical: string, roleName: string, description: string, tags: Record<string, string> = {}) =>
            new aws.iam.Role(
                `${name}-${logical}`,
                {
                    name: roleName,
                    description,
                    assumeRolePolicy: trust,
                    maxSessionDuration: session,
                    permissionsBoundary: args.permissionsBoundaryArn,
                    tags,
                },
                { parent: this },
            );

        this.dataEngineerRole = role("data-engineer", roleNames.dataEngineer, "Data engineers: read and write the data lake zones (customer-tagged uploads), query through Athena");
        new aws.iam.RolePolicy(`${name}-data-engineer-policy`, { role: this.dataEngineerRole.name, name: "data-lake-read-write", policy: engineerDoc }, { parent: this });

        this.analystRole = role("analyst", roleNames.analyst, "Analysts: read the curated and results zones, query through Athena");
        new aws.iam.RolePolicy(`${name}-analyst-policy`, { role: this.analystRole.name, name: "curated-results-athena", policy: analystDoc }, { parent: this });

        this.customerReaderPolicy = new aws.iam.Policy(
            `${name}-customer-reader-policy`,
            {
                name: iamName("customer-reader"),
                description: "Read objects tagged with the caller's own customer tag, under that customer's prefix",
                policy: customerDoc,
            },
            { parent: this },
        );
        const readers: Record<string, aws.iam.Role> = {};
        for (const customer of args.customers) {
            readers[customer] = role(`customer-${customer}-reader`, roleNames.customerReaders[customer], `Customer ${customer}: read that customer's objects only`, {
                [CUSTOMER_TAG]: customer,
            });
            new aws.iam.RolePolicyAttachment(
                `${name}-customer-${customer}-reader-policy`,
                { role: readers[customer].name, policyArn: this.customerReaderPolicy.arn },
                { parent: this },
            );
        }
        this.customerReaderRoles = readers;
        this.roleNames = roleNames;
        this.documents = { trust, dataEngineer: engineerDoc, analyst: analystDoc, customerReader: customerDoc };

        this.registerOutputs({
            dataEngineerRoleArn: this.dataEngineerRole.arn,
            analystRoleArn: this.analystRole.arn,
            customerReaderRoleArns: Object.fromEntries(Object.entries(readers).map(([c, r]) => [c, r.arn])),
        });
    }
}

/** Builds the statements of each role from deterministic names. */
class PolicyParts {
    private readonly zones: Readonly<Record<DataZone, BucketRef>>;
    private readonly keyResource: string;
    private readonly alias: string;

    constructor(
        private readonly naming: NamingContext,
        private readonly args: AccessRolesArgs,
    ) {
        this.zones = args.zones;
        this.keyResource = `arn:${naming.partition}:kms:${naming.region}:${naming.accountId}:key/*`;
        this.alias = args.dataLakeKey.aliasName;
    }

    /** Use of the data-lake key, only through S3 on these buckets (bucket ARN: S3 Bucket Keys; object ARN: without). */
    private kms(sid: string, actions: string[], buckets: BucketRef[]): PolicyStatement[] {
        const s3Service = `s3.${this.naming.region}.amazonaws.com`;
        return [
            {
                Sid: sid,
                Effect: "Allow",
                Action: actions,
                Resource: this.keyResource,
                Condition: {
                    StringEquals: { "kms:ViaService": s3Service },
                    "ForAnyValue:StringEquals": { "kms:ResourceAliases": this.alias },
                    StringLike: { "kms:EncryptionContext:aws:s3:arn": buckets.flatMap((b) => [b.arn, `${b.arn}/*`]) },
                },
            },
        ];
    }

    /** Glue Data Catalog metadata is encrypted with the data-lake key; Athena reads it on the caller's behalf. */
    private catalogKms(): PolicyStatement {
        return {
            Sid: "DecryptCatalogMetadataThroughGlue",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: this.keyResource,
            Condition: {
                StringEquals: { "kms:ViaService": `glue.${this.naming.region}.amazonaws.com` },
                "ForAnyValue:StringEquals": { "kms:ResourceAliases": this.alias },
            },
        };
    }

    private athena(): PolicyStatement[] {
        const { naming } = this;
        const workgroups = this.args.athenaWorkgroupNames ?? [resourceName(naming, "analytics", "athena")];
        const databases = this.args.glueDatabaseNames ?? [`${naming.prefix}?${naming.environment}?*`];
        return [
            {
                Sid: "QueryThroughTheWorkgroup",
                Effect: "Allow",
                Action: [
                    "athena:StartQueryExecution",
                    "athena:StopQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:GetQueryRuntimeStatistics",
                    "athena:BatchGetQueryExecution",
                    "athena:ListQueryExecutions",
                    "athena:GetWorkGroup",
                    "athena:GetNamedQuery",
                    "athena:BatchGetNamedQuery",
                    "athena:ListNamedQueries",
                ],
                Resource: workgroups.map((w) => regionalArn(naming, "athena", `workgroup/${w}`)),
            },
            {
                Sid: "ReadCatalogMetadata",
                Effect: "Allow",
                Action: ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"],
                Resource: [
                    regionalArn(naming, "glue", "catalog"),
                    ...databases.map((d) => regionalArn(naming, "glue", `database/${d}`)),
                    ...databases.map((d) => regionalArn(naming, "glue", `table/${d}/*`)),
                ],
            },
            this.catalogKms(),
        ];
    }

    /** Listing and bucket metadata of the given buckets (GetBucketLocation: Athena and the SDKs ask for it). */
    private list(sid: string, buckets: BucketRef[]): PolicyStatement {
        return {
            Sid: sid,
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            Resource: buckets.map((b) => b.arn),
        };
    }

    dataEngineer(): PolicyStatement[] {
        const all = DATA_ZONES.map((z) => this.zones[z]);
        const objects = all.map((b) => `${b.arn}/*`);
        const statements: PolicyStatement[] = [
            this.list("ListLakeZones", all),
            { Sid: "ReadLakeObjects", Effect: "Allow", Action: OBJECT_READ_ACTIONS, Resource: objects },
            {
                // Deleting the current version only adds a delete marker (versioning); no DeleteObjectVersion, no purge.
                Sid: "ManageLakeObjects",
                Effect: "Allow",
                Action: ["s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: objects,
            },
            {
                // Parts of a multipart upload carry no tags; these operations do not create an object by themselves.
                Sid: "UploadMultipartParts",
                Effect: "Allow",
                Action: "s3:PutObject",
                Resource: objects,
                Condition: { Bool: { "s3:ObjectCreationOperation": "false" } },
            },
        ];
        if (this.args.customers.length > 0) {
            statements.push({
                Sid: "WriteCustomerTaggedObjects",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:PutObjectTagging"],
                Resource: objects,
                Condition: { StringEquals: { [`s3:RequestObjectTag/${CUSTOMER_TAG}`]: [...this.args.customers] } },
            });
        }
        statements.push(this.athenaResults(), ...this.kms("UseDataLakeKeyThroughS3", ["kms:Decrypt", "kms:GenerateDataKey"], all), ...this.athena());
        return statements;
    }

    /** Athena writes query results with the caller's credentials; results are not customer uploads and are untagged. */
    private athenaResults(): PolicyStatement {
        return {
            Sid: "WriteAthenaQueryResults",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: `${this.zones.results.arn}/athena/*`,
        };
    }

    analyst(): PolicyStatement[] {
        const curated = this.zones.curated;
        const results = this.zones.results;
        return [
            this.list("ListCuratedAndResults", [curated, results]),
            { Sid: "ReadCuratedAndResults", Effect: "Allow", Action: OBJECT_READ_ACTIONS, Resource: [`${curated.arn}/*`, `${results.arn}/*`] },
            this.athenaResults(),
            ...this.kms("UseDataLakeKeyThroughS3", ["kms:Decrypt", "kms:GenerateDataKey"], [curated, results]),
            ...this.athena(),
        ];
    }

    customerReader(): PolicyStatement[] {
        const locations = this.args.customerLocations ?? DEFAULT_CUSTOMER_LOCATIONS;
        const buckets = [...new Set(locations.map((l) => l.zone))].map((z) => this.zones[z]);
        const statements: PolicyStatement[] = [];
        locations.forEach((loc, i) => {
            const bucket = this.zones[loc.zone];
            const own = `${loc.prefix}${customerPrefixOf(PRINCIPAL_CUSTOMER)}`;
            statements.push(
                {
                    Sid: `ListOwnPrefix${i}`,
                    Effect: "Allow",
                    Action: "s3:ListBucket",
                    Resource: bucket.arn,
                    Condition: { StringLike: { "s3:prefix": [own, `${own}*`] } },
                },
                {
                    Sid: `ReadOwnTaggedObjects${i}`,
                    Effect: "Allow",
                    Action: OBJECT_READ_ACTIONS,
                    Resource: `${bucket.arn}/${own}*`,
                    Condition: { StringEquals: { [`s3:ExistingObjectTag/${CUSTOMER_TAG}`]: PRINCIPAL_CUSTOMER } },
                },
            );
        });
        statements.push({
            // Whatever else the role is given: no object of another customer, and no untagged object (an absent
            // tag makes StringNotEquals true).
            Sid: "DenyObjectsNotTaggedForThisCustomer",
            Effect: "Deny",
            Action: OBJECT_READ_ACTIONS,
            Resource: buckets.map((b) => `${b.arn}/*`),
            Condition: { StringNotEquals: { [`s3:ExistingObjectTag/${CUSTOMER_TAG}`]: PRINCIPAL_CUSTOMER } },
        });
        statements.push(...this.kms("DecryptOwnObjectsThroughS3", ["kms:Decrypt"], buckets));
        return statements;
    }
}
