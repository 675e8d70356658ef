// The official SDKs, pointed at the gateway, as a customer would use them.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { GERMANY, harness } from "./harness.ts";

const IRAN = { country: "IR", continent: "AS", asn: 58224 };
const config: ConfigInput = {
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      errors: "anthropic",
      geo: { deny: { countries: ["IR"], ips: ["203.0.113.0/24"] } },
    },
    {
      name: "chat",
      match: { path: "/v1/chat/completions", methods: ["POST"] },
      errors: "openai",
      geo: { deny: { countries: ["IR"], ips: ["203.0.113.0/24"] } },
    },
  ],
};
const prompt = "Name three rivers in Europe.";

function clients(cf = GERMANY) {
  const gw = harness(config);
  const sent: Request[] = [];
  const fetch = gw.fetchWith(cf, sent);
  // Default retry settings: the SDKs' own behaviour is under test.
  const anthropic = new Anthropic({ apiKey: "sk-ant-customer", baseURL: "https://gateway.test", fetch });
  const openai = new OpenAI({ apiKey: "sk-oai-customer", baseURL: "https://gateway.test/v1", fetch });
  return { gw, sent, anthropic, openai };
}

describe("@anthropic-ai/sdk through the gateway", () => {
  it("creates a message", async () => {
    const { anthropic } = clients();
    const message = await anthropic.messages.create({
      model: "demo-small",
      max_tokens: 64,
      messages: [{ role: "user", content: prompt }],
    });
    expect(message.type).toBe("message");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams a message", async () => {
    const { anthropic } = clients();
    const stream = anthropic.messages.stream({
      model: "demo-small",
      max_tokens: 64,
      messages: [{ role: "user", content: prompt }],
    });
    let deltas = 0;
    for await (const event of stream) if (event.type === "content_block_delta") deltas++;
    expect(deltas).toBeGreaterThan(1);
    expect((await stream.finalMessage()).stop_reason).toBeTruthy();
  });

  it("raises PermissionDeniedError for a denied network, once: x-should-retry stops the SDK's retries", async () => {
    const { anthropic, sent, gw } = clients();
    const create = anthropic.messages.create(
      { model: "demo-small", max_tokens: 8, messages: [{ role: "user", content: prompt }] },
      // a denied client address, as CF-Connecting-IP carries it
      { headers: { "cf-connecting-ip": "203.0.113.50" } },
    );
    const error = await create.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(403);
    expect(sent).toHaveLength(1);
    expect(gw.events[0]?.reasons).toEqual(["network.ip_denied"]);
  });

  it("raises an APIError with status 451 for a denied country, sent once", async () => {
    const { anthropic, sent } = clients(IRAN);
    const error = await anthropic.messages
      .create({ model: "demo-small", max_tokens: 8, messages: [{ role: "user", content: prompt }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(451);
    expect((error as InstanceType<typeof Anthropic.APIError>).requestID).toBeTruthy();
    expect(sent).toHaveLength(1);
  });
});

describe("openai through the gateway", () => {
  it("creates a chat completion", async () => {
    const { openai } = clients();
    const completion = await openai.chat.completions.create({
      model: "demo-small",
      messages: [{ role: "user", content: prompt }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
  });

  it("streams a chat completion with usage", async () => {
    const { openai } = clients();
    const stream = await openai.chat.completions.create({
      model: "demo-small",
      messages: [{ role: "user", content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let chunks = 0;
    let usage: unknown = null;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(usage).toMatchObject({ prompt_tokens: expect.any(Number) });
  });

  it("raises PermissionDeniedError for a denied network, sent once", async () => {
    const { openai, sent } = clients();
    const error = await openai.chat.completions
      .create(
        { model: "demo-small", messages: [{ role: "user", content: prompt }] },
        { headers: { "cf-connecting-ip": "203.0.113.50" } },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("network.ip_denied");
    expect(sent).toHaveLength(1);
  });

  it("raises an APIError with status 451 for a denied country, sent once", async () => {
    const { openai, sent } = clients(IRAN);
    const error = await openai.chat.completions
      .create({ model: "demo-small", messages: [{ role: "user", content: prompt }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(451);
    expect(sent).toHaveLength(1);
  });
});
