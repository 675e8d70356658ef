// Requests without an API key: never unmetered. By default they share their subnet's per-key
// buckets; a route with `keyless: "refuse"` answers them 401 in its error format.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { GERMANY, harness, json } from "./harness.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] };
const chat = { model: "demo-small", messages: [{ role: "user", content: "Hi" }] };
const limits = [{ name: "key-rpm", by: ["key"], rate: "3 per minute" }];

const config = (keyless?: "share" | "refuse"): ConfigInput => ({
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      errors: "anthropic",
      limits,
      ...(keyless ? { keyless } : {}),
    },
    {
      name: "chat",
      match: { path: "/v1/chat/completions", methods: ["POST"] },
      errors: "openai",
      limits,
      ...(keyless ? { keyless } : {}),
    },
  ],
});

/** A fetch that drops the credentials an SDK adds: a keyless client. */
const withoutCredentials =
  (fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) =>
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    headers.delete("x-api-key");
    headers.delete("authorization");
    return fetch(request.url, {
      method: request.method,
      headers,
      body: request.body,
      ...({ duplex: "half" } as object),
    });
  };

describe("keyless requests", () => {
  it("share their subnet's per-key bucket by default: 3 a minute for the whole /24, not unmetered", async () => {
    const gw = harness(config());
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await gw.call("/v1/messages", { ...json(message), ip: `198.51.100.${10 + i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    // another subnet has its own; a client with a key has its own
    expect((await gw.call("/v1/messages", { ...json(message), ip: "192.0.2.7" })).status).toBe(200);
    expect(
      (await gw.call("/v1/messages", { ...json(message, { "x-api-key": "sk-ant-customer" }), ip: "198.51.100.99" }))
        .status,
    ).toBe(200);
  });

  it("keyless: refuse answers 401 in the route's format, before any store call, and a key passes", async () => {
    const gw = harness(config("refuse"));
    const refused = await gw.call("/v1/messages", json(message));
    expect([refused.status, refused.headers.get("x-should-retry")]).toEqual([401, "false"]);
    expect(await refused.json()).toMatchObject({
      type: "error",
      error: { type: "authentication_error", code: "identity.key_missing" },
    });
    const openai = await gw.call("/v1/chat/completions", json(chat));
    expect([openai.status, ((await openai.json()) as { error: { code: string } }).error.code]).toEqual([
      401,
      "identity.key_missing",
    ]);
    expect((await gw.call("/v1/messages", json(message, { "x-api-key": "sk-ant-customer" }))).status).toBe(200);
  });

  it("the official SDKs raise their authentication error class", async () => {
    const gw = harness(config("refuse"));
    const fetch = withoutCredentials(gw.fetchWith(GERMANY));
    const anthropic = new Anthropic({ apiKey: "unused", baseURL: "https://gateway.test", fetch, maxRetries: 0 });
    const openai = new OpenAI({ apiKey: "unused", baseURL: "https://gateway.test/v1", fetch, maxRetries: 0 });
    await expect(anthropic.messages.create(message as never)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(openai.chat.completions.create(chat as never)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
