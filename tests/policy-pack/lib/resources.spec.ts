import * as assert from "assert";
import { PolicyResource, unknownCheckingProxy } from "@pulumi/policy";
import { arnResourceId, partitionOf, regionOf, sameRegion, sdkName, StackIndex } from "../../../policy-pack/lib/resources";
import { UNKNOWN as U } from "../../../policy-pack/lib/values";
import { UNKNOWN } from "../helpers";

function resource(type: string, name: string, props: Record<string, unknown>, propertyDependencies: Record<string, PolicyResource[]> = {}): PolicyResource {
    return { type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props: unknownCheckingProxy(props), opts: {} as PolicyResource["opts"], dependencies: [], propertyDependencies, isType: () => false, asType: () => undefined };
}

describe("lib/resources: the one resource index", () => {
    const fs = resource("aws:efs/fileSystem:FileSystem", "fs", { arn: "arn:aws:elasticfilesystem:us-east-1:1:file-system/fs-1" });
    const pol = resource("aws:efs/fileSystemPolicy:FileSystemPolicy", "pol", { fileSystemId: UNKNOWN }, {});
    pol.propertyDependencies.fileSystemId = [fs];
    const named = resource("aws:efs/fileSystemPolicy:FileSystemPolicy", "pol2", { fileSystemId: "fs-1" });
    const index = new StackIndex([fs, pol, named]);

    it("groups by type, joins through property dependencies both ways, and indexes known string properties", () => {
        assert.deepStrictEqual(index.ofType("aws:efs/fileSystem:FileSystem"), [fs]);
        assert.strictEqual(index.has("aws:s3/bucket:Bucket"), false);
        assert.deepStrictEqual(index.referenced(pol, "fileSystemId", new Set([fs.type])), [fs]);
        assert.deepStrictEqual(index.referrers(fs, [pol.type], "fileSystemId"), [pol]);
        assert.deepStrictEqual(index.withProp([pol.type], "fileSystemId", "fs-1"), [named]);
        assert.strictEqual(index.byUrn.get(fs.urn), fs);
    });

    it("names and places resources", () => {
        assert.strictEqual(arnResourceId("arn:aws:elasticfilesystem:us-east-1:1:file-system/fs-1"), "fs-1");
        assert.strictEqual(arnResourceId("arn:aws:sns:us-east-1:1:topic"), "topic");
        assert.deepStrictEqual([partitionOf("us-gov-west-1"), partitionOf("cn-north-1"), partitionOf("eu-west-1"), partitionOf(U)], ["aws-us-gov", "aws-cn", "aws", "aws"]);
        assert.deepStrictEqual([sameRegion("a", "a"), sameRegion("a", "b"), sameRegion(U, "b"), sameRegion(undefined, "b")], [true, false, true, true]);
        assert.deepStrictEqual([sdkName("aws:s3/bucketPolicy:BucketPolicy"), sdkName("aws-native:s3:BucketPolicy")], ["aws.s3.BucketPolicy", "awsnative.s3.BucketPolicy"]);
        const b = resource("aws:s3/bucket:Bucket", "b", {});
        b.provider = { type: "pulumi:providers:aws", name: "p", urn: "u", props: unknownCheckingProxy({ region: "eu-west-1" }) };
        assert.strictEqual(regionOf(b), "eu-west-1");
        assert.strictEqual(regionOf(resource("aws:s3/bucket:Bucket", "c", { region: UNKNOWN })), U);
    });
});
