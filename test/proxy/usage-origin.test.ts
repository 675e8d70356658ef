import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { forward } from "../../src/proxy/forward.ts";
import { trackUsage } from "../../src/proxy/usage.ts";

const originUrl = () => inject("originUrl");
const ask = async (path: string, body: object, headers: Record<string, string> = {}) => {
  const request = new Request(`https://gateway.test${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-test", ...headers },
    body: JSON.stringify(body),
  });
  const result = await forward(request, { originUrl: originUrl(), credential: "x-api-key", timeoutMs: 5000 });
  if (!result.ok) throw new Error(result.detail);
  return trackUsage(result.response);
};
const message = {
  model: "demo-small",
  max_tokens: 64,
  messages: [{ role: "user", content: "Tell me about token buckets, briefly." }],
};

describe("usage of the demo origin's answers, through forward()", () => {
  it("Anthropic JSON: the body's usage", async () => {
    const { response, usage } = await ask("/v1/messages", message);
    const body = (await response.json()) as { usage: { input_tokens: number; output_tokens: number } };
    expect(await usage).toEqual({
      inputTokens: body.usage.input_tokens,
      outputTokens: body.usage.output_tokens,
      source: "reported",
    });
  });

  it("Anthropic SSE, plain and gzipped: the same usage as the JSON answer", async () => {
    const json = await ask("/v1/messages", message);
    await json.response.arrayBuffer();
    const expected = await json.usage;
    for (const gzip of [false, true]) {
      const { response, usage } = await ask(
        "/v1/messages",
        { ...message, stream: true },
        gzip ? { "x-demo-gzip": "1" } : {},
      );
      expect(response.headers.get("content-encoding")).toBe(gzip ? "gzip" : null);
      await response.arrayBuffer();
      expect(await usage).toEqual(expected);
    }
  });

  it("OpenAI SSE with stream_options.include_usage", async () => {
    const body = {
      model: "demo-small",
      max_completion_tokens: 64,
      messages: [{ role: "user", content: "Hello there" }],
    };
    const json = await ask("/v1/chat/completions", body);
    const { usage: u } = (await json.response.json()) as {
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    const { response, usage } = await ask("/v1/chat/completions", {
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    await response.arrayBuffer();
    expect(await usage).toEqual({
      inputTokens: u.prompt_tokens,
      outputTokens: u.completion_tokens,
      source: "reported",
    });
  });

  it("a stream the client abandons: the input reported so far and the output produced so far", async () => {
    const gate = `usage-${crypto.randomUUID()}`;
    const { response, usage } = await ask("/v1/messages", { ...message, stream: true }, { "x-demo-gate": gate });
    const reader = response.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value); // message_start comes ungated
    await fetch(`${originUrl()}/__demo/gate/${gate}?n=3`, { method: "POST" }); // content_block_start and two deltas
    while ((text.match(/content_block_delta/g) ?? []).length < 2)
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const result = await usage;
    expect(result).toMatchObject({ source: "partial" });
    expect(result!.inputTokens).toBeGreaterThan(0);
    expect(result!.outputTokens).toBeGreaterThan(0);
    expect(result!.outputTokens).toBeLessThan(64);
  });
});
