import * as assert from "assert";
import {
    STORAGEGATEWAY_GATEWAY,
    STORAGEGATEWAY_NFS_SHARE,
    STORAGEGATEWAY_SMB_SHARE,
    storagegatewayShareTransitEncryption as policy,
} from "../../../policy-pack/policies/controls/storagegateway-share-transit-encryption";
import { FakeStackResource, UNKNOWN, urnOf, validateStack } from "../helpers";

const gateway = (props: object = {}): FakeStackResource => ({ type: STORAGEGATEWAY_GATEWAY, name: "gw", props: { gatewayType: "FILE_S3", ...props } });
const smb = (deps = true): FakeStackResource => ({
    type: STORAGEGATEWAY_SMB_SHARE,
    name: "smb",
    props: { gatewayArn: UNKNOWN, authentication: "ActiveDirectory" },
    propertyDependencies: deps ? { gatewayArn: ["gw"] } : undefined,
});
const nfs: FakeStackResource = { type: STORAGEGATEWAY_NFS_SHARE, name: "nfs", props: { gatewayArn: UNKNOWN, clientLists: ["10.0.0.0/24"] } };

describe("storagegateway-share-transit-encryption", () => {
    it("is not applicable without file shares", async () => {
        assert.deepStrictEqual((await validateStack(policy, [gateway()])).notApplicable, ["The stack has no Storage Gateway file shares."]);
    });

    it("passes SMB shares on a gateway that requires SMB3 encryption", async () => {
        for (const s of ["MandatoryEncryption", "MandatoryEncryptionNoAes128"]) {
            assert.deepStrictEqual(await validateStack(policy, [gateway({ smbSecurityStrategy: s }), smb()]), { violations: [], notApplicable: [], previewSkipped: [] }, s);
        }
        // A gateway managed elsewhere (a literal ARN) is judged where it is managed.
        assert.deepStrictEqual((await validateStack(policy, [smb(false)])).violations, []);
    });

    it("says that NFS is unencrypted, naming the share", async () => {
        assert.deepStrictEqual((await validateStack(policy, [gateway({ smbSecurityStrategy: "MandatoryEncryption" }), nfs])).violations, [
            {
                message:
                    'storagegateway.NfsFileShare "nfs" is an NFS share: NFS is unencrypted between clients and the gateway, so PHI crosses the network in clear. ' +
                    'Use an SMB share on a gateway with smbSecurityStrategy "MandatoryEncryption", or keep NFS only on an isolated, trusted LAN segment.',
                urn: urnOf(STORAGEGATEWAY_NFS_SHARE, "nfs"),
            },
        ]);
    });

    it("fails SMB shares on a gateway that allows unencrypted sessions", async () => {
        for (const [strategy, shown] of [["ClientSpecified", '"ClientSpecified"'], ["MandatorySigning", '"MandatorySigning"'], [undefined, "not set"]] as const) {
            assert.deepStrictEqual((await validateStack(policy, [gateway({ smbSecurityStrategy: strategy }), smb()])).violations, [
                {
                    message: `storagegateway.SmbFileShare "smb" is served by storagegateway.Gateway "gw", whose smbSecurityStrategy is ${shown}, so SMB sessions may be unencrypted: set smbSecurityStrategy "MandatoryEncryption" on the gateway.`,
                    urn: urnOf(STORAGEGATEWAY_SMB_SHARE, "smb"),
                },
            ]);
        }
    });
});
