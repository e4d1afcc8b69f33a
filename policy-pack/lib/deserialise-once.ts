/**
 * One deserialisation of a resource's properties per analyzer request, instead of one per policy.
 *
 * Why: `@pulumi/policy` (v1.21) rebuilds a resource's properties from its protobuf `Struct` for every resource policy in
 * Analyze (and its provider's, once more per policy), and the whole stack for every stack policy in AnalyzeStack. With
 * this pack's 59 policies that was most of its cost over a no-op pack, measured through `run-policy-pack`
 * (tools/bench/protocol.ts, issue 13: the pack is enforced org-wide and runs on every preview of every stack).
 *
 * How: the SDK reads `deserializeProperties` from its module's exports at each call, so the pack replaces that export
 * with a version that remembers the result per `Struct` object in a WeakMap. A request message hands out the same
 * `Struct` every time it is asked, so every policy of one Analyze request (and every stack policy of one AnalyzeStack,
 * per resource) gets the same plain object behind its own fresh unknown-checking proxy; the entry goes away with the
 * request. Verdicts cannot change: the object is what the SDK would have built again from the same bytes, and the
 * pack's policies only read it (engineering standard 5: policies are pure). Remediation asks for secret-preserving
 * copies (`proxySecrets = true`) that it mutates: those are never shared and go to the SDK's own function unchanged.
 *
 * It touches an `@internal` function of the SDK, so it is defensive: when the module does not have the shape it was
 * written against, nothing is replaced and the SDK behaves as shipped (only slower). tests/policy-pack/lib covers it.
 */

/**
 * Set to `per-policy` to leave the SDK as shipped: only tools/bench/protocol.ts does (`--sdk-baseline`), to measure this
 * module's gain against the SDK's own behaviour in the same run.
 */
export const SDK_DESERIALISE_ENV = "HEALTHCARE_GUARDRAILS_SDK_DESERIALISE";

/** The SDK's internal deserialiser: (protobuf Struct, keep secrets as proxies) to plain properties. */
type DeserializeProperties = (outputsStruct: unknown, proxySecrets: boolean) => Record<string, unknown>;

/** The part of `@pulumi/policy/deserialize` this module replaces. */
export interface DeserializeModule {
    deserializeProperties: DeserializeProperties;
}

const INSTALLED = Symbol.for("healthcare-data-guardrails/deserialise-once");

type Marked = DeserializeProperties & { [INSTALLED]?: DeserializeProperties };

/**
 * Makes `mod.deserializeProperties` deserialise each `Struct` once. Idempotent. Returns whether the memo is in place.
 * `mod` defaults to the module the SDK's analyzer server itself uses (the same resolved file, hence the same exports).
 */
export function deserialiseOncePerRequest(mod: DeserializeModule = sdkDeserializeModule()): boolean {
    const current = mod.deserializeProperties as Marked | undefined;
    if (typeof current !== "function") {
        return false;
    }
    if (current[INSTALLED]) {
        return true;
    }
    const original = current;
    const cache = new WeakMap<object, Record<string, unknown>>();
    const once: Marked = (outputsStruct, proxySecrets) => {
        if (proxySecrets || typeof outputsStruct !== "object" || outputsStruct === null) {
            return original(outputsStruct, proxySecrets);
        }
        let props = cache.get(outputsStruct);
        if (props === undefined) {
            props = original(outputsStruct, false);
            cache.set(outputsStruct, props);
        }
        return props;
    };
    once[INSTALLED] = original;
    mod.deserializeProperties = once;
    return true;
}

/** The SDK's deserializer module, resolved next to the `@pulumi/policy` the pack constructs its PolicyPack with. */
function sdkDeserializeModule(): DeserializeModule {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module's typings hide this @internal export.
    return require("@pulumi/policy/deserialize") as DeserializeModule;
}
