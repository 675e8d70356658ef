/**
 * The pre-charge of a token-weighted bucket: an estimate of the tokens a model
 * request will use, made from its JSON body before it is forwarded. The
 * post-charge replaces it with the usage the origin reports.
 */
export interface TokenEstimateOptions {
  /** Output tokens assumed when the body sets no limit. Default 1024. */
  defaultOutputTokens?: number;
  /** Tokens counted for one embedded image or document (base64 data). Default 1600. */
  attachmentTokens?: number;
}

export interface TokenEstimate {
  input: number;
  output: number;
  total: number;
}

const OUTPUT_LIMIT_FIELDS = ["max_tokens", "max_completion_tokens", "max_output_tokens"] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Input: characters of every string in the body / 4 (the usual rule of thumb),
 * except base64 payloads (a `data` field, a `data:` URL), which count as one
 * attachment each instead of their length. Output: the body's
 * `max_tokens` / `max_completion_tokens` / `max_output_tokens`, times `n`
 * choices; for a Message Batch (`requests[].params`), the sum over its
 * requests. Never less than 1 in total.
 */
export function estimateTokens(json: unknown, options: TokenEstimateOptions = {}): TokenEstimate {
  const { defaultOutputTokens = 1024, attachmentTokens = 1600 } = options;
  let characters = 0;
  let attachments = 0;
  const walk = (value: unknown, key: string | null, depth: number): void => {
    if (depth > 64) return;
    if (typeof value === "string") {
      if (key === "data" || value.startsWith("data:")) attachments++;
      else characters += value.length;
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v, null, depth + 1);
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, k, depth + 1);
    }
  };
  walk(json, null, 0);
  const input = Math.ceil(characters / 4) + attachments * attachmentTokens;

  // a Message Batch: every request's output
  const requests = isObject(json) && Array.isArray(json.requests) ? json.requests : null;
  const output = requests
    ? requests.reduce<number>((sum, r) => sum + outputOf(isObject(r) ? r.params : undefined, defaultOutputTokens), 0)
    : outputOf(json, defaultOutputTokens);
  return { input, output, total: Math.max(1, input + output) };
}

/** The output one model call may use: its output limit (default when none), times its `n` choices. */
function outputOf(call: unknown, defaultOutputTokens: number): number {
  if (!isObject(call)) return defaultOutputTokens;
  let output = defaultOutputTokens;
  for (const field of OUTPUT_LIMIT_FIELDS) {
    const v = call[field];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) {
      output = Math.ceil(v);
      break;
    }
  }
  const n = call.n;
  if (typeof n === "number" && Number.isInteger(n) && n > 1) output *= n;
  return output;
}
