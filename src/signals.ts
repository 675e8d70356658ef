/**
 * `distill-guard/signals`: the pure signal builders the guard's checks use, for code of your own (no Hono, no
 * store, no I/O): who the client claims to be, its fingerprint, the prompt's text and template, elicitation.
 */
export { identify, type Account, type Subject } from "./identity/subject.ts";
export { createKeyHasher, type KeyHasher } from "./identity/key-hash.ts";
export { parseUserAgent, type ClientInfo, type ClientKind } from "./identity/client.ts";
export type { CfFields } from "./identity/cf.ts";
export { fingerprintId, fingerprintSource } from "./identity/fingerprint.ts";
export { fingerprintSignals, type FingerprintPolicy, type Signal } from "./checks/fingerprint.ts";
export { elicitation, largeBudgets, type ContentPolicy } from "./checks/content.ts";
export { promptText } from "./request/prompt.ts";
export { templateHash, templateTokens } from "./request/template.ts";
export type { RequestBody } from "./request/body.ts";
export type { RequestFacts } from "./request/facts.ts";
