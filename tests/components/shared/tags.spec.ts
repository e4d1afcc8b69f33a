import * as assert from "assert";
import { classificationTags, CUSTOMER_ID_PATTERN, standardTags } from "../../../components/shared/tags";

describe("components/shared/tags", () => {
    it("produces the standard tag set with the keys policies and Macie match on", async () => {
        assert.deepStrictEqual(standardTags({ environment: "prod", dataClassification: "phi", owner: "data-team", costCenter: "cc-1" }), {
            environment: "prod",
            "data-classification": "phi",
            owner: "data-team",
            "cost-center": "cc-1",
            "managed-by": "pulumi",
        });
    });

    it("lets a resource refine its classification", async () => {
        assert.deepStrictEqual(classificationTags("confidential", { purpose: "logs" }), { "data-classification": "confidential", purpose: "logs" });
    });

    it("accepts tag-safe customer ids only", async () => {
        for (const ok of ["a", "st-marys", "clinic42"]) assert.ok(CUSTOMER_ID_PATTERN.test(ok), ok);
        for (const bad of ["", "-a", "a-", "St-Marys", "a b", "a/b", "x".repeat(33)]) assert.ok(!CUSTOMER_ID_PATTERN.test(bad), bad);
    });
});
