import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { judgeEach, subject } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { parsePolicyDocument } from "../../lib/policy-doc";
import { arnResourceId, StackIndex } from "../../lib/resources";
import { judgeTransportDeny, plaintextRequirement } from "../../lib/transport";
import { probe, unknownPreviewError } from "../../lib/values";

export const EFS_FILE_SYSTEM = "aws:efs/fileSystem:FileSystem";
export const EFS_FILE_SYSTEM_POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy";

/** Why a file-system policy does not enforce TLS, or `undefined` when it does. */
export function tlsPolicyProblem(doc: unknown): string | undefined {
    const parsed = parsePolicyDocument(doc);
    if (parsed.kind === "unknown") {
        throw unknownPreviewError("the file-system policy document is not known until apply", ["policy"]);
    }
    if (parsed.kind === "invalid") {
        return `its policy ${parsed.error}`;
    }
    // Any NFS access starts with ClientMount, so denying it (with or without the other client actions) to everyone
    // over plain connections keeps every plaintext client out. The policy is attached to the file system, so its
    // Resource element is not what decides; EFS has no TLS-version key.
    const verdict = judgeTransportDeny(parsed.doc.statements, plaintextRequirement(), [{ label: "the file system", actions: ["elasticfilesystem:ClientMount"] }]);
    return verdict.status === "pass" ? undefined : 'its policy has no statement denying elasticfilesystem:ClientMount to every principal when "aws:SecureTransport" is "false"';
}

export const efsTlsInTransit: StackValidationPolicy = {
    name: "efs-tls-in-transit",
    description: "Every EFS file system has a file-system policy that denies mounts by any principal over connections without TLS.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediationSteps:
        "Add an `aws.efs.FileSystemPolicy` for the file system with a statement `{ Effect: \"Deny\", Principal: { AWS: \"*\" }, " +
        "Action: \"*\", Resource: fileSystem.arn, Condition: { Bool: { \"aws:SecureTransport\": \"false\" } } }`, and mount with " +
        "the EFS mount helper's `-o tls`. The policy applies in place to new connections.",
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        const fileSystems = index.ofType(EFS_FILE_SYSTEM);
        if (fileSystems.length === 0) {
            return args.notApplicable("The stack has no EFS file systems.");
        }
        // Fallback join for policies whose fileSystemId was written as a plain id: file-system id -> policies.
        const policiesById = new Map<string, PolicyResource[]>();
        for (const pol of index.ofType(EFS_FILE_SYSTEM_POLICY)) {
            const id = probe(pol.props, "fileSystemId");
            if (id.state === "known" && typeof id.value === "string") {
                const list = policiesById.get(id.value);
                if (list) {
                    list.push(pol);
                } else {
                    policiesById.set(id.value, [pol]);
                }
            }
        }
        judgeEach(fileSystems, (fs) => {
            let policies = index.referrers(fs, [EFS_FILE_SYSTEM_POLICY], "fileSystemId");
            if (policies.length === 0) {
                const arn = probe(fs.props, "arn");
                if (arn.state === "known" && typeof arn.value === "string") {
                    policies = policiesById.get(arnResourceId(arn.value)) ?? [];
                }
            }
            if (policies.length === 0) {
                report(`${subject(fs)} has no file-system policy, so clients may mount it without TLS: add an aws.efs.FileSystemPolicy that denies access when aws:SecureTransport is false.`, fs.urn);
                return;
            }
            // A file system has one policy; if a program declares several, the last applied wins, so all must enforce TLS.
            for (const pol of policies) {
                const problem = tlsPolicyProblem(pol.props["policy"]);
                if (problem) {
                    report(`${subject(fs)} is governed by ${subject(pol)}, but ${problem}: add a Deny statement for Principal "*" on all actions with Condition Bool aws:SecureTransport "false".`, fs.urn);
                }
            }
        });
    },
};
