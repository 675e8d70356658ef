// The ready-made Worker: bindings → configuration → gateway, built once per isolate.
import { exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import worker, { buildFromEnv, type WorkerEnv } from "../src/worker.ts";
import workerWithAdmin from "../src/worker-with-admin.ts";
import { loadConfig } from "../src/config/parse.ts";
import { RECOMMENDED_CONFIG } from "../src/config/recommended.ts";
import { matchRoute } from "../src/config/routes.ts";

const goodEnv = (): WorkerEnv => ({
  ORIGIN_URL: inject("originUrl"),
  KEY_HASH_SECRET: "a-key-hash-secret-of-some-length",
  GATEWAY_CONFIG: { routes: [{ name: "models", match: { path: "/v1/models" } }] },
});

const ctxFor = () => createExecutionContext();

async function call(env: WorkerEnv, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`https://gw.test${path}`, init) as never, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

afterEach(() => vi.restoreAllMocks());

describe("the Worker as wrangler.toml's demo environment configures it", () => {
  it("forwards a message and a model list to the origin", async () => {
    const r = await exports.default.fetch(
      new Request("https://gw.test/v1/messages", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-demo", "cf-connecting-ip": "198.51.100.7" },
        body: JSON.stringify({ model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
        cf: { country: "DE", asn: 3320 } as never,
      }),
    );
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ type: "message", role: "assistant" });
    expect((await exports.default.fetch(new Request("https://gw.test/v1/models"))).status).toBe(200);
  });

  it("serves the frontier model on the chat route outside the countries of concern only", async () => {
    const chat = (model: string, country: string) =>
      exports.default.fetch(
        new Request("https://gw.test/v1/chat/completions", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: "Bearer sk-demo",
            "cf-connecting-ip": "198.51.100.7",
          },
          body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
          cf: { country, continent: "AS", asn: 64496 } as never,
        }),
      );
    const denied = await chat("fable-5", "HK");
    expect(denied.status).toBe(451);
    expect(await denied.json()).toMatchObject({ error: { code: "geo.model_restricted" } });
    expect((await chat("demo-small", "HK")).status).toBe(200);
    expect((await chat("fable-5", "JP")).status).toBe(200);
  });

  it("answers unmatched paths 404", async () => {
    const r = await exports.default.fetch(new Request("https://gw.test/admin/secret"));
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });
});

describe("configuration from bindings", () => {
  it("accepts GATEWAY_CONFIG as an object or as a JSON string", async () => {
    expect(buildFromEnv(goodEnv()).ok).toBe(true);
    const asString = { ...goodEnv(), GATEWAY_CONFIG: JSON.stringify(goodEnv().GATEWAY_CONFIG) };
    expect(buildFromEnv(asString).ok).toBe(true);
    expect((await call(asString, "/v1/models")).status).toBe(200);
  });

  it("lists every problem by path", () => {
    const built = buildFromEnv({
      ORIGIN_URL: "ftp://origin",
      KEY_HASH_SECRET: "short",
      UPSTASH_REDIS_REST_URL: "https://redis.example",
      GATEWAY_CONFIG: { routes: [{ name: "m", match: { path: "v1" }, geo: { deny: { countries: ["ZZ"] } } }] },
    });
    expect(built).toEqual({
      ok: false,
      problems: [
        'ORIGIN_URL: must be an http(s) URL (got "ftp://origin")',
        "KEY_HASH_SECRET: must be set to a secret of at least 16 characters (wrangler secret put KEY_HASH_SECRET)",
        "UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN: set both or neither",
        'GATEWAY_CONFIG.routes[0].match.path: must be a path starting with "/" (":name" matches one segment, "*" anything); got "v1"',
        expect.stringMatching(/^GATEWAY_CONFIG\.routes\[0\]\.geo\.deny\.countries\[0\]: .*"ZZ"/),
      ],
    });
    expect(buildFromEnv({ ...goodEnv(), GATEWAY_CONFIG: "{not json" })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^GATEWAY_CONFIG: is not valid JSON/)],
    });
    expect(buildFromEnv({ ...goodEnv(), GATEWAY_CONFIG: undefined })).toMatchObject({
      ok: false,
      problems: ['GATEWAY_CONFIG: is required (a JSON object, or the name of a shipped configuration ("recommended"))'],
    });
    expect(buildFromEnv({ ...goodEnv(), GATEWAY_CONFIG: "recomended" })).toMatchObject({
      ok: false,
      problems: [
        'GATEWAY_CONFIG: must be a JSON object or the name of a shipped configuration ("recommended") (got "recomended")',
      ],
    });
  });

  it('ships the recommended configuration by name: GATEWAY_CONFIG = "recommended"', async () => {
    const env = { ...goodEnv(), GATEWAY_CONFIG: "recommended" };
    expect(buildFromEnv(env).ok).toBe(true);
    const message = (country: string) =>
      call(env, "/v1/messages", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-demo", "cf-connecting-ip": "198.51.100.7" },
        body: JSON.stringify({ model: "demo-small", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
        cf: { country, asn: 3320 },
      } as RequestInit);
    expect((await message("DE")).status).toBe(200);
    // the countries-of-concern preset is in the recommended configuration, not in the demo's messages route
    const denied = await message("CN");
    expect(denied.status).toBe(451);
    expect(denied.headers.get("x-guard-reason")).toBe("geo.country_denied");
    expect((await call(env, "/v1/files")).status).toBe(404);
  });

  it("the recommended configuration serves the model list and token counts, each on budgets of its own", async () => {
    const env = { ...goodEnv(), GATEWAY_CONFIG: "recommended" };
    const init = (body?: unknown): RequestInit =>
      ({
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-counting", "cf-connecting-ip": "198.51.100.8" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cf: { country: "DE", asn: 3320 },
      }) as RequestInit;
    const messages = [{ role: "user", content: "How many tokens is this?" }];
    const fetchVia = (input: RequestInfo | URL, requestInit?: RequestInit) => {
      const request = new Request(input, requestInit);
      const url = new URL(request.url);
      return call(env, url.pathname, { ...init(), method: request.method, headers: request.headers });
    };
    // both SDKs list the models through the gateway
    const anthropic = new Anthropic({ apiKey: "sk-counting", baseURL: "https://gw.test", fetch: fetchVia });
    expect((await anthropic.models.list()).data.length).toBeGreaterThan(0);
    const openai = new OpenAI({ apiKey: "sk-counting", baseURL: "https://gw.test/v1", fetch: fetchVia });
    expect((await openai.models.list()).data.length).toBeGreaterThan(0);
    expect((await anthropic.models.retrieve("demo-small")).id).toBe("demo-small");

    const remaining = (r: Response, name: string) =>
      Number(new RegExp(`"${name}";r=(\\d+)`).exec(r.headers.get("ratelimit") ?? "")?.[1]);
    let counted: Response | undefined;
    for (let i = 0; i < 3; i++) {
      counted = await call(env, "/v1/messages/count_tokens", init({ model: "demo-small", messages }));
      expect(counted.status).toBe(200);
      expect(await counted.json()).toEqual({ input_tokens: 6 });
    }
    expect(remaining(counted!, "key-rpm")).toBe(117);
    // the messages route's budget is untouched by the counts: its first request leaves 59 of 60
    const message = await call(env, "/v1/messages", init({ model: "demo-small", max_tokens: 16, messages }));
    expect(message.status).toBe(200);
    expect(remaining(message, "key-rpm")).toBe(59);
    // the same geo policy as the model calls
    const fromCN = await call(env, "/v1/messages/count_tokens", {
      ...init({ model: "demo-small", messages }),
      cf: { country: "CN", asn: 4134 },
    } as RequestInit);
    expect(fromCN.status).toBe(451);
  });

  it("the recommended configuration serves the Responses API on the chat route: its policy and its budget", async () => {
    const env = { ...goodEnv(), GATEWAY_CONFIG: "recommended" };
    const fetchFrom =
      (country: string, asn: number) =>
      (input: RequestInfo | URL, requestInit?: RequestInit): Promise<Response> => {
        const request = new Request(input, requestInit);
        return request.text().then((body) =>
          call(env, new URL(request.url).pathname, {
            method: request.method,
            headers: new Headers([...request.headers, ["cf-connecting-ip", "198.51.100.9"]]),
            ...(body ? { body } : {}),
            cf: { country, asn },
          } as RequestInit),
        );
      };
    const openai = new OpenAI({
      apiKey: "sk-responses",
      baseURL: "https://gw.test/v1",
      fetch: fetchFrom("DE", 3320),
      maxRetries: 0,
    });
    const { data, response } = await openai.responses
      .create({ model: "demo-small", input: "Say hi", max_output_tokens: 16 })
      .withResponse();
    expect(data.object).toBe("response");
    expect(response.headers.get("ratelimit")).toMatch(/"key-rpm";r=59/);
    // one route, so one per-key budget, for both OpenAI model calls: a key cannot double its rate by alternating
    const recommended = loadConfig(RECOMMENDED_CONFIG);
    const routeOf = (path: string) => matchRoute(recommended, "POST", path)?.name;
    expect([routeOf("/v1/responses"), routeOf("/v1/chat/completions")]).toEqual(["chat", "chat"]);
    // the countries of concern are refused, in OpenAI's error shape
    const fromCN = new OpenAI({
      apiKey: "sk-responses",
      baseURL: "https://gw.test/v1",
      fetch: fetchFrom("CN", 4134),
      maxRetries: 0,
    });
    const refused = await fromCN.responses.create({ model: "demo-small", input: "Say hi" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(451);
  });

  it("explains a missing secret as a line of .dev.vars under wrangler dev, never as wrangler secret put", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const env = { ...goodEnv(), KEY_HASH_SECRET: undefined, ADMIN_TOKEN: "an-admin-token-0123456789" };
    expect(buildFromEnv(env, { local: true })).toEqual({
      ok: false,
      problems: [
        "KEY_HASH_SECRET: must be set to a secret of at least 16 characters (add a line KEY_HASH_SECRET=<value> to .dev.vars and restart npm run dev)",
      ],
    });
    // requests to a loopback host come from wrangler dev: its log says the same
    const local = await worker.fetch(new Request("http://localhost:8787/v1/models") as never, { ...env }, ctxFor());
    expect(local.status).toBe(503);
    expect(String(errors.mock.calls[0]![0])).toContain("to .dev.vars");
    expect(String(errors.mock.calls[0]![0])).not.toContain("wrangler secret put");
    // a deployed Worker is reached by its hostname: the hint is for deploying
    await worker.fetch(new Request("https://gw.example/v1/models") as never, { ...env }, ctxFor());
    expect(String(errors.mock.calls[1]![0])).toContain("(wrangler secret put KEY_HASH_SECRET)");
  });

  it("answers 503 to clients and writes the problems only to its logs, once per isolate", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const env = {
      ...goodEnv(),
      GATEWAY_CONFIG: { routes: [{ name: "m", match: { path: "/v1/models" }, mode: "loud" }] } as never,
    };
    const first = await call(env, "/v1/models");
    const second = await call(env, "/v1/models");
    expect([first.status, second.status]).toEqual([503, 503]);
    expect(first.headers.get("content-type")).toBe("application/problem+json");
    const body = await first.text();
    expect(body).toContain("gateway.misconfigured");
    expect(body).not.toContain("mode");
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]![0])).toContain(
      'GATEWAY_CONFIG.routes[0].mode: must be one of "enforce", "shadow"',
    );
  });
});

describe("the admin API: in src/worker-with-admin.ts, not in src/worker.ts", () => {
  const ADMIN_TOKEN = "an-admin-token-0123456789";
  const health = (handler: typeof worker, env: WorkerEnv) =>
    handler.fetch(
      new Request("https://gw.test/_guard/health", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }) as never,
      env,
      ctxFor(),
    );

  it("src/worker.ts: ADMIN_TOKEN turns nothing on, and its logs say where the admin API is, once per isolate", async () => {
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    // unmatched paths answered 404 here: an admin path is one of them
    const env = { ...goodEnv(), GATEWAY_CONFIG: { unmatched: "404", routes: [] }, ADMIN_TOKEN } as WorkerEnv;
    expect((await health(worker, env)).status).toBe(404);
    expect((await health(worker, env)).status).toBe(404);
    const said = warnings.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("ADMIN_TOKEN"));
    expect(said).toEqual([expect.stringContaining("deploy src/worker-with-admin.ts")]);
    // a token too short is no problem here (nothing reads it): the gateway serves
    expect((await call({ ...goodEnv(), ADMIN_TOKEN: "short" }, "/v1/models")).status).toBe(200);
  });

  it("src/worker-with-admin.ts: the same gateway, with the admin API under the admin prefix", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const env = { ...goodEnv(), ADMIN_TOKEN };
    const r = await health(workerWithAdmin, env);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true });
    const ctx = createExecutionContext();
    const models = await workerWithAdmin.fetch(new Request("https://gw.test/v1/models") as never, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(models.status).toBe(200);
  });
});
