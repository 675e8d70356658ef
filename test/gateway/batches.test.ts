// Message Batches: every request of a batch is judged by the model rules, and a body
// that names no model the gateway can read is refused on a route with model rules.
import { describe, expect, it } from "vitest";
import { GERMANY, harness, json } from "./harness.ts";

const US = { ...GERMANY, country: "US", regionCode: "CA", continent: "NA", asn: 7922 };
const params = (model: string) => ({ model, max_tokens: 1000, messages: [{ role: "user", content: "Hello" }] });
const batch = (...models: string[]) => ({
  requests: models.map((model, i) => ({ custom_id: `r${i}`, params: params(model) })),
});

function gateway() {
  return harness({
    routes: [
      {
        name: "messages",
        match: { paths: ["/v1/messages", "/v1/messages/batches", "/__demo/echo/*"], methods: ["POST"] },
        errors: "anthropic",
        geo: { models: { "fable-5*": { allow: { countries: ["US"] } } } },
        limits: [{ name: "key-tokens", by: ["key"], capacity: 100_000, refillPerSecond: 1000, cost: "tokens" }],
      },
    ],
  });
}

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("Message Batches on a route with model rules", () => {
  it("a batch of 50 requests for a restricted model from a denied country is refused (451)", async () => {
    const gw = gateway();
    const res = await gw.call("/v1/messages/batches", {
      ...json(batch(...Array(50).fill("fable-5")), { "x-api-key": "sk-batch-1" }),
      cf: GERMANY,
    });
    expect(res.status).toBe(451);
    expect(await code(res)).toBe("geo.model_restricted");
  });

  it("one restricted model hidden among allowed ones is enough", async () => {
    const gw = gateway();
    const res = await gw.call("/v1/messages/batches", {
      ...json(batch("demo-small", "demo-small", "fable-5-pro"), { "x-api-key": "sk-batch-2" }),
      cf: GERMANY,
    });
    expect(res.status).toBe(451);
  });

  it("a batch of allowed models goes through, and from an allowed country so does the restricted one", async () => {
    const gw = gateway();
    expect(
      (
        await gw.call("/__demo/echo/v1/messages/batches", {
          ...json(batch("demo-small", "demo-large"), { "x-api-key": "sk-batch-3" }),
          cf: GERMANY,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await gw.call("/__demo/echo/v1/messages/batches", {
          ...json(batch("fable-5"), { "x-api-key": "sk-batch-4" }),
          cf: US,
        })
      ).status,
    ).toBe(200);
  });

  it("a body that names no model, or a batch request without one, is refused with 400", async () => {
    const gw = gateway();
    const noModel = await gw.call("/v1/messages", {
      ...json({ max_tokens: 10, messages: [{ role: "user", content: "Hi" }] }, { "x-api-key": "sk-batch-5" }),
      cf: GERMANY,
    });
    expect([noModel.status, await code(noModel)]).toEqual([400, "request.model_unknown"]);
    const hidden = {
      requests: [
        { custom_id: "a", params: params("demo-small") },
        { custom_id: "b", params: { max_tokens: 10, messages: [] } },
      ],
    };
    const res = await gw.call("/v1/messages/batches", { ...json(hidden, { "x-api-key": "sk-batch-5" }), cf: US });
    expect([res.status, await code(res), res.headers.get("x-should-retry")]).toEqual([
      400,
      "request.model_unknown",
      "false",
    ]);
  });

  it("a batch is charged the output of all its requests: 200 requests × 1,000 tokens do not fit a 100,000-token bucket", async () => {
    const gw = gateway();
    const res = await gw.call("/v1/messages/batches", {
      ...json(batch(...Array(200).fill("demo-small")), { "x-api-key": "sk-batch-6" }),
      cf: US,
    });
    expect([res.status, await code(res)]).toEqual([429, "rate.key_tokens_too_large"]);
  });
});
