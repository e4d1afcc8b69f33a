import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import { ConfigValidationError, DECLARED_KEYS, isTestLane, loadPlatformConfig, PROJECT } from "../../../components/shared/config";
import { cidrsOverlap, closestKey, isSecretKey, parseCidr } from "../../../components/shared/config-keys";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { loadStackConfig } from "../../../tools/offline/stack-config";
import { configProblems, mapSource, platformConfig, ROOT, stackConfigMap } from "../../support/platform";

const problemsOf = configProblems;

/** The problems reported for the stack with `overrides` applied as `pulumi config set` would (the CLI's own checks first). */
function problemsFor(overrides: Record<string, unknown>, stack: "dev" | "prod" = "dev"): string[] {
    return problemsOf(stackConfigMap(stack, overrides), stack);
}

/** Pulumi.yaml's `config:` block. */
function declarations(): Record<string, { type?: string; default?: unknown; secret?: boolean }> {
    return (yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { type?: string; default?: unknown; secret?: boolean }> }).config;
}

describe("components/shared/config", () => {
    describe("valid stacks", () => {
        it("types the dev stack with its cheap settings", async () => {
            const cfg = platformConfig("dev");
            assert.strictEqual(cfg.environment, "dev");
            assert.strictEqual(cfg.protect, false);
            assert.strictEqual(cfg.network.natGateways, "none");
            assert.strictEqual(cfg.network.onPremises, undefined);
            assert.strictEqual(cfg.storage.rds.multiAz, false);
            assert.strictEqual(cfg.dataLake.objectLock.enabled, false);
            assert.deepStrictEqual(cfg.naming, { prefix: "hdp", environment: "dev", region: "us-east-1", accountId: "210987654321", partition: "aws" });
            assert.strictEqual(cfg.logging.retentionDays, 14);
        });

        it("types the prod stack with its resilient settings", async () => {
            const cfg = platformConfig("prod");
            assert.strictEqual(cfg.protect, true);
            assert.strictEqual(cfg.storage.rds.multiAz, true);
            assert.strictEqual(cfg.storage.backup.vaultLock, true);
            assert.strictEqual(cfg.dataLake.objectLock.enabled, true);
            assert.ok(cfg.logging.auditRetentionDays >= 2192);
            assert.deepStrictEqual(cfg.network.onPremises?.cidrs, ["192.168.0.0/20", "172.20.0.0/16"]);
            assert.strictEqual(cfg.dataLake.lifecycle.curated.infrequentAccessDays, 90);
            assert.strictEqual(cfg.dataLake.lifecycle.curated.archiveDays, 365);
            // Zones without overrides inherit the stack-wide lifecycle.
            assert.strictEqual(cfg.dataLake.lifecycle.raw.archiveDays, 180);
        });

        it("applies in code exactly the defaults Pulumi.yaml declares", async () => {
            // The CLI fills Pulumi.yaml defaults in; tests and other callers rely on the code's. They must agree.
            const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { type?: string; default?: unknown }> };
            const required = { "aws:region": "us-east-1", "aws:allowedAccountIds": '["210987654321"]', [`${PROJECT}:environment`]: "dev" };
            const withDefaults: Record<string, string> = { ...required };
            for (const [key, decl] of Object.entries(project.config)) {
                if (decl.default === undefined) continue;
                withDefaults[`${PROJECT}:${key}`] = typeof decl.default === "string" ? decl.default : JSON.stringify(decl.default);
            }
            assert.deepStrictEqual(loadPlatformConfig(mapSource(withDefaults, "dev")), loadPlatformConfig(mapSource(required, "dev")));
        });

        it("declares a default for every key but the environment, so the CLI requires only it", async () => {
            const required = Object.entries(declarations()).filter(([, d]) => d.default === undefined).map(([k]) => k);
            assert.deepStrictEqual(required, ["environment"]);
        });

        it("declares in Pulumi.yaml exactly the areas' keys, with their types and defaults, in the same order", async () => {
            const fromAreas = Object.values(DECLARED_KEYS).flatMap((table) =>
                Object.entries(table)
                    .filter(([, spec]) => !isSecretKey(spec))
                    .map(([key, spec]) => ({ key, type: spec.type, default: "default" in spec ? spec.default : undefined })),
            );
            const fromYaml = Object.entries(declarations()).map(([key, d]) => ({ key, type: d.type, default: d.default }));
            assert.deepStrictEqual(fromAreas, fromYaml);
        });

        it("declares no secret key (the CLI would require it or refuse its default) and documents each one the areas read", async () => {
            // A declared key without a default is required by the CLI; a secret key's default is refused ("must be encrypted as it's secret").
            assert.deepStrictEqual(Object.entries(declarations()).filter(([, d]) => d.secret).map(([k]) => k), []);
            const secrets = Object.values(DECLARED_KEYS).flatMap((table) => Object.entries(table).filter(([, spec]) => isSecretKey(spec)).map(([k]) => k));
            assert.deepStrictEqual(secrets, ["onPremDbPassword", "storageGatewayActivationKey"]);
            const header = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").split("\nconfig:")[0];
            for (const key of secrets) assert.match(header, new RegExp(`^#   ${key} `, "m"), `${key} is documented in Pulumi.yaml's header`);
        });

        it("reads optional secrets as absent, not as an empty plaintext", async () => {
            const cfg = platformConfig("dev");
            assert.strictEqual(cfg.ingestion.batch.password, undefined);
            assert.strictEqual(cfg.ingestion.storageGateway.activationKey, undefined);
            const gateway = platformConfig("dev", {
                storageGatewayEnabled: true,
                storageGatewayActivationKey: { secure: "v1:activation" },
                storageGatewayNfsClientCidrs: ["192.168.4.0/24"],
                onPremCustomer: "st-marys",
            });
            assert.ok(gateway.ingestion.storageGateway.activationKey);
            assert.strictEqual(await pulumi.isSecret(gateway.ingestion.storageGateway.activationKey), true);
        });

        it("requires protection of stateful resources in prod", async () => {
            assert.deepStrictEqual(problemsFor({ protectStatefulResources: false }, "prod"), [
                "healthcare-data-platform:protectStatefulResources: expected true in prod (stateful resources holding PHI are protected from deletion), got false",
            ]);
        });

        it("keeps the on-prem database password a secret output", async () => {
            const cfg = platformConfig("prod");
            const password = cfg.ingestion.batch.password;
            assert.ok(password, "password should be read when batch ETL is on");
            assert.strictEqual(await pulumi.isSecret(password), true);
        });
    });

    describe("defaults", () => {
        it("treats an empty string as not set, except where it switches something off", async () => {
            const cfg = platformConfig("dev", { rdsInstanceClass: "", natGateways: "", macieMedicalRecordNumberRegex: "" });
            assert.strictEqual(cfg.storage.rds.instanceClass, "db.t4g.micro");
            assert.strictEqual(cfg.network.natGateways, "none");
            // An empty regex disables the medical record number identifier (Pulumi.yaml).
            assert.strictEqual(cfg.security.macie.medicalRecordNumberRegex, "");
        });

        it("detects medical record numbers as hospitals write them with the default Macie identifier", async () => {
            const regex = new RegExp(platformConfig("dev").security.macie.medicalRecordNumberRegex);
            for (const text of ["MRN: 1234567", "MRN-1234567", "MRN1234567", "MRN 12345678", "MRN#123456"]) assert.ok(regex.test(text), text);
            for (const text of ["MRN 12345", "XMRN 1234567", "MRN: 12345678901"]) assert.ok(!regex.test(text), text);
        });
    });

    describe("validation rules (exact messages)", () => {
        it("rejects an unknown environment", async () => {
            assert.deepStrictEqual(problemsFor({ environment: "qa" }), [
                "healthcare-data-platform:environment: expected one of dev, staging, prod, got 'qa'",
            ]);
        });

        it("requires the environment key", async () => {
            // The CLI itself refuses a stack without it ("is missing configuration value"); the reader says so for any other source.
            const map = stackConfigMap("dev");
            delete map[`${PROJECT}:environment`];
            assert.deepStrictEqual(problemsOf(map, "dev"), [
                "healthcare-data-platform:environment: expected one of dev, staging, prod (the key is required), got undefined",
            ]);
        });

        it("rejects a malformed VPC CIDR", async () => {
            assert.deepStrictEqual(problemsFor({ vpcCidr: "10.40.0.0/33" }), [
                "healthcare-data-platform:vpcCidr: expected an IPv4 CIDR block with a prefix from /16 to /24 and no host bits, such as 10.40.0.0/16, got '10.40.0.0/33'",
            ]);
            assert.deepStrictEqual(problemsFor({ vpcCidr: "10.40.0.1/16" }), [
                "healthcare-data-platform:vpcCidr: expected an IPv4 CIDR block with a prefix from /16 to /24 and no host bits, such as 10.40.0.0/16, got '10.40.0.1/16'",
            ]);
        });

        it("rejects a malformed on-prem CIDR", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCidrs: ["192.168.0.0/20", "300.1.0.0/16"], onPremVpnPeerIp: "203.0.113.10" }), [
                "healthcare-data-platform:onPremCidrs[1]: expected an IPv4 CIDR block with no host bits, such as 192.168.0.0/16, got '300.1.0.0/16'",
            ]);
        });

        it("rejects on-prem CIDRs that overlap each other", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCidrs: ["192.168.0.0/16", "192.168.4.0/24"], onPremVpnPeerIp: "203.0.113.10" }), [
                "healthcare-data-platform:onPremCidrs[1]: expected a range that does not overlap onPremCidrs[0] (192.168.0.0/16), got '192.168.4.0/24'",
            ]);
        });

        it("rejects on-prem CIDRs that overlap the VPC", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCidrs: ["10.40.128.0/20"], onPremVpnPeerIp: "203.0.113.10" }), [
                "healthcare-data-platform:onPremCidrs[0]: expected a range that does not overlap the VPC (10.40.0.0/16), got '10.40.128.0/20'",
            ]);
        });

        it("requires the VPN peer address with on-prem CIDRs", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCidrs: ["192.168.0.0/20"] }), [
                "healthcare-data-platform:onPremVpnPeerIp: expected the public IPv4 address of the on-prem VPN device (required with onPremCidrs), got undefined",
            ]);
        });

        it("rejects a transition to STANDARD_IA under 30 days", async () => {
            assert.deepStrictEqual(problemsFor({ lifecycleIaDays: 29 }), [
                "healthcare-data-platform:lifecycleIaDays: expected at least 30 days (S3's minimum before a transition to STANDARD_IA), got 29",
            ]);
            assert.deepStrictEqual(problemsFor({ lifecycleRawIaDays: 7 }), [
                "healthcare-data-platform:lifecycleRawIaDays: expected at least 30 days (S3's minimum before a transition to STANDARD_IA), got 7",
            ]);
        });

        it("outside the test lane, rejects the stack files' example account and the documentation-range VPN peer", async () => {
            const real = (stack: "dev" | "prod", overrides: Record<string, unknown> = {}) => {
                try {
                    loadPlatformConfig(mapSource(stackConfigMap(stack, overrides), stack), { rejectPlaceholders: true });
                    return [];
                } catch (err) {
                    if (!(err instanceof ConfigValidationError)) throw err;
                    return err.problems;
                }
            };
            const lane = "(a real deploy needs your values; only the offline engine and the real-engine test lane, HDP_TEST_LANE=offline|real-engine, accept examples)";
            assert.deepStrictEqual(real("prod"), [
                `aws:allowedAccountIds: expected your AWS account id, not the example 345678901234 ${lane}, got ["345678901234"]`,
                `healthcare-data-platform:onPremVpnPeerIp: expected the public IPv4 address of your VPN device, not an address of a documentation range (RFC 5737) ${lane}, got '203.0.113.10'`,
            ]);
            assert.deepStrictEqual(real("dev"), [`aws:allowedAccountIds: expected your AWS account id, not the example 210987654321 ${lane}, got ["210987654321"]`]);
            assert.deepStrictEqual(real("prod", { "aws:allowedAccountIds": ["602214076123"], onPremVpnPeerIp: "52.94.1.17", kmsKeyAdministratorArns: [], accessTrustedPrincipalArns: [], apiIamAnalystRoleArns: [] }), []);
            // The offline engine and the specs read the stack files as they are.
            assert.strictEqual(platformConfig("prod").naming.accountId, "345678901234");
            assert.strictEqual(isTestLane({ HDP_TEST_LANE: "offline" }), true);
            assert.strictEqual(isTestLane({ HDP_TEST_LANE: "real-engine" }), true);
            assert.strictEqual(isTestLane({}), false);
            assert.throws(() => isTestLane({ HDP_TEST_LANE: "yes" }), /HDP_TEST_LANE: expected offline or real-engine \(or unset for a real deploy\), got 'yes'/);
        });

        it("rejects reserved concurrency that would leave the account less than Lambda's 100 unreserved executions", async () => {
            // prod: inventory check, query API and object tagger reserve 20 each; the account limit is configured.
            assert.deepStrictEqual(problemsFor({ lambdaAccountConcurrencyLimit: 150 }, "prod"), [
                "healthcare-data-platform:analyticsLambdaReservedConcurrency: expected at most 16 per function (3 functions may reserve at most 50 of the account's 150 concurrent executions: Lambda keeps 100 unreserved), got 20",
            ]);
            // A new account's default limit of 10 leaves nothing to reserve.
            assert.deepStrictEqual(problemsFor({ lambdaAccountConcurrencyLimit: 10 }), [
                "healthcare-data-platform:analyticsLambdaReservedConcurrency: expected no reservation this account can grant (3 functions may reserve at most 0 of the account's 10 concurrent executions: Lambda keeps 100 unreserved; raise the quota and lambdaAccountConcurrencyLimit), got 2",
            ]);
            assert.strictEqual(platformConfig("prod", { lambdaAccountConcurrencyLimit: 160 }).analytics.lambda.reservedConcurrency, 20);
        });

        it("rejects a Glacier transition less than 30 days after the IA transition (S3 refuses the rule)", async () => {
            // S3 keeps an object in STANDARD_IA at least 30 days: PutBucketLifecycleConfiguration refuses a rule whose
            // archive transition is less than 30 days after its STANDARD_IA transition (AWS knowledge center,
            // "s3-lifecycle-rule-glacier-storage"; S3 user guide, lifecycle transition considerations).
            const gap = (archiveKey: string, ia: number, got: number) =>
                `healthcare-data-platform:${archiveKey}: expected the GLACIER transition at least 30 days after the STANDARD_IA transition (${ia} days; S3 keeps objects in STANDARD_IA 30 days), got ${got}`;
            assert.deepStrictEqual(problemsFor({ lifecycleIaDays: 60, lifecycleArchiveDays: 60 }), [gap("lifecycleArchiveDays", 60, 60)]);
            assert.deepStrictEqual(problemsFor({ lifecycleIaDays: 60, lifecycleArchiveDays: 89 }), [gap("lifecycleArchiveDays", 60, 89)]);
            assert.strictEqual(platformConfig("dev", { lifecycleIaDays: 60, lifecycleArchiveDays: 90 }).dataLake.lifecycle.raw.archiveDays, 90);
            // The raw zone inherits the stack-wide 180-day archive transition, so its own IA key is the culprit.
            assert.deepStrictEqual(problemsFor({ lifecycleRawIaDays: 200 }, "prod"), [
                "healthcare-data-platform:lifecycleRawIaDays: expected a STANDARD_IA transition at least 30 days before the GLACIER transition (180 days), got 200",
            ]);
            assert.deepStrictEqual(problemsFor({ lifecycleRawIaDays: 151 }, "prod"), [
                "healthcare-data-platform:lifecycleRawIaDays: expected a STANDARD_IA transition at least 30 days before the GLACIER transition (180 days), got 151",
            ]);
            assert.deepStrictEqual(problemsFor({ lifecycleCuratedIaDays: 400 }, "prod"), [gap("lifecycleCuratedArchiveDays", 400, 365)]);
        });

        it("rejects a log retention CloudWatch does not accept", async () => {
            assert.deepStrictEqual(problemsFor({ logRetentionDays: 45 }), [
                "healthcare-data-platform:logRetentionDays: expected one of CloudWatch Logs' retention values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 45",
            ]);
        });

        it("requires six years of audit retention in prod", async () => {
            assert.deepStrictEqual(problemsFor({ auditLogRetentionDays: 1827 }, "prod"), [
                "healthcare-data-platform:auditLogRetentionDays: expected at least 2192 days in prod (HIPAA 164.316(b)(2), six years), got 1827",
            ]);
        });

        it("rejects a malformed alert e-mail", async () => {
            assert.deepStrictEqual(problemsFor({ alertEmails: ["oncall@example-health.org", "security-at-example.org"] }), [
                "healthcare-data-platform:alertEmails[1]: expected an e-mail address such as security@example.org, got 'security-at-example.org'",
            ]);
        });

        it("requires a stakeholder e-mail in prod", async () => {
            assert.deepStrictEqual(problemsFor({ alertEmails: [] }, "prod"), [
                "healthcare-data-platform:alertEmails: expected at least one stakeholder e-mail in prod (HIPAA 164.308(a)(6): incidents must reach someone), got []",
            ]);
        });

        it("rejects customer ids that are not tag-safe", async () => {
            assert.deepStrictEqual(problemsFor({ customers: ["st-marys", "North Side Clinic", "a".repeat(33)] }), [
                "healthcare-data-platform:customers[1]: expected a tag-safe customer id: 1-32 lowercase letters, digits and inner hyphens, got 'North Side Clinic'",
                `healthcare-data-platform:customers[2]: expected a tag-safe customer id: 1-32 lowercase letters, digits and inner hyphens, got '${"a".repeat(33)}'`,
            ]);
        });

        it("rejects duplicate customer ids", async () => {
            assert.deepStrictEqual(problemsFor({ customers: ["st-marys", "st-marys"] }), [
                "healthcare-data-platform:customers: expected unique customer ids, got 'st-marys'",
            ]);
        });

        it("pins exactly one AWS account", async () => {
            assert.deepStrictEqual(problemsFor({ "aws:allowedAccountIds": ["1234"] }), [
                "aws:allowedAccountIds: expected a list with exactly one 12-digit AWS account id, got [\"1234\"]",
            ]);
        });

        it("rejects a value that is not a list where a list is expected", async () => {
            const map = { ...stackConfigMap("dev"), [`${PROJECT}:alertEmails`]: "oncall@example-health.org" };
            assert.deepStrictEqual(problemsOf(map, "dev"), [
                "healthcare-data-platform:alertEmails: expected a list of strings, got 'oncall@example-health.org'",
            ]);
        });

        it("rejects integers out of range and booleans that are not booleans", async () => {
            // The CLI refuses "yes" for a boolean key before the program runs; the reader still says it for any other source.
            const map = { ...stackConfigMap("dev", { availabilityZones: 5 }), [`${PROJECT}:rdsEnabled`]: "yes" };
            assert.deepStrictEqual(problemsOf(map, "dev"), [
                "healthcare-data-platform:availabilityZones: expected an integer from 2 to 3, got 5",
                "healthcare-data-platform:rdsEnabled: expected true or false, got 'yes'",
            ]);
        });

        it("requires the on-prem database password when batch ETL is on", async () => {
            assert.deepStrictEqual(problemsFor({ onPremDbPassword: undefined }, "prod"), [
                "healthcare-data-platform:onPremDbPassword: expected a secret (pulumi config set --secret onPremDbPassword <value>) when batchEtlEnabled is true, got undefined",
            ]);
        });

        it("names the secret to set when the committed prod stack file is used as is", async () => {
            // Pulumi.prod.yaml commits no ciphertext: its operators set the ETL password and the file gateway's
            // pre-fetched activation key with the CLI.
            assert.deepStrictEqual(problemsOf(loadStackConfig(ROOT, "prod").config, "prod"), [
                "healthcare-data-platform:onPremDbPassword: expected a secret (pulumi config set --secret onPremDbPassword <value>) when batchEtlEnabled is true, got undefined",
                "healthcare-data-platform:storageGatewayActivationKey: expected a secret (pulumi config set --secret storageGatewayActivationKey <value>, fetched once from the appliance's local console) when storageGatewayEnabled is true in prod: a CI runner cannot reach the appliance's private address to activate it by storageGatewayIpAddress, got undefined",
            ]);
        });

        it("validates the on-prem DNS domain and resolvers, and requires them in prod when the JDBC host is a name (network)", async () => {
            assert.deepStrictEqual(problemsFor({ onPremDnsDomain: "-bad..internal", onPremDnsResolverIps: ["8.8.8.8", "192.168.1.300"] }, "prod"), [
                "healthcare-data-platform:onPremDnsDomain: expected a DNS domain such as hospital.internal (labels of letters, digits and hyphens), got '-bad..internal'",
                "healthcare-data-platform:onPremDnsResolverIps[0]: expected the IPv4 address of an on-prem DNS resolver in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), got '8.8.8.8'",
                "healthcare-data-platform:onPremDnsResolverIps[1]: expected the IPv4 address of an on-prem DNS resolver in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), got '192.168.1.300'",
            ]);
            assert.deepStrictEqual(problemsFor({ onPremDnsDomain: undefined, onPremDnsResolverIps: undefined }, "prod"), [
                "healthcare-data-platform:onPremDnsDomain: expected the on-prem DNS domain (with onPremDnsResolverIps) when the onPremJdbcUrl host is a name in prod: the ETL job resolves ehr-db.stmarys.internal through a Route 53 Resolver forwarding rule, got undefined",
            ]);
            assert.deepStrictEqual(problemsFor({ onPremDnsResolverIps: [] }, "prod"), [
                "healthcare-data-platform:onPremDnsResolverIps: expected at least one on-prem DNS resolver IP when onPremDnsDomain is set, got []",
            ]);
            // A JDBC host given as an IP needs no forwarding.
            const byIp = platformConfig("prod", { onPremDnsDomain: undefined, onPremDnsResolverIps: undefined, onPremJdbcUrl: "jdbc:postgresql://192.168.2.5:5432/ehr" });
            assert.strictEqual(byIp.network.onPremises?.dns, undefined);
        });

        it("requires the VPN for batch ETL", async () => {
            const problems = problemsFor({
                batchEtlEnabled: true,
                onPremJdbcUrl: "jdbc:postgresql://ehr:5432/ehr",
                onPremDbUsername: "etl",
                onPremDbPassword: { secure: "v1:x" },
                etlSourceTables: ["ehr.encounters"],
                onPremCustomer: "st-marys",
            });
            assert.deepStrictEqual(problems, [
                "healthcare-data-platform:batchEtlEnabled: expected onPremCidrs and onPremVpnPeerIp to be set: the ETL job reaches the on-prem database over the site-to-site VPN, got true",
            ]);
        });

        it("requires the on-prem customer and source tables for batch ETL, and validates them (ingestion)", async () => {
            assert.deepStrictEqual(problemsFor({ onPremCustomer: undefined, etlSourceTables: [] }, "prod"), [
                "healthcare-data-platform:etlSourceTables: expected at least one schema.table when batchEtlEnabled is true (the ETL job copies only listed tables), got []",
                "healthcare-data-platform:onPremCustomer: expected the customer id that owns the on-prem site (one of customers: st-marys, northside-clinic, lakeview-hospital) when batchEtlEnabled is true: its data lands under customer=<id>/, got undefined",
            ]);
            assert.deepStrictEqual(problemsFor({ onPremCustomer: "mercy", etlSourceTables: ["ehr.encounters:updated_at", "encounters", "ehr.x y"] }, "prod"), [
                "healthcare-data-platform:etlSourceTables[1]: expected schema.table, optionally followed by :bookmark_column (for example ehr.encounters:updated_at), got 'encounters'",
                "healthcare-data-platform:etlSourceTables[2]: expected schema.table, optionally followed by :bookmark_column (for example ehr.encounters:updated_at), got 'ehr.x y'",
                "healthcare-data-platform:onPremCustomer: expected one of customers (st-marys, northside-clinic, lakeview-hospital), got 'mercy'",
            ]);
        });

        it("requires allowed AD users for the SMB share and rejects very wide NFS client networks (ingestion)", async () => {
            assert.deepStrictEqual(problemsFor({ storageGatewaySmbAllowedUsers: [], storageGatewayNfsClientCidrs: ["0.0.0.0/0"], storageGatewayNfsUnencrypted: true }, "prod"), [
                "healthcare-data-platform:storageGatewayNfsClientCidrs[0]: expected a client network of /8 or narrower (the share is restricted to the hospital's client networks), got '0.0.0.0/0'",
                "healthcare-data-platform:storageGatewaySmbAllowedUsers: expected at least one Active Directory user or @group when storageGatewaySmb is true (guest access is never enabled), got []",
            ]);
            assert.deepStrictEqual(problemsFor({ storageGatewaySmb: true, storageGatewaySmbAllowedUsers: ["@EHR-Uploaders", "bad user"] }, "prod"), [
                "healthcare-data-platform:storageGatewaySmbAllowedUsers[1]: expected an Active Directory user name or @group name without spaces or \" / \\ [ ] : ; | = , + * ? < >, got 'bad user'",
            ]);
        });

        it("requires the EMR in-transit certificates zip in cluster mode (analytics)", async () => {
            assert.deepStrictEqual(problemsFor({ emrMode: "cluster" }, "dev"), [
                "healthcare-data-platform:emrTlsCertificatesS3Object: expected s3://<bucket>/<key>.zip of the PEM certificates for in-transit encryption (required when emrMode is cluster), got undefined",
            ]);
            assert.deepStrictEqual(problemsFor({ emrMode: "cluster", emrTlsCertificatesS3Object: "s3://certs/emr.pem" }, "dev"), [
                "healthcare-data-platform:emrTlsCertificatesS3Object: expected s3://<bucket>/<key>.zip of the PEM certificates for in-transit encryption (required when emrMode is cluster), got 's3://certs/emr.pem'",
            ]);
            const cfg = loadPlatformConfig(mapSource(stackConfigMap("dev", { emrMode: "cluster", emrTlsCertificatesS3Object: "s3://hdp-dev-certs/emr/certs.zip" }), "dev"));
            assert.strictEqual(cfg.analytics.emr.tlsCertificatesS3Object, "s3://hdp-dev-certs/emr/certs.zip");
        });

        it("requires a 30-day key deletion window in prod", async () => {
            assert.deepStrictEqual(problemsFor({ kmsDeletionWindowDays: 7 }, "prod"), [
                "healthcare-data-platform:kmsDeletionWindowDays: expected 30 in prod (the longest window, to recover a key scheduled for deletion by mistake), got 7",
            ]);
        });

        it("accepts only IAM principals of the stack's account as key administrators and role assumers (security)", async () => {
            assert.deepStrictEqual(problemsFor({ kmsKeyAdministratorArns: ["arn:aws:iam::999999999999:role/admin"], accessTrustedPrincipalArns: ["arn:aws:iam::210987654321:root"] }, "dev"), [
                "healthcare-data-platform:kmsKeyAdministratorArns[0]: expected an IAM role or user ARN of account 210987654321 (arn:aws:iam::210987654321:role/<name>), got 'arn:aws:iam::999999999999:role/admin'",
                "healthcare-data-platform:accessTrustedPrincipalArns[0]: expected an IAM role or user ARN of account 210987654321 (arn:aws:iam::210987654321:role/<name>), got 'arn:aws:iam::210987654321:root'",
            ]);
            const cfg = loadPlatformConfig(
                mapSource(stackConfigMap("dev", { kmsKeyAdministratorArns: ["arn:aws:iam::210987654321:role/key-admins"], accessTrustedPrincipalArns: ["arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_0123"], accessRequireMfa: false }), "dev"),
            );
            assert.deepStrictEqual(cfg.security.keyAdministratorArns, ["arn:aws:iam::210987654321:role/key-admins"]);
            assert.deepStrictEqual(cfg.security.access, { trustedPrincipalArns: ["arn:aws:iam::210987654321:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_0123"], requireMfa: false });
            assert.deepStrictEqual(platformConfig("prod").security.access, { trustedPrincipalArns: [], requireMfa: true });
        });

        it("rejects a key Pulumi.yaml does not declare, naming the closest declared key", async () => {
            assert.deepStrictEqual(problemsFor({ lifecycleIaDay: 45 }), [
                "healthcare-data-platform:lifecycleIaDay: expected a key that Pulumi.yaml declares (did you mean lifecycleIaDays?), got 'lifecycleIaDay'",
            ]);
            // The value of a mistyped key is never shown: it may be a secret.
            const problems = problemsFor({ onPremDbPasword: { secure: "v1:typo" }, RdsMultiAz: true });
            assert.deepStrictEqual(problems, [
                "healthcare-data-platform:RdsMultiAz: expected a key that Pulumi.yaml declares (did you mean rdsMultiAz?), got 'RdsMultiAz'",
                "healthcare-data-platform:onPremDbPasword: expected a key that Pulumi.yaml declares (did you mean onPremDbPassword?), got 'onPremDbPasword'",
            ]);
            assert.strictEqual(closestKey("lifecycleRawIADays", Object.keys(declarations())), "lifecycleRawIaDays");
        });

        it("lists problems in Pulumi.yaml's key order, whichever area reports them", async () => {
            assert.deepStrictEqual(
                problemsFor({ apiAuthorization: "JWT", kmsDeletionWindowDays: 7, vpcCidr: "10.50.0.0/33", environment: "qa" }, "prod").map((p) => p.split(": expected")[0]),
                [
                    "healthcare-data-platform:environment",
                    "healthcare-data-platform:vpcCidr",
                    "healthcare-data-platform:apiJwtIssuer",
                    "healthcare-data-platform:apiJwtAudience",
                ],
            );
        });

        it("reports every problem at once, in one error naming each key", async () => {
            assert.throws(
                () => loadPlatformConfig(mapSource(stackConfigMap("dev", { environment: "qa", logRetentionDays: 45 }))),
                (err: Error) =>
                    err instanceof ConfigValidationError &&
                    err.message.startsWith("Stack configuration is invalid:\n  - healthcare-data-platform:environment") &&
                    err.message.includes("\n  - healthcare-data-platform:logRetentionDays"),
            );
        });
    });

    describe("CIDR helpers", () => {
        it("parses valid blocks and rejects host bits, bad octets and prefixes", async () => {
            assert.deepStrictEqual(parseCidr("10.0.0.0/8"), [0x0a000000, 8]);
            assert.strictEqual(parseCidr("10.0.0.1/8"), undefined);
            assert.strictEqual(parseCidr("256.0.0.0/8"), undefined);
            assert.strictEqual(parseCidr("10.0.0.0/40"), undefined);
            assert.strictEqual(parseCidr("10.0.0.0"), undefined);
        });

        it("detects overlap in both directions and not between neighbours", async () => {
            assert.strictEqual(cidrsOverlap("10.0.0.0/16", "10.0.5.0/24"), true);
            assert.strictEqual(cidrsOverlap("10.0.5.0/24", "10.0.0.0/16"), true);
            assert.strictEqual(cidrsOverlap("10.0.0.0/24", "10.0.1.0/24"), false);
        });
    });
});
