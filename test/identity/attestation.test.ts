import { sign } from "hono/jwt";
import { describe, expect, inject, it } from "vitest";
import { parseGeo } from "../../src/config/geo.ts";
import { Problems } from "../../src/config/read.ts";
import type { Finding } from "../../src/verdict/types.ts";
import { type FakeRequest, facts, hashKey } from "../checks/facts.ts";

/**
 * Attestations end to end through the geo check: keys made here with
 * WebCrypto, tokens signed here, public keys published to the JWKS host of
 * test/setup/jwks-server.ts, whose key sets we replace to rotate keys.
 */
const server = inject("jwksServer");
const ISSUER = "https://id.example";
const AUDIENCE = "model-api";
const HEADER = "x-identity-attestation";
/** The API key the requests carry, and the HMAC an attestation binds to. */
const API_KEY = "sk-attested-customer-1";
const KEY_HASH = await hashKey(API_KEY);

interface TestKey {
  kid: string;
  /** Private JWK with `alg` and `kid`: what Hono's `sign` takes. */
  priv: JsonWebKey & { kid: string; alg: "ES256" | "RS256" };
  pub: JsonWebKey & { kid: string };
}

async function newKey(kid: string, alg: "ES256" | "RS256" = "ES256"): Promise<TestKey> {
  const params =
    alg === "ES256"
      ? { name: "ECDSA", namedCurve: "P-256" }
      : { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const priv = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const pub = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  return { kid, priv: { ...priv, alg, kid }, pub: { ...pub, alg, kid, use: "sig" } };
}

const keyA = await newKey("key-a");
const keyB = await newKey("key-b", "RS256");
const stranger = await newKey("key-a"); // same kid as keyA, different key

let sets = 0;
/** A fresh JWKS name on the host, holding `keys`. */
async function publish(keys: TestKey[], name = `set-${++sets}-${crypto.randomUUID()}`): Promise<string> {
  const res = await fetch(`${server}/jwks/${name}`, {
    method: "PUT",
    body: JSON.stringify({ keys: keys.map((k) => k.pub) }),
  });
  expect(res.status).toBe(204);
  return name;
}
const fetchesOf = async (name: string) =>
  ((await (await fetch(`${server}/count/${name}`)).json()) as { fetches: number }).fetches;

const now = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: "user-1",
  iat: now(),
  exp: now() + 300,
  key_hash: KEY_HASH,
  verified: true,
  nationality: "US",
  ...over,
});
const token = (key: TestKey, over: Record<string, unknown> = {}) => sign(claims(over), key.priv);

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
const part = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));
/** A token with the header fields `over` changes, signed by an ES256 key whatever the header says. */
async function signed(key: TestKey, over: Record<string, unknown>): Promise<string> {
  const header = { alg: "ES256", typ: "JWT", kid: key.kid, ...over };
  const input = `${part(header)}.${part(claims())}`;
  const priv = await crypto.subtle.importKey("jwk", key.priv, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, priv, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/** A route whose `fable-5*` models need an attestation; `identity` overrides the rule's fields. */
function route(identity: Record<string, unknown>, rule: Record<string, unknown> = {}) {
  const p = new Problems();
  const section = parseGeo(
    {
      models: {
        "fable-5*": {
          ...rule,
          identity: {
            issuer: ISSUER,
            audience: AUDIENCE,
            require: { verified: true, nationality: ["US", "CA"] },
            ...identity,
          },
        },
      },
    },
    "routes[0].geo",
    p,
  );
  if (!section) throw new Error(p.list.join("\n"));
  return async (attestation: string | null, req: FakeRequest = {}): Promise<Finding[]> =>
    section.check(
      await facts({
        cf: { country: "US", continent: "NA" },
        body: { model: "fable-5-pro" },
        ...req,
        headers: { "x-api-key": API_KEY, ...(attestation === null ? {} : { [HEADER]: attestation }), ...req.headers },
      }),
    );
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.reason.code} ${f.status} ${f.reason.detail}`);
const remote = async (keys: TestKey[] = [keyA], more: Record<string, unknown> = {}) => {
  const name = await publish(keys);
  return { name, check: route({ jwksUrl: `${server}/jwks/${name}`, ...more }) };
};

describe("identity attestation", () => {
  it("passes a valid token with matching claims", async () => {
    const { check } = await remote();
    expect(await check(await token(keyA))).toEqual([]);
    expect(await check(`Bearer ${await token(keyA, { nationality: ["us", "CA"] })}`)).toEqual([]);
  });

  it("answers a missing attestation with 403 identity.attestation_required, final", async () => {
    const { check, name } = await remote();
    expect(await check(null)).toEqual([
      {
        reason: {
          check: "identity",
          code: "identity.attestation_required",
          detail: 'model rule "fable-5*": no x-identity-attestation header',
        },
        action: "block",
        status: 403,
        final: true,
        risk: 1,
      },
    ]);
    expect(await fetchesOf(name)).toBe(0);
  });

  it("answers each kind of invalid token with 403 identity.attestation_invalid", async () => {
    const { check } = await remote();
    const cases: [string, string | Promise<string>][] = [
      ["bad signature", token(stranger)],
      ["wrong issuer", token(keyA, { iss: "https://evil.example" })],
      ["wrong audience", token(keyA, { aud: "other-api" })],
      ["wrong audience", token(keyA, { aud: undefined })],
      ["expired", token(keyA, { exp: now() - 1 })],
      ["no expiry", token(keyA, { exp: undefined })],
      ["not yet valid", token(keyA, { nbf: now() + 600 })],
      ["malformed", "not.a-token"],
      ["malformed", "garbage"],
      ["no key id", sign(claims(), { ...keyA.priv, kid: undefined } as unknown as JsonWebKey)],
      ["issued in the future", token(keyA, { iat: now() + 600 })],
      ["malformed", `${(await token(keyA)).slice(0, -2)}=`],
      ["malformed header", signed(keyA, { typ: "JOSE+JSON" })],
      ["malformed header", signed(keyA, { crit: ["exp"] })],
      // a token that says the key set's public key is an HMAC secret, or that it is not signed: never verified
      ["algorithm not allowed", signed(keyA, { alg: "HS256" })],
      ["algorithm not allowed", signed(keyA, { alg: "none" })],
    ];
    for (const [detail, t] of cases) {
      const findings = await check(await t);
      expect(summary(findings), detail).toEqual([`identity.attestation_invalid 403 model rule "fable-5*": ${detail}`]);
      expect(findings[0]!.final).toBe(true);
    }
  });

  it("refuses algorithms the rule does not allow, and a token whose algorithm is not its key's", async () => {
    const { check } = await remote([keyA], { algorithms: ["RS256"] });
    expect(summary(await check(await token(keyA)))).toEqual([
      'identity.attestation_invalid 403 model rule "fable-5*": algorithm not allowed',
    ]);
    // key-b is an RS256 key: a token naming it with ES256 is refused before any signature is checked
    const both = (await remote([keyA, keyB])).check;
    expect(summary(await both(await signed({ ...keyA, kid: keyB.kid }, {})))).toEqual([
      'identity.attestation_invalid 403 model rule "fable-5*": algorithm not allowed',
    ]);
  });

  it("verifies every asymmetric JWS algorithm", async () => {
    const params: Record<string, SubtleCryptoGenerateKeyAlgorithm> = {
      RS512: {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-512",
      },
      PS256: { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      ES384: { name: "ECDSA", namedCurve: "P-384" },
      ES512: { name: "ECDSA", namedCurve: "P-521" },
      EdDSA: { name: "Ed25519" },
    };
    for (const [alg, gen] of Object.entries(params)) {
      const pair = (await crypto.subtle.generateKey(gen, true, ["sign", "verify"])) as CryptoKeyPair;
      const priv = { ...((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey), alg, kid: alg };
      const pub = { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), alg, kid: alg };
      const check = route({ jwk: pub });
      expect(await check(await sign(claims(), priv as JsonWebKey)), alg).toEqual([]);
      expect(summary(await check(await sign(claims({ nationality: "CN" }), priv as JsonWebKey))), alg).toEqual([
        'identity.claim_denied 451 model rule "fable-5*": nationality not allowed',
      ]);
    }
  });

  it("binds a token to the API key it was issued for: 403 identity.attestation_unbound otherwise", async () => {
    const { check } = await remote();
    const cases: [string, string | Promise<string>, FakeRequest?][] = [
      ["bound to another API key", token(keyA, { key_hash: await hashKey("sk-someone-else") })],
      ["no key_hash claim", token(keyA, { key_hash: undefined })],
      ["no key_hash claim", token(keyA, { key_hash: 42 })],
      ["no API key to bind to", token(keyA), { headers: { "x-api-key": "" } }],
    ];
    for (const [detail, t, req] of cases) {
      const findings = await check(await t, req);
      expect(summary(findings), detail).toEqual([`identity.attestation_unbound 403 model rule "fable-5*": ${detail}`]);
      expect(findings[0]!.final).toBe(true);
    }
    // the same token from the key it names passes (in the route's credential header); a list names every key of the account
    expect(await check(await token(keyA), { headers: { "x-api-key": API_KEY } })).toEqual([]);
    expect(
      await check(
        await token(keyA, { key_hash: [await hashKey("sk-other-key-of-the-account"), KEY_HASH.toUpperCase()] }),
      ),
    ).toEqual([]);
  });

  it("binds under the claim name the provider uses, and not at all when told bind: false", async () => {
    const named = (await remote([keyA], { bind: { claim: "https://id.example/key" } })).check;
    expect(await named(await token(keyA, { key_hash: undefined, "https://id.example/key": KEY_HASH }))).toEqual([]);
    expect(summary(await named(await token(keyA)))).toEqual([
      'identity.attestation_unbound 403 model rule "fable-5*": no https://id.example/key claim',
    ]);
    const unbound = (await remote([keyA], { bind: false })).check;
    expect(await unbound(await token(keyA, { key_hash: undefined }), { headers: { "x-api-key": "" } })).toEqual([]);
  });

  it("refuses tokens that live longer than maxLifetimeSeconds (an hour unless set)", async () => {
    const { check } = await remote();
    expect(await check(await token(keyA, { exp: now() + 3600 }))).toEqual([]);
    for (const over of [
      { exp: now() + 3601 },
      { iat: undefined, exp: now() + 3700 },
      { iat: now() - 7200, exp: now() + 60 },
    ]) {
      expect(summary(await check(await token(keyA, over))), JSON.stringify(over)).toEqual([
        'identity.attestation_invalid 403 model rule "fable-5*": lives longer than 3600 s',
      ]);
    }
    const day = (await remote([keyA], { maxLifetimeSeconds: 86_400 })).check;
    expect(await day(await token(keyA, { exp: now() + 86_400 }))).toEqual([]);
    expect(summary(await day(await token(keyA, { exp: now() + 86_401 })))).toEqual([
      'identity.attestation_invalid 403 model rule "fable-5*": lives longer than 86400 s',
    ]);
  });

  it("answers claims that do not satisfy the rule with 451 identity.claim_denied", async () => {
    const { check } = await remote();
    const cases: [string, Record<string, unknown>][] = [
      ["not verified", { verified: false }],
      ["not verified", { verified: "true" }],
      ["nationality not allowed", { nationality: "CN" }],
      ["nationality not allowed", { nationality: ["US", "CN"] }],
      ["no nationality claim", { nationality: undefined }],
      ["no nationality claim", { nationality: [] }],
    ];
    for (const [detail, over] of cases) {
      const findings = await check(await token(keyA, over));
      expect(summary(findings), detail).toEqual([`identity.claim_denied 451 model rule "fable-5*": ${detail}`]);
      expect(findings[0]!.final).toBe(true);
    }
  });

  it("checks residency, under the claim names the provider uses", async () => {
    const { check } = await remote([keyA], {
      claims: { verified: "idv", residency: "country_of_residence" },
      require: { verified: true, residency: ["US"] },
    });
    expect(await check(await token(keyA, { idv: true, country_of_residence: "US" }))).toEqual([]);
    expect(summary(await check(await token(keyA, { idv: true, country_of_residence: "IR" })))).toEqual([
      'identity.claim_denied 451 model rule "fable-5*": residency not allowed',
    ]);
    expect(summary(await check(await token(keyA, { verified: true, country_of_residence: "US" })))).toEqual([
      'identity.claim_denied 451 model rule "fable-5*": not verified',
    ]);
  });

  it("requires nothing of requests for models no identity rule names", async () => {
    const { check } = await remote();
    expect(await check(null, { body: { model: "fable-4" } })).toEqual([]);
  });

  it("judges the model's location first, and fetches no keys for a request already denied", async () => {
    const name = await publish([keyA]);
    const check = route({ jwksUrl: `${server}/jwks/${name}` }, { allow: { countries: ["US"] } });
    const findings = await check(await token(keyA), { cf: { country: "DE", continent: "EU" } });
    expect(findings.map((f) => f.reason.code)).toEqual(["geo.model_restricted"]);
    expect(await fetchesOf(name)).toBe(0);
  });

  it("verifies against keys written in the config", async () => {
    const check = route({ jwk: keyA.pub });
    expect(await check(await token(keyA))).toEqual([]);
    expect(summary(await check(await token(stranger)))).toEqual([
      'identity.attestation_invalid 403 model rule "fable-5*": bad signature',
    ]);
    const set = route({ jwks: { keys: [keyA.pub, keyB.pub] } });
    expect(await set(await token(keyB))).toEqual([]);
  });

  describe("JWKS", () => {
    it("fetches the key set once and keeps it for the isolate", async () => {
      const { check, name } = await remote();
      for (let i = 0; i < 3; i++) expect(await check(await token(keyA))).toEqual([]);
      expect(await fetchesOf(name)).toBe(1);
    });

    it("fetches a cold key set once for many concurrent verifications", async () => {
      const { check, name } = await remote();
      const tokens = await Promise.all(Array.from({ length: 8 }, () => token(keyA)));
      expect(await Promise.all(tokens.map((t) => check(t)))).toEqual(tokens.map(() => []));
      expect(await fetchesOf(name)).toBe(1);
    });

    it("shares a failed cold fetch too: every concurrent verification gets its answer", async () => {
      const name = `missing-${crypto.randomUUID()}`;
      const check = route({ jwksUrl: `${server}/jwks/${name}` });
      const tokens = await Promise.all(Array.from({ length: 8 }, () => token(keyA)));
      for (const findings of await Promise.all(tokens.map((t) => check(t)))) {
        expect(summary(findings)).toEqual(['identity.keys_unavailable 503 model rule "fable-5*": JWKS answered 404']);
      }
      expect(await fetchesOf(name)).toBe(1);
    });

    it("rotates keys without a redeploy: a token naming a new kid refetches the set", async () => {
      const { check, name } = await remote([keyA]);
      expect(await check(await token(keyA))).toEqual([]);
      await publish([keyB], name); // the provider rotates: key-b in, key-a retired
      expect(await check(await token(keyB))).toEqual([]);
      expect(await fetchesOf(name)).toBe(2);
      // the retired key no longer verifies
      expect(summary(await check(await token(keyA)))).toEqual([
        'identity.attestation_invalid 403 model rule "fable-5*": unknown key id',
      ]);
    });

    it("refetches for unknown key ids at most once per refetch interval", async () => {
      const { check, name } = await remote([keyA]);
      expect(await check(await token(keyA))).toEqual([]);
      for (const kid of ["invented-1", "invented-2", "invented-3"]) {
        const findings = await check(await sign(claims(), { ...keyA.priv, kid }));
        expect(summary(findings)).toEqual(['identity.attestation_invalid 403 model rule "fable-5*": unknown key id']);
      }
      expect(await fetchesOf(name)).toBe(2);
    });

    it("refetches when the cache TTL ends, so a removed key stops verifying", async () => {
      const { check, name } = await remote([keyA, keyB], { cacheTtlSeconds: 0 });
      expect(await check(await token(keyA))).toEqual([]);
      await publish([keyB], name);
      expect(summary(await check(await token(keyA)))).toEqual([
        'identity.attestation_invalid 403 model rule "fable-5*": unknown key id',
      ]);
      expect(await check(await token(keyB))).toEqual([]);
      expect(await fetchesOf(name)).toBe(3);
    });

    it("answers 503 identity.keys_unavailable, not final, when the set cannot be fetched, and does not hammer the host", async () => {
      const name = `missing-${crypto.randomUUID()}`;
      const check = route({ jwksUrl: `${server}/jwks/${name}` });
      const findings = await check(await token(keyA));
      expect(findings).toEqual([
        {
          reason: {
            check: "identity",
            code: "identity.keys_unavailable",
            detail: 'model rule "fable-5*": JWKS answered 404',
          },
          action: "block",
          status: 503,
          final: false,
          risk: 0,
        },
      ]);
      expect(summary(await check(await token(keyA)))).toEqual([
        'identity.keys_unavailable 503 model rule "fable-5*": JWKS answered 404',
      ]);
      expect(await fetchesOf(name)).toBe(1);
    });

    it("keeps using the keys it holds when a refresh fails", async () => {
      const name = await publish([keyA]);
      const check = route({ jwksUrl: `${server}/jwks/${name}`, cacheTtlSeconds: 0, refetchMinSeconds: 0 });
      expect(await check(await token(keyA))).toEqual([]);
      await fetch(`${server}/jwks/${name}`, { method: "PUT", body: "{}" }); // the host now serves a broken set
      expect(await check(await token(keyA))).toEqual([]);
      expect(await fetchesOf(name)).toBe(2);
    });
  });
});
