// Tor exits and requests of unknown location under every action of the order, per route and per model rule:
// the official SDKs against the gateway, the demo origin behind it (its echo endpoint shows what it received).
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import type { CfFields } from "../../src/identity/cf.ts";
import { KEY_SECRET, harness } from "./harness.ts";
import { sdkClients } from "./sdk-clients.ts";

/** A Tor exit as request.cf describes it. */
const TOR: CfFields = { country: "T1", continent: "T1", asn: 60729, asOrganization: "Tor exit", colo: "FRA" };
/** A request the edge could not place: no country. */
const NOWHERE: CfFields = { country: "XX", asn: 64496, colo: "FRA" };

const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
  "sign",
  "verify",
])) as CryptoKeyPair;
const priv = { ...((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey), alg: "ES256", kid: "k1" };
const pub = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), alg: "ES256", kid: "k1" };
const identity = { jwk: pub, issuer: "https://id.example", audience: "model-api" };
const hash = createKeyHasher(KEY_SECRET);

/** An attestation bound to `key`. */
async function attestation(key: string) {
  const now = Math.floor(Date.now() / 1000);
  return sign(
    {
      iss: "https://id.example",
      aud: "model-api",
      sub: "person-1",
      iat: now,
      exp: now + 300,
      key_hash: await hash(key),
    },
    priv,
  );
}

const config: ConfigInput = {
  routes: [
    {
      name: "messages",
      match: { paths: ["/v1/messages", "/__demo/echo/v1/messages"], methods: ["POST"] },
      errors: "anthropic",
      geo: {
        presets: ["sanctions"],
        tor: "degrade",
        unknown: "challenge",
        // a frontier model is not served to Tor at all
        models: { "fable-5*": { tor: "deny" } },
      },
      degrade: { thinking: "keep", maxTokens: 3000 },
      challenge: { identity },
    },
    {
      name: "chat",
      match: { path: "/v1/chat/completions", methods: ["POST"] },
      errors: "openai",
      // per model: Tor is degraded only for the frontier model, unknown places must step up for it
      geo: {
        presets: ["sanctions"],
        tor: "flag",
        unknown: "flag",
        models: { "fable-5*": { tor: "degrade", unknown: "challenge" } },
      },
      challenge: { identity },
    },
  ],
};

function clients(cf: CfFields, headers: Record<string, string> = {}) {
  const gw = harness(config);
  return { gw, ...sdkClients(gw, cf, headers) };
}

const thinking = { type: "enabled", budget_tokens: 2048 } as const;
const ask = { model: "demo-large", max_tokens: 3000, thinking, messages: [{ role: "user" as const, content: "Hi" }] };

describe("a Tor exit on a route whose tor policy is degrade", () => {
  it("gets a degraded answer: its thinking removed, JSON and stream", async () => {
    const { anthropic, gw } = clients(TOR);
    const message = await anthropic.messages.create(ask);
    expect(message.content.map((b) => b.type)).toEqual(["text"]);
    const final = await anthropic.messages.stream(ask).finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(["text"]);
    expect(gw.events[0]).toMatchObject({ action: "degrade", reasons: ["geo.tor"], degrade: "reasoning=drop" });
  });

  it("the origin is told: x-guard-action degrade and the transformations", async () => {
    const echo = clients(TOR);
    const client = new Anthropic({
      apiKey: "sk-ant-customer",
      baseURL: "https://gateway.test/__demo/echo",
      fetch: echo.gw.fetchWith(TOR),
    });
    const seen = (await client.messages.create(ask)) as unknown as { headers: Record<string, string> };
    expect(seen.headers["x-guard-action"]).toBe("degrade");
    expect(seen.headers["x-guard-reasons"]).toContain("geo.tor");
    expect(seen.headers["x-guard-degrade"]).toBe("reasoning=drop");
  });

  it("is refused where a model rule denies Tor (451), the route's degrade notwithstanding", async () => {
    const { anthropic } = clients(TOR);
    const error = (await anthropic.messages
      .create({ ...ask, model: "fable-5" })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(error.status).toBe(451);
    expect((error.error as { error: { code: string } }).error.code).toBe("geo.model_restricted");
  });

  it("per model rule: the frontier model degraded, another only flagged (openai)", async () => {
    const { openai, gw } = clients(TOR);
    const params = { reasoning_effort: "high" as const, messages: [{ role: "user" as const, content: "Hi" }] };
    const degraded = await openai.chat.completions.create({ ...params, model: "fable-5" });
    expect(degraded.choices[0]!.message).not.toHaveProperty("reasoning_content");
    const flagged = await openai.chat.completions.create({ ...params, model: "demo-small" });
    expect(flagged.choices[0]!.message).toHaveProperty("reasoning_content");
    expect(gw.events.map((e) => e.action)).toEqual(["degrade", "flag"]);
  });
});

describe("a request of unknown location on a route whose unknown policy is challenge", () => {
  it("without an attestation: 403 identity.step_up_required, not retried", async () => {
    const { anthropic, sent, gw } = clients(NOWHERE);
    const error = (await anthropic.messages.create(ask).catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((error.error as { error: { code: string } }).error.code).toBe("identity.step_up_required");
    expect(error.headers?.get("x-should-retry")).toBe("false");
    expect(sent).toHaveLength(1);
    expect(gw.events[0]).toMatchObject({ action: "challenge", status: 403, reason: "identity.step_up_required" });
  });

  it("with an attestation bound to the key: served, the challenge noted", async () => {
    const { anthropic, gw } = clients(NOWHERE, { "x-identity-attestation": await attestation("sk-ant-customer") });
    const message = await anthropic.messages.create(ask);
    // met: the finding is a flag now, nothing else degrades the request
    expect(message.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(gw.events[0]).toMatchObject({ action: "flag", status: 200 });
    expect(gw.events[0]!.reasons).toEqual(["geo.unknown_location", "identity.challenge_passed"]);
  });

  it("with an attestation for another key: refused, identity.attestation_unbound", async () => {
    const { anthropic } = clients(NOWHERE, { "x-identity-attestation": await attestation("sk-someone-else") });
    const error = (await anthropic.messages.create(ask).catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(error.status).toBe(403);
    expect((error.error as { error: { code: string } }).error.code).toBe("identity.attestation_unbound");
  });

  it("per model rule (openai): the frontier model challenged, another flagged", async () => {
    const { openai } = clients(NOWHERE);
    const messages = [{ role: "user" as const, content: "Hi" }];
    const error = await openai.chat.completions.create({ model: "fable-5", messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("identity.step_up_required");
    const served = await openai.chat.completions.create({ model: "demo-small", messages });
    expect(served.choices[0]!.message.content).toContain("You said");
  });
});

describe("a Tor policy set to throttle", () => {
  it("holds Tor to the route's signal budget: 429 with Retry-After once it is spent", async () => {
    const gw = harness({
      routes: [
        {
          name: "messages",
          match: { path: "/v1/messages", methods: ["POST"] },
          errors: "anthropic",
          geo: { tor: "throttle" },
          throttle: { rate: "2 per minute", by: ["key"] },
        },
      ],
    });
    const anthropic = new Anthropic({
      apiKey: "sk-tor",
      baseURL: "https://gateway.test",
      fetch: gw.fetchWith(TOR),
      maxRetries: 0,
    });
    const small = { model: "demo-small", max_tokens: 16, messages: [{ role: "user" as const, content: "Hi" }] };
    await anthropic.messages.create(small);
    await anthropic.messages.create(small);
    const error = (await anthropic.messages.create(small).catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(gw.events.map((e) => e.action)).toEqual(["flag", "flag", "throttle"]);
  });
});
