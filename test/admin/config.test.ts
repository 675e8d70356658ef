// The admin section of the configuration, and where routes check manual blocks.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse.ts";

const route = (extra: Record<string, unknown> = {}) => ({ name: "r", match: { path: "/v1/messages" }, ...extra });

describe("admin and blocks configuration", () => {
  it("the admin API lives under /_guard unless told otherwise", () => {
    const parsed = parseConfig({ routes: [route()] });
    expect(parsed.ok && parsed.config.admin).toEqual({ prefix: "/_guard" });
    const custom = parseConfig({ routes: [route()], admin: { prefix: "/ops/guard-1" } });
    expect(custom.ok && custom.config.admin).toEqual({ prefix: "/ops/guard-1" });
  });

  it("rejects a prefix that is not a plain path, and unknown admin fields", () => {
    for (const prefix of ["", "/", "_guard", "/_guard/", "/a b", "/a/../b?x"]) {
      const parsed = parseConfig({ routes: [route()], admin: { prefix } });
      expect({ prefix, ok: parsed.ok }).toEqual({ prefix, ok: false });
    }
    const parsed = parseConfig({ routes: [route()], admin: { prefix: "/x", token: "in-config" } });
    expect(!parsed.ok && parsed.problems).toEqual(["admin.token: unknown field (expected one of: prefix)"]);
  });

  it("a route checks blocks when it calls the store anyway (it has limits), or when it says so", () => {
    const parsed = parseConfig({
      routes: [
        route({ name: "limited", limits: [{ name: "k", by: ["key"], rate: "1 per second" }] }),
        route({ name: "open" }),
        route({ name: "forced", blocks: true }),
        route({ name: "exempt", blocks: false, limits: [{ name: "k", by: ["key"], rate: "1 per second" }] }),
      ],
    });
    expect(parsed.ok && parsed.config.routes.map((r) => [r.name, r.blocks])).toEqual([
      ["limited", true],
      ["open", false],
      ["forced", true],
      ["exempt", false],
    ]);
    const bad = parseConfig({ routes: [route({ blocks: "yes" })] });
    expect(!bad.ok && bad.problems).toEqual(["routes[0].blocks: must be true or false"]);
  });
});
