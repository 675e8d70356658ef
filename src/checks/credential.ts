import type { PureCheck } from "../config/types.ts";
import { finding } from "../verdict/reasons.ts";

const KEY_MISSING = finding("identity.key_missing", "block", { detail: "no API key", risk: 0 });

/** A route's `keyless: "refuse"`: a request without an API key is answered 401 before any store call. */
export const requireKey: PureCheck = (facts) => (facts.subject.keyHash === null ? [KEY_MISSING] : []);
