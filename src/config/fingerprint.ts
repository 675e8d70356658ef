import { type FingerprintPolicy, type SignalAction, createFingerprintCheck } from "../checks/fingerprint.ts";
import { ACTIONS } from "../verdict/actions.ts";
import type { FingerprintInput } from "./input.ts";
import { type Problems, fieldsOf, readBoolean, readEnum, readNumber, readObject } from "./read.ts";
import type { PureCheck } from "./types.ts";

/**
 * The `fingerprint` section of a route:
 *
 *   { "automation": "flag", "inconsistent": "flag", "lowBotScore": "flag",
 *     "minBotScore": 30, "verifiedBots": "allow", "tls13": true }
 *
 * Each signal group maps to an action (verdict/actions.ts: allow | flag | degrade | challenge | throttle | block). An empty section
 * turns the signals on with these defaults. The fingerprint id itself is
 * computed for every request, with or without this section.
 */
export const FINGERPRINT_DEFAULTS: FingerprintPolicy = {
  automation: "flag",
  inconsistent: "flag",
  lowBotScore: "flag",
  // Cloudflare: 1 automated, 2–29 likely automated, 30–99 likely human
  minBotScore: 30,
  verifiedBots: "allow",
  tls13: true,
};

const FIELDS = fieldsOf<FingerprintInput>()([
  "automation",
  "inconsistent",
  "lowBotScore",
  "minBotScore",
  "verifiedBots",
  "tls13",
]);
export const SIGNAL_ACTIONS: readonly SignalAction[] = ACTIONS;

export function parseFingerprint(
  raw: unknown,
  path: string,
  p: Problems,
): { check: PureCheck; needsBody: false } | undefined {
  if (raw === undefined) return undefined;
  const before = p.list.length;
  const obj = readObject(raw, path, p, FIELDS);
  if (!obj) return undefined;
  const d = FINGERPRINT_DEFAULTS;
  const policy: FingerprintPolicy = {
    automation: readEnum(obj, "automation", path, p, SIGNAL_ACTIONS) ?? d.automation,
    inconsistent: readEnum(obj, "inconsistent", path, p, SIGNAL_ACTIONS) ?? d.inconsistent,
    lowBotScore: readEnum(obj, "lowBotScore", path, p, SIGNAL_ACTIONS) ?? d.lowBotScore,
    minBotScore: readNumber(obj, "minBotScore", path, p, { integer: true, min: 1, max: 100 }) ?? d.minBotScore,
    verifiedBots: readEnum(obj, "verifiedBots", path, p, SIGNAL_ACTIONS) ?? d.verifiedBots,
    tls13: readBoolean(obj, "tls13", path, p) ?? d.tls13,
  };
  if (p.list.length > before) return undefined;
  return { check: createFingerprintCheck(policy), needsBody: false };
}
