/**
 * Judging KMS key references on data stores (HIPAA 164.312(a)(2)(iv): encryption at rest).
 *
 * Preview rule: a key argument whose value is unknown at preview (`kmsKeyId: key.arn` for a key created
 * in the same program) counts as a customer-managed key. The reference exists, and the only way a
 * program gets an unknown key ARN is from a resource it creates; AWS-managed keys are addressed by
 * their `alias/aws/<service>` alias or looked up through invokes, which are resolved during preview.
 * So a compliant program keeps passing its mandatory controls in a PR preview instead of degrading to
 * "can't run policy during preview".
 */
import { probe } from "./values";

/** What a key argument refers to. */
export type KeyReference =
    | { readonly kind: "absent" }
    | { readonly kind: "unknown" }
    | { readonly kind: "aws-managed"; readonly value: string }
    | { readonly kind: "customer-managed"; readonly value: string };

// `alias/aws/rds` or `arn:aws:kms:us-east-1:111122223333:alias/aws/rds`: AWS-managed keys cannot be
// audited per data store or revoked by the customer, which is why a HIPAA program wants its own keys.
const AWS_MANAGED_ALIAS = /(^|:)alias\/aws\//;

/** True for the alias (name or ARN) of an AWS-managed key. */
export function isAwsManagedKeyAlias(value: string): boolean {
    return AWS_MANAGED_ALIAS.test(value);
}

/** Classifies `obj[key]` as a key reference without throwing on an unknown value. */
export function keyReference(obj: unknown, key: string): KeyReference {
    const p = probe(obj, key);
    if (p.state === "absent") {
        return { kind: "absent" };
    }
    if (p.state === "unknown") {
        return { kind: "unknown" };
    }
    if (typeof p.value !== "string" || p.value.trim() === "") {
        return { kind: "absent" };
    }
    return isAwsManagedKeyAlias(p.value) ? { kind: "aws-managed", value: p.value } : { kind: "customer-managed", value: p.value };
}

/** True when the reference names (or, unknown at preview, must name) a customer-managed key. */
export function isCustomerManaged(ref: KeyReference): boolean {
    return ref.kind === "customer-managed" || ref.kind === "unknown";
}

/**
 * Problem with a key reference on a store that is already encrypted, or `undefined` when it is acceptable.
 * `what` names the argument as the user wrote it (for example `RDS instance "db" kmsKeyId`).
 */
export function keyProblem(ref: KeyReference, what: string, requireCustomerManagedKey: boolean): string | undefined {
    if (!requireCustomerManagedKey || isCustomerManaged(ref)) {
        return undefined;
    }
    if (ref.kind === "aws-managed") {
        return `${what} is the AWS-managed key "${ref.value}"; set it to the ARN of a customer-managed KMS key`;
    }
    return `${what} is not set, so the service's default AWS key is used; set it to the ARN of a customer-managed KMS key`;
}
