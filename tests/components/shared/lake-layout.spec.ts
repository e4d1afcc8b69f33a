import * as assert from "assert";
import {
    CUSTOMER_IN_KEY_REGEX,
    customerOfKey,
    customerPrefix,
    customerPrefixOf,
    LAKE_SOURCES,
    partitionPrefix,
    sourcePrefix,
    sourcePrefixOf,
    SOURCE_PATTERN,
    tableSource,
} from "../../../components/shared/lake-layout";
import { platformConfig } from "../../support/platform";

const DAY = new Date(Date.UTC(2025, 2, 7, 23, 59));

describe("components/shared/lake-layout", () => {
    it("builds the Hive-style customer/source/date prefix with zero-padded UTC dates", () => {
        assert.strictEqual(partitionPrefix({ customer: "st-marys", source: "ehr", date: DAY }), "customer=st-marys/source=ehr/year=2025/month=03/day=07/");
        assert.strictEqual(customerPrefix("st-marys"), "customer=st-marys/");
        assert.strictEqual(sourcePrefix("st-marys", LAKE_SOURCES.fileGatewaySmb), "customer=st-marys/source=file-gateway-smb/");
    });

    it("accepts exactly the customer ids config validation accepts: 1-32 lowercase letters, digits, inner hyphens", () => {
        const longest = "a".repeat(32);
        assert.strictEqual(customerPrefix(longest), `customer=${longest}/`);
        for (const bad of ["a".repeat(33), "St-Marys", "-a", "a-", "", "a/b", "a b"]) {
            assert.throws(() => partitionPrefix({ customer: bad, source: "ehr", date: DAY }), {
                message: `partitionPrefix: customer must be a customer id (1-32 lowercase letters, digits and inner hyphens), got '${bad}'`,
            });
        }
        // The same id through config: 33 characters is refused there too, 32 accepted.
        assert.throws(() => platformConfig("dev", { customers: ["a".repeat(33)] }), /customers\[0\]: expected a tag-safe customer id: 1-32 lowercase letters, digits and inner hyphens, got .a{33}.$/m);
        assert.deepStrictEqual(platformConfig("dev", { customers: [longest] }).customers, [longest]);
    });

    it("rejects sources and dates that would break the partition path", () => {
        assert.throws(() => partitionPrefix({ customer: "st-marys", source: "ehr/x", date: DAY }), {
            message: "partitionPrefix: source must be lowercase letters, digits and inner hyphens (1-64), got 'ehr/x'",
        });
        assert.throws(() => sourcePrefix("st-marys", "x".repeat(65)), /^Error: sourcePrefix: source must be .* \(1-64\)/);
        assert.throws(() => partitionPrefix({ customer: "st-marys", source: "ehr", date: new Date("nope") }), { message: "partitionPrefix: date is not a valid Date" });
    });

    it("leaves placeholders unchecked only through the *Of builders (IAM variables, Firehose expressions, wildcards)", () => {
        assert.strictEqual(customerPrefixOf("${aws:PrincipalTag/customer}"), "customer=${aws:PrincipalTag/customer}/");
        assert.strictEqual(sourcePrefixOf("*", LAKE_SOURCES.stream), "customer=*/source=stream/");
        assert.throws(() => customerPrefix("*"), /customerPrefix: customer must be a customer id/);
    });

    it("names an on-prem table's source by folding case and punctuation and cutting to 64 characters, always a valid source", () => {
        const long = "a".repeat(70);
        const vectors: [string, string, string | undefined][] = [
            ["ehr", "encounters", "ehr-encounters"],
            ["EHR", "Lab_Results", "ehr-lab-results"],
            // The fold is lossy: these are distinct tables with one value (config validation rejects the pair).
            ["ehr", "lab_results", "ehr-lab-results"],
            ["ehr_lab", "results", "ehr-lab-results"],
            ["_ehr__", "$x$", "ehr-x"],
            ["ehr", long, `ehr-${"a".repeat(60)}`],
            // Cut at 64 leaves a trailing hyphen, which is dropped: 63 characters.
            ["ehr", `${"b".repeat(59)}_c`, `ehr-${"b".repeat(59)}`],
            ["_", "_", undefined],
            ["_", "$", undefined],
        ];
        for (const [schema, table, expected] of vectors) {
            const source = tableSource(schema, table);
            assert.strictEqual(source, expected, `${schema}.${table}`);
            if (source !== undefined) {
                assert.ok(SOURCE_PATTERN.test(source), `${schema}.${table} -> '${source}' is a valid source`);
                assert.strictEqual(sourcePrefix("st-marys", source), `customer=st-marys/source=${source}/`);
            }
        }
    });

    it("finds the customer of a key at the start or after a folder, as the Athena queries do", () => {
        assert.strictEqual(customerOfKey(partitionPrefix({ customer: "st-marys", source: "ehr", date: DAY }) + "a.parquet"), "st-marys");
        assert.strictEqual(customerOfKey("exports/customer=northside-clinic/2025-03-07.csv"), "northside-clinic");
        assert.strictEqual(customerOfKey("athena/hdp-dev-analytics/q.csv"), undefined);
        assert.strictEqual(customerOfKey("xcustomer=st-marys/a"), undefined);
        assert.strictEqual(CUSTOMER_IN_KEY_REGEX, "(?:^|/)customer=([a-z0-9-]+)/");
    });
});
