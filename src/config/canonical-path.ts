// One path for the guard and the origin: the guard matches routes on the
// canonical path and the proxy forwards that same path, so a spelling the
// origin would decode (`/v1/%6Dessages`, `//v1//messages/`) cannot miss a
// strict route and reach the origin unchecked.

/** A percent-escape that is not `%` and two hex digits. */
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
/**
 * Characters a path must not carry, escaped or not: an encoded `/` or `\`
 * (servers differ on whether it separates segments), control characters
 * and DEL (NUL truncates paths in some servers), and a raw `\`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const FORBIDDEN = /%(?:[01][0-9A-Fa-f]|7[Ff]|2[Ff]|5[Cc])|[\x00-\x1f\x7f\\]/;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;
/** RFC 3986 unreserved characters: decoding them never changes what a URI means. */
const UNRESERVED = /^[A-Za-z0-9._~-]$/;

/**
 * The canonical form of a URL path, or null when it is ambiguous and must be
 * refused. Escaped unreserved characters are decoded (`%6D` → `m`), other
 * escapes keep their meaning with upper-case hex (`%3a` → `%3A`); empty
 * segments are dropped (duplicate and trailing slashes); `.` and `..`
 * segments are resolved. Refused: malformed escapes, an escaped `/` or `\`,
 * control characters, and dot segments spelt with escapes (`%2e%2e`), which
 * servers resolve differently. Case is kept: routes match it insensitively
 * (compilePathPattern), and the origin receives it as sent.
 * @example canonicalPath("//v1/%6Dessages/") === "/v1/messages"
 */
export function canonicalPath(path: string): string | null {
  if (!path.startsWith("/") || MALFORMED_ESCAPE.test(path) || FORBIDDEN.test(path)) return null;
  const segments: string[] = [];
  for (const raw of path.split("/")) {
    const segment = raw.replace(ESCAPE, (escaped, hex: string) => {
      const char = String.fromCharCode(parseInt(hex, 16));
      return UNRESERVED.test(char) ? char : escaped.toUpperCase();
    });
    if (segment === "." || segment === "..") {
      if (segment !== raw) return null;
      if (segment === "..") segments.pop();
    } else if (segment !== "") {
      segments.push(segment);
    }
  }
  return `/${segments.join("/")}`;
}
