/**
 * A minimal Redis/Valkey (RESP2) client over TLS for caching query results in ElastiCache, and the
 * ElastiCache IAM authentication token it signs itself.
 *
 * Why not a Redis library: the project may not add npm packages, and the function needs four commands
 * (AUTH, GET, SET ... EX, PING). Why IAM authentication: no password exists anywhere (not in config, state,
 * environment or Secrets Manager); the function role's `elasticache:Connect` permission is the credential,
 * and CloudTrail records it (HIPAA 164.312(d) person or entity authentication). The token is a SigV4
 * presigned `connect` request, valid 15 minutes, signed with the Lambda role's temporary credentials.
 *
 * Transport is always TLS 1.2+ with the server certificate verified against the endpoint name (HIPAA
 * 164.312(e)(1)); ElastiCache with in-transit encryption presents an Amazon-issued certificate.
 *
 * The cache is an optimisation: every failure (connect, auth, timeout, protocol) is reported to the caller's
 * `onError` and turns into a cache miss, so the API keeps answering from Athena when the cache is down. A circuit
 * breaker stops it from trying again for a backoff that doubles with each consecutive failure: without it, every
 * request to a warm function would pay a connect timeout on GET and another on SET while the cache is unreachable,
 * seconds out of API Gateway's 30 s integration budget that the Athena query needs.
 */
import * as crypto from "crypto";
import * as tls from "tls";
import type { Duplex } from "stream";

export type RespValue = string | number | null | RespError | RespValue[];

/** A RESP error reply (`-ERR ...`). */
export class RespError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RespError";
    }
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: string[]): Buffer {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
        const b = Buffer.from(a, "utf8");
        parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
    }
    return Buffer.concat(parts);
}

/** Parses one reply at `offset`; `undefined` when the buffer does not hold a complete reply yet. */
export function parseReply(buf: Buffer, offset = 0): { value: RespValue; next: number } | undefined {
    const eol = buf.indexOf("\r\n", offset);
    if (eol < 0) {
        return undefined;
    }
    const type = String.fromCharCode(buf[offset]);
    const line = buf.toString("utf8", offset + 1, eol);
    switch (type) {
        case "+":
            return { value: line, next: eol + 2 };
        case "-":
            return { value: new RespError(line), next: eol + 2 };
        case ":":
            return { value: Number(line), next: eol + 2 };
        case "$": {
            const len = Number(line);
            if (len < 0) {
                return { value: null, next: eol + 2 };
            }
            const end = eol + 2 + len;
            if (buf.length < end + 2) {
                return undefined;
            }
            return { value: buf.toString("utf8", eol + 2, end), next: end + 2 };
        }
        case "*": {
            const count = Number(line);
            if (count < 0) {
                return { value: null, next: eol + 2 };
            }
            const items: RespValue[] = [];
            let next = eol + 2;
            for (let i = 0; i < count; i++) {
                const item = parseReply(buf, next);
                if (!item) {
                    return undefined;
                }
                items.push(item.value);
                next = item.next;
            }
            return { value: items, next };
        }
        default:
            throw new RespError(`protocol error: unexpected reply type '${type}'`);
    }
}

/** One connection; commands are pipelined and answered in order. */
export class RespConnection {
    private buffer = Buffer.alloc(0);
    private readonly pending: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];
    private failure?: Error;

    constructor(
        private readonly socket: Duplex,
        private readonly commandTimeoutMs: number,
    ) {
        // An idle cached connection must not keep a process alive (tests, scripts); a command's timeout timer
        // keeps the event loop running while a reply is awaited.
        (socket as Duplex & { unref?: () => void }).unref?.();
        socket.on("data", (chunk: Buffer) => this.onData(chunk));
        socket.on("error", (err: Error) => this.fail(err));
        socket.on("close", () => this.fail(new Error("cache connection closed")));
    }

    get usable(): boolean {
        return this.failure === undefined;
    }

    private onData(chunk: Buffer): void {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        for (;;) {
            let reply: { value: RespValue; next: number } | undefined;
            try {
                reply = parseReply(this.buffer);
            } catch (err) {
                this.fail(err as Error);
                return;
            }
            if (!reply) {
                return;
            }
            this.buffer = this.buffer.subarray(reply.next);
            this.pending.shift()?.resolve(reply.value);
        }
    }

    private fail(err: Error): void {
        this.failure ??= err;
        while (this.pending.length) {
            this.pending.shift()?.reject(err);
        }
    }

    /** Closes the transport (the next command fails; the cache then reconnects). */
    close(): void {
        this.socket.destroy();
    }

    /** Sends a command; rejects on an error reply, a broken connection or the command timeout. */
    command(args: string[]): Promise<RespValue> {
        if (this.failure) {
            return Promise.reject(this.failure);
        }
        return new Promise<RespValue>((resolve, reject) => {
            const timer = setTimeout(() => {
                const err = new Error(`cache command ${args[0]} timed out after ${this.commandTimeoutMs} ms`);
                this.fail(err);
                this.socket.destroy();
                reject(err);
            }, this.commandTimeoutMs);
            this.pending.push({
                resolve: (v) => {
                    clearTimeout(timer);
                    if (v instanceof RespError) reject(v);
                    else resolve(v);
                },
                reject: (e) => {
                    clearTimeout(timer);
                    reject(e);
                },
            });
            this.socket.write(encodeCommand(args));
        });
    }
}

/** AWS credentials as the Lambda runtime exposes them in the environment. */
export interface AwsCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", key).update(data, "utf8").digest();
const sha256Hex = (data: string) => crypto.createHash("sha256").update(data, "utf8").digest("hex");
// RFC 3986 encoding as SigV4 requires (encodeURIComponent leaves !'()* alone).
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface IamAuthTokenRequest {
    /** Replication group id or serverless cache name (the token's host). */
    cacheName: string;
    /** ElastiCache user id (for IAM-enabled users, equal to the user name). */
    userId: string;
    /** Serverless caches need `ResourceType=ServerlessCache` in the signed request. */
    serverless: boolean;
    region: string;
    credentials: AwsCredentials;
    now: Date;
    /** @default 900 (the maximum ElastiCache accepts) */
    expiresSeconds?: number;
}

/**
 * The ElastiCache IAM auth token: a SigV4 query-presigned `GET http://<cacheName>/?Action=connect&User=<userId>`
 * for service `elasticache`, without the scheme. Used as the password of `AUTH <userId> <token>`.
 */
export function elasticacheIamAuthToken(req: IamAuthTokenRequest): string {
    const amzDate = req.now.toISOString().replace(/[:-]|\.\d{3}/g, "");
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${req.region}/elasticache/aws4_request`;
    const query: Record<string, string> = {
        Action: "connect",
        User: req.userId,
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": `${req.credentials.accessKeyId}/${scope}`,
        "X-Amz-Date": amzDate,
        "X-Amz-Expires": String(req.expiresSeconds ?? 900),
        "X-Amz-SignedHeaders": "host",
    };
    if (req.serverless) {
        query.ResourceType = "ServerlessCache";
    }
    if (req.credentials.sessionToken) {
        query["X-Amz-Security-Token"] = req.credentials.sessionToken;
    }
    const canonicalQuery = Object.keys(query)
        .sort()
        .map((k) => `${rfc3986(k)}=${rfc3986(query[k])}`)
        .join("&");
    const canonicalRequest = ["GET", "/", canonicalQuery, `host:${req.cacheName}`, "", "host", sha256Hex("")].join("\n");
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
    let key = hmac(`AWS4${req.credentials.secretAccessKey}`, day);
    for (const part of [req.region, "elasticache", "aws4_request"]) {
        key = hmac(key, part);
    }
    const signature = crypto.createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
    return `${req.cacheName}/?${canonicalQuery}&X-Amz-Signature=${signature}`;
}

/** What the handlers need from a cache. */
export interface ResultCache {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export interface RespCacheOptions {
    host: string;
    port: number;
    /** IAM authentication; omit only for a cache without authentication (never in this platform). */
    iamAuth?: { cacheName: string; userId: string; serverless: boolean; region: string; credentials: () => AwsCredentials };
    /** @default 1000 */
    connectTimeoutMs?: number;
    /** @default 500 */
    commandTimeoutMs?: number;
    /** Opens the transport; TLS 1.2+ with certificate verification by default. Injected in tests. */
    connect?: (host: string, port: number) => Duplex;
    onError?: (operation: string, err: Error) => void;
    now?: () => Date;
    /** First backoff after a failure: no command is attempted for this long. @default 5000 */
    breakerBaseMs?: number;
    /** The backoff doubles with each consecutive failure up to this. @default 60000 */
    breakerMaxMs?: number;
}

function tlsConnect(host: string, port: number): Duplex {
    // rejectUnauthorized is Node's default; stated because turning it off would defeat the point.
    return tls.connect({ host, port, servername: host, minVersion: "TLSv1.2", rejectUnauthorized: true });
}

/**
 * A cache over one lazily opened, reused connection (Lambda keeps it across warm invocations).
 * Never throws: failures are reported through `onError` and read as misses.
 */
export class RespCache implements ResultCache {
    private conn?: Promise<RespConnection>;
    /** Circuit breaker: no attempt before `openUntil` (ms since the epoch); `backoffMs` 0 means closed. */
    private openUntil = 0;
    private backoffMs = 0;
    private probing = false;

    constructor(private readonly options: RespCacheOptions) {}

    private nowMs(): number {
        return (this.options.now ?? (() => new Date()))().getTime();
    }

    /** Whether a command may be tried now; while half-open, only one probe at a time. */
    private admit(): boolean {
        if (this.backoffMs === 0) return true;
        if (this.probing || this.nowMs() < this.openUntil) return false;
        this.probing = true;
        return true;
    }

    private succeeded(): void {
        this.backoffMs = 0;
        this.openUntil = 0;
        this.probing = false;
    }

    private failed(): void {
        const base = this.options.breakerBaseMs ?? 5000;
        this.backoffMs = this.backoffMs === 0 ? base : Math.min(this.backoffMs * 2, this.options.breakerMaxMs ?? 60_000);
        this.openUntil = this.nowMs() + this.backoffMs;
        this.probing = false;
    }

    /** True while the breaker refuses to try the cache (for logs and tests). */
    get bypassed(): boolean {
        return this.backoffMs !== 0 && (this.probing || this.nowMs() < this.openUntil);
    }

    private open(): Promise<RespConnection> {
        const { host, port } = this.options;
        const connectTimeout = this.options.connectTimeoutMs ?? 1000;
        const commandTimeout = this.options.commandTimeoutMs ?? 500;
        return new Promise<RespConnection>((resolve, reject) => {
            const socket = (this.options.connect ?? tlsConnect)(host, port);
            const timer = setTimeout(() => {
                socket.destroy();
                reject(new Error(`cache connect to ${host}:${port} timed out after ${connectTimeout} ms`));
            }, connectTimeout);
            const ready = socket instanceof tls.TLSSocket ? "secureConnect" : "connect";
            socket.once(ready, () => {
                clearTimeout(timer);
                resolve(new RespConnection(socket, commandTimeout));
            });
            socket.once("error", (err: Error) => {
                clearTimeout(timer);
                reject(err);
            });
        }).then(async (conn) => {
            const auth = this.options.iamAuth;
            if (auth) {
                try {
                    const token = elasticacheIamAuthToken({ ...auth, credentials: auth.credentials(), now: (this.options.now ?? (() => new Date()))() });
                    await conn.command(["AUTH", auth.userId, token]);
                } catch (err) {
                    conn.close();
                    throw err;
                }
            }
            return conn;
        });
    }

    private async connection(): Promise<RespConnection> {
        if (this.conn) {
            const existing = await this.conn.catch(() => undefined);
            if (existing?.usable) {
                return existing;
            }
        }
        this.conn = this.open();
        return this.conn;
    }

    /** Closes the connection, if one is open (the next command reconnects). */
    async close(): Promise<void> {
        const conn = await this.conn?.catch(() => undefined);
        conn?.close();
        this.conn = undefined;
    }

    async get(key: string): Promise<string | undefined> {
        if (!this.admit()) return undefined;
        try {
            const value = await (await this.connection()).command(["GET", key]);
            this.succeeded();
            return typeof value === "string" ? value : undefined;
        } catch (err) {
            // The next admitted call reconnects if this error broke the connection (see connection()).
            this.failed();
            this.options.onError?.("get", err as Error);
            return undefined;
        }
    }

    async set(key: string, value: string, ttlSeconds: number): Promise<void> {
        if (!this.admit()) return;
        try {
            await (await this.connection()).command(["SET", key, value, "EX", String(Math.max(1, Math.trunc(ttlSeconds)))]);
            this.succeeded();
        } catch (err) {
            this.failed();
            this.options.onError?.("set", err as Error);
        }
    }
}

/** Credentials of the Lambda execution role from the environment the runtime sets. */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): AwsCredentials {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
        throw new Error("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (not running in Lambda?)");
    }
    return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN };
}
