// Issue 13, item 4: one canonical path, matched by the guard and forwarded to
// the origin, so both see the same resource.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { harness, json } from "./harness.ts";

const message = { model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "hi" }] };
const KEY = { "x-api-key": "sk-one-account" };

const config = (rate: string): ConfigInput => ({
  // a catch-all forward: a path that misses the strict route would reach the origin unchecked
  unmatched: "forward",
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      errors: "anthropic",
      limits: [{ name: "key-rpm", by: ["key"], rate }],
    },
    { name: "echo", match: { path: "/__demo/echo/*" }, errors: "openai" },
  ],
});

/** What the demo origin's echo endpoint saw. */
interface Echo {
  path: string;
  query: string;
}

describe("canonical paths", () => {
  const spellings = [
    "/v1/%6Dessages",
    "/V1/messages",
    "/v1/messages/",
    "//v1//messages",
    "/v1/./messages",
    "/v1/x/../messages",
    "/v1/%2e/messages",
  ];

  it("every spelling of /v1/messages hits the strict route, and its limit counts them together", async () => {
    const gw = harness(config(`${spellings.length + 1} per minute`));
    const statuses: number[] = [];
    for (const path of ["/v1/messages", ...spellings]) statuses.push((await gw.call(path, json(message, KEY))).status);
    // the route matches in any case, and the path is forwarded as cased: the demo origin's paths are case-sensitive
    expect(statuses).toEqual(["/v1/messages", ...spellings].map((path) => (path === "/V1/messages" ? 404 : 200)));
    expect(gw.events.map((e) => [e.route, e.path.toLowerCase()])).toEqual(
      Array(spellings.length + 1).fill(["messages", "/v1/messages"]),
    );
    for (const path of spellings) expect((await gw.call(path, json(message, KEY))).status).toBe(429);
  });

  it("forwards the path it matched: the origin sees the canonical path, the query as sent", async () => {
    const gw = harness(config("10 per minute"));
    const seen = await (await gw.call("//__demo//%65cho/./a%7Eb/x/../c/?q=%2F1", { method: "GET" })).json<Echo>();
    expect(seen).toMatchObject({ path: "/__demo/echo/a~b/c", query: "?q=%2F1" });
    expect(gw.events.at(-1)).toMatchObject({ route: "echo", path: "/__demo/echo/a~b/c" });
    // reserved and non-ASCII characters stay encoded (hex in upper case)
    const encoded = await (await gw.call("/__demo/echo/a%3ab%20%c3%a9", { method: "GET" })).json<Echo>();
    expect(encoded.path).toBe("/__demo/echo/a%3Ab%20%C3%A9");
  });

  // (the URL parser has already resolved `.`, `..` and `%2e` segments: test/config/canonical-path.test.ts refuses escaped ones)
  it("refuses ambiguous paths with 400 request.ambiguous_path before matching anything", async () => {
    const gw = harness(config("10 per minute"));
    for (const path of [
      "/v1/%2Fmessages",
      "/v1%2fmessages",
      "/v1/%5Cmessages",
      "/v1/messages%00",
      "/v1/%zzmessages",
      "/v1/messages%",
    ]) {
      const response = await gw.call(path, json(message, KEY));
      expect(response.status, path).toBe(400);
      expect(await response.json(), path).toMatchObject({
        type: "error",
        error: { type: "invalid_request_error", code: "request.ambiguous_path" },
      });
    }
    expect(gw.events.every((e) => e.route === "(unmatched)" && e.reason === "request.ambiguous_path")).toBe(true);
  });
});
