// The challenge action end to end: a hosting network must step up with an identity attestation bound to its
// API key; the official SDKs raise their permission error with the documented code, once.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse.ts";
import type { ConfigInput } from "../../src/config/input.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import { GERMANY, KEY_SECRET, harness } from "./harness.ts";
import { sdkClients } from "./sdk-clients.ts";

const CLOUD = { ...GERMANY, asn: 16509, asOrganization: "Amazon.com, Inc." };
const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
  "sign",
  "verify",
])) as CryptoKeyPair;
const priv = { ...((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey), alg: "ES256", kid: "k1" };
const pub = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), alg: "ES256", kid: "k1" };
const hash = createKeyHasher(KEY_SECRET);
const identity = { jwk: pub, issuer: "https://id.example", audience: "model-api" };

const config: ConfigInput = {
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      errors: "anthropic",
      // this version of the SDK sends its key as a bearer token
      credential: "authorization",
      geo: { hosting: "challenge" },
      challenge: { identity },
    },
    {
      name: "chat",
      match: { path: "/v1/chat/completions", methods: ["POST"] },
      errors: "openai",
      geo: { hosting: "challenge" },
      challenge: { identity },
    },
  ],
};

/** An attestation for `person`, bound to `key`. */
async function attestation(key: string, person = "person-1") {
  const now = Math.floor(Date.now() / 1000);
  return sign(
    { iss: "https://id.example", aud: "model-api", sub: person, iat: now, exp: now + 300, key_hash: await hash(key) },
    priv,
  );
}

function clients(input: ConfigInput = config, headers: Record<string, string> = {}) {
  const gw = harness(input);
  return { gw, ...sdkClients(gw, CLOUD, headers) };
}

const ask = { model: "demo-small", max_tokens: 16, messages: [{ role: "user" as const, content: "Hi" }] };

describe("a challenge with @anthropic-ai/sdk", () => {
  it("without an attestation: PermissionDeniedError, code identity.step_up_required, not retried", async () => {
    const { anthropic, sent, gw } = clients();
    const error = await anthropic.messages.create(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(403);
    expect((apiError.error as { error: { code: string } }).error.code).toBe("identity.step_up_required");
    expect(apiError.headers?.get("x-should-retry")).toBe("false");
    expect(apiError.headers?.get("x-guard-action")).toBe("challenge");
    expect(sent).toHaveLength(1);
    expect(gw.events[0]).toMatchObject({ action: "challenge", status: 403, reason: "identity.step_up_required" });
  });

  it("with an attestation bound to the key: served, the challenge noted", async () => {
    const { anthropic, gw } = clients(config, { "x-identity-attestation": await attestation("sk-ant-customer") });
    const { data, response } = await anthropic.messages.create(ask).withResponse();
    expect(data.type).toBe("message");
    expect(response.headers.get("x-should-retry")).toBeNull();
    expect(gw.events[0]).toMatchObject({ action: "flag", status: 200 });
    expect(gw.events[0]!.reasons).toEqual(["network.hosting", "identity.challenge_passed"]);
  });

  it("with another key's attestation: refused with the code that says why", async () => {
    const { anthropic } = clients(config, { "x-identity-attestation": await attestation("sk-someone-else") });
    const error = (await anthropic.messages.create(ask).catch((e: unknown) => e)) as InstanceType<
      typeof Anthropic.APIError
    >;
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((error.error as { error: { code: string } }).error.code).toBe("identity.attestation_unbound");
  });
});

describe("a challenge with openai", () => {
  it("without an attestation: PermissionDeniedError with the code, sent once", async () => {
    const { openai, sent } = clients();
    const error = await openai.chat.completions
      .create({ model: "demo-small", messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("identity.step_up_required");
    expect(sent).toHaveLength(1);
  });

  it("with an attestation: served", async () => {
    const { openai } = clients(config, { "x-identity-attestation": await attestation("sk-oai-customer") });
    const completion = await openai.chat.completions.create({
      model: "demo-small",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
  });
});

describe("a challenge in shadow mode", () => {
  it("is reported, not enforced", async () => {
    const { anthropic, gw } = clients({ ...config, mode: "shadow" });
    const { response } = await anthropic.messages.create(ask).withResponse();
    expect(response.headers.get("x-guard-shadow")).toBe("challenge");
    expect(gw.events[0]).toMatchObject({ action: "challenge", enforced: false, status: 200 });
  });
});

describe("the challenge rule", () => {
  it("is required where an action is challenge, and validated by path", () => {
    const route = { name: "r", match: { path: "/v1/messages" } };
    const without = parseConfig({
      routes: [{ ...route, fingerprint: { automation: "challenge" }, clusters: [] }],
    });
    expect(without.ok ? [] : without.problems).toEqual([
      'routes[0].challenge: is required: an action is "challenge", and a challenge is met by an identity attestation',
    ]);
    const invalid = parseConfig({ routes: [{ ...route, challenge: { identity: { issuer: "x" } } as never }] });
    expect(invalid.ok ? [] : invalid.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^routes\[0\]\.challenge\.identity/)]),
    );
  });
});
