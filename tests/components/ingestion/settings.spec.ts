import * as assert from "assert";
import { ConfigValidationError, loadPlatformConfig } from "../../../components/shared/config";
import { parseJdbcUrl, parseSourceTable } from "../../../components/ingestion/settings";
import { mapSource, platformConfig, stackConfigMap } from "../../support/platform";

function problemsFor(overrides: Record<string, unknown>): string[] {
    try {
        loadPlatformConfig(mapSource(stackConfigMap("prod", overrides), "prod"));
    } catch (err) {
        if (err instanceof ConfigValidationError) return err.problems;
        throw err;
    }
    assert.fail(`expected a ConfigValidationError for ${JSON.stringify(overrides)}`);
}

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
        // Firehose dynamic partitioning needs a 64 MiB buffer.
        assert.deepStrictEqual(problemsFor({ firehoseBufferMiB: 32 }), ["healthcare-data-platform:firehoseBufferMiB: expected an integer from 64 to 128, got 32"]);
        // The file gateway: a share open to the world, an SMB share without users, neither activation key nor address.
        assert.deepStrictEqual(problemsFor({ storageGatewayNfsClientCidrs: ["0.0.0.0/0"] }), [
            "healthcare-data-platform:storageGatewayNfsClientCidrs[0]: expected a client network of /8 or narrower (the share is restricted to the hospital's client networks), got '0.0.0.0/0'",
        ]);
        assert.deepStrictEqual(problemsFor({ storageGatewaySmb: true }), [
            "healthcare-data-platform:storageGatewaySmbAllowedUsers: expected at least one Active Directory user or @group when storageGatewaySmb is true (guest access is never enabled), got []",
        ]);
        assert.deepStrictEqual(problemsFor({ storageGatewayIpAddress: undefined }), [
            "healthcare-data-platform:storageGatewayIpAddress: expected exactly one of storageGatewayActivationKey (secret) or storageGatewayIpAddress when storageGatewayEnabled is true, got undefined",
        ]);
        assert.deepStrictEqual(problemsFor({ storageGatewayActivationKey: { secure: "v1:key" } }), [
            "healthcare-data-platform:storageGatewayIpAddress: expected exactly one of storageGatewayActivationKey (secret) or storageGatewayIpAddress when storageGatewayEnabled is true, got '192.168.4.20'",
        ]);
    });

    it("hands batch ETL the parsed source and tables, so the component never parses", async () => {
        const batch = platformConfig("prod").ingestion.batch;
        assert.ok(batch.enabled);
        assert.deepStrictEqual(batch.source, { engine: "postgresql", database: "ehr" });
        assert.deepStrictEqual(batch.tables, [
            { schema: "ehr", table: "encounters", bookmarkKey: undefined },
            { schema: "ehr", table: "observations", bookmarkKey: undefined },
            { schema: "ehr", table: "patients", bookmarkKey: undefined },
        ]);
        assert.strictEqual(platformConfig("dev").ingestion.batch.enabled, false);
    });
});
