import { COUNTRY_CODES, SUBDIVISION_CODES } from "./iso3166-data.ts";

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
  countries ??= new Set([...COUNTRY_CODES.split(" "), ...EXTRA_COUNTRIES]);
  return [...countries];
}

export function isCountryCode(code: string): boolean {
  countries ??= new Set([...COUNTRY_CODES.split(" "), ...EXTRA_COUNTRIES]);
  return countries.has(code);
}

/** A country's subdivision list from iso3166-data.ts, runs expanded: "01-03 AB" → ["01", "02", "03", "AB"]. */
export function subdivisionCodes(list: string): string[] {
  return list.split(" ").flatMap((part) => {
    const run = /^(\d+)-(\d+)$/.exec(part);
    if (!run) return [part];
    const width = run[1]!.length;
    const out: string[] = [];
    for (let n = Number(run[1]); n <= Number(run[2]); n++) out.push(String(n).padStart(width, "0"));
    return out;
  });
}

/** An ISO 3166-2 code such as `UA-43` or `US-CA`. */
export function isRegionCode(code: string): boolean {
  if (!regions) {
    regions = new Set();
    for (const [cc, subs] of Object.entries(SUBDIVISION_CODES))
      for (const s of subdivisionCodes(subs)) regions.add(`${cc}-${s}`);
  }
  return regions.has(code);
}

export function isContinentCode(code: string): boolean {
  return CONTINENTS.includes(code);
}
