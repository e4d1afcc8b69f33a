import * as assert from "assert";
import { openSearchZones } from "../../../components/analytics/settings";
import { platformConfig, stackProblems } from "../../support/platform";

const problemsFor = stackProblems;

describe("components/analytics/settings", () => {
    it("spreads OpenSearch nodes over one zone, then two, or three for multiples of 3", async () => {
        assert.deepStrictEqual([1, 2, 3, 4, 6, 8, 9].map(openSearchZones), [1, 2, 3, 2, 3, 2, 3]);
    });

    it("refuses node counts that cannot spread evenly, or over more zones than the network has", async () => {
        assert.deepStrictEqual(problemsFor("dev", { opensearchEnabled: true, opensearchInstanceCount: 5 }), [
            "healthcare-data-platform:opensearchInstanceCount: expected an even number or a multiple of 3 so nodes spread evenly over availability zones (zone awareness), got 5",
        ]);
        // dev has two availability zones, so two private subnets: three zone-aware nodes cannot be placed.
        assert.deepStrictEqual(problemsFor("dev", { opensearchEnabled: true, opensearchInstanceCount: 3 }), [
            "healthcare-data-platform:opensearchInstanceCount: expected a count that spreads over at most availabilityZones (2) zones: a multiple of 3 spreads over 3, got 3",
        ]);
        assert.strictEqual(platformConfig("prod").analytics.opensearch.instanceCount, 3);
        assert.strictEqual(platformConfig("dev", { opensearchEnabled: true, opensearchInstanceCount: 4 }).analytics.opensearch.instanceCount, 4);
    });

    it("gives the analytics functions at least the 10 seconds an Athena query needs", async () => {
        assert.deepStrictEqual(problemsFor("dev", { analyticsLambdaTimeoutSeconds: 5 }), ["healthcare-data-platform:analyticsLambdaTimeoutSeconds: expected an integer from 10 to 900, got 5"]);
    });
});
