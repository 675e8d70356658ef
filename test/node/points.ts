// Data points for the fake SQL API, built by field name from the schema docs/telemetry.md documents
// (the same table users query by): { action: "block", country: "IR", asn: 64500 }.
import { documentedSchema } from "../setup/analytics-sql/schema.ts";

export const schema = documentedSchema();

export type Fields = Record<string, string | number>;

export interface StoredPoint {
  blobs: string[];
  doubles: number[];
  indexes: string[];
  timestamp?: number;
  sampleInterval?: number;
}

const byName = new Map([...schema.fields].map(([column, name]) => [name, column]));

/** One point; fields not given are empty (blobs) or 0 (doubles), as the gateway writes them. */
export function point(fields: Fields, options: { timestamp?: number; sampleInterval?: number } = {}): StoredPoint {
  const blobs = Array.from({ length: schema.blobs }, () => "");
  const doubles = Array.from({ length: schema.doubles }, () => 0);
  for (const [name, value] of Object.entries(fields)) {
    const column = byName.get(name);
    if (!column) throw new Error(`no field ${name} in the schema docs/telemetry.md documents`);
    const n = Number(column.replace(/\D+/, "")) - 1;
    if (column.startsWith("blob")) blobs[n] = String(value);
    else doubles[n] = Number(value);
  }
  return { blobs, doubles, indexes: [String(fields.route ?? "")], ...options };
}

export async function store(base: string, account: string, points: StoredPoint[]): Promise<void> {
  const r = await fetch(`${base}/__points/${account}`, { method: "POST", body: JSON.stringify(points) });
  if (!r.ok) throw new Error(`storing points failed: ${r.status}`);
}
