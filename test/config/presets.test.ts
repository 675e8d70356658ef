// The presets are data files (src/config/presets/*.json): each must be a valid, dated, sourced list.
import { describe, expect, it } from "vitest";
import { isCountryCode, isRegionCode } from "../../src/config/places.ts";
import { PRESET_CODES } from "../../src/config/presets/codes.ts";
import { PRESETS } from "../../src/config/presets/index.ts";

const FIELDS = ["name", "date", "summary", "kind", "source", "countries", "regions", "asns", "notes"];
const text = (v: unknown) => typeof v === "string" && v.trim().length > 0;

/** Every problem with one preset file, by field. */
function presetProblems(preset: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const bad = (field: string, why: string) => problems.push(`${field}: ${why}`);
  for (const key of Object.keys(preset)) if (!FIELDS.includes(key)) bad(key, "unknown field");
  if (typeof preset.name !== "string" || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(preset.name))
    bad("name", "lowercase words joined by -");
  const date =
    typeof preset.date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(preset.date)
      ? new Date(`${preset.date}T00:00:00Z`)
      : null;
  if (!date || date.toISOString().slice(0, 10) !== preset.date) bad("date", "a calendar date YYYY-MM-DD");
  if (!text(preset.summary)) bad("summary", "one line of text");
  if (preset.kind !== "deny" && preset.kind !== "hosting") bad("kind", "deny or hosting");
  const source = preset.source as Record<string, unknown> | undefined;
  if (!text(source?.regulation) || !text(source?.citation)) bad("source", "a regulation and a citation");
  const notes = preset.notes;
  if (!Array.isArray(notes) || !notes.every(text)) bad("notes", "a list of text");
  else if (!notes.some((n: string) => n.includes("You own keeping this list current")))
    bad("notes", "must say that the user owns keeping the list current");
  if (/[a-z]+:\/\/|www\./i.test(JSON.stringify(preset))) bad("*", "no addresses of internet hosts");

  const entries = (field: string, key: string, valid: (v: unknown) => boolean, what: string) => {
    const list = preset[field];
    if (list === undefined) return 0;
    if (!Array.isArray(list) || list.length === 0) return (bad(field, "a non-empty list"), 0);
    const seen = new Set<unknown>();
    list.forEach((e: Record<string, unknown>, i) => {
      if (!valid(e?.[key]) || !text(e?.name) || Object.keys(e).length !== 2)
        bad(`${field}[${i}]`, `{ "${key}": ${what}, "name": text } (got ${JSON.stringify(e)})`);
      else if (seen.has(e[key])) bad(`${field}[${i}]`, `${JSON.stringify(e[key])} listed twice`);
      seen.add(e?.[key]);
    });
    return list.length;
  };
  const places =
    entries("countries", "code", (c) => typeof c === "string" && isCountryCode(c), "an ISO 3166-1 alpha-2 code") +
    entries("regions", "code", (r) => typeof r === "string" && isRegionCode(r), "an ISO 3166-2 code");
  const asns = entries(
    "asns",
    "asn",
    (a) => Number.isInteger(a) && (a as number) >= 1 && (a as number) <= 0xffffffff,
    "an AS number",
  );
  if (preset.kind === "deny" && (places === 0 || asns > 0))
    bad("kind", "a deny preset lists countries or regions, and no ASNs");
  if (preset.kind === "hosting" && (places > 0 || asns === 0)) bad("kind", "a hosting preset lists ASNs only");
  return problems;
}

describe("presets", () => {
  it("codes.ts, what the configuration reads, holds the files' names, dates, kinds and codes (else: node scripts/gen-presets.ts)", () => {
    const fromFiles = [...PRESETS.values()].map((p) => ({
      name: p.name,
      date: p.date,
      kind: p.kind,
      countries: (p.countries ?? []).map((c) => c.code).join(" "),
      regions: (p.regions ?? []).map((r) => r.code).join(" "),
      asns: (p.asns ?? []).map((a) => a.asn).join(" "),
    }));
    expect(PRESET_CODES).toEqual(fromFiles);
  });

  for (const [name, preset] of PRESETS) {
    it(`${name}: every field valid, every entry a valid ISO 3166 code or AS number`, () => {
      expect(preset.name).toBe(name);
      expect(presetProblems(preset as unknown as Record<string, unknown>)).toEqual([]);
    });
  }

  it("the check finds what is wrong with a preset file", () => {
    const broken = {
      name: "Bad Name",
      date: "2026-02-30",
      summary: "",
      kind: "deny",
      source: { regulation: "see https://presets.invalid" },
      countries: [
        { code: "CN", name: "China" },
        { code: "XX", name: "nowhere" },
        { code: "CN", name: "China again" },
      ],
      regions: [{ code: "CN-HK" }],
      asns: [{ asn: 0, name: "zero" }],
      notes: ["keep it current"],
      url: "x",
    };
    expect(presetProblems(broken)).toEqual([
      "url: unknown field",
      "name: lowercase words joined by -",
      "date: a calendar date YYYY-MM-DD",
      "summary: one line of text",
      "source: a regulation and a citation",
      "notes: must say that the user owns keeping the list current",
      "*: no addresses of internet hosts",
      'countries[1]: { "code": an ISO 3166-1 alpha-2 code, "name": text } (got {"code":"XX","name":"nowhere"})',
      'countries[2]: "CN" listed twice',
      'regions[0]: { "code": an ISO 3166-2 code, "name": text } (got {"code":"CN-HK"})',
      'asns[0]: { "asn": an AS number, "name": text } (got {"asn":0,"name":"zero"})',
      "kind: a deny preset lists countries or regions, and no ASNs",
    ]);
  });
});
