/**
 * Small readers for configuration given as data (a TypeScript value or JSON
 * from `wrangler.toml`). Each reader records a problem with its path
 * (`routes[1].limits[0].capacity: must be a positive integer`) instead of
 * throwing, so one pass lists every problem. Readers return undefined when the
 * value is absent or wrong; callers fall back to defaults and carry on.
 */
/**
 * The fields of an input type (config/input.ts) as the list readObject
 * accepts: the compiler refuses a list that misses a field of `T` or names
 * one `T` lacks, so the parser and the documented input types cannot drift.
 */
export const fieldsOf =
  <T>() =>
  <const L extends readonly (keyof T & string)[]>(
    fields: L & ([Exclude<keyof T, L[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, L[number]> }),
  ): L =>
    fields;

export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
  get ok(): boolean {
    return this.list.length === 0;
  }
}

export type Obj = Record<string, unknown>;

export const at = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

const isPlainObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** An object with only the known keys; every unknown key is a problem (a typo must not silently disable a rule). */
export function readObject(value: unknown, path: string, p: Problems, known: readonly string[]): Obj | undefined {
  if (!isPlainObject(value)) {
    p.add(path || "config", "must be an object");
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) p.add(at(path, key), `unknown field (expected one of: ${known.join(", ")})`);
  }
  return value;
}

/** Like readObject, for an optional field of `obj`. */
export function readSection(
  obj: Obj,
  key: string,
  path: string,
  p: Problems,
  known: readonly string[],
): Obj | undefined {
  const value = obj[key];
  return value === undefined ? undefined : readObject(value, at(path, key), p, known);
}

export function readString(
  obj: Obj,
  key: string,
  path: string,
  p: Problems,
  opts: { required?: boolean; pattern?: RegExp; patternHint?: string } = {},
): string | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (opts.required) p.add(at(path, key), "is required");
    return undefined;
  }
  if (typeof value !== "string" || value === "") {
    p.add(at(path, key), "must be a non-empty string");
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(value)) {
    p.add(at(path, key), `must be ${opts.patternHint ?? `a string matching ${opts.pattern}`}`);
    return undefined;
  }
  return value;
}

export function readEnum<T extends string>(
  obj: Obj,
  key: string,
  path: string,
  p: Problems,
  options: readonly T[],
): T | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(options as readonly string[]).includes(value)) {
    p.add(at(path, key), `must be one of ${options.map((o) => JSON.stringify(o)).join(", ")}`);
    return undefined;
  }
  return value as T;
}

export function readNumber(
  obj: Obj,
  key: string,
  path: string,
  p: Problems,
  opts: { integer?: boolean; min?: number; max?: number; required?: boolean } = {},
): number | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (opts.required) p.add(at(path, key), "is required");
    return undefined;
  }
  const { integer = false, min = 0, max = Number.MAX_SAFE_INTEGER } = opts;
  const kind = `${min > 0 ? "a positive" : "a non-negative"} ${integer ? "integer" : "number"}`;
  if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    p.add(at(path, key), `must be ${kind}${min > 1 ? ` of at least ${min}` : ""}`);
    return undefined;
  }
  if (value > max) {
    p.add(at(path, key), `must be at most ${max}`);
    return undefined;
  }
  return value;
}

export function readBoolean(obj: Obj, key: string, path: string, p: Problems): boolean | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") {
    p.add(at(path, key), "must be true or false");
    return undefined;
  }
  return value;
}

/** An array whose items are each read by `item`; items that fail are dropped after their problem is recorded. */
export function readArray<T>(
  obj: Obj,
  key: string,
  path: string,
  p: Problems,
  item: (value: unknown, path: string, index: number) => T | undefined,
  opts: { required?: boolean; nonEmpty?: boolean } = {},
): T[] | undefined {
  const value = obj[key];
  if (value === undefined) {
    if (opts.required) p.add(at(path, key), "is required");
    return undefined;
  }
  if (!Array.isArray(value)) {
    p.add(at(path, key), "must be an array");
    return undefined;
  }
  if (opts.nonEmpty && value.length === 0) p.add(at(path, key), "must not be empty");
  const out: T[] = [];
  value.forEach((v, i) => {
    const read = item(v, at(at(path, key), i), i);
    if (read !== undefined) out.push(read);
  });
  return out;
}

/** An item reader for arrays of strings, optionally checked by `valid`. */
export const stringItem =
  (p: Problems, valid?: (s: string) => boolean, hint = "a valid value") =>
  (value: unknown, path: string): string | undefined => {
    if (typeof value !== "string" || value === "") {
      p.add(path, "must be a non-empty string");
      return undefined;
    }
    if (valid && !valid(value)) {
      p.add(path, `must be ${hint} (got ${JSON.stringify(value)})`);
      return undefined;
    }
    return value;
  };
