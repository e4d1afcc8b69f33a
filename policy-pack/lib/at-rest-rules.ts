/**
 * Declarative encryption-at-rest checks (HIPAA 164.312(a)(2)(iv)) for data stores whose verdict is fully described
 * by "is encryption on" and "whose key is it": MSK, MemoryDB, DAX, FSx, Timestream, SageMaker, Keyspaces and the
 * other stores issue 13 brought under a mandatory policy. Each policy lists, per type token, the exact argument
 * paths it judges; the same tables feed the coverage classification and the pack README, so what a policy says it
 * judges and what it judges cannot drift apart.
 *
 * Path syntax: `encryptionInfo.encryptionAtRestKmsKeyArn`; `name[]` walks every element of a list argument;
 * `name?` marks an optional block: when it is absent the check does not apply (a feature that stores nothing,
 * such as a SageMaker endpoint without data capture).
 */
import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { ResourceHandler, subject } from "./dispatch";
import { encryptionConfig } from "./encryption";
import { KeyReference, keyProblem, keyReference } from "./kms";
import { explicitlyFalse, probe, truthy } from "./values";

export type AtRestCheck =
    /** A switch that must be on for the data to be encrypted at all (judged whatever `requireCustomerManagedKey` says). */
    | { readonly kind: "switch"; readonly path: string; readonly fix: string }
    /** A selector whose value must name the customer-managed-key mode (judged under `requireCustomerManagedKey`). */
    | { readonly kind: "mode"; readonly path: string; readonly customerKeyValues: readonly string[]; readonly fix: string }
    /**
     * A KMS key argument that must name a customer-managed key (judged under `requireCustomerManagedKey`).
     * `awsKeyValues` are keywords the API accepts in place of a key ARN to pick its own key (`AWS_OWNED_KMS_KEY`).
     * `unlessDisabledBy` names a flag next to the key (`enabled`): when it is explicitly false the feature stores nothing.
     */
    | { readonly kind: "key"; readonly path: string; readonly awsKeyValues?: readonly string[]; readonly unlessDisabledBy?: string }
    /** The service offers no customer-managed key: a violation under `requireCustomerManagedKey`. */
    | { readonly kind: "no-customer-key"; readonly why: string; readonly fix: string };

/** Checks per type token. */
export type AtRestRules = Readonly<Record<string, readonly AtRestCheck[]>>;

interface Segment {
    name: string;
    list: boolean;
    optional: boolean;
}

function segments(path: string): Segment[] {
    return path.split(".").map((raw) => {
        const optional = raw.endsWith("?");
        const s = optional ? raw.slice(0, -1) : raw;
        const list = s.endsWith("[]");
        return { name: list ? s.slice(0, -2) : s, list, optional };
    });
}

/** Where a path leads: the object holding the last segment (or why there is none). */
type Place =
    | { readonly state: "found"; readonly label: string; readonly holder: unknown; readonly key: string }
    | { readonly state: "unknown"; readonly label: string }
    | { readonly state: "absent"; readonly label: string }
    | { readonly state: "skipped" };

/** Every place `path` leads to in `root` (one per list element on the way). */
function places(root: unknown, path: string): Place[] {
    const segs = segments(path);
    const last = segs[segs.length - 1];
    const out: Place[] = [];
    const walk = (obj: unknown, i: number, label: string): void => {
        const prefix = label === "" ? "" : `${label}.`;
        if (i === segs.length - 1) {
            out.push({ state: "found", label: `${prefix}${last.name}`, holder: obj, key: last.name });
            return;
        }
        const seg = segs[i];
        const p = probe(obj, seg.name);
        const here = `${prefix}${seg.name}`;
        if (p.state === "unknown") {
            out.push({ state: "unknown", label: here });
            return;
        }
        if (p.state === "absent") {
            out.push(seg.optional ? { state: "skipped" } : { state: "absent", label: `${prefix}${segs.slice(i).map((s) => s.name).join(".")}` });
            return;
        }
        if (seg.list) {
            const items = Array.isArray(p.value) ? p.value : [p.value];
            if (items.length === 0) {
                out.push(seg.optional ? { state: "skipped" } : { state: "absent", label: `${prefix}${segs.slice(i).map((s) => s.name).join(".")}` });
            }
            items.forEach((item, n) => walk(item, i + 1, `${here}[${n}]`));
            return;
        }
        walk(p.value, i + 1, here);
    };
    walk(root, 0, "");
    return out;
}

function keyAt(place: Place): KeyReference | undefined {
    switch (place.state) {
        case "found":
            return keyReference(place.holder, place.key);
        case "unknown":
            // An unknown block (computed at preview) that holds the key: the key comes from the program.
            return { kind: "unknown" };
        case "absent":
            return { kind: "absent" };
        default:
            return undefined;
    }
}

/** Reads a judged value; an unknown value is left to the SDK proxy, which reports "can't run policy during preview". */
function valueAt(place: Extract<Place, { state: "found" }>): unknown {
    return (place.holder as Record<string, unknown> | undefined)?.[place.key];
}

/** Runs `checks` on one resource. */
export function judgeAtRest(checks: readonly AtRestCheck[], props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation): void {
    const name = subject(args);
    const requireCmk = encryptionConfig(args).requireCustomerManagedKey;
    // Once a selector picks an AWS key, its message already asks for the key: a second "key not set" says nothing new.
    let awsKeySelected = false;
    for (const check of checks) {
        if (check.kind === "no-customer-key") {
            if (requireCmk) {
                report(`${name} cannot use a customer-managed KMS key: ${check.why}. ${check.fix}`);
            }
            continue;
        }
        if (check.kind !== "switch" && !requireCmk) {
            continue;
        }
        for (const place of places(props, check.path)) {
            if (place.state === "skipped") {
                continue;
            }
            if (check.kind === "key") {
                if (awsKeySelected) {
                    continue;
                }
                if (check.unlessDisabledBy && place.state === "found") {
                    const flag = probe(place.holder, check.unlessDisabledBy);
                    if (flag.state === "known" && explicitlyFalse(flag.value)) {
                        continue;
                    }
                }
                let ref = keyAt(place);
                if (ref?.kind === "customer-managed" && check.awsKeyValues?.includes(ref.value)) {
                    ref = { kind: "aws-managed", value: ref.value };
                }
                const problem = ref && keyProblem(ref, `${name} ${place.label}`, true);
                if (problem) {
                    report(`${problem}.`);
                }
                continue;
            }
            if (place.state === "unknown") {
                continue;
            }
            const value = place.state === "found" ? valueAt(place) : undefined;
            if (check.kind === "switch" && !truthy(value)) {
                report(`${name} stores data unencrypted (${place.label} is ${value === undefined || value === null ? "not set" : JSON.stringify(value)}): ${check.fix}`);
            } else if (check.kind === "mode" && !(typeof value === "string" && check.customerKeyValues.includes(value))) {
                const given = value === undefined || value === null ? "not set, so an AWS key is used" : `${JSON.stringify(value)}, an AWS key`;
                report(`${name} ${place.label} is ${given}: ${check.fix}`);
                awsKeySelected = true;
            }
        }
    }
}

/** Handlers for `validateTypes`, one per type of `rules`. */
export function atRestHandlers(rules: AtRestRules): Record<string, ResourceHandler> {
    return Object.fromEntries(Object.entries(rules).map(([type, checks]) => [type, (props, args, report) => judgeAtRest(checks, props, args, report)]));
}

/** The argument paths a rule table judges, per type (KMS keys, switches and key-mode selectors), for docs and coverage. */
export function judgedPaths(rules: AtRestRules): Record<string, string[]> {
    return Object.fromEntries(
        Object.entries(rules).map(([type, checks]) => [
            type,
            checks.flatMap((c) => (c.kind === "no-customer-key" ? [] : [c.path.replace(/[?]/g, "")])),
        ]),
    );
}
