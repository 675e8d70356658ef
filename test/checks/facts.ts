import { readBody } from "../../src/request/body.ts";
import type { RequestFacts } from "../../src/request/facts.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import { identify } from "../../src/identity/subject.ts";

/** The hasher facts() identifies with: what a test binds an attestation to. */
export const hashKey = createKeyHasher("test-secret");

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
  // the guard's own bounded read: the facts a check sees in the pipeline
  const read = text === null ? null : await readBody(request.clone(), Number.MAX_SAFE_INTEGER);
  const body = read?.ok ? read.body : null;
  return { request, subject: await identify(request, hashKey, { credential: "x-api-key" }), body };
}
