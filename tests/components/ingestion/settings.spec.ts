import * as assert from "assert";
import { parseJdbcUrl, parseSourceTable } from "../../../components/ingestion/settings";
import { platformConfig, stackProblems } from "../../support/platform";

/** Ingestion's rules are judged on prod, where every path is on. */
const problemsFor = (overrides: Record<string, unknown>): string[] => stackProblems("prod", overrides);

describe("components/ingestion/settings", () => {
    it("parses JDBC URLs per engine, and finds no database where the URL names none", async () => {
        assert.deepStrictEqual(parseJdbcUrl("jdbc:postgresql://ehr:5432/ehr?ssl=true"), { engine: "postgresql", database: "ehr" });
        assert.deepStrictEqual(parseJdbcUrl("jdbc:mysql://lab:3306/lab"), { engine: "mysql", database: "lab" });
        assert.deepStrictEqual(parseJdbcUrl("jdbc:sqlserver://db:1433;databaseName=Clinical;encrypt=true"), { engine: "sqlserver", database: "Clinical" });
        assert.deepStrictEqual(parseJdbcUrl("jdbc:oracle:thin:@//db:1521/ORCLPDB1"), { engine: "oracle", database: "ORCLPDB1" });
        assert.strictEqual(parseJdbcUrl("jdbc:postgresql://ehr:5432/"), undefined);
        assert.strictEqual(parseJdbcUrl("jdbc:sqlserver://db:1433;encrypt=true"), undefined);
        assert.strictEqual(parseJdbcUrl("postgresql://ehr:5432/ehr"), undefined);
    });

    it("parses source tables with and without a bookmark column", async () => {
        assert.deepStrictEqual(parseSourceTable("ehr.encounters:updated_at"), { schema: "ehr", table: "encounters", bookmarkKey: "updated_at" });
        assert.deepStrictEqual(parseSourceTable("ehr.patients"), { schema: "ehr", table: "patients", bookmarkKey: undefined });
        assert.strictEqual(parseSourceTable("encounters"), undefined);
    });

    it("reports a JDBC URL without a database at config time, in the config message form", async () => {
        assert.deepStrictEqual(problemsFor({ onPremJdbcUrl: "jdbc:postgresql://ehr-db.stmarys.internal:5432/" }), [
            "healthcare-data-platform:onPremJdbcUrl: expected a JDBC URL such as jdbc:postgresql://ehr.hospital.local:5432/ehr that names the database (the crawler's include paths start with it), got 'jdbc:postgresql://ehr-db.stmarys.internal:5432/'",
        ]);
    });

    it("refuses, at config time, what the ingestion components used to refuse while registering", async () => {
        // Firehose's Parquet conversion needs a 64 MiB buffer.
        assert.deepStrictEqual(problemsFor({ firehoseBufferMiB: 32 }), ["healthcare-data-platform:firehoseBufferMiB: expected an integer from 64 to 128, got 32"]);
        // The file gateway: a share open to the world, an SMB share without users, neither activation key nor address.
        assert.deepStrictEqual(problemsFor({ storageGatewayNfsClientCidrs: ["0.0.0.0/0"], storageGatewayNfsUnencrypted: true }), [
            "healthcare-data-platform:storageGatewayNfsClientCidrs[0]: expected a client network of /8 or narrower (the share is restricted to the hospital's client networks), got '0.0.0.0/0'",
        ]);
        assert.deepStrictEqual(problemsFor({ storageGatewaySmbAllowedUsers: [] }), [
            "healthcare-data-platform:storageGatewaySmbAllowedUsers: expected at least one Active Directory user or @group when storageGatewaySmb is true (guest access is never enabled), got []",
        ]);
        assert.deepStrictEqual(problemsFor({ storageGatewayIpAddress: "192.168.4.20" }), [
            "healthcare-data-platform:storageGatewayIpAddress: expected exactly one of storageGatewayActivationKey (secret) or storageGatewayIpAddress when storageGatewayEnabled is true, got '192.168.4.20'",
        ]);
    });

    it("keeps PHI off unencrypted NFS in prod unless storageGatewayNfsUnencrypted opts in explicitly", async () => {
        const nfs = { storageGatewayNfsClientCidrs: ["192.168.4.0/24"] };
        assert.deepStrictEqual(problemsFor(nfs), [
            "healthcare-data-platform:storageGatewayNfsClientCidrs: expected no NFS client CIDRs in prod (NFS carries PHI unencrypted between clients and the appliance; use storageGatewaySmb, which requires SMB3 encryption), or storageGatewayNfsUnencrypted true to accept unencrypted NFS explicitly, got [\"192.168.4.0/24\"]",
        ]);
        assert.doesNotThrow(() => platformConfig("prod", { ...nfs, storageGatewayNfsUnencrypted: true }));
        // Prod's file gateway is SMB3 with encryption required, and no NFS share.
        const gw = platformConfig("prod").ingestion.storageGateway;
        assert.deepStrictEqual([gw.smbEnabled, gw.nfsClientCidrs], [true, []]);
    });

    it("requires the pre-fetched activation key in prod, naming the key and the command", async () => {
        assert.deepStrictEqual(problemsFor({ storageGatewayActivationKey: undefined }), [
            "healthcare-data-platform:storageGatewayActivationKey: expected a secret (pulumi config set --secret storageGatewayActivationKey <value>, fetched once from the appliance's local console) when storageGatewayEnabled is true in prod: a CI runner cannot reach the appliance's private address to activate it by storageGatewayIpAddress, got undefined",
        ]);
        assert.deepStrictEqual(problemsFor({ storageGatewayActivationKey: undefined, storageGatewayIpAddress: "192.168.4.20" }), [
            "healthcare-data-platform:storageGatewayActivationKey: expected a secret (pulumi config set --secret storageGatewayActivationKey <value>, fetched once from the appliance's local console) when storageGatewayEnabled is true in prod: a CI runner cannot reach the appliance's private address to activate it by storageGatewayIpAddress, got undefined",
        ]);
        assert.deepStrictEqual(problemsFor({ storageGatewayCacheDiskNode: "sdb" }), [
            "healthcare-data-platform:storageGatewayCacheDiskNode: expected the device node of the appliance's cache disk, such as /dev/sdb, got 'sdb'",
        ]);
    });

    it("takes the private-CA certificate for the JDBC connection as an s3:// URI of a PEM file", async () => {
        assert.deepStrictEqual(problemsFor({ onPremJdbcCertS3Uri: "https://example.org/ca.pem" }), [
            "healthcare-data-platform:onPremJdbcCertS3Uri: expected s3://<bucket>/<key>.pem, the private CA's certificate the Glue connection validates the database against, got 'https://example.org/ca.pem'",
        ]);
        const batch = platformConfig("prod", { onPremJdbcCertS3Uri: "s3://certs-bucket/ca/hospital.pem" }).ingestion.batch;
        assert.strictEqual(batch.jdbcCertS3Uri, "s3://certs-bucket/ca/hospital.pem");
    });

    it("rejects source tables whose raw-zone prefixes collide (case, punctuation, 64-character cut, repeats), naming them and the prefix", async () => {
        const rule = "source=<schema>-<table>, lowercased, every other run of characters one hyphen, at most 64 characters";
        const long = "a".repeat(70);
        assert.deepStrictEqual(
            problemsFor({
                etlSourceTables: [
                    "ehr.Lab_Results:updated_at",
                    "ehr.encounters",
                    "EHR.lab_results",
                    "ehr_lab.results",
                    `ehr.${long}_x`,
                    `ehr.${long}_y`,
                    "ehr.patients",
                    "ehr.patients:updated_at",
                    "_._",
                ],
            }),
            [
                `healthcare-data-platform:etlSourceTables[8]: expected schema.table with a letter or digit in it (its raw-zone prefix keeps only letters, digits and hyphens: ${rule}), got '_._'`,
                `healthcare-data-platform:etlSourceTables: expected tables that each map to their own raw-zone prefix (${rule}); these share source=ehr-lab-results/, got ["ehr.Lab_Results","EHR.lab_results","ehr_lab.results"]`,
                `healthcare-data-platform:etlSourceTables: expected tables that each map to their own raw-zone prefix (${rule}); these share source=ehr-${"a".repeat(60)}/, got ["ehr.${long}_x","ehr.${long}_y"]`,
                `healthcare-data-platform:etlSourceTables: expected tables that each map to their own raw-zone prefix (${rule}); these share source=ehr-patients/, got ["ehr.patients","ehr.patients"]`,
            ],
        );
        // Distinct prefixes pass, and each table carries its own to the component.
        const batch = platformConfig("prod", { etlSourceTables: ["ehr.Lab_Results:updated_at", "ehr.lab_orders"] }).ingestion.batch;
        assert.ok(batch.enabled);
        assert.deepStrictEqual(
            batch.tables.map((t) => t.source),
            ["ehr-lab-results", "ehr-lab-orders"],
        );
    });

    it("hands batch ETL the parsed source and tables, so the component never parses", async () => {
        const batch = platformConfig("prod").ingestion.batch;
        assert.ok(batch.enabled);
        assert.deepStrictEqual(batch.source, { engine: "postgresql", database: "ehr" });
        assert.deepStrictEqual(batch.tables, [
            { schema: "ehr", table: "encounters", bookmarkKey: undefined, source: "ehr-encounters" },
            { schema: "ehr", table: "observations", bookmarkKey: undefined, source: "ehr-observations" },
            { schema: "ehr", table: "patients", bookmarkKey: undefined, source: "ehr-patients" },
        ]);
        assert.strictEqual(platformConfig("dev").ingestion.batch.enabled, false);
    });
});
