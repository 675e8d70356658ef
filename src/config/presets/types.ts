/** A country (ISO 3166-1 alpha-2) or region (ISO 3166-2) entry, with the place it names. */
export interface PlaceEntry {
  code: string;
  name: string;
}

/** An autonomous system entry, with its operator. */
export interface AsnEntry {
  asn: number;
  name: string;
}

/**
 * A named, dated list a route's `geo` section (or one of its model rules) can
 * include by name and extend with its own entries. Each preset is a JSON file
 * next to this one; test/config/presets.test.ts checks every file against
 * this shape and every code against ISO 3166. The user owns keeping it
 * current: `date` is the day its contents were last reviewed.
 */
export interface Preset {
  name: string;
  /** ISO date of the last review of the contents against their sources. */
  date: string;
  /** One line for messages and docs. */
  summary: string;
  /**
   * `deny`: its countries and regions join the policy's deny lists.
   * `hosting`: its ASNs are judged by the policy's `hosting` action.
   */
  kind: "deny" | "hosting";
  /** What the list follows: the regulation, and where in it (citation text, no addresses). */
  source: { regulation: string; citation: string };
  countries?: readonly PlaceEntry[];
  regions?: readonly PlaceEntry[];
  asns?: readonly AsnEntry[];
  /** Why entries are in or deliberately out, and what to check before relying on the list. */
  notes: readonly string[];
}

/**
 * What the gateway's configuration reads of a preset (codes.ts, generated from the files by
 * scripts/gen-presets.ts): the codes without the names, sources and notes, which stay out of the Worker.
 */
export interface PresetCodes {
  name: string;
  date: string;
  kind: Preset["kind"];
  /** ISO 3166-1 alpha-2 codes, space-separated. */
  countries: string;
  /** ISO 3166-2 codes, space-separated. */
  regions: string;
  /** AS numbers, space-separated. */
  asns: string;
}
