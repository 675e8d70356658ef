// `npm run keys` against the ready-made Worker under wrangler dev holding an origin credential:
// a key made through the CLI is served, listed and, once revoked, refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoOrigin, startDemoOrigin } from "../../scripts/demo-origin.ts";
import { runScript } from "./run-script.ts";
import { type WranglerDev, startWranglerDev } from "./wrangler-dev.ts";

const ADMIN_TOKEN = "keys-cli-test-admin-token-0123456789";
const CONFIG = {
  unmatched: "404",
  routes: [{ name: "messages", match: { path: "/v1/messages", methods: ["POST"] }, errors: "anthropic" }],
};
const message = { model: "demo-small", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] };

let origin: DemoOrigin;
let gateway: WranglerDev;

beforeAll(async () => {
  origin = await startDemoOrigin({ test: true });
  gateway = await startWranglerDev(
    {
      ORIGIN_URL: origin.url,
      ORIGIN_API_KEY: "sk-origin-held-by-the-gateway",
      KEY_HASH_SECRET: "keys-cli-test-key-hash-secret-01",
      ADMIN_TOKEN,
      GATEWAY_CONFIG: JSON.stringify(CONFIG),
    },
    async (url) =>
      (await fetch(`${url}/_guard/health`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status === 200,
  );
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await origin?.close();
});

const keys = (...args: string[]) => runScript("keys.ts", args, { GUARD_URL: gateway.url, ADMIN_TOKEN });
const send = async (key: string) =>
  (
    await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify(message),
    })
  ).status;

describe("npm run keys", () => {
  it("creates a key shown once, lists it by hash, and revokes it", async () => {
    expect(await send("sk-nobody-registered")).toBe(401);
    const created = await keys(
      "create",
      "--account",
      "acme",
      "--ttl",
      "30d",
      "--tier",
      "pro",
      "--limit",
      "key-rpm=60 per minute",
    );
    expect(created.code, created.stderr).toBe(0);
    const [key, recordLine] = created.stdout.trim().split("\n");
    expect(key).toMatch(/^dg-/);
    const record = JSON.parse(recordLine!) as { keyHash: string; account: string; tier: string };
    expect(record).toMatchObject({ account: "acme", tier: "pro" });
    expect(await send(key!)).toBe(200);
    const listed = await keys("list");
    expect(listed.stdout).toContain(record.keyHash);
    expect(listed.stdout).not.toContain(key!);
    expect((await keys("revoke", record.keyHash)).code).toBe(0);
    expect(await send(key!)).toBe(401);
  });

  it("says what is wrong, with the usage", async () => {
    const bad = await keys("create", "--ttl", "30d");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("account: is required");
    const unknown = await keys("rotate");
    expect([unknown.code, unknown.stderr.includes("usage:")]).toEqual([2, true]);
  });
});
