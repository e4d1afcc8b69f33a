/**
 * QuickSightDataSource: a QuickSight data source over the analytics Athena workgroup (created when
 * `quicksightEnabled`), through a role QuickSight assumes for this account only that may run queries in that
 * workgroup, read and write its results prefix, read the curated zone and the inventory, and use the data-lake key.
 * TLS to Athena stays on (`disableSsl: false`, HIPAA 164.312(e)(1)); users and groups get the data source through
 * explicit permissions only.
 *
 * Until this component existed, `PresentationApi` registered these resources; `formerOwner` aliases each child to
 * its old URN, so an existing stack adopts them instead of replacing them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { glueReadStatement, keyUseStatement, policyJson, s3ReadStatements, s3WriteStatement, serviceTrustPolicy } from "../shared/iam";
import { globalArn, resourceName } from "../shared/naming";
import { PlatformContext, PlatformKeyRefs } from "../shared/refs";
import { AthenaQueryAccess } from "./athena";
import { FormerOwner, formerlyUnder } from "./opensearch";

export interface QuickSightDataSourceArgs {
    context: PlatformContext;
    /** dataLake: the lake objects and Athena results the role reads. */
    keys: Pick<PlatformKeyRefs, "dataLake">;
    /** The workgroup, results location and catalog QuickSight queries through. */
    athena: AthenaQueryAccess;
    /** QuickSight users or groups (ARNs) given use of the data source. @default [] */
    principalArns?: string[];
    /** The component that registered these resources before (see the file comment). @default none (a new stack) */
    formerOwner?: FormerOwner;
}

export class QuickSightDataSource extends pulumi.ComponentResource {
    readonly dataSource: aws.quicksight.DataSource;
    /** Known at preview. */
    readonly dataSourceId: string;

    constructor(name: string, args: QuickSightDataSourceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("healthcare:analytics:QuickSightDataSource", name, {}, opts);
        const { naming } = args.context;
        const formerly = formerlyUnder(args.formerOwner);
        const a = args.athena;
        const roleName = resourceName(naming, "quicksight-athena", "iam");
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: roleName,
                description: "QuickSight's access to the analytics workgroup, its results and the lake it reads.",
                assumeRolePolicy: serviceTrustPolicy("quicksight.amazonaws.com", { sourceAccount: naming.accountId }),
            },
            { parent: this, aliases: formerly("quicksight-role", "aws:iam/role:Role") },
        );
        const quicksightPolicy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.name,
                name: "athena-workgroup",
                policy: policyJson([
                    {
                        Sid: "Workgroup",
                        Effect: "Allow",
                        Action: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"],
                        Resource: [a.workgroupArn],
                    },
                    // QuickSight lists workgroups and catalogs to let authors pick one; these have no resource scope.
                    { Sid: "Discover", Effect: "Allow", Action: ["athena:ListWorkGroups", "athena:ListDataCatalogs"], Resource: ["*"] },
                    ...s3ReadStatements("ResultsRead", a.resultsBucket, a.resultsPrefix),
                    s3WriteStatement("ResultsWrite", a.resultsBucket, a.resultsPrefix),
                    ...s3ReadStatements("CuratedRead", a.catalog.curatedBucket),
                    ...s3ReadStatements("InventoryRead", a.catalog.inventoryBucket, a.catalog.inventoryPrefix),
                    glueReadStatement(naming, "CuratedCatalog", a.catalog.curatedDatabase, "*"),
                    glueReadStatement(naming, "InventoryCatalog", a.catalog.inventoryDatabase, [a.catalog.inventoryTable]),
                    keyUseStatement(naming, "DataLakeKey", args.keys.dataLake, ["kms:Decrypt", "kms:GenerateDataKey"]),
                ]),
            },
            { parent: this, aliases: formerly("quicksight-policy", "aws:iam/rolePolicy:RolePolicy") },
        );
        const dataSourceId = resourceName(naming, "lake-athena", "generic");
        this.dataSource = new aws.quicksight.DataSource(
            `${name}-data-source`,
            {
                dataSourceId,
                name: `${naming.prefix}-${naming.environment} lake (Athena)`,
                type: "ATHENA",
                parameters: { athena: { workGroup: a.workgroupName, roleArn: globalArn(naming, "iam", `role/${roleName}`) } },
                sslProperties: { disableSsl: false },
                permissions: (args.principalArns ?? []).map((principal) => ({
                    principal,
                    actions: [
                        "quicksight:DescribeDataSource",
                        "quicksight:DescribeDataSourcePermissions",
                        "quicksight:PassDataSource",
                        "quicksight:UpdateDataSource",
                        "quicksight:DeleteDataSource",
                        "quicksight:UpdateDataSourcePermissions",
                    ],
                })),
            },
            { parent: this, aliases: formerly("quicksight", "aws:quicksight/dataSource:DataSource"), dependsOn: [role, quicksightPolicy] },
        );
        this.dataSourceId = dataSourceId;
        this.registerOutputs({ dataSourceId, roleArn: globalArn(naming, "iam", `role/${roleName}`) });
    }
}
