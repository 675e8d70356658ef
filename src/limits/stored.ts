/** A record as a REST client hands it over: a JSON string, or already parsed (`@upstash/redis` parses by default). Null when it is neither an object nor JSON of one. */
export function storedObject<T>(raw: unknown): Partial<T> | null {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Partial<T>) : null;
}
