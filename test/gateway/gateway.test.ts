// The whole pipeline inside workerd: identify, route, checks, verdict, respond
// or forward, telemetry. Origin: the demo origin in test mode.
import { describe, expect, inject, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { COUNTRIES_OF_CONCERN } from "../../src/config/presets/index.ts";
import { ANALYTICS_BLOBS, ANALYTICS_DOUBLES } from "../../src/index.ts";
import { GERMANY, harness, json, registry } from "./harness.ts";

const IRAN = { country: "IR", regionCode: "23", continent: "AS", asn: 58224, asOrganization: "TCI", colo: "IST" };

const echoRoute = (over: Record<string, unknown> = {}) => ({
  name: "echo",
  match: { path: "/__demo/echo/*" },
  errors: "problem" as const,
  ...over,
});

const geoConfig = (mode: "enforce" | "shadow" = "enforce"): ConfigInput => ({
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      errors: "anthropic",
      mode,
      geo: { deny: { countries: ["IR"] } },
    },
    {
      name: "chat",
      match: { path: "/v1/chat/completions", methods: ["POST"] },
      errors: "openai",
      mode,
      geo: { deny: { countries: ["IR"] } },
    },
    echoRoute({ mode, geo: { deny: { countries: ["IR"] } } }),
  ],
});

const message = { model: "demo-small", max_tokens: 32, messages: [{ role: "user", content: "Hello there" }] };
const chat = { model: "demo-small", messages: [{ role: "user", content: "Hello there" }] };

describe("routing", () => {
  it("forwards a matched route with its path and query", async () => {
    const gw = harness({ routes: [echoRoute()] });
    const r = await gw.call("/__demo/echo/a/b?x=1&y=two", { method: "GET" });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ method: "GET", path: "/__demo/echo/a/b", query: "?x=1&y=two" });
    expect(r.headers.get("x-guard-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers unmatched paths 404 by default, in the configured format, and forwards them when told", async () => {
    const strict = harness({ errors: "openai", routes: [echoRoute()] });
    const r = await strict.call("/v1/other", { method: "GET" });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { code: "route.not_found" } });
    expect(r.headers.get("x-request-id")).toBeTruthy();
    expect(strict.events[0]).toMatchObject({ route: "(unmatched)", status: 404, reasons: ["route.not_found"] });

    const open = harness({ unmatched: "forward", routes: [echoRoute({ match: { path: "/never" } })] });
    const f = await open.call("/__demo/echo/unlisted", { method: "GET" });
    expect(f.status).toBe(200);
    expect(open.events[0]).toMatchObject({ route: "(unmatched)", action: "allow", status: 200 });
  });

  it("matches methods per route", async () => {
    const gw = harness({ routes: [echoRoute({ match: { path: "/__demo/echo/*", methods: ["POST"] } })] });
    expect((await gw.call("/__demo/echo/x", { method: "GET" })).status).toBe(404);
    expect((await gw.call("/__demo/echo/x", { method: "POST", body: "{}" })).status).toBe(200);
  });
});

describe("denials in the route's error format", () => {
  const gw = harness(geoConfig());

  it("anthropic", async () => {
    const r = await gw.call("/v1/messages", { ...json(message), cf: IRAN });
    expect(r.status).toBe(451);
    expect(r.headers.get("x-should-retry")).toBe("false");
    expect(r.headers.get("x-guard-reason")).toBe("geo.country_denied");
    expect(r.headers.get("request-id")).toBeTruthy();
    expect(await r.json()).toEqual({
      type: "error",
      error: { type: "permission_error", message: expect.any(String), code: "geo.country_denied" },
      request_id: r.headers.get("request-id"),
    });
  });

  it("openai", async () => {
    const r = await gw.call("/v1/chat/completions", { ...json(chat), cf: IRAN });
    expect(r.status).toBe(451);
    expect(await r.json()).toEqual({
      error: { message: expect.any(String), type: "request_forbidden", param: null, code: "geo.country_denied" },
    });
  });

  it("problem+json", async () => {
    const r = await gw.call("/__demo/echo/x", { method: "GET", cf: IRAN });
    expect(r.status).toBe(451);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(await r.json()).toMatchObject({
      status: 451,
      code: "geo.country_denied",
      title: "Unavailable For Legal Reasons",
    });
  });

  it("the same clients pass from an allowed country", async () => {
    const r = await gw.call("/v1/messages", { ...json(message), cf: GERMANY });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ type: "message", usage: { input_tokens: expect.any(Number) } });
  });
});

describe("the countries-of-concern preset", () => {
  const CHINA = {
    country: "CN",
    regionCode: "GD",
    continent: "AS",
    asn: 4134,
    asOrganization: "Chinanet",
    colo: "HKG",
  };
  const gw = harness({
    routes: [
      {
        name: "messages",
        match: { path: "/v1/messages", methods: ["POST"] },
        errors: "anthropic",
        geo: { presets: ["sanctions"], models: { "fable-5*": { presets: ["countries-of-concern"] } } },
      },
      echoRoute({ geo: { presets: ["countries-of-concern"] } }),
    ],
  });

  it("denies every listed country on a route that names it: 451 and geo.country_denied", async () => {
    for (const country of COUNTRIES_OF_CONCERN.countries!.map((c) => c.code)) {
      const r = await gw.call("/__demo/echo/x", { method: "GET", cf: { country, continent: "AS", asn: 64496 } });
      expect([country, r.status, r.headers.get("x-guard-reason")]).toEqual([country, 451, "geo.country_denied"]);
    }
    expect((await gw.call("/__demo/echo/x", { method: "GET", cf: GERMANY })).status).toBe(200);
  });

  it("in a model rule, denies the frontier model there (451, geo.model_restricted) and serves older models", async () => {
    const frontier = await gw.call("/v1/messages", { ...json({ ...message, model: "fable-5" }), cf: CHINA });
    expect(frontier.status).toBe(451);
    expect(frontier.headers.get("x-guard-reason")).toBe("geo.model_restricted");
    expect(await frontier.json()).toMatchObject({ error: { type: "permission_error", code: "geo.model_restricted" } });
    expect((await gw.call("/v1/messages", { ...json(message), cf: CHINA })).status).toBe(200);
    expect((await gw.call("/v1/messages", { ...json({ ...message, model: "fable-5" }), cf: GERMANY })).status).toBe(
      200,
    );
  });
});

describe("trusted sources only", () => {
  it("ignores spoofed X-Forwarded-For, cf-ipcountry and MF-CF-Blob", async () => {
    const gw = harness(geoConfig());
    const spoofed = {
      "x-forwarded-for": "8.8.8.8",
      "cf-ipcountry": "US",
      "mf-cf-blob": JSON.stringify({ country: "US", asn: 15169 }),
      "x-real-ip": "8.8.8.8",
    };
    const denied = await gw.call("/__demo/echo/x", { method: "GET", headers: spoofed, cf: IRAN });
    expect(denied.status).toBe(451);

    const allowed = await gw.call("/__demo/echo/x", {
      method: "GET",
      headers: { ...spoofed, "cf-ipcountry": "IR" },
      cf: GERMANY,
      ip: "203.0.113.9",
    });
    const seen = (await allowed.json()) as { headers: Record<string, string> };
    expect(allowed.status).toBe(200);
    // The origin gets the edge's word, not the client's.
    expect(seen.headers["x-forwarded-for"]).toBe("203.0.113.9");
    expect(seen.headers["cf-ipcountry"]).toBeUndefined();
    expect(seen.headers["mf-cf-blob"]).toBeUndefined();
    expect(seen.headers["x-real-ip"]).toBeUndefined();
    expect(gw.events.map((e) => e.country)).toEqual(["IR", "DE"]);
  });

  it("drops client-sent x-guard-* headers and sends its own verdict headers to the origin", async () => {
    const gw = harness({ routes: [echoRoute({ geo: { deny: { countries: ["IR"] }, hosting: "flag" } })] });
    const r = await gw.call("/__demo/echo/x", {
      method: "GET",
      headers: { "x-guard-action": "allow", "x-guard-verified": "true", "x-guard-risk": "0" },
      cf: { ...GERMANY, asn: 16509, asOrganization: "Amazon.com" },
    });
    const seen = (await r.json()) as { headers: Record<string, string> };
    expect(seen.headers["x-guard-verified"]).toBeUndefined();
    expect(seen.headers["x-guard-action"]).toBe("flag");
    expect(seen.headers["x-guard-reasons"]).toBe("network.hosting");
    expect(Number(seen.headers["x-guard-risk"])).toBeGreaterThan(0);
    expect(seen.headers["x-guard-request-id"]).toBe(r.headers.get("x-guard-request-id"));
  });
});

describe("shadow mode", () => {
  it("computes the verdict, enforces nothing, and shows what it would have done", async () => {
    const gw = harness(geoConfig("shadow"));
    const r = await gw.call("/__demo/echo/x", { method: "GET", cf: IRAN });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-guard-shadow")).toBe("block");
    expect(r.headers.get("x-guard-reason")).toBe("geo.country_denied");
    const seen = (await r.json()) as { headers: Record<string, string> };
    expect(seen.headers["x-guard-action"]).toBe("block");
    expect(seen.headers["x-guard-mode"]).toBe("shadow");
    expect(gw.events[0]).toMatchObject({
      mode: "shadow",
      action: "block",
      enforced: false,
      status: 200,
      reasons: ["geo.country_denied"],
    });
    // a would-be denial is logged too
    expect(gw.logs).toHaveLength(1);
    expect(JSON.parse(gw.logs[0]!)).toMatchObject({ action: "block", enforced: false, mode: "shadow" });
  });
});

describe("request bodies and origin failures", () => {
  const gw = harness({ routes: [echoRoute({ maxBodyBytes: 1024, originTimeoutMs: 300 })] });

  it("413 for a declared length over the route's limit", async () => {
    const r = await gw.call("/__demo/echo/x", { method: "POST", body: "x".repeat(1025) });
    expect(r.status).toBe(413);
    expect(r.headers.get("x-should-retry")).toBe("false");
    expect(await r.json()).toMatchObject({ code: "request.too_large", status: 413 });
  });

  it("413 for a streamed body without a length that grows past the limit", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(200));
        controller.close();
      },
    });
    const r = await gw.call("/__demo/echo/x", { method: "POST", body, ...({ duplex: "half" } as object) });
    expect(r.status).toBe(413);
  });

  it("forwards a body at the limit unchanged", async () => {
    const r = await gw.call("/__demo/echo/x", { method: "POST", body: "y".repeat(1024) });
    expect(await r.json()).toMatchObject({ bodyLength: 1024 });
  });

  it("504 when the origin is slower than the timeout", async () => {
    const r = await gw.call("/__demo/echo/x", { method: "GET", headers: { "x-demo-delay-ms": "3000" } });
    expect(r.status).toBe(504);
    expect(await r.json()).toMatchObject({ code: "origin.timeout", status: 504 });
    expect(gw.events.at(-1)).toMatchObject({ status: 504, reasons: ["origin.timeout"] });
  });

  it("502 when the origin cannot be reached", async () => {
    const down = harness({ routes: [echoRoute()] }, { origin: inject("refusedUrl") });
    const r = await down.call("/__demo/echo/x", { method: "GET" });
    expect(r.status).toBe(502);
    expect(r.headers.get("x-guard-request-id")).toBeTruthy();
    expect(await r.json()).toMatchObject({ code: "origin.unreachable" });
  });
});

describe("forwarding", () => {
  it("replaces the client's credential with the origin's, in the route's credential header, and removes hop-by-hop headers", async () => {
    const gw = harness(
      { routes: [echoRoute()] },
      { originApiKey: "sk-origin-credential", accounts: await registry(["sk-client-key"]) },
    );
    const r = await gw.call("/__demo/echo/x", {
      method: "GET",
      headers: {
        "x-api-key": "sk-client-key",
        authorization: "Bearer sk-client-key",
        connection: "x-secret-hop",
        "x-secret-hop": "1",
        "keep-alive": "5",
      },
    });
    const seen = (await r.json()) as { headers: Record<string, string> };
    // a "problem" route's origin reads Authorization: the client's x-api-key does not reach it
    expect(seen.headers.authorization).toBe("Bearer sk-origin-credential");
    expect(seen.headers["x-api-key"]).toBeUndefined();
    expect(seen.headers["x-secret-hop"]).toBeUndefined();
    expect(seen.headers["keep-alive"]).toBeUndefined();
  });

  it("streams SSE event by event: the client reads the first event while the origin holds the rest", async () => {
    const gw = harness({ routes: [{ name: "messages", match: { path: "/v1/messages" } }] });
    const origin = inject("originUrl");
    const r = await gw.call("/v1/messages", json({ ...message, stream: true }, { "x-demo-gate": "gw-sse" }));
    expect(r.headers.get("content-type")).toContain("text/event-stream");
    const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n\n")) text += (await reader.read()).value ?? "";
    expect(text).toContain("event: message_start");
    const held = (await (await fetch(`${origin}/__demo/gate/gw-sse`)).json()) as { sent: number; waiting: boolean };
    expect(held).toMatchObject({ sent: 1, waiting: true });
    await fetch(`${origin}/__demo/gate/gw-sse?open=1`, { method: "POST" });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    expect(text).toContain("event: message_stop");
  });
});

describe("telemetry", () => {
  it("writes one data point per decision with the documented fields, and a log line per denial", async () => {
    const gw = harness(geoConfig());
    await gw.call("/v1/messages", { ...json(message, { "x-api-key": "sk-ant-very-secret-key" }), cf: GERMANY });
    await gw.call("/v1/messages", { ...json(message, { "x-api-key": "sk-ant-very-secret-key" }), cf: IRAN });
    expect(gw.points).toHaveLength(2);
    for (const point of gw.points) {
      expect(point.blobs).toHaveLength(ANALYTICS_BLOBS.length);
      expect(point.doubles).toHaveLength(ANALYTICS_DOUBLES.length);
    }
    const field = (i: number, name: string) => {
      const b = ANALYTICS_BLOBS.findIndex(([n]) => n === name);
      if (b >= 0) return gw.points[i]!.blobs![b];
      return gw.points[i]!.doubles![ANALYTICS_DOUBLES.findIndex(([n]) => n === name)];
    };
    expect(gw.points[1]!.indexes).toEqual(["messages"]);
    expect([
      field(1, "route"),
      field(1, "action"),
      field(1, "reason"),
      field(1, "country"),
      field(1, "status"),
      field(1, "asn"),
    ]).toEqual(["messages", "block", "geo.country_denied", "IR", 451, 58224]);
    expect(field(0, "status")).toBe(200);
    expect(field(0, "model")).toBe("demo-small");
    expect(field(0, "keyHash")).toMatch(/^[0-9a-f]{32}$/);
    // the same key hashes the same
    expect(field(1, "keyHash")).toBe(field(0, "keyHash"));
    expect(Number(field(0, "originMs"))).toBeGreaterThanOrEqual(0);
    expect(field(1, "originMs")).toBe(-1);

    expect(gw.logs).toHaveLength(1);
    expect(JSON.parse(gw.logs[0]!)).toMatchObject({
      route: "messages",
      action: "block",
      status: 451,
      reasons: ["geo.country_denied"],
      country: "IR",
    });
    const everything = JSON.stringify([gw.points, gw.logs, gw.events]);
    expect(everything).not.toContain("sk-ant-very-secret-key");
    expect(everything).not.toContain("very-secret");
  });

  it("logs a client's repeated denials once, with one data point per decision", async () => {
    const gw = harness(geoConfig());
    const key = { "x-api-key": "sk-ant-repeat-key" };
    for (let i = 0; i < 20; i++)
      expect((await gw.call("/v1/messages", { ...json(message, key), cf: IRAN })).status).toBe(451);
    await gw.call("/v1/messages", { ...json(message, { "x-api-key": "sk-ant-other-key" }), cf: IRAN });
    expect(gw.points).toHaveLength(21);
    expect(gw.logs.map((l) => JSON.parse(l).msg)).toEqual(["distill-guard decision", "distill-guard decision"]);
    expect(JSON.parse(gw.logs[0]!)).toMatchObject({ reason: "geo.country_denied", status: 451 });
    expect(gw.logs.join()).not.toContain("sk-ant-");
  });

  it("cuts a client's model string to 64 characters in the data point, the log line and the event", async () => {
    const gw = harness(geoConfig());
    const model = `demo-${"m".repeat(10 * 1024)}`;
    await gw.call("/v1/messages", { ...json({ ...message, model }), cf: IRAN });
    const modelBlob = gw.points[0]!.blobs![ANALYTICS_BLOBS.findIndex(([n]) => n === "model")];
    expect(modelBlob).toBe(model.slice(0, 64));
    expect(gw.logs).toHaveLength(1);
    expect(gw.logs[0]!.length).toBeLessThan(2048);
    expect(JSON.parse(gw.logs[0]!).model).toBe(model.slice(0, 64));
    expect(gw.events[0]!.model).toBe(model.slice(0, 64));
  });
});
