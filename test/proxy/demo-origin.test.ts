// The demo origin driven by the official SDKs, inside workerd: if these pass,
// `npm run dev` and the README's examples speak a real model API's dialect.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";

const origin = inject("originUrl");
const prompt = "Summarise the causes of the French Revolution in three sentences.";

// The SDKs get the runtime's fetch explicitly. No flag is set for them: at our
// compatibility date (2026-10-01) nodejs_compat is on by default anyway.
const anthropic = new Anthropic({
  apiKey: "sk-demo",
  baseURL: origin,
  fetch: (input, init) => fetch(input, init),
  maxRetries: 0,
});
const openai = new OpenAI({
  apiKey: "sk-demo",
  baseURL: `${origin}/v1`,
  fetch: (input, init) => fetch(input, init),
  maxRetries: 0,
});

describe("with @anthropic-ai/sdk", () => {
  it("creates a message with usage", async () => {
    const message = await anthropic.messages.create({
      model: "demo-small",
      max_tokens: 256,
      messages: [{ role: "user", content: prompt }],
    });
    expect(message.role).toBe("assistant");
    expect(message.stop_reason).toBe("end_turn");
    const [block] = message.content;
    expect(block?.type === "text" && block.text).toContain("Summarise the causes of the French Revolution");
    expect(message.usage.input_tokens).toBe(11);
    expect(message.usage.output_tokens).toBeGreaterThan(10);
  });

  it("streams a message event by event, usage in message_start and message_delta", async () => {
    const stream = anthropic.messages.stream({
      model: "demo-small",
      max_tokens: 256,
      messages: [{ role: "user", content: prompt }],
    });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    }
    const final = await stream.finalMessage();
    expect(types.slice(0, 2)).toEqual(["message_start", "content_block_start"]);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(types.filter((t) => t === "content_block_delta").length).toBeGreaterThan(3);
    expect(final.content[0]?.type === "text" && final.content[0].text).toBe(text);
    expect(final.usage).toMatchObject({ input_tokens: 11, output_tokens: expect.any(Number) });
    expect(final.usage.output_tokens).toBeGreaterThan(10);
  });

  it("stops at max_tokens, and counts what it sent", async () => {
    const message = await anthropic.messages.create({
      model: "demo-small",
      max_tokens: 5,
      messages: [{ role: "user", content: prompt }],
    });
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(5);
  });

  it("lists models", async () => {
    const ids: string[] = [];
    for await (const model of anthropic.models.list()) ids.push(model.id);
    expect(ids).toContain("demo-small");
  });

  it("raises the SDK's error classes for error statuses", async () => {
    const create = (status: string) =>
      anthropic.messages.create(
        { model: "demo-small", max_tokens: 8, messages: [{ role: "user", content: "hi" }] },
        { headers: { "x-demo-status": status } },
      );
    await expect(create("429")).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await expect(create("403")).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    await expect(
      anthropic.messages.create({ model: "demo-small", max_tokens: 8, messages: [] }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe("with openai", () => {
  it("creates a chat completion with usage", async () => {
    const completion = await openai.chat.completions.create({
      model: "demo-small",
      messages: [{ role: "user", content: prompt }],
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("stop");
    expect(choice?.message.content).toContain("Summarise the causes of the French Revolution");
    expect(completion.usage).toMatchObject({ prompt_tokens: 11 });
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it("streams chunks, then a usage chunk when include_usage is set", async () => {
    const stream = await openai.chat.completions.create({
      model: "demo-small",
      messages: [{ role: "user", content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe("stop");
    expect(text).toContain("Summarise the causes of the French Revolution");
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: expect.any(Number) });
  });

  it("streams without a usage chunk when include_usage is not set", async () => {
    const stream = await openai.chat.completions.create({
      model: "demo-small",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.usage == null && c.choices.length === 1)).toBe(true);
  });

  it("lists models", async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toContain("demo-small");
  });

  it("raises the SDK's error classes for error statuses", async () => {
    const create = (status: string) =>
      openai.chat.completions.create(
        { model: "demo-small", messages: [{ role: "user", content: "hi" }] },
        { headers: { "x-demo-status": status } },
      );
    await expect(create("429")).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(create("500")).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });
});
