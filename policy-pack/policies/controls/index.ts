/**
 * Further HIPAA controls beyond the four mandatory families (S3 controls live in ../s3). Advisory by default and
 * configurable per policy in the pack config.
 */
import { Policies } from "@pulumi/policy";
import { cloudtrailAuditConfiguration } from "./cloudtrail-audit-configuration";
import { configRecorderForPhi } from "./config-recorder-for-phi";
import { dataStoreBackups } from "./data-store-backups";
import { dataStoreDeletionProtection } from "./data-store-deletion-protection";
import { efsTlsInTransit } from "./efs-tls-in-transit";
import { elasticacheTlsInTransit } from "./elasticache-tls-in-transit";
import { iamNoWildcardAdmin } from "./iam-no-wildcard-admin";
import { kmsKeyRotation } from "./kms-key-rotation";
import { loadBalancerTlsListeners } from "./load-balancer-tls-listeners";
import { logRetentionMinimum } from "./log-retention-minimum";
import { noPublicDataStores } from "./no-public-data-stores";
import { opensearchTlsInTransit } from "./opensearch-tls-in-transit";
import { rdsTlsInTransit } from "./rds-tls-in-transit";
import { redshiftTlsInTransit } from "./redshift-tls-in-transit";
import { requiredTags } from "./required-tags";
import { storagegatewayShareTransitEncryption } from "./storagegateway-share-transit-encryption";

export const controlPolicies: Policies = [
    rdsTlsInTransit,
    redshiftTlsInTransit,
    elasticacheTlsInTransit,
    opensearchTlsInTransit,
    efsTlsInTransit,
    storagegatewayShareTransitEncryption,
    loadBalancerTlsListeners,
    kmsKeyRotation,
    cloudtrailAuditConfiguration,
    configRecorderForPhi,
    logRetentionMinimum,
    noPublicDataStores,
    dataStoreBackups,
    dataStoreDeletionProtection,
    requiredTags,
    iamNoWildcardAdmin,
];
