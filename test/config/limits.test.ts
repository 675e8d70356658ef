import { describe, expect, it } from "vitest";
import { Problems } from "../../src/config/read.ts";
import { parseLimits, parseRate } from "../../src/config/limits.ts";

const parse = (raw: unknown) => {
  const p = new Problems();
  const rules = parseLimits(raw, "routes[0].limits", p);
  return { rules, problems: p.list };
};

describe("limits config", () => {
  it("reads explicit buckets and the friendly rate form", () => {
    const { rules, problems } = parse([
      { name: "key-rpm", by: ["key"], capacity: 60, refillPerSecond: 1 },
      { name: "key-tokens", by: ["key"], capacity: 400000, refillPerSecond: 6000, cost: "tokens" },
      { name: "subnet", by: ["subnet", "asn"], rate: "600 per minute" },
      { name: "daily", by: ["route"], rate: "10000 per day", capacity: 500 },
      { name: "burst", by: ["ip"], rate: "5 per second" },
      { name: "hourly", by: ["country"], rate: "3600 per hour" },
    ]);
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      { name: "key-rpm", by: ["key"], capacity: 60, refillPerSecond: 1, cost: "request" },
      { name: "key-tokens", by: ["key"], capacity: 400000, refillPerSecond: 6000, cost: "tokens" },
      { name: "subnet", by: ["subnet", "asn"], capacity: 600, refillPerSecond: 10, cost: "request" },
      { name: "daily", by: ["route"], capacity: 500, refillPerSecond: 10000 / 86400, cost: "request" },
      { name: "burst", by: ["ip"], capacity: 5, refillPerSecond: 5, cost: "request" },
      { name: "hourly", by: ["country"], capacity: 3600, refillPerSecond: 1, cost: "request" },
    ]);
  });

  it("lists every problem by path", () => {
    const { rules, problems } = parse([
      { name: "a", by: ["key"], capacity: 0, refillPerSecond: 1 },
      { name: "b", by: ["key", "colour"], capacity: 1.5, refillPerSecond: -1 },
      { name: "a", by: [], rate: "60 a minute" },
      { by: ["ip"], rate: "1 per minute", refillPerSecond: 1, cost: "bytes", burst: 3 },
      { name: "bad name!", by: "key", refillPerSecond: 1 },
      { name: "twice", by: ["ip", "ip"], rate: "0 per second" },
      { name: "neither", by: ["asn"] },
      "key-rpm",
    ]);
    expect(rules).toEqual([]);
    expect(problems).toEqual([
      "routes[0].limits[0].capacity: must be a positive integer",
      'routes[0].limits[1].by[1]: must be one of key, ip, subnet, asn, country, fingerprint, route (got "colour")',
      "routes[0].limits[1].capacity: must be a positive integer",
      "routes[0].limits[1].refillPerSecond: must be a positive number",
      'routes[0].limits[2].name: duplicates routes[0].limits[0].name "a"',
      "routes[0].limits[2].by: must not be empty",
      'routes[0].limits[2].rate: must be "<count> per second|minute|hour|day", such as "60 per minute"',
      "routes[0].limits[3].burst: unknown field (expected one of: name, by, capacity, refillPerSecond, rate, quota, per, cost)",
      "routes[0].limits[3].name: is required",
      'routes[0].limits[3].cost: must be one of "request", "tokens"',
      'routes[0].limits[3]: give either "rate" or "refillPerSecond", not both',
      "routes[0].limits[4].name: must be 1-64 letters, digits, '_', '.' or '-'",
      "routes[0].limits[4].by: must be an array",
      'routes[0].limits[4].capacity: is required with "refillPerSecond"',
      "routes[0].limits[5].by: must not repeat a dimension",
      'routes[0].limits[5].rate: must be "<count> per second|minute|hour|day", such as "60 per minute"',
      'routes[0].limits[6]: needs "rate" (such as "60 per minute") or "capacity" and "refillPerSecond"',
      "routes[0].limits[7]: must be an object",
    ]);
  });

  it("refuses a bucket that takes more than 365 days to fill (issue 13: refillPerSecond 1e-300 made every store call fail)", () => {
    const { rules, problems } = parse([
      { name: "tiny", by: ["key"], capacity: 10, refillPerSecond: 1e-300 },
      { name: "slow", by: ["key"], capacity: 1000, rate: "1 per day" },
      { name: "year", by: ["key"], capacity: 365, rate: "1 per day" },
      { name: "edge", by: ["key"], capacity: 1, refillPerSecond: 1 / 31_536_000 },
    ]);
    expect(problems).toEqual([
      "routes[0].limits[0].refillPerSecond: refills a full bucket (10) in forever: at most 365 days (refillPerSecond >= capacity / 31536000)",
      "routes[0].limits[1].rate: refills a full bucket (1000) in 1,000 days: at most 365 days (refillPerSecond >= capacity / 31536000)",
    ]);
    expect(rules.map((r) => r.name)).toEqual(["year", "edge"]);
  });

  it("reads a fixed quota: quota per window, no refill (issue 13)", () => {
    const { rules, problems } = parse([
      { name: "trial", by: ["key"], quota: 1000, per: "1d" },
      { name: "tokens", by: ["key"], quota: 50000, per: 3600, cost: "tokens" },
      { name: "both", by: ["key"], quota: 10, per: "1h", rate: "1 per second" },
      { name: "no-per", by: ["key"], quota: 10 },
      { name: "long", by: ["key"], quota: 10, per: "7d" },
      { name: "zero", by: ["key"], quota: 0, per: "1h" },
    ]);
    expect(rules).toEqual([
      { name: "trial", by: ["key"], capacity: 1000, refillPerSecond: 0, cost: "request", quotaWindowSeconds: 86400 },
      { name: "tokens", by: ["key"], capacity: 50000, refillPerSecond: 0, cost: "tokens", quotaWindowSeconds: 3600 },
    ]);
    expect(problems).toEqual([
      'routes[0].limits[2].rate: does not go with "quota"',
      'routes[0].limits[3].per: is required with "quota" ("1h", "1d" or seconds)',
      'routes[0].limits[4].per: must be "<n>s|m|h|d" or seconds, from 1 second to 1 day, such as "1d"',
      expect.stringMatching(/^routes\[0\]\.limits\[5\]\.quota: /),
    ]);
  });

  it("treats an absent section as no limits, and anything but an array as a problem", () => {
    expect(parse(undefined)).toEqual({ rules: [], problems: [] });
    expect(parse({ name: "x" }).problems).toEqual(["routes[0].limits: must be an array"]);
  });

  it("parses rates", () => {
    expect(parseRate("60 per minute")).toEqual({ count: 60, seconds: 60 });
    expect(parseRate(" 1 per day ")).toEqual({ count: 1, seconds: 86400 });
    expect(parseRate("60 per minutes")).toBeNull();
    expect(parseRate("1.5 per second")).toBeNull();
  });
});
