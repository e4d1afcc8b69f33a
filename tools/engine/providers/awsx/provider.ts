/**
 * A test double of pulumi-awsx 3.9.0 for the real Pulumi engine: the `awsx:ec2:Vpc` component through Construct
 * (see vpc.ts). Its children are ordinary aws resources registered through the engine, so the aws test provider
 * creates them and the policy pack judges them like any other resource.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import type { EngineProvider } from "../server";
import { AwsxVpc, VpcInputs } from "./vpc";

/** The @pulumi/awsx version in package-lock.json. */
export const AWSX_PROVIDER_VERSION = "3.9.0";

export class AwsxProvider implements EngineProvider {
    readonly version = AWSX_PROVIDER_VERSION;

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<provider.ConstructResult> {
        if (type !== "awsx:ec2:Vpc") {
            throw new Error(`unknown resource type ${type}: the awsx test provider (tools/engine/providers/awsx) implements only awsx:ec2:Vpc`);
        }
        const vpc = new AwsxVpc(name, inputs as VpcInputs, options);
        const state = await vpc.ready;
        return { urn: vpc.urn, state };
    }

    async invoke(token: string): Promise<provider.InvokeResult> {
        throw new Error(`invoke '${token}' is not implemented by the awsx test provider (tools/engine/providers/awsx, standing in for pulumi-awsx ${AWSX_PROVIDER_VERSION})`);
    }
}
