/**
 * A test double of pulumi-aws 7.48.0 for the real Pulumi engine.
 *
 * The real `pulumi-resource-aws` cannot be had here (no network, no AWS account), so this plugin answers the
 * engine the way the bridged provider does, without calling AWS:
 * - CheckConfig/Configure take the provider config (region, allowedAccountIds, defaultTags...), refuse an account
 *   outside allowedAccountIds, and report support for secrets, resource references and previews.
 * - Check rejects an input property that the generated @pulumi/aws SDK does not list for the type (a typo, or a
 *   property v7 removed), auto-names like the provider, and merges the provider's default tags into `tagsAll`.
 * - Create/Update return deterministic ids and ARNs (the offline engine's scheme, `tools/offline/mocks.ts`); in a
 *   preview, computed-only outputs are unknown. Diff reports changed inputs and replaces where the property
 *   forces it (`replacements.ts`). Read returns the stored state, with injected "console changes" (drift).
 * - Invokes answer from `tools/offline/invokes.ts` plus a few provider-only functions; any other fails and names
 *   its token.
 *
 * Drift injection: when the environment variable HDP_TEST_AWS_DRIFT_FILE names a JSON file, Read applies it:
 * `{ "<resource id or URN>": { "<property>": <value>, ... } }` overrides those properties of the live resource
 * (state and, for input properties, the inputs refresh records), and `{ "<id or URN>": null }` reports the resource
 * as deleted outside Pulumi. The file is read on every Read, so a spec can edit it between CLI commands.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import type * as provider from "@pulumi/pulumi/provider";
import { invokeMocks, InvokeMock } from "../../../offline/invokes";
import { autoName, DEFAULT_CONTEXT, MockContext, NAME_PROPERTY, OfflineMocks, stableSuffix } from "../../../offline/mocks";
import { resourceSchema, ResourceSchema } from "../../../offline/schema";
import { isWireSecret, SECRET_SIG, SIG_KEY, UNKNOWN } from "../../../offline/wire";
import type { ConfigureRequest, EngineDiffResult, EngineProvider } from "../server";
import { configValue, containsUnknown, isAbsent, parseUrn, PropertyMap, sameValue, unwrapSecrets } from "../values";
import { EXTRA_OUTPUTS } from "./computed";
import { DELETION_PROTECTION, forceNewProperties } from "./replacements";

/** The @pulumi/aws version in package-lock.json: the SDK the program is generated against. */
export const AWS_PROVIDER_VERSION = "7.48.0";

/** Environment variable naming the drift file (see the module comment). */
export const DRIFT_FILE_ENV = "HDP_TEST_AWS_DRIFT_FILE";
/** Environment variable overriding the account the test credentials belong to. */
export const ACCOUNT_ENV = "HDP_TEST_AWS_ACCOUNT_ID";

// Provider inputs the engine adds to every provider resource besides the package's own configuration.
const ENGINE_PROVIDER_KEYS = new Set(["version", "pluginDownloadURL"]);

// Account ids of the Elastic Load Balancing service per region (AWS docs, "Attach a policy to your S3 bucket").
const ELB_ACCOUNTS: Record<string, string> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "ca-central-1": "985666609251",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ap-south-1": "718504428378",
};

export interface AwsProviderOptions {
    /** Environment to read the drift file and account override from (default: process.env). */
    env?: NodeJS.ProcessEnv;
}

interface ProviderSettings {
    region: string;
    accountId: string;
    defaultTags: Record<string, unknown>;
}

function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

function stringList(value: unknown): string[] | undefined {
    const v = configValue(value);
    return Array.isArray(v) ? v.map(String) : undefined;
}

/** Edit distance, to suggest the property a typo meant. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

function suggestion(prop: string, candidates: Iterable<string>): string {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = distance(prop, c);
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best !== undefined && bestDistance <= Math.max(2, Math.floor(prop.length / 3)) ? `; did you mean '${best}'?` : "";
}

export class AwsProvider implements EngineProvider {
    readonly version = AWS_PROVIDER_VERSION;
    private readonly env: NodeJS.ProcessEnv;
    private settings: ProviderSettings;

    constructor(options: AwsProviderOptions = {}) {
        this.env = options.env ?? process.env;
        this.settings = {
            region: this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION ?? DEFAULT_CONTEXT.region,
            accountId: this.env[ACCOUNT_ENV] ?? DEFAULT_CONTEXT.accountId,
            defaultTags: {},
        };
    }

    /** Account, region, partition and zones the double answers for (what the credentials would resolve to). */
    get context(): MockContext {
        const { region, accountId } = this.settings;
        return { region, accountId, partition: partitionOf(region), availabilityZones: ["a", "b", "c"].map((z) => `${region}${z}`) };
    }

    async checkConfig(_urn: string, _olds: PropertyMap, news: PropertyMap): Promise<provider.CheckResult> {
        const failures: provider.CheckFailure[] = [];
        const known = resourceSchema("pulumi:providers:aws")?.inputs;
        for (const key of Object.keys(news)) {
            if (known && !known.has(key) && !ENGINE_PROVIDER_KEYS.has(key)) {
                failures.push({ property: key, reason: `unknown configuration key "aws:${key}" for the aws provider ${AWS_PROVIDER_VERSION}${suggestion(key, known)}` });
            }
        }
        if (isAbsent(news.region) && !this.env.AWS_REGION && !this.env.AWS_DEFAULT_REGION) {
            failures.push({
                property: "region",
                reason: 'missing required configuration key "aws:region": The region where AWS operations will take place. Examples are us-east-1, us-west-2, etc.',
            });
        }
        return { inputs: news, failures };
    }

    async diffConfig(_urn: string, olds: PropertyMap, news: PropertyMap): Promise<EngineDiffResult> {
        const keys = new Set([...Object.keys(olds), ...Object.keys(news)].filter((k) => k !== "version"));
        const diffs = [...keys].filter((k) => !containsUnknown(news[k]) && !sameValue(configValue(olds[k]), configValue(news[k])));
        const unknown = [...keys].filter((k) => containsUnknown(news[k]));
        return { changes: diffs.length + unknown.length > 0, diffs: [...diffs, ...unknown] };
    }

    /**
     * Takes the provider configuration. Stack config arrives as `aws:<key>` variables, an explicit provider's
     * arguments as `args`; either may be JSON-encoded. Like the real provider, an account outside
     * allowedAccountIds (or inside forbiddenAccountIds) is refused before any resource is touched.
     */
    async configure(req: ConfigureRequest): Promise<void> {
        const get = (key: string): unknown => (req.args[key] !== undefined ? req.args[key] : req.variables[`aws:${key}`]);
        const region = configValue(get("region"));
        const settings: ProviderSettings = { ...this.settings };
        if (typeof region === "string" && region !== "" && region !== UNKNOWN) {
            settings.region = region;
        }
        const allowed = stringList(get("allowedAccountIds"));
        const forbidden = stringList(get("forbiddenAccountIds"));
        if (!this.env[ACCOUNT_ENV] && allowed?.length) {
            // The double's credentials belong to the account the stack allows (a real run uses whatever the
            // credentials resolve to; HDP_TEST_AWS_ACCOUNT_ID simulates credentials of another account).
            settings.accountId = allowed[0];
        }
        if ((allowed?.length && !allowed.includes(settings.accountId)) || forbidden?.includes(settings.accountId)) {
            throw new Error(`AWS account ID not allowed: ${settings.accountId}`);
        }
        const defaultTags = configValue(get("defaultTags"));
        const tags = defaultTags && typeof defaultTags === "object" ? (defaultTags as { tags?: unknown }).tags : undefined;
        settings.defaultTags = tags && typeof tags === "object" ? { ...(tags as PropertyMap) } : {};
        this.settings = settings;
    }

    async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<provider.CheckResult> {
        const { type, name } = parseUrn(urn);
        const schema = resourceSchema(type);
        if (!schema) {
            return { inputs: news, failures: [{ property: "", reason: `${type} is not a resource type of @pulumi/aws ${AWS_PROVIDER_VERSION} (resource '${name}', ${urn})` }] };
        }
        const failures: provider.CheckFailure[] = [];
        for (const key of Object.keys(news)) {
            if (!schema.inputs.has(key)) {
                failures.push({
                    property: key,
                    reason: `${type} resource '${name}' has no input property '${key}' in @pulumi/aws ${AWS_PROVIDER_VERSION}${suggestion(key, schema.inputs)} (${urn})`,
                });
            }
        }
        const inputs: PropertyMap = { ...news };
        // Auto-naming: the provider fills in the physical name during Check, so it is known in a preview and stays
        // stable across updates (an old auto-name is kept).
        const nameProp = NAME_PROPERTY[type] ?? "name";
        if (schema.inputs.has(nameProp) && isAbsent(inputs[nameProp]) && isAbsent(inputs[`${nameProp}Prefix`])) {
            inputs[nameProp] = !isAbsent(olds[nameProp]) && isAbsent(olds[`${nameProp}Prefix`]) ? olds[nameProp] : autoName(type, name, nameProp, unwrapSecrets(inputs) as PropertyMap);
        }
        // Default tags: pulumi-aws merges the provider's defaultTags with the resource's tags into tagsAll (the
        // resource's own tags win), and leaves `tags` as the program wrote it.
        if (schema.state.has("tagsAll") && schema.inputs.has("tags")) {
            const tags = inputs.tags;
            if (containsUnknown(tags)) {
                inputs.tagsAll = UNKNOWN;
            } else if (isWireSecret(tags)) {
                // A secret tag map makes the merged map secret as well.
                inputs.tagsAll = { [SIG_KEY]: SECRET_SIG, value: { ...this.settings.defaultTags, ...((tags.value as PropertyMap | null) ?? {}) } };
            } else if (Object.keys(this.settings.defaultTags).length > 0 || !isAbsent(tags)) {
                inputs.tagsAll = { ...this.settings.defaultTags, ...((tags as PropertyMap | undefined) ?? {}) };
            }
        }
        return { inputs, failures };
    }

    async diff(_id: string, urn: string, olds: PropertyMap, news: PropertyMap, oldInputs?: PropertyMap): Promise<EngineDiffResult> {
        const { type } = parseUrn(urn);
        const schema = resourceSchema(type);
        const keys = new Set([...Object.keys(news), ...Object.keys(oldInputs ?? {})]);
        const diffs: string[] = [];
        for (const key of keys) {
            const wasInput = oldInputs ? key in oldInputs : key in olds;
            const before = key in olds ? olds[key] : oldInputs?.[key];
            if (!(key in news) && !wasInput) {
                continue;
            }
            if (containsUnknown(news[key]) || !sameValue(before, news[key])) {
                diffs.push(key);
            }
        }
        const forceNew = forceNewProperties(type, schema?.inputs);
        const replaces = diffs.filter((k) => forceNew.has(k));
        return { changes: diffs.length > 0, diffs: diffs.sort(), replaces: replaces.sort(), deleteBeforeReplace: false };
    }

    async create(urn: string, inputs: PropertyMap, preview = false): Promise<provider.CreateResult> {
        const { type, name } = parseUrn(urn);
        const schema = resourceSchema(type);
        if (preview) {
            return { id: "", outs: this.plannedState(type, inputs, schema) };
        }
        return this.createdState(type, name, inputs);
    }

    async update(id: string, urn: string, olds: PropertyMap, news: PropertyMap, preview = false): Promise<provider.UpdateResult> {
        const { type, name } = parseUrn(urn);
        const schema = resourceSchema(type);
        // Outputs the update does not touch stay as they were (known in a preview too); ids and ARNs are derived
        // from type and name, which an in-place update cannot change.
        const kept: PropertyMap = {};
        for (const prop of schema?.outputOnly ?? []) {
            if (prop in olds) kept[prop] = olds[prop];
        }
        if (preview && containsUnknown(news)) {
            return { outs: { ...kept, ...this.plannedState(type, news, schema) } };
        }
        const { outs } = this.createdState(type, name, news, id);
        return { outs: { ...kept, ...outs } };
    }

    async read(id: string, urn: string, props?: PropertyMap, inputs?: PropertyMap): Promise<provider.ReadResult> {
        const drift = this.driftFor(id, urn);
        if (drift === null) {
            // Deleted outside Pulumi: an empty id tells the engine the resource is gone.
            return { id: "", props: {} };
        }
        const state = { ...(props ?? {}), ...(drift ?? {}) };
        if (!inputs) {
            return { id, props: state };
        }
        const schema = resourceSchema(parseUrn(urn).type);
        const driftedInputs = Object.fromEntries(Object.entries(drift ?? {}).filter(([k]) => !schema || schema.inputs.has(k)));
        return { id, props: state, inputs: { ...inputs, ...driftedInputs } };
    }

    async delete(id: string, urn: string, props: PropertyMap): Promise<void> {
        const guard = DELETION_PROTECTION[parseUrn(urn).type];
        if (guard && unwrapSecrets(props[guard.property]) === true) {
            throw new Error(guard.message.replace(/%s/g, id));
        }
    }

    async invoke(token: string, inputs: PropertyMap): Promise<provider.InvokeResult> {
        const answer = this.invokes[token] ?? invokeMocks[token];
        if (!answer) {
            throw new Error(
                `invoke '${token}' is not implemented by the aws test provider (tools/engine/providers/aws, standing in for ` +
                    `pulumi-aws ${AWS_PROVIDER_VERSION}); add an answer to tools/offline/invokes.ts. Arguments: ${JSON.stringify(unwrapSecrets(inputs))}`,
            );
        }
        return { outputs: answer(unwrapSecrets(inputs) as PropertyMap, this.context) };
    }

    /** Functions answered from the provider's own configuration (the offline engine has no provider to ask). */
    private readonly invokes: Record<string, InvokeMock> = {
        "aws:index/getDefaultTags:getDefaultTags": () => ({ id: "default", tags: unwrapSecrets(this.settings.defaultTags) }),
        "aws:elb/getServiceAccount:getServiceAccount": (inputs, ctx) => {
            const region = typeof inputs.region === "string" ? inputs.region : ctx.region;
            const account = ELB_ACCOUNTS[region];
            if (!account) {
                throw new Error(`aws:elb/getServiceAccount:getServiceAccount: the aws test provider knows no ELB account for region '${region}'`);
            }
            return { id: account, arn: `arn:${partitionOf(region)}:iam::${account}:root`, region };
        },
    };

    /** A resource about to be created, as a preview shows it: its inputs, computed outputs unknown. */
    private plannedState(type: string, inputs: PropertyMap, schema: ResourceSchema | undefined): PropertyMap {
        const state: PropertyMap = { ...inputs };
        for (const prop of schema?.outputOnly ?? []) {
            if (!(prop in state)) state[prop] = UNKNOWN;
        }
        // The region of a regional resource is the provider's: known before create.
        if (schema?.state.has("region") && isAbsent(state.region)) {
            state.region = this.settings.region;
        }
        const nameProp = NAME_PROPERTY[type] ?? "name";
        if (schema?.state.has(nameProp) && isAbsent(state[nameProp])) {
            state[nameProp] = UNKNOWN; // named from a prefix: the suffix is picked at create time
        }
        return state;
    }

    private createdState(type: string, name: string, inputs: PropertyMap, existingId?: string): provider.CreateResult {
        const mocks = new OfflineMocks("up", this.context);
        const result = mocks.newResource({ type, name, inputs, custom: true });
        const state = result.state as PropertyMap;
        let id = existingId ?? result.id ?? `${name}-${stableSuffix(`${type}::${name}`, 17)}`;
        if (type === "aws:ec2/routeTable:RouteTable" && !existingId) {
            // awsx names a subnet's route table after the subnet; EC2's DescribeRouteTables answer in invokes.ts
            // derives a subnet's route table id from the subnet id, so derive this id the same way to keep
            // `aws.ec2.getRouteTables({ filters: association.subnet-id })` consistent with what was created.
            const subnetId = `subnet-${stableSuffix(`aws:ec2/subnet:Subnet::${name}`, 17)}`;
            id = `rtb-${crypto.createHash("sha256").update(`route-table::${subnetId}`).digest("hex").slice(0, 17)}`;
        }
        const schema = resourceSchema(type);
        if (type === "aws:ec2/eip:Eip") {
            state.allocationId = id.startsWith("eipalloc-") ? id : `eipalloc-${stableSuffix(`${type}::${name}`, 17)}`;
            id = state.allocationId as string;
            state.domain ??= "vpc";
            state.publicIp = `203.0.113.${parseInt(stableSuffix(name, 2), 16) % 254 + 1}`;
        }
        const prefixes: Record<string, string> = {
            "aws:ec2/internetGateway:InternetGateway": "igw-",
            "aws:ec2/natGateway:NatGateway": "nat-",
            "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
            "aws:ec2/route:Route": "r-",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
        };
        const prefix = prefixes[type];
        if (prefix && !existingId) {
            id = `${prefix}${stableSuffix(`${type}::${name}`, 17)}`;
        }
        if (schema?.state.has("ownerId")) state.ownerId ??= this.context.accountId;
        if (schema?.state.has("region")) state.region ??= this.settings.region;
        if (schema?.state.has("tagsAll") && state.tagsAll === undefined) state.tagsAll = {};
        for (const [prop, v] of Object.entries(EXTRA_OUTPUTS[type]?.(id, name, state, this.context) ?? {})) {
            if (state[prop] === undefined && (!schema || schema.state.has(prop))) state[prop] = v;
        }
        // Like the bridged provider, the state lists every property of the type, null where AWS reports none: the
        // SDK reads a property missing from the state as unknown in the next preview, which would turn every
        // reader of it into a change.
        for (const prop of schema?.state ?? []) {
            if (state[prop] === undefined || state[prop] === UNKNOWN) state[prop] = null;
        }
        return { id, outs: state };
    }

    /** The injected console change for a resource: an override map, `null` (deleted) or undefined (none). */
    private driftFor(id: string, urn: string): PropertyMap | null | undefined {
        const file = this.env[DRIFT_FILE_ENV];
        if (!file) {
            return undefined;
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch (e) {
            throw new Error(`${DRIFT_FILE_ENV}=${file}: expected a JSON object of resource id or URN to property overrides (${(e as Error).message})`);
        }
        const table = parsed as Record<string, PropertyMap | null>;
        if (id in table) return table[id];
        if (urn in table) return table[urn];
        return undefined;
    }
}
