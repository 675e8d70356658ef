import { describe, expect, it } from "vitest";
import { createDenialCache } from "../../src/limits/denial-cache";
import { estimateTokens } from "../../src/limits/estimate";

describe("estimateTokens", () => {
  it("counts characters / 4 of the body's strings plus the output limit", () => {
    const body = { model: "m", max_tokens: 500, messages: [{ role: "user", content: "x".repeat(395) }] };
    expect(estimateTokens(body)).toEqual({ input: 100, output: 500, total: 600 });
    expect(estimateTokens({ max_completion_tokens: 70, n: 3, messages: [] })).toEqual({ input: 0, output: 210, total: 210 });
    expect(estimateTokens({ messages: [] }, { defaultOutputTokens: 256 }).output).toBe(256);
    expect(estimateTokens(undefined)).toEqual({ input: 0, output: 1024, total: 1024 });
  });

  it("charges a Message Batch the output of every request", () => {
    const request = (max_tokens?: number) => ({ custom_id: "x", params: { model: "m", ...(max_tokens === undefined ? {} : { max_tokens }), messages: [] } });
    expect(estimateTokens({ requests: [request(1000), request(2000), request()] }).output).toBe(1000 + 2000 + 1024);
    expect(estimateTokens({ requests: [] }).output).toBe(0);
  });

  it("counts a base64 attachment as one attachment, not by its length", () => {
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "A".repeat(100_000) } };
    const url = { type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(100_000)}` } };
    expect(estimateTokens({ max_tokens: 0, messages: [{ role: "user", content: [image, url] }] }).input).toBeLessThan(3300);
  });
});

describe("denial cache", () => {
  it("denies the same or a larger cost until the bucket has room, and asks again for a smaller one", () => {
    const cache = createDenialCache();
    cache.put("k", { untilMs: 10_000, cost: 10, refillPerSecond: 2 });
    expect(cache.get("k", 10, 9_000)).toEqual({ retryMs: 1000, tokens: 8 });
    expect(cache.get("k", 12, 9_000)).toEqual({ retryMs: 2000, tokens: 8 });
    expect(cache.get("k", 5, 9_000)).toBeNull();
    expect(cache.get("k", 10, 10_000)).toBeNull();
    expect(cache.size()).toBe(0);
  });

  it("stays within its size", () => {
    const cache = createDenialCache(100);
    for (let i = 0; i < 1000; i++) cache.put(`k${i}`, { untilMs: 1e15, cost: 1, refillPerSecond: 1 });
    expect(cache.size()).toBe(100);
    expect(cache.get("k999", 1, 0)).not.toBeNull();
    expect(cache.get("k0", 1, 0)).toBeNull();
  });
});
