/**
 * AWS SDK v3 clients for the ingestion client. Region and credentials come from the SDK's standard chain
 * (environment, shared config and SSO profiles, container and instance roles) unless given explicitly.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { IngestionError } from "./errors";

export interface ClientOptions {
    /** @default the SDK chain (AWS_REGION, the profile's region) */
    region?: string;
    /**
     * Endpoint override for local emulators (s3rver, kinesalite) or a VPC interface endpoint. S3 then uses
     * path-style addressing; Kinesis uses HTTP/1.1 (its default HTTP/2 handler needs TLS, which emulators lack).
     * https, or http to a loopback host only (see {@link checkEndpoint}).
     */
    endpoint?: string;
    /** @default the SDK chain */
    credentials?: S3ClientConfig["credentials"];
    /** SDK-level attempts per request (throttling, 5xx, network). @default 3 */
    maxAttempts?: number;
}

/** Whether `hostname` (as URL parses it: IPv6 in brackets, IPv4 normalised) is this machine's loopback. */
export function isLoopbackHost(hostname: string): boolean {
    const host = hostname.toLowerCase().replace(/\.$/, "");
    if (host === "localhost" || host === "[::1]") return true;
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
    return v4 !== null && Number(v4[1]) === 127 && v4.slice(2).every((o) => Number(o) <= 255);
}

/**
 * Checks an endpoint override: https, or plain http to a loopback host only (a local emulator). PHI sent with
 * plain http to any other host crosses a network in clear text (HIPAA 164.312(e)(1)); a VPC interface endpoint
 * speaks https. `name` is how the caller names the setting (`--endpoint` for the CLI).
 */
export function checkEndpoint(endpoint: string, name = "endpoint"): void {
    let url: URL;
    try {
        url = new URL(endpoint);
    } catch {
        throw new IngestionError("usage", `${name} must be an http(s) URL, got '${endpoint}'`);
    }
    if (url.protocol === "https:" && url.hostname !== "") return;
    if (url.protocol !== "http:" || url.hostname === "") throw new IngestionError("usage", `${name} must be an http(s) URL, got '${endpoint}'`);
    if (!isLoopbackHost(url.hostname)) {
        throw new IngestionError(
            "usage",
            `${name} must use https://; plain http:// is allowed only for a loopback host (localhost, 127.0.0.0/8, ::1), got host '${url.hostname}'`,
        );
    }
}

export function createS3Client(options: ClientOptions = {}): S3Client {
    if (options.endpoint !== undefined) checkEndpoint(options.endpoint);
    return new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.endpoint !== undefined,
        credentials: options.credentials,
        maxAttempts: options.maxAttempts,
    });
}

export function createKinesisClient(options: ClientOptions = {}): KinesisClient {
    if (options.endpoint !== undefined) checkEndpoint(options.endpoint);
    return new KinesisClient({
        region: options.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
        maxAttempts: options.maxAttempts,
        requestHandler: options.endpoint !== undefined ? new NodeHttpHandler() : undefined,
    });
}
