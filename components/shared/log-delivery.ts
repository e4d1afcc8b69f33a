/**
 * Vended log delivery (Site-to-Site VPN tunnel logs, API Gateway HTTP API access logs): CloudWatch Logs' delivery
 * service (`delivery.logs.amazonaws.com`) writes into the log group, and only a log-group resource policy can let it.
 * Without one, AWS adds an `AWSLogDeliveryWrite20150319` policy when logging is enabled, but only if the deployer
 * may `logs:PutResourcePolicy`, and the account has only 10 resource-policy slots per region: the stack creates the
 * policy itself, naming its own log groups, so a locked-down deployer works and the evidence shows who may write.
 */
import { NamingContext, regionalArn } from "./naming";

/** The resource policy letting CloudWatch Logs' delivery service write this account's vended logs into `groupNames`. */
export function vendedLogDeliveryPolicy(naming: NamingContext, groupNames: string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "VendedLogDelivery",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: groupNames.map((g) => `${regionalArn(naming, "logs", `log-group:${g}`)}:log-stream:*`),
                // Deliveries set up in this account and region only (confused-deputy guard).
                Condition: { StringEquals: { "aws:SourceAccount": naming.accountId }, ArnLike: { "aws:SourceArn": regionalArn(naming, "logs", "*") } },
            },
        ],
    });
}
