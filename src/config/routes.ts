import type { GatewayConfig, RouteConfig } from "./types";

/**
 * Compiles a path pattern: literal segments, `:name` for one segment, `*` for
 * anything (including slashes). `/v1/messages`, `/v1/models/:id`, `/v1/*`.
 * Null when the pattern is not a path.
 */
export function compilePathPattern(pattern: string): RegExp | null {
  if (!pattern.startsWith("/") || /\s/.test(pattern)) return null;
  let source = "";
  for (const part of pattern.split(/(\*|:[A-Za-z_][A-Za-z0-9_]*)/)) {
    if (part === "*") source += ".*";
    else if (part.startsWith(":")) source += "[^/]+";
    else source += part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** The first route whose method and path match, or null. */
export function matchRoute(config: GatewayConfig, method: string, path: string): RouteConfig | null {
  for (const route of config.routes) {
    if (route.methods && !route.methods.has(method)) continue;
    if (route.pathPatterns.some((p) => p.test(path))) return route;
  }
  return null;
}
