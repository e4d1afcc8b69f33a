import * as assert from "assert";
import { WORKSPACES_WORKSPACE, workspacesVolumeEncryption as policy } from "../../../policy-pack/policies/encryption/workspaces-volume-encryption";
import { messages, validateResource } from "../helpers";

const CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555";

describe("workspaces-volume-encryption", () => {
    it("passes both volumes encrypted with a customer-managed key", async () => {
        const props = { rootVolumeEncryptionEnabled: true, userVolumeEncryptionEnabled: true, volumeEncryptionKey: CMK };
        assert.deepStrictEqual(await validateResource(policy, { type: WORKSPACES_WORKSPACE, props }), { violations: [], notApplicable: [], previewSkipped: [] });
    });

    it("fails each unencrypted volume even when AWS keys are accepted", async () => {
        const v = await validateResource(policy, { type: WORKSPACES_WORKSPACE, name: "clinician", props: { userVolumeEncryptionEnabled: true } }, { config: { requireCustomerManagedKey: false } });
        assert.deepStrictEqual(messages(v), [
            `workspaces.Workspace "clinician" stores data unencrypted (rootVolumeEncryptionEnabled is not set): set rootVolumeEncryptionEnabled: true with volumeEncryptionKey (the WorkSpace must be rebuilt).`,
        ]);
        assert.match(messages(await validateResource(policy, { type: WORKSPACES_WORKSPACE, props: { rootVolumeEncryptionEnabled: true, userVolumeEncryptionEnabled: true } }))[0], /volumeEncryptionKey is not set/);
    });
});
