/**
 * The preview design checked against the SDK's real analyzer handlers (server.js), fed the protobuf requests the
 * engine sends: a customer-managed key whose ARN is unknown at preview passes the mandatory encryption policies
 * instead of degrading to "can't run policy during preview".
 */
import * as assert from "assert";
import { Policies, ResourceValidationPolicy } from "@pulumi/policy";
import { EnforcementLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { encryptionPolicies } from "../../../policy-pack/policies/encryption";
import { analyzeRequest, analyzerFor, diagnostics } from "../../../tools/bench/analyzer";
import { UNKNOWN, urnOf } from "../helpers";

const RDS = "aws:rds/instance:Instance";
const rds = (props: Record<string, unknown>) => analyzeRequest({ type: RDS, name: "patients-db", urn: urnOf(RDS, "patients-db"), props });

describe("encryption policies through the SDK analyzer at preview", () => {
    it("pass an RDS instance whose customer-managed key ARN is unknown, with no can't-run diagnostic", async () => {
        const resp = await analyzerFor(encryptionPolicies).analyze(rds({ engine: "postgres", storageEncrypted: true, kmsKeyId: UNKNOWN }));
        assert.deepStrictEqual(diagnostics(resp), []);
        // Every other encryption policy says why it does not apply, none passes silently.
        assert.strictEqual(resp.getNotApplicableList().length, encryptionPolicies.length - 1);
    });

    it("still fail mandatory when the key is missing, with the description and the message naming resource and fix", async () => {
        const [d, ...rest] = diagnostics(await analyzerFor(encryptionPolicies).analyze(rds({ engine: "postgres", storageEncrypted: true })));
        assert.deepStrictEqual(rest, []);
        assert.strictEqual(d.policyName, "rds-encryption-at-rest");
        assert.strictEqual(d.enforcementLevel, EnforcementLevel.MANDATORY);
        assert.match(d.message, /^RDS DB instances, clusters .*\nrds\.Instance "patients-db" kmsKeyId is not set, .* customer-managed KMS key\.$/s);
    });

    it("whereas a naive policy reading the same value degrades to an advisory can't-run diagnostic", async () => {
        const naive: ResourceValidationPolicy = {
            name: "naive-kms",
            description: "Reads kmsKeyId directly.",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                if (!args.props["kmsKeyId"]) {
                    report("no key");
                }
            },
        };
        const [d] = diagnostics(await analyzerFor([naive] as Policies).analyze(rds({ storageEncrypted: true, kmsKeyId: UNKNOWN })));
        assert.strictEqual(d.enforcementLevel, EnforcementLevel.ADVISORY);
        assert.match(d.message, /^can't run policy 'naive-kms' from policy pack .* during preview: string value at \.kmsKeyId can't be known during preview$/);
    });
});
