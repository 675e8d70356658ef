// Rate limits end to end: the ready-made Worker with its Upstash secrets pointed
// at the Upstash-compatible bridge over a real redis-server.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import worker, { type WorkerEnv } from "../../src/worker.ts";
import { type BridgeMode, newTenant } from "../limits/helpers.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "Hello" }] };

async function gateway(config: ConfigInput) {
  const tenant = await newTenant({ autoPipelining: false });
  const env: WorkerEnv = {
    ORIGIN_URL: inject("originUrl"),
    KEY_HASH_SECRET: "limits-test-secret-0123456789",
    UPSTASH_REDIS_REST_URL: tenant.url,
    UPSTASH_REDIS_REST_TOKEN: tenant.token,
    // a generous store timeout unless the test sets one: on a loaded machine the default
    // 150 ms would turn into fail-mode decisions
    GATEWAY_CONFIG: { ...config, store: { timeoutMs: 2_000, ...config.store } },
  };
  const call = async (path: string, init: RequestInit & { key?: string } = {}) => {
    const { key = "sk-customer-1", ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set("x-api-key", key);
    headers.set("cf-connecting-ip", "198.51.100.7");
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    const ctx = createExecutionContext();
    const request = new Request(`https://gw.test${path}`, {
      method: "POST",
      body: JSON.stringify(message),
      ...rest,
      headers,
      cf: { country: "DE", asn: 3320 } as never,
    });
    const response = await worker.fetch(request as never, env, ctx);
    // after-response work (telemetry, token reconciliation) may wait for the body to be read
    pending.push(waitOnExecutionContext(ctx));
    return response;
  };
  const pending: Promise<unknown>[] = [];
  /** Waits for every request's after-response work. */
  const settle = () => Promise.all(pending.splice(0));
  const sdkFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    sent.push(request.url);
    const url = new URL(request.url);
    return call(url.pathname, {
      method: request.method,
      headers: request.headers,
      body: await request.text(),
      key: request.headers.get("x-api-key") ?? "sk-sdk",
    });
  };
  const sent: string[] = [];
  return { tenant, env, call, sdkFetch, sent, settle };
}

const messagesRoute = (extra: Record<string, unknown> = {}): ConfigInput => ({
  routes: [
    {
      name: "messages",
      match: { paths: ["/v1/messages", "/__demo/echo/*"], methods: ["POST"] },
      errors: "anthropic",
      limits: [{ name: "key-rpm", by: ["key"], rate: "3 per minute" }],
      ...extra,
    },
  ],
});

describe("token buckets through the Worker and real Redis", () => {
  it("allows the capacity, then answers 429 with Retry-After, RateLimit fields and the route's error body", async () => {
    const gw = await gateway(messagesRoute());
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await gw.call("/v1/messages")).status);
    expect(statuses).toEqual([200, 200, 200]);
    const denied = await gw.call("/v1/messages");
    expect(denied.status).toBe(429);
    expect(Number(denied.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(denied.headers.get("retry-after"))).toBeLessThanOrEqual(20);
    expect(denied.headers.get("ratelimit-policy")).toBe('"key-rpm";q=3;w=60');
    expect(denied.headers.get("ratelimit")).toMatch(/^"key-rpm";r=0;t=\d+$/);
    expect(denied.headers.get("x-should-retry")).toBeNull();
    expect(await denied.json()).toMatchObject({
      type: "error",
      error: { type: "rate_limit_error", code: "rate.key_exhausted" },
    });
    // another key has its own bucket
    expect((await gw.call("/v1/messages", { key: "sk-customer-2" })).status).toBe(200);
  });

  it("adds the API family's own headers when the route asks for them", async () => {
    const gw = await gateway(messagesRoute({ providerHeaders: true }));
    const ok = await gw.call("/v1/messages");
    expect(ok.headers.get("anthropic-ratelimit-requests-limit")).toBe("3");
    expect(ok.headers.get("anthropic-ratelimit-requests-remaining")).toBe("2");
    await gw.call("/v1/messages");
    await gw.call("/v1/messages");
    const denied = await gw.call("/v1/messages");
    expect(denied.status).toBe(429);
    expect(denied.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(Date.parse(denied.headers.get("anthropic-ratelimit-requests-reset")!)).toBeGreaterThan(Date.now());
  });

  it("costs one store round trip per request, and none for a client already denied", async () => {
    const gw = await gateway(messagesRoute());
    await gw.tenant.resetStats();
    for (let i = 0; i < 3; i++) await gw.call("/v1/messages");
    expect((await gw.tenant.stats()).requests).toBe(3);
    await gw.call("/v1/messages");
    expect((await gw.tenant.stats()).requests).toBe(4);
    for (let i = 0; i < 5; i++) expect((await gw.call("/v1/messages")).status).toBe(429);
    expect((await gw.tenant.stats()).requests).toBe(4);
  });

  it("a geo denial costs no store call", async () => {
    const gw = await gateway(messagesRoute({ geo: { deny: { countries: ["DE"] } } }));
    await gw.tenant.resetStats();
    expect((await gw.call("/v1/messages")).status).toBe(451);
    expect((await gw.tenant.stats()).requests).toBe(0);
  });

  it("the Anthropic SDK sleeps exactly as long as retry-after says, then succeeds", async () => {
    const gw = await gateway({
      routes: [
        {
          name: "messages",
          match: { path: "/v1/messages" },
          errors: "anthropic",
          limits: [{ name: "key-rps", by: ["key"], capacity: 1, refillPerSecond: 1 }],
        },
      ],
    });
    const anthropic = new Anthropic({ apiKey: "sk-sdk", baseURL: "https://gw.test", fetch: gw.sdkFetch });
    await anthropic.messages.create(message as never);
    const second = await anthropic.messages.create(message as never);
    expect(second.type).toBe("message");
    expect(gw.sent).toHaveLength(3); // one 429, retried after retry-after: 1
  });

  it("the OpenAI SDK raises RateLimitError", async () => {
    const gw = await gateway({
      routes: [
        {
          name: "chat",
          match: { path: "/v1/chat/completions" },
          errors: "openai",
          limits: [{ name: "key-rpm", by: ["key"], rate: "1 per minute" }],
        },
      ],
    });
    const openai = new OpenAI({ apiKey: "sk-sdk", baseURL: "https://gw.test/v1", fetch: gw.sdkFetch, maxRetries: 0 });
    const chat = { model: "demo-small", messages: [{ role: "user" as const, content: "hi" }] };
    await openai.chat.completions.create(chat);
    const error = await openai.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("rate.key_exhausted");
  });

  it("a fixed quota: its count, then 429 with Retry-After until the window ends (issue 13)", async () => {
    const gw = await gateway({
      routes: [
        {
          name: "messages",
          match: { path: "/v1/messages" },
          errors: "anthropic",
          limits: [{ name: "trial", by: ["key"], quota: 2, per: "1h" }],
        },
      ],
    });
    // (the windows follow the real clock: not across an hour's end)
    const toHour = 3_600_000 - (Date.now() % 3_600_000);
    if (toHour < 5000) await new Promise((r) => setTimeout(r, toHour + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await gw.call("/v1/messages")).status);
    const denied = await gw.call("/v1/messages");
    expect([...statuses, denied.status]).toEqual([200, 200, 429]);
    const untilHour = Math.ceil((3_600_000 - (Date.now() % 3_600_000)) / 1000);
    expect(Math.abs(Number(denied.headers.get("retry-after")) - untilHour)).toBeLessThanOrEqual(2);
    expect(denied.headers.get("x-should-retry")).toBeNull();
    expect(denied.headers.get("ratelimit-policy")).toBe('"trial";q=2;w=3600');
  });

  it("a request that can never fit is refused once, with x-should-retry: false", async () => {
    const gw = await gateway({
      routes: [
        {
          name: "messages",
          match: { path: "/v1/messages" },
          errors: "anthropic",
          limits: [{ name: "key-tokens", by: ["key"], capacity: 1000, refillPerSecond: 10, cost: "tokens" }],
        },
      ],
    });
    const anthropic = new Anthropic({ apiKey: "sk-sdk", baseURL: "https://gw.test", fetch: gw.sdkFetch });
    const error = await anthropic.messages.create({ ...message, max_tokens: 5000 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(gw.sent).toHaveLength(1);
  });
});

describe("token-weighted buckets", () => {
  const remaining = (r: Response) => Number(/r=(\d+)/.exec(r.headers.get("ratelimit") ?? "")?.[1]);
  const tokensRoute: ConfigInput = {
    routes: [
      {
        name: "messages",
        match: { path: "/v1/messages" },
        errors: "anthropic",
        limits: [{ name: "key-tokens", by: ["key"], capacity: 5000, refillPerSecond: 0.01, cost: "tokens" }],
      },
    ],
  };

  for (const stream of [false, true]) {
    it(`charge the estimate, then reconcile with the usage the origin reported (${stream ? "SSE" : "JSON"})`, async () => {
      const gw = await gateway(tokensRoute);
      const body = JSON.stringify({ ...message, max_tokens: 2000, stream });
      const first = await gw.call("/v1/messages", { body });
      // before the response: the estimate (max_tokens plus the prompt) was taken
      expect(remaining(first)).toBeLessThanOrEqual(3000);
      await first.text(); // the client reads to the end; reconciliation runs after
      await gw.settle();
      const second = await gw.call("/v1/messages", { body });
      await second.text();
      // 5000 - (actual usage of the first, ~30) - (estimate of the second, ~2000)
      expect(remaining(second)).toBeGreaterThan(2900);
    });
  }

  it("post-charges ride on the next request's round trip: one round trip per request, every correction applied (issue 15)", async () => {
    const gw = await gateway(tokensRoute);
    await gw.tenant.resetStats();
    const body = JSON.stringify({ ...message, max_tokens: 500 });
    let used = 0;
    let estimate = 0;
    for (let i = 0; i < 5; i++) {
      const response = await gw.call("/v1/messages", { body });
      if (i === 0) estimate = 5000 - remaining(response);
      const { usage } = (await response.json()) as { usage: { input_tokens: number; output_tokens: number } };
      used += usage.input_tokens + usage.output_tokens;
    }
    // five takes, each carrying the previous answer's correction; the last one is sent on its own
    await gw.settle();
    expect((await gw.tenant.stats()).requests).toBe(6);
    const next = await gw.call("/v1/messages", { body });
    await next.text();
    expect(remaining(next)).toBe(5000 - used - estimate);
  });

  it("reconcile a stream the client abandons with what was produced", async () => {
    const gw = await gateway(tokensRoute);
    const body = JSON.stringify({ ...message, max_tokens: 2000, stream: true });
    const first = await gw.call("/v1/messages", { body });
    const reader = first.body!.getReader();
    await reader.read();
    await reader.cancel();
    await gw.settle();
    const second = await gw.call("/v1/messages", { body });
    await second.text();
    expect(remaining(second)).toBeGreaterThan(2900);
  });
});

describe("token-weighted buckets do not overdraw (issue 13)", () => {
  const route = (refillPerSecond: number): ConfigInput => ({
    routes: [
      {
        name: "messages",
        match: { path: "/v1/messages" },
        errors: "anthropic",
        limits: [{ name: "key-tokens", by: ["key"], capacity: 10_000, refillPerSecond, cost: "tokens" }],
      },
    ],
  });

  it("a 10,000-token bucket and six ~40k-token PDF requests: at most the first is served", async () => {
    const gw = await gateway(route(10));
    // 160,000 base64 characters: a 120 KB PDF, about 40,000 tokens
    const pdf = {
      type: "document",
      source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x".repeat(20_000) },
    };
    const body = JSON.stringify({
      ...message,
      messages: [{ role: "user", content: [pdf, { type: "text", text: "Summarise this." }] }],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await gw.call("/v1/messages", { body });
      statuses.push(response.status);
      await response.text();
      await gw.settle();
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(statuses.slice(1).every((s) => s === 429)).toBe(true);
  });

  it("usage beyond the estimate is a debt kept whole: the next Retry-After is the true wait", async () => {
    const gw = await gateway(route(100));
    // 36,000 punctuation marks: the estimate counts characters / 4 (9,000), the demo origin one token each (36,000)
    const body = JSON.stringify({ ...message, messages: [{ role: "user", content: "!".repeat(36_000) }] });
    const first = await gw.call("/v1/messages", { body });
    expect(first.status).toBe(200);
    const usage = ((await first.json()) as { usage: { input_tokens: number; output_tokens: number } }).usage;
    await gw.settle();
    const used = usage.input_tokens + usage.output_tokens;
    expect(used).toBeGreaterThan(36_000);
    const denied = await gw.call("/v1/messages", { body });
    expect(denied.status).toBe(429);
    // 10,000 - used (the whole debt), then this request's 9,016 must fit: at 100 tokens a second
    const wait = (9_016 - (10_000 - used)) / 100;
    expect(Number(denied.headers.get("retry-after"))).toBeGreaterThanOrEqual(Math.floor(wait) - 2);
    expect(Number(denied.headers.get("retry-after"))).toBeLessThanOrEqual(Math.ceil(wait));
  });
});

describe("store outages follow the route's fail mode, never a 500", () => {
  const outage = async (onError: "open" | "closed" | "local", mode: BridgeMode) => {
    const gw = await gateway({ ...messagesRoute(), store: { onError, timeoutMs: 100 } });
    await gw.tenant.mode(mode);
    const started = Date.now();
    const response = await gw.call("/__demo/echo/outage");
    return { response, elapsed: Date.now() - started, gw };
  };

  for (const mode of ["hang", "drop", "fail"] as const) {
    it(`open (${mode}): allowed, and the origin is told the limits were not enforced`, async () => {
      const { response } = await outage("open", mode);
      expect(response.status).toBe(200);
      const seen = (await response.json()) as { headers: Record<string, string> };
      expect(seen.headers["x-guard-reasons"]).toBe("store.unavailable");
      expect(seen.headers["x-guard-action"]).toBe("flag");
    });

    it(`closed (${mode}): 503 in the route's format with Retry-After`, async () => {
      const { response } = await outage("closed", mode);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(await response.json()).toMatchObject({ type: "error", error: { code: "store.unavailable" } });
    });

    it(`local (${mode}): the in-memory store decides, limits still hold`, async () => {
      const { response, gw } = await outage("local", mode);
      expect(response.status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await gw.call("/v1/messages")).status);
      expect(statuses).toEqual([200, 200, 429]);
    });
  }

  it("closed: Retry-After is store.recoverAfterMs, the time until the store is tried again (issue 13)", async () => {
    const gw = await gateway({
      ...messagesRoute(),
      store: { onError: "closed", timeoutMs: 100, recoverAfterMs: 3000 },
    });
    await gw.tenant.mode("fail");
    const response = await gw.call("/v1/messages");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("3");
    await gw.tenant.mode("ok");
    const again = await gw.call("/v1/messages");
    expect(again.status).toBe(503); // not tried again yet
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThanOrEqual(2);
    expect(Number(again.headers.get("retry-after"))).toBeLessThanOrEqual(3);
  });

  it("a hanging store delays a request by about the timeout, not more", async () => {
    const { elapsed } = await outage("open", "hang");
    expect(elapsed).toBeLessThan(5_000);
  });
});
