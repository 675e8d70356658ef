import { describe, expect, it } from "vitest";
import { conflictingCredentials, createKeyHasher, readApiKey } from "../../src/identity/key-hash.ts";
import { identify } from "../../src/identity/subject.ts";

const hashKey = createKeyHasher("test-secret-0123456789");

describe("identify", () => {
  it("builds the subject from request.cf and CF-Connecting-IP only", async () => {
    const request = new Request("https://gw.example/v1/messages", {
      headers: {
        "cf-connecting-ip": "2001:db8:1:2:3:4:5:6",
        "x-forwarded-for": "203.0.113.9",
        "cf-ipcountry": "US",
        "mf-cf-blob": JSON.stringify({ country: "US", asn: 1 }),
        "x-api-key": "sk-secret-key",
      },
      cf: {
        country: "de",
        regionCode: "BE",
        continent: "EU",
        asn: 3320,
        asOrganization: "Deutsche Telekom",
        colo: "FRA",
      } as never,
    });
    const s = await identify(request, hashKey, { credential: "x-api-key" });
    expect(s).toMatchObject({
      country: "DE",
      region: "DE-BE",
      continent: "EU",
      asn: 3320,
      colo: "FRA",
      ipPrefix: "2001:db8:1:2:0:0:0:0/64",
      subnet: "2001:db8:1:0:0:0:0:0/48",
      keySource: "x-api-key",
    });
    expect(s.keyHash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify({ ...s, ip: null })).not.toContain("sk-secret-key");
  });

  it("leaves every missing field null instead of trusting headers", async () => {
    const s = await identify(
      new Request("https://gw.example/", { headers: { "x-forwarded-for": "198.51.100.1", "cf-ipcountry": "US" } }),
      hashKey,
      { credential: "x-api-key" },
    );
    expect(s).toMatchObject({
      ip: null,
      ipPrefix: null,
      subnet: null,
      country: null,
      region: null,
      asn: null,
      keyHash: null,
    });
  });

  it("hashes keys deterministically per secret", async () => {
    const other = createKeyHasher("another-secret-0123456789");
    expect(await hashKey("k1")).toBe(await hashKey("k1"));
    expect(await hashKey("k1")).not.toBe(await hashKey("k2"));
    expect(await hashKey("k1")).not.toBe(await other("k1"));
  });
});

describe("readApiKey", () => {
  it("reads the named credential header alone", () => {
    const both = new Headers({ "x-api-key": "a", authorization: "Bearer b" });
    expect(readApiKey(both, "x-api-key")).toBe("a");
    expect(readApiKey(both, "authorization")).toBe("b");
    expect(readApiKey(new Headers({ authorization: "bearer  b " }), "authorization")).toBe("b");
    expect(readApiKey(new Headers({ authorization: "Bearer b" }), "x-api-key")).toBeNull();
    expect(readApiKey(new Headers({ "x-api-key": "a" }), "authorization")).toBeNull();
    expect(readApiKey(new Headers({ authorization: "Basic Zm9v" }), "authorization")).toBeNull();
    expect(readApiKey(new Headers(), "x-api-key")).toBeNull();
  });

  it("tells two different credentials from one key in both headers", () => {
    const conflict = (headers: Record<string, string>) => conflictingCredentials(new Headers(headers));
    expect(conflict({ "x-api-key": "a", authorization: "Bearer b" })).toBe(true);
    expect(conflict({ "x-api-key": "a", authorization: "Basic Zm9v" })).toBe(true);
    expect(conflict({ "x-api-key": "a", authorization: "Bearer a" })).toBe(false);
    expect(conflict({ "x-api-key": "a" })).toBe(false);
    expect(conflict({ authorization: "Bearer b" })).toBe(false);
    expect(conflict({ "x-api-key": " ", authorization: "Bearer b" })).toBe(false);
  });
});
