import { describe, expect, it } from "vitest";
import { parseGeo } from "../../src/config/geo.ts";
import { Problems } from "../../src/config/read.ts";

const PATH = "routes[0].geo";

function parse(geo: unknown) {
  const p = new Problems();
  const section = parseGeo(geo, PATH, p);
  return { section, problems: p.list };
}

describe("geo config", () => {
  it("accepts the documented shape", () => {
    const { section, problems } = parse({
      presets: ["sanctions"],
      deny: {
        countries: ["RU", "by"],
        regions: ["UA-23"],
        continents: ["AN"],
        asns: [64496, "AS64497", "64498"],
        ips: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"],
      },
      allow: { ips: ["203.0.113.128/25"] },
      tor: "flag",
      unknown: "deny",
      hosting: "throttle",
      models: {
        "fable-5*": {
          allow: { countries: ["US"] },
          identity: {
            jwksUrl: "https://id.example/.well-known/jwks.json",
            issuer: "https://id.example",
            audience: "model-api",
            require: { verified: true, nationality: ["US"], residency: ["US", "CA"] },
          },
        },
      },
    });
    expect(problems).toEqual([]);
    expect(section?.needsBody).toBe(true);
  });

  it("needs the body only when there are model rules", () => {
    expect(parse({ presets: ["sanctions"] }).section?.needsBody).toBe(false);
    expect(parse({ models: { "fable-5*": { allow: { countries: ["US"] } } } }).section?.needsBody).toBe(true);
  });

  it("is absent when the route has no geo section", () => {
    expect(parse(undefined)).toEqual({ section: undefined, problems: [] });
  });

  it("rejects unknown country codes, with the path of each", () => {
    const { section, problems } = parse({ deny: { countries: ["CU", "XY"] }, allow: { countries: ["T1"] } });
    expect(section).toBeUndefined();
    expect(problems).toEqual([
      'routes[0].geo.deny.countries[1]: must be an ISO 3166-1 alpha-2 code (got "XY")',
      'routes[0].geo.allow.countries[0]: "T1" is not a country: use the tor policy',
    ]);
  });

  it("rejects unknown region and continent codes", () => {
    const { problems } = parse({ deny: { regions: ["UA-43", "UA-99", "Crimea"], continents: ["EU", "XX"] } });
    expect(problems).toEqual([
      'routes[0].geo.deny.regions[1]: must be an ISO 3166-2 code such as "UA-43" (got "UA-99")',
      'routes[0].geo.deny.regions[2]: must be an ISO 3166-2 code such as "UA-43" (got "CRIMEA")',
      'routes[0].geo.deny.continents[1]: must be one of AF, AN, AS, EU, NA, OC, SA (got "XX")',
    ]);
  });

  it("rejects unknown preset names", () => {
    expect(parse({ presets: ["sanctions", "sanction"] }).problems).toEqual([
      'routes[0].geo.presets[1]: must be a preset name (sanctions, ua-occupied-2022, countries-of-concern, hosting) (got "sanction")',
    ]);
    expect(parse({ preset: "embargo" }).problems).toEqual([
      'routes[0].geo.preset: must be a preset name (sanctions, ua-occupied-2022, countries-of-concern, hosting) (got "embargo")',
    ]);
    expect(parse({ models: { "fable-5*": { presets: ["nope"] } } }).problems).toEqual([
      'routes[0].geo.models.fable-5*.presets[0]: must be a preset name (sanctions, ua-occupied-2022, countries-of-concern, hosting) (got "nope")',
    ]);
  });

  it("accepts presets in model rules, and reports an allow entry a model rule's preset denies", () => {
    expect(
      parse({ presets: ["sanctions"], models: { "fable-5*": { presets: ["countries-of-concern"] } } }).problems,
    ).toEqual([]);
    expect(
      parse({
        models: {
          "fable-5*": { preset: "countries-of-concern", allow: { countries: ["US", "HK"], regions: ["CN-MO"] } },
        },
      }).problems,
    ).toEqual([
      'routes[0].geo.models.fable-5*.allow.countries[1]: "HK" is also in deny.countries (the countries-of-concern preset 2026-12-03); an entry cannot be both allowed and denied',
      'routes[0].geo.models.fable-5*.allow.regions[0]: "CN-MO" is also in deny.regions (the countries-of-concern preset 2026-12-03); an entry cannot be both allowed and denied',
    ]);
  });

  it("rejects malformed CIDRs", () => {
    const { problems } = parse({
      deny: {
        ips: [
          "10.0.0.0/8",
          "10.0.0.0/33",
          "300.1.1.1",
          "2001:db8::/129",
          "10.0.0.1/8",
          "::ffff:10.0.0.0/95",
          "fe80::1::2",
          42,
        ],
      },
    });
    const hint = 'must be an IPv4 or IPv6 address or CIDR range such as "203.0.113.0/24" or "2001:db8::/32"';
    expect(problems).toEqual([
      `routes[0].geo.deny.ips[1]: ${hint} (got "10.0.0.0/33")`,
      `routes[0].geo.deny.ips[2]: ${hint} (got "300.1.1.1")`,
      `routes[0].geo.deny.ips[3]: ${hint} (got "2001:db8::/129")`,
      `routes[0].geo.deny.ips[4]: ${hint} with no bits set past the prefix (got "10.0.0.1/8")`,
      `routes[0].geo.deny.ips[5]: ${hint} (got "::ffff:10.0.0.0/95")`,
      `routes[0].geo.deny.ips[6]: ${hint} (got "fe80::1::2")`,
      "routes[0].geo.deny.ips[7]: must be an IPv4 or IPv6 address or CIDR range",
    ]);
  });

  it("rejects malformed ASNs", () => {
    const { problems } = parse({ allow: { asns: [13335, "AS13335", 0, -1, 1.5, "ASX", 4294967296, "AS 1", null] } });
    const got = (v: string) => `must be an AS number such as 13335 or "AS13335" (got ${v})`;
    expect(problems).toEqual([
      `routes[0].geo.allow.asns[2]: ${got("0")}`,
      `routes[0].geo.allow.asns[3]: ${got("-1")}`,
      `routes[0].geo.allow.asns[4]: ${got("1.5")}`,
      `routes[0].geo.allow.asns[5]: ${got('"ASX"')}`,
      `routes[0].geo.allow.asns[6]: ${got("4294967296")}`,
      `routes[0].geo.allow.asns[7]: ${got('"AS 1"')}`,
      `routes[0].geo.allow.asns[8]: ${got("null")}`,
    ]);
  });

  it("rejects unknown fields, so a typo cannot silently disable a rule", () => {
    expect(parse({ deny: { country: ["IR"] }, torPolicy: "deny" }).problems).toEqual([
      "routes[0].geo.torPolicy: unknown field (expected one of: preset, presets, allow, deny, tor, unknown, hosting, models, taint)",
      "routes[0].geo.deny.country: unknown field (expected one of: countries, regions, continents, asns, ips)",
    ]);
  });

  it("rejects policies outside their values", () => {
    const actions = '"allow", "flag", "degrade", "challenge", "throttle", "deny"';
    expect(
      parse({ tor: "block", unknown: true, hosting: "drop", models: { "fable-5*": { unknown: "refuse" } } }).problems,
    ).toEqual([
      `routes[0].geo.tor: must be one of ${actions}`,
      `routes[0].geo.unknown: must be one of ${actions}`,
      `routes[0].geo.hosting: must be one of ${actions}`,
      `routes[0].geo.models.fable-5*.unknown: must be one of ${actions}`,
    ]);
  });

  it("rejects an entry both allowed and denied, naming the preset it clashes with", () => {
    expect(
      parse({
        presets: ["sanctions"],
        deny: { asns: [64496], ips: ["10.0.0.0/8"] },
        allow: { countries: ["ir"], regions: ["UA-43"], asns: ["AS64496"], ips: ["10.0.0.0/8"] },
      }).problems,
    ).toEqual([
      'routes[0].geo.allow.countries[0]: "IR" is also in deny.countries (the sanctions preset 2026-11-22); an entry cannot be both allowed and denied',
      'routes[0].geo.allow.regions[0]: "UA-43" is also in deny.regions (the sanctions preset 2026-11-22); an entry cannot be both allowed and denied',
      "routes[0].geo.allow.asns[0]: 64496 is also in deny.asns; an entry cannot be both allowed and denied",
      'routes[0].geo.allow.ips[0]: "10.0.0.0/8" is also in deny.ips; an entry cannot be both allowed and denied',
    ]);
  });

  it("rejects model patterns that are not printable globs", () => {
    expect(parse({ models: { "fable 5": {} } }).problems).toEqual([
      "routes[0].geo.models.fable 5: must be a model-name pattern of printable characters, with * and ? as wildcards",
    ]);
    expect(parse({ models: ["fable-5*"] }).problems).toEqual([
      'routes[0].geo.models: must be an object of model-name patterns, such as { "fable-5*": { ... } }',
    ]);
  });

  it("rejects model rules that nest models", () => {
    expect(parse({ models: { "fable-5*": { models: {} } } }).problems).toEqual([
      "routes[0].geo.models.fable-5*.models: unknown field (expected one of: preset, presets, allow, deny, tor, unknown, hosting, identity)",
    ]);
  });

  describe("identity", () => {
    const identity = (id: unknown) => parse({ models: { "fable-5*": { identity: id } } }).problems;
    const at = "routes[0].geo.models.fable-5*.identity";
    const key = {
      kty: "EC",
      crv: "P-256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
      kid: "k1",
    };

    it("requires issuer, audience and exactly one key source", () => {
      expect(identity({})).toEqual([
        `${at}.issuer: is required`,
        `${at}.audience: is required`,
        `${at}: needs exactly one of jwksUrl, jwks, jwk`,
      ]);
      expect(identity({ issuer: "i", audience: [], jwk: key, jwksUrl: "https://id.example/jwks" })).toEqual([
        `${at}.audience: must not be empty`,
        `${at}: needs exactly one of jwksUrl, jwks, jwk (got jwksUrl, jwk)`,
      ]);
    });

    it("accepts https JWKS URLs, and http only on loopback", () => {
      expect(identity({ issuer: "i", audience: "a", jwksUrl: "http://id.example/jwks" })).toEqual([
        `${at}.jwksUrl: must be an https URL`,
      ]);
      expect(identity({ issuer: "i", audience: "a", jwksUrl: "jwks.json" })).toEqual([
        `${at}.jwksUrl: must be an absolute URL (got "jwks.json")`,
      ]);
      expect(identity({ issuer: "i", audience: "a", jwksUrl: "http://127.0.0.1:8080/jwks" })).toEqual([]);
    });

    it("accepts only public signature keys with a kid", () => {
      expect(identity({ issuer: "i", audience: "a", jwk: key })).toEqual([]);
      expect(
        identity({
          issuer: "i",
          audience: "a",
          jwks: {
            keys: [key, { ...key, d: "secret" }, { kty: "oct", k: "c2VjcmV0", kid: "h" }, { ...key, kid: undefined }],
          },
        }),
      ).toEqual(
        [1, 2, 3].map(
          (i) =>
            `${at}.jwks.keys[${i}]: must be a public RSA, EC or OKP signature key (JWK) with a kid and no private part`,
        ),
      );
      expect(identity({ issuer: "i", audience: "a", algorithms: ["RS256"], jwk: { ...key, alg: "ES256" } })).toEqual([
        `${at}.jwk.alg: must be one of the allowed algorithms (RS256)`,
      ]);
    });

    it("rejects symmetric and unknown algorithms", () => {
      expect(identity({ issuer: "i", audience: "a", jwk: key, algorithms: ["ES256", "HS256", "none"] })).toEqual([
        `${at}.algorithms[1]: must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (got "HS256")`,
        `${at}.algorithms[2]: must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (got "none")`,
      ]);
    });

    it("binds to the API key unless told bind: false, and caps the token's lifetime", () => {
      const ok = { issuer: "i", audience: "a", jwk: key };
      for (const fine of [
        { bind: false },
        { bind: {} },
        { bind: { claim: "acct" } },
        { maxLifetimeSeconds: 60 },
        { maxLifetimeSeconds: 2_592_000 },
      ]) {
        expect(identity({ ...ok, ...fine }), JSON.stringify(fine)).toEqual([]);
      }
      expect(identity({ ...ok, bind: true })).toEqual([
        `${at}.bind: must be false or an object such as { "claim": "key_hash" }`,
      ]);
      expect(identity({ ...ok, bind: { claim: "" }, maxLifetimeSeconds: 0 })).toEqual([
        `${at}.bind.claim: must be a non-empty string`,
        `${at}.maxLifetimeSeconds: must be a positive integer`,
      ]);
      expect(identity({ ...ok, bind: { to: "account" }, maxLifetimeSeconds: 2_592_001 })).toEqual([
        `${at}.bind.to: unknown field (expected one of: claim)`,
        `${at}.maxLifetimeSeconds: must be at most 2592000`,
      ]);
    });

    it("checks the claims it requires", () => {
      expect(
        identity({
          issuer: "i",
          audience: "a",
          jwk: key,
          header: "bad header",
          require: { verified: false, nationality: ["US", "USA"], residency: [], age: 18 },
        }),
      ).toEqual([
        `${at}.header: must be an HTTP header name`,
        `${at}.require.age: unknown field (expected one of: verified, nationality, residency)`,
        `${at}.require.verified: must be true when given (leave it out to not require it)`,
        `${at}.require.nationality[1]: must be an ISO 3166-1 alpha-2 code (got "USA")`,
        `${at}.require.residency: must not be empty`,
      ]);
    });
  });
});
