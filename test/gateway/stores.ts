// The two stores a gateway test runs on: the isolate's memory, and real Redis behind the Upstash-REST bridge.
import { createMemoryStore } from "../../src/limits/memory-store.ts";
import type { LimitStore } from "../../src/limits/types.ts";
import { createUpstashStore } from "../../src/limits/upstash-store.ts";
import { keysWithTtl, newTenant } from "../limits/helpers.ts";

export interface GatewayStore {
  store: LimitStore;
  /** Every live store key with its remaining TTL in ms. */
  ttls: () => Promise<Map<string, number>>;
}

export const GATEWAY_STORES: { name: string; make: () => Promise<GatewayStore> }[] = [
  {
    name: "memory",
    make: async () => {
      const store = createMemoryStore();
      return { store, ttls: async () => store.ttls() };
    },
  },
  {
    name: "upstash",
    make: async () => {
      const tenant = await newTenant();
      return { store: createUpstashStore(tenant.redis), ttls: () => keysWithTtl(tenant) };
    },
  },
];
