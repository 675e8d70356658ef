import { iso31661, iso31662 } from "iso-3166";
import { describe, expect, it } from "vitest";
import { countryCodes, isContinentCode, isCountryCode, isRegionCode, regionCodes } from "../../src/config/places.ts";

describe("ISO 3166 codes", () => {
  it("match the installed iso-3166 package (run scripts/gen-iso3166.ts after upgrading it)", () => {
    expect([...countryCodes()].sort()).toEqual([...iso31661.map((c) => c.alpha2), "XK"].sort());
    expect([...regionCodes()].sort()).toEqual(iso31662.map((s) => s.code).sort());
  });

  it("know countries, Kosovo as Cloudflare reports it, first-level regions and continents", () => {
    for (const c of ["US", "UA", "IR", "XK"]) expect(isCountryCode(c)).toBe(true);
    for (const c of ["XX", "T1", "EU", "UK", "us"]) expect(isCountryCode(c)).toBe(false);
    for (const r of ["UA-43", "UA-40", "UA-14", "UA-09", "UA-23", "UA-65", "US-CA", "GB-ENG"])
      expect(isRegionCode(r)).toBe(true);
    for (const r of ["UA-99", "US-XX", "43"]) expect(isRegionCode(r)).toBe(false);
    expect(isContinentCode("EU")).toBe(true);
    expect(isContinentCode("T1")).toBe(false);
  });
});
