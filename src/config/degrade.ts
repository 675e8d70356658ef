import { compileGlob, GLOB_PATTERN } from "./glob.ts";
import type { DegradeInput, DegradeRulesInput } from "./input.ts";
import { type Obj, type Problems, at, fieldsOf, readEnum, readNumber, readObject, readString } from "./read.ts";
import { type DegradePolicy, type DegradeRules, EFFORT_LEVELS, OFF_EFFORTS } from "./types.ts";

/**
 * A route's `degrade` section: what the `degrade` action does to a request and
 * its answer (docs/actions.md).
 *
 *   { "thinking": "off", "maxTokens": 2048, "reasoning": "drop",
 *     "models": { "fable-5*": { "model": "fable-4-small", "maxTokens": 1024 }, "gpt-5*": { "offEffort": "minimal" } } }
 *
 * Without the section `degrade` turns thinking off and removes reasoning from
 * answers. Every problem is recorded with its path.
 */
export const DEGRADE_DEFAULTS: DegradeRules = {
  thinking: "off",
  budgetTokens: 1024,
  effort: "low",
  offEffort: null,
  maxTokens: null,
  model: null,
  reasoning: "drop",
};

export const THINKING_LEVELS = ["off", "low", "keep"] as const;
export const REASONING_OUTPUTS = ["drop", "replace", "keep"] as const;

const RULE_FIELDS = fieldsOf<DegradeRulesInput>()([
  "thinking",
  "budgetTokens",
  "effort",
  "offEffort",
  "maxTokens",
  "model",
  "reasoning",
]);
const FIELDS = fieldsOf<DegradeInput>()([...RULE_FIELDS, "models"]);
/** A model name as the APIs take it. */
export const MODEL_NAME = /^[\x21-\x7e]{1,200}$/;

function readRules(obj: Obj, path: string, p: Problems, base: DegradeRules): DegradeRules {
  return {
    thinking: readEnum(obj, "thinking", path, p, THINKING_LEVELS) ?? base.thinking,
    budgetTokens: readNumber(obj, "budgetTokens", path, p, { integer: true, min: 1024 }) ?? base.budgetTokens,
    effort: readEnum(obj, "effort", path, p, EFFORT_LEVELS) ?? base.effort,
    // null in a model rule: not set for these models (a route-wide value would be refused by a model without reasoning)
    offEffort: obj.offEffort === null ? null : (readEnum(obj, "offEffort", path, p, OFF_EFFORTS) ?? base.offEffort),
    maxTokens: readNumber(obj, "maxTokens", path, p, { integer: true, min: 1 }) ?? base.maxTokens,
    model:
      readString(obj, "model", path, p, { pattern: MODEL_NAME, patternHint: "a model name of printable characters" }) ??
      base.model,
    reasoning: readEnum(obj, "reasoning", path, p, REASONING_OUTPUTS) ?? base.reasoning,
  };
}

export const DEFAULT_DEGRADE: DegradePolicy = { rules: DEGRADE_DEFAULTS, models: [] };

/** Reads a route's `degrade` section (at `path`, such as `routes[0].degrade`); the defaults when absent. */
export function parseDegrade(raw: unknown, path: string, p: Problems): DegradePolicy {
  if (raw === undefined) return DEFAULT_DEGRADE;
  const obj = readObject(raw, path, p, FIELDS);
  if (!obj) return DEFAULT_DEGRADE;
  const rules = readRules(obj, path, p, DEGRADE_DEFAULTS);
  const models: DegradePolicy["models"][number][] = [];
  const modelsPath = at(path, "models");
  if (obj.models !== undefined) {
    if (typeof obj.models !== "object" || obj.models === null || Array.isArray(obj.models)) {
      p.add(
        modelsPath,
        'must be an object of model-name patterns, such as { "fable-5*": { "model": "fable-4-small" } }',
      );
    } else {
      for (const [pattern, value] of Object.entries(obj.models as Obj)) {
        const rulePath = at(modelsPath, pattern);
        if (!GLOB_PATTERN.test(pattern)) {
          p.add(rulePath, "must be a model-name pattern of printable characters, with * and ? as wildcards");
          continue;
        }
        const rule = readObject(value, rulePath, p, RULE_FIELDS);
        if (rule) models.push({ pattern, match: compileGlob(pattern), rules: readRules(rule, rulePath, p, rules) });
      }
    }
  }
  return { rules, models };
}

/** The rules for a request's model: the first model rule that matches it, else the route's. */
export function degradeRulesFor(policy: DegradePolicy, model: string | null): DegradeRules {
  if (model === null) return policy.rules;
  return policy.models.find((m) => m.match.test(model))?.rules ?? policy.rules;
}
