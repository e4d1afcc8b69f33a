// The no-op pack, served by `run-policy-pack` exactly like ../../../policy-pack (same runtime options, same
// compiler settings), so the protocol benchmark's ratio measures the policies and nothing else.
import { PolicyPack } from "@pulumi/policy";
import { noopPolicies } from "./policies";

new PolicyPack("bench-noop", { enforcementLevel: "advisory", policies: noopPolicies });
