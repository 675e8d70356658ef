import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULTS, loadConfig, parseConfig } from "../../src/config/parse.ts";
import { matchRoute } from "../../src/config/routes.ts";

const route = { name: "messages", match: { path: "/v1/messages", methods: ["POST"] } };

describe("parseConfig", () => {
  it("fills every default", () => {
    const config = loadConfig({ routes: [route] });
    expect(config.unmatched).toBe(DEFAULTS.unmatched);
    expect(config.errors).toBe("anthropic");
    expect(config.store).toEqual({
      timeoutMs: 150,
      onError: "local",
      prefix: "dg",
      clock: "redis",
      recoverAfterMs: 1000,
    });
    const [r] = config.routes;
    expect(r).toMatchObject({
      name: "messages",
      mode: "enforce",
      errors: "anthropic",
      maxBodyBytes: 32 * 1024 * 1024,
      originTimeoutMs: 300_000,
    });
  });

  it("route settings override the top-level defaults", () => {
    const config = loadConfig({
      errors: "openai",
      mode: "shadow",
      routes: [route, { ...route, name: "b", errors: "problem", mode: "enforce" }],
    });
    expect(config.routes.map((r) => [r.errors, r.mode])).toEqual([
      ["openai", "shadow"],
      ["problem", "enforce"],
    ]);
  });

  it("reads a route's habits, with defaults, and lists their problems by path", () => {
    const config = loadConfig({
      routes: [
        {
          ...route,
          content: {},
          habits: [
            { name: "one-shot", of: "single-shot", share: 0.95 },
            { name: "r", of: "reasoning", share: 0.8, minRequests: 10, halfLife: "12h", action: "degrade" },
          ],
        },
      ],
    });
    expect(config.routes[0]!.habits).toEqual([
      { name: "one-shot", of: "single-shot", share: 0.95, minRequests: 20, halfLifeMs: 86_400_000, action: "flag" },
      { name: "r", of: "reasoning", share: 0.8, minRequests: 10, halfLifeMs: 43_200_000, action: "degrade" },
    ]);
    expect(config.routes[0]!.needsBody).toBe(true);
    const result = parseConfig({
      routes: [
        {
          ...route,
          habits: [
            { name: "a", of: "reasoning", share: 1.5, minRequests: 0, halfLife: "30s", action: "throttle" },
            { name: "a", of: "templates", share: 0.5 },
            { name: "b" },
            { name: "c", of: "reasoning", share: 0.5 },
          ],
        },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'routes[0].habits[0].of: is "reasoning": needs the route\'s "content"',
      "routes[0].habits[0].share: must be at most 1",
      "routes[0].habits[0].minRequests: must be a positive number",
      'routes[0].habits[0].halfLife: must be "<n>s|m|h|d" or seconds, from 1 minute to 7 days, such as "1d"',
      'routes[0].habits[0].action: must be one of "flag", "degrade", "challenge", "block"',
      'routes[0].habits[1].name: duplicates routes[0].habits[0].name "a"',
      'routes[0].habits[1].of: must be one of "single-shot", "reasoning"',
      'routes[0].habits[2].of: is required: "single-shot" or "reasoning"',
      "routes[0].habits[2].share: is required",
      'routes[0].habits[3].of: is "reasoning": needs the route\'s "content"',
    ]);
  });

  it("lists every problem by path, not only the first", () => {
    const result = parseConfig({
      unmatched: "drop",
      store: { timeoutMs: -1, onError: "maybe", extra: 1 },
      routes: [
        { name: "ok", match: { path: "/v1/messages" } },
        { name: "bad name!", match: { path: "v1/nope", methods: ["FETCH"] }, mode: "loud", maxBodyBytes: 1.5 },
        { match: {}, errors: "xml", typo: true },
        { name: "ok", match: { paths: [] } },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        'unmatched: must be one of "forward", "404"',
        "store.extra: unknown field (expected one of: timeoutMs, onError, prefix, clock, recoverAfterMs)",
        "store.timeoutMs: must be a positive integer",
        'store.onError: must be one of "open", "closed", "local"',
        "routes[1].name: must be letters, digits, '-', '_' or '.', at most 64 characters",
        'routes[1].match.path: must be a path starting with "/" (":name" matches one segment, "*" anything); got "v1/nope"',
        expect.stringMatching(/^routes\[1\]\.match\.methods\[0\]: must be an HTTP method/),
        'routes[1].mode: must be one of "enforce", "shadow"',
        "routes[1].maxBodyBytes: must be a positive integer",
        "routes[2].typo: unknown field (expected one of: name, match, mode, errors, maxBodyBytes, originTimeoutMs, geo, fingerprint, content, limits, clusters, spread, habits, providerHeaders, blocks, trust, throttle, keyless, credential, unproven, degrade, challenge, risk)",
        "routes[2].name: is required",
        "routes[2].match.path: is required",
        'routes[2].errors: must be one of "anthropic", "openai", "problem"',
        "routes[3].match.paths: must not be empty",
        'routes[3].name: duplicates routes[0].name "ok"',
      ]),
    );
    expect(result.problems).toHaveLength(15);
  });

  it("reads store.recoverAfterMs, the time requests skip a failed store (issue 13), from 0 to 300,000 ms", () => {
    expect(loadConfig({ store: { onError: "closed", recoverAfterMs: 5000 }, routes: [route] }).store).toMatchObject({
      onError: "closed",
      recoverAfterMs: 5000,
    });
    expect(loadConfig({ store: { recoverAfterMs: 0 }, routes: [route] }).store.recoverAfterMs).toBe(0);
    for (const recoverAfterMs of [-1, 1.5, 300_001, "1s"]) {
      const result = parseConfig({ store: { recoverAfterMs }, routes: [route] });
      expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(/^store\.recoverAfterMs: /)]);
    }
  });

  it("rejects a config that is not an object, or has no routes", () => {
    expect(parseConfig("nope")).toEqual({ ok: false, problems: ["config: must be an object"] });
    expect(parseConfig({})).toEqual({ ok: false, problems: ["routes: is required"] });
  });

  it("loadConfig throws one ConfigError with the whole list", () => {
    try {
      loadConfig({ routes: [{ name: "x" }], errors: "html" } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'errors: must be one of "anthropic", "openai", "problem"',
        "routes[0].match: is required",
      ]);
      expect((error as Error).message).toContain("routes[0].match: is required");
    }
  });
});

describe("matchRoute", () => {
  const config = loadConfig({
    routes: [
      { name: "messages", match: { path: "/v1/messages", methods: ["post"] } },
      { name: "model", match: { path: "/v1/models/:id" } },
      { name: "v2", match: { paths: ["/v2/*", "/beta"] } },
    ],
  });
  const name = (method: string, path: string) => matchRoute(config, method, path)?.name ?? null;

  it("matches method and path, first route first", () => {
    expect(name("POST", "/v1/messages")).toBe("messages");
    expect(name("GET", "/v1/messages")).toBeNull();
    expect(name("POST", "/v1/messages/batches")).toBeNull();
    expect(name("GET", "/v1/models/fable-5")).toBe("model");
    expect(name("GET", "/v1/models/a/b")).toBeNull();
    expect(name("PUT", "/v2/anything/below")).toBe("v2");
    expect(name("GET", "/beta")).toBe("v2");
    expect(name("GET", "/betamax")).toBeNull();
  });

  it("matches canonical paths in any case; a trailing /* matches its prefix too, a trailing / in a pattern is ignored", () => {
    expect(name("POST", "/V1/Messages")).toBe("messages");
    expect(name("PUT", "/v2")).toBe("v2");
    expect(name("PUT", "/v2x")).toBeNull();
    const c = loadConfig({ routes: [{ name: "slash", match: { path: "/v1/files/" } }] });
    expect(matchRoute(c, "GET", "/v1/files")?.name).toBe("slash");
  });

  it("treats regex characters in paths literally", () => {
    const c = loadConfig({ routes: [{ name: "dot", match: { path: "/v1/a.b" } }] });
    expect(matchRoute(c, "GET", "/v1/a.b")?.name).toBe("dot");
    expect(matchRoute(c, "GET", "/v1/axb")).toBeNull();
  });
});
