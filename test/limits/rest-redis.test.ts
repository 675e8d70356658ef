// The Worker's REST client against real Redis through the Upstash bridge: answers and errors as Redis gives them.
import { describe, expect, it } from "vitest";
import { createRestRedis } from "../../src/limits/rest-redis.ts";
import { newTenant } from "./helpers.ts";

describe("the REST client", () => {
  it("sends one command per call and hands results over undecoded", async () => {
    const tenant = await newTenant();
    const redis = createRestRedis({ url: tenant.url, token: tenant.token });
    await tenant.resetStats();
    await redis.set("k", '{"a":1}', { px: 60_000 });
    expect(await redis.get("k")).toBe('{"a":1}');
    expect(await redis.get("missing")).toBeNull();
    expect(await redis.eval("return {KEYS[1], ARGV[1], 7}", ["x"], ["y"])).toEqual(["x", "y", 7]);
    expect((await tenant.stats()).requests).toBe(4);
  });

  it("rejects with Redis's error: NOSCRIPT reaches the caller, which falls back to EVAL", async () => {
    const tenant = await newTenant();
    const redis = createRestRedis({ url: tenant.url, token: tenant.token });
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    await expect(createRestRedis({ url: tenant.url, token: "wrong" }).get("k")).rejects.toThrow(/Unauthorized/);
    await tenant.mode("fail");
    await expect(redis.get("k")).rejects.toThrow();
  });
});
