import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { judgeEach, subject } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { StackIndex } from "../../lib/resources";
import { probe } from "../../lib/values";

export const STORAGEGATEWAY_GATEWAY = "aws:storagegateway/gateway:Gateway";
export const STORAGEGATEWAY_NFS_SHARE = "aws:storagegateway/nfsFileShare:NfsFileShare";
export const STORAGEGATEWAY_SMB_SHARE = "aws:storagegateway/smbFileShare:SmbFileShare";

/** Gateway SMB security strategies that encrypt every SMB session (SMB3 encryption; the second also refuses AES-128). */
const ENCRYPTING = new Set(["MandatoryEncryption", "MandatoryEncryptionNoAes128"]);

/**
 * File shares carry PHI between on-prem clients and the gateway appliance. NFSv3/v4.1 on Storage Gateway has no
 * transport encryption, so an NFS share always sends file contents unencrypted over the LAN; SMB is encrypted only when
 * the gateway's `smbSecurityStrategy` requires SMB3 encryption (otherwise clients may negotiate signing only or less).
 */
export const storagegatewayShareTransitEncryption: StackValidationPolicy = {
    name: "storagegateway-share-transit-encryption",
    description:
        "Storage Gateway file shares encrypt PHI between clients and the appliance: NFS shares are unencrypted on the wire and " +
        "are flagged, and SMB shares belong to a gateway whose smbSecurityStrategy requires SMB3 encryption.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: hipaa("164.312(e)(1)", "164.312(e)(2)(ii)"),
    remediationSteps:
        "Replace `aws.storagegateway.NfsFileShare` with an `aws.storagegateway.SmbFileShare` (Active Directory authentication) " +
        "and set `smbSecurityStrategy: \"MandatoryEncryption\"` on the `aws.storagegateway.Gateway`. Keep an NFS share only on an " +
        "isolated, trusted LAN segment, as an accepted risk. The gateway setting applies in place to new SMB sessions.",
    validateStack: (args, report) => {
        const index = new StackIndex(args.resources);
        if (!index.has(STORAGEGATEWAY_NFS_SHARE, STORAGEGATEWAY_SMB_SHARE)) {
            return args.notApplicable("The stack has no Storage Gateway file shares.");
        }
        judgeEach(index.ofType(STORAGEGATEWAY_NFS_SHARE), (r: PolicyResource) => {
            report(
                `${subject(r)} is an NFS share: NFS is unencrypted between clients and the gateway, so PHI crosses the network in clear. ` +
                    'Use an SMB share on a gateway with smbSecurityStrategy "MandatoryEncryption", or keep NFS only on an isolated, trusted LAN segment.',
                r.urn,
            );
        });
        const gatewayTypes = new Set([STORAGEGATEWAY_GATEWAY]);
        judgeEach(index.ofType(STORAGEGATEWAY_SMB_SHARE), (r: PolicyResource) => {
            // A gateway outside the stack (a literal ARN) is judged where it is managed.
            for (const gw of index.referenced(r, "gatewayArn", gatewayTypes)) {
                const strategy = probe(gw.props, "smbSecurityStrategy");
                if (strategy.state === "unknown") continue;
                const value = strategy.state === "known" ? strategy.value : undefined;
                if (typeof value !== "string" || !ENCRYPTING.has(value)) {
                    report(
                        `${subject(r)} is served by ${subject(gw)}, whose smbSecurityStrategy is ${value === undefined ? "not set" : `"${String(value)}"`}, so SMB sessions may be unencrypted: ` +
                            'set smbSecurityStrategy "MandatoryEncryption" on the gateway.',
                        r.urn,
                    );
                }
            }
        });
    },
};
