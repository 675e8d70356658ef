// A browser's CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) for a route's call is
// forwarded to the origin before any rule meant for the call, and counted in no bucket: refusing it would stop
// the browser from ever sending the call.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/input.ts";
import { GERMANY, harness, json, registry } from "./harness.ts";

const PATH = "/__demo/echo/v1/messages";
const config: ConfigInput = {
  routes: [
    {
      name: "messages",
      match: { path: PATH, methods: ["POST"] },
      errors: "anthropic",
      geo: { deny: { regions: ["DE-BE"] } },
      fingerprint: { automation: "block" },
      limits: [{ name: "subnet", by: ["subnet"], rate: "1 per minute" }],
    },
  ],
};

/** What Chrome sends before a web app's call with the SDK (its own key in x-api-key). */
const preflight = (method = "POST", extra: Record<string, string> = {}) => ({
  method: "OPTIONS",
  headers: {
    accept: "*/*",
    "accept-language": "de-DE,de;q=0.9,en;q=0.8",
    "access-control-request-headers": "anthropic-version,content-type,x-api-key",
    "access-control-request-method": method,
    origin: "https://chat.example-app.com",
    referer: "https://chat.example-app.com/",
    "sec-fetch-mode": "cors",
    "user-agent":
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ...extra,
  },
});
type Echo = { method: string; headers: Record<string, string>; bodyLength: number };
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("CORS preflights", () => {
  it("are forwarded where the call's geo rule, fingerprint rule and subnet bucket would refuse them", async () => {
    const gw = harness(config);
    for (let i = 0; i < 3; i++) {
      const res = await gw.call(PATH, preflight());
      expect(res.status).toBe(200);
      expect(((await res.json()) as Echo).method).toBe("OPTIONS");
    }
    expect(gw.events.map((e) => [e.method, e.route, e.action, e.reason])).toEqual(
      Array.from({ length: 3 }, () => ["OPTIONS", "messages", "allow", null]),
    );
    // the call itself is judged as ever: Berlin is denied
    const call = await gw.call(PATH, json({ model: "demo-small" }, { "x-api-key": "sk-browser" }));
    expect([call.status, await code(call)]).toEqual([451, "geo.region_denied"]);
  });

  it("are counted in no bucket: the subnet's one request a minute is still there for the call", async () => {
    const gw = harness(config);
    const munich = { ...GERMANY, regionCode: "BY" };
    for (let i = 0; i < 2; i++) expect((await gw.call(PATH, { ...preflight(), cf: munich })).status).toBe(200);
    const browser = { "x-api-key": "sk-browser", "user-agent": preflight().headers["user-agent"] };
    const first = await gw.call(PATH, { ...json({ model: "demo-small" }, browser), cf: munich });
    expect(first.status).toBe(200);
    const second = await gw.call(PATH, { ...json({ model: "demo-small" }, browser), cf: munich });
    expect([second.status, await code(second)]).toEqual([429, "rate.subnet_exhausted"]);
  });

  it("reach the origin without a body or the origin's credential, and pass a key registry", async () => {
    const gw = harness(config, { originApiKey: "sk-origin", accounts: await registry(["sk-known"]) });
    const res = await gw.call(PATH, { ...preflight(), cf: { ...GERMANY, regionCode: "HH" } });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.headers["x-api-key"]).toBeUndefined();
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.bodyLength).toBe(0);
  });

  it("are only what a browser sends: other OPTIONS requests and other announced methods meet the usual rules", async () => {
    const gw = harness(config);
    const refused = async (init: Parameters<typeof gw.call>[1]) => {
      const res = await gw.call(PATH, init);
      return [res.status, await code(res)];
    };
    // no route takes OPTIONS or DELETE on this path, and unmatched requests are answered 404
    expect(await refused({ method: "OPTIONS", headers: { origin: "https://chat.example-app.com" } })).toEqual([
      404,
      "route.not_found",
    ]);
    expect(await refused(preflight("DELETE"))).toEqual([404, "route.not_found"]);
    expect(await refused(preflight("POST, GET"))).toEqual([404, "route.not_found"]);
    // with a body it is not a preflight
    expect(await refused({ ...preflight(), body: "{}" })).toEqual([404, "route.not_found"]);
  });
});
