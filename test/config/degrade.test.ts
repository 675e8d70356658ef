// A route's degrade section: defaults, model rules over the route's fields, every problem by path.
import { describe, expect, it } from "vitest";
import { DEGRADE_DEFAULTS, degradeRulesFor } from "../../src/config/degrade.ts";
import { loadConfig, parseConfig } from "../../src/config/parse.ts";

const route = { name: "messages", match: { path: "/v1/messages" } };

describe("the degrade section", () => {
  it("defaults to thinking off and reasoning removed", () => {
    const config = loadConfig({ routes: [route] });
    expect(config.routes[0]!.degrade.rules).toEqual(DEGRADE_DEFAULTS);
    expect(DEGRADE_DEFAULTS).toMatchObject({ thinking: "off", reasoning: "drop", maxTokens: null, model: null });
  });

  it("model rules take the route's fields and change theirs; the first pattern that matches applies", () => {
    const config = loadConfig({
      routes: [
        {
          ...route,
          degrade: {
            maxTokens: 2048,
            thinking: "low",
            models: { "fable-5*": { model: "fable-4-small", maxTokens: 1024 }, "*": { reasoning: "replace" } },
          },
        },
      ],
    });
    const policy = config.routes[0]!.degrade;
    expect(degradeRulesFor(policy, "FABLE-5-turbo")).toMatchObject({
      model: "fable-4-small",
      maxTokens: 1024,
      thinking: "low",
      reasoning: "drop",
    });
    expect(degradeRulesFor(policy, "other")).toMatchObject({ model: null, maxTokens: 2048, reasoning: "replace" });
    expect(degradeRulesFor(policy, null)).toMatchObject({ maxTokens: 2048, reasoning: "drop" });
  });

  it("offEffort per model glob, null in a model rule clearing the route's", () => {
    const config = loadConfig({
      routes: [
        {
          ...route,
          degrade: {
            offEffort: "minimal",
            models: { "gpt-5.*": { offEffort: "none" }, "gpt-4o*": { offEffort: null } },
          },
        },
      ],
    });
    const policy = config.routes[0]!.degrade;
    expect(DEGRADE_DEFAULTS.offEffort).toBeNull();
    expect(degradeRulesFor(policy, "gpt-5.1").offEffort).toBe("none");
    expect(degradeRulesFor(policy, "gpt-5-mini").offEffort).toBe("minimal");
    expect(degradeRulesFor(policy, "gpt-4o-mini").offEffort).toBeNull();
  });

  it("a route that can degrade reads the body", () => {
    const config = loadConfig({ routes: [{ ...route, fingerprint: { automation: "degrade" } }] });
    expect(config.routes[0]!.needsBody).toBe(true);
    expect(loadConfig({ routes: [{ ...route, geo: { tor: "degrade" } }] }).routes[0]!.needsBody).toBe(true);
    const byModel = { ...route, geo: { models: { "fable-5*": { unknown: "degrade" as const } } } };
    expect(loadConfig({ routes: [byModel] }).routes[0]!.needsBody).toBe(true);
    expect(loadConfig({ routes: [route] }).routes[0]!.needsBody).toBe(false);
  });

  it("lists every problem by path", () => {
    const result = parseConfig({
      routes: [
        {
          ...route,
          degrade: {
            thinking: "none",
            budgetTokens: 100,
            effort: "huge",
            offEffort: "medium",
            maxTokens: 0,
            model: "",
            reasoning: "hide",
            extra: 1,
            models: { "fable-5*": { model: "has space", typo: true }, "": {} },
          },
        },
      ],
    });
    expect(result.ok ? [] : result.problems).toEqual([
      "routes[0].degrade.extra: unknown field (expected one of: thinking, budgetTokens, effort, offEffort, maxTokens, model, reasoning, models)",
      'routes[0].degrade.thinking: must be one of "off", "low", "keep"',
      "routes[0].degrade.budgetTokens: must be a positive integer of at least 1024",
      'routes[0].degrade.effort: must be one of "none", "minimal", "low", "medium", "high", "xhigh", "max"',
      'routes[0].degrade.offEffort: must be one of "none", "minimal", "low"',
      "routes[0].degrade.maxTokens: must be a positive integer",
      "routes[0].degrade.model: must be a non-empty string",
      'routes[0].degrade.reasoning: must be one of "drop", "replace", "keep"',
      "routes[0].degrade.models.fable-5*.typo: unknown field (expected one of: thinking, budgetTokens, effort, offEffort, maxTokens, model, reasoning)",
      "routes[0].degrade.models.fable-5*.model: must be a model name of printable characters",
      "routes[0].degrade.models.: must be a model-name pattern of printable characters, with * and ? as wildcards",
    ]);
  });

  it("takes the new actions wherever an action is configured", () => {
    const result = parseConfig({
      routes: [
        {
          ...route,
          geo: {
            hosting: "degrade",
            tor: "throttle",
            unknown: "degrade",
            models: { "fable-5*": { hosting: "challenge", tor: "challenge", unknown: "deny" } },
          },
          fingerprint: { automation: "degrade", lowBotScore: "challenge" },
          content: { reasoningElicitation: "degrade" },
          clusters: [{ name: "c", by: ["fingerprint"], maxAccounts: 5, window: "1h", action: "degrade" }],
          challenge: {
            identity: { jwksUrl: "https://id.example/jwks.json", issuer: "https://id.example", audience: "a" },
          },
        },
      ],
    });
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("a Tor or unknown-location policy set to challenge needs the route's challenge rule", () => {
    for (const geo of [{ tor: "challenge" }, { models: { "fable-5*": { unknown: "challenge" } } }] as const) {
      const result = parseConfig({ routes: [{ ...route, geo }] });
      expect(result.ok ? [] : result.problems).toEqual([
        'routes[0].challenge: is required: an action is "challenge", and a challenge is met by an identity attestation',
      ]);
    }
  });
});
