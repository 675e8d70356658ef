import { type ContentPolicy, EFFORTS, createContentCheck } from "../checks/content.ts";
import { SIGNAL_ACTIONS } from "./fingerprint.ts";
import type { ContentInput } from "./input.ts";
import { type Problems, fieldsOf, readEnum, readNumber, readObject } from "./read.ts";
import type { PureCheck } from "./types.ts";

/**
 * The `content` section of a route:
 *
 *   { "reasoningElicitation": "flag", "largeReasoningBudget": "flag",
 *     "maxBudgetTokens": 16384, "maxEffort": "medium" }
 *
 * Naming the section turns content signals on, and with them the body read
 * (once, bounded by `maxBodyBytes`).
 */
export const CONTENT_DEFAULTS: ContentPolicy = {
  reasoningElicitation: "flag",
  largeReasoningBudget: "flag",
  maxBudgetTokens: 16_384,
  maxEffort: "medium",
};

const FIELDS = fieldsOf<ContentInput>()([
  "reasoningElicitation",
  "largeReasoningBudget",
  "maxBudgetTokens",
  "maxEffort",
]);

export function parseContent(
  raw: unknown,
  path: string,
  p: Problems,
): { check: PureCheck; needsBody: true } | undefined {
  if (raw === undefined) return undefined;
  const before = p.list.length;
  const obj = readObject(raw, path, p, FIELDS);
  if (!obj) return undefined;
  const d = CONTENT_DEFAULTS;
  const policy: ContentPolicy = {
    reasoningElicitation: readEnum(obj, "reasoningElicitation", path, p, SIGNAL_ACTIONS) ?? d.reasoningElicitation,
    largeReasoningBudget: readEnum(obj, "largeReasoningBudget", path, p, SIGNAL_ACTIONS) ?? d.largeReasoningBudget,
    maxBudgetTokens: readNumber(obj, "maxBudgetTokens", path, p, { integer: true, min: 1 }) ?? d.maxBudgetTokens,
    maxEffort: readEnum(obj, "maxEffort", path, p, EFFORTS) ?? d.maxEffort,
  };
  if (p.list.length > before) return undefined;
  return { check: createContentCheck(policy), needsBody: true };
}
