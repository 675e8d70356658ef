import { describe, expect, it } from "vitest";
import { parseGeo } from "../../src/config/geo.ts";
import { COUNTRIES_OF_CONCERN } from "../../src/config/presets/index.ts";
import { Problems } from "../../src/config/read.ts";
import type { Finding } from "../../src/verdict/types.ts";
import { type FakeRequest, facts } from "./facts.ts";

/** Builds the route's geo check from config, as the gateway does once per isolate. */
function geo(section: unknown) {
  const p = new Problems();
  const parsed = parseGeo(section, "routes[0].geo", p);
  if (!parsed) throw new Error(p.list.join("\n"));
  return async (req: FakeRequest): Promise<Finding[]> => parsed.check(await facts(req));
}

/** `code` of every finding, with its action and status, for compact expectations. */
const summary = (findings: Finding[]) =>
  findings.map((f) => `${f.reason.code} ${f.action}${f.status ? ` ${f.status}` : ""}`);

const from = (country: string, more: Record<string, unknown> = {}): FakeRequest => ({ cf: { country, ...more } });
const CONTINENT: Record<string, string> = {
  US: "NA",
  CA: "NA",
  DE: "EU",
  FR: "EU",
  UA: "EU",
  RU: "EU",
  IR: "AS",
  CN: "AS",
  JP: "AS",
  KP: "AS",
  CU: "NA",
  BR: "SA",
};
/** A request from a place: `US`, or `UA-43` (country and region). */
const at = (place: string, more: Record<string, unknown> = {}): FakeRequest => {
  const [country, region] = place.split("-") as [string, string | undefined];
  return from(country, { continent: CONTINENT[country], ...(region ? { regionCode: region } : {}), ...more });
};

describe("geo check: locations", () => {
  it("passes everything when the section restricts nothing", async () => {
    const check = geo({});
    expect(await check(at("IR"))).toEqual([]);
    expect(await check(from("T1"))).toEqual([]);
    expect(await check({})).toEqual([]);
  });

  it("denies a country on the deny list with 451, final", async () => {
    const check = geo({ deny: { countries: ["RU"] } });
    expect(await check(at("RU"))).toEqual([
      {
        reason: { check: "geo", code: "geo.country_denied", detail: "country RU" },
        action: "block",
        status: 451,
        final: true,
        risk: 1,
      },
    ]);
    expect(await check(at("DE"))).toEqual([]);
  });

  it("admits only the countries on an allow list", async () => {
    const check = geo({ allow: { countries: ["US", "CA"] } });
    expect(await check(at("US"))).toEqual([]);
    expect(await check(at("CA"))).toEqual([]);
    const denied = await check(at("DE"));
    expect(summary(denied)).toEqual(["geo.country_denied block 451"]);
    expect(denied[0]!.reason.detail).toBe("country DE not in the allow list");
  });

  it("denies a region on the deny list", async () => {
    const check = geo({ deny: { regions: ["UA-43"] } });
    expect(summary(await check(at("UA-43")))).toEqual(["geo.region_denied block 451"]);
    expect(await check(at("UA-30"))).toEqual([]);
  });

  it("admits only the regions on an allow list", async () => {
    const check = geo({ allow: { regions: ["US-CA", "US-WA"] } });
    expect(await check(at("US-CA"))).toEqual([]);
    const denied = await check(at("US-NY"));
    expect(summary(denied)).toEqual(["geo.region_denied block 451"]);
    expect(denied[0]!.reason.detail).toBe("region US-NY not in the allow list");
    expect(summary(await check(at("DE-BE")))).toEqual(["geo.region_denied block 451"]);
  });

  it("denies and admits by continent", async () => {
    expect(summary(await geo({ deny: { continents: ["AS"] } })(at("JP")))).toEqual(["geo.continent_denied block 451"]);
    expect(await geo({ deny: { continents: ["AS"] } })(at("DE"))).toEqual([]);
    expect(await geo({ allow: { continents: ["EU"] } })(at("FR"))).toEqual([]);
    expect(summary(await geo({ allow: { continents: ["EU"] } })(at("BR")))).toEqual(["geo.continent_denied block 451"]);
  });

  describe("precedence: the most specific entry decides", () => {
    it("a denied region inside an allowed country is denied (region beats country)", async () => {
      const check = geo({ allow: { countries: ["UA"] }, deny: { regions: ["UA-43", "UA-40"] } });
      expect(summary(await check(at("UA-43")))).toEqual(["geo.region_denied block 451"]);
      expect(summary(await check(at("UA-40")))).toEqual(["geo.region_denied block 451"]);
      expect(await check(at("UA-30"))).toEqual([]);
    });

    it("an allowed region inside a denied country is admitted", async () => {
      const check = geo({ deny: { countries: ["US"] }, allow: { regions: ["US-CA"] } });
      expect(await check(at("US-CA"))).toEqual([]);
      expect(summary(await check(at("US-TX")))).toEqual(["geo.country_denied block 451"]);
    });

    it("a denied country on an allowed continent is denied; an allowed country on a denied continent admitted", async () => {
      const check = geo({ allow: { continents: ["EU"] }, deny: { countries: ["RU"] } });
      expect(summary(await check(at("RU")))).toEqual(["geo.country_denied block 451"]);
      expect(await check(at("DE"))).toEqual([]);
      const other = geo({ deny: { continents: ["AS"] }, allow: { countries: ["JP"] } });
      expect(await other(at("JP"))).toEqual([]);
      expect(summary(await other(at("CN")))).toEqual(["geo.continent_denied block 451"]);
    });

    it("a deny-only list lets every place it does not name through", async () => {
      expect(await geo({ deny: { countries: ["RU"], regions: ["UA-43"] } })(at("BR"))).toEqual([]);
    });
  });

  describe("presets", () => {
    it("sanctions denies CU, IR, KP, SY and the occupied regions, naming the preset and its date", async () => {
      const check = geo({ presets: ["sanctions"] });
      for (const c of ["CU", "IR", "KP"]) expect(summary(await check(at(c)))).toEqual(["geo.country_denied block 451"]);
      expect(summary(await check(from("SY", { continent: "AS" })))).toEqual(["geo.country_denied block 451"]);
      for (const r of ["UA-43", "UA-40", "UA-14", "UA-09"])
        expect(summary(await check(at(r)))).toEqual(["geo.region_denied block 451"]);
      expect((await check(at("UA-43")))[0]!.reason.detail).toBe("region UA-43 (sanctions preset 2026-11-22)");
      expect((await check(at("IR")))[0]!.reason.detail).toBe("country IR (sanctions preset 2026-11-22)");
      for (const ok of ["UA-30", "UA-23", "UA-65", "RU", "US"]) expect(await check(at(ok))).toEqual([]);
    });

    it("ua-occupied-2022 adds Zaporizhzhia and Kherson", async () => {
      const check = geo({ preset: "sanctions", presets: ["ua-occupied-2022"] });
      expect(summary(await check(at("UA-23")))).toEqual(["geo.region_denied block 451"]);
      expect(summary(await check(at("UA-65")))).toEqual(["geo.region_denied block 451"]);
      expect(summary(await check(at("UA-43")))).toEqual(["geo.region_denied block 451"]);
    });

    it("countries-of-concern denies every country it lists with 451, naming the preset and its date", async () => {
      const check = geo({ presets: ["countries-of-concern"] });
      const listed = COUNTRIES_OF_CONCERN.countries!.map((c) => c.code);
      expect(listed).toEqual(expect.arrayContaining(["CN", "HK", "MO", "RU", "IR", "KP", "BY", "VE"]));
      for (const country of listed) {
        const findings = await check(from(country));
        expect(findings, country).toEqual([
          {
            reason: {
              check: "geo",
              code: "geo.country_denied",
              detail: `country ${country} (countries-of-concern preset 2026-12-03)`,
            },
            action: "block",
            status: 451,
            final: true,
            risk: 1,
          },
        ]);
      }
      for (const ok of ["US", "DE", "TW", "SG", "JP", "CY", "UA-30"]) expect(await check(at(ok)), ok).toEqual([]);
    });

    it("countries-of-concern handles Hong Kong and Macau by country and by region of China, and China without a region", async () => {
      const check = geo({ presets: ["countries-of-concern"] });
      // as Cloudflare reports them: countries HK and MO
      expect(summary(await check(from("HK", { continent: "AS" })))).toEqual(["geo.country_denied block 451"]);
      expect(summary(await check(from("MO", { continent: "AS" })))).toEqual(["geo.country_denied block 451"]);
      // as a source coding them as ISO 3166-2 subdivisions of China would
      for (const r of ["CN-HK", "CN-MO"]) {
        const [f] = await check(at(r));
        expect(f!.reason).toEqual({
          check: "geo",
          code: "geo.region_denied",
          detail: `region ${r} (countries-of-concern preset 2026-12-03)`,
        });
        expect(f!.status).toBe(451);
      }
      // China is denied whole: with any region, and without one (not an unknown location), even when unknown locations pass
      expect(summary(await check(at("CN-BJ")))).toEqual(["geo.country_denied block 451"]);
      expect(summary(await geo({ presets: ["countries-of-concern"], unknown: "allow" })(at("CN")))).toEqual([
        "geo.country_denied block 451",
      ]);
      // Taiwan is not listed; a source that reports it as region TW of China can be let through by region
      expect(await check(from("TW", { continent: "AS" }))).toEqual([]);
      const taiwan = geo({ presets: ["countries-of-concern"], allow: { regions: ["CN-TW"] } });
      expect(await taiwan(at("CN-TW"))).toEqual([]);
      expect(summary(await taiwan(at("CN-GD")))).toEqual(["geo.country_denied block 451"]);
      // with an allow entry inside China, a request from China without a region cannot be told apart
      expect(summary(await taiwan(at("CN")))).toEqual(["geo.unknown_location block 451"]);
    });

    it("an entry in two named presets keeps the first preset as its source", async () => {
      const both = geo({ presets: ["sanctions", "countries-of-concern"] });
      expect((await both(at("IR")))[0]!.reason.detail).toBe("country IR (sanctions preset 2026-11-22)");
      expect((await both(at("RU")))[0]!.reason.detail).toBe("country RU (countries-of-concern preset 2026-12-03)");
      const reversed = geo({ presets: ["countries-of-concern", "sanctions"] });
      expect((await reversed(at("IR")))[0]!.reason.detail).toBe("country IR (countries-of-concern preset 2026-12-03)");
    });

    it("a route extends a preset with its own entries", async () => {
      const check = geo({ presets: ["sanctions"], deny: { countries: ["RU", "BY"] } });
      expect(summary(await check(at("RU")))).toEqual(["geo.country_denied block 451"]);
      expect((await check(at("RU")))[0]!.reason.detail).toBe("country RU");
      expect(summary(await check(at("IR")))).toEqual(["geo.country_denied block 451"]);
    });
  });

  describe("tor and unknown locations", () => {
    it("denies Tor by default where the route restricts geography", async () => {
      const check = geo({ presets: ["sanctions"] });
      expect(await check(from("T1", { continent: "T1" }))).toEqual([
        {
          reason: { check: "geo", code: "geo.tor", detail: "Tor exit" },
          action: "block",
          status: 451,
          final: true,
          risk: 1,
        },
      ]);
    });

    it("follows an explicit tor policy", async () => {
      const flagged = await geo({ presets: ["sanctions"], tor: "flag" })(from("T1"));
      expect(flagged).toEqual([
        { reason: { check: "geo", code: "geo.tor", detail: "Tor exit" }, action: "flag", risk: 0.6 },
      ]);
      expect(await geo({ allow: { countries: ["US"] }, tor: "allow" })(from("T1"))).toEqual([]);
      expect(summary(await geo({ tor: "deny" })(from("T1")))).toEqual(["geo.tor block 451"]);
    });

    it("treats an absent cf, an absent country and XX as an unknown location, denied by default where geography is restricted", async () => {
      const check = geo({ allow: { countries: ["US"] } });
      expect(summary(await check({}))).toEqual(["geo.unknown_location block 451"]);
      expect(summary(await check({ cf: { asn: 64496 } }))).toEqual(["geo.unknown_location block 451"]);
      expect(summary(await check(from("XX")))).toEqual(["geo.unknown_location block 451"]);
      expect(summary(await check(from("")))).toEqual(["geo.unknown_location block 451"]);
    });

    it("follows an explicit unknown policy", async () => {
      expect(summary(await geo({ presets: ["sanctions"], unknown: "flag" })({}))).toEqual([
        "geo.unknown_location flag",
      ]);
      expect(await geo({ presets: ["sanctions"], unknown: "allow" })(from("XX"))).toEqual([]);
      expect(summary(await geo({ unknown: "deny" })({}))).toEqual(["geo.unknown_location block 451"]);
    });

    it("takes every action for Tor and unknown locations: degrade, challenge and throttle with their own risk", async () => {
      for (const action of ["degrade", "challenge"] as const) {
        expect(await geo({ presets: ["sanctions"], tor: action })(from("T1"))).toEqual([
          { reason: { check: "geo", code: "geo.tor", detail: "Tor exit" }, action, risk: 0.6 },
        ]);
        expect(await geo({ allow: { countries: ["US"] }, unknown: action })(from("XX"))).toEqual([
          { reason: { check: "geo", code: "geo.unknown_location", detail: "no country" }, action, risk: 0.3 },
        ]);
      }
      // throttle: a retryable 429 once the route's signal budget is spent, not a final denial
      expect(summary(await geo({ tor: "throttle" })(from("T1")))).toEqual(["geo.tor throttle 429"]);
      // a country whose regions the policy names, seen without a region, is unknown too
      const check = geo({ presets: ["sanctions"], unknown: "challenge" });
      expect(summary(await check(at("UA")))).toEqual(["geo.unknown_location challenge"]);
    });

    it("takes the actions in model rules too, the detail naming the rule", async () => {
      const check = geo({ tor: "flag", models: { "fable-5*": { tor: "degrade", unknown: "challenge" } } });
      const tor = await check({ ...from("T1"), body: { model: "fable-5" } });
      expect(summary(tor)).toEqual(["geo.tor flag", "geo.tor degrade"]);
      expect(tor[1]!.reason.detail).toBe('model rule "fable-5*": Tor exit');
      expect(summary(await check({ ...from("XX"), body: { model: "fable-5" } }))).toEqual([
        "geo.unknown_location challenge",
      ]);
      expect(summary(await check({ ...from("T1"), body: { model: "demo-small" } }))).toEqual(["geo.tor flag"]);
    });

    it("lets unknown locations and Tor through by default where the route does not restrict geography", async () => {
      const check = geo({ deny: { asns: [64496] } });
      expect(await check({})).toEqual([]);
      expect(await check(from("T1"))).toEqual([]);
    });

    it("counts a request from a country whose regions the policy names, without a region, as unknown", async () => {
      const check = geo({ presets: ["sanctions"] });
      const findings = await check(at("UA"));
      expect(summary(findings)).toEqual(["geo.unknown_location block 451"]);
      expect(findings[0]!.reason.detail).toBe("no region in UA");
      // countries the region entries do not touch need no region
      expect(await check(at("DE"))).toEqual([]);
    });

    it("counts a missing continent as unknown when the policy judges continents", async () => {
      expect(summary(await geo({ deny: { continents: ["AS"] } })(from("DE")))).toEqual([
        "geo.unknown_location block 451",
      ]);
      expect(await geo({ deny: { countries: ["RU"] } })(from("DE"))).toEqual([]);
    });
  });
});

describe("geo check: networks", () => {
  it("denies an ASN on the deny list with 403, final", async () => {
    const check = geo({ deny: { asns: ["AS64496"] } });
    expect(await check(at("US", { asn: 64496 }))).toEqual([
      {
        reason: { check: "network", code: "network.asn_denied", detail: "AS64496" },
        action: "block",
        status: 403,
        final: true,
        risk: 1,
      },
    ]);
    expect(await check(at("US", { asn: 64497 }))).toEqual([]);
    expect(await check(at("US"))).toEqual([]);
  });

  it("admits only the ASNs on an allow list; a request without an ASN is not on it", async () => {
    const check = geo({ allow: { asns: [64496] } });
    expect(await check(at("US", { asn: 64496 }))).toEqual([]);
    expect(summary(await check(at("US", { asn: 64497 })))).toEqual(["network.asn_denied block 403"]);
    const none = await check(at("US"));
    expect(summary(none)).toEqual(["network.asn_denied block 403"]);
    expect(none[0]!.reason.detail).toBe("no ASN not in the allow list");
  });

  it("denies IPv4 and IPv6 ranges", async () => {
    const check = geo({ deny: { ips: ["203.0.113.0/24", "2001:db8:dead::/48"] } });
    const v4 = await check({ ip: "203.0.113.77" });
    expect(v4).toEqual([
      {
        reason: { check: "network", code: "network.ip_denied", detail: "address in 203.0.113.0/24" },
        action: "block",
        status: 403,
        final: true,
        risk: 1,
      },
    ]);
    expect(await check({ ip: "203.0.114.1" })).toEqual([]);
    expect(summary(await check({ ip: "2001:db8:dead:beef::1" }))).toEqual(["network.ip_denied block 403"]);
    expect(await check({ ip: "2001:db8:deae::1" })).toEqual([]);
    expect(await check({})).toEqual([]);
  });

  it("matches an IPv4-mapped IPv6 client by its IPv4 address, never as one IPv6 range", async () => {
    const check = geo({ deny: { ips: ["203.0.113.0/24", "::/64"] } });
    // the mapped client is the IPv4 host it carries
    expect(summary(await check({ ip: "::ffff:203.0.113.9" }))).toEqual(["network.ip_denied block 403"]);
    // another mapped client is another host: ::/64 (which holds every ::ffff:a.b.c.d as IPv6) must not catch it
    expect(await check({ ip: "::ffff:198.51.100.9" })).toEqual([]);
    expect(summary(await check({ ip: "::1" }))).toEqual(["network.ip_denied block 403"]);
  });

  it("reads a mapped range in the config as the IPv4 range it maps", async () => {
    const check = geo({ deny: { ips: ["::ffff:203.0.113.0/120"] } });
    expect(summary(await check({ ip: "203.0.113.200" }))).toEqual(["network.ip_denied block 403"]);
    expect(summary(await check({ ip: "::ffff:203.0.113.1" }))).toEqual(["network.ip_denied block 403"]);
    expect(await check({ ip: "203.0.112.1" })).toEqual([]);
  });

  it("admits only the ranges on an IP allow list", async () => {
    const check = geo({ allow: { ips: ["198.51.100.0/24", "2001:db8::/32"] } });
    expect(await check({ ip: "198.51.100.1" })).toEqual([]);
    expect(await check({ ip: "2001:db8:1::1" })).toEqual([]);
    expect(summary(await check({ ip: "192.0.2.1" }))).toEqual(["network.ip_denied block 403"]);
    expect(summary(await check({}))).toEqual(["network.ip_denied block 403"]);
  });

  it("lets the longest matching prefix decide", async () => {
    const hole = geo({ deny: { ips: ["10.0.0.0/8"] }, allow: { ips: ["10.1.0.0/16"] } });
    expect(await hole({ ip: "10.1.2.3" })).toEqual([]);
    expect(summary(await hole({ ip: "10.2.0.1" }))).toEqual(["network.ip_denied block 403"]);
    const island = geo({ allow: { ips: ["10.0.0.0/8"] }, deny: { ips: ["10.1.0.0/16"] } });
    expect(summary(await island({ ip: "10.1.2.3" }))).toEqual(["network.ip_denied block 403"]);
    expect(await island({ ip: "10.2.0.1" })).toEqual([]);
  });

  it("lets an allowed IP range beat a denied ASN", async () => {
    const check = geo({ deny: { asns: [64496] }, allow: { ips: ["198.51.100.0/24"] } });
    expect(await check({ ip: "198.51.100.5", cf: { asn: 64496 } })).toEqual([]);
  });

  describe("hosting", () => {
    it("flags, throttles or denies traffic from hosting ASNs, as its policy says", async () => {
      const aws = { ...at("US", { asn: 16509 }), ip: "198.51.100.1" };
      expect(await geo({ hosting: "flag" })(aws)).toEqual([
        {
          reason: { check: "network", code: "network.hosting", detail: "AS16509 (hosting preset 2026-11-22)" },
          action: "flag",
          risk: 0.4,
        },
      ]);
      expect(summary(await geo({ hosting: "throttle" })(aws))).toEqual(["network.hosting throttle 429"]);
      expect(summary(await geo({ hosting: "deny" })(aws))).toEqual(["network.hosting block 403"]);
      expect(await geo({ hosting: "allow", presets: ["hosting"] })(aws)).toEqual([]);
    });

    it("denies by default when the route names the hosting preset", async () => {
      const check = geo({ presets: ["hosting"] });
      expect(summary(await check(at("DE", { asn: 24940 })))).toEqual(["network.hosting block 403"]);
      expect(await check(at("DE", { asn: 3320 }))).toEqual([]);
      expect(await check(at("DE"))).toEqual([]);
    });

    it("spares what an allow entry admits", async () => {
      const check = geo({ hosting: "deny", allow: { ips: ["34.0.0.0/8"] }, deny: { ips: ["35.0.0.0/8"] } });
      expect(await check({ ip: "34.1.2.3", cf: { asn: 396982 } })).toEqual([]);
      expect(summary(await check({ ip: "36.1.2.3", cf: { asn: 396982 } }))).toEqual(["network.ip_denied block 403"]);
      expect(await geo({ hosting: "deny", allow: { asns: [16509] } })(at("US", { asn: 16509 }))).toEqual([]);
    });
  });

  it("judges location and network separately and reports both", async () => {
    const check = geo({ presets: ["sanctions"], hosting: "flag" });
    expect(summary(await check(at("IR", { asn: 16509 })))).toEqual([
      "geo.country_denied block 451",
      "network.hosting flag",
    ]);
  });
});

describe("geo check: model rules", () => {
  const usOnly = { models: { "fable-5*": { allow: { countries: ["US"] } } } };

  it("applies a model's stricter policy to the model named in the body, by glob", async () => {
    const check = geo({ presets: ["sanctions"], ...usOnly });
    expect(await check({ ...at("US"), body: { model: "fable-5-pro" } })).toEqual([]);
    const denied = await check({ ...at("DE"), body: { model: "fable-5-pro" } });
    expect(denied).toEqual([
      {
        reason: {
          check: "geo",
          code: "geo.model_restricted",
          detail: 'model rule "fable-5*": country DE not in the allow list',
        },
        action: "block",
        status: 451,
        final: true,
        risk: 1,
      },
    ]);
    expect(await check({ ...at("DE"), body: { model: "fable-4" } })).toEqual([]);
  });

  it("denies a frontier model in a preset's countries while older models stay available", async () => {
    const check = geo({ presets: ["sanctions"], models: { "fable-5*": { presets: ["countries-of-concern"] } } });
    for (const country of ["CN", "HK", "MO", "RU"]) {
      const denied = await check({ ...from(country, { continent: "AS" }), body: { model: "fable-5-pro" } });
      expect(denied, country).toEqual([
        {
          reason: {
            check: "geo",
            code: "geo.model_restricted",
            detail: `model rule "fable-5*": country ${country} (countries-of-concern preset 2026-12-03)`,
          },
          action: "block",
          status: 451,
          final: true,
          risk: 1,
        },
      ]);
      expect(await check({ ...from(country, { continent: "AS" }), body: { model: "fable-4" } }), country).toEqual([]);
    }
    expect(await check({ ...at("US"), body: { model: "fable-5-pro" } })).toEqual([]);
    // the route's own preset still applies to every model
    expect(summary(await check({ ...at("IR"), body: { model: "fable-4" } }))).toEqual(["geo.country_denied block 451"]);
  });

  it("matches model names whatever their case, and ? as one character", async () => {
    const check = geo({ models: { "fable-?-pro": { deny: { countries: ["DE"] } } } });
    expect(summary(await check({ ...at("DE"), body: { model: "FABLE-5-PRO" } }))).toEqual([
      "geo.model_restricted block 451",
    ]);
    expect(await check({ ...at("DE"), body: { model: "fable-10-pro" } })).toEqual([]);
  });

  it("applies every rule whose pattern matches", async () => {
    const check = geo({
      models: { "fable-*": { deny: { countries: ["CN"] } }, "*-pro": { deny: { asns: [64496] } } },
    });
    expect(summary(await check({ ...at("CN", { asn: 64496 }), body: { model: "fable-5-pro" } }))).toEqual([
      "geo.model_restricted block 451",
      "network.asn_denied block 403",
    ]);
    expect(summary(await check({ ...at("US", { asn: 64496 }), body: { model: "fable-5-pro" } }))).toEqual([
      "network.asn_denied block 403",
    ]);
    expect(await check({ ...at("US", { asn: 64496 }), body: { model: "fable-5" } })).toEqual([]);
  });

  it("denies Tor and unknown locations for a model whose rule restricts geography", async () => {
    const check = geo({ tor: "flag", ...usOnly });
    const tor = await check({ ...from("T1"), body: { model: "fable-5" } });
    expect(summary(tor)).toEqual(["geo.tor flag", "geo.model_restricted block 451"]);
    expect(tor[1]!.reason.detail).toBe('model rule "fable-5*": Tor exit');
    expect(summary(await check({ body: { model: "fable-5" } }))).toEqual(["geo.model_restricted block 451"]);
  });

  it("never puts the client's model string in a reason", async () => {
    const check = geo(usOnly);
    const [f] = await check({ ...at("DE"), body: { model: "fable-5\r\nx-evil: 1" } });
    expect(f!.reason.detail).not.toContain("evil");
  });

  it("answers a body that is not JSON with 400 on a route with model rules", async () => {
    const check = geo(usOnly);
    expect(await check({ ...at("US"), body: "model=fable-5" })).toEqual([
      {
        reason: {
          check: "request",
          code: "request.invalid_json",
          detail: "the route has model rules and the body is not JSON",
        },
        action: "block",
        status: 400,
        final: true,
        risk: 0,
      },
    ]);
    expect(await geo({ presets: ["sanctions"] })({ ...at("US"), body: "model=fable-5" })).toEqual([]);
  });

  it("applies no model rule without a body, and refuses a JSON body naming no model (it could ask for any)", async () => {
    const check = geo(usOnly);
    expect(await check({ ...at("DE") })).toEqual([]);
    expect(await check({ ...at("DE"), body: "" })).toEqual([]);
    expect(summary(await check({ ...at("DE"), body: { messages: [] } }))).toEqual(["request.model_unknown block 400"]);
    expect(summary(await check({ ...at("DE"), body: { model: 5 } }))).toEqual(["request.model_unknown block 400"]);
  });

  it("stops at a route-level denial without reading the model", async () => {
    const check = geo({ presets: ["sanctions"], ...usOnly });
    expect(summary(await check({ ...at("IR"), body: "not json" }))).toEqual(["geo.country_denied block 451"]);
  });

  it("decides synchronously when no identity rule applies", async () => {
    const p = new Problems();
    const section = parseGeo({ presets: ["sanctions"], ...usOnly }, "geo", p)!;
    const result = section.check(await facts({ ...at("DE"), body: { model: "fable-5" } }));
    expect(Array.isArray(result)).toBe(true);
  });
});
