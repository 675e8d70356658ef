// The guard holds one copy of a body it reads (issue 13): the bytes the checks
// and the proxy use are the ones handlers after it read from Hono.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { distillGuard } from "../../src/guard/guard.ts";
import type { GuardState } from "../../src/guard/guard.ts";

const config = { routes: [{ name: "messages", match: { path: "/v1/messages" }, content: {} }] };

describe("the guard's body", () => {
  for (const chunks of [1, 3]) {
    it(`is one buffer, shared with Hono's body cache (${chunks} chunk${chunks > 1 ? "s" : ""})`, async () => {
      const app = new Hono<{ Variables: { guard: GuardState } }>();
      app.use("*", distillGuard({ config, keyHashSecret: "body-copy-test-secret-0123" }));
      let same: boolean | null = null;
      let text = "";
      app.post("/v1/messages", async (c) => {
        const bytes = c.get("guard").body!.bytes;
        const cached = await c.req.arrayBuffer();
        same = cached === bytes.buffer && bytes.byteOffset === 0 && bytes.byteLength === cached.byteLength;
        text = await c.req.text();
        return c.json({ ok: true });
      });
      const body = JSON.stringify({
        model: "m",
        max_tokens: 1,
        messages: [{ role: "user", content: "x".repeat(5000) }],
      });
      const parts = Array.from({ length: chunks }, (_, i) =>
        body.slice((i * body.length) / chunks, ((i + 1) * body.length) / chunks),
      );
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const p of parts) controller.enqueue(new TextEncoder().encode(p));
          controller.close();
        },
      });
      const response = await app.request("/v1/messages", {
        method: "POST",
        body: stream,
        headers: { "content-type": "application/json", "x-api-key": "sk-1" },
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(200);
      expect(same).toBe(true);
      expect(text).toBe(body);
    });
  }
});
