// forward() against the demo origin (test mode), inside workerd.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { forward, type ForwardOptions, type ForwardResult } from "../../src/proxy/forward.ts";

const origin = inject("originUrl");
const GATEWAY = "https://gateway.test";

/** What the origin's echo endpoint saw. */
interface Echo {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | undefined>;
  body: string;
  bodyLength: number;
}

function send(path: string, init: RequestInit = {}, options: Partial<ForwardOptions> = {}): Promise<ForwardResult> {
  return forward(new Request(`${GATEWAY}${path}`, init), {
    originUrl: origin,
    credential: "x-api-key",
    timeoutMs: 5_000,
    ...options,
  });
}

function expectOk(result: ForwardResult): Response {
  if (!result.ok) throw new Error(`expected a response, got ${result.status} ${result.code}: ${result.detail}`);
  return result.response;
}

async function echo(init: RequestInit = {}, options: Partial<ForwardOptions> = {}): Promise<Echo> {
  const response = expectOk(await send("/__demo/echo", init, options));
  return response.json<Echo>();
}

async function sha256(data: ArrayBuffer): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function gate(
  name: string,
  action?: "release" | "open",
): Promise<{ sent: number; waiting: boolean; closed: boolean }> {
  const query = action === "open" ? "?open=1" : "";
  const response = await fetch(`${origin}/__demo/gate/${name}${query}`, { method: action ? "POST" : "GET" });
  return response.json();
}

/** Reads SSE events ("…\n\n") one at a time from a byte stream. */
class Events {
  private readonly reader: ReadableStreamDefaultReader<string>;
  private buffer = "";
  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }
  async next(): Promise<string | null> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const event = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return event;
      }
      const { value, done } = await this.reader.read();
      if (done) return null;
      this.buffer += value;
    }
  }
  /** Whatever has arrived but not yet been returned as an event. */
  get pending(): string {
    return this.buffer;
  }
  async rest(): Promise<string[]> {
    const events: string[] = [];
    for (let e = await this.next(); e !== null; e = await this.next()) events.push(e);
    return events;
  }
}

const eventType = (event: string | null) => event?.match(/^event: (\w+)/)?.[1];

const streamedMessage = (gateName: string, extra: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", "x-demo-gate": gateName, ...extra },
  body: JSON.stringify({
    model: "demo-small",
    max_tokens: 64,
    stream: true,
    messages: [{ role: "user", content: "one two three" }],
  }),
});

describe("the origin URL", () => {
  it("appends the request's path and query, as sent, to the origin's base path", async () => {
    for (const base of [`${origin}/__demo/echo/base`, `${origin}/__demo/echo/base/`]) {
      const result = await send(
        "/v1/files/a%2Fb?beta=true&q=%20x&empty",
        { method: "PUT", body: "x" },
        { originUrl: base },
      );
      const seen = await expectOk(result).json<Echo>();
      expect(seen).toMatchObject({
        method: "PUT",
        path: "/__demo/echo/base/v1/files/a%2Fb",
        query: "?beta=true&q=%20x&empty",
      });
    }
  });

  it("answers 502 for an origin URL that is not http(s)", async () => {
    for (const originUrl of ["not a url", "ftp://files.example/"]) {
      expect(await send("/v1/messages", {}, { originUrl })).toMatchObject({
        ok: false,
        status: 502,
        code: "origin.unreachable",
      });
    }
  });
});

describe("the request body", () => {
  it("forwards the request's own stream when the pipeline did not read it", async () => {
    const seen = await echo({ method: "POST", body: "streamed body", headers: { "content-type": "text/plain" } });
    expect(seen).toMatchObject({ method: "POST", body: "streamed body", bodyLength: 13 });
    expect(seen.headers["content-length"]).toBe("13");
    expect(seen.headers["content-type"]).toBe("text/plain");
  });

  it("sends options.body when the pipeline already read the request", async () => {
    const request = new Request(`${GATEWAY}/__demo/echo`, {
      method: "POST",
      body: '{"model":"a"}',
      headers: { "content-length": "13" },
    });
    const bytes = new Uint8Array(await request.arrayBuffer());
    const read = await forward(request, { originUrl: origin, credential: "x-api-key", timeoutMs: 5_000, body: bytes });
    expect(await expectOk(read).json<Echo>()).toMatchObject({ body: '{"model":"a"}', bodyLength: 13 });

    const none = await forward(new Request(`${GATEWAY}/__demo/echo`, { method: "POST", body: "ignored" }), {
      originUrl: origin,
      credential: "x-api-key",
      timeoutMs: 5_000,
      body: null,
    });
    expect(await expectOk(none).json<Echo>()).toMatchObject({ body: "", bodyLength: 0 });
  });
});

describe("request headers", () => {
  it("removes hop-by-hop headers and every header Connection names, and never forwards host", async () => {
    const seen = await echo({
      headers: {
        connection: "x-hop-one, keep-alive",
        "x-hop-one": "1",
        "keep-alive": "timeout=5",
        te: "trailers",
        trailer: "x-checksum",
        upgrade: "websocket",
        "proxy-authorization": "Basic Zm9vOmJhcg==",
        "proxy-connection": "keep-alive",
        host: "spoofed.example",
        "x-kept": "yes",
      },
    });
    const h = seen.headers;
    expect(h["x-kept"]).toBe("yes");
    expect(h["x-hop-one"]).toBeUndefined();
    expect(h.connection ?? "").not.toContain("x-hop-one");
    for (const name of ["keep-alive", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection"]) {
      expect(h[name], name).toBeUndefined();
    }
    expect(h.host).toBe(new URL(origin).host);
  });

  it("drops every client-sent x-guard-* header before adding the gateway's", async () => {
    const seen = await echo(
      { headers: { "X-Guard-Verified": "true", "x-guard-action": "allow", "x-guard-risk": "0" } },
      { headers: { "x-guard-action": "flag", "x-guard-reason": "fingerprint.automation_ua" } },
    );
    const guard = Object.fromEntries(Object.entries(seen.headers).filter(([name]) => name.startsWith("x-guard-")));
    expect(guard).toEqual({ "x-guard-action": "flag", "x-guard-reason": "fingerprint.automation_ua" });
  });

  it("sends only the credential header the origin reads, with the origin key in it when one is set", async () => {
    const key = "sk-origin-secret";
    const both = { headers: { "x-api-key": "sk-client", authorization: "Bearer sk-client" } };
    const apiKey = await echo(both, { credential: "x-api-key", originApiKey: key });
    expect(apiKey.headers["x-api-key"]).toBe(key);
    expect(apiKey.headers.authorization).toBeUndefined();

    const bearer = await echo(both, { credential: "authorization", originApiKey: key });
    expect(bearer.headers.authorization).toBe(`Bearer ${key}`);
    expect(bearer.headers["x-api-key"]).toBeUndefined();

    // set even when the client sent none, or only the other header
    expect((await echo({}, { credential: "authorization", originApiKey: key })).headers.authorization).toBe(
      `Bearer ${key}`,
    );
    const other = await echo(
      { headers: { authorization: "Bearer sk-client" } },
      { credential: "x-api-key", originApiKey: key },
    );
    expect(other.headers["x-api-key"]).toBe(key);
    expect(other.headers.authorization).toBeUndefined();

    // without an origin key, the client's own, in the credential header alone
    const kept = await echo(both, { credential: "authorization" });
    expect(kept.headers.authorization).toBe("Bearer sk-client");
    expect(kept.headers["x-api-key"]).toBeUndefined();
  });
});

describe("the response", () => {
  it("removes hop-by-hop headers and the headers Connection names", async () => {
    const extra = {
      connection: "x-secret-hop",
      "x-secret-hop": "1",
      "keep-alive": "timeout=9",
      "proxy-authenticate": "Basic",
      upgrade: "h2c",
      "x-visible": "1",
    };
    const response = expectOk(
      await send("/__demo/echo", { headers: { "x-demo-response-headers": JSON.stringify(extra) } }),
    );
    expect(response.headers.get("x-visible")).toBe("1");
    for (const name of [
      "connection",
      "x-secret-hop",
      "keep-alive",
      "proxy-authenticate",
      "upgrade",
      "transfer-encoding",
    ]) {
      expect(response.headers.has(name), name).toBe(false);
    }
  });

  it("passes a gzip body through byte-identical, with its Content-Encoding and length", async () => {
    const response = expectOk(
      await send("/__demo/bytes/300000", { headers: { "x-demo-gzip": "1", "accept-encoding": "gzip" } }),
    );
    expect(response.headers.get("content-encoding")).toBe("gzip");
    const wire = response.headers.get("x-demo-body-sha256");
    const [raw, decoded] = response.body!.tee();
    const bytes = await new Response(raw).arrayBuffer();
    expect(response.headers.get("content-length")).toBe(String(bytes.byteLength));
    expect(await sha256(bytes)).toBe(wire);
    // The compressed bytes really are the 300000 bytes the origin generated.
    const plain = new Uint8Array(
      await new Response(decoded.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer(),
    );
    expect(plain.length).toBe(300_000);
    expect(plain.every((b, i) => b === i % 251)).toBe(true);
  });

  it("keeps the body as sent when it is piped through a TransformStream (no decode, no re-encode)", async () => {
    const response = expectOk(await send("/__demo/bytes/50000", { headers: { "x-demo-gzip": "1" } }));
    const piped = new Response(response.body!.pipeThrough(new TransformStream()), response);
    expect(await sha256(await piped.arrayBuffer())).toBe(response.headers.get("x-demo-body-sha256"));
  });

  it("streams a large body in chunks, whole and in order", async () => {
    const size = 8_000_000;
    const response = expectOk(await send(`/__demo/bytes/${size}?chunk=65536`));
    const reader = response.body!.getReader();
    let offset = 0;
    let chunks = 0;
    let inOrder = true;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      for (let i = 0; i < r.value.length; i += 997) inOrder &&= r.value[i] === (offset + i) % 251;
      offset += r.value.length;
      chunks++;
    }
    expect(offset).toBe(size);
    expect(inOrder).toBe(true);
    expect(chunks).toBeGreaterThan(1);
  });

  it("does not follow redirects: the client gets the origin's 3xx", async () => {
    const headers = { "x-demo-status": "302", "x-demo-response-headers": JSON.stringify({ location: "/elsewhere" }) };
    const response = expectOk(await send("/__demo/echo", { headers }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/elsewhere");
  });

  it("answers a null-body status without a body", async () => {
    const response = expectOk(await send("/__demo/echo", { headers: { "x-demo-status": "204" } }));
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it("reports the time to the origin's headers", async () => {
    const result = await send("/v1/models");
    expect(result).toMatchObject({ ok: true, originMs: expect.any(Number) });
    expect(expectOk(result).status).toBe(200);
  });
});

describe("streaming", { timeout: 5_000 }, () => {
  it("delivers an SSE stream event by event: the first arrives while the origin holds the second", async () => {
    const name = crypto.randomUUID();
    const events = new Events(expectOk(await send("/v1/messages", streamedMessage(name))).body!);

    expect(eventType(await events.next())).toBe("message_start");
    expect(events.pending).toBe("");
    expect(await gate(name)).toMatchObject({ sent: 1, waiting: true });

    await gate(name, "release");
    expect(eventType(await events.next())).toBe("content_block_start");

    await gate(name, "open");
    const rest = (await events.rest()).map(eventType);
    expect(rest).toContain("content_block_delta");
    expect(rest.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
  });

  it("delivers a gzip SSE stream event by event, still compressed", async () => {
    const name = crypto.randomUUID();
    const response = expectOk(await send("/v1/messages", streamedMessage(name, { "x-demo-gzip": "1" })));
    expect(response.headers.get("content-encoding")).toBe("gzip");
    const events = new Events(response.body!.pipeThrough(new DecompressionStream("gzip")));

    expect(eventType(await events.next())).toBe("message_start");
    expect(await gate(name)).toMatchObject({ sent: 1, waiting: true });
    await gate(name, "open");
    expect((await events.rest()).map(eventType).at(-1)).toBe("message_stop");
  });

  it("cancels the origin's stream when the caller's signal aborts mid-stream", async () => {
    const name = crypto.randomUUID();
    const client = new AbortController();
    const events = new Events(
      expectOk(await send("/v1/messages", streamedMessage(name), { signal: client.signal })).body!,
    );
    expect(eventType(await events.next())).toBe("message_start");

    client.abort();
    await expect(events.next()).rejects.toThrow();
    let state = await gate(name);
    for (let tries = 0; !state.closed && tries < 100; tries++) {
      await scheduler.wait(20);
      state = await gate(name);
    }
    expect(state).toMatchObject({ sent: 1, closed: true });
  });
});

describe("failures", () => {
  it("answers 504 when the origin's headers do not arrive within the timeout", async () => {
    const result = await send("/v1/models", { headers: { "x-demo-delay-ms": "2000" } }, { timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, status: 504, code: "origin.timeout" });
  });

  it("times only the wait for headers: a stream that outlasts the timeout is not cut", async () => {
    const name = crypto.randomUUID();
    const events = new Events(expectOk(await send("/v1/messages", streamedMessage(name), { timeoutMs: 1_000 })).body!);
    expect(eventType(await events.next())).toBe("message_start");
    await scheduler.wait(1_300);
    await gate(name, "open");
    expect((await events.rest()).map(eventType).at(-1)).toBe("message_stop");
  });

  it("answers 502 when the origin refuses the connection", async () => {
    const result = await send("/v1/models", {}, { originUrl: inject("refusedUrl") });
    expect(result).toMatchObject({ ok: false, status: 502, code: "origin.unreachable" });
  });

  it("answers 502 when the origin's name does not resolve", async () => {
    const result = await send("/v1/models", {}, { originUrl: "http://no-such-origin.invalid" });
    expect(result).toMatchObject({ ok: false, status: 502, code: "origin.unreachable" });
  });

  it("answers 502 when the caller aborted before the origin answered", async () => {
    const result = await send(
      "/v1/models",
      { headers: { "x-demo-delay-ms": "2000" } },
      { signal: AbortSignal.abort() },
    );
    expect(result).toMatchObject({ ok: false, status: 502, code: "origin.unreachable" });
  });

  it("never throws, even for a gateway header value fetch rejects", async () => {
    const result = await send("/v1/models", {}, { headers: { "x-guard-reason": "bad\nvalue" } });
    expect(result).toMatchObject({ ok: false, status: 502 });
  });
});

describe("official SDKs through forward()", () => {
  // The SDKs talk to the gateway's address; their fetch hands each request to forward().
  const viaForward =
    (credential: ForwardOptions["credential"]) =>
    async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const result = await forward(new Request(input, init), {
        originUrl: origin,
        credential,
        timeoutMs: 5_000,
        originApiKey: "sk-origin",
      });
      return result.ok ? result.response : new Response(result.detail, { status: result.status });
    };

  it("streams an Anthropic message with its usage", async () => {
    const client = new Anthropic({
      apiKey: "sk-client",
      baseURL: GATEWAY,
      fetch: viaForward("x-api-key"),
      maxRetries: 0,
    });
    const stream = client.messages.stream({
      model: "demo-small",
      max_tokens: 128,
      messages: [{ role: "user", content: "through the gateway" }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]?.type === "text" && final.content[0].text).toContain("through the gateway");
    expect(final.usage).toMatchObject({ input_tokens: 3 });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams an OpenAI chat completion with its usage chunk", async () => {
    const client = new OpenAI({
      apiKey: "sk-client",
      baseURL: `${GATEWAY}/v1`,
      fetch: viaForward("authorization"),
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: "demo-small",
      messages: [{ role: "user", content: "through the gateway" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toContain("through the gateway");
    expect(usage).toMatchObject({ prompt_tokens: 3 });
  });
});
