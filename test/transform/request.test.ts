// The request side of degrade, pure: each API's body rewritten, valid for the API, every change named.
import { describe, expect, it } from "vitest";
import { DEGRADE_DEFAULTS } from "../../src/config/degrade.ts";
import type { DegradeRules } from "../../src/config/types.ts";
import { shapeOf } from "../../src/transform/api.ts";
import { degradeBatch, degradeCount, degradeRequest } from "../../src/transform/request.ts";

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

describe("a token count", () => {
  it("Anthropic count_tokens: rewritten as its call would be (model, thinking), nothing capped or added", () => {
    const body = { model: "fable-5", thinking: { type: "enabled", budget_tokens: 4000 }, messages };
    const out = degradeCount("anthropic", body, rules({ model: "fable-4-small", maxTokens: 1024 }));
    expect(out.body).toEqual({ model: "fable-4-small", thinking: { type: "disabled" }, messages });
    // nothing is done to a count's answer
    expect(out.applied).toEqual(["model=fable-4-small", "thinking=off"]);
  });

  it("Anthropic count_tokens, thinking low: the budget lowered and fitted under the call's capped max_tokens", () => {
    const body = { model: "m", thinking: { type: "enabled", budget_tokens: 4000 }, messages };
    const low = rules({ thinking: "low", budgetTokens: 3000 });
    expect(degradeCount("anthropic", body, low).body).toEqual({
      ...body,
      thinking: { ...body.thinking, budget_tokens: 3000 },
    });
    expect(degradeCount("anthropic", body, { ...low, maxTokens: 2000 }).body).toEqual({
      ...body,
      thinking: { ...body.thinking, budget_tokens: 1999 },
    });
    // no budget of at least 1024 fits under 1024: the call would run without thinking
    const off = degradeCount("anthropic", body, { ...low, maxTokens: 1024 });
    expect(off.body).toEqual({ ...body, thinking: { type: "disabled" } });
    expect(off.applied).toEqual(["thinking.budget_tokens=3000", "thinking=off"]);
  });

  it("Responses input_tokens: no max_output_tokens (the endpoint takes none), the effort lowered", () => {
    const body = { model: "m", input: "Hi", reasoning: { effort: "high", summary: "auto" } };
    const out = degradeCount("responses", body, rules({ maxTokens: 300 }));
    expect(out.body).toEqual({ model: "m", input: "Hi", reasoning: { effort: "low" } });
    expect(out.applied).toEqual(["reasoning.effort=low", "reasoning.summary=off"]);
  });
});

describe("an Anthropic Message Batch", () => {
  const params = (model: string, extra: object = {}) => ({ model, max_tokens: 4000, messages, ...extra });
  const thinking = { type: "enabled", budget_tokens: 2000 };

  it("rewrites every request's params by the rules for its own model; other fields stay", () => {
    const input = {
      requests: [
        { custom_id: "a", params: params("fable-5", { thinking }) },
        { custom_id: "b", params: params("demo-small") },
      ],
    };
    const rulesFor = (model: string | null) =>
      model?.startsWith("fable-5") ? rules({ model: "fable-4-small", maxTokens: 1024 }) : rules({ maxTokens: 2048 });
    const out = degradeBatch(input, rulesFor);
    expect(out.body).toEqual({
      requests: [
        { custom_id: "a", params: { ...params("fable-4-small"), max_tokens: 1024, thinking: { type: "disabled" } } },
        { custom_id: "b", params: { ...params("demo-small"), max_tokens: 2048 } },
      ],
    });
    expect(out.applied).toEqual(["model=fable-4-small", "max_tokens=1024", "thinking=off", "max_tokens=2048"]);
    expect(input.requests[0]!.params.model).toBe("fable-5");
  });

  it("turns thinking off where the answer would lose it: a batch's results are out of the gateway's reach", () => {
    const input = { requests: [{ custom_id: "a", params: params("m", { thinking }) }] };
    for (const over of [{ thinking: "low" }, { thinking: "keep" }] as const) {
      expect(degradeBatch(input, () => rules(over)).body.requests[0].params.thinking).toEqual({ type: "disabled" });
    }
    // an answer kept whole keeps its thinking
    const kept = degradeBatch(input, () => rules({ thinking: "keep", reasoning: "keep" }));
    expect(kept.body.requests[0].params.thinking).toEqual(thinking);
    expect(kept.applied).toEqual([]);
  });

  it("leaves what is not a request with params as it is", () => {
    const input = { requests: [null, { custom_id: "x" }, { custom_id: "y", params: "no" }] };
    expect(degradeBatch(input, () => rules()).body).toEqual(input);
  });
});

describe("the shape of a path", () => {
  it("tells calls, token counts and batches apart; others are not rewritten", () => {
    expect(shapeOf("/v1/messages")).toEqual({ api: "anthropic", kind: "call" });
    expect(shapeOf("/v1/messages/count_tokens")).toEqual({ api: "anthropic", kind: "count" });
    expect(shapeOf("/v1/messages/batches")).toEqual({ api: "anthropic", kind: "batch" });
    expect(shapeOf("/v1/responses/input_tokens")).toEqual({ api: "responses", kind: "count" });
    expect(shapeOf("/v1/chat/completions")).toEqual({ api: "chat", kind: "call" });
    for (const other of ["/v1/models", "/v1/messages/batches/msgbatch_1/results", "/v1/batches", "/v1/files"])
      expect(shapeOf(other)).toBeNull();
  });
});

describe("OpenAI reasoning turned off (offEffort)", () => {
  const off = (offEffort: "none" | "minimal" | "low") => rules({ thinking: "off", offEffort });

  it("chat: reasoning_effort set to the off effort, added where the request named none", () => {
    const high = degradeRequest("chat", { model: "gpt-5", reasoning_effort: "high", messages }, off("minimal"));
    expect(high.body.reasoning_effort).toBe("minimal");
    expect(high.applied).toEqual(["reasoning_effort=minimal", "reasoning=drop"]);
    // absent: the model's default effort would reason
    expect(degradeRequest("chat", { model: "gpt-5.1", messages }, off("none")).body.reasoning_effort).toBe("none");
    // a lower effort the client named stays
    const lower = degradeRequest("chat", { model: "m", reasoning_effort: "none", messages }, off("minimal"));
    expect(lower.body.reasoning_effort).toBe("none");
    expect(lower.applied).toEqual(["reasoning=drop"]);
  });

  it("responses: reasoning.effort set (a reasoning object added), summaries not asked for", () => {
    const body = { model: "m", input: "Hi", reasoning: { effort: "medium", summary: "auto" } };
    const kept = degradeRequest("responses", body, { ...off("none"), reasoning: "keep" });
    expect(kept.body.reasoning).toEqual({ effort: "none" });
    expect(kept.applied).toEqual(["reasoning.effort=none", "reasoning.summary=off"]);
    expect(degradeRequest("responses", { model: "m", input: "Hi" }, off("minimal")).body.reasoning).toEqual({
      effort: "minimal",
    });
  });

  it("only with thinking off; without an off effort an effort is only lowered, never added", () => {
    const low = degradeRequest(
      "chat",
      { model: "m", reasoning_effort: "high", messages },
      {
        ...off("none"),
        thinking: "low",
      },
    );
    expect(low.body.reasoning_effort).toBe("low");
    expect(degradeRequest("responses", { model: "m", input: "Hi" }, rules()).body).not.toHaveProperty("reasoning");
    expect(degradeRequest("chat", { model: "m", messages }, off("low")).body.reasoning_effort).toBe("low");
    const keep = degradeRequest("chat", { model: "m", messages }, { ...off("none"), thinking: "keep" });
    expect(keep.body).not.toHaveProperty("reasoning_effort");
  });
});
