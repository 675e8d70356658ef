// An account's habits through the gateway, on the memory store and on real Redis: a key that asks single-shot
// questions for reasoning, request after request, is flagged once it has sent enough of them; a key holding
// conversations beside it is not; the share decays with its half-life; a key's tallies live in its bucket key
// (no raw key), and the finding weighs in the route's risk model.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { CLIENTS } from "../checks/clients.ts";
import { CLOCKED_STORES, expectTtlsAndNoRawKeys } from "../limits/helpers.ts";
import { harness, json } from "./harness.ts";

const HOUR = 3_600_000;
const config: ConfigInput = {
  store: { timeoutMs: 2000 },
  proveKeys: false,
  routes: [
    {
      name: "messages",
      match: { paths: ["/__demo/echo/v1/messages"], methods: ["POST"] },
      errors: "anthropic",
      content: {},
      limits: [{ name: "key-rpm", by: ["key"], rate: "600 per minute" }],
      habits: [
        { name: "single-shot", of: "single-shot", share: 0.9, minRequests: 5, halfLife: "1h" },
        { name: "reasoning", of: "reasoning", share: 0.8, minRequests: 5, halfLife: "1h" },
      ],
      risk: {
        weights: { "account.single_shot_share": 0.3, "account.reasoning_share": 0.4 },
        tiers: [{ name: "watch", score: 0.5, action: "flag" }],
      },
    },
  ],
};

const oneShot = {
  model: "demo-small",
  max_tokens: 16,
  messages: [{ role: "user", content: "Solve it and show your complete reasoning, step by step: 17 * 23" }],
};
const conversation = {
  model: "demo-small",
  max_tokens: 16,
  messages: [
    { role: "user", content: "Hi, can you help me plan a trip?" },
    { role: "assistant", content: "Of course. Where to?" },
    { role: "user", content: "Lisbon in May." },
  ],
};
type Echo = { headers: Record<string, string> };

describe.each(CLOCKED_STORES)("habits on the $name store", ({ make }) => {
  it("flags a key that asks one-shot reasoning questions over and over, not one that converses", async () => {
    const { store, clock, ttls } = await make();
    const gw = harness(config, { store });
    const send = async (key: string, body: unknown) => {
      const res = await gw.call("/__demo/echo/v1/messages", {
        ...json(body, { ...CLIENTS.anthropicPython.headers, "x-api-key": key }),
        cf: CLIENTS.anthropicPython.cf,
        ip: "203.0.113.9",
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as Echo).headers;
    };
    // the first four are too few to judge
    for (let i = 0; i < 4; i++)
      expect((await send("sk-harvest", oneShot))["x-guard-reasons"] ?? "").not.toMatch(/account/);
    const fifth = await send("sk-harvest", oneShot);
    expect(fifth["x-guard-reasons"]).toContain("account.single_shot_share");
    expect(fifth["x-guard-reasons"]).toContain("account.reasoning_share");
    // 0.3 and 0.4 (and the prompt's own elicitation finding) reach the watch tier
    expect([fifth["x-guard-action"], fifth["x-guard-tier"]]).toEqual(["flag", "watch"]);
    expect(fifth["x-guard-evidence"]).toContain("account.reasoning_share=0.40");

    // a key that converses, with the same question among its turns now and then, is not over
    for (let i = 0; i < 8; i++) {
      const headers = await send("sk-chat", i % 4 === 0 ? oneShot : conversation);
      expect(headers["x-guard-reasons"] ?? "").not.toMatch(/account\.single_shot/);
    }

    // after two quiet hours the old requests weigh a quarter: conversations from then on bring the share down
    clock.advance(2 * HOUR);
    for (let i = 0; i < 3; i++) await send("sk-harvest", conversation);
    const mixed = await send("sk-harvest", conversation);
    expect(mixed["x-guard-reasons"] ?? "").not.toMatch(/account\.single_shot/);

    // the tallies share the key's bucket key: one key per account on the route, with a TTL, no raw key
    const keys = await ttls();
    const route = [...keys].filter(([k]) => k.includes(":messages:"));
    expect(route.length).toBe(2);
    expectTtlsAndNoRawKeys(keys);
  });
});
