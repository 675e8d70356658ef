// `npm run keys`: the key registry of a running gateway, through its admin API. The gateway
// serves only registered keys when it holds the origin's credential (ORIGIN_API_KEY).
//
//   GUARD_URL=https://api.example.com ADMIN_TOKEN=… npm run --silent keys -- create --account acme --ttl 90d [--tier pro] [--trusted] [--limit key-rpm="600 per minute"]
//   … npm run --silent keys -- register --key-hash <32 hex> --account acme --ttl 90d   (an existing key, by its hash: npm run key-hash)
//   … npm run --silent keys -- list
//   … npm run --silent keys -- revoke <key hash>
//
// `create` prints the new key once, on its own line first: the gateway keeps only its hash.
// GUARD_ADMIN_PREFIX is the config's admin.prefix (default /_guard).
import { argv, env, exit, stdout } from "node:process";

const USAGE = `usage: npm run --silent keys -- create --account ID --ttl 90d [--tier T] [--trusted] [--limit NAME="N per minute"]...
       npm run --silent keys -- register --key-hash HASH --account ID --ttl 90d [...the same options]
       npm run --silent keys -- list
       npm run --silent keys -- revoke HASH
environment: GUARD_URL (the gateway), ADMIN_TOKEN, GUARD_ADMIN_PREFIX (default /_guard)`;

function fail(message: string): never {
  console.error(`keys: ${message}\n${USAGE}`);
  exit(2);
}

/** The registration body from the options after `create` / `register`. */
function registration(args: string[], withHash: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const limits: Record<string, { rate: string }> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = () => args[++i] ?? fail(`${flag} needs a value`);
    if (flag === "--account") body.account = value();
    else if (flag === "--ttl") body.ttl = /^\d+$/.test(args[i + 1] ?? "") ? Number(value()) : value();
    else if (flag === "--tier") body.tier = value();
    else if (flag === "--trusted") body.trusted = true;
    else if (flag === "--key-hash" && withHash) body.keyHash = value();
    else if (flag === "--limit") {
      const [name, rate] = value().split("=", 2);
      if (!name || !rate) fail('--limit takes NAME="N per minute"');
      limits[name] = { rate };
    } else fail(`unknown option ${flag}`);
  }
  if (Object.keys(limits).length) body.limits = limits;
  if (withHash && body.keyHash === undefined) fail("register needs --key-hash (npm run key-hash gives it)");
  return body;
}

const [command, ...rest] = argv.slice(2);
const base = env.GUARD_URL ?? fail("set GUARD_URL to the gateway's address");
const token = env.ADMIN_TOKEN ?? fail("set ADMIN_TOKEN");
const prefix = env.GUARD_ADMIN_PREFIX ?? "/_guard";
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(new URL(`${prefix}${path}`, base), {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    console.error(`keys: ${response.status} ${JSON.stringify(json)}`);
    exit(1);
  }
  return json;
};

if (command === "create" || command === "register") {
  const made = await call("POST", "/keys", registration(rest, command === "register"));
  const { key, ...record } = made;
  if (typeof key === "string") stdout.write(`${key}\n`);
  stdout.write(`${JSON.stringify(record)}\n`);
} else if (command === "list") {
  const { keys } = (await call("GET", "/keys?limit=1000")) as { keys: unknown[] };
  for (const k of keys) stdout.write(`${JSON.stringify(k)}\n`);
} else if (command === "revoke") {
  const hash = rest[0] ?? fail("revoke needs a key hash");
  stdout.write(`${JSON.stringify(await call("DELETE", `/keys/${hash}`))}\n`);
} else fail(command ? `unknown command ${command}` : "no command");
