import * as assert from "assert";
import { bucketArn, bucketName, bucketObjectsArn, fitName, NAME_RULES, NamingContext, regionalArn, resourceName } from "../../../components/shared/naming";

const ctx: NamingContext = { prefix: "hdp", environment: "prod", region: "us-east-1", accountId: "345678901234", partition: "aws" };

describe("components/shared/naming", () => {
    it("builds globally unique bucket names from prefix, environment, purpose, account and region", async () => {
        assert.strictEqual(bucketName(ctx, "curated"), "hdp-prod-curated-345678901234-us-east-1");
        assert.strictEqual(bucketName({ ...ctx, accountId: "111111111111" }, "curated"), "hdp-prod-curated-111111111111-us-east-1");
        assert.notStrictEqual(bucketName({ ...ctx, region: "us-west-2" }, "curated"), bucketName(ctx, "curated"));
    });

    it("keeps bucket names within S3's 63 characters and lowercase, without losing uniqueness", async () => {
        const long1 = bucketName({ ...ctx, region: "ap-southeast-2" }, "Macie-Classification-Results-Export-Archive-One");
        const long2 = bucketName({ ...ctx, region: "ap-southeast-2" }, "Macie-Classification-Results-Export-Archive-Two");
        for (const name of [long1, long2]) {
            assert.ok(name.length <= 63, `${name} is ${name.length} characters`);
            assert.match(name, /^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
            assert.ok(name.endsWith("-345678901234-ap-southeast-2"), name);
        }
        assert.notStrictEqual(long1, long2);
    });

    it("is deterministic: the same inputs give the same name", async () => {
        assert.strictEqual(bucketName(ctx, "raw"), bucketName({ ...ctx }, "raw"));
        assert.strictEqual(resourceName(ctx, "x".repeat(100), "elasticache"), resourceName(ctx, "x".repeat(100), "elasticache"));
    });

    it("fits names to each service's rule", async () => {
        const cache = resourceName(ctx, "presentation-results-cache-replication-group", "elasticache");
        assert.ok(cache.length <= 40, cache);
        const domain = resourceName(ctx, "inventory-search", "opensearch");
        assert.ok(domain.length <= 28 && /^[a-z][a-z0-9-]*$/.test(domain), domain);
        assert.strictEqual(resourceName(ctx, "Analytics_Role", "iam"), "hdp-prod-Analytics_Role");
        assert.strictEqual(resourceName(ctx, "Curated DB", "glue"), "hdp-prod-curated-db");
        assert.strictEqual(fitName("9-lives--db-", NAME_RULES.rds), "n9-lives-db");
    });

    it("derives ARNs that are known without the resource existing", async () => {
        const name = bucketName(ctx, "raw");
        assert.strictEqual(bucketArn(ctx, name), "arn:aws:s3:::hdp-prod-raw-345678901234-us-east-1");
        assert.strictEqual(bucketObjectsArn(ctx, name), "arn:aws:s3:::hdp-prod-raw-345678901234-us-east-1/*");
        assert.strictEqual(regionalArn(ctx, "kinesis", "stream/hdp-prod-events"), "arn:aws:kinesis:us-east-1:345678901234:stream/hdp-prod-events");
    });
});
