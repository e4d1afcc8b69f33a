/** Entry point of the `pulumi-resource-aws` test plugin (see provider.ts and ../README.md). */
import { serve } from "../server";
import { AwsProvider } from "./provider";

void serve(new AwsProvider(), process.argv.slice(2));
