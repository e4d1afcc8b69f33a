/**
 * Every policy of the pack, importable without starting the analyzer server
 * (tests, the offline engine and the benchmark use this list; only ../index.ts serves it).
 */
import { Policies } from "@pulumi/policy";
import { encryptionPolicies } from "./encryption";
import { s3Policies } from "./s3";
import { controlPolicies } from "./controls";

export const policies: Policies = [...encryptionPolicies, ...s3Policies, ...controlPolicies];
