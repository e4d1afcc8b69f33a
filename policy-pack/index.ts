import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// The only place a PolicyPack is constructed: constructing it starts the analyzer gRPC server.
new PolicyPack("healthcare-data-guardrails", {
    enforcementLevel: "mandatory",
    policies,
});
