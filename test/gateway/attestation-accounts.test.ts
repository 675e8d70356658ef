// Accounts per verified person: a cluster by the attestation's subject. One person's tokens,
// each bound to its own key, unlock a restricted model for at most maxAccounts accounts.
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import { GERMANY, KEY_SECRET, harness, json } from "./harness.ts";

const US = { ...GERMANY, country: "US", regionCode: "CA", continent: "NA", asn: 7922 };
const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
  "sign",
  "verify",
])) as CryptoKeyPair;
const priv = { ...((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey), alg: "ES256", kid: "k1" };
const pub = {
  ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey),
  alg: "ES256",
  kid: "k1",
  use: "sig",
};
const hash = createKeyHasher(KEY_SECRET);

const config: ConfigInput = {
  routes: [
    {
      name: "messages",
      match: { path: "/v1/messages", methods: ["POST"] },
      errors: "anthropic",
      geo: { models: { "fable-5*": { identity: { jwk: pub, issuer: "https://id.example", audience: "model-api" } } } },
      clusters: [{ name: "per-person", by: ["attestation"], maxAccounts: 3, window: "1d", action: "block" }],
    },
  ],
};

/** A request for the restricted model with `person`'s attestation, bound to `key`. */
async function attested(key: string, person: string) {
  const now = Math.floor(Date.now() / 1000);
  const token = await sign(
    { iss: "https://id.example", aud: "model-api", sub: person, iat: now, exp: now + 300, key_hash: await hash(key) },
    priv,
  );
  const body = { model: "fable-5", max_tokens: 8, messages: [{ role: "user", content: "Hi" }] };
  return { ...json(body, { "x-api-key": key, "x-identity-attestation": token }), cf: US };
}

describe("accounts per attestation subject", () => {
  it("one person's attestations serve at most maxAccounts accounts; another person is counted apart", async () => {
    const gw = harness(config);
    const statuses: number[] = [];
    for (const key of ["sk-p1-a", "sk-p1-b", "sk-p1-c", "sk-p1-d"])
      statuses.push((await gw.call("/v1/messages", await attested(key, "person-1"))).status);
    expect(statuses).toEqual([200, 200, 200, 403]);
    const fourth = await gw.call("/v1/messages", await attested("sk-p1-e", "person-1"));
    expect(((await fourth.json()) as { error: { code: string } }).error.code).toBe("cluster.accounts_per_attestation");
    expect((await gw.call("/v1/messages", await attested("sk-p2-a", "person-2"))).status).toBe(200);
  });

  it("a forged subject on a token that does not verify is refused before any count", async () => {
    const gw = harness(config);
    const request = await attested("sk-p3-a", "person-3");
    const headers = new Headers(request.headers);
    headers.set("x-identity-attestation", `${headers.get("x-identity-attestation")!.slice(0, -4)}AAAA`);
    const res = await gw.call("/v1/messages", { ...request, headers });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      "identity.attestation_invalid",
    ]);
  });
});
