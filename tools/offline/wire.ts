/**
 * Markers of the Pulumi wire protocol (google.protobuf.Struct values between SDK, engine and analyzer).
 */

/** A value unknown during preview (a computed output of a resource that does not exist yet). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key whose value marks an object as a special wire value. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Signature value of a secret: `{ [SIG_KEY]: SECRET_SIG, value }`. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** True when a wire value is a secret wrapper. */
export function isWireSecret(value: unknown): value is { value: unknown } {
    return !!value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}
