import { Policies } from "@pulumi/policy";

export const encryptionPolicies: Policies = [];
