/**
 * An Upstash-REST-compatible bridge over a real redis-server, so the real
 * `@upstash/redis` client can be tested (and benchmarked) against real Redis.
 *
 * Wire format, as @upstash/redis speaks it: POST `<base>/` with a JSON array
 * command answers `{"result": ...}` (HTTP 400 `{"error": "..."}` on an error
 * reply); POST `<base>/pipeline` and `<base>/multi-exec` take an array of
 * commands and answer an array of `{"result"}` / `{"error"}`. Under the request
 * header `Upstash-Encoding: base64` every string of a result is base64 except
 * "OK"; integers stay numbers, nil is null. `Authorization: Bearer <token>`.
 *
 * Tenants keep concurrent test files apart: POST `/tenant` answers a new
 * `{url, token, control}` whose commands run in a database of their own.
 * POST `<control>` with a JSON body steers one tenant:
 *   {"action": "mode", "mode": "ok" | "drop" | "hang" | "fail"}
 *       drop: the connection breaks mid-answer, the command not run (a crashed
 *       or unreachable store; workerd logs a reset during the request upload
 *       as an uncaught error even when the caller catches it, so the break
 *       comes after the headers); hang: no answer until the mode changes (then
 *       the answer breaks off as in drop); fail: HTTP 500 {"error"}
 *   {"action": "stats"}        {requests, commands: {evalsha: n, ...}, noscript}
 *   {"action": "reset-stats"}
 *   {"action": "command", "command": [...]}  one raw command, not counted, plain JSON reply
 *
 * @upstash/ratelimit 2.x opens its scripts with `#!lua flags=allow-key-locking`,
 * a flag only Upstash knows (Redis 7 rejects the script): the bridge strips
 * it and maps the original SHA-1 to the stripped script's, so EVALSHA with the
 * original SHA-1 finds the script as it would on Upstash.
 */
import { createHash } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { Socket } from "node:net";
import { type RespConnection, type Reply, RedisError, connectRedis } from "./resp.ts";

export interface Bridge {
  /** Base address: POST `${url}/tenant` makes a tenant. */
  url: string;
  token: string;
  /** A tenant for Node-side users (the benchmark). */
  tenant(): Promise<TenantInfo>;
  close(): Promise<void>;
}

export interface TenantInfo {
  url: string;
  token: string;
  control: string;
}

export type BridgeMode = "ok" | "drop" | "hang" | "fail";

interface Tenant {
  conn: RespConnection;
  mode: BridgeMode;
  held: Set<ServerResponse>;
  requests: number;
  noscript: number;
  commands: Record<string, number>;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

function encodeResult(value: Reply, base64: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => encodeResult(v, base64));
  if (value instanceof Error) return value.message;
  if (typeof value === "string") return base64 && value !== "OK" ? Buffer.from(value).toString("base64") : value;
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startBridge(redisPort: number, token = "bridge-token"): Promise<Bridge> {
  const tenants = new Map<string, Tenant>();
  const strippedSha = new Map<string, string>();
  let nextDb = 1;
  let base = "";

  /** Rewrites Upstash-only script flags away (see the file comment). */
  const rewrite = (command: string[]): string[] => {
    const name = command[0]?.toLowerCase();
    if ((name === "eval" || name === "eval_ro") && command[1]) {
      const match = /^#!lua flags=([^\n]*)/.exec(command[1]);
      if (match && match[1]!.split(",").includes("allow-key-locking")) {
        const flags = match[1]!.split(",").filter((f) => f !== "allow-key-locking");
        const script = (flags.length ? `#!lua flags=${flags.join(",")}` : "#!lua") + command[1].slice(match[0].length);
        strippedSha.set(sha1(command[1]), sha1(script));
        return [command[0]!, script, ...command.slice(2)];
      }
    }
    if ((name === "evalsha" || name === "evalsha_ro") && command[1] && strippedSha.has(command[1].toLowerCase())) {
      return [command[0]!, strippedSha.get(command[1].toLowerCase())!, ...command.slice(2)];
    }
    return command;
  };

  const count = (t: Tenant, command: string[], reply: Reply) => {
    const name = (command[0] ?? "").toLowerCase();
    t.commands[name] = (t.commands[name] ?? 0) + 1;
    if (reply instanceof RedisError && reply.message.startsWith("NOSCRIPT")) t.noscript++;
  };

  const isCommand = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0;
  const toArgs = (v: unknown[]): string[] => v.map((a) => (typeof a === "string" ? a : JSON.stringify(a)));

  const newTenant = async (): Promise<TenantInfo> => {
    const db = nextDb++;
    if (db >= 1024) throw new Error("bridge: out of databases");
    const conn = await connectRedis(redisPort);
    await conn.send(["SELECT", db]);
    const id = `t${db}`;
    tenants.set(id, { conn, mode: "ok", held: new Set(), requests: 0, noscript: 0, commands: {} });
    return { url: `${base}/t/${id}`, token, control: `${base}/t/${id}/__control` };
  };

  /** Breaks the connection mid-answer (see "drop"). */
  const breakOff = (res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "64" });
    res.write('{"result":');
    setTimeout(() => res.socket?.destroy(), 5);
  };

  const setMode = (t: Tenant, mode: BridgeMode) => {
    t.mode = mode;
    if (mode !== "hang") {
      for (const res of t.held) breakOff(res);
      t.held.clear();
    }
  };

  const control = async (t: Tenant, body: Record<string, unknown>, res: ServerResponse) => {
    switch (body.action) {
      case "mode":
        setMode(t, body.mode as BridgeMode);
        return send(res, 200, { mode: t.mode });
      case "stats":
        return send(res, 200, { requests: t.requests, noscript: t.noscript, commands: t.commands });
      case "reset-stats":
        t.requests = 0;
        t.noscript = 0;
        t.commands = {};
        return send(res, 200, { ok: true });
      case "command": {
        const reply = await t.conn.send(toArgs(body.command as unknown[]));
        return reply instanceof Error
          ? send(res, 400, { error: reply.message })
          : send(res, 200, { result: encodeResult(reply, false) });
      }
      default:
        return send(res, 400, { error: `unknown action ${JSON.stringify(body.action)}` });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://bridge");
    if (req.method === "POST" && url.pathname === "/tenant") return send(res, 200, await newTenant());
    const match = /^\/t\/([^/]+)(\/[^/]*)?\/?$/.exec(url.pathname);
    const t = match ? tenants.get(match[1]!) : undefined;
    if (!match || !t || req.method !== "POST") return send(res, 404, { error: "not found" });
    const path = match[2] ?? "/";
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return send(res, 400, { error: "ERR failed to parse command" });
    }
    if (path === "/__control") return control(t, body as Record<string, unknown>, res);

    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: "Unauthorized" });
    t.requests++;
    if (t.mode === "drop") return breakOff(res);
    if (t.mode === "hang") return void t.held.add(res);
    if (t.mode === "fail") return send(res, 500, { error: "bridge: failing on purpose" });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";

    if (path === "/") {
      if (!isCommand(body)) return send(res, 400, { error: "ERR command must be a non-empty array" });
      const command = rewrite(toArgs(body));
      const reply = await t.conn.send(command);
      count(t, command, reply);
      return reply instanceof Error
        ? send(res, 400, { error: reply.message })
        : send(res, 200, { result: encodeResult(reply, base64) });
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      if (!Array.isArray(body) || !body.every(isCommand))
        return send(res, 400, { error: "ERR pipeline must be an array of commands" });
      const commands = (body as unknown[][]).map((c) => rewrite(toArgs(c)));
      let replies: Reply[];
      if (path === "/pipeline") {
        replies = await t.conn.sendAll(commands);
      } else {
        const all = await t.conn.sendAll([["MULTI"], ...commands, ["EXEC"]]);
        const exec = all[all.length - 1]!;
        if (exec instanceof Error || !Array.isArray(exec))
          return send(res, 400, { error: exec instanceof Error ? exec.message : "ERR EXEC failed" });
        replies = exec;
      }
      commands.forEach((c, i) => count(t, c, replies[i]!));
      return send(
        res,
        200,
        replies.map((r) => (r instanceof Error ? { error: r.message } : { result: encodeResult(r, base64) })),
      );
    }
    return send(res, 404, { error: "not found" });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(error) });
    });
  });
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  return {
    url: base,
    token,
    tenant: newTenant,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of tenants.values()) t.conn.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
