import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
it("runs", async () => {
  const r = await exports.default.fetch(new Request("http://x/", { cf: { country: "DE" } as any }));
  expect(await r.json()).toEqual({ cf: "DE", origin: "http://127.0.0.1:8788" });
});
