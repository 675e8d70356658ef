/**
 * The configuration's JSON Schema (draft-07), for editors: completion, hover
 * help and the first checks while a file is written. It is built from what
 * the validator itself uses, so the two cannot drift apart:
 * - every object lists exactly the fields of its input type (config/input.ts),
 *   which the validator's `fieldsOf` lists are held to as well: a field added
 *   to the type without being added here, or a required one left out of
 *   `required`, is a compile error;
 * - enumerations, patterns and defaults are the validator's own constants;
 * - descriptions are the doc comments of config/input.ts, passed in by the
 *   generator (scripts/input-docs.ts reads them with the TypeScript compiler).
 *
 * The validator stays the authority: it checks what a schema cannot say
 * (ISO 3166 codes against the list, CIDR ranges, a rate against its refill
 * limit, one of jwksUrl / jwks / jwk), so the schema is the looser of the two:
 * the configurations users are given pass both, and values refused by an
 * enumeration or a pattern are refused by both (test/node/config-schema.test.ts).
 * `npm run schema` writes src/config/config.schema.json; the test fails when
 * the file is stale.
 */
import { ASYMMETRIC_ALGORITHMS } from "../identity/jwt.ts";
import { EFFORTS } from "../checks/content.ts";
import { CLUSTER_DIMENSIONS, DIMENSIONS } from "../request/dimensions.ts";
import { CONTENT_DEFAULTS } from "./content.ts";
import { CREDENTIAL_HEADERS } from "./credential.ts";
import { FINGERPRINT_DEFAULTS, SIGNAL_ACTIONS } from "./fingerprint.ts";
import { GEO_ACTIONS, MAX_TAINT_SECONDS } from "./geo.ts";
import { DEGRADE_DEFAULTS, MODEL_NAME, REASONING_OUTPUTS, THINKING_LEVELS } from "./degrade.ts";
import { EFFORT_LEVELS, MAX_NEW_KEY_SECONDS, OFF_EFFORTS } from "./types.ts";
import { TIER_ACTIONS, TIER_NAME } from "./risk.ts";
import { GLOB_PATTERN } from "./glob.ts";
import { HEADER_NAME, IDENTITY_DEFAULTS, MAX_LIFETIME_LIMIT } from "./identity.ts";
import type {
  ClusterInput,
  ConfigInput,
  ContentInput,
  DegradeInput,
  DegradeRulesInput,
  FingerprintInput,
  GeoInput,
  GeoRulesInput,
  HabitInput,
  IdentityInput,
  LimitInput,
  PlaceLists,
  RiskInput,
  RouteInput,
  SpreadInput,
} from "./input.ts";
import {
  CLUSTER_ACTIONS,
  COSTS,
  HABIT_DEFAULTS,
  HABIT_KINDS,
  MAX_QUOTA_WINDOW,
  MAX_WINDOW,
  MIN_WINDOW,
  RATE,
  RULE_NAME,
  SIGNAL_BUDGET,
  SPREAD_ACTIONS,
  SPREAD_COUNTS,
  UNPROVEN_BUDGET,
  WINDOW,
} from "./limits.ts";
import {
  ADMIN_PREFIX,
  DEFAULTS,
  ERROR_FORMATS,
  HTTP_METHODS,
  KEYLESS,
  MODES,
  ROUTE_NAME,
  STORE_CLOCKS,
  STORE_ON_ERROR,
  STORE_PREFIX,
  UNMATCHED,
} from "./parse.ts";
import { CONTINENTS, countryCodes } from "./places.ts";
import { PRESETS } from "./presets/index.ts";
import { KEY_HASH } from "./trust.ts";
import type { LimitRule } from "./types.ts";

export type JsonSchema = { [keyword: string]: unknown };

/** The doc comment of `Interface.field` in config/input.ts, if it has one. */
export type FieldDocs = (path: string) => string | undefined;

/** The keys of T that are not optional. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

const str: JsonSchema = { type: "string", minLength: 1 };
const bool: JsonSchema = { type: "boolean" };
const oneOf = (values: readonly (string | number)[], extra: JsonSchema = {}): JsonSchema => ({
  enum: [...values],
  ...extra,
});
const pattern = (re: RegExp, extra: JsonSchema = {}): JsonSchema => ({ type: "string", pattern: re.source, ...extra });
const int = (minimum: number, extra: JsonSchema = {}): JsonSchema => ({ type: "integer", minimum, ...extra });
const list = (items: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({ type: "array", items, ...extra });
const anyCase = (re: string) => `^\\s*${re}\\s*$`;
/** Codes the validator reads trimmed and in any case: completion offers `values`, the pattern accepts the rest. */
const code = (values: readonly string[], re: string): JsonSchema => ({
  anyOf: [{ enum: [...values] }, { type: "string", pattern: anyCase(re) }],
});
/** Names the validator upper-cases: completion offers them, any case is accepted. */
const caseless = (values: readonly string[]): JsonSchema => ({
  anyOf: [
    { enum: [...values] },
    {
      type: "string",
      pattern: `^(${values.map((v) => [...v].map((c) => `[${c}${c.toLowerCase()}]`).join("")).join("|")})$`,
    },
  ],
});

const rate: JsonSchema = pattern(RATE, { examples: ["60 per minute"] });
const window = (max: number): JsonSchema => ({
  anyOf: [pattern(WINDOW, { examples: ["1h", "30m", "1d"] }), int(1, { maximum: max })],
});

export function configSchema(docs: FieldDocs = () => undefined): JsonSchema {
  /** Schemas used in several places, written once under `definitions`. */
  const definitions: Record<string, JsonSchema> = {};
  const shared = (name: string, schema: JsonSchema): JsonSchema => {
    definitions[name] = schema;
    return { $ref: `#/definitions/${name}` };
  };
  /**
   * An object of type T (named `name` in config/input.ts): `properties` must name every field of T and nothing
   * else, `required` exactly T's required fields. Descriptions come from the doc comments.
   */
  const object =
    <T>(name: string) =>
    <const R extends readonly RequiredKeys<T>[]>(
      properties: { [K in keyof T]-?: JsonSchema },
      required: R & ([Exclude<RequiredKeys<T>, R[number]>] extends [never] ? unknown : { missing: RequiredKeys<T> }),
      extra: JsonSchema = {},
    ): JsonSchema => ({
      type: "object",
      ...extra,
      properties: Object.fromEntries(
        Object.entries(properties as Record<string, JsonSchema>).map(([field, schema]) => {
          const description = docs(`${name}.${field}`);
          return [field, description && !schema.description ? { description, ...schema } : schema];
        }),
      ),
      ...(required.length ? { required: [...required] } : {}),
      additionalProperties: false,
    });

  const signal = (fallback: string): JsonSchema => oneOf(SIGNAL_ACTIONS, { default: fallback });
  // both budgets refill their capacity once a minute (config/limits.ts)
  const budget = (fallback: LimitRule) =>
    object<NonNullable<RouteInput["throttle"]>>("RouteInput.throttle")(
      { rate, capacity: int(1), by: list(oneOf(DIMENSIONS), { minItems: 1, uniqueItems: true }) },
      ["rate"],
      { default: { rate: `${fallback.capacity} per minute`, by: fallback.by } },
    );

  const country = shared("country", code(countryCodes(), "[A-Za-z]{2}"));
  const places = shared(
    "places",
    object<PlaceLists>("PlaceLists")(
      {
        countries: list(country),
        regions: list(pattern(new RegExp(anyCase("[A-Za-z]{2}-[A-Za-z0-9]{1,3}"))), { examples: [["UA-43"]] }),
        continents: list(code(CONTINENTS, "[A-Za-z]{2}")),
        asns: list({ anyOf: [int(1, { maximum: 0xffffffff }), pattern(/^(AS|as|As|aS)?\d{1,10}$/)] }),
        ips: list({ type: "string" }),
      },
      [],
    ),
  );
  const rules = {
    preset: oneOf([...PRESETS.keys()]),
    presets: list(oneOf([...PRESETS.keys()])),
    allow: places,
    deny: places,
    tor: oneOf(GEO_ACTIONS),
    unknown: oneOf(GEO_ACTIONS),
    hosting: oneOf(GEO_ACTIONS),
  } satisfies { [K in keyof GeoRulesInput]-?: JsonSchema };

  const countries = list(country, { minItems: 1 });
  const identity = shared(
    "identity",
    object<IdentityInput>("IdentityInput")(
      {
        header: pattern(HEADER_NAME, { default: IDENTITY_DEFAULTS.header }),
        jwksUrl: { type: "string", format: "uri" },
        jwks: { type: "object", properties: { keys: list({ type: "object" }, { minItems: 1 }) }, required: ["keys"] },
        jwk: { type: "object" },
        issuer: str,
        audience: { anyOf: [str, list(str, { minItems: 1 })] },
        algorithms: list(oneOf(ASYMMETRIC_ALGORITHMS), { minItems: 1 }),
        claims: object<NonNullable<IdentityInput["claims"]>>("IdentityInput.claims")(
          { verified: str, nationality: str, residency: str },
          [],
        ),
        require: object<NonNullable<IdentityInput["require"]>>("IdentityInput.require")(
          { verified: { const: true }, nationality: countries, residency: countries },
          [],
        ),
        cacheTtlSeconds: { type: "number", minimum: 0, default: IDENTITY_DEFAULTS.cacheTtlSeconds },
        refetchMinSeconds: { type: "number", minimum: 0, default: IDENTITY_DEFAULTS.refetchMinSeconds },
        timeoutMs: int(1, { maximum: 60_000, default: IDENTITY_DEFAULTS.timeoutMs }),
        bind: {
          anyOf: [{ const: false }, { type: "object", properties: { claim: str }, additionalProperties: false }],
          default: { claim: IDENTITY_DEFAULTS.bindClaim },
        },
        maxLifetimeSeconds: int(1, { maximum: MAX_LIFETIME_LIMIT, default: IDENTITY_DEFAULTS.maxLifetimeSeconds }),
      },
      ["issuer", "audience"],
    ),
  );
  const geo = object<GeoInput>("GeoInput")(
    {
      ...rules,
      models: {
        type: "object",
        propertyNames: { pattern: GLOB_PATTERN.source },
        additionalProperties: object<NonNullable<GeoInput["models"]>[string]>("GeoRulesInput")(
          { ...rules, identity },
          [],
        ),
      },
      taint: { anyOf: [pattern(WINDOW, { examples: ["30d"] }), int(1, { maximum: MAX_TAINT_SECONDS })] },
    },
    [],
  );

  const limit = object<LimitInput>("LimitInput")(
    {
      name: pattern(RULE_NAME),
      by: list(oneOf(DIMENSIONS), { minItems: 1, uniqueItems: true }),
      rate,
      capacity: int(1),
      refillPerSecond: { type: "number", exclusiveMinimum: 0 },
      quota: int(1),
      per: window(MAX_QUOTA_WINDOW),
      cost: oneOf(COSTS, { default: "request" }),
    },
    ["name", "by"],
  );
  const newKeyAge = {
    anyOf: [pattern(WINDOW, { examples: ["1d", "6h"] }), int(MIN_WINDOW, { maximum: MAX_NEW_KEY_SECONDS })],
  };
  const cluster = object<ClusterInput>("ClusterInput")(
    {
      name: pattern(RULE_NAME),
      by: list(oneOf(CLUSTER_DIMENSIONS), { minItems: 1, uniqueItems: true }),
      maxAccounts: int(1),
      maxAddresses: int(1),
      window: { anyOf: [pattern(WINDOW, { examples: ["1h", "10m"] }), int(MIN_WINDOW, { maximum: MAX_WINDOW })] },
      newKeys: newKeyAge,
      action: oneOf(CLUSTER_ACTIONS, { default: "flag" }),
      rate,
      capacity: int(1),
    },
    ["name", "by", "maxAccounts", "window"],
  );
  const spread = object<SpreadInput>("SpreadInput")(
    {
      name: pattern(RULE_NAME),
      count: oneOf(SPREAD_COUNTS),
      max: int(1),
      window: { anyOf: [pattern(WINDOW, { examples: ["1h", "1d"] }), int(MIN_WINDOW, { maximum: MAX_WINDOW })] },
      action: oneOf(SPREAD_ACTIONS, { default: "flag" }),
    },
    ["name", "count", "max", "window"],
  );

  const habit = object<HabitInput>("HabitInput")(
    {
      name: pattern(RULE_NAME),
      of: oneOf(HABIT_KINDS),
      share: { type: "number", minimum: 0, maximum: 1 },
      minRequests: { type: "number", minimum: 1, default: HABIT_DEFAULTS.minRequests },
      halfLife: {
        anyOf: [pattern(WINDOW, { examples: ["12h", "1d"] }), int(MIN_WINDOW, { maximum: MAX_WINDOW })],
        default: HABIT_DEFAULTS.halfLife,
      },
      action: oneOf(SPREAD_ACTIONS, { default: "flag" }),
    },
    ["name", "of", "share"],
  );

  const degradeRules = {
    thinking: oneOf(THINKING_LEVELS, { default: DEGRADE_DEFAULTS.thinking }),
    budgetTokens: int(1024, { default: DEGRADE_DEFAULTS.budgetTokens }),
    effort: oneOf(EFFORT_LEVELS, { default: DEGRADE_DEFAULTS.effort }),
    offEffort: { enum: [...OFF_EFFORTS, null], default: DEGRADE_DEFAULTS.offEffort },
    maxTokens: int(1),
    model: pattern(MODEL_NAME),
    reasoning: oneOf(REASONING_OUTPUTS, { default: DEGRADE_DEFAULTS.reasoning }),
  } satisfies { [K in keyof DegradeRulesInput]-?: JsonSchema };
  const degrade = object<DegradeInput>("DegradeInput")(
    {
      ...degradeRules,
      models: {
        type: "object",
        propertyNames: { pattern: GLOB_PATTERN.source },
        additionalProperties: object<DegradeRulesInput>("DegradeRulesInput")(degradeRules, []),
      },
    },
    [],
  );

  const route = object<RouteInput>("RouteInput")(
    {
      name: pattern(ROUTE_NAME),
      match: object<RouteInput["match"]>("RouteInput.match")(
        { path: pattern(/^\//), paths: list(pattern(/^\//), { minItems: 1 }), methods: list(caseless(HTTP_METHODS)) },
        [],
      ),
      mode: oneOf(MODES),
      errors: oneOf(ERROR_FORMATS),
      credential: oneOf(CREDENTIAL_HEADERS),
      maxBodyBytes: int(1),
      originTimeoutMs: int(1),
      geo,
      fingerprint: object<FingerprintInput>("FingerprintInput")(
        {
          automation: signal(FINGERPRINT_DEFAULTS.automation),
          inconsistent: signal(FINGERPRINT_DEFAULTS.inconsistent),
          lowBotScore: signal(FINGERPRINT_DEFAULTS.lowBotScore),
          minBotScore: int(1, { maximum: 100, default: FINGERPRINT_DEFAULTS.minBotScore }),
          verifiedBots: signal(FINGERPRINT_DEFAULTS.verifiedBots),
          tls13: { ...bool, default: FINGERPRINT_DEFAULTS.tls13 },
        },
        [],
      ),
      content: object<ContentInput>("ContentInput")(
        {
          reasoningElicitation: signal(CONTENT_DEFAULTS.reasoningElicitation),
          largeReasoningBudget: signal(CONTENT_DEFAULTS.largeReasoningBudget),
          maxBudgetTokens: int(1, { default: CONTENT_DEFAULTS.maxBudgetTokens }),
          maxEffort: oneOf(EFFORTS, { default: CONTENT_DEFAULTS.maxEffort }),
        },
        [],
      ),
      providerHeaders: { ...bool, default: false },
      limits: list(shared("limit", limit)),
      clusters: list(shared("cluster", cluster)),
      spread: list(shared("spread", spread)),
      habits: list(shared("habit", habit)),
      blocks: bool,
      throttle: budget(SIGNAL_BUDGET),
      keyless: oneOf(KEYLESS, { default: "share" }),
      unproven: budget(UNPROVEN_BUDGET),
      trust: object<NonNullable<RouteInput["trust"]>>("RouteInput.trust")({ keys: list(pattern(KEY_HASH)) }, ["keys"]),
      degrade,
      challenge: object<NonNullable<RouteInput["challenge"]>>("RouteInput.challenge")({ identity }, ["identity"]),
      risk: object<RiskInput>("RiskInput")(
        {
          newKey: newKeyAge,
          weights: { type: "object", additionalProperties: { type: "number", minimum: 0, maximum: 1 } },
          tiers: list(
            object<RiskInput["tiers"][number]>("RiskInput.tier")(
              {
                name: pattern(TIER_NAME),
                score: { type: "number", exclusiveMinimum: 0, maximum: 1 },
                action: oneOf(TIER_ACTIONS),
              },
              ["name", "score", "action"],
            ),
            { minItems: 1 },
          ),
        },
        ["tiers"],
      ),
    },
    ["name", "match"],
  );

  const top = object<ConfigInput>("ConfigInput")(
    {
      $schema: { type: "string" },
      version: { ...str, default: DEFAULTS.version },
      routes: list(shared("route", route)),
      unmatched: oneOf(UNMATCHED, { default: DEFAULTS.unmatched }),
      errors: oneOf(ERROR_FORMATS, { default: DEFAULTS.errors }),
      mode: oneOf(MODES, { default: DEFAULTS.mode }),
      maxBodyBytes: int(1, { default: DEFAULTS.maxBodyBytes }),
      originTimeoutMs: int(1, { default: DEFAULTS.originTimeoutMs }),
      store: object<NonNullable<ConfigInput["store"]>>("ConfigInput.store")(
        {
          timeoutMs: int(1, { maximum: 10_000, default: DEFAULTS.store.timeoutMs }),
          onError: oneOf(STORE_ON_ERROR, { default: DEFAULTS.store.onError }),
          prefix: pattern(STORE_PREFIX, { default: DEFAULTS.store.prefix }),
          clock: oneOf(STORE_CLOCKS, { default: DEFAULTS.store.clock }),
          recoverAfterMs: int(0, { maximum: 300_000, default: DEFAULTS.store.recoverAfterMs }),
        },
        [],
      ),
      proveKeys: { ...bool, default: true },
      admin: object<NonNullable<ConfigInput["admin"]>>("ConfigInput.admin")(
        { prefix: pattern(ADMIN_PREFIX, { default: DEFAULTS.admin.prefix }) },
        [],
      ),
    },
    ["routes"],
  );
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "distill-guard configuration",
    ...top,
    definitions,
  };
}
