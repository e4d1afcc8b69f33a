import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BatchEtl, crawlerPath } from "../../../components/ingestion/batch-etl";
import { BatchEtlSettings } from "../../../components/ingestion/settings";
import { PlatformConfig } from "../../../components/shared/config";
import { Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, fakeNetwork, inputs, isWireSecret, one, ofType, ROOT, SECRET_SIG } from "../../support/platform";
import { sourcePrefix, tableSource } from "../../../components/shared/lake-layout";
import { bucketRef, decide, documentOf, MODES, platformConfig, record } from "./support";
import { PYTHON, runOne } from "./glue/harness";

/** The batch settings of a config that switches batch ETL on. */
function batchOf(cfg: PlatformConfig): BatchEtlSettings {
    assert.ok(cfg.ingestion.batch.enabled, "batch ETL is on");
    return cfg.ingestion.batch;
}

const build = (cfg: PlatformConfig, extra: { manageCatalogEncryption?: boolean } = {}) => () =>
    new BatchEtl("ingest-batch", {
        context: contextOf(cfg),
        config: batchOf(cfg),
        customer: cfg.ingestion.onPremCustomer,
        keys: fakeKeys(cfg),
        network: fakeNetwork(cfg),
        rawBucket: bucketRef(cfg, "raw"),
        assetsBucket: bucketRef(cfg, "glue-assets"),
        ...extra,
    });

/** Every plain string of a wire value, not descending into secrets. */
function plainStrings(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => plainStrings(v, out));
    else if (value && typeof value === "object" && !isWireSecret(value)) Object.values(value).forEach((v) => plainStrings(v, out));
    return out;
}

// A dev stack with the site-to-site VPN and batch ETL from a MySQL source (dev's files leave batch off).
const DEV_BATCH = {
    batchEtlEnabled: true,
    onPremCidrs: ["192.168.0.0/20"],
    onPremVpnPeerIp: "203.0.113.99",
    onPremJdbcUrl: "jdbc:mysql://lab-db.northside.internal:3306/lab",
    onPremDbUsername: "etl_reader",
    onPremDbPassword: { secure: "v1:dev" },
    etlSourceTables: ["lab.results:updated_at", "lab.orders"],
    onPremCustomer: "northside-clinic",
    etlSchedule: "cron(30 3 * * ? *)",
    // The on-prem database presents a certificate from the hospital's private CA.
    onPremJdbcCertS3Uri: "s3://hdp-dev-glue-assets-210987654321-us-east-1/certs/northside-ca.pem",
};

describe("components/ingestion/batch-etl: BatchEtl", () => {
    for (const stack of ["dev", "prod"] as const) {
        for (const mode of MODES) {
            describe(`${stack}${stack === "dev" ? " (batch ETL switched on, MySQL source)" : ""}, ${mode}`, () => {
                const cfg = stack === "prod" ? platformConfig("prod") : platformConfig("dev", DEV_BATCH);
                const keys = fakeKeys(cfg);
                const account = cfg.naming.accountId;
                const p = `${cfg.naming.prefix}-${stack}`;
                const customer = stack === "prod" ? "st-marys" : "northside-clinic";
                const raw = bucketRef(cfg, "raw");
                const assets = bucketRef(cfg, "glue-assets");
                let rec: Recording;
                before(async () => {
                    rec = await record(cfg, stack, mode, build(cfg));
                });

                it("encrypts the Data Catalog, connection passwords, job output, logs and bookmarks with the platform's keys", async () => {
                    assert.deepStrictEqual(inputs(one(rec, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings", "ingest-batch-catalog-encryption")).dataCatalogEncryptionSettings, {
                        encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: keys.dataLake.arn },
                        connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: keys.secrets.arn },
                    });
                    assert.deepStrictEqual(inputs(one(rec, "aws:glue/securityConfiguration:SecurityConfiguration", "ingest-batch-security")), {
                        name: `${p}-ingest-batch-security`,
                        encryptionConfiguration: {
                            s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: keys.dataLake.arn },
                            cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: keys.logs.arn },
                            jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: keys.dataLake.arn },
                        },
                    });
                });

                it("keeps the database password in a Secrets Manager secret, secret in state and nowhere else in plain text", async () => {
                    const secret = one(rec, "aws:secretsmanager/secret:Secret", "ingest-batch-db-secret");
                    assert.strictEqual(inputs(secret).name, `${p}-ingest-batch-onprem-jdbc`);
                    assert.strictEqual(inputs(secret).kmsKeyId, keys.secrets.arn);
                    // Dev deletes at once: a secret in its recovery window keeps its name, and re-creating the stack within
                    // the window would fail. Prod keeps the longest window (and protects the secret).
                    assert.strictEqual(inputs(secret).recoveryWindowInDays, stack === "prod" ? 30 : 0);
                    assert.strictEqual(secret.options.protect, stack === "prod");
                    const version = one(rec, "aws:secretsmanager/secretVersion:SecretVersion", "ingest-batch-db-secret-value");
                    assert.ok(isWireSecret(version.inputs.secretString), "secretString is a secret on the wire");
                    assert.ok(version.options.additionalSecretOutputs.includes("secretString"), "the provider's echo stays secret");
                    const password = `offline-secret-healthcare-data-platform:onPremDbPassword`;
                    assert.deepStrictEqual(JSON.parse(inputs(version).secretString as string), { username: cfg.ingestion.batch.username, password });
                    const leaks = rec.resources.flatMap((r) => plainStrings(r.inputs).concat(plainStrings(r.outputs))).filter((s) => s.includes(password));
                    assert.deepStrictEqual(leaks, [], "the password appears only inside secret values");
                    assert.ok(JSON.stringify(version.inputs).includes(SECRET_SIG));
                });

                it("connects over JDBC with SSL enforced, credentials from the secret, in a private subnet with the compute security group", async () => {
                    const conn = inputs(one(rec, "aws:glue/connection:Connection", "ingest-batch-jdbc"));
                    assert.strictEqual(conn.name, `${p}-ingest-batch-onprem-jdbc`);
                    assert.strictEqual(conn.connectionType, "JDBC");
                    assert.deepStrictEqual(conn.connectionProperties, {
                        JDBC_CONNECTION_URL: cfg.ingestion.batch.jdbcUrl,
                        JDBC_ENFORCE_SSL: "true",
                        SECRET_ID: `${p}-ingest-batch-onprem-jdbc`,
                        // dev: the private CA's certificate, validated (prod's database has a publicly trusted one).
                        ...(stack === "dev" ? { CUSTOM_JDBC_CERT: DEV_BATCH.onPremJdbcCertS3Uri, SKIP_CUSTOM_JDBC_CERT_VALIDATION: "false" } : {}),
                    });
                    const phys = conn.physicalConnectionRequirements as Record<string, unknown>;
                    assert.strictEqual(phys.subnetId, "subnet-0aaa1111bbbb2222c");
                    assert.deepStrictEqual(phys.securityGroupIdLists, ["sg-0123456789abcdef0"]);
                    // The subnet's zone, from aws.ec2.getSubnet (the Glue API requires it next to the subnet).
                    assert.strictEqual(phys.availabilityZone, "us-east-1a");
                    assert.deepStrictEqual(rec.invokes.map((i) => [i.token, i.args.id]), [["aws:ec2/getSubnet:getSubnet", "subnet-0aaa1111bbbb2222c"]]);
                });

                it("crawls exactly the configured source tables into its own catalog database", async () => {
                    const crawler = inputs(one(rec, "aws:glue/crawler:Crawler", "ingest-batch-crawler"));
                    const expectedPaths = stack === "prod" ? ["ehr/ehr/encounters", "ehr/ehr/observations", "ehr/ehr/patients"] : ["lab/results", "lab/orders"];
                    assert.deepStrictEqual(
                        (crawler.jdbcTargets as { path: string; connectionName: string }[]).map((t) => [t.connectionName, t.path]),
                        expectedPaths.map((x) => [`${p}-ingest-batch-onprem-jdbc`, x]),
                    );
                    assert.strictEqual(crawler.databaseName, `${p}-ingest-batch-source`.replace(/-/g, "_"));
                    assert.strictEqual(crawler.securityConfiguration, `${p}-ingest-batch-security`);
                    assert.strictEqual(crawler.role, `arn:aws:iam::${account}:role/${p}-ingest-batch-glue`);
                    assert.deepStrictEqual(crawler.schemaChangePolicy, { deleteBehavior: "LOG", updateBehavior: "UPDATE_IN_DATABASE" });
                });

                it("uploads the ETL script from the repository as an SSE-KMS object and runs it on the schedule with job bookmarks", async () => {
                    const script = one(rec, "aws:s3/bucketObjectv2:BucketObjectv2", "ingest-batch-script");
                    const s = inputs(script);
                    assert.strictEqual(s.bucket, assets.name);
                    assert.strictEqual(s.key, `glue/scripts/${p}-ingest-batch-jdbc-to-parquet/jdbc_to_parquet.py`);
                    assert.strictEqual(s.serverSideEncryption, "aws:kms");
                    assert.strictEqual(s.kmsKeyId, keys.dataLake.arn);
                    const source = s.source as { path: string };
                    assert.strictEqual(source.path, path.join(ROOT, "components", "ingestion", "glue", "jdbc_to_parquet.py"));
                    assert.ok(fs.existsSync(source.path));

                    const job = inputs(one(rec, "aws:glue/job:Job", "ingest-batch-job"));
                    assert.strictEqual(job.glueVersion, "4.0");
                    assert.deepStrictEqual(job.command, { name: "glueetl", pythonVersion: "3", scriptLocation: `s3://${assets.name}/${s.key}` });
                    assert.strictEqual(job.securityConfiguration, `${p}-ingest-batch-security`);
                    assert.deepStrictEqual(job.connections, [`${p}-ingest-batch-onprem-jdbc`]);
                    assert.deepStrictEqual(job.executionProperty, { maxConcurrentRuns: 1 });
                    const args = job.defaultArguments as Record<string, string>;
                    assert.strictEqual(args["--job-bookmark-option"], "job-bookmark-enable");
                    assert.strictEqual(args["--enable-continuous-cloudwatch-log"], "true");
                    assert.strictEqual(args["--TempDir"], `s3://${assets.name}/glue/temp/${p}-ingest-batch-jdbc-to-parquet/`);
                    assert.strictEqual(args["--source_tables"], cfg.ingestion.batch.sourceTables.join(","));
                    assert.strictEqual(args["--connection_type"], stack === "prod" ? "postgresql" : "mysql");
                    assert.deepStrictEqual(job.nonOverridableArguments, {
                        "--target_path": `s3://${raw.name}/customer=${customer}/`,
                        "--customer": customer,
                        // Each table's source, from lake-layout.ts tableSource; the script folds nothing itself.
                        "--table_sources": stack === "prod" ? "ehr.encounters=ehr-encounters,ehr.observations=ehr-observations,ehr.patients=ehr-patients" : "lab.results=lab-results,lab.orders=lab-orders",
                    });

                    const trigger = inputs(one(rec, "aws:glue/trigger:Trigger", "ingest-batch-schedule"));
                    assert.strictEqual(trigger.type, "SCHEDULED");
                    assert.strictEqual(trigger.schedule, cfg.ingestion.batch.schedule);
                    assert.strictEqual(trigger.startOnCreation, true);
                    assert.deepStrictEqual(trigger.actions, [{ jobName: `${p}-ingest-batch-jdbc-to-parquet` }]);

                    const component = one(rec, "healthcare:ingestion:BatchEtl", "ingest-batch");
                    assert.strictEqual(descendants(rec, component.urn).length, rec.resources.length - 2, "every resource is parented under the component");
                });

                it("runs the uploaded script with the job's arguments: each table lands under the source prefix lake-layout.ts gives it", async function () {
                    if (!PYTHON) {
                        this.skip(); // python3 is not installed on this machine: the script cannot run here
                    }
                    const job = inputs(one(rec, "aws:glue/job:Job", "ingest-batch-job"));
                    const jobArgs = {
                        "--JOB_NAME": job.name as string,
                        ...(job.defaultArguments as Record<string, string>),
                        ...(job.nonOverridableArguments as Record<string, string>),
                    };
                    const tables = batchOf(cfg).tables;
                    const run = runOne({ main: { args: jobArgs, rows: Object.fromEntries(tables.map((t) => [`${t.schema}.${t.table}`, 1])) } });
                    assert.strictEqual(run.error, undefined);
                    assert.deepStrictEqual(
                        (run.events ?? []).filter((e) => "write" in e).map((e) => e.path),
                        tables.map((t) => `s3://${raw.name}/${sourcePrefix(customer, tableSource(t.schema, t.table) as string)}`),
                    );
                    // A manual run may narrow the tables, but not point them elsewhere.
                    const narrowed = runOne({ main: { args: { ...jobArgs, "--source_tables": `${tables[1].schema}.${tables[1].table}` }, rows: { [`${tables[1].schema}.${tables[1].table}`]: 1 } } });
                    assert.deepStrictEqual(
                        (narrowed.events ?? []).filter((e) => "write" in e).map((e) => e.path),
                        [`s3://${raw.name}/customer=${customer}/source=${tables[1].source}/`],
                    );
                });

                it("gives the Glue role a policy known at preview that writes only its customer's raw prefix, append-only", async () => {
                    const role = `arn:aws:iam::${account}:role/${p}-ingest-batch-glue`;
                    const policy = documentOf(one(rec, "aws:iam/rolePolicy:RolePolicy", "ingest-batch-glue-policy"), "policy");
                    const can = (action: string, resource: string) => decide(role, [policy], { action, resource }, account);
                    assert.strictEqual(await can("s3:PutObject", `${raw.arn}/customer=${customer}/source=ehr-encounters/year=2025/month=01/day=01/part-0.parquet`), "Allowed");
                    assert.strictEqual(await can("s3:PutObject", `${raw.arn}/customer=lakeview-hospital/source=ehr-encounters/x.parquet`), "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:DeleteObject", `${raw.arn}/customer=${customer}/source=ehr-encounters/x.parquet`), "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:PutObject", `${bucketRef(cfg, "curated").arn}/customer=${customer}/x`), "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:GetObject", `${assets.arn}/glue/scripts/${p}-ingest-batch-jdbc-to-parquet/jdbc_to_parquet.py`), "Allowed");
                    assert.strictEqual(await can("s3:PutObject", `${assets.arn}/glue/scripts/${p}-ingest-batch-jdbc-to-parquet/jdbc_to_parquet.py`), "ImplicitlyDenied");
                    const secretArn = `arn:aws:secretsmanager:us-east-1:${account}:secret:${p}-ingest-batch-onprem-jdbc-AbC123`;
                    assert.strictEqual(await can("secretsmanager:GetSecretValue", secretArn), "Allowed");
                    assert.strictEqual(await can("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${account}:secret:${p}-rds-master-AbC123`), "ImplicitlyDenied");
                    // The private CA's certificate object, and nothing else under its prefix.
                    const cert = `arn:aws:s3:::${DEV_BATCH.onPremJdbcCertS3Uri.slice("s3://".length)}`;
                    assert.strictEqual(await can("s3:GetObject", cert), stack === "dev" ? "Allowed" : "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:GetObject", cert.replace("northside-ca.pem", "other.pem")), "ImplicitlyDenied");
                    const trust = documentOf(one(rec, "aws:iam/role:Role", "ingest-batch-glue-role"), "assumeRolePolicy");
                    assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "glue.amazonaws.com" });
                });
            });
        }
    }

    it("leaves the account's Data Catalog encryption settings alone when another component owns them", async () => {
        const cfg = platformConfig("prod");
        const rec = await record(cfg, "prod", "preview", build(cfg, { manageCatalogEncryption: false }));
        assert.deepStrictEqual(ofType(rec, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"), []);
        assert.strictEqual(ofType(rec, "aws:glue/securityConfiguration:SecurityConfiguration").length, 1);
    });

    it("derives crawler paths per engine", async () => {
        assert.strictEqual(crawlerPath("postgresql", "ehr", { schema: "public", table: "patients" }), "ehr/public/patients");
        assert.strictEqual(crawlerPath("mysql", "lab", { schema: "lab", table: "results" }), "lab/results");
    });
});
