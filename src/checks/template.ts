import type { RequestBody } from "../config/types.ts";
import { promptText } from "./prompt.ts";

/**
 * The prompt-template hash: one short id shared by prompts made from the same
 * template, so a cluster can count the accounts that reuse it.
 *
 * 1. Mask what a template fills in, on the original text: fenced code,
 *    labelled values (`Question: …` on its own line, up to a blank line;
 *    `… Topic: …` after a sentence, up to the sentence's end), the paragraph
 *    after a line ending in `:`, the contents of XML-style tag pairs
 *    (`<doc>…</doc>` keeps the tags), URLs,
 *    e-mail addresses, quoted spans, `{placeholders}`, numbers (dates, times,
 *    decimals) and capitalised names inside a sentence. Each becomes one mask
 *    token; a run of the same mask becomes one.
 * 2. Normalise: Unicode NFKC, lower case, words of letters and digits (CJK
 *    characters one by one), English stop words dropped.
 * 3. MinHash over the word bigrams: ROWS independent 32-bit hash functions,
 *    the minimum of each over the prompt's bigrams; the id is a 64-bit hash of
 *    those minima. Two prompts get the same id with probability J^ROWS, J the
 *    Jaccard similarity of their bigram sets: near-identical templates (J
 *    near 1) collide, different prompts (J near 0) do not. ROWS > 1 keeps
 *    bigrams that many unrelated prompts share ("write function") from
 *    pulling them into one id on their own.
 *
 * Prompts with fewer than MIN_TOKENS fixed words (not masks, not stop words)
 * get no id: "hello" is not a template, nor is "Question: …". The work is linear in the text, which promptText()
 * bounds.
 */

export const ROWS = 2;
export const MIN_TOKENS = 8;

const STOP_WORDS = new Set(
  (
    "a an the and or but if then else of to in on at by for with from as into onto about over under " +
    "is are was were be been being am do does did has have had will would shall should can could may might must " +
    "i me my mine we us our you your yours he him his she her it its they them their this that these those there here " +
    "what which who whom whose when where why how all any each some no not only own same so than too very just also " +
    "please kindly now up out"
  ).split(" "),
);

// Masks; "⟦" and "⟧" survive normalisation and never occur in words.
// A labelled value ("Question: …", "Text: …") up to the next blank line, and the paragraph after a line ending in ":".
const LABEL = String.raw`[ \t]*\p{L}[\p{L}\p{N} _-]{0,30}:(?=\s|$)`;
const CONTINUATION = String.raw`(?:\n(?![ \t]*\n)(?!${LABEL})[^\n]*)*`;
const LABELLED = new RegExp(String.raw`^(${LABEL})[ \t]+\S[^\n]*${CONTINUATION}`, "gmu");
const INTRODUCED = new RegExp(String.raw`(:[ \t]*\n(?:[ \t]*\n)*)(?!${LABEL})[^\n]+${CONTINUATION}`, "gu");
// "…answer. Topic: why is the sky blue?": a capitalised label after a sentence, its value to the sentence's end
const INLINE_LABEL = /(?<=[.!?][ \t]+)(\p{Lu}\p{L}{1,20}(?: \p{L}{1,20})?:)[ \t]+[^\n.!?]+[.!?]?/gu;
const FENCED = /```[\s\S]*?(?:```|$)/g;
// the innermost opening tag before its closing tag ("put it inside <doc> tags: <doc>…</doc>" masks only the second)
const TAGGED = /<([A-Za-z][\w:-]{0,40})(?:\s[^<>]{0,200})?>(?:(?!<\1[\s>])[\s\S])*?<\/\1\s*>/g;
const URL = /\b(?:https?|ftp):\/\/[^\s<>"']+/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
const INLINE_CODE = /`[^`\n]{1,300}`/g;
const QUOTED = /"[^"\n]{1,300}"|“[^”\n]{1,300}”|‘[^’\n]{1,300}’|«[^»\n]{1,300}»|「[^」\n]{1,300}」|『[^』\n]{1,300}』|(?<=^|[\s(:])'[^'\n]{1,300}'(?=$|[\s).,;:!?])/g;
const PLACEHOLDER = /\{\{?[^{}\n]{1,60}\}?\}|\[\[[^[\]\n]{1,60}\]\]/g;
const NUMBER = /[-+]?\d+(?:[.,:/-]\d+)*%?/g;
// A capitalised word that does not start a sentence or line: a name, a place, a product.
const NAME = /(?<![.!?:\n]\s{0,3}|^\s{0,3}|[\p{L}\p{N}'’-])\p{Lu}[\p{Ll}\p{Lu}'’-]*\p{Ll}[\p{L}'’-]*/gu;
const TOKEN = /⟦[a-z]+⟧|<\/?[a-z][\w:-]*>|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}]+/gu;

/** The text with its variable spans masked, lower-cased and split into the words the hash is taken over. */
export function templateTokens(text: string): string[] {
  const masked = text
    .replace(FENCED, " ⟦code⟧ ")
    .replace(LABELLED, "$1 ⟦x⟧ ")
    .replace(INTRODUCED, "$1 ⟦x⟧ ")
    .replace(INLINE_LABEL, "$1 ⟦x⟧ ")
    .replace(TAGGED, (_, tag: string) => ` <${tag}> ⟦x⟧ </${tag}> `)
    .replace(URL, " ⟦url⟧ ")
    .replace(EMAIL, " ⟦email⟧ ")
    .replace(INLINE_CODE, " ⟦q⟧ ")
    .replace(QUOTED, " ⟦q⟧ ")
    .replace(PLACEHOLDER, " ⟦v⟧ ")
    .replace(NUMBER, " ⟦n⟧ ")
    .replace(NAME, " ⟦name⟧ ")
    .normalize("NFKC")
    .toLowerCase();
  const tokens: string[] = [];
  for (const match of masked.matchAll(TOKEN)) {
    const t = match[0];
    if (STOP_WORDS.has(t)) continue;
    if (t.startsWith("⟦") && tokens[tokens.length - 1] === t) continue;
    tokens.push(t);
  }
  return tokens;
}

/** FNV-1a, 32 bits, over the UTF-16 code units (another offset basis: another hash function). */
function fnv1a(text: string, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit finaliser (murmur3's fmix32), seeded: the ROWS hash functions of the MinHash. */
function mix(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = [0x9e3779b9, 0x7f4a7c15, 0x2545f491, 0x6a09e667, 0xbb67ae85, 0x3c6ef372];

/** The template id of a prompt text: 16 hex characters, or null when the text is too short to be a template. */
export function templateHash(text: string): string | null {
  const tokens = templateTokens(text);
  // masks and tags are what varies or frames: only fixed words make a template
  let words = 0;
  for (const t of tokens) if (t[0] !== "⟦" && t[0] !== "<") words++;
  if (words < MIN_TOKENS) return null;
  const mins = new Array<number>(ROWS).fill(0xffffffff);
  for (let i = 0; i + 1 < tokens.length; i++) {
    const shingle = fnv1a(`${tokens[i]} ${tokens[i + 1]}`);
    for (let r = 0; r < ROWS; r++) {
      const h = mix(shingle, SEEDS[r]!);
      if (h < mins[r]!) mins[r] = h;
    }
  }
  const joined = mins.join(",");
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  return hex(fnv1a(joined)) + hex(fnv1a(joined, SEEDS[5]!));
}

const byBody = new WeakMap<RequestBody, string | null>();

/** The template id of a request body, computed once per request (the content check and clusters share it). */
export function templateOf(body: RequestBody | null): string | null {
  if (!body || body.json === undefined) return null;
  let id = byBody.get(body);
  if (id === undefined) {
    id = templateHash(promptText(body.json));
    byBody.set(body, id);
  }
  return id;
}
