/** The request body, read at most once and bounded, on routes that need it. */
export interface RequestBody {
  /** The body: a view of its whole buffer (offset 0, the buffer's length), so the buffer can be shared instead of copied. */
  bytes: Uint8Array;
  /** The parsed JSON; undefined when the body is not JSON. */
  json: unknown;
  /** The `model` field of a JSON body, when it is a string; for a batch, its first request's model. */
  model: string | null;
  /**
   * Every model the body asks for (modelsOf), each once: one for a model call, those of every request of a
   * batch; empty when it names none; null when it is of a shape the gateway cannot read (a batch request
   * without a model).
   */
  models: readonly string[] | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Most requests of one batch whose models are read: past it the body is refused as unknown (modelsOf returns null). */
export const MAX_BATCH_REQUESTS = 100_000;

/**
 * Every model a JSON body asks for, from the shapes of the APIs the gateway
 * fronts: a model call's `model` (Messages, Chat Completions, Responses,
 * completions, embeddings, count_tokens), and a Message Batch's
 * `requests[].params.model` (Anthropic). Null when the body is a batch with a
 * request that names no model (the whole batch is then of unknown shape);
 * an empty list when the body names none at all.
 */
export function modelsOf(json: unknown): string[] | null {
  if (!isObject(json)) return [];
  const models: string[] = [];
  if (typeof json.model === "string") models.push(json.model);
  if (Array.isArray(json.requests)) {
    if (json.requests.length > MAX_BATCH_REQUESTS) return null;
    for (const r of json.requests) {
      const model = isObject(r) && isObject(r.params) ? r.params.model : undefined;
      if (typeof model !== "string") return null;
      models.push(model);
    }
  }
  return models;
}

export type BodyRead = { ok: true; body: RequestBody } | { ok: false; reason: "too_large" };

const decoder = new TextDecoder();

/**
 * Reads a request body once, stopping as soon as it passes `maxBytes` (a
 * declared Content-Length over the limit is refused without reading).
 * The JSON is parsed once here; checks share it.
 */
export async function readBody(request: Request, maxBytes: number): Promise<BodyRead> {
  if (declaredLength(request) > maxBytes) return { ok: false, reason: "too_large" };
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: "too_large" };
      }
      chunks.push(value);
    }
  }
  const bytes = concat(chunks, total);
  let json: unknown;
  if (total > 0) {
    try {
      json = JSON.parse(decoder.decode(bytes));
    } catch {
      json = undefined;
    }
  }
  const models = modelsOf(json);
  return { ok: true, body: { bytes, json, model: models?.[0] ?? null, models: models && [...new Set(models)] } };
}

/** The Content-Length the client declared, or -1. */
export function declaredLength(request: Request): number {
  const value = request.headers.get("content-length");
  return value !== null && /^\d+$/.test(value) ? Number(value) : -1;
}

/** One view of exactly the body's bytes over a buffer of its own; a single chunk that is already that is used as is. */
function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const only = chunks.length === 1 ? chunks[0]! : null;
  if (only && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength && only.buffer instanceof ArrayBuffer)
    return only;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
