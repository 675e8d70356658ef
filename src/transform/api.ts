/**
 * The model APIs whose requests and answers the degrade transformations
 * understand, told apart by the request path (the route matched it; the
 * body's shape alone is ambiguous: a chat and a Messages request both carry
 * `messages`).
 */
export type ModelApi = "anthropic" | "chat" | "responses";

/**
 * What a request of such an API is: a model call (its request and its answer degraded), a token count
 * (Anthropic `count_tokens`, Responses `input_tokens`: rewritten as its call would be, so the count is of what
 * would run) or an Anthropic Message Batch (every request's `params` rewritten as a call).
 */
export type RequestKind = "call" | "count" | "batch";

export interface RequestShape {
  api: ModelApi;
  kind: RequestKind;
}

const SHAPES: ReadonlyArray<[RegExp, RequestShape]> = [
  [/\/messages\/?$/, { api: "anthropic", kind: "call" }],
  [/\/messages\/count_tokens\/?$/, { api: "anthropic", kind: "count" }],
  [/\/messages\/batches\/?$/, { api: "anthropic", kind: "batch" }],
  [/\/chat\/completions\/?$/, { api: "chat", kind: "call" }],
  [/\/responses\/?$/, { api: "responses", kind: "call" }],
  [/\/responses\/input_tokens\/?$/, { api: "responses", kind: "count" }],
];

/** The shape of a request path, or null for one the transformations do not rewrite (models, files, batch results). */
export function shapeOf(path: string): RequestShape | null {
  return SHAPES.find(([pattern]) => pattern.test(path))?.[1] ?? null;
}

// biome-ignore lint/suspicious/noExplicitAny: request and answer bodies of several APIs, read field by field and each value checked
export type Json = Record<string, any>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** What a degraded answer says where its reasoning was ("replace"). */
export const WITHHELD = "[reasoning withheld by the gateway]";
