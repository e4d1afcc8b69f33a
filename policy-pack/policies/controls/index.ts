import { Policies } from "@pulumi/policy";

export const controlPolicies: Policies = [];
