// Manual blocks through the admin API, enforced by the ready-made Worker in the
// limits' one store round trip: real Redis behind the bridge, and the memory store.
import { describe, expect, it } from "vitest";
import { hashKey, messagesConfig, workerWithAdmin } from "./harness.ts";

const block = (body: Record<string, unknown>) => ({
  method: "POST",
  body: { ttl: "1h", reason: "scraping via rotating keys", ...body },
});

describe("manual blocks against real Redis", () => {
  it("block a key: its next request is denied 403 block.manual, in one round trip, then from the isolate's cache", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    expect((await gw.call("/v1/messages")).status).toBe(200);
    const key = await hashKey("sk-customer-1");

    const created = await gw.admin("/blocks", block({ key }));
    expect(created.status).toBe(201);
    const { block: b } = (await created.json()) as { block: Record<string, unknown> };
    expect(b).toMatchObject({
      dimension: "key",
      target: key,
      reason: "scraping via rotating keys",
      ttlMs: 3_600_000,
      path: `/_guard/blocks/key/${key}`,
    });
    expect(Date.parse(b.expiresAt as string) - Date.parse(b.createdAt as string)).toBe(3_600_000);

    await gw.tenant!.resetStats();
    const denied = await gw.call("/v1/messages");
    expect(denied.status).toBe(403);
    expect(denied.headers.get("x-guard-reason")).toBe("block.manual");
    expect(denied.headers.get("x-should-retry")).toBe("false");
    expect(await denied.json()).toMatchObject({
      type: "error",
      error: { type: "permission_error", code: "block.manual", message: "Access for this client has been suspended." },
    });
    expect((await gw.tenant!.stats()).requests).toBe(1); // the block rode in the limits' script call
    const again = await gw.call("/v1/messages");
    expect(again.status).toBe(403);
    expect((await gw.tenant!.stats()).requests).toBe(1); // remembered in the isolate: no store call
    // another key is not blocked, and pays its one round trip
    expect((await gw.call("/v1/messages", { key: "sk-customer-2" })).status).toBe(200);
    expect((await gw.tenant!.stats()).requests).toBe(2);
  });

  it("lists blocks, and unblocking lets the client through at once in this isolate", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    const key = await hashKey("sk-customer-1");
    await gw.admin("/blocks", block({ key, ttl: 600 }));
    await gw.admin("/blocks", block({ asn: "AS64500", ttl: "7d", reason: "bulletproof hosting" }));
    expect((await gw.call("/v1/messages")).status).toBe(403);

    const list = (await (await gw.admin("/blocks")).json()) as { blocks: Array<Record<string, unknown>> };
    expect(list.blocks.map((b) => [b.dimension, b.target, b.reason])).toEqual([
      ["key", key, "scraping via rotating keys"],
      ["asn", "64500", "bulletproof hosting"],
    ]);
    expect(list.blocks[0]!.ttlMs).toBeGreaterThan(590_000);

    const lifted = await gw.admin(`/blocks/key/${key}`, { method: "DELETE" });
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toEqual({ unblocked: true, dimension: "key", target: key });
    expect((await gw.call("/v1/messages")).status).toBe(200);
    expect((await gw.admin(`/blocks/key/${key}`, { method: "DELETE" })).status).toBe(404);
    expect(((await (await gw.admin("/blocks")).json()) as { blocks: unknown[] }).blocks).toHaveLength(1);
  });

  it("blocks an address, a subnet and an ASN, each only for what it names", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    await gw.admin("/blocks", block({ ip: "203.0.113.7" }));
    await gw.admin("/blocks", block({ subnet: "198.51.100.0/24" }));
    await gw.admin("/blocks", block({ asn: 64501 }));
    const status = async (client: Parameters<typeof gw.call>[1]) =>
      (await gw.call("/v1/messages", { key: "sk-other", ...client })).status;
    expect(await status({ ip: "203.0.113.7" })).toBe(403);
    expect(await status({ ip: "203.0.113.8" })).toBe(200);
    expect(await status({ ip: "198.51.100.200" })).toBe(403);
    expect(await status({ ip: "192.0.2.1", cf: { country: "DE", asn: 64501 } })).toBe(403);
    expect(await status({ ip: "192.0.2.1", cf: { country: "DE", asn: 64502 } })).toBe(200);
    // unblock a subnet by the address form, too
    expect((await gw.admin("/blocks/subnet/198.51.100.9", { method: "DELETE" })).status).toBe(200);
    expect(await status({ ip: "198.51.100.200" })).toBe(200);
  });

  it("IPv6: an address blocks its /64", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    const created = await gw.admin("/blocks", block({ ip: "2001:db8:5:6::1" }));
    expect(await created.json()).toMatchObject({ block: { target: "2001:db8:5:6:0:0:0:0/64" } });
    expect((await gw.call("/v1/messages", { ip: "2001:db8:5:6:ffff::9" })).status).toBe(403);
    expect((await gw.call("/v1/messages", { ip: "2001:db8:5:7::1" })).status).toBe(200);
  });

  it("refuses a malformed block with every problem listed", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    const r = await gw.admin("/blocks", {
      method: "POST",
      body: { ip: "300.1.1.1", asn: "AS1", ttl: "forever", color: "red" },
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      error: "invalid block",
      problems: [
        "unknown field: color",
        "give exactly one of key, ip, subnet, asn, fingerprint (got ip, asn)",
        'ttl: must be from 1 s to 90 d: seconds, or "30m", "12h", "7d" (got "forever")',
        "reason: is required: a few words saying why (it is listed with the block)",
      ],
    });
    expect(
      (await gw.admin("/blocks", { method: "POST", body: { key: "sk-raw-key", ttl: 60, reason: "x" } })).status,
    ).toBe(400);
    const notJson = await gw.admin("/blocks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: undefined,
    });
    expect(notJson.status).toBe(400);
    expect((await gw.admin("/blocks/planet/earth", { method: "DELETE" })).status).toBe(400);
    const huge = await gw.admin("/blocks", {
      method: "POST",
      body: { ip: "203.0.113.7", ttl: 60, reason: "x".repeat(20_000) },
    });
    expect(await huge.json()).toEqual({ error: "invalid block", problems: ["the body is larger than 16384 bytes"] });
  });

  it("routes without limits do not check blocks (no store call) unless they say blocks: true", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    await gw.admin("/blocks", block({ key: await hashKey("sk-customer-1") }));
    await gw.tenant!.resetStats();
    expect((await gw.call("/v1/models", {}, { method: "GET" })).status).toBe(200);
    expect((await gw.tenant!.stats()).requests).toBe(0);

    const strict = await workerWithAdmin({
      routes: [{ name: "models", match: { path: "/v1/models", methods: ["GET"] }, blocks: true }],
    });
    await strict.admin("/blocks", block({ key: await hashKey("sk-customer-1") }));
    await strict.tenant!.resetStats();
    expect((await strict.call("/v1/models", {}, { method: "GET" })).status).toBe(403);
    expect((await strict.call("/v1/models", { key: "sk-customer-2" }, { method: "GET" })).status).toBe(200);
    expect((await strict.tenant!.stats()).requests).toBe(2);
  });

  it("in shadow mode a block is reported, not enforced", async () => {
    const gw = await workerWithAdmin(messagesConfig({}, { mode: "shadow" }));
    await gw.admin("/blocks", block({ key: await hashKey("sk-customer-1") }));
    const r = await gw.call("/v1/messages");
    expect(r.status).toBe(200);
    expect(r.headers.get("x-guard-shadow")).toBe("block");
    expect(r.headers.get("x-guard-reason")).toBe("block.manual");
  });

  it("a geo denial still comes first and costs no store call", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    await gw.admin("/blocks", block({ key: await hashKey("sk-customer-1") }));
    await gw.tenant!.resetStats();
    const r = await gw.call("/v1/messages", { cf: { country: "IR" } });
    expect(r.status).toBe(451);
    expect((await gw.tenant!.stats()).requests).toBe(0);
  });

  it("health says the store is reachable, and when it is not", async () => {
    const gw = await workerWithAdmin(messagesConfig());
    const ok = await gw.admin("/health");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      ok: true,
      version: "admin-test-7",
      store: { kind: "upstash", reachable: true },
      routes: [
        { name: "messages", mode: "enforce", limits: 1, blocks: true },
        { name: "models", mode: "enforce", limits: 0, blocks: false },
      ],
      stats: "isolate",
    });
    expect(Math.abs((body.store as { clockSkewMs: number }).clockSkewMs)).toBeLessThan(5000);
    await gw.tenant!.mode("fail");
    const down = await gw.admin("/health");
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      ok: false,
      store: { kind: "upstash", reachable: false, error: expect.stringContaining("failing on purpose") },
    });
  });
});

describe("manual blocks with the in-memory store", () => {
  it("block, enforce, list, unblock", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    await gw.admin("/blocks", block({ subnet: "198.51.100.0" }));
    expect((await gw.call("/v1/messages")).status).toBe(403);
    const list = (await (await gw.admin("/blocks")).json()) as { blocks: Array<Record<string, unknown>> };
    expect(list.blocks).toMatchObject([{ dimension: "subnet", target: "198.51.100.0/24" }]);
    expect((await gw.admin("/blocks/subnet/198.51.100.0%2F24", { method: "DELETE" })).status).toBe(200);
    expect((await gw.call("/v1/messages")).status).toBe(200);
    expect(await (await gw.admin("/health")).json()).toMatchObject({
      store: { kind: "memory", reachable: true, clockSkewMs: expect.any(Number) },
    });
  });
});
