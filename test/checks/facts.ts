import { loadConfig } from "../../src/config/parse";
import type { RequestFacts, RouteConfig } from "../../src/config/types";
import { createKeyHasher } from "../../src/identity/key-hash";
import { identify } from "../../src/identity/subject";

/** The hasher facts() identifies with: what a test binds an attestation to. */
export const hashKey = createKeyHasher("test-secret");

// A route as the config parser builds it (checks are passed to the check under test directly).
const route: RouteConfig = { ...loadConfig({ routes: [{ name: "messages", match: { path: "/v1/messages", methods: ["POST"] } }] }).routes[0]!, needsBody: true };

export interface FakeRequest {
  /** What Cloudflare's edge would have put on `request.cf`. */
  cf?: Record<string, unknown>;
  /** `CF-Connecting-IP`. */
  ip?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

/** Facts as the pipeline builds them: a real Request with a faked `cf`, a Subject from `identify()`, the body read once. */
export async function facts(req: FakeRequest = {}): Promise<RequestFacts> {
  const headers = new Headers(req.headers);
  if (req.ip) headers.set("cf-connecting-ip", req.ip);
  const text = req.body === undefined ? null : typeof req.body === "string" ? req.body : JSON.stringify(req.body);
  const request = new Request("https://gateway.test/v1/messages", {
    method: "POST",
    headers,
    body: text,
    cf: req.cf as RequestInit["cf"],
  });
  let body: RequestFacts["body"] = null;
  if (text !== null) {
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      json = undefined;
    }
    const model = (json as { model?: unknown } | null)?.model;
    body = { bytes, json, model: typeof model === "string" ? model : null };
  }
  return { request, subject: await identify(request, hashKey), route, body };
}
