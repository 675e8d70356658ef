/**
 * The model APIs whose requests and answers the degrade transformations
 * understand, told apart by the request path (the route matched it; the
 * body's shape alone is ambiguous: a chat and a Messages request both carry
 * `messages`).
 */
export type ModelApi = "anthropic" | "chat" | "responses";

/** The API of a request path, or null for one the transformations do not rewrite (batches, token counts, models). */
export function apiOf(path: string): ModelApi | null {
  if (/\/messages\/?$/.test(path)) return "anthropic";
  if (/\/chat\/completions\/?$/.test(path)) return "chat";
  if (/\/responses\/?$/.test(path)) return "responses";
  return null;
}

// biome-ignore lint/suspicious/noExplicitAny: request and answer bodies of several APIs, read field by field and each value checked
export type Json = Record<string, any>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** What a degraded answer says where its reasoning was ("replace"). */
export const WITHHELD = "[reasoning withheld by the gateway]";
