import type { GatewayConfig, RouteConfig } from "./types.ts";

/**
 * Compiles a path pattern: literal segments, `:name` for one segment, `*` for
 * anything (including slashes). `/v1/messages`, `/v1/models/:id`, `/v1/*`.
 * Null when the pattern is not a path.
 *
 * Patterns match canonical paths (canonicalPath: no trailing or duplicate
 * slash), in any case: a trailing `/` in a pattern is ignored, and a trailing
 * `/*` matches the prefix itself too (`/v1/*` matches `/v1`).
 */
export function compilePathPattern(pattern: string): RegExp | null {
  if (!pattern.startsWith("/") || /\s/.test(pattern)) return null;
  const trimmed = pattern.length > 1 && pattern.endsWith("/") ? pattern.slice(0, -1) : pattern;
  let source = "";
  for (const part of trimmed.split(/(\/\*$|\*|:[A-Za-z_][A-Za-z0-9_]*)/)) {
    if (part === "/*") source += "(?:/.*)?";
    else if (part === "*") source += ".*";
    else if (part.startsWith(":")) source += "[^/]+";
    else source += part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "i");
}

/** The first route whose method and path match, or null. */
export function matchRoute(config: GatewayConfig, method: string, path: string): RouteConfig | null {
  for (const route of config.routes) {
    if (route.methods && !route.methods.has(method)) continue;
    if (route.pathPatterns.some((p) => p.test(path))) return route;
  }
  return null;
}
