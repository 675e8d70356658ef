import type { RouteConfig } from "../config/types.ts";
import type { CredentialHeader } from "../identity/key-hash.ts";
import type { Subject } from "../identity/subject.ts";
import type { LimitCheck } from "../limits/limiter.ts";
import type { RequestBody } from "../request/body.ts";
import type { Verdict } from "../verdict/types.ts";
import type { DegradePlan } from "./degrade.ts";

/** What the guard leaves for the handler after it (`c.get("guard")`), e.g. the proxy. */
export interface GuardState {
  requestId: string;
  route: RouteConfig | null;
  /** The canonical path the route was matched on: forward this one, so the origin serves what the guard checked. */
  path: string;
  /** The header the key was read from, the only credential the proxy forwards: the route's, else the top-level `errors` format's default. */
  credential: CredentialHeader;
  subject: Subject;
  verdict: Verdict;
  /** The body, when the guard read it: forward these bytes (the request stream is consumed). */
  body: RequestBody | null;
  /** `x-guard-*` headers for the origin. */
  originHeaders: Record<string, string>;
  /** Set by the proxy: milliseconds until the origin's response headers. */
  originMs: number | null;
  /** Set by the proxy when the origin failed (`origin.unreachable`, `origin.timeout`). */
  originError: string | null;
  /** The limiter's result, when the route has limits: reconciled with the origin's usage after the response. */
  limitCheck: LimitCheck | null;
  /** Set when the verdict is `degrade`: what is done to the request and its answer (in shadow mode: reported only). */
  degrade: DegradePlan | null;
  /** A CORS preflight for `route`'s call (request/preflight.ts): forwarded without a check, a body or the origin's credential. */
  preflight: boolean;
}

declare module "hono" {
  interface ContextVariableMap {
    guard: GuardState;
  }
}

/** Ids of the clusters over their limit that the request belongs to. */
export const overClusters = (state: GuardState): string[] =>
  state.limitCheck?.clusters.filter((c) => c.over).map((c) => c.id) ?? [];
