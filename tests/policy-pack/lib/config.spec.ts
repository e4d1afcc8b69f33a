import * as assert from "assert";
import { ConfigReader, configSchema, numberList, option, PolicyConfigError, policyConfig, readConfig, stringList, withDefaults } from "../../../policy-pack/lib/config";

const args = (config: Record<string, unknown>) => ({ getConfig: <T extends object>() => config as T });

describe("lib/config: the one config reader", () => {
    const OPTIONS = {
        enabled: option.boolean(true, "On."),
        days: option.integer(90, 0, 365, "Days."),
        ratio: option.number(1.2, 1, 1.3, "Ratio."),
        tag: option.string("data-classification", "Tag."),
        values: option.strings(["phi"], "Values."),
    };

    it("derives the schema and the defaults from one declaration", () => {
        const schema = configSchema(OPTIONS);
        assert.deepStrictEqual(
            Object.fromEntries(Object.entries(schema.properties!).map(([k, s]) => [k, (s as { default: unknown }).default])),
            { enabled: true, days: 90, ratio: 1.2, tag: "data-classification", values: ["phi"] },
        );
        assert.deepStrictEqual(schema.properties!.days, { type: "integer", default: 90, minimum: 0, maximum: 365, description: "Days." });
        assert.deepStrictEqual(readConfig("p", args({}), OPTIONS), { enabled: true, days: 90, ratio: 1.2, tag: "data-classification", values: ["phi"] });
        assert.deepStrictEqual(readConfig("p", args({ days: 30, values: null }), OPTIONS).days, 30);
    });

    it("rejects what the schema would reject, naming policy, key, expectation and value", () => {
        const cases: [Record<string, unknown>, string][] = [
            [{ enabled: "yes" }, 'policy p: config enabled must be a boolean; got "yes"'],
            [{ days: 1.5 }, "policy p: config days must be an integer from 0 to 365; got 1.5"],
            [{ days: 366 }, "policy p: config days must be an integer from 0 to 365; got 366"],
            [{ ratio: 2 }, "policy p: config ratio must be a number from 1 to 1.3; got 2"],
            [{ tag: "" }, 'policy p: config tag must be a non-empty string; got ""'],
            [{ values: "phi" }, 'policy p: config values must be a list of non-empty strings; got "phi"'],
            [{ values: [""] }, 'policy p: config values must be a list of non-empty strings; got [""]'],
        ];
        for (const [config, message] of cases) {
            assert.throws(() => readConfig("p", args(config), OPTIONS), (err: Error) => err instanceof PolicyConfigError && err.message === message, message);
        }
    });

    it("keeps the list readers and the defaults merge of the resource policies", () => {
        assert.deepStrictEqual(stringList("p", "k", ["", "a"]), ["", "a"]);
        assert.throws(() => stringList("p", "k", "a"), { message: 'policy p: config k must be a list of strings; got "a"' });
        assert.deepStrictEqual(numberList("p", "k", [443]), [443]);
        assert.throws(() => numberList("p", "k", ["443"]), { message: 'policy p: config k must be a list of numbers; got ["443"]' });
        assert.deepStrictEqual(withDefaults({ a: undefined, b: 2 }, { a: 1, b: 0 }), { a: 1, b: 2 });
        assert.deepStrictEqual(policyConfig(args({ b: 5 }), { a: 1, b: 0 }), { a: 1, b: 5 });
        assert.strictEqual(new ConfigReader("p", undefined).bool("x", false), false);
    });
});
