// Virtual keys: when the gateway holds the origin's credential, only keys of its registry are served,
// and limits and clusters count the key's account.
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { createGateway } from "../../src/gateway.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import { type AccountStore, createMemoryAccounts } from "../../src/limits/accounts.ts";
import { CLIENTS } from "../checks/clients.ts";
import { GERMANY, KEY_SECRET, harness, json, registry } from "./harness.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] };
const ADMIN = "admin-token-0123456789abcdef";
type Echo = { headers: Record<string, string> };

const config: ConfigInput = {
  unmatched: "forward",
  routes: [
    {
      name: "messages",
      match: { paths: ["/v1/messages", "/__demo/echo/v1/messages"], methods: ["POST"] },
      errors: "anthropic",
      limits: [{ name: "key-rpm", by: ["key"], rate: "3 per minute" }],
    },
  ],
};
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("the key registry in front of the origin's credential", () => {
  it("refuses a missing or unknown key with 401, on routes and unmatched paths alike, and never forwards it", async () => {
    const gw = harness(config, { originApiKey: "sk-origin", accounts: await registry(["sk-known"]) });
    const none = await gw.call("/v1/messages", json(message));
    expect([none.status, await code(none)]).toEqual([401, "identity.key_missing"]);
    const unknown = await gw.call("/v1/messages", json(message, { "x-api-key": "sk-made-up" }));
    expect([unknown.status, await code(unknown), unknown.headers.get("x-should-retry")]).toEqual([
      401,
      "identity.key_unknown",
      "false",
    ]);
    // an unmatched path that is forwarded would carry the origin's credential: the same rule
    expect((await gw.call("/__demo/echo/anything", { method: "GET" })).status).toBe(401);
    expect(
      (await gw.call("/__demo/echo/anything", { method: "GET", headers: { "x-api-key": "sk-made-up" } })).status,
    ).toBe(401);
    const known = await gw.call("/__demo/echo/v1/messages", json(message, { "x-api-key": "sk-known" }));
    expect(known.status).toBe(200);
    expect(((await known.json()) as Echo).headers["x-api-key"]).toBe("sk-origin");
  });

  it("counts the account, not the key: two keys of one account share its per-key bucket", async () => {
    const accounts = await registry({
      "sk-acme-1": { account: "acme" },
      "sk-acme-2": { account: "acme" },
      "sk-globex": { account: "globex" },
    });
    const gw = harness(config, { originApiKey: "sk-origin", accounts });
    const statuses: number[] = [];
    for (const key of ["sk-acme-1", "sk-acme-2", "sk-acme-1", "sk-acme-2"])
      statuses.push((await gw.call("/v1/messages", json(message, { "x-api-key": key }))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await gw.call("/v1/messages", json(message, { "x-api-key": "sk-globex" }))).status).toBe(200);
  });

  it("an account's own limits replace the route's per-key rule of that name; a trusted account skips the signals", async () => {
    const accounts = await registry({
      "sk-big": { account: "big", limits: { "key-rpm": { capacity: 5, refillPerSecond: 5 / 60 } } },
      "sk-partner": { account: "partner", trusted: true },
    });
    const gw = harness(config, { originApiKey: "sk-origin", accounts });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await gw.call("/v1/messages", json(message, { "x-api-key": "sk-big" }))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // a route that blocks plain HTTP libraries (curl)
    const strict: ConfigInput = { routes: [{ ...config.routes[0]!, fingerprint: { automation: "block" } }] };
    const curl = {
      ...json(message, { ...CLIENTS.curl.headers, "x-api-key": "sk-partner" }),
      cf: { ...GERMANY, ...CLIENTS.curl.cf },
    };
    expect((await harness(strict, { originApiKey: "sk-origin", accounts }).call("/v1/messages", curl)).status).toBe(
      200,
    );
    const stranger = await registry(["sk-stranger"]);
    const blocked = harness(strict, { originApiKey: "sk-origin", accounts: stranger });
    expect(
      (
        await blocked.call("/v1/messages", {
          ...curl,
          headers: { ...CLIENTS.curl.headers, "x-api-key": "sk-stranger", "content-type": "application/json" },
        })
      ).status,
    ).toBe(403);
  });

  it("the admin API makes a key (shown once, stored as its hash), lists it, and revokes it at once in this isolate", async () => {
    const accounts = createMemoryAccounts();
    const gw = harness(config, { originApiKey: "sk-origin", accounts, adminToken: ADMIN });
    const admin = (path: string, init: { method?: string; body?: string } = {}) =>
      gw.call(`/_guard${path}`, {
        ...init,
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      });
    const made = await admin("/keys", {
      method: "POST",
      body: JSON.stringify({ account: "acme", ttl: "30d", tier: "pro" }),
    });
    expect(made.status).toBe(201);
    const { key, keyHash } = (await made.json()) as { key: string; keyHash: string };
    expect(key).toMatch(/^dg-[A-Za-z0-9_-]{43}$/);
    expect(keyHash).toBe(await createKeyHasher(KEY_SECRET)(key));
    const listed = (await (await admin("/keys")).json()) as { keys: Array<Record<string, unknown>> };
    expect(listed.keys).toMatchObject([{ keyHash, account: "acme", tier: "pro", trusted: false }]);
    expect(JSON.stringify(listed)).not.toContain(key);
    expect((await gw.call("/v1/messages", json(message, { "x-api-key": key }))).status).toBe(200);
    expect((await admin(`/keys/${keyHash}`, { method: "DELETE" })).status).toBe(200);
    expect((await gw.call("/v1/messages", json(message, { "x-api-key": key }))).status).toBe(401);
    const bad = await admin("/keys", {
      method: "POST",
      body: JSON.stringify({ keyHash: "sk-raw-key-pasted", ttl: "999d", extra: 1 }),
    });
    expect(bad.status).toBe(400);
    const problems = ((await bad.json()) as { problems: string[] }).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join(" ")).not.toContain("sk-raw-key-pasted");
  });

  it("the official SDK raises AuthenticationError for an unknown key", async () => {
    const gw = harness(
      { routes: [{ name: "chat", match: { path: "/v1/chat/completions", methods: ["POST"] }, errors: "openai" }] },
      { originApiKey: "sk-origin", accounts: await registry(["sk-known"]) },
    );
    const openai = new OpenAI({
      apiKey: "sk-made-up",
      baseURL: "https://gateway.test/v1",
      fetch: gw.fetchWith(GERMANY),
      maxRetries: 0,
    });
    await expect(
      openai.chat.completions.create({ model: "demo-small", messages: [{ role: "user", content: "Hi" }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("a registry that cannot be read refuses with 503 and a Retry-After (closed), or flags the key (open)", async () => {
    const down: AccountStore = {
      get: () => Promise.reject(new Error("connection refused")),
      put: () => Promise.reject(new Error("connection refused")),
      delete: () => Promise.reject(new Error("connection refused")),
      list: () => Promise.reject(new Error("connection refused")),
    };
    const closed = harness(
      { ...config, store: { onError: "closed", recoverAfterMs: 5000 } },
      { originApiKey: "sk-origin", accounts: down },
    );
    const refused = await closed.call("/v1/messages", json(message, { "x-api-key": "sk-known" }));
    expect([refused.status, await code(refused), refused.headers.get("retry-after")]).toEqual([
      503,
      "store.unavailable",
      "5",
    ]);
    const open = harness({ ...config, store: { onError: "open" } }, { originApiKey: "sk-origin", accounts: down });
    const flagged = await open.call("/__demo/echo/v1/messages", json(message, { "x-api-key": "sk-known" }));
    expect(flagged.status).toBe(200);
    expect(((await flagged.json()) as Echo).headers["x-guard-reasons"]).toContain("store.unavailable");
  });

  it("a gateway holding the origin's credential without a registry is refused when it is built", () => {
    expect(() =>
      createGateway({ config, keyHashSecret: KEY_SECRET, origin: { url: "http://127.0.0.1:1", apiKey: "sk-origin" } }),
    ).toThrow(/key registry/);
  });
});
