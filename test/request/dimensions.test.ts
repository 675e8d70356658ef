import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/parse.ts";
import {
  BLOCK_DIMENSIONS,
  CLUSTER_DIMENSIONS,
  DIMENSION_TABLE,
  DIMENSIONS,
  dimensionNeeds,
  dimensionValue,
} from "../../src/request/dimensions.ts";
import { parseBlockTarget } from "../../src/limits/blocks.ts";
import { facts, subject } from "../limits/helpers.ts";

// The one table every dimension is declared in: what a request's facts give for each, and what may use it.
describe("the dimension table", () => {
  const body = {
    messages: [
      {
        role: "user",
        content:
          "Summarise the following article for a busy executive in three short bullet points please: Mars has two moons.",
      },
    ],
  };

  it("reads each dimension from the request's facts", () => {
    const f = facts({ json: body });
    expect(
      Object.fromEntries(
        Object.keys(DIMENSION_TABLE).map((d) => [d, dimensionValue(f, d as keyof typeof DIMENSION_TABLE)]),
      ),
    ).toEqual({
      key: "0123456789abcdef0123456789abcdef",
      ip: "203.0.113.7/32",
      subnet: "203.0.113.0/24",
      asn: "64500",
      country: "DE",
      fingerprint: "f1f2f3f4f5f6f7f8",
      route: "*",
      template: expect.stringMatching(/^[0-9a-f]{16}$/),
      attestation: null,
    });
  });

  it("a request without a value has none: no key, no address, no fingerprint id, no body", () => {
    const f = {
      ...facts(),
      subject: subject({ keyHash: null, ipPrefix: null, subnet: null, asn: null, country: null, fingerprint: "" }),
    };
    expect(DIMENSIONS.filter((d) => dimensionValue(f, d) !== null)).toEqual(["route"]);
    expect(dimensionValue(f, "template")).toBeNull();
  });

  it("derives what buckets, clusters and blocks may use, in the table's order", () => {
    expect(DIMENSIONS).toEqual(["key", "ip", "subnet", "asn", "country", "fingerprint", "route"]);
    expect(CLUSTER_DIMENSIONS).toEqual(["ip", "subnet", "asn", "country", "fingerprint", "template", "attestation"]);
    expect(BLOCK_DIMENSIONS).toEqual(["key", "ip", "subnet", "asn", "fingerprint"]);
  });

  it("block targets are read into the value a request carries", () => {
    const f = facts();
    for (const [dimension, target] of [
      ["key", "0123456789ABCDEF0123456789ABCDEF"],
      ["ip", "203.0.113.7"],
      ["subnet", "203.0.113.0/24"],
      ["asn", "AS64500"],
      ["fingerprint", "f1f2f3f4f5f6f7f8"],
    ] as const) {
      const parsed = parseBlockTarget(dimension, target);
      expect(parsed.ok && parsed.target, dimension).toBe(dimensionValue(f, dimension));
    }
  });

  it("with a key registry the key is its account, and an operator blocks the account", () => {
    const f = { ...facts(), subject: subject({ account: { id: "acme", tier: null, trusted: false, limits: {} } }) };
    expect(dimensionValue(f, "key")).toBe("account:acme");
    const parsed = parseBlockTarget("key", "account:acme");
    expect(parsed.ok && parsed.target).toBe("account:acme");
    expect(parseBlockTarget("key", "account:").ok).toBe(false);
  });

  it("reads the attestation's subject, and nothing from a token that is not one", () => {
    const jwt = (payload: object) =>
      `e30.${btoa(JSON.stringify(payload)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.sig`;
    const withToken = (token: string) => ({
      ...facts(),
      request: new Request("https://gateway.test/", { headers: { "x-identity-attestation": token } }),
    });
    expect(dimensionValue(withToken(jwt({ sub: "person-1", key_hash: "x" })), "attestation")).toBe("person-1");
    expect(dimensionValue(withToken(jwt({ sub: 5 })), "attestation")).toBeNull();
    expect(dimensionValue(withToken("not a token"), "attestation")).toBeNull();
    expect(dimensionValue(withToken(jwt({ sub: "x".repeat(300) })), "attestation")).toBeNull();
  });

  it("what a route keyed by them must prepare before its decision", () => {
    expect(dimensionNeeds(["key", "subnet"])).toEqual({ fingerprint: false, body: false });
    expect(dimensionNeeds(["fingerprint", "template"])).toEqual({ fingerprint: true, body: true });
    const route = (extra: object) =>
      loadConfig({ routes: [{ name: "r", match: { path: "/v1/messages" }, blocks: false, ...extra }] }).routes[0]!;
    expect([route({}).needsFingerprint, route({}).needsBody]).toEqual([false, false]);
    expect(route({ limits: [{ name: "fp", by: ["fingerprint"], rate: "5 per minute" }] }).needsFingerprint).toBe(true);
    // the signal budget's dimensions count too
    expect(route({ throttle: { rate: "5 per minute", by: ["fingerprint"] } }).needsFingerprint).toBe(true);
    expect(route({ clusters: [{ name: "t", by: ["template"], maxAccounts: 5, window: "1h" }] }).needsBody).toBe(true);
    // manual blocks may name a fingerprint
    expect(
      loadConfig({ routes: [{ name: "r", match: { path: "/v1/messages" }, blocks: true }] }).routes[0]!
        .needsFingerprint,
    ).toBe(true);
  });
});
