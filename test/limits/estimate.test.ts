import { describe, expect, it } from "vitest";
import { createDenialCache } from "../../src/limits/denial-cache.ts";
import { estimateTokens } from "../../src/limits/estimate.ts";

describe("estimateTokens", () => {
  /** n, plus the characters of the body's other strings. */
  const around = (n: number) => expect.toSatisfy((v: number) => v >= n && v <= n + 20, `about ${n}`);
  it("counts characters / 4 of the body's strings plus the output limit", () => {
    const body = { model: "m", max_tokens: 500, messages: [{ role: "user", content: "x".repeat(395) }] };
    expect(estimateTokens(body)).toEqual({ input: 100, output: 500, total: 600 });
    expect(estimateTokens({ max_completion_tokens: 70, n: 3, messages: [] })).toEqual({
      input: 0,
      output: 210,
      total: 210,
    });
    expect(estimateTokens({ messages: [] }, { defaultOutputTokens: 256 }).output).toBe(256);
    expect(estimateTokens(undefined)).toEqual({ input: 0, output: 1024, total: 1024 });
  });

  it("charges a Message Batch the output of every request", () => {
    const request = (max_tokens?: number) => ({
      custom_id: "x",
      params: { model: "m", ...(max_tokens === undefined ? {} : { max_tokens }), messages: [] },
    });
    expect(estimateTokens({ requests: [request(1000), request(2000), request()] }).output).toBe(1000 + 2000 + 1024);
    expect(estimateTokens({ requests: [] }).output).toBe(0);
  });

  it("counts a base64 image at the per-image ceiling, not by its length", () => {
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "A".repeat(100_000) } };
    const url = { type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(100_000)}` } };
    expect(estimateTokens({ max_tokens: 0, messages: [{ role: "user", content: [image, url] }] }).input).toEqual(
      around(3200),
    );
    const tiny = { type: "image", source: { type: "base64", media_type: "image/png", data: "A".repeat(400) } };
    expect(estimateTokens({ max_tokens: 0, messages: [{ role: "user", content: [tiny] }] }).input).toEqual(
      around(1600),
    );
  });

  it("estimates a base64 document by its size: decoded bytes / 3 (issue 13: a PDF is not 1,600 tokens)", () => {
    // 160,000 base64 characters: 120,000 bytes, a PDF of ~40k tokens
    const data = "A".repeat(160_000);
    const anthropic = { type: "document", source: { type: "base64", media_type: "application/pdf", data } };
    expect(estimateTokens({ max_tokens: 0, messages: [{ role: "user", content: [anthropic] }] }).input).toEqual(
      around(40_000),
    );
    const openai = { type: "file", file: { filename: "a.pdf", file_data: `data:application/pdf;base64,${data}` } };
    expect(estimateTokens({ max_tokens: 0, messages: [{ role: "user", content: [openai] }] }).input).toEqual(
      around(40_000),
    );
    const responses = { type: "input_file", file_data: `data:application/pdf;base64,${data}` };
    expect(estimateTokens({ max_output_tokens: 0, input: [{ role: "user", content: [responses] }] }).input).toEqual(
      around(40_000),
    );
    // an unknown type: the larger of the image ceiling and its size
    expect(
      estimateTokens({
        max_tokens: 0,
        messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data } }] }],
      }).input,
    ).toEqual(around(40_000));
    expect(
      estimateTokens({
        max_tokens: 0,
        messages: [{ role: "user", content: [{ type: "x", source: { data: "A".repeat(40) } }] }],
      }).input,
    ).toEqual(around(1600));
    // a plain-text document's data is text: characters / 4
    const text = { type: "document", source: { type: "text", media_type: "text/plain", data: "x".repeat(4000) } };
    expect(estimateTokens({ max_tokens: 0, messages: [{ role: "user", content: [text] }] }).input).toEqual(
      around(1000),
    );
    expect(estimateTokens({ max_tokens: 0, messages: [] }, { documentBytesPerToken: 4 }).input).toBe(0);
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
