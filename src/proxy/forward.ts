// Forwards an allowed request to the origin and hands back its response as a
// stream. No Hono here: the middleware and the worker call this with a plain
// Request.

import type { CredentialHeader } from "../identity/key-hash.ts";
import { originRequestHeaders, stripHopByHop } from "./headers.ts";

export interface ForwardOptions {
  /** The origin's base URL; it may carry a base path (`https://api.example/v2`). Its query and fragment are ignored. */
  originUrl: string;
  /** The header the origin authenticates (the route's `credential`); the other credential header is not sent. */
  credential: CredentialHeader;
  /** Replaces the client's key in the `credential` header toward the origin; unset or empty keeps the client's. */
  originApiKey?: string;
  /** The path to forward instead of the request's own: the guard's canonical path (GuardState.path). */
  path?: string;
  /** How long to wait for the origin's response headers. A body that streams longer is never cut. */
  timeoutMs: number;
  /** The gateway's headers for the origin (`x-guard-*` verdict headers). Client-sent `x-guard-*` headers are always dropped. */
  headers?: Record<string, string>;
  /**
   * The body to send when the pipeline has already read it (`null`: send none).
   * Left undefined, the request's own body stream is forwarded unread.
   */
  body?: Uint8Array | null;
  /** Aborts the origin request, also while its body streams (the client went away). */
  signal?: AbortSignal;
  /**
   * Sends the origin request instead of the global `fetch`: a service binding
   * (`(request) => env.ORIGIN.fetch(request)`), or an in-process origin (the
   * simulator). It receives a Request addressed to the target URL.
   */
  fetch?: OriginFetch;
}

/** How the gateway reaches its origin: a Fetcher-like function. */
export type OriginFetch = (request: Request) => Promise<Response>;

export type ForwardResult =
  | { ok: true; response: Response; originMs: number }
  | { ok: false; status: 502 | 504; code: "origin.unreachable" | "origin.timeout"; detail: string };

/** setTimeout fires at once beyond this (a signed 32-bit delay). */
const MAX_TIMER_MS = 2_147_483_647;

/** Statuses whose responses carry no body (Fetch spec "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Sends `request` to the origin: path and query appended to the origin's base
 * path, hop-by-hop headers removed both ways, only the `credential` header
 * kept (the origin key in it, when set), verdict headers added. Never throws.
 *
 * The response body is passed through as the origin's bytes: the origin
 * fetch uses `encodeResponseBody: "manual"` and the returned Response has
 * `encodeBody: "manual"`, so a compressed body is neither decoded nor
 * re-compressed, even when it is piped through a TransformStream. Two things
 * follow for callers:
 * - To change the response, mutate `response.headers` (they are mutable), or
 *   rebuild it as `new Response(body, response)` — passing the Response as the
 *   init keeps `encodeBody: "manual"`. Rebuilding from `{ status, headers }`
 *   drops it, and workerd then compresses the already compressed body again.
 * - A reader of the body (usage extraction) sees it as sent: when
 *   `Content-Encoding` is set, decode its copy with a `DecompressionStream`.
 *
 * @param request the client's request; its method, path, query, headers and
 *   (unless `options.body` is given) body are forwarded
 * @param options see {@link ForwardOptions}
 * @returns the streamed response and the time to its headers, or a 502
 *   (`origin.unreachable`: refused, DNS failure, reset, bad origin URL) / 504
 *   (`origin.timeout`: no headers within `timeoutMs`) with a detail meant
 *   for logs
 * @example
 * const result = await forward(c.req.raw, { originUrl: env.ORIGIN_URL, timeoutMs: 30_000,
 *   credential: "x-api-key", originApiKey: env.ORIGIN_API_KEY, headers: { "x-guard-action": "allow" }, signal: c.req.raw.signal });
 * if (!result.ok) return errorResponse(result.status, result.code);
 * return result.response;
 */
export async function forward(request: Request, options: ForwardOptions): Promise<ForwardResult> {
  let target: string;
  try {
    target = originTarget(options.originUrl, request.url, options.path);
  } catch {
    return unreachable("the origin URL is not a valid http(s) URL");
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort(new Error("origin timeout"));
    },
    Math.min(options.timeoutMs, MAX_TIMER_MS),
  );
  // The caller's signal stays linked after the headers arrive, so a client
  // that goes away also cancels the origin's stream.
  const callerSignal = options.signal;
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });

  const started = Date.now();
  try {
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const init: RequestInit = {
      method: request.method,
      headers: originRequestHeaders(request.headers, options),
      body: hasBody ? (options.body !== undefined ? options.body : request.body) : null,
      redirect: "manual",
      signal: controller.signal,
      encodeResponseBody: "manual",
    };
    // A stream body needs `duplex: "half"` outside workerd (Fetch standard); workerd ignores it.
    const upstream = options.fetch
      ? await options.fetch(new Request(target, { ...init, ...(init.body ? { duplex: "half" } : {}) } as RequestInit))
      : await fetch(target, init);
    const originMs = Date.now() - started;
    clearTimeout(timer);

    const noBody = NULL_BODY.has(upstream.status) || request.method === "HEAD";
    if (noBody) void upstream.body?.cancel().catch(() => {});
    const response = new Response(noBody ? null : upstream.body, {
      status: upstream.status,
      statusText: upstream.statusText,
      headers: stripHopByHop(new Headers(upstream.headers)),
      encodeBody: "manual",
    });
    return { ok: true, response, originMs };
  } catch (error) {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onCallerAbort);
    if (timedOut) {
      return {
        ok: false,
        status: 504,
        code: "origin.timeout",
        detail: `no response headers from the origin within ${options.timeoutMs} ms`,
      };
    }
    if (callerSignal?.aborted) return unreachable("the request was aborted before the origin answered");
    return unreachable(`the origin could not be reached: ${errorMessage(error)}`);
  }
}

/** The origin URL for a client request: the origin's base path, then the path (the request's own unless given) and the query as sent. */
export function originTarget(originUrl: string, requestUrl: string, path?: string): string {
  // the origin is the same request after request: parsed once per isolate
  let base = originBases.get(originUrl);
  if (base === undefined) {
    const url = new URL(originUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("origin URL must be http(s)");
    base = `${url.origin}${url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname}`;
    if (originBases.size >= 16) originBases.clear();
    originBases.set(originUrl, base);
  }
  if (path === undefined) return `${base}${new URL(requestUrl).pathname}${searchOf(requestUrl)}`;
  return `${base}${path}${searchOf(requestUrl)}`;
}

/** Origin URL → its origin and path without a trailing slash (a few per isolate). */
const originBases = new Map<string, string>();

/** The query of a URL as the runtime serialised it, with its `?`; "" for none or a bare `?` (as URL.search). */
function searchOf(url: string): string {
  const hash = url.indexOf("#");
  const end = hash < 0 ? url.length : hash;
  const at = url.indexOf("?");
  return at < 0 || at >= end - 1 ? "" : url.slice(at, end);
}

function unreachable(detail: string): ForwardResult {
  return { ok: false, status: 502, code: "origin.unreachable", detail };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
