import type { Preset } from "./types";

/**
 * Jurisdictions under comprehensive embargoes: every transaction with a person
 * there needs a licence, so a model API should not serve them at all.
 *
 * - CU Cuba, IR Iran, KP North Korea: comprehensive US embargoes (OFAC) and
 *   Country Groups E:1/E:2 of the US Export Administration Regulations.
 * - SY Syria: the US revoked most of its Syria sanctions programme in 2025,
 *   but Syria stays in EAR Country Group E:1, so exports of controlled
 *   technology still need a licence. Kept; a route that must serve Syria
 *   lists its own deny entries instead of naming this preset.
 * - The occupied regions of Ukraine under region-wide US and EU embargoes,
 *   by ISO 3166-2 code: UA-43 Crimea and UA-40 Sevastopol (US EO 13685, EU
 *   Regulation 692/2014), UA-14 Donetsk and UA-09 Luhansk (US EO 14065, EU
 *   Regulation 2022/263). Geolocation resolves only whole oblasts, so the
 *   Ukrainian-controlled parts of Donetsk oblast are denied with the rest.
 *
 * Not included, deliberately:
 * - UA-23 Zaporizhzhia and UA-65 Kherson: the EU extended its regional
 *   restrictions to their non-government-controlled areas in October 2022;
 *   the US comprehensive embargo does not name them. Both regional capitals are
 *   under Ukrainian control, so denying the whole oblasts would turn away
 *   people the sanctions protect. Operators under the EU regime add the
 *   `ua-occupied-2022` preset.
 * - RU Russia, BY Belarus, VE Venezuela and others: list-based and sectoral
 *   sanctions, not territory-wide embargoes. Deny them by country if your
 *   export counsel says so.
 */
export const SANCTIONS: Preset = {
  name: "sanctions",
  date: "2026-11-22",
  summary: "comprehensively embargoed jurisdictions: CU, IR, KP, SY and the occupied regions UA-43, UA-40, UA-14, UA-09",
  kind: "deny",
  countries: ["CU", "IR", "KP", "SY"],
  regions: ["UA-43", "UA-40", "UA-14", "UA-09"],
};

/**
 * The two oblasts Russia claimed in 2022 beyond Donetsk and Luhansk, whose
 * non-government-controlled areas the EU's regional restrictions (Regulation
 * 2022/263 as amended in October 2022) cover. Opt-in: it denies the whole
 * oblasts, including the areas Ukraine controls.
 */
export const UA_OCCUPIED_2022: Preset = {
  name: "ua-occupied-2022",
  date: "2026-11-22",
  summary: "the Zaporizhzhia (UA-23) and Kherson (UA-65) oblasts, whole",
  kind: "deny",
  regions: ["UA-23", "UA-65"],
};
