/** Entry point of the `pulumi-resource-awsx` test plugin (see provider.ts and ../README.md). */
// Loading @pulumi/aws registers its resource package, so provider references passed to Construct become aws
// providers that the children use.
import "@pulumi/aws";
import { serve } from "../server";
import { AwsxProvider } from "./provider";

void serve(new AwsxProvider(), process.argv.slice(2));
