/**
 * A small engine for the Analytics Engine SQL dialect (ClickHouse's, cut
 * down), enough to check and run the repository's queries against data points
 * the tests write: SELECT … FROM <dataset> [WHERE] [GROUP BY] [HAVING]
 * [ORDER BY] [LIMIT] [FORMAT JSON]. It refuses what the real API would refuse
 * for these queries: a column that is not in the documented schema, an
 * unknown function, an aggregate in WHERE, a column neither grouped nor
 * aggregated, another table. Answers in ClickHouse's JSON format (64-bit
 * integers as strings, DateTime as "YYYY-MM-DD hh:mm:ss").
 */

export class SqlError extends Error {}

export interface Schema {
  dataset: string;
  blobs: number;
  doubles: number;
}

/** One stored data point: what writeDataPoint() was given, plus when and its sample weight. */
export interface Point {
  timestamp: number;
  index: string;
  blobs: string[];
  doubles: number[];
  sampleInterval: number;
}

// ---------------------------------------------------------------- tokens

type Token = { kind: "ident" | "qident" | "number" | "string" | "op"; text: string; pos: number };
const OPERATORS = ["!=", "<>", "<=", ">=", "(", ")", ",", "*", "+", "-", "/", "%", "=", "<", ">"];

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) i++;
    else if (sql.startsWith("--", i)) i = sql.indexOf("\n", i) < 0 ? sql.length : sql.indexOf("\n", i);
    else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) throw new SqlError(`Syntax error: unterminated comment at position ${i}`);
      i = end + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))!;
      tokens.push({ kind: "ident", text: m[0], pos: i });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      const m = /^(\d+\.?\d*(e[+-]?\d+)?|\.\d+)/i.exec(sql.slice(i))!;
      tokens.push({ kind: "number", text: m[0], pos: i });
      i += m[0].length;
    } else if (c === "'") {
      let text = "";
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new SqlError(`Syntax error: unterminated string at position ${i}`);
        if (sql[j] === "\\") {
          text += sql[j + 1] ?? "";
          j += 2;
        } else if (sql[j] === "'" && sql[j + 1] === "'") {
          text += "'";
          j += 2;
        } else if (sql[j] === "'") break;
        else text += sql[j++];
      }
      tokens.push({ kind: "string", text, pos: i });
      i = j + 1;
    } else if (c === '"' || c === "`") {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) throw new SqlError(`Syntax error: unterminated identifier at position ${i}`);
      tokens.push({ kind: "qident", text: sql.slice(i + 1, end), pos: i });
      i = end + 1;
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i));
      if (!op) throw new SqlError(`Syntax error: unexpected ${JSON.stringify(c)} at position ${i}`);
      tokens.push({ kind: "op", text: op, pos: i });
      i += op.length;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------- syntax tree

export type Expr =
  | { kind: "column"; name: string }
  | { kind: "literal"; value: number | string }
  | { kind: "interval"; ms: number; unit: string }
  | { kind: "star" }
  | { kind: "call"; name: string; params: Expr[]; args: Expr[]; distinct: boolean }
  | { kind: "unary"; op: "-" | "NOT"; arg: Expr }
  | { kind: "binary"; op: string; left: Expr; right: Expr }
  | { kind: "in"; arg: Expr; list: Expr[]; negated: boolean };

export interface Query {
  select: Array<{ expr: Expr; alias: string | null; text: string }>;
  from: string;
  where: Expr | null;
  groupBy: Expr[];
  having: Expr | null;
  orderBy: Array<{ expr: Expr; desc: boolean }>;
  limit: number | null;
  offset: number;
  format: string | null;
}

const KEYWORDS = new Set(
  "SELECT FROM WHERE GROUP BY HAVING ORDER LIMIT OFFSET FORMAT AS ASC DESC AND OR NOT IN LIKE ILIKE INTERVAL DISTINCT".split(
    " ",
  ),
);
const UNITS: Record<string, number> = {
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
  WEEK: 604_800_000,
};

class Parser {
  private at = 0;
  private readonly tokens: Token[];
  private readonly sql: string;
  constructor(tokens: Token[], sql: string) {
    this.tokens = tokens;
    this.sql = sql;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }
  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === "ident" && t.text.toUpperCase() === word;
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === "op" && t.text === op;
  }
  private fail(what: string): never {
    const t = this.peek();
    throw new SqlError(
      `Syntax error: ${what} at ${t ? `position ${t.pos} (${JSON.stringify(t.text)})` : "end of query"}`,
    );
  }
  private word(word: string): void {
    if (!this.isWord(word)) this.fail(`expected ${word}`);
    this.at++;
  }
  private op(op: string): void {
    if (!this.isOp(op)) this.fail(`expected "${op}"`);
    this.at++;
  }
  private identifier(): string {
    const t = this.peek();
    if (t?.kind === "qident" || (t?.kind === "ident" && !KEYWORDS.has(t.text.toUpperCase()))) {
      this.at++;
      return t.text;
    }
    return this.fail("expected a name");
  }
  private integer(): number {
    const t = this.peek();
    if (t?.kind !== "number" || !/^\d+$/.test(t.text)) this.fail("expected an integer");
    this.at++;
    return Number(t!.text);
  }

  query(): Query {
    this.word("SELECT");
    const select: Query["select"] = [];
    do {
      const start = this.peek()?.pos ?? 0;
      const expr = this.expr();
      const end = this.peek()?.pos ?? this.sql.length;
      let alias: string | null = null;
      if (this.isWord("AS")) {
        this.at++;
        alias = this.identifier();
      }
      select.push({ expr, alias, text: this.sql.slice(start, end).trim() });
    } while (this.isOp(",") && ++this.at);
    this.word("FROM");
    const from = this.identifier();
    let where: Expr | null = null;
    if (this.isWord("WHERE")) {
      this.at++;
      where = this.expr();
    }
    const groupBy: Expr[] = [];
    if (this.isWord("GROUP")) {
      this.at++;
      this.word("BY");
      do groupBy.push(this.expr());
      while (this.isOp(",") && ++this.at);
    }
    let having: Expr | null = null;
    if (this.isWord("HAVING")) {
      this.at++;
      having = this.expr();
    }
    const orderBy: Query["orderBy"] = [];
    if (this.isWord("ORDER")) {
      this.at++;
      this.word("BY");
      do {
        const expr = this.expr();
        let desc = false;
        if (this.isWord("DESC") || this.isWord("ASC")) desc = this.tokens[this.at++]!.text.toUpperCase() === "DESC";
        orderBy.push({ expr, desc });
      } while (this.isOp(",") && ++this.at);
    }
    let limit: number | null = null;
    let offset = 0;
    if (this.isWord("LIMIT")) {
      this.at++;
      limit = this.integer();
      if (this.isOp(",")) {
        this.at++;
        offset = limit;
        limit = this.integer();
      } else if (this.isWord("OFFSET")) {
        this.at++;
        offset = this.integer();
      }
    }
    let format: string | null = null;
    if (this.isWord("FORMAT")) {
      this.at++;
      format = this.identifier();
    }
    if (this.peek()) this.fail("unexpected text after the query");
    return { select, from, where, groupBy, having, orderBy, limit, offset, format };
  }

  expr(): Expr {
    let left = this.and();
    while (this.isWord("OR")) {
      this.at++;
      left = { kind: "binary", op: "OR", left, right: this.and() };
    }
    return left;
  }
  private and(): Expr {
    let left = this.not();
    while (this.isWord("AND")) {
      this.at++;
      left = { kind: "binary", op: "AND", left, right: this.not() };
    }
    return left;
  }
  private not(): Expr {
    if (this.isWord("NOT")) {
      this.at++;
      return { kind: "unary", op: "NOT", arg: this.not() };
    }
    return this.comparison();
  }
  private comparison(): Expr {
    const left = this.additive();
    const t = this.peek();
    if (t?.kind === "op" && ["=", "!=", "<>", "<", "<=", ">", ">="].includes(t.text)) {
      this.at++;
      return { kind: "binary", op: t.text === "<>" ? "!=" : t.text, left, right: this.additive() };
    }
    const negated = this.isWord("NOT") && (this.isWord("IN", 1) || this.isWord("LIKE", 1) || this.isWord("ILIKE", 1));
    if (negated) this.at++;
    if (this.isWord("IN")) {
      this.at++;
      this.op("(");
      const list: Expr[] = [];
      do list.push(this.additive());
      while (this.isOp(",") && ++this.at);
      this.op(")");
      return { kind: "in", arg: left, list, negated };
    }
    if (this.isWord("LIKE") || this.isWord("ILIKE")) {
      const op = this.tokens[this.at++]!.text.toUpperCase();
      const like: Expr = { kind: "binary", op, left, right: this.additive() };
      return negated ? { kind: "unary", op: "NOT", arg: like } : like;
    }
    if (negated) this.fail("expected IN or LIKE");
    return left;
  }
  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.tokens[this.at++]!.text;
      left = { kind: "binary", op, left, right: this.multiplicative() };
    }
    return left;
  }
  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.tokens[this.at++]!.text;
      left = { kind: "binary", op, left, right: this.unary() };
    }
    return left;
  }
  private unary(): Expr {
    if (this.isOp("-")) {
      this.at++;
      return { kind: "unary", op: "-", arg: this.unary() };
    }
    return this.primary();
  }
  private primary(): Expr {
    const t = this.peek();
    if (!t) return this.fail("expected an expression");
    if (t.kind === "number") {
      this.at++;
      return { kind: "literal", value: Number(t.text) };
    }
    if (t.kind === "string") {
      this.at++;
      return { kind: "literal", value: t.text };
    }
    if (this.isOp("(")) {
      this.at++;
      const e = this.expr();
      this.op(")");
      return e;
    }
    if (this.isOp("*")) {
      this.at++;
      return { kind: "star" };
    }
    if (this.isWord("INTERVAL")) {
      this.at++;
      const n = this.peek();
      if (n?.kind !== "string" && n?.kind !== "number") this.fail("expected the interval's length");
      this.at++;
      const count = Number(n!.text);
      const unit = this.identifier().toUpperCase().replace(/S$/, "");
      if (!Number.isFinite(count) || !(unit in UNITS)) this.fail(`bad interval ${n!.text} ${unit}`);
      return { kind: "interval", ms: count * UNITS[unit]!, unit };
    }
    if (t.kind === "ident" || t.kind === "qident") {
      const name = this.identifier();
      if (!this.isOp("(")) return { kind: "column", name };
      const first = this.args();
      if (this.isOp("(")) {
        const second = this.args();
        return { kind: "call", name, params: first.args, args: second.args, distinct: second.distinct };
      }
      return { kind: "call", name, params: [], args: first.args, distinct: first.distinct };
    }
    return this.fail("expected an expression");
  }
  private args(): { args: Expr[]; distinct: boolean } {
    this.op("(");
    const args: Expr[] = [];
    let distinct = false;
    if (this.isWord("DISTINCT")) {
      this.at++;
      distinct = true;
    }
    if (!this.isOp(")")) {
      do args.push(this.expr());
      while (this.isOp(",") && ++this.at);
    }
    this.op(")");
    return { args, distinct };
  }
}

export function parse(sql: string): Query {
  return new Parser(tokenize(sql), sql).query();
}

/** Parses and checks; throws SqlError with the reason when the real API would refuse the query. */
export function validate(sql: string, schema: Schema): Array<{ name: string; type: string }> {
  return check(parse(sql), schema);
}

// ---------------------------------------------------------------- checking

type Type = "String" | "Float64" | "UInt64" | "UInt32" | "UInt8" | "DateTime" | "Interval";

const AGGREGATES: Record<string, { args: [number, number]; params?: number; type: (arg: Type[]) => Type }> = {
  count: { args: [0, 1], type: () => "UInt64" },
  sum: { args: [1, 1], type: ([t]) => (t?.startsWith("UInt") ? "UInt64" : "Float64") },
  avg: { args: [1, 1], type: () => "Float64" },
  min: { args: [1, 1], type: ([t]) => t! },
  max: { args: [1, 1], type: ([t]) => t! },
  countif: { args: [1, 1], type: () => "UInt64" },
  sumif: { args: [2, 2], type: ([t]) => (t?.startsWith("UInt") ? "UInt64" : "Float64") },
  avgif: { args: [2, 2], type: () => "Float64" },
  quantileexactweighted: { args: [2, 2], params: 1, type: ([t]) => t! },
  quantileweighted: { args: [3, 3], type: ([, t]) => t! },
};
const SCALARS: Record<string, { args: [number, number]; type: (arg: Type[]) => Type }> = {
  now: { args: [0, 0], type: () => "DateTime" },
  tostartofinterval: { args: [2, 2], type: () => "DateTime" },
  tostartofminute: { args: [1, 1], type: () => "DateTime" },
  tostartofhour: { args: [1, 1], type: () => "DateTime" },
  tostartofday: { args: [1, 1], type: () => "DateTime" },
  tounixtimestamp: { args: [1, 1], type: () => "UInt32" },
  intdiv: { args: [2, 2], type: () => "UInt64" },
  round: { args: [1, 2], type: () => "Float64" },
  if: { args: [3, 3], type: ([, t]) => t! },
  lower: { args: [1, 1], type: () => "String" },
  length: { args: [1, 1], type: () => "UInt64" },
};

const columnType = (name: string, schema: Schema): Type | null => {
  if (name === "timestamp") return "DateTime";
  if (name === "_sample_interval") return "UInt32";
  if (name === "index1" || name === "dataset") return "String";
  const m = /^(blob|double)([1-9]\d*)$/.exec(name);
  if (!m) return null;
  const n = Number(m[2]);
  if (m[1] === "blob") return n <= schema.blobs ? "String" : null;
  return n <= schema.doubles ? "Float64" : null;
};

const isAggregate = (e: Expr): boolean =>
  e.kind === "call"
    ? e.name.toLowerCase() in AGGREGATES || e.args.some(isAggregate)
    : e.kind === "unary"
      ? isAggregate(e.arg)
      : e.kind === "binary"
        ? isAggregate(e.left) || isAggregate(e.right)
        : e.kind === "in"
          ? isAggregate(e.arg)
          : false;

/** Columns an expression reads, aliases resolved away, outside aggregate calls (for the GROUP BY check). */
function bareColumns(e: Expr, aliases: Map<string, Expr>): string[] {
  switch (e.kind) {
    case "column":
      return aliases.has(e.name) ? bareColumns(aliases.get(e.name)!, aliases) : [e.name];
    case "call":
      return e.name.toLowerCase() in AGGREGATES ? [] : e.args.flatMap((a) => bareColumns(a, aliases));
    case "unary":
      return bareColumns(e.arg, aliases);
    case "binary":
      return [...bareColumns(e.left, aliases), ...bareColumns(e.right, aliases)];
    case "in":
      return [...bareColumns(e.arg, aliases), ...e.list.flatMap((x) => bareColumns(x, aliases))];
    default:
      return [];
  }
}

const key = (e: Expr): string => JSON.stringify(e);

/** Checks a parsed query against the schema; returns each output column's name and type. */
export function check(q: Query, schema: Schema): Array<{ name: string; type: Type }> {
  if (q.from !== schema.dataset) throw new SqlError(`Table ${q.from} doesn't exist (the dataset is ${schema.dataset})`);
  if (q.format !== null && q.format !== "JSON")
    throw new SqlError(`this fake answers FORMAT JSON only (got ${q.format})`);
  const aliases = new Map<string, Expr>();
  for (const s of q.select) if (s.alias) aliases.set(s.alias, s.expr);

  const typeOf = (e: Expr, inAggregate: boolean): Type => {
    switch (e.kind) {
      case "column": {
        const t = columnType(e.name, schema);
        if (t) return t;
        if (aliases.has(e.name)) return typeOf(aliases.get(e.name)!, inAggregate);
        throw new SqlError(
          `Missing columns: '${e.name}' (not in the documented schema: timestamp, index1, _sample_interval, blob1..blob${schema.blobs}, double1..double${schema.doubles})`,
        );
      }
      case "literal":
        return typeof e.value === "string" ? "String" : Number.isInteger(e.value) ? "UInt64" : "Float64";
      case "interval":
        return "Interval";
      case "star":
        throw new SqlError("* is only allowed in count(*)");
      case "unary":
        return e.op === "NOT" ? (typeOf(e.arg, inAggregate), "UInt8") : typeOf(e.arg, inAggregate);
      case "in":
        typeOf(e.arg, inAggregate);
        e.list.forEach((x) => typeOf(x, inAggregate));
        return "UInt8";
      case "binary": {
        const l = typeOf(e.left, inAggregate);
        const r = typeOf(e.right, inAggregate);
        if (["AND", "OR", "=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE"].includes(e.op)) return "UInt8";
        if (l === "DateTime" && r === "Interval") return "DateTime";
        if (
          l === "DateTime" ||
          r === "DateTime" ||
          l === "Interval" ||
          r === "Interval" ||
          l === "String" ||
          r === "String"
        ) {
          throw new SqlError(`Illegal types ${l} and ${r} of arguments of ${e.op}`);
        }
        return l === "Float64" || r === "Float64" || e.op === "/" ? "Float64" : "UInt64";
      }
      case "call": {
        const name = e.name.toLowerCase();
        const agg = AGGREGATES[name];
        const fn = agg ?? SCALARS[name];
        if (!fn) throw new SqlError(`Unknown function ${e.name}`);
        if (agg && inAggregate)
          throw new SqlError(`Aggregate function ${e.name} is found inside another aggregate function`);
        const star = name === "count" && e.args.length === 1 && e.args[0]!.kind === "star";
        if (!star && (e.args.length < fn.args[0] || e.args.length > fn.args[1]))
          throw new SqlError(`Number of arguments for function ${e.name} doesn't match`);
        if ((agg?.params ?? 0) !== e.params.length)
          throw new SqlError(`Function ${e.name} ${agg?.params ? "needs" : "takes no"} parameters`);
        if (e.distinct && name !== "count" && name !== "sum" && name !== "avg")
          throw new SqlError(`DISTINCT is not supported in ${e.name}`);
        const argTypes = star ? [] : e.args.map((a) => typeOf(a, Boolean(agg) || inAggregate));
        return fn.type(argTypes);
      }
    }
  };

  const resolve = (e: Expr): Expr =>
    e.kind === "column" && aliases.has(e.name) && !columnType(e.name, schema)
      ? resolve(aliases.get(e.name)!)
      : e.kind === "call"
        ? { ...e, args: e.args.map(resolve) }
        : e.kind === "unary"
          ? { ...e, arg: resolve(e.arg) }
          : e.kind === "binary"
            ? { ...e, left: resolve(e.left), right: resolve(e.right) }
            : e.kind === "in"
              ? { ...e, arg: resolve(e.arg), list: e.list.map(resolve) }
              : e;
  if (q.where && isAggregate(resolve(q.where))) throw new SqlError("Aggregate function found in WHERE");
  if (q.where) typeOf(q.where, false);
  q.groupBy.forEach((g) => typeOf(g, false));
  if (q.having) typeOf(q.having, false);
  q.orderBy.forEach((o) => typeOf(o.expr, false));
  const out = q.select.map((s) => ({ name: s.alias ?? s.text, type: typeOf(s.expr, false) }));

  const grouped =
    q.groupBy.length > 0 || q.select.some((s) => isAggregate(s.expr)) || (q.having !== null && isAggregate(q.having));
  if (grouped) {
    const groupKeys = new Set(
      q.groupBy.map((g) => key(g.kind === "column" && aliases.has(g.name) ? aliases.get(g.name)! : g)),
    );
    const groupColumns = new Set(q.groupBy.flatMap((g) => bareColumns(g, aliases)));
    for (const s of q.select) {
      if (groupKeys.has(key(s.expr))) continue;
      for (const c of bareColumns(s.expr, aliases)) {
        if (!groupColumns.has(c)) throw new SqlError(`Column ${c} is not under aggregate function and not in GROUP BY`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- running

type Value = number | string | { dt: number } | { interval: number } | null;

const like = (text: string, pattern: string, ci: boolean) => {
  const re = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${re}$`, ci ? "is" : "s").test(text);
};
const asNumber = (v: Value): number =>
  typeof v === "number" ? v : v && typeof v === "object" && "dt" in v ? v.dt : Number(v);
const compare = (a: Value, b: Value): number => {
  const x = a && typeof a === "object" && "dt" in a ? a.dt : a;
  const y = b && typeof b === "object" && "dt" in b ? b.dt : b;
  if (typeof x === "number" && typeof y === "number") return x - y;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
};
const truthy = (v: Value) => v !== null && v !== 0 && v !== "";

function columnValue(p: Point, name: string): Value {
  if (name === "timestamp") return { dt: Math.floor(p.timestamp / 1000) * 1000 };
  if (name === "_sample_interval") return p.sampleInterval;
  if (name === "index1") return p.index;
  const m = /^(blob|double)(\d+)$/.exec(name)!;
  return m[1] === "blob" ? (p.blobs[Number(m[2]) - 1] ?? "") : (p.doubles[Number(m[2]) - 1] ?? 0);
}

/** Runs a checked query over the points; `nowMs` is NOW(). Rows in ClickHouse's JSON encoding. */
export function run(q: Query, schema: Schema, points: readonly Point[], nowMs: number) {
  const meta = check(q, schema);
  const aliases = new Map<string, Expr>();
  for (const s of q.select) if (s.alias) aliases.set(s.alias, s.expr);

  const evaluate = (e: Expr, rows: readonly Point[]): Value => {
    const row = rows[0];
    switch (e.kind) {
      case "column":
        if (columnType(e.name, schema)) return row ? columnValue(row, e.name) : null;
        return evaluate(aliases.get(e.name)!, rows);
      case "literal":
        return e.value;
      case "interval":
        return { interval: e.ms };
      case "star":
        return null;
      case "unary": {
        const v = evaluate(e.arg, rows);
        return e.op === "NOT" ? (truthy(v) ? 0 : 1) : -asNumber(v);
      }
      case "in": {
        const v = evaluate(e.arg, rows);
        const hit = e.list.some((x) => compare(v, evaluate(x, rows)) === 0);
        return hit !== e.negated ? 1 : 0;
      }
      case "binary": {
        if (e.op === "AND") return truthy(evaluate(e.left, rows)) && truthy(evaluate(e.right, rows)) ? 1 : 0;
        if (e.op === "OR") return truthy(evaluate(e.left, rows)) || truthy(evaluate(e.right, rows)) ? 1 : 0;
        const l = evaluate(e.left, rows);
        const r = evaluate(e.right, rows);
        switch (e.op) {
          case "=":
            return compare(l, r) === 0 ? 1 : 0;
          case "!=":
            return compare(l, r) !== 0 ? 1 : 0;
          case "<":
            return compare(l, r) < 0 ? 1 : 0;
          case "<=":
            return compare(l, r) <= 0 ? 1 : 0;
          case ">":
            return compare(l, r) > 0 ? 1 : 0;
          case ">=":
            return compare(l, r) >= 0 ? 1 : 0;
          case "LIKE":
          case "ILIKE":
            return like(String(l), String(r), e.op === "ILIKE") ? 1 : 0;
        }
        if (l && typeof l === "object" && "dt" in l && r && typeof r === "object" && "interval" in r) {
          return { dt: e.op === "+" ? l.dt + r.interval : l.dt - r.interval };
        }
        const a = asNumber(l);
        const b = asNumber(r);
        return e.op === "+" ? a + b : e.op === "-" ? a - b : e.op === "*" ? a * b : e.op === "/" ? a / b : a % b;
      }
      case "call": {
        const name = e.name.toLowerCase();
        const values = (x: Expr) => rows.map((p) => evaluate(x, [p]));
        const where = (x: Expr) => rows.filter((p) => truthy(evaluate(x, [p])));
        const sum = (xs: Value[]) => xs.reduce<number>((n, v) => n + asNumber(v), 0);
        switch (name) {
          case "count":
            if (e.distinct) return new Set(values(e.args[0]!).map((v) => JSON.stringify(v))).size;
            return rows.length;
          case "sum":
            return sum(e.distinct ? [...new Set(values(e.args[0]!))] : values(e.args[0]!));
          case "avg":
            return rows.length ? sum(values(e.args[0]!)) / rows.length : null;
          case "min":
          case "max": {
            const xs = values(e.args[0]!).sort(compare);
            return (name === "min" ? xs[0] : xs[xs.length - 1]) ?? null;
          }
          case "countif":
            return where(e.args[0]!).length;
          case "sumif":
            return sum(where(e.args[1]!).map((p) => evaluate(e.args[0]!, [p])));
          case "avgif": {
            const hit = where(e.args[1]!);
            return hit.length ? sum(hit.map((p) => evaluate(e.args[0]!, [p]))) / hit.length : null;
          }
          case "quantileexactweighted":
          case "quantileweighted": {
            const level = asNumber(evaluate(name === "quantileweighted" ? e.args[0]! : e.params[0]!, rows));
            const [x, w] = name === "quantileweighted" ? [e.args[1]!, e.args[2]!] : [e.args[0]!, e.args[1]!];
            const pairs = rows
              .map((p) => ({ v: asNumber(evaluate(x, [p])), w: asNumber(evaluate(w, [p])) }))
              .sort((a, b) => a.v - b.v);
            const total = pairs.reduce((n, p) => n + p.w, 0);
            let seen = 0;
            for (const p of pairs) if ((seen += p.w) >= level * total) return p.v;
            return pairs.length ? pairs[pairs.length - 1]!.v : null;
          }
          case "now":
            return { dt: Math.floor(nowMs / 1000) * 1000 };
          case "tostartofinterval":
          case "tostartofminute":
          case "tostartofhour":
          case "tostartofday": {
            const t = asNumber(evaluate(e.args[0]!, rows));
            const step =
              name === "tostartofinterval"
                ? (evaluate(e.args[1]!, rows) as { interval: number }).interval
                : UNITS[name.slice(9).toUpperCase()]!;
            return { dt: Math.floor(t / step) * step };
          }
          case "tounixtimestamp":
            return Math.floor(asNumber(evaluate(e.args[0]!, rows)) / 1000);
          case "intdiv":
            return Math.trunc(asNumber(evaluate(e.args[0]!, rows)) / asNumber(evaluate(e.args[1]!, rows)));
          case "round": {
            const digits = e.args[1] ? asNumber(evaluate(e.args[1], rows)) : 0;
            return Math.round(asNumber(evaluate(e.args[0]!, rows)) * 10 ** digits) / 10 ** digits;
          }
          case "if":
            return truthy(evaluate(e.args[0]!, rows)) ? evaluate(e.args[1]!, rows) : evaluate(e.args[2]!, rows);
          case "lower":
            return String(evaluate(e.args[0]!, rows)).toLowerCase();
          case "length":
            return String(evaluate(e.args[0]!, rows)).length;
        }
        throw new SqlError(`Unknown function ${e.name}`);
      }
    }
  };

  const filtered = q.where ? points.filter((p) => truthy(evaluate(q.where!, [p]))) : [...points];
  const grouped =
    q.groupBy.length > 0 || q.select.some((s) => isAggregate(s.expr)) || (q.having !== null && isAggregate(q.having));
  let groups: Point[][];
  if (grouped) {
    const byKey = new Map<string, Point[]>();
    for (const p of filtered) {
      const k = JSON.stringify(q.groupBy.map((g) => evaluate(g, [p])));
      byKey.set(k, [...(byKey.get(k) ?? []), p]);
    }
    groups = q.groupBy.length === 0 ? [filtered] : [...byKey.values()];
  } else {
    groups = filtered.map((p) => [p]);
  }
  if (q.having) groups = groups.filter((g) => truthy(evaluate(q.having!, g)));
  if (q.orderBy.length) {
    const sortKeys = new Map(groups.map((g) => [g, q.orderBy.map((o) => evaluate(o.expr, g))]));
    groups.sort((a, b) => {
      for (let i = 0; i < q.orderBy.length; i++) {
        const c = compare(sortKeys.get(a)![i]!, sortKeys.get(b)![i]!);
        if (c !== 0) return q.orderBy[i]!.desc ? -c : c;
      }
      return 0;
    });
  }
  const total = groups.length;
  groups = groups.slice(q.offset, q.limit === null ? undefined : q.offset + q.limit);

  const encode = (v: Value, type: Type): unknown => {
    if (v === null) return null;
    if (type === "DateTime") return new Date(asNumber(v)).toISOString().slice(0, 19).replace("T", " ");
    if (type === "UInt64") return String(Math.trunc(asNumber(v)));
    if (type === "String") return String(v);
    return asNumber(v);
  };
  const data = groups.map((g) =>
    Object.fromEntries(q.select.map((s, i) => [meta[i]!.name, encode(evaluate(s.expr, g), meta[i]!.type)])),
  );
  return { meta, data, rows: data.length, ...(q.limit !== null ? { rows_before_limit_at_least: total } : {}) };
}
