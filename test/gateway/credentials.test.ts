// Issue 13, item 3: the guard counts the credential the origin authenticates,
// and only that one reaches the origin.
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { GERMANY, harness, json, registry } from "./harness.ts";

const chat = { model: "demo-small", messages: [{ role: "user", content: "hi" }] };
const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "hi" }] };

/** What the demo origin's echo endpoint saw. */
interface Echo {
  headers: Record<string, string | undefined>;
}

const config = (route: Record<string, unknown> = {}): ConfigInput => ({
  routes: [
    {
      name: "chat",
      match: { paths: ["/v1/chat/completions", "/__demo/echo/*"], methods: ["POST"] },
      errors: "openai",
      limits: [{ name: "key-rpm", by: ["key"], rate: "3 per minute" }],
      ...route,
    },
  ],
});

describe("the route's credential header", () => {
  it("counts the Bearer token an OpenAI-shaped origin reads, whatever x-api-key says", async () => {
    const gw = harness(config());
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // the same account every time, dressed up with a fresh junk x-api-key
      const response = await gw.call(
        "/v1/chat/completions",
        json(chat, { authorization: "Bearer sk-one-account", "x-api-key": `junk-${i}` }),
      );
      statuses.push(response.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    const bearerOnly: number[] = [];
    for (let i = 0; i < 4; i++)
      bearerOnly.push(
        (await gw.call("/v1/chat/completions", json(chat, { authorization: "Bearer sk-one-account" }))).status,
      );
    expect(bearerOnly).toEqual([200, 200, 200, 429]);
  });

  it("refuses conflicting credentials with 400 request.conflicting_credentials in the route's format", async () => {
    const gw = harness(config());
    const refused = await gw.call(
      "/v1/chat/completions",
      json(chat, { authorization: "Bearer sk-a", "x-api-key": "sk-b" }),
    );
    expect(refused.status).toBe(400);
    expect(refused.headers.get("x-should-retry")).toBe("false");
    expect(await refused.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "request.conflicting_credentials" },
    });
    expect(gw.events.at(-1)).toMatchObject({ route: "chat", status: 400, reason: "request.conflicting_credentials" });
    // a non-Bearer Authorization next to an x-api-key is another credential too
    expect(
      (await gw.call("/v1/chat/completions", json(chat, { authorization: "Basic Zm9vOmJhcg==", "x-api-key": "sk-a" })))
        .status,
    ).toBe(400);
    // the same key in both headers is no conflict
    expect(
      (await gw.call("/v1/chat/completions", json(chat, { authorization: "Bearer sk-a", "x-api-key": "sk-a" }))).status,
    ).toBe(200);
  });

  it("a route with credential x-api-key reads x-api-key only: a Bearer token alone is no key, and the origin never sees it", async () => {
    const gw = harness(
      config({ name: "messages", errors: "anthropic", credential: "x-api-key", match: { path: "/__demo/echo/*" } }),
    );
    const response = await gw.call("/__demo/echo/v1/messages", json(message, { authorization: "Bearer sk-elsewhere" }));
    expect(response.status).toBe(200);
    expect(gw.events.at(-1)!.keyHash).toBeNull();
    expect((await response.json<Echo>()).headers.authorization).toBeUndefined();
  });

  it("an Anthropic route reads either header by default: the one the client sent is counted and forwarded", async () => {
    const gw = harness(config({ name: "messages", errors: "anthropic", match: { path: "/__demo/echo/*" } }));
    const bearer = await gw.call("/__demo/echo/v1/messages", json(message, { authorization: "Bearer sk-one" }));
    expect(bearer.status).toBe(200);
    const viaBearer = gw.events.at(-1)!.keyHash;
    expect(viaBearer).not.toBeNull();
    expect((await bearer.json<Echo>()).headers).toMatchObject({ authorization: "Bearer sk-one" });
    const apiKey = await gw.call("/__demo/echo/v1/messages", json(message, { "x-api-key": "sk-one" }));
    expect(gw.events.at(-1)!.keyHash).toBe(viaBearer);
    const seen = (await apiKey.json<Echo>()).headers;
    expect([seen["x-api-key"], seen.authorization]).toEqual(["sk-one", undefined]);
    // the same account through either header shares one bucket (3 a minute)
    const third = await gw.call("/__demo/echo/v1/messages", json(message, { authorization: "Bearer sk-one" }));
    const fourth = await gw.call("/__demo/echo/v1/messages", json(message, { "x-api-key": "sk-one" }));
    expect([third.status, fourth.status]).toEqual([200, 429]);
    // two different keys are refused
    const both = await gw.call(
      "/__demo/echo/v1/messages",
      json(message, { authorization: "Bearer sk-one", "x-api-key": "sk-two" }),
    );
    expect(both.status).toBe(400);
  });

  it("the official Anthropic SDK's key is counted on a default Anthropic route, whichever header it sends", async () => {
    const gw = harness({
      routes: [
        {
          name: "messages",
          match: { path: "/v1/messages", methods: ["POST"] },
          errors: "anthropic",
          limits: [{ name: "key-rpm", by: ["key"], rate: "2 per minute" }],
        },
      ],
    });
    const client = new Anthropic({
      apiKey: "sk-sdk-customer",
      baseURL: "https://gateway.test",
      fetch: gw.fetchWith(GERMANY),
      maxRetries: 0,
    });
    const ask = () =>
      client.messages.create({ model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
    await ask();
    await ask();
    expect(gw.events.at(-1)!.keyHash).not.toBeNull();
    await expect(ask()).rejects.toBeInstanceOf(Anthropic.RateLimitError);
  });

  it("forwards only the route's credential header", async () => {
    const gw = harness(config());
    const seen = await (
      await gw.call("/__demo/echo/chat", json(chat, { authorization: "Bearer sk-a", "x-api-key": "sk-a" }))
    ).json<Echo>();
    expect(seen.headers.authorization).toBe("Bearer sk-a");
    expect(seen.headers["x-api-key"]).toBeUndefined();
  });

  it("a route may name its header: credential x-api-key on an OpenAI-format route", async () => {
    const gw = harness(config({ credential: "x-api-key" }));
    const seen = await (
      await gw.call("/__demo/echo/chat", json(chat, { authorization: "Bearer sk-a", "x-api-key": "sk-a" }))
    ).json<Echo>();
    expect(seen.headers["x-api-key"]).toBe("sk-a");
    expect(seen.headers.authorization).toBeUndefined();
  });

  it("ORIGIN_API_KEY goes in the route's credential header, never in the other", async () => {
    const accounts = await registry(["sk-client"]);
    const gw = harness(config(), { originApiKey: "sk-origin", accounts });
    const seen = await (
      await gw.call("/__demo/echo/chat", json(chat, { "x-api-key": "sk-client", authorization: "Bearer sk-client" }))
    ).json<Echo>();
    expect(seen.headers.authorization).toBe("Bearer sk-origin");
    expect(seen.headers["x-api-key"]).toBeUndefined();
    const anthropic = harness(config({ errors: "anthropic" }), { originApiKey: "sk-origin", accounts });
    const seenByAnthropic = await (
      await anthropic.call(
        "/__demo/echo/messages",
        json(message, { "x-api-key": "sk-client", authorization: "Bearer sk-client" }),
      )
    ).json<Echo>();
    expect(seenByAnthropic.headers["x-api-key"]).toBe("sk-origin");
    expect(seenByAnthropic.headers.authorization).toBeUndefined();
  });
});
