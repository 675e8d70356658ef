// What the deployment's presets contain: the admin API lists them with their dates and sources.
import { describe, expect, it } from "vitest";
import { messagesConfig, workerWithAdmin } from "./harness.ts";

describe("GET /presets", () => {
  it("lists every preset with its date, source, kind, entries and notes, behind the admin token", async () => {
    const gw = await workerWithAdmin(messagesConfig(), { redis: false });
    expect((await gw.admin("/presets", { token: null })).status).toBe(401);

    const r = await gw.admin("/presets");
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const { presets } = (await r.json()) as { presets: Record<string, unknown>[] };
    expect(presets.map((p) => [p.name, p.date, p.kind])).toEqual([
      ["sanctions", "2026-11-22", "deny"],
      ["ua-occupied-2022", "2026-11-22", "deny"],
      ["countries-of-concern", "2026-12-03", "deny"],
      ["hosting", "2026-11-22", "hosting"],
    ]);
    const concern = presets.find((p) => p.name === "countries-of-concern")!;
    expect(concern.source).toEqual({
      regulation: expect.stringContaining("Export Administration Regulations"),
      citation: expect.stringContaining("Country Group D:5"),
    });
    expect(concern.countries).toEqual(
      expect.arrayContaining([
        { code: "CN", name: "China" },
        expect.objectContaining({ code: "HK" }),
        expect.objectContaining({ code: "MO" }),
      ]),
    );
    expect(concern.regions).toEqual([
      expect.objectContaining({ code: "CN-HK" }),
      expect.objectContaining({ code: "CN-MO" }),
    ]);
    expect(concern.notes).toEqual(
      expect.arrayContaining([expect.stringContaining("You own keeping this list current")]),
    );
    expect(presets.find((p) => p.name === "hosting")!.asns).toEqual(
      expect.arrayContaining([{ asn: 16509, name: "Amazon Web Services" }]),
    );
  });
});
