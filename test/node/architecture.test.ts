import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCircles, importGraph, sourceFiles } from "./import-graph.ts";

// The layering docs/development.md describes, checked on the source.
const root = fileURLToPath(new URL("../..", import.meta.url));
const files = sourceFiles(root);
const graph = importGraph(root, files);
const folder = (file: string) => file.split("/")[1]!;
const edges = [...graph].flatMap(([from, targets]) => targets.map((to) => ({ from, to })));

describe("the source's layering", () => {
  it("reads every module of src/", () => {
    expect(files.length).toBeGreaterThan(60);
    expect(edges.length).toBeGreaterThan(100);
  });

  it("has no import circles (type imports included)", () => {
    expect(importCircles(graph)).toEqual([]);
  });

  it("config compiles; checks, limits, request, identity and the verdict import config types only", () => {
    const layered = new Set(["checks", "limits", "request", "identity", "verdict"]);
    const wrong = edges.filter(
      ({ from, to }) => layered.has(folder(from)) && folder(to) === "config" && to !== "src/config/types.ts",
    );
    expect(wrong).toEqual([]);
  });

  it("config never imports the limiter, the guard, the proxy or telemetry", () => {
    const wrong = edges.filter(
      ({ from, to }) =>
        folder(from) === "config" && ["limits", "guard", "proxy", "telemetry", "admin"].includes(folder(to)),
    );
    expect(wrong).toEqual([]);
  });

  it("the request's facts depend on identity alone", () => {
    const wrong = edges.filter(
      ({ from, to }) => folder(from) === "request" && !["request", "identity"].includes(folder(to)),
    );
    expect(wrong).toEqual([]);
  });

  it("checks, the limiter, the request facts and the verdict never import Hono", () => {
    const pure = files.filter((f) => ["checks", "limits", "request", "verdict"].includes(folder(f)));
    expect(pure.filter((f) => /from\s+["']hono/.test(readFileSync(`${root}/${f}`, "utf8")))).toEqual([]);
  });
});

describe("the import-graph reader", () => {
  it("finds a circle, and none in a chain", () => {
    const circle = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(importCircles(circle)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(
      importCircles(
        new Map([
          ["a.ts", ["b.ts"]],
          ["b.ts", []],
        ]),
      ),
    ).toEqual([]);
  });
});
