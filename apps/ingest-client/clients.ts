/**
 * AWS SDK v3 clients for the ingestion client. Region and credentials come from the SDK's standard chain
 * (environment, shared config and SSO profiles, container and instance roles) unless given explicitly.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";

export interface ClientOptions {
    /** @default the SDK chain (AWS_REGION, the profile's region) */
    region?: string;
    /**
     * Endpoint override for local emulators (s3rver, kinesalite) or a VPC interface endpoint. S3 then uses
     * path-style addressing; Kinesis uses HTTP/1.1 (its default HTTP/2 handler needs TLS, which emulators lack).
     */
    endpoint?: string;
    /** @default the SDK chain */
    credentials?: S3ClientConfig["credentials"];
    /** SDK-level attempts per request (throttling, 5xx, network). @default 3 */
    maxAttempts?: number;
}

export function createS3Client(options: ClientOptions = {}): S3Client {
    return new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.endpoint !== undefined,
        credentials: options.credentials,
        maxAttempts: options.maxAttempts,
    });
}

export function createKinesisClient(options: ClientOptions = {}): KinesisClient {
    return new KinesisClient({
        region: options.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
        maxAttempts: options.maxAttempts,
        requestHandler: options.endpoint !== undefined ? new NodeHttpHandler() : undefined,
    });
}
