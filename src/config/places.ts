import { ISO_3166 } from "./iso3166-data.ts";
import { decodeIso3166 } from "./iso3166.ts";

/**
 * Country, region and continent codes as `request.cf` reports them, for
 * validating configuration. Sets are built lazily, once per isolate.
 */

/** `XK` (Kosovo) is user-assigned in ISO 3166-1 but is what Cloudflare reports for Kosovo. */
const EXTRA_COUNTRIES = ["XK"];

/** Cloudflare's continent codes. (`T1`, Tor, is judged by the `tor` policy, not as a continent.) */
export const CONTINENTS: readonly string[] = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"];

let countries: Set<string> | undefined;
let regions: Set<string> | undefined;

/** Every country code the configuration accepts (ISO 3166-1 alpha-2, and XK). */
export function countryCodes(): readonly string[] {
  return [...knownCountries()];
}

export function isCountryCode(code: string): boolean {
  return knownCountries().has(code);
}

function knownCountries(): Set<string> {
  countries ??= new Set([...ISO_3166.split(" ").map((entry) => entry.slice(0, 2)), ...EXTRA_COUNTRIES]);
  return countries;
}

/** Every ISO 3166-2 code (`UA-43`, `US-CA`). */
export function regionCodes(): ReadonlySet<string> {
  if (!regions) {
    regions = new Set();
    for (const [country, codes] of decodeIso3166(ISO_3166)) for (const code of codes) regions.add(`${country}-${code}`);
  }
  return regions;
}

/** An ISO 3166-2 code such as `UA-43` or `US-CA`. */
export function isRegionCode(code: string): boolean {
  return regionCodes().has(code);
}

export function isContinentCode(code: string): boolean {
  return CONTINENTS.includes(code);
}
