import { PolicyPack } from "@pulumi/policy";
import { deserialiseOncePerRequest, SDK_DESERIALISE_ENV } from "./lib/deserialise-once";
import { policies } from "./policies";

// Every policy of a request reads one deserialisation of the resource instead of its own (lib/deserialise-once.ts:
// the SDK's per-policy copies were most of the pack's cost over the protocol). Verdicts are unchanged.
// The protocol bench's `--sdk-baseline` serves the pack once more without it, to measure the gain in the same run.
if (process.env[SDK_DESERIALISE_ENV] !== "per-policy") {
    deserialiseOncePerRequest();
}

// The only place a PolicyPack is constructed: constructing it starts the analyzer gRPC server.
new PolicyPack("healthcare-data-guardrails", {
    enforcementLevel: "mandatory",
    policies,
});
