import * as assert from "assert";
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { SignatureV4 } from "@smithy/signature-v4";
import { elasticacheIamAuthToken, encodeCommand, parseReply, RespCache, RespError } from "../../../apps/analytics-functions/resp-cache";

/** A tiny RESP server speaking just enough Redis for the cache: AUTH, GET, SET key value EX ttl. */
function respServer(handle: (args: string[]) => string, useTls?: { key: string; cert: string }): Promise<{ port: number; close: () => void; commands: string[][] }> {
    const commands: string[][] = [];
    const sockets = new Set<net.Socket>();
    const onSocket = (socket: net.Socket) => {
        sockets.add(socket);
        let buf = Buffer.alloc(0);
        socket.on("data", (chunk: Buffer) => {
            buf = Buffer.concat([buf, chunk]);
            for (;;) {
                const parsed = parseReply(buf);
                if (!parsed) return;
                buf = buf.subarray(parsed.next);
                const args = parsed.value as string[];
                commands.push(args);
                socket.write(handle(args));
            }
        });
        socket.on("error", () => undefined);
    };
    const server = useTls ? tls.createServer({ key: useTls.key, cert: useTls.cert, minVersion: "TLSv1.2" }, onSocket) : net.createServer(onSocket);
    return new Promise((resolve) => {
        server.listen(0, "127.0.0.1", () =>
            resolve({
                port: (server.address() as net.AddressInfo).port,
                close: () => {
                    sockets.forEach((s) => s.destroy());
                    server.close();
                },
                commands,
            }),
        );
    });
}

function redisLike(store: Map<string, string>) {
    return (args: string[]): string => {
        switch (args[0]) {
            case "AUTH":
                return args[2]?.startsWith("cache.example/?Action=connect") ? "+OK\r\n" : "-WRONGPASS invalid username-password pair\r\n";
            case "GET": {
                const v = store.get(args[1]);
                return v === undefined ? "$-1\r\n" : `$${Buffer.byteLength(v)}\r\n${v}\r\n`;
            }
            case "SET":
                store.set(args[1], args[2]);
                return "+OK\r\n";
            default:
                return `-ERR unknown command '${args[0]}'\r\n`;
        }
    };
}

const CREDS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session/token+=" };

describe("apps/analytics-functions/resp-cache", () => {
    it("encodes commands as RESP arrays and parses every reply type, incrementally", async () => {
        assert.strictEqual(encodeCommand(["SET", "k", "välue", "EX", "60"]).toString("utf8"), "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\nvälue\r\n$2\r\nEX\r\n$2\r\n60\r\n");
        const reply = Buffer.from("*4\r\n+OK\r\n:42\r\n$-1\r\n$5\r\nhello\r\n");
        assert.deepStrictEqual(parseReply(reply)?.value, ["OK", 42, null, "hello"]);
        assert.strictEqual(parseReply(reply.subarray(0, reply.length - 3)), undefined);
        const err = parseReply(Buffer.from("-NOAUTH Authentication required.\r\n"))?.value;
        assert.ok(err instanceof RespError && err.message === "NOAUTH Authentication required.");
    });

    it("signs the ElastiCache IAM token exactly as the AWS SDK's SigV4 presigner does", async () => {
        const now = new Date("2025-03-07T10:11:12Z");
        type SourceData = string | ArrayBuffer | ArrayBufferView;
        const bytes = (d: SourceData) => (typeof d === "string" ? Buffer.from(d, "utf8") : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));
        class Sha256 {
            private readonly h: crypto.Hash | crypto.Hmac;
            constructor(secret?: SourceData) {
                this.h = secret ? crypto.createHmac("sha256", bytes(secret)) : crypto.createHash("sha256");
            }
            update(d: SourceData) {
                this.h.update(bytes(d));
            }
            async digest() {
                return new Uint8Array(this.h.digest());
            }
        }
        for (const serverless of [true, false]) {
            const signer = new SignatureV4({ service: "elasticache", region: "us-east-1", credentials: CREDS, sha256: Sha256 });
            const query: Record<string, string> = { Action: "connect", User: "query-api" };
            if (serverless) query.ResourceType = "ServerlessCache";
            const presigned = await signer.presign(
                { method: "GET", protocol: "http:", hostname: "hdp-prod-cache", path: "/", query, headers: { host: "hdp-prod-cache" } },
                { expiresIn: 900, signingDate: now },
            );
            const token = elasticacheIamAuthToken({ cacheName: "hdp-prod-cache", userId: "query-api", serverless, region: "us-east-1", credentials: CREDS, now });
            const params = new URLSearchParams(token.split("?")[1]);
            assert.ok(token.startsWith("hdp-prod-cache/?"));
            assert.strictEqual(params.get("X-Amz-Signature"), presigned.query?.["X-Amz-Signature"]);
            assert.strictEqual(params.get("X-Amz-Security-Token"), CREDS.sessionToken);
            assert.strictEqual(params.get("ResourceType"), serverless ? "ServerlessCache" : null);
            assert.strictEqual(params.get("X-Amz-Expires"), "900");
        }
    });

    it("authenticates with the IAM token, then sets and gets over a reused connection", async () => {
        const store = new Map<string, string>();
        const server = await respServer(redisLike(store));
        try {
            const errors: string[] = [];
            const cache = new RespCache({
                host: "127.0.0.1",
                port: server.port,
                connect: (host, port) => net.connect({ host, port }),
                iamAuth: { cacheName: "cache.example", userId: "query-api", serverless: true, region: "us-east-1", credentials: () => CREDS },
                onError: (op, err) => errors.push(`${op}: ${err.message}`),
            });
            assert.strictEqual(await cache.get("k"), undefined);
            await cache.set("k", "{\"rows\":[]}", 300.7);
            assert.strictEqual(await cache.get("k"), "{\"rows\":[]}");
            assert.deepStrictEqual(errors, []);
            assert.deepStrictEqual(server.commands.map((c) => c[0]), ["AUTH", "GET", "SET", "GET"]);
            assert.deepStrictEqual(server.commands[2], ["SET", "k", "{\"rows\":[]}", "EX", "300"]);
            assert.strictEqual(server.commands[0][1], "query-api");
            await cache.close();
        } finally {
            server.close();
        }
    });

    it("turns a refused AUTH and an unreachable cache into misses reported to onError", async () => {
        const server = await respServer(() => "-WRONGPASS invalid username-password pair\r\n");
        try {
            const errors: string[] = [];
            const cache = new RespCache({
                host: "127.0.0.1",
                port: server.port,
                connect: (host, port) => net.connect({ host, port }),
                iamAuth: { cacheName: "other", userId: "u", serverless: false, region: "us-east-1", credentials: () => CREDS },
                onError: (op, err) => errors.push(`${op}: ${err.message}`),
            });
            assert.strictEqual(await cache.get("k"), undefined);
            assert.deepStrictEqual(errors, ["get: WRONGPASS invalid username-password pair"]);
        } finally {
            server.close();
        }
        const closed = await new Promise<number>((resolve) => {
            const s = net.createServer();
            s.listen(0, "127.0.0.1", () => {
                const port = (s.address() as net.AddressInfo).port;
                s.close(() => resolve(port));
            });
        });
        const errors: string[] = [];
        const down = new RespCache({ host: "127.0.0.1", port: closed, connect: (host, port) => net.connect({ host, port }), onError: (op, err) => errors.push(op + ":" + (err as NodeJS.ErrnoException).code) });
        assert.strictEqual(await down.get("k"), undefined);
        await down.set("k", "v", 60);
        // The failed GET opened the breaker: the SET of the same request does not try (and wait) again.
        assert.deepStrictEqual(errors, ["get:ECONNREFUSED"]);
        assert.strictEqual(down.bypassed, true);
    });

    it("opens a circuit breaker while the cache is unreachable: no attempt until a doubling backoff has passed, one probe, closed again on success", async () => {
        const closed = await new Promise<number>((resolve) => {
            const s = net.createServer();
            s.listen(0, "127.0.0.1", () => {
                const port = (s.address() as net.AddressInfo).port;
                s.close(() => resolve(port));
            });
        });
        const store = new Map<string, string>();
        const server = await respServer(redisLike(store));
        try {
            let t = Date.parse("2025-03-07T10:00:00Z");
            let reachable = false;
            let attempts = 0;
            const errors: string[] = [];
            const cache = new RespCache({
                host: "127.0.0.1",
                port: 6379,
                connect: (host) => {
                    attempts++;
                    return net.connect({ host, port: reachable ? server.port : closed });
                },
                now: () => new Date(t),
                breakerBaseMs: 5000,
                breakerMaxMs: 20_000,
                onError: (op, err) => errors.push(`${op}:${(err as NodeJS.ErrnoException).code}`),
            });
            const step = async (at: number, expectAttempts: number) => {
                t = Date.parse("2025-03-07T10:00:00Z") + at;
                assert.strictEqual(await cache.get("k"), undefined, `t+${at}`);
                await cache.set("k", "v", 60);
                assert.strictEqual(attempts, expectAttempts, `attempts by t+${at}`);
            };
            await step(0, 1); // fails: open for 5 s
            await step(4_999, 1);
            await step(5_000, 2); // one probe, fails: open for 10 s
            await step(14_999, 2);
            await step(15_000, 3); // fails: open for 20 s (the maximum)
            await step(34_999, 3);
            await step(35_000, 4); // fails: still 20 s
            assert.deepStrictEqual(errors, ["get:ECONNREFUSED", "get:ECONNREFUSED", "get:ECONNREFUSED", "get:ECONNREFUSED"]);
            reachable = true;
            t = Date.parse("2025-03-07T10:00:00Z") + 55_000;
            assert.strictEqual(await cache.get("k"), undefined);
            await cache.set("k", "v", 60);
            assert.strictEqual(await cache.get("k"), "v");
            assert.deepStrictEqual([attempts, cache.bypassed, errors.length], [5, false, 4]);
            await cache.close();
        } finally {
            server.close();
        }
    });

    it("speaks TLS 1.2+ and refuses a server whose certificate does not match the endpoint", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "resp-tls-"));
        const key = path.join(dir, "key.pem");
        const cert = path.join(dir, "cert.pem");
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], { stdio: "ignore" });
        const pems = { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
        const store = new Map<string, string>();
        const server = await respServer(redisLike(store), pems);
        try {
            // Trusting the test CA, the default transport (tls.connect with servername) works end to end.
            const trusted = new RespCache({
                host: "localhost",
                port: server.port,
                connect: (host, port) => tls.connect({ host, port, servername: host, minVersion: "TLSv1.2", ca: pems.cert }),
            });
            await trusted.set("a", "1", 60);
            assert.strictEqual(await trusted.get("a"), "1");
            await trusted.close();
            // The production transport verifies against the system CAs: a self-signed server is refused (a miss).
            const errors: string[] = [];
            const strict = new RespCache({ host: "localhost", port: server.port, onError: (op, err) => errors.push(`${op}: ${(err as NodeJS.ErrnoException).code}`) });
            assert.strictEqual(await strict.get("a"), undefined);
            assert.deepStrictEqual(errors, ["get: DEPTH_ZERO_SELF_SIGNED_CERT"]);
        } finally {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
