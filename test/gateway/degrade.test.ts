// The degrade and challenge actions end to end: the official SDKs against the gateway (the demo origin behind
// it reasons when asked), a hosting network set to degrade or challenge.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { WITHHELD } from "../../src/transform/api.ts";
import { GERMANY, harness, json } from "./harness.ts";
import { sdkClients } from "./sdk-clients.ts";

/** A client on a cloud provider's network (AWS): the hosting preset's ASN. */
const CLOUD = { ...GERMANY, asn: 16509, asOrganization: "Amazon.com, Inc." };
const prompt = "Name three rivers in Europe.";

const degradeRoutes: ConfigInput = {
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      errors: "anthropic",
      geo: { hosting: "degrade" },
      degrade: {
        maxTokens: 400,
        models: {
          "fable-5*": { model: "fable-4-small", maxTokens: 5 },
          // the origin still thinks: what it sends back is removed (or replaced) on the way
          "demo-large": { thinking: "keep", maxTokens: 4000 },
          "demo-replace": { thinking: "keep", maxTokens: 4000, reasoning: "replace" },
        },
      },
    },
    {
      name: "chat",
      match: { path: "/v1/chat/completions", methods: ["POST"] },
      errors: "openai",
      geo: { hosting: "degrade" },
      degrade: { maxTokens: 64, effort: "low", models: { "fable-5*": { model: "fable-4-small" } } },
    },
    {
      name: "responses",
      match: { path: "/v1/responses", methods: ["POST"] },
      errors: "openai",
      geo: { hosting: "degrade" },
      degrade: { thinking: "keep", maxTokens: 300 },
    },
  ],
};

function clients(config: ConfigInput = degradeRoutes, cf = CLOUD) {
  const gw = harness(config);
  return { gw, ...sdkClients(gw, cf) };
}

/** A chat stream's text and usage, every delta checked to carry no reasoning. */
async function readChatStream(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  let text = "";
  let usage: OpenAI.CompletionUsage | null | undefined = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      expect(choice.delta).not.toHaveProperty("reasoning_content");
      text += choice.delta.content ?? "";
    }
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, usage };
}

const thinking = { type: "enabled", budget_tokens: 2048 } as const;

describe("degrade with @anthropic-ai/sdk", () => {
  it("maps the model and caps max_tokens: the answer parses and says so; no x-should-retry", async () => {
    const { anthropic, gw } = clients();
    const { data, response } = await anthropic.messages
      .create({ model: "fable-5", max_tokens: 1024, thinking, messages: [{ role: "user", content: prompt }] })
      .withResponse();
    expect(data.model).toBe("fable-4-small");
    expect(data.stop_reason).toBe("max_tokens");
    expect(data.usage.output_tokens).toBeLessThanOrEqual(5);
    expect(data.content.map((b) => b.type)).toEqual(["text"]);
    expect(response.headers.get("x-should-retry")).toBeNull();
    expect(gw.events[0]).toMatchObject({ action: "degrade", reasons: ["network.hosting"] });
    expect(gw.events[0]!.degrade).toBe("model=fable-4-small,max_tokens=5,thinking=off,reasoning=drop");
  });

  it("removes thinking from a JSON answer", async () => {
    const { anthropic } = clients();
    const message = await anthropic.messages.create({
      model: "demo-large",
      max_tokens: 3000,
      thinking,
      messages: [{ role: "user", content: prompt }],
    });
    expect(message.content.map((b) => b.type)).toEqual(["text"]);
    // usage as the origin reported it: the thinking was produced (and is charged), only not delivered
    expect(message.usage.output_tokens).toBeGreaterThan(200);
  });

  it("removes thinking from a stream: block indices renumbered, the final message whole", async () => {
    const { anthropic } = clients();
    const stream = anthropic.messages.stream({
      model: "demo-large",
      max_tokens: 3000,
      thinking,
      messages: [{ role: "user", content: prompt }],
    });
    const indices = new Set<number>();
    for await (const event of stream) {
      if (event.type === "content_block_start") {
        expect(event.content_block.type).toBe("text");
        indices.add(event.index);
      }
      if (event.type === "content_block_delta") expect(event.delta.type).toBe("text_delta");
    }
    expect([...indices]).toEqual([0]);
    const final = await stream.finalMessage();
    expect(final.content).toHaveLength(1);
    expect(final.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("You said") });
  });

  it("replaces thinking with a notice when configured, in JSON and in a stream", async () => {
    const { anthropic } = clients();
    const params = {
      model: "demo-replace",
      max_tokens: 3000,
      thinking,
      messages: [{ role: "user" as const, content: prompt }],
    };
    const message = await anthropic.messages.create(params);
    expect(message.content[0]).toEqual({ type: "thinking", thinking: WITHHELD, signature: "" });
    const final = await anthropic.messages.stream(params).finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(final.content[0]).toMatchObject({ thinking: WITHHELD });
  });

  it("turns thinking off instead where a removed block would break the next tool-use turn", async () => {
    const { anthropic, gw } = clients();
    const message = await anthropic.messages.create({
      model: "demo-large",
      max_tokens: 3000,
      thinking,
      tools: [{ name: "lookup", description: "Looks a river up.", input_schema: { type: "object", properties: {} } }],
      messages: [{ role: "user", content: prompt }],
    });
    expect(message.content.map((b) => b.type)).toEqual(["text"]);
    // the origin thought nothing: the request went without thinking
    expect(message.usage.output_tokens).toBeLessThan(100);
    expect(gw.events[0]!.degrade).toContain("thinking=off");
  });
});

describe("degrade with openai", () => {
  it("chat: maps the model, caps max_completion_tokens, lowers reasoning_effort; reasoning text removed", async () => {
    const { openai, gw } = clients();
    const completion = await openai.chat.completions.create({
      model: "fable-5",
      reasoning_effort: "high",
      messages: [{ role: "user", content: prompt }],
    });
    expect(completion.model).toBe("fable-4-small");
    expect(completion.choices[0]!.message.content).toContain("You said");
    expect(completion.choices[0]!.message).not.toHaveProperty("reasoning_content");
    expect(gw.events[0]!.degrade).toBe(
      "model=fable-4-small,max_completion_tokens=64,reasoning_effort=low,reasoning=drop",
    );
    // low effort at the origin: its reasoning tokens are those of "low" (24), not "high" (96)
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(24);
  });

  it("chat: a stream without reasoning deltas, with usage", async () => {
    const { openai } = clients();
    const stream = await openai.chat.completions.create({
      model: "demo-small",
      reasoning_effort: "medium",
      messages: [{ role: "user", content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, usage } = await readChatStream(stream);
    expect(text).toContain("You said");
    expect(usage?.completion_tokens).toBeGreaterThan(24);
  });

  it("responses: reasoning items and summaries removed from JSON and from a stream, caps applied", async () => {
    const { openai, gw } = clients();
    const params = { model: "demo-small", input: prompt, reasoning: { effort: "medium", summary: "auto" } } as const;
    const response = await openai.responses.create(params);
    expect(response.output.map((o) => o.type)).toEqual(["message"]);
    expect(response.output_text).toContain("You said");
    expect(gw.events[0]!.degrade).toBe("max_output_tokens=300,reasoning.summary=off,reasoning=drop");

    const stream = openai.responses.stream(params);
    const types = new Set<string>();
    for await (const event of stream) {
      types.add(event.type);
      if ("output_index" in event) expect(event.output_index).toBe(0);
    }
    expect([...types].filter((t) => t.includes("reasoning"))).toEqual([]);
    const final = await stream.finalResponse();
    expect(final.output.map((o) => o.type)).toEqual(["message"]);
    expect(final.output_text).toContain("You said");
  });

  it("responses: with tools, reasoning items stay (a function call needs its item back), emptied", async () => {
    const { openai } = clients();
    const response = await openai.responses.create({
      model: "demo-small",
      input: prompt,
      reasoning: { effort: "medium", summary: "auto" },
      tools: [{ type: "function", name: "lookup", parameters: { type: "object", properties: {} }, strict: false }],
    });
    expect(response.output.map((o) => o.type)).toEqual(["reasoning", "message"]);
    expect(response.output[0]).toMatchObject({ type: "reasoning", summary: [] });
  });
});

describe("degrade in shadow mode", () => {
  it("changes nothing and reports what would have been done, to the origin and in telemetry", async () => {
    const gw = harness({ ...degradeRoutes, mode: "shadow" });
    const r = await gw.call("/v1/messages", {
      ...json({ model: "demo-large", max_tokens: 3000, thinking, messages: [{ role: "user", content: prompt }] }),
      cf: CLOUD,
    });
    const body = (await r.json()) as { content: Array<{ type: string }> };
    expect(body.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(r.headers.get("x-guard-shadow")).toBe("degrade");
    expect(r.headers.get("x-guard-shadow-degrade")).toBe("reasoning=drop");
    expect(gw.events[0]).toMatchObject({
      action: "degrade",
      enforced: false,
      degrade: "reasoning=drop",
    });
  });
});

describe("what the origin is told", () => {
  it("x-guard-action and x-guard-degrade list the action and every transformation", async () => {
    const gw = harness({
      routes: [
        {
          name: "echo",
          match: { path: "/__demo/echo/v1/messages" },
          geo: { hosting: "degrade" },
          degrade: { maxTokens: 100 },
        },
      ],
    });
    const r = await gw.call("/__demo/echo/v1/messages", {
      ...json({ model: "demo-large", max_tokens: 3000, thinking, messages: [{ role: "user", content: prompt }] }),
      cf: CLOUD,
    });
    const seen = (await r.json()) as { headers: Record<string, string>; body: string };
    expect(seen.headers["x-guard-action"]).toBe("degrade");
    expect(seen.headers["x-guard-degrade"]).toBe("max_tokens=100,thinking=off,reasoning=drop");
    expect(seen.headers["accept-encoding"]).toBe("identity");
    expect(JSON.parse(seen.body)).toMatchObject({ max_tokens: 100, thinking: { type: "disabled" } });
    const point = gw.points[0]!;
    expect(point.blobs).toContain("degrade");
    expect(point.blobs).toContain("max_tokens=100,thinking=off,reasoning=drop");
  });
});

describe("a degraded stream", () => {
  it("arrives event by event: the text block reaches the client while the origin holds the rest", async () => {
    const origin = inject("originUrl");
    const body = {
      model: "demo-large",
      max_tokens: 3000,
      thinking,
      stream: true,
      messages: [{ role: "user", content: "Hi" }],
    };
    // the origin's own stream (deterministic for a body): the unit that starts the text block, after the thinking
    const plain = await (await fetch(`${origin}/v1/messages`, { method: "POST", body: JSON.stringify(body) })).text();
    const units = plain.split("\n\n").filter(Boolean);
    const textStart = units.findIndex((u) => u.includes('"content_block_start"') && u.includes('"type":"text"'));
    expect(textStart).toBeGreaterThan(3);

    const gw = harness(degradeRoutes);
    const gate = "degrade-sse";
    const status = async () =>
      (await (await fetch(`${origin}/__demo/gate/${gate}`)).json()) as { sent: number; waiting: boolean };
    const r = await gw.call("/v1/messages", { ...json(body, { "x-demo-gate": gate }), cf: CLOUD });
    const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const nextEvent = async () => {
      while (!text.includes("\n\n")) text += (await reader.read()).value ?? "";
      const end = text.indexOf("\n\n");
      const event = text.slice(0, end);
      text = text.slice(end + 2);
      return JSON.parse(event.slice(event.indexOf("data: ") + 6)) as { type: string; index?: number };
    };
    expect((await nextEvent()).type).toBe("message_start");
    // the origin sends the thinking block and the text block's start, then holds the rest
    await fetch(`${origin}/__demo/gate/${gate}?n=${textStart}`, { method: "POST" });
    let held = await status();
    while (!(held.sent === textStart + 1 && held.waiting)) held = await status();
    // the next event the client gets is the text block's start, renumbered: the thinking events were removed
    expect(await nextEvent()).toMatchObject({ type: "content_block_start", index: 0 });
    expect(await status()).toMatchObject({ sent: textStart + 1, waiting: true });
    await fetch(`${origin}/__demo/gate/${gate}?open=1`, { method: "POST" });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(text).not.toContain("thinking");
    expect(text).toContain("message_stop");
  });

  it("is reconciled with the usage the origin reported (its thinking tokens included)", async () => {
    const config: ConfigInput = {
      routes: [
        {
          ...degradeRoutes.routes[0]!,
          limits: [{ name: "key-tokens", by: ["key"], capacity: 5000, refillPerSecond: 0.01, cost: "tokens" }],
        },
      ],
    };
    const gw = harness(config);
    const remaining = (r: Response) => Number(/r=(\d+)/.exec(r.headers.get("ratelimit") ?? "")?.[1]);
    const body = {
      model: "demo-large",
      max_tokens: 2000,
      thinking: { type: "enabled", budget_tokens: 1024 },
      stream: true,
      messages: [{ role: "user", content: "Hi" }],
    };
    // the usage is read as the client reads the stream: the after-response work is waited for after that
    const send = async () => {
      const ctx = createExecutionContext();
      const request = new Request("https://gateway.test/v1/messages", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": "sk-reconciled",
          "cf-connecting-ip": "198.51.100.9",
        },
        body: JSON.stringify(body),
        cf: CLOUD as never,
      });
      const response = await gw.app.fetch(request, {}, ctx);
      const text = await response.text();
      await waitOnExecutionContext(ctx);
      return { response, text };
    };
    const first = await send();
    expect(first.text).not.toContain("thinking_delta");
    const reported = Number(/"output_tokens":(\d+)}}\n\nevent: message_stop/.exec(first.text)?.[1]);
    expect(reported).toBeGreaterThan(200);
    // before the response the estimate (max_tokens plus the prompt) was taken
    expect(remaining(first.response)).toBeLessThanOrEqual(3000);
    const second = await send();
    // 5000 - (the first's reported usage, its thinking included) - (the second's estimate, ~2000)
    expect(remaining(second.response)).toBeGreaterThan(2500);
    expect(remaining(second.response)).toBeLessThan(5000 - 2000 - reported + 50);
  });
});

describe("degrade from a cluster and from a signal", () => {
  it("a cluster over its limit set to degrade serves its members, degraded", async () => {
    const gw = harness({
      routes: [
        {
          name: "messages",
          match: { path: "/v1/messages" },
          credential: "x-api-key",
          clusters: [{ name: "shared-subnet", by: ["subnet"], maxAccounts: 1, window: "1h", action: "degrade" }],
        },
      ],
    });
    const body = { model: "demo-small", max_tokens: 3000, thinking, messages: [{ role: "user", content: prompt }] };
    const first = await gw.call("/v1/messages", json(body, { "x-api-key": "sk-farm-1" }));
    expect(((await first.json()) as { content: Array<{ type: string }> }).content.map((b) => b.type)).toEqual([
      "thinking",
      "text",
    ]);
    const second = await gw.call("/v1/messages", json(body, { "x-api-key": "sk-farm-2" }));
    expect(second.status).toBe(200);
    expect(((await second.json()) as { content: Array<{ type: string }> }).content.map((b) => b.type)).toEqual([
      "text",
    ]);
    expect(gw.events[1]).toMatchObject({ action: "degrade", reasons: ["cluster.accounts_per_subnet"] });
  });

  it("a fingerprint signal set to degrade", async () => {
    const gw = harness({
      routes: [{ name: "messages", match: { path: "/v1/messages" }, fingerprint: { automation: "degrade" } }],
    });
    const body = { model: "demo-small", max_tokens: 3000, thinking, messages: [{ role: "user", content: prompt }] };
    const r = await gw.call("/v1/messages", json(body, { "user-agent": "python-requests/2.32.3" }));
    expect(((await r.json()) as { content: Array<{ type: string }> }).content.map((b) => b.type)).toEqual(["text"]);
    expect(gw.events[0]).toMatchObject({ action: "degrade", reasons: ["fingerprint.automation_ua"] });
  });
});

describe("a degraded answer the origin compressed anyway", () => {
  it("is decoded, degraded and sent uncompressed, JSON and stream alike", async () => {
    const gw = harness(degradeRoutes);
    for (const stream of [false, true]) {
      const r = await gw.call("/v1/messages", {
        ...json(
          { model: "demo-large", max_tokens: 3000, thinking, stream, messages: [{ role: "user", content: prompt }] },
          { "x-demo-gzip": "1" },
        ),
        cf: CLOUD,
      });
      expect(r.headers.get("content-encoding")).toBeNull();
      const text = await r.text();
      expect(text).toContain("You said");
      expect(text).not.toContain("thinking");
    }
  });
});

describe("Message Batches and token counts, degraded (@anthropic-ai/sdk; the origin's echo shows what it received)", () => {
  const config: ConfigInput = {
    routes: [
      {
        name: "anthropic",
        match: { path: "/__demo/echo/v1/messages/*", methods: ["POST"] },
        errors: "anthropic",
        geo: { hosting: "degrade" },
        degrade: {
          maxTokens: 2048,
          thinking: "low",
          models: { "fable-5*": { model: "fable-4-small", maxTokens: 1024 } },
        },
      },
    ],
  };
  /** The SDK against the gateway, its base URL the origin's echo: each call returns what the origin received. */
  function echoClient() {
    const gw = harness(config);
    const anthropic = new Anthropic({
      apiKey: "sk-ant-customer",
      baseURL: "https://gateway.test/__demo/echo",
      fetch: gw.fetchWith(CLOUD),
    });
    return { gw, anthropic };
  }
  type Echo = { path: string; headers: Record<string, string>; body: string };

  it("batches.create: every request's params rewritten by the rules for its own model", async () => {
    const { anthropic, gw } = echoClient();
    const params = (model: string) => ({
      model,
      max_tokens: 8000,
      thinking,
      messages: [{ role: "user" as const, content: prompt }],
    });
    const seen = (await anthropic.messages.batches.create({
      requests: [
        { custom_id: "frontier", params: params("fable-5") },
        { custom_id: "small", params: params("demo-small") },
      ],
    })) as unknown as Echo;
    expect(seen.path).toBe("/__demo/echo/v1/messages/batches");
    const sent = JSON.parse(seen.body) as { requests: Array<{ custom_id: string; params: object }> };
    expect(sent.requests).toEqual([
      {
        custom_id: "frontier",
        params: { ...params("fable-4-small"), max_tokens: 1024, thinking: { type: "disabled" } },
      },
      // thinking "low" would keep thinking, which the results (fetched later) would carry: off instead
      { custom_id: "small", params: { ...params("demo-small"), max_tokens: 2048, thinking: { type: "disabled" } } },
    ]);
    const applied = "model=fable-4-small,max_tokens=1024,thinking=off,max_tokens=2048";
    expect(seen.headers["x-guard-action"]).toBe("degrade");
    expect(seen.headers["x-guard-degrade"]).toBe(applied);
    expect(gw.events[0]).toMatchObject({ action: "degrade", degrade: applied });
  });

  it("countTokens: the model mapped and thinking as the call would have it, so the count is of what would run", async () => {
    const { anthropic } = echoClient();
    const seen = (await anthropic.messages.countTokens({
      model: "fable-5",
      thinking,
      messages: [{ role: "user", content: prompt }],
    })) as unknown as Echo;
    expect(seen.path).toBe("/__demo/echo/v1/messages/count_tokens");
    expect(JSON.parse(seen.body)).toEqual({
      model: "fable-4-small",
      thinking: { type: "disabled" },
      messages: [{ role: "user", content: prompt }],
    });
    // nothing capped or added (a count takes no max_tokens), nothing said about an answer
    expect(seen.headers["x-guard-degrade"]).toBe("model=fable-4-small,thinking.budget_tokens=1024,thinking=off");
    const low = (await anthropic.messages.countTokens({
      model: "demo-large",
      thinking: { type: "enabled", budget_tokens: 4096 },
      messages: [{ role: "user", content: prompt }],
    })) as unknown as Echo;
    // thinking "low": the budget lowered to 1024 and fitted under the call's max_tokens cap (2048)
    expect(JSON.parse(low.body).thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
  });
});

describe("OpenAI reasoning turned off, not only lowered (offEffort, openai)", () => {
  const config: ConfigInput = {
    routes: [
      {
        name: "openai",
        match: {
          paths: ["/v1/chat/completions", "/v1/responses", "/__demo/echo/v1/*"],
          methods: ["POST"],
        },
        errors: "openai",
        geo: { hosting: "degrade" },
        degrade: {
          // the families' lowest efforts; a model without reasoning gets none added
          models: { "demo-5.*": { offEffort: "none" }, "demo-5*": { offEffort: "minimal" }, "demo-4o*": {} },
        },
      },
    ],
  };
  function openaiClient(baseURL = "https://gateway.test/v1") {
    const gw = harness(config);
    return { gw, openai: new OpenAI({ apiKey: "sk-oai-customer", baseURL, fetch: gw.fetchWith(CLOUD) }) };
  }
  type Echo = { headers: Record<string, string>; body: string };
  const messages = [{ role: "user" as const, content: prompt }];

  it("chat: the origin receives the family's lowest effort, added where the client named none", async () => {
    const { openai } = openaiClient("https://gateway.test/__demo/echo/v1");
    const sent = async (body: OpenAI.ChatCompletionCreateParamsNonStreaming) => {
      const seen = (await openai.chat.completions.create(body)) as unknown as Echo;
      return { body: JSON.parse(seen.body) as Record<string, unknown>, applied: seen.headers["x-guard-degrade"] };
    };
    expect(await sent({ model: "demo-5", reasoning_effort: "high", messages })).toEqual({
      body: { model: "demo-5", reasoning_effort: "minimal", messages },
      applied: "reasoning_effort=minimal,reasoning=drop",
    });
    expect((await sent({ model: "demo-5.1", messages })).body.reasoning_effort).toBe("none");
    // no offEffort for this model: nothing added to a request that names none
    expect((await sent({ model: "demo-4o", messages })).body).not.toHaveProperty("reasoning_effort");
  });

  it("chat, JSON and streamed: the answers parse, reasoned at the lowest effort, no reasoning text", async () => {
    const { openai } = openaiClient();
    const completion = await openai.chat.completions.create({ model: "demo-5", reasoning_effort: "high", messages });
    expect(completion.choices[0]!.message.content).toContain("You said");
    expect(completion.choices[0]!.message).not.toHaveProperty("reasoning_content");
    // the demo origin reasons 8 tokens at "minimal" (96 at "high")
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(8);

    const stream = await openai.chat.completions.create({
      model: "demo-5.1",
      reasoning_effort: "medium",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, usage } = await readChatStream(stream);
    expect(text).toContain("You said");
    // "none": no reasoning at all
    expect(usage?.completion_tokens_details?.reasoning_tokens ?? 0).toBe(0);
  });

  it("responses, JSON and streamed: effort none, no summary asked for, no reasoning item", async () => {
    const { openai, gw } = openaiClient();
    const params = { model: "demo-5.1", input: prompt, reasoning: { effort: "high", summary: "detailed" } } as const;
    const response = await openai.responses.create(params);
    expect(response.output.map((o) => o.type)).toEqual(["message"]);
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(0);
    expect(gw.events[0]!.degrade).toBe("reasoning.effort=none,reasoning.summary=off,reasoning=drop");

    const stream = openai.responses.stream(params);
    const types = new Set<string>();
    for await (const event of stream) types.add(event.type);
    expect([...types].filter((t) => t.includes("reasoning"))).toEqual([]);
    const final = await stream.finalResponse();
    expect(final.output_text).toContain("You said");
  });

  it("responses: a request naming no reasoning gets one with the lowest effort; input_tokens counts the same", async () => {
    const { openai } = openaiClient("https://gateway.test/__demo/echo/v1");
    const seen = (await openai.responses.create({ model: "demo-5", input: prompt })) as unknown as Echo;
    expect(JSON.parse(seen.body)).toEqual({ model: "demo-5", input: prompt, reasoning: { effort: "minimal" } });
    const counted = (await openai.responses.inputTokens.count({
      model: "demo-5.1",
      input: prompt,
      reasoning: { effort: "high" },
    })) as unknown as Echo;
    expect(JSON.parse(counted.body)).toEqual({ model: "demo-5.1", input: prompt, reasoning: { effort: "none" } });
    expect(counted.headers["x-guard-degrade"]).toBe("reasoning.effort=none");
  });
});
