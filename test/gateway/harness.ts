// Drives a real gateway app (the one the Worker serves) inside workerd, with a
// recording Analytics Engine binding and log sink, against the demo origin.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { inject } from "vitest";
import { createGateway } from "../../src/gateway.ts";
import type { ConfigInput } from "../../src/config/input.ts";
import type { DecisionEvent } from "../../src/telemetry/event.ts";
import { type AccountRecord, type AccountStore, createMemoryAccounts } from "../../src/limits/accounts.ts";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import type { CfFields } from "../../src/identity/cf.ts";
import type { LimitStore } from "../../src/limits/types.ts";

export const KEY_SECRET = "test-key-hash-secret-0123456789";

/** A client on a residential network in Germany, as request.cf describes it. */
export const GERMANY: CfFields = {
  country: "DE",
  regionCode: "BE",
  continent: "EU",
  asn: 3320,
  asOrganization: "Deutsche Telekom AG",
  colo: "FRA",
};

export interface CallInit extends Omit<RequestInit, "cf"> {
  cf?: CfFields;
  ip?: string;
}

export function harness(
  config: ConfigInput,
  options: {
    origin?: string;
    originApiKey?: string;
    store?: LimitStore;
    accounts?: AccountStore;
    adminToken?: string;
  } = {},
) {
  const points: AnalyticsEngineDataPoint[] = [];
  const logs: string[] = [];
  const events: DecisionEvent[] = [];
  const app = createGateway({
    config,
    keyHashSecret: KEY_SECRET,
    origin: { url: options.origin ?? inject("originUrl"), apiKey: options.originApiKey },
    analytics: { writeDataPoint: (point?: AnalyticsEngineDataPoint) => void points.push(point!) },
    log: (line) => logs.push(line),
    onDecision: (event) => events.push(event),
    store: options.store,
    accounts: options.accounts,
    ...(options.adminToken ? { admin: { token: options.adminToken } } : {}),
  });

  /** One request through the gateway; telemetry has been written when it resolves. */
  async function call(path: string, init: CallInit = {}): Promise<Response> {
    const { cf = GERMANY, ip = "198.51.100.23", ...rest } = init;
    const headers = new Headers(rest.headers);
    // The edge sets CF-Connecting-IP; a test may give its own (the address of the client it plays).
    if (ip && !headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", ip);
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`https://gateway.test${path}`, { ...rest, headers, cf: cf as never }),
      {},
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  }

  /** A fetch for SDK clients: every request goes through the gateway with the given cf. */
  const fetchWith =
    (cf: CfFields = GERMANY, seen?: Request[]) =>
    async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      seen?.push(request.clone());
      const url = new URL(request.url);
      return call(url.pathname + url.search, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        cf,
        ...({ duplex: "half" } as object),
      });
    };

  return { app, points, logs, events, call, fetchWith };
}

export const json = (body: unknown, headers: Record<string, string> = {}): CallInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** A key registry in memory holding these keys (by their HMAC, as the gateway hashes them), each its own account unless given one. */
export async function registry(
  keys: Record<string, Partial<AccountRecord>> | string[],
  now = Date.now,
): Promise<AccountStore> {
  const store = createMemoryAccounts({ now });
  const hash = createKeyHasher(KEY_SECRET);
  const entries = Array.isArray(keys) ? keys.map((k) => [k, {}] as const) : Object.entries(keys);
  for (const [key, record] of entries) {
    await store.put(await hash(key), {
      account: `acct-${key}`,
      tier: null,
      trusted: false,
      limits: {},
      createdAt: now(),
      expiresAt: now() + 86_400_000,
      ...record,
    });
  }
  return store;
}
