// origin.fetch: the gateway reaches its origin through a Fetcher-like function
// (a service binding, or the simulator's in-process origin) instead of the
// global fetch. The function here is a real little origin, not a stand-in for
// the code under test: forward() and the gateway are.
import { describe, expect, it } from "vitest";
import { createGateway } from "../../src/gateway.ts";
import { forward } from "../../src/proxy/forward.ts";

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** An origin that records what it received and streams a JSON answer in two chunks. */
function recordingOrigin() {
  const seen: Seen[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    seen.push({
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('{"id":"msg_1","usage":'));
        controller.enqueue(encoder.encode('{"input_tokens":3,"output_tokens":5}}'));
        controller.close();
      },
    });
    return new Response(body, {
      status: 200,
      headers: { "content-type": "application/json", connection: "keep-alive", "x-origin": "in-process" },
    });
  };
  return { seen, fetch };
}

describe("forward() with a Fetcher-like origin", () => {
  it("sends the request there, addressed to the origin URL, with the forwarding rules applied", async () => {
    const origin = recordingOrigin();
    const request = new Request("https://gateway.test/v1/messages?beta=true", {
      method: "POST",
      headers: {
        "x-api-key": "sk-client",
        "x-guard-action": "allow",
        "content-type": "application/json",
        connection: "close",
      },
      body: '{"model":"m"}',
    });
    const result = await forward(request, {
      originUrl: "https://origin.internal/base",
      credential: "x-api-key",
      originApiKey: "sk-origin",
      timeoutMs: 5_000,
      headers: { "x-guard-action": "flag" },
      fetch: origin.fetch,
    });
    if (!result.ok) throw new Error(result.detail);
    expect(await result.response.json()).toEqual({ id: "msg_1", usage: { input_tokens: 3, output_tokens: 5 } });
    expect(result.response.headers.get("x-origin")).toBe("in-process");
    expect(result.response.headers.has("connection")).toBe(false);
    expect(origin.seen).toHaveLength(1);
    const [seen] = origin.seen;
    expect(seen).toMatchObject({
      url: "https://origin.internal/base/v1/messages?beta=true",
      method: "POST",
      body: '{"model":"m"}',
    });
    expect(seen!.headers).toMatchObject({ "x-api-key": "sk-origin", "x-guard-action": "flag" });
    expect(seen!.headers.connection).toBeUndefined();
  });

  it("answers 502 origin.unreachable when the function throws", async () => {
    const result = await forward(new Request("https://gateway.test/v1/models"), {
      originUrl: "https://origin.internal",
      credential: "x-api-key",
      timeoutMs: 5_000,
      fetch: async () => {
        throw new Error("binding gone");
      },
    });
    expect(result).toMatchObject({ ok: false, status: 502, code: "origin.unreachable" });
  });
});

describe("createGateway({ origin: { fetch } })", () => {
  it("forwards allowed requests through the function and denies the others at the edge", async () => {
    const origin = recordingOrigin();
    const gateway = createGateway({
      config: { routes: [{ name: "messages", match: { path: "/v1/messages" }, geo: { deny: { countries: ["IR"] } } }] },
      keyHashSecret: "origin-fetch-test-secret-0123",
      origin: { url: "https://origin.internal", fetch: origin.fetch },
      log: () => {},
    });
    const send = (country: string) =>
      gateway.fetch(
        new Request("https://gateway.test/v1/messages", {
          method: "POST",
          headers: { "x-api-key": "sk-1", "content-type": "application/json", "cf-connecting-ip": "198.51.100.9" },
          body: '{"model":"m","max_tokens":8,"messages":[]}',
          cf: { country } as never,
        }),
      );
    const allowed = await send("DE");
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ id: "msg_1" });
    expect(origin.seen[0]!.headers["x-forwarded-for"]).toBe("198.51.100.9");
    const denied = await send("IR");
    expect(denied.status).toBe(451);
    expect(origin.seen).toHaveLength(1);
  });
});
