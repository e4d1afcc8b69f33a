import { Policies } from "@pulumi/policy";

export const s3Policies: Policies = [];
