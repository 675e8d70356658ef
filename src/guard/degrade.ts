import { degradeRulesFor } from "../config/degrade.ts";
import type { RouteConfig } from "../config/types.ts";
import type { RequestBody } from "../request/body.ts";
import type { AnswerPlan } from "../transform/answer.ts";
import { isObject, shapeOf } from "../transform/api.ts";
import { degradeBatch, degradeCount, degradeRequest } from "../transform/request.ts";

/** What `degrade` does to one request (computed in shadow mode too, as what would have been done). */
export interface DegradePlan {
  /** The request body to forward instead of the client's; null: the client's. */
  body: Uint8Array | null;
  /** Each transformation, as `name=value`: the `x-guard-degrade` header and telemetry. */
  applied: string[];
  /** What to do to the answer; null: it passes as it is. */
  answer: AnswerPlan | null;
  /** False in shadow mode: nothing is changed, the plan is only reported. */
  enforced: boolean;
}

const encoder = new TextEncoder();

/**
 * The degrade plan for a request on `route` at `path` (its API and kind told
 * by the path): the route's rules for the body's model (for a batch, each
 * request's), applied to the body. A request of a path the transformations
 * do not know, or without a JSON object body, is forwarded as it is (the
 * origin still sees `x-guard-action: degrade`).
 */
export function planDegrade(
  route: RouteConfig,
  path: string,
  body: RequestBody | null,
  enforced: boolean,
): DegradePlan {
  const shape = shapeOf(path);
  if (!shape || !body || !isObject(body.json)) return { body: null, applied: [], answer: null, enforced };
  const rulesFor = (model: string | null) => degradeRulesFor(route.degrade, model);
  if (shape.kind !== "call") {
    const request =
      shape.kind === "batch"
        ? degradeBatch(body.json, rulesFor)
        : degradeCount(shape.api, body.json, rulesFor(body.model));
    // nothing for the answer: a count answers a number, a batch's results come later (rewritten in the request)
    const rewritten = request.applied.length > 0 ? encoder.encode(JSON.stringify(request.body)) : null;
    return { body: rewritten, applied: request.applied, answer: null, enforced };
  }
  const { api } = shape;
  const rules = rulesFor(body.model);
  const request = degradeRequest(api, body.json, rules);
  const answer: AnswerPlan | null =
    rules.reasoning === "keep"
      ? null
      : { api, reasoning: rules.reasoning, keepReasoningItems: request.keepReasoningItems };
  // the client's own bytes when only the answer changes
  const changed = request.applied.some((a) => !a.startsWith("reasoning="));
  return {
    body: changed ? encoder.encode(JSON.stringify(request.body)) : null,
    applied: request.applied,
    answer,
    enforced,
  };
}
