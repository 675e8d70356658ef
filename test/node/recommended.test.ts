// What is measured is what ships: wrangler.toml deploys the recommended configuration by name, the
// simulator's `recommended` is the same object, and the committed report (whose figures the README
// quotes) was made from src/config/recommended.json as it is now.
import { readFileSync } from "node:fs";
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { configDigest } from "../../scripts/config-digest.ts";
import { loadConfigModules } from "../../scripts/config-modules.ts";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const report = read("bench/results/recommended/report.md");
const { NAMED_CONFIGS, RECOMMENDED_CONFIG, SHIPPED_CONFIGS } = await loadConfigModules();

describe("the recommended configuration", () => {
  it("is what wrangler.toml deploys: GATEWAY_CONFIG names it", () => {
    const shipped = unstable_readConfig({ config: new URL("wrangler.toml", root).pathname }, { hideWarnings: true });
    const name = shipped.vars.GATEWAY_CONFIG;
    expect(name).toBe("recommended");
    expect(NAMED_CONFIGS[name as string]).toBe(RECOMMENDED_CONFIG);
    expect(RECOMMENDED_CONFIG).toEqual(JSON.parse(read("src/config/recommended.json")));
  });

  it("is what the simulator runs as `recommended`", () => {
    expect(SHIPPED_CONFIGS.recommended!.config).toBe(RECOMMENDED_CONFIG);
  });

  it("is what bench/results/recommended/report.md measured (npm run simulate -- --gateway recommended)", () => {
    const digest = /configuration SHA-256 `([0-9a-f]{64})`/.exec(report)?.[1];
    expect(digest, "the report names its configuration's SHA-256").toBeDefined();
    expect(digest, "src/config/recommended.json changed since the report: run the simulation again").toBe(
      configDigest(RECOMMENDED_CONFIG),
    );
  });

  it("gives the tables docs/results.md shows", () => {
    const results = read("docs/results.md");
    const rows = report.split("\n").filter((line) => line.startsWith("| "));
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(results, row).toContain(row);
  });

  it("gives the figures the README opens with", () => {
    const farm = /^\| farm \| [\d,]+ \| [\d,]+ \| [\d,]+ \| [\d,]+[^|]* \| ([\d.]+)× \|/m.exec(report)?.[1];
    const legitimate = /^\| \*\*all legitimate\*\* \| [\d,]+ \| ([\d,]+) \| (\d+) /m.exec(report);
    expect(farm).toBeDefined();
    expect(legitimate).not.toBeNull();
    const readme = read("README.md").replace(/\s+/g, " ");
    expect(readme).toContain(`${farm}-fold`);
    expect(readme).toContain(
      `denies ${legitimate![2] === "0" ? "none" : legitimate![2]} of ${legitimate![1]} legitimate requests`,
    );
  });
});
