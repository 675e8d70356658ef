// The request side of degrade, pure: each API's body rewritten, valid for the API, every change named.
import { describe, expect, it } from "vitest";
import { DEGRADE_DEFAULTS } from "../../src/config/degrade.ts";
import type { DegradeRules } from "../../src/config/types.ts";
import { degradeRequest } from "../../src/transform/request.ts";

const rules = (over: Partial<DegradeRules> = {}): DegradeRules => ({ ...DEGRADE_DEFAULTS, ...over });
const messages = [{ role: "user", content: "Hi" }];

describe("an Anthropic Messages request", () => {
  it("turns thinking off, maps the model, caps max_tokens; the client's body is left as it was", () => {
    const input = { model: "fable-5", max_tokens: 8000, thinking: { type: "enabled", budget_tokens: 4000 }, messages };
    const out = degradeRequest("anthropic", input, rules({ model: "fable-4-small", maxTokens: 2000 }));
    expect(out.body).toEqual({ model: "fable-4-small", max_tokens: 2000, thinking: { type: "disabled" }, messages });
    expect(out.applied).toEqual(["model=fable-4-small", "max_tokens=2000", "thinking=off", "reasoning=drop"]);
    expect(input.thinking).toEqual({ type: "enabled", budget_tokens: 4000 });
  });

  it("thinking low: the budget lowered; kept under max_tokens, or off when it cannot fit", () => {
    const low = rules({ thinking: "low", budgetTokens: 2048 });
    const body = { model: "m", max_tokens: 8000, thinking: { type: "enabled", budget_tokens: 6000 }, messages };
    expect(degradeRequest("anthropic", body, low).body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    const capped = degradeRequest("anthropic", body, { ...low, maxTokens: 1500 }).body;
    expect(capped).toMatchObject({ max_tokens: 1500, thinking: { type: "enabled", budget_tokens: 1499 } });
    const tiny = degradeRequest("anthropic", body, { ...low, maxTokens: 1000 });
    expect(tiny.body.thinking).toEqual({ type: "disabled" });
    expect(tiny.applied).toContain("thinking=off");
  });

  it("with tools, thinking goes off instead of being removed from the answer (a tool_use turn needs it back)", () => {
    const body = {
      model: "m",
      max_tokens: 8000,
      thinking: { type: "enabled", budget_tokens: 2000 },
      tools: [{ name: "t", input_schema: { type: "object" } }],
      messages,
    };
    expect(degradeRequest("anthropic", body, rules({ thinking: "keep" })).body.thinking).toEqual({ type: "disabled" });
    // an answer kept whole can keep its thinking
    expect(degradeRequest("anthropic", body, rules({ thinking: "keep", reasoning: "keep" })).body.thinking).toEqual(
      body.thinking,
    );
  });

  it("adaptive thinking off; the effort parameter lowered, never raised", () => {
    const body = {
      model: "m",
      max_tokens: 100,
      thinking: { type: "adaptive" },
      output_config: { effort: "max" },
      messages,
    };
    const out = degradeRequest("anthropic", body, rules());
    expect(out.body).toMatchObject({ thinking: { type: "disabled" }, output_config: { effort: "low" } });
    const already = { ...body, output_config: { effort: "minimal" } };
    expect(degradeRequest("anthropic", already, rules()).body.output_config).toEqual({ effort: "minimal" });
  });

  it("a request without thinking is left alone but for the caps", () => {
    const body = { model: "m", max_tokens: 100, messages };
    expect(degradeRequest("anthropic", body, rules())).toEqual({
      body,
      applied: ["reasoning=drop"],
      keepReasoningItems: false,
    });
  });
});

describe("an OpenAI Chat Completions request", () => {
  it("lowers reasoning_effort and caps the token field the client used (or sets the current one)", () => {
    const out = degradeRequest(
      "chat",
      { model: "m", reasoning_effort: "high", max_tokens: 900, messages },
      rules({ maxTokens: 500 }),
    );
    expect(out.body).toEqual({ model: "m", reasoning_effort: "low", max_tokens: 500, messages });
    const none = degradeRequest("chat", { model: "m", messages }, rules({ maxTokens: 500 }));
    expect(none.body).toEqual({ model: "m", max_completion_tokens: 500, messages });
    expect(none.applied).toEqual(["max_completion_tokens=500", "reasoning=drop"]);
  });

  it("never adds an effort a model without reasoning would refuse", () => {
    expect(degradeRequest("chat", { model: "m", messages }, rules()).body).not.toHaveProperty("reasoning_effort");
  });
});

describe("an OpenAI Responses request", () => {
  it("caps max_output_tokens, lowers the effort, asks for no summary; tools keep the reasoning items", () => {
    const body = { model: "m", input: "Hi", reasoning: { effort: "high", summary: "detailed" } };
    const out = degradeRequest("responses", body, rules({ maxTokens: 300, effort: "minimal" }));
    expect(out.body).toEqual({ model: "m", input: "Hi", max_output_tokens: 300, reasoning: { effort: "minimal" } });
    expect(out.keepReasoningItems).toBe(false);
    expect(degradeRequest("responses", { ...body, tools: [{ type: "function" }] }, rules()).keepReasoningItems).toBe(
      true,
    );
  });
});
