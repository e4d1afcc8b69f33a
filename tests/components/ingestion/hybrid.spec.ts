import * as assert from "assert";
import { HybridFileGateway } from "../../../components/ingestion/hybrid";
import { PlatformConfig } from "../../../components/shared/config";
import { Recording } from "../../../tools/offline/recorder";
import { contextOf, descendants, fakeKeys, inputs, isWireSecret, one, ofType, UNKNOWN } from "../../support/platform";
import { bucketRef, decide, documentOf, MODES, platformConfig, record } from "./support";

const build = (cfg: PlatformConfig) => () =>
    new HybridFileGateway("ingest-hybrid", {
        context: contextOf(cfg),
        config: cfg.ingestion.storageGateway,
        customer: cfg.ingestion.onPremCustomer,
        keys: fakeKeys(cfg),
        landingBucket: bucketRef(cfg, "landing"),
        auditLogRetentionDays: cfg.logging.auditRetentionDays,
    });

// A dev stack with a gateway activated by key, NFS and an SMB share (dev's files leave the gateway off).
const DEV_GATEWAY = {
    storageGatewayEnabled: true,
    storageGatewayActivationKey: { secure: "v1:key" },
    storageGatewayIpAddress: undefined,
    storageGatewayNfsClientCidrs: ["10.10.0.0/24", "10.10.1.0/24"],
    storageGatewaySmb: true,
    storageGatewaySmbAllowedUsers: ["@EHR-Uploaders", "svc-scanner"],
    onPremCustomer: "northside-clinic",
};

describe("components/ingestion/hybrid: HybridFileGateway", () => {
    for (const stack of ["dev", "prod"] as const) {
        for (const mode of MODES) {
            describe(`${stack}${stack === "dev" ? " (gateway with NFS and SMB switched on)" : " (SMB only, activated by key)"}, ${mode}`, () => {
                const cfg = stack === "prod" ? platformConfig("prod") : platformConfig("dev", DEV_GATEWAY);
                const keys = fakeKeys(cfg);
                const landing = bucketRef(cfg, "landing");
                const account = cfg.naming.accountId;
                const p = `${cfg.naming.prefix}-${stack}`;
                const customer = cfg.ingestion.onPremCustomer;
                const logArn = `arn:aws:logs:us-east-1:${account}:log-group:/aws/storagegateway/${p}-ingest-hybrid-file-gateway`;
                let rec: Recording;
                before(async () => {
                    rec = await record(cfg, stack, mode, build(cfg));
                });

                it("activates an S3 File Gateway with audit logging to an encrypted log group kept for the audit retention", async () => {
                    const gw = one(rec, "aws:storagegateway/gateway:Gateway", "ingest-hybrid-gateway");
                    const g = inputs(gw);
                    assert.strictEqual(g.gatewayType, "FILE_S3");
                    assert.strictEqual(g.gatewayName, `${p}-ingest-hybrid-file-gateway`);
                    assert.strictEqual(g.gatewayTimezone, cfg.ingestion.storageGateway.timezone);
                    assert.strictEqual(g.cloudwatchLogGroupArn, logArn);
                    // Both stacks activate by the pre-fetched key (prod requires it) and require SMB3 encryption.
                    assert.ok(isWireSecret(gw.inputs.activationKey), "the activation key stays secret");
                    assert.strictEqual(g.gatewayIpAddress, undefined);
                    assert.strictEqual(g.smbSecurityStrategy, "MandatoryEncryption");
                    assert.strictEqual(g.smbFileShareVisibility, false);
                    assert.strictEqual(gw.options.protect, stack === "prod");
                    assert.deepStrictEqual(gw.options.ignoreChanges, ["smbActiveDirectorySettings", "activationKey", "gatewayIpAddress"]);
                    const logs = inputs(one(rec, "aws:cloudwatch/logGroup:LogGroup", "ingest-hybrid-audit-logs"));
                    assert.strictEqual(logs.kmsKeyId, keys.logs.arn);
                    assert.strictEqual(logs.retentionInDays, cfg.logging.auditRetentionDays);
                });

                it("gives the gateway its cache disk: the appliance's local disk, looked up by device node", async () => {
                    const cache = inputs(one(rec, "aws:storagegateway/cache:Cache", "ingest-hybrid-cache"));
                    const gatewayArn = one(rec, "aws:storagegateway/gateway:Gateway", "ingest-hybrid-gateway").outputs.arn;
                    if (mode === "preview") {
                        assert.strictEqual(cache.diskId, UNKNOWN);
                        return;
                    }
                    assert.strictEqual(cache.gatewayArn, gatewayArn);
                    const lookup = rec.invokes.find((i) => i.token === "aws:storagegateway/getLocalDisk:getLocalDisk");
                    assert.ok(lookup, "the disk is looked up with aws.storagegateway.getLocalDisk");
                    assert.deepStrictEqual([lookup.args.gatewayArn, lookup.args.diskNode], [gatewayArn, "/dev/sdb"]);
                    // The disk id the lookup answered (Storage Gateway ListLocalDisks form), not a guessed constant.
                    assert.match(String(cache.diskId), /^pci-0000:[0-9a-f]{2}:00\.0-scsi-0:0:[0-9]+:0$/);
                });

                it(stack === "prod" ? "creates no NFS share (NFS would carry PHI unencrypted)" : "shares the customer's landing prefix over NFS to the configured clients only, KMS-encrypted, root squashed", async () => {
                    if (stack === "prod") {
                        assert.deepStrictEqual(ofType(rec, "aws:storagegateway/nfsFileShare:NfsFileShare"), []);
                        return;
                    }
                    const nfs = inputs(one(rec, "aws:storagegateway/nfsFileShare:NfsFileShare", "ingest-hybrid-nfs"));
                    assert.deepStrictEqual(nfs.clientLists, cfg.ingestion.storageGateway.nfsClientCidrs);
                    assert.strictEqual(nfs.kmsEncrypted, true);
                    assert.strictEqual(nfs.kmsKeyArn, keys.dataLake.arn);
                    assert.strictEqual(nfs.locationArn, `${landing.arn}/customer=${customer}/source=file-gateway/`);
                    assert.strictEqual(nfs.squash, "RootSquash");
                    assert.strictEqual(nfs.defaultStorageClass, "S3_STANDARD");
                    assert.strictEqual(nfs.objectAcl, "bucket-owner-full-control");
                    assert.strictEqual(nfs.auditDestinationArn, logArn);
                    assert.strictEqual(nfs.roleArn, `arn:aws:iam::${account}:role/${p}-ingest-hybrid-shares`);
                    // The share belongs to this gateway: its ARN, unknown until the gateway is activated.
                    const gatewayArn = one(rec, "aws:storagegateway/gateway:Gateway", "ingest-hybrid-gateway").outputs.arn;
                    assert.strictEqual(nfs.gatewayArn, mode === "preview" ? UNKNOWN : gatewayArn);
                    if (mode === "up") assert.match(String(gatewayArn), new RegExp(`^arn:aws:storagegateway:us-east-1:${account}:gateway/`));
                });

                it("creates an SMB share for Active Directory users only, with ACLs and access-based enumeration", async () => {
                    const smb = ofType(rec, "aws:storagegateway/smbFileShare:SmbFileShare");
                    assert.strictEqual(smb.length, 1);
                    const s = inputs(smb[0]);
                    assert.strictEqual(s.authentication, "ActiveDirectory");
                    assert.deepStrictEqual(s.validUserLists, cfg.ingestion.storageGateway.smbAllowedUsers);
                    assert.strictEqual(s.smbAclEnabled, true);
                    assert.strictEqual(s.accessBasedEnumeration, true);
                    assert.strictEqual(s.kmsEncrypted, true);
                    assert.strictEqual(s.kmsKeyArn, keys.dataLake.arn);
                    assert.strictEqual(s.locationArn, `${landing.arn}/customer=${customer}/source=file-gateway-smb/`);
                    assert.strictEqual(s.objectAcl, "bucket-owner-full-control");
                    assert.strictEqual(s.auditDestinationArn, logArn);
                });

                it("lets the gateway write only the shares' prefixes and never destroy an object version", async () => {
                    const role = `arn:aws:iam::${account}:role/${p}-ingest-hybrid-shares`;
                    const policy = documentOf(one(rec, "aws:iam/rolePolicy:RolePolicy", "ingest-hybrid-shares-policy"), "policy");
                    const can = (action: string, resource: string, context?: Record<string, string>) => decide(role, [policy], { action, resource, context }, account);
                    const source = stack === "prod" ? "file-gateway-smb" : "file-gateway";
                    const nfsKey = `${landing.arn}/customer=${customer}/source=${source}/scans/2025/report.pdf`;
                    assert.strictEqual(await can("s3:PutObject", nfsKey), "Allowed");
                    assert.strictEqual(await can("s3:DeleteObject", nfsKey), "Allowed");
                    assert.strictEqual(await can("s3:DeleteObjectVersion", nfsKey), "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:PutObject", `${landing.arn}/customer=${customer}/source=stream/x`), "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:PutObject", `${landing.arn}/customer=lakeview-hospital/source=file-gateway/x`), "ImplicitlyDenied");
                    assert.strictEqual(await can("s3:ListBucket", landing.arn, { "s3:prefix": `customer=${customer}/source=${source}/scans/` }), "Allowed");
                    assert.strictEqual(await can("s3:ListBucket", landing.arn, { "s3:prefix": "customer=lakeview-hospital/" }), "ImplicitlyDenied");
                    const trust = documentOf(one(rec, "aws:iam/role:Role", "ingest-hybrid-shares-role"), "assumeRolePolicy");
                    assert.deepStrictEqual(trust.Statement[0], {
                        Sid: "TrustService",
                        Effect: "Allow",
                        Principal: { Service: "storagegateway.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": account } },
                    });
                    const component = one(rec, "healthcare:ingestion:HybridFileGateway", "ingest-hybrid");
                    assert.strictEqual(descendants(rec, component.urn).length, rec.resources.length - 2);
                });
            });
        }
    }
});
