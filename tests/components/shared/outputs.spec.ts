import * as assert from "assert";
import { definedOutputs } from "../../../components/shared/outputs";

describe("components/shared/outputs: definedOutputs", () => {
    it("drops the top-level keys whose value is undefined and keeps every other value, falsy and nested ones included", () => {
        const nested = { endpoint: undefined, port: 5432 };
        const out = definedOutputs({ vpnConnectionId: undefined, zero: 0, empty: "", off: false, none: null, nested });
        assert.deepStrictEqual(Object.keys(out), ["zero", "empty", "off", "none", "nested"]);
        assert.strictEqual(out.nested, nested);
        assert.ok(!("vpnConnectionId" in out));
    });
});
