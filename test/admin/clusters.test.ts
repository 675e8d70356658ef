// Current clusters over their limit, from the store: the limit script lists
// a cluster's counter when a request takes it over maxAccounts (in the same
// round trip); the admin API reads the live count back.
import { describe, expect, it } from "vitest";
import { messagesConfig, workerWithAdmin } from "./harness.ts";

const farmConfig = () =>
  messagesConfig({}, { clusters: [{ name: "shared-asn", by: ["asn"], maxAccounts: 3, window: "1h", action: "flag" }] });

describe("clusters over their limit", () => {
  it("lists a cluster once more accounts than its limit share it, with the live count", async () => {
    const gw = await workerWithAdmin(farmConfig());
    const farm = { cf: { country: "NL", asn: 64496 } };
    for (let i = 1; i <= 3; i++)
      expect((await gw.call("/v1/messages", { key: `sk-farm-${i}`, ...farm })).status).toBe(200);
    expect(await (await gw.admin("/clusters")).json()).toEqual({ clusters: [] });

    await gw.tenant!.resetStats();
    const fourth = await gw.call("/v1/messages", { key: "sk-farm-4", ...farm });
    expect(fourth.status).toBe(200); // flagged, forwarded
    expect((await gw.tenant!.stats()).requests).toBe(1); // listed in the same round trip
    await gw.call("/v1/messages", { key: "sk-farm-5", ...farm });
    await gw.call("/v1/messages", { key: "sk-farm-5", ...farm }); // same account again: still 5

    const body = (await (await gw.admin("/clusters")).json()) as { clusters: Array<Record<string, unknown>> };
    expect(body.clusters).toEqual([
      {
        routes: ["messages"],
        cluster: "shared-asn",
        id: expect.stringMatching(/^shared-asn:[0-9a-f]{16}$/),
        by: ["asn"],
        accounts: 5,
        maxAccounts: 3,
        maxAddresses: null,
        action: "flag",
        windowSeconds: 3600,
        listedUntil: expect.any(String),
      },
    ]);
    const until = Date.parse(body.clusters[0]!.listedUntil as string) - Date.now();
    expect(until).toBeGreaterThan(1800_000 - 5000);
    expect(until).toBeLessThanOrEqual(3600_000);
    // another network's accounts are another cluster, under its limit
    await gw.call("/v1/messages", { key: "sk-home-1", cf: { country: "DE", asn: 3320 } });
    expect(((await (await gw.admin("/clusters")).json()) as { clusters: unknown[] }).clusters).toHaveLength(1);
  });

  it("the in-memory store lists them too", async () => {
    const gw = await workerWithAdmin(farmConfig(), { redis: false });
    for (let i = 1; i <= 4; i++)
      await gw.call("/v1/messages", { key: `sk-farm-${i}`, cf: { country: "NL", asn: 64496 } });
    expect(await (await gw.admin("/clusters")).json()).toMatchObject({
      clusters: [{ cluster: "shared-asn", accounts: 4, maxAccounts: 3 }],
    });
  });
});
