import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { policyConfig, stringList } from "../../lib/config";
import { ResourceHandler, subject, validateTypes } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { grantsFullAdmin, parsePolicyDocument } from "../../lib/policy-doc";
import { asArray, probe, unknownPreviewError } from "../../lib/values";

export const IAM_POLICY = "aws:iam/policy:Policy";
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy";
export const IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy";
export const IAM_ROLE = "aws:iam/role:Role";
export const IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
export const IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const IAM_USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment";
export const IAM_GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment";
export const IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";
export const IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive";
export const IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive";
export const SSO_PERMISSION_SET_INLINE_POLICY = "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy";
export const SSO_MANAGED_POLICY_ATTACHMENT = "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment";

const NAME = "iam-no-wildcard-admin";

// AWS's own full-admin managed policy grants "*" on "*" as well, in every partition.
const ADMINISTRATOR_ACCESS = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;

export interface IamAdminConfig {
    /**
     * Pulumi resource names allowed to grant full admin (for example a documented break-glass role).
     * @default []
     */
    exemptResourceNames: string[];
}
const DEFAULTS: IamAdminConfig = { exemptResourceNames: [] };

function exempt(args: ResourceValidationArgs): boolean {
    return stringList(NAME, "exemptResourceNames", policyConfig(args, DEFAULTS).exemptResourceNames).includes(args.name);
}

/** Reports every statement of a document (JSON string or object) that grants `*` on `*`. */
function judgeDocument(doc: unknown, what: string, report: (m: string) => void): void {
    if (doc === undefined || doc === null || doc === "") {
        return;
    }
    const parsed = parsePolicyDocument(doc);
    if (parsed.kind === "unknown") {
        throw unknownPreviewError(`${what} is not known until apply`, [what]);
    }
    if (parsed.kind === "invalid") {
        report(`${what} ${parsed.error}, so it cannot be checked for full-admin grants: fix the document.`);
        return;
    }
    for (const s of parsed.doc.statements) {
        if (grantsFullAdmin(s)) {
            report(`${what} Statement[${s.index}]${s.sid ? ` (${s.sid})` : ""} allows every action on every resource: grant only the actions and resources the principal needs.`);
        }
    }
}

const document =
    (key: string): ResourceHandler =>
    (props, args, report) => {
        if (!exempt(args)) {
            judgeDocument(props[key], `${subject(args)} ${key}`, report);
        }
    };

/** The known strings of `props[key]` (one ARN or a list); values unknown at preview are skipped. */
function knownArns(props: Record<string, unknown>, key: string): string[] {
    const v = probe(props, key);
    if (v.state !== "known") {
        return [];
    }
    if (!Array.isArray(v.value)) {
        return typeof v.value === "string" ? [v.value] : [];
    }
    const out: string[] = [];
    for (let i = 0; i < v.value.length; i++) {
        const item = probe(v.value, String(i));
        if (item.state === "known" && typeof item.value === "string") {
            out.push(item.value);
        }
    }
    return out;
}

// An attached policy ARN that is unknown at preview belongs to a policy created in the same program, which is
// judged on its own; AdministratorAccess is a constant ARN, always known. So unknown ARNs are skipped rather
// than turning every attachment into "can't run policy during preview".
const attachment =
    (key: string): ResourceHandler =>
    (props, args, report) => {
        if (exempt(args)) {
            return;
        }
        for (const arn of knownArns(props, key)) {
            if (ADMINISTRATOR_ACCESS.test(arn)) {
                report(`${subject(args)} attaches ${arn}, which allows every action on every resource: attach a least-privilege policy instead.`);
            }
        }
    };

export const iamNoWildcardAdmin: ResourceValidationPolicy = {
    name: NAME,
    description:
        "No IAM policy, inline role/user/group policy, permission set or policy attachment grants every action on every resource " +
        "(\"Action\": \"*\" with \"Resource\": \"*\", or AdministratorAccess).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(a)(1)", "164.308(a)(3)(i)", "164.308(a)(4)"),
    remediationSteps:
        "Replace `\"Action\": \"*\"` on `\"Resource\": \"*\"` (and `AdministratorAccess` attachments) with the specific actions and resource " +
        "ARNs the principal needs; build documents with `aws.iam.getPolicyDocumentOutput`. A documented break-glass role can be " +
        "listed in `exemptResourceNames`.",
    configSchema: {
        properties: {
            exemptResourceNames: {
                type: "array",
                items: { type: "string" },
                default: DEFAULTS.exemptResourceNames,
                description: "Pulumi resource names allowed to grant full admin (documented break-glass access).",
            },
        },
    },
    validateResource: validateTypes({
        [IAM_POLICY]: document("policy"),
        [IAM_ROLE_POLICY]: document("policy"),
        [IAM_USER_POLICY]: document("policy"),
        [IAM_GROUP_POLICY]: document("policy"),
        [SSO_PERMISSION_SET_INLINE_POLICY]: document("inlinePolicy"),
        [IAM_ROLE]: (props, args, report) => {
            if (exempt(args)) {
                return;
            }
            for (const [i, inline] of asArray<{ name?: string; policy?: unknown }>(props["inlinePolicies"]).entries()) {
                judgeDocument(inline.policy, `${subject(args)} inlinePolicies[${i}]${typeof inline.name === "string" ? ` (${inline.name})` : ""}`, report);
            }
            attachment("managedPolicyArns")(props, args, report);
        },
        [IAM_POLICY_ATTACHMENT]: attachment("policyArn"),
        [IAM_ROLE_POLICY_ATTACHMENT]: attachment("policyArn"),
        [IAM_USER_POLICY_ATTACHMENT]: attachment("policyArn"),
        [IAM_GROUP_POLICY_ATTACHMENT]: attachment("policyArn"),
        [IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE]: attachment("policyArns"),
        [IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE]: attachment("policyArns"),
        [IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE]: attachment("policyArns"),
        [SSO_MANAGED_POLICY_ATTACHMENT]: attachment("managedPolicyArn"),
    }),
};
