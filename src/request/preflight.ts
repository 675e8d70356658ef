/**
 * CORS preflights: the `OPTIONS` request a browser sends before a
 * cross-origin call with custom headers (an API key, `content-type:
 * application/json`), announcing the call's method. It carries no
 * credential and no body, so rules meant for the call (keys, limits,
 * clusters, content) can only refuse it wrongly, and a refused preflight
 * means the browser never sends the call at all.
 */

/** The method the preflight announces (upper case), or null when the request is not a CORS preflight. */
export function preflightMethod(request: Request): string | null {
  if (request.method !== "OPTIONS" || request.body !== null) return null;
  const origin = request.headers.get("origin");
  const method = request.headers.get("access-control-request-method")?.trim();
  // a method is an HTTP token: anything else is not a preflight a browser sends
  return origin && method && /^[A-Za-z]{1,16}$/.test(method) ? method.toUpperCase() : null;
}
