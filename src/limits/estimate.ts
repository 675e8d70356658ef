/**
 * The pre-charge of a token-weighted bucket: an estimate of the tokens a model
 * request will use, made from its JSON body before it is forwarded. The
 * post-charge replaces it with the usage the origin reports.
 */
export interface TokenEstimateOptions {
  /** Output tokens assumed when the body sets no limit. Default 1024. */
  defaultOutputTokens?: number;
  /**
   * Tokens counted for one embedded image (base64 data whose media type is an
   * image), whatever its size: the providers' per-image ceiling. Default 1600.
   */
  attachmentTokens?: number;
  /**
   * Decoded bytes per token of any other base64 payload (a PDF, a document,
   * audio, or data of unknown type): it is estimated by its size. Default 3.
   */
  documentBytesPerToken?: number;
}

export interface TokenEstimate {
  input: number;
  output: number;
  total: number;
}

const OUTPUT_LIMIT_FIELDS = ["max_tokens", "max_completion_tokens", "max_output_tokens"] as const;
/** Sibling fields naming a `data` field's media type (Anthropic `media_type`, Gemini `mime_type` / `mimeType`, OpenAI audio `format`). */
const TYPE_FIELDS = ["media_type", "mime_type", "mimeType", "format"] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Bytes a base64 text decodes to (padding and whitespace aside; an upper bound for text that is not base64). */
const decodedBytes = (base64Length: number): number => Math.floor((base64Length * 3) / 4);

/**
 * Input: characters of every string in the body / 4 (the usual rule of thumb),
 * except base64 payloads (a `data` field, a `data:` URL), estimated from their
 * size and type instead of their characters:
 *
 * - an image (`image/*`, from the data URL or a sibling `media_type`):
 *   `attachmentTokens` (1,600), the providers' ceiling per image (Anthropic
 *   scales an image to about 1.15 megapixels, width × height / 750 ≈ 1,600
 *   tokens; OpenAI's tiles stay below that at high detail). Its size cannot
 *   bound it lower: a few kilobytes of PNG can hold a full-size image.
 * - anything else (a PDF or other document, audio, an unknown type): its
 *   decoded bytes / `documentBytesPerToken` (3). A PDF costs its text plus an
 *   image per page (Anthropic: 1,500 to 3,000 tokens a page), and so does a
 *   page of a few kilobytes; a scanned PDF is over-counted, which the
 *   post-charge gives back. Without a media type: the larger of the two.
 *
 * Output: the body's `max_tokens` / `max_completion_tokens` /
 * `max_output_tokens`, times `n` choices; for a Message Batch
 * (`requests[].params`), the sum over its requests. Never less than 1 in total.
 */
export function estimateTokens(json: unknown, options: TokenEstimateOptions = {}): TokenEstimate {
  const { defaultOutputTokens = 1024, attachmentTokens = 1600, documentBytesPerToken = 3 } = options;
  let characters = 0;
  let payloadTokens = 0;
  const payload = (length: number, mediaType: string | null) => {
    const bySize = Math.ceil(decodedBytes(length) / documentBytesPerToken);
    // an image costs the ceiling; an unknown type the larger of the two
    payloadTokens +=
      mediaType === null
        ? Math.max(attachmentTokens, bySize)
        : mediaType.startsWith("image/")
          ? attachmentTokens
          : bySize;
  };
  const walk = (value: unknown, key: string | null, siblings: Record<string, unknown> | null, depth: number): void => {
    if (depth > 64) return;
    if (typeof value === "string") {
      if (value.startsWith("data:")) {
        // data:[<media type>][;base64],<data>
        const comma = value.indexOf(",");
        const header = comma < 0 ? "" : value.slice(5, comma);
        payload(
          comma < 0 ? value.length : value.length - comma - 1,
          header.split(";")[0]!.trim().toLowerCase() || null,
        );
      } else if (key === "data") {
        const type = TYPE_FIELDS.map((f) => siblings?.[f]).find((t): t is string => typeof t === "string");
        // a plain-text document's data is text: counted like any other string
        if (type?.toLowerCase().startsWith("text/")) characters += value.length;
        else payload(value.length, type?.toLowerCase() ?? null);
      } else characters += value.length;
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v, null, null, depth + 1);
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, k, value, depth + 1);
    }
  };
  walk(json, null, null, 0);
  const input = Math.ceil(characters / 4) + payloadTokens;

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
