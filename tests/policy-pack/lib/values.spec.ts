import * as assert from "assert";
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import { allTri, anyTri, bool, containsUnknown, explicitlyFalse, get, getAny, isUnknown, isUnknownValueError, list, num, probe, raw, str, truthy, UNKNOWN, unknownPreviewError } from "../../../policy-pack/lib/values";
import { UNKNOWN as SENTINEL } from "../helpers";

const SECRET = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

describe("lib/values: the one value model", () => {
    it("probe reads through the SDK proxy: absent, unknown, known", () => {
        const props = unknownCheckingProxy({ a: 1, b: SENTINEL, c: null });
        assert.deepStrictEqual(probe(props, "a"), { state: "known", value: 1 });
        assert.deepStrictEqual(probe(props, "b"), { state: "unknown" });
        assert.deepStrictEqual(probe(props, "c"), { state: "absent" });
        assert.deepStrictEqual(probe(props, "missing"), { state: "absent" });
        assert.deepStrictEqual(probe("not an object", "a"), { state: "absent" });
    });

    it("get reads the proxy's target: unknown anywhere on the path is UNKNOWN, a missing step undefined, secrets unwrapped", () => {
        const props = unknownCheckingProxy({ a: { b: [10, SENTINEL] }, u: SENTINEL, s: SECRET({ k: "v" }) });
        assert.strictEqual(raw(props) !== props, true);
        assert.strictEqual(get(props, "a", "b", 0), 10);
        assert.strictEqual(get(props, "a", "b", 1), UNKNOWN);
        assert.strictEqual(get(props, "u", "deeper"), UNKNOWN);
        assert.strictEqual(get(props, "a", "x", "y"), undefined);
        assert.strictEqual(get(props, "s", "k"), "v");
        assert.strictEqual(getAny(props, "nope", "a") !== undefined, true);
    });

    it("interprets scalars the way providers send them", () => {
        assert.deepStrictEqual([str("x"), str(SENTINEL), str(1)], ["x", UNKNOWN, undefined]);
        assert.deepStrictEqual([num(3), num("4.5"), num(""), num("x"), num(SENTINEL)], [3, 4.5, undefined, undefined, UNKNOWN]);
        assert.deepStrictEqual([bool(true), bool("FALSE"), bool(" true "), bool("yes"), bool(SENTINEL)], [true, false, true, undefined, UNKNOWN]);
        assert.deepStrictEqual([truthy("true"), truthy(1), explicitlyFalse("false"), explicitlyFalse(undefined)], [true, false, true, false]);
        assert.deepStrictEqual(list(undefined), []);
        assert.deepStrictEqual(list("a"), ["a"]);
        assert.deepStrictEqual(list([SENTINEL, "b"]), [UNKNOWN, "b"]);
        assert.strictEqual(list(SENTINEL), UNKNOWN);
        assert.strictEqual(containsUnknown({ a: [{ b: SENTINEL }] }), true);
        assert.strictEqual(containsUnknown({ a: [{ b: "c" }] }), false);
        assert.strictEqual(isUnknown(UNKNOWN) && isUnknown(SENTINEL) && !isUnknown("x"), true);
    });

    it("three-valued logic: a known answer wins over an unknown one", () => {
        assert.deepStrictEqual([anyTri([false, UNKNOWN, true]), anyTri([false, UNKNOWN]), anyTri([])], [true, UNKNOWN, false]);
        assert.deepStrictEqual([allTri([true, UNKNOWN, false]), allTri([true, UNKNOWN]), allTri([])], [false, UNKNOWN, true]);
    });

    it("recognises the SDK's unknown-value error, also from another copy of the SDK, and builds one with a message", () => {
        assert.strictEqual(isUnknownValueError(new UnknownValueError(SENTINEL, ["a"])), true);
        const foreign = Object.assign(new Error("x"), { unknownTypeSentinel: SENTINEL, props: ["a"] });
        assert.strictEqual(isUnknownValueError(foreign), true);
        assert.strictEqual(isUnknownValueError(new Error("x")), false);
        const err = unknownPreviewError("the policy document is not known until apply", ["policy"]);
        assert.ok(err instanceof UnknownValueError);
        assert.strictEqual(err.message, "the policy document is not known until apply");
    });
});
