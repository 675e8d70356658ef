/**
 * Model-name patterns: `*` matches any run of characters (also none), `?`
 * exactly one; everything else matches itself. The whole name must match.
 * Matching ignores case: an origin that treats `FABLE-5` as `fable-5` must not
 * let the upper-case spelling slip past a rule.
 */
export const GLOB_PATTERN = /^[\x21-\x7e]{1,200}$/;

export function compileGlob(pattern: string): RegExp {
  let source = "";
  for (const ch of pattern) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "is");
}
