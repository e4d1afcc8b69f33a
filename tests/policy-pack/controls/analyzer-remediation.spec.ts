/**
 * Remediations through the SDK's real Remediate handler (server.js), which wraps properties in both the
 * unknown-checking and the secrets-preserving proxies: fixes must apply at preview with unknown values around
 * and keep secrets secret.
 */
import * as assert from "assert";
import { Policies } from "@pulumi/policy";
import { kmsKeyRotation } from "../../../policy-pack/policies/controls/kms-key-rotation";
import { dataStoreDeletionProtection } from "../../../policy-pack/policies/controls/data-store-deletion-protection";
import { analyzeRequest, analyzerFor } from "../../../tools/bench/analyzer";
import { UNKNOWN, urnOf } from "../helpers";

const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

describe("control remediations through the SDK analyzer", () => {
    it("turn KMS rotation on at preview, leaving the unknown key policy untouched", async () => {
        const pack: Policies = [{ ...kmsKeyRotation, enforcementLevel: "remediate" }];
        const req = analyzeRequest({ type: "aws:kms/key:Key", name: "phi", urn: urnOf("aws:kms/key:Key", "phi"), props: { description: "PHI", policy: UNKNOWN } });
        const [r, ...rest] = (await analyzerFor(pack).remediate(req)).getRemediationsList();
        assert.deepStrictEqual(rest, []);
        assert.strictEqual(r.getPolicyname(), "kms-key-rotation");
        assert.strictEqual(r.getDiagnostic(), "");
        assert.deepStrictEqual(r.getProperties()?.toJavaScript(), { description: "PHI", policy: UNKNOWN, enableKeyRotation: true });
    });

    it("set deletion protection while a secret input stays a secret", async () => {
        const pack: Policies = [{ ...dataStoreDeletionProtection, enforcementLevel: "remediate" }];
        const req = analyzeRequest({ type: "aws:rds/instance:Instance", name: "db", urn: urnOf("aws:rds/instance:Instance", "db"), props: { engine: "postgres", password: { ...SECRET_SIG, value: "s3cret" } } });
        const [r] = (await analyzerFor(pack).remediate(req)).getRemediationsList();
        assert.deepStrictEqual(r.getProperties()?.toJavaScript(), { engine: "postgres", password: { ...SECRET_SIG, value: "s3cret" }, deletionProtection: true });
    });

    it("are not run below the remediate level", async () => {
        const req = analyzeRequest({ type: "aws:kms/key:Key", name: "phi", urn: urnOf("aws:kms/key:Key", "phi"), props: {} });
        assert.deepStrictEqual((await analyzerFor([kmsKeyRotation]).remediate(req)).getRemediationsList(), []);
    });
});
