import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { policyConfig, stringList } from "../../lib/config";
import { judgeEach, subject } from "../../lib/dispatch";
import { hipaa } from "../../lib/hipaa";
import { AWS_PROVIDER_TYPE, isTaggable, providerDefaultTagKeys, resolveProvider, TagKeys, tagKeysOf } from "../../lib/tags";

const NAME = "required-tags";

export interface RequiredTagsConfig {
    /**
     * Tag keys every taggable AWS resource must carry, directly or through its provider's defaultTags.
     * @default ["data-classification", "owner", "environment"]
     */
    requiredTags: string[];
}
const DEFAULTS: RequiredTagsConfig = { requiredTags: ["data-classification", "owner", "environment"] };

export const requiredTags: StackValidationPolicy = {
    name: NAME,
    description:
        "Every taggable AWS resource carries the data-classification, owner and environment tags, counting the default tags " +
        "of the AWS provider it is created with.",
    enforcementLevel: "advisory",
    severity: "low",
    framework: hipaa("164.308(a)(1)(ii)(A)"),
    remediationSteps:
        "Set the tags once on the AWS provider (`new aws.Provider(..., { defaultTags: { tags: {...} } })` or the `aws:defaultTags` " +
        "stack config) and refine `data-classification` per resource with `tags`. Tag changes apply in place.",
    configSchema: {
        properties: {
            requiredTags: { type: "array", items: { type: "string" }, default: DEFAULTS.requiredTags, description: "Tag keys every taggable AWS resource must carry." },
        },
    },
    validateStack: (args, report) => {
        const required = stringList(NAME, "requiredTags", policyConfig(args, DEFAULTS).requiredTags);
        // Providers by URN, and the default AWS provider for resources the analyzer gave no provider for.
        const providers = new Map<string, PolicyResource>();
        let defaultProvider: PolicyResource | undefined;
        const taggable: PolicyResource[] = [];
        for (const r of args.resources) {
            if (r.type === AWS_PROVIDER_TYPE) {
                providers.set(r.urn, r);
                if (!defaultProvider && r.name.startsWith("default")) {
                    defaultProvider = r;
                }
            } else if (isTaggable(r.type, r.props)) {
                taggable.push(r);
            }
        }
        if (taggable.length === 0 || required.length === 0) {
            return args.notApplicable(required.length === 0 ? "No tags are required (requiredTags is empty)." : "The stack has no taggable AWS resources.");
        }
        // Provider default tags are parsed once per provider, not once per resource.
        const defaultsCache = new Map<object, TagKeys>();
        const defaultsOf = (r: PolicyResource): TagKeys => {
            const provider = resolveProvider(r, providers, defaultProvider);
            if (!provider) {
                return { keys: new Set(), unknown: false };
            }
            let keys = defaultsCache.get(provider);
            if (!keys) {
                keys = providerDefaultTagKeys(provider.props);
                defaultsCache.set(provider, keys);
            }
            return keys;
        };
        judgeEach(taggable, (r) => {
            const own = tagKeysOf(r.props, "tags");
            const all = tagKeysOf(r.props, "tagsAll");
            const defaults = defaultsOf(r);
            const missing = required.filter((k) => !own.keys.has(k) && !all.keys.has(k) && !defaults.keys.has(k));
            if (missing.length === 0) {
                return;
            }
            if (own.unknown || defaults.unknown) {
                // A tag map is unknown at preview: read it so the SDK reports that instead of a false alarm.
                void (own.unknown ? r.props["tags"] : resolveProvider(r, providers, defaultProvider)?.props["defaultTags"]);
                return;
            }
            report(`${subject(r)} is missing required tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (its provider's defaultTags included): add ${missing.length > 1 ? "them" : "it"} to tags or to the provider's defaultTags.`, r.urn);
        });
    },
};
