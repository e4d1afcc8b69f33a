import * as assert from "assert";
import { AnalyticsCatalog } from "../../../components/analytics/catalog";
import { EmrProcessing, EmrProcessingArgs } from "../../../components/analytics/emr";
import { PlatformConfig } from "../../../components/shared/config";
import { recordProgram } from "../../../tools/offline/recorder";
import { policies } from "../../../policy-pack/policies";
import { runPack, simulate } from "../security/support";
import { descendants, inputs, ofType, one, platformConfig, policyDocument, stackConfigMap, UNKNOWN } from "../../support/platform";
import { bucketRef, catalogArgs, contextOf, fakeKeys, fakeNetwork, programKeys, rootDelegationKeyPolicy } from "./fixtures";

const CERTS = "s3://hdp-certs-345678901234/emr/in-transit.zip";

function program(cfg: PlatformConfig, opts: { realKeys?: boolean; extra?: Partial<EmrProcessingArgs> } = {}) {
    return () => {
        const keys = opts.realKeys ? programKeys(cfg) : fakeKeys(cfg);
        const catalog = new AnalyticsCatalog("catalog", { ...catalogArgs(cfg), keys });
        new EmrProcessing("emr", {
            context: contextOf(cfg),
            keys,
            network: fakeNetwork(cfg),
            settings: cfg.analytics.emr,
            catalog: catalog.refs,
            logs: { bucket: bucketRef(cfg, "results"), prefix: "emr-logs/" },
            ...opts.extra,
        });
    };
}

async function record(stack: "dev" | "prod", overrides: Record<string, unknown> = {}, opts: { realKeys?: boolean; mode?: "preview" | "up"; extra?: Partial<EmrProcessingArgs> } = {}) {
    const cfg = platformConfig(stack, overrides);
    const rec = await recordProgram(program(cfg, opts), { mode: opts.mode ?? "preview", config: stackConfigMap(stack, overrides), stack });
    return { cfg, rec };
}

/** Decision of the execution role's policy for a request (KMS keys delegate to IAM, as the Keys component's do). */
function roleCan(cfg: PlatformConfig, policy: unknown, roleName: string) {
    return (action: string, resource: string, context?: Record<string, string | string[]>) =>
        simulate(
            { principal: `arn:aws:iam::${cfg.naming.accountId}:role/${roleName}`, action, resource, resourceAccount: cfg.naming.accountId, context },
            { identityPolicy: policy, resourcePolicy: action.startsWith("kms:") ? rootDelegationKeyPolicy(cfg) : undefined },
        );
}

describe("components/analytics/emr", () => {
    it("runs EMR Serverless Spark in the private subnets with auto-stop, a capacity cap and encrypted logs (default)", async () => {
        const { cfg, rec } = await record("dev");
        const keys = fakeKeys(cfg);
        const app = inputs(one(rec, "aws:emrserverless/application:Application", "emr-spark"));
        const results = bucketRef(cfg, "results").name;
        assert.deepStrictEqual(
            {
                name: app.name,
                type: app.type,
                releaseLabel: app.releaseLabel,
                network: app.networkConfiguration,
                autoStop: app.autoStopConfiguration,
                max: app.maximumCapacity,
                monitoring: app.monitoringConfiguration,
                interactive: app.interactiveConfiguration,
            },
            {
                name: "hdp-dev-spark",
                type: "spark",
                releaseLabel: "emr-7.5.0",
                network: { subnetIds: fakeNetwork(cfg).privateSubnetIds, securityGroupIds: ["sg-0123456789abcdef0"] },
                autoStop: { enabled: true, idleTimeoutMinutes: 15 },
                max: { cpu: "32 vCPU", memory: "128 GB", disk: "640 GB" },
                monitoring: {
                    s3MonitoringConfiguration: { logUri: `s3://${results}/emr-logs/serverless/`, encryptionKeyArn: keys.dataLake.arn },
                    cloudwatchLoggingConfiguration: { enabled: true, logGroupName: "/aws/emr-serverless/hdp-dev-spark", encryptionKeyArn: keys.logs.arn },
                    managedPersistenceMonitoringConfiguration: { enabled: false },
                },
                interactive: { studioEnabled: false, livyEndpointEnabled: false },
            },
        );
        const spark = (app.runtimeConfigurations as { properties: Record<string, string> }[])[0].properties;
        assert.strictEqual(spark["spark.hadoop.fs.s3.enableServerSideEncryption"], "true");
        assert.strictEqual(spark["spark.hadoop.fs.s3.serverSideEncryption.kms.keyId"], keys.dataLake.arn);
        const logs = inputs(one(rec, "aws:cloudwatch/logGroup:LogGroup", "emr-logs"));
        assert.deepStrictEqual(logs, { name: "/aws/emr-serverless/hdp-dev-spark", kmsKeyId: keys.logs.arn, retentionInDays: 14 });
        assert.strictEqual(ofType(rec, "aws:emr/cluster:Cluster").length, 0);
        assert.strictEqual(ofType(rec, "aws:emr/securityConfiguration:SecurityConfiguration").length, 0);
        const trust = JSON.parse(String(inputs(one(rec, "aws:iam/role:Role", "emr-job-role")).assumeRolePolicy));
        assert.deepStrictEqual(trust.Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": cfg.naming.accountId },
            ArnLike: { "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${cfg.naming.accountId}:/applications/*` },
        });
    });

    it("limits the job role to reading raw and curated and writing curated (evaluated, known at preview)", async () => {
        const { cfg, rec } = await record("prod", {}, { realKeys: true });
        const policy = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "emr-job-policy"));
        const can = roleCan(cfg, policy, "hdp-prod-spark-job");
        const obj = (zone: string) => `${bucketRef(cfg, zone).arn}/customer=st-marys/source=ehr/year=2025/month=03/day=07/part-0.parquet`;
        assert.strictEqual(await can("s3:GetObject", obj("raw")), "Allowed");
        assert.strictEqual(await can("s3:GetObject", obj("curated")), "Allowed");
        assert.strictEqual(await can("s3:PutObject", obj("curated")), "Allowed");
        assert.strictEqual(await can("s3:DeleteObject", obj("curated")), "Allowed");
        assert.strictEqual(await can("s3:PutObject", obj("raw")), "ImplicitlyDenied");
        assert.strictEqual(await can("s3:GetObject", obj("landing")), "ImplicitlyDenied");
        assert.strictEqual(await can("s3:GetObject", obj("import")), "ImplicitlyDenied");
        assert.strictEqual(await can("s3:PutObject", obj("import")), "ImplicitlyDenied");
        assert.strictEqual(await can("s3:PutObject", `${bucketRef(cfg, "results").arn}/emr-logs/serverless/app/driver/stderr.gz`), "Allowed");
        assert.strictEqual(await can("s3:PutObject", `${bucketRef(cfg, "results").arn}/athena/x.csv`), "ImplicitlyDenied");
        const glue = (db: string) => `arn:aws:glue:us-east-1:${cfg.naming.accountId}:table/${db}/encounters`;
        assert.strictEqual(await can("glue:GetTable", glue("hdp_prod_raw")), "Allowed");
        assert.strictEqual(await can("glue:UpdateTable", glue("hdp_prod_curated")), "Allowed");
        assert.strictEqual(await can("glue:UpdateTable", glue("hdp_prod_raw")), "ImplicitlyDenied");
        const key = `arn:aws:kms:us-east-1:${cfg.naming.accountId}:key/11111111-2222-4333-8444-555555555555`;
        assert.strictEqual(await can("kms:GenerateDataKey", key, { "kms:ResourceAliases": ["alias/hdp-prod-data-lake"] }), "Allowed");
        assert.strictEqual(await can("kms:Decrypt", key, { "kms:ResourceAliases": ["alias/hdp-prod-secrets"] }), "ImplicitlyDenied");
    });

    it("in cluster mode encrypts S3, local disks and node traffic through a security configuration known at preview", async () => {
        const { cfg, rec } = await record("prod", { emrMode: "cluster", emrTlsCertificatesS3Object: CERTS }, { realKeys: true });
        const sc = one(rec, "aws:emr/securityConfiguration:SecurityConfiguration", "emr-security-configuration");
        const raw = inputs(sc).configuration;
        assert.notStrictEqual(raw, UNKNOWN);
        const acct = cfg.naming.accountId;
        assert.deepStrictEqual(JSON.parse(String(raw)), {
            EncryptionConfiguration: {
                EnableAtRestEncryption: true,
                EnableInTransitEncryption: true,
                AtRestEncryptionConfiguration: {
                    S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey: `arn:aws:kms:us-east-1:${acct}:alias/hdp-prod-data-lake` },
                    LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "AwsKms", AwsKmsKey: `arn:aws:kms:us-east-1:${acct}:alias/hdp-prod-databases`, EnableEbsEncryption: true },
                },
                InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: "PEM", S3Object: CERTS } },
            },
            InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
        });
        const clusterRes = one(rec, "aws:emr/cluster:Cluster", "emr-cluster");
        const cluster = inputs(clusterRes);
        assert.strictEqual(cluster.securityConfiguration, "hdp-prod-emr-encryption");
        assert.deepStrictEqual(clusterRes.propertyDependencies.securityConfiguration, [sc.urn]);
        assert.strictEqual(cluster.logUri, `s3://${bucketRef(cfg, "results").name}/emr-logs/cluster/`);
        assert.strictEqual(cluster.terminationProtection, false);
        assert.deepStrictEqual(cluster.autoTerminationPolicy, { idleTimeout: 3600 });
        const ec2 = cluster.ec2Attributes as Record<string, unknown>;
        assert.strictEqual(ec2.subnetId, (fakeNetwork(cfg).privateSubnetIds as string[])[0]);
        assert.strictEqual(ec2.additionalMasterSecurityGroups, "sg-0123456789abcdef0");
        const sgs = ofType(rec, "aws:ec2/securityGroup:SecurityGroup").map(inputs);
        assert.strictEqual(sgs.length, 3);
        for (const sg of sgs) assert.deepStrictEqual(sg.tags, { "for-use-with-amazon-emr-managed-policies": "true" });
        assert.strictEqual(inputs(one(rec, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "emr-service-managed-policy")).policyArn, "arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2");
        const instance = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "emr-instance-policy"));
        const can = roleCan(cfg, instance, "hdp-prod-emr-instance");
        assert.strictEqual(await can("s3:GetObject", "arn:aws:s3:::hdp-certs-345678901234/emr/in-transit.zip"), "Allowed");
        assert.strictEqual(await can("s3:GetObject", "arn:aws:s3:::hdp-certs-345678901234/emr/other.zip"), "ImplicitlyDenied");
        const service = policyDocument(one(rec, "aws:iam/rolePolicy:RolePolicy", "emr-service-policy"));
        const pass = roleCan(cfg, service, "hdp-prod-emr-service");
        assert.strictEqual(await pass("iam:PassRole", `arn:aws:iam::${acct}:role/hdp-prod-emr-instance`, { "iam:PassedToService": "ec2.amazonaws.com" }), "Allowed");
        assert.strictEqual(await pass("iam:PassRole", `arn:aws:iam::${acct}:role/hdp-prod-spark-job`, { "iam:PassedToService": "ec2.amazonaws.com" }), "ImplicitlyDenied");
        const emrPolicy = policies.filter((p) => p.name === "emr-encryption-at-rest");
        assert.deepStrictEqual(await runPack(rec, cfg, emrPolicy), { mandatory: [], advisory: [], previewSkipped: [] });
    });

    it("refuses cluster mode without the in-transit certificates, naming the config key", async () => {
        const cfg = platformConfig("dev");
        await assert.rejects(
            recordProgram(program(cfg, { extra: { settings: { ...cfg.analytics.emr, mode: "cluster" } } }), { mode: "preview" }),
            /EmrProcessing 'emr': tlsCertificatesS3Object \(config emrTlsCertificatesS3Object\): expected s3:\/\/<bucket>\/<key>.zip of the PEM certificates for in-transit encryption when emrMode is cluster, got nothing/,
        );
    });

    it("creates nothing when emrMode is none", async () => {
        const { rec } = await record("dev", { emrMode: "none" });
        const component = one(rec, "healthcare:analytics:EmrProcessing", "emr");
        assert.deepStrictEqual(descendants(rec, component.urn), []);
        for (const t of ["aws:emrserverless/application:Application", "aws:emr/cluster:Cluster", "aws:emr/securityConfiguration:SecurityConfiguration"]) {
            assert.strictEqual(ofType(rec, t).length, 0);
        }
    });

    for (const mode of ["preview", "up"] as const) {
        for (const emrMode of ["serverless", "cluster"] as const) {
            it(`passes the policy pack with nothing mandatory and nothing skipped (${emrMode}, ${mode})`, async () => {
                const { cfg, rec } = await record("prod", { emrMode, emrTlsCertificatesS3Object: CERTS }, { realKeys: true, mode });
                const verdict = await runPack(rec, cfg);
                assert.deepStrictEqual([verdict.mandatory, verdict.previewSkipped], [[], []]);
            });
        }
    }
});
