// JSON imports carry their type attribute: Node and bundlers alike load the built package's presets.
import countriesOfConcern from "./countries-of-concern.json" with { type: "json" };
import hosting from "./hosting.json" with { type: "json" };
import sanctions from "./sanctions.json" with { type: "json" };
import type { Preset } from "./types.ts";
import uaOccupied2022 from "./ua-occupied-2022.json" with { type: "json" };

export type { AsnEntry, PlaceEntry, Preset } from "./types.ts";

// A JSON import's inferred type has `kind: string`; test/config/presets.test.ts checks each file against Preset.
export const SANCTIONS = sanctions as Preset;
export const UA_OCCUPIED_2022 = uaOccupied2022 as Preset;
export const COUNTRIES_OF_CONCERN = countriesOfConcern as Preset;
export const HOSTING = hosting as Preset;

/** Every preset a `geo` section can name, by name, in the order docs/geo-and-identity.md lists them. */
export const PRESETS: ReadonlyMap<string, Preset> = new Map(
  [SANCTIONS, UA_OCCUPIED_2022, COUNTRIES_OF_CONCERN, HOSTING].map((p) => [p.name, p]),
);
