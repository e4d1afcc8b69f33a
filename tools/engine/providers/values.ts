/**
 * Property values as a provider plugin receives them over gRPC (google.protobuf.Struct turned into plain
 * JavaScript): secrets arrive as `{ [SIG_KEY]: SECRET_SIG, value }` because the plugin accepts secrets, and a
 * value the engine does not know yet (a preview) is the UNKNOWN sentinel string. These helpers compare and read
 * such values without losing either marker.
 */
import { isWireSecret, UNKNOWN } from "../../offline/wire";

export type PropertyMap = Record<string, unknown>;

/** The value with every secret wrapper removed (for comparisons and for reading names, never for outputs). */
export function unwrapSecrets(value: unknown): unknown {
    if (isWireSecret(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value as PropertyMap).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** True when the value is, or contains, a preview unknown. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) {
        return true;
    }
    if (isWireSecret(value)) {
        return containsUnknown(value.value);
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (value && typeof value === "object") {
        return Object.values(value as PropertyMap).some(containsUnknown);
    }
    return false;
}

/** True when the value contains a secret wrapper anywhere. */
export function containsSecret(value: unknown): boolean {
    if (isWireSecret(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsSecret);
    }
    if (value && typeof value === "object") {
        return Object.values(value as PropertyMap).some(containsSecret);
    }
    return false;
}

/** Absent in the sense of Terraform: missing, null, or (for optional strings) empty. */
export function isAbsent(value: unknown): boolean {
    return value === undefined || value === null;
}

/**
 * Structural equality of two wire values, ignoring secretness (a property that became secret is not a change of
 * the resource) and treating a missing value, null and an empty list/map alike, as Terraform does for optional
 * blocks.
 */
export function sameValue(a: unknown, b: unknown): boolean {
    return stableJson(normalise(unwrapSecrets(a))) === stableJson(normalise(unwrapSecrets(b)));
}

function normalise(value: unknown): unknown {
    if (value === null || value === undefined) {
        return undefined;
    }
    if (Array.isArray(value)) {
        return value.length === 0 ? undefined : value.map(normalise);
    }
    if (typeof value === "object") {
        const entries = Object.entries(value as PropertyMap)
            .map(([k, v]) => [k, normalise(v)] as const)
            .filter(([, v]) => v !== undefined);
        return entries.length === 0 ? undefined : Object.fromEntries(entries);
    }
    return value;
}

function stableJson(value: unknown): string {
    if (value === undefined) {
        return "null";
    }
    if (Array.isArray(value)) {
        return `[${value.map(stableJson).join(",")}]`;
    }
    if (value && typeof value === "object") {
        const keys = Object.keys(value as PropertyMap).sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as PropertyMap)[k])}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/** Type token and logical name of a URN: `urn:pulumi:dev::proj::parent$aws:s3/bucket:Bucket::data`. */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const qualified = parts[2] ?? "";
    const type = qualified.split("$").pop() ?? "";
    return { type, name: parts.slice(3).join("::") };
}

/**
 * Provider configuration values: the engine passes stack config as strings (lists and objects JSON-encoded),
 * and the SDK's `Provider` resource JSON-encodes every non-string argument, so decode what looks like JSON.
 */
export function configValue(value: unknown): unknown {
    const plain = unwrapSecrets(value);
    if (typeof plain === "string") {
        const trimmed = plain.trim();
        if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
            try {
                return JSON.parse(trimmed);
            } catch {
                return plain;
            }
        }
    }
    return plain;
}
