import type { RequestBody } from "./body.ts";
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
 *    e-mail addresses, quoted spans, `{placeholders}`; then, while splitting
 *    into words, any word with a digit and any capitalised word inside a
 *    sentence (a name, a place, a product). Each becomes one mask token; a
 *    run of the same mask becomes one.
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
 * get no id: "hello" is not a template, nor is "Question: …". The work is
 * linear in the text, which promptText() bounds (and reads as the elicitation
 * signal does: tool results, text documents and a prefill included, format
 * characters removed).
 */

export const ROWS = 2;
export const MIN_TOKENS = 8;

const STOP_WORDS: ReadonlySet<string> = new Set(
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
const INLINE_LABEL = /([.!?][ \t]+)(\p{Lu}\p{L}{1,20}(?: \p{L}{1,20})?:)[ \t]+[^\n.!?]+[.!?]?/gu;
const FENCED = /```[\s\S]*?(?:```|$)/g;
// the innermost opening tag before its closing tag ("put it inside <doc> tags: <doc>…</doc>" masks only the second)
const TAGGED = /<([A-Za-z][\w:-]{0,40})(?:\s[^<>]{0,200})?>(?:(?!<\1[\s>])[\s\S])*?<\/\1\s*>/g;
const URL = /\b(?:https?|ftp):\/\/[^\s<>"']+/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
const INLINE_CODE = /`[^`\n]{1,300}`/g;
// quoted spans, one expression per kind of quote (each starts with its literal, which V8 finds fast)
const QUOTES: ReadonlyArray<[string, RegExp]> = [
  ['"', /"[^"\n]{1,300}"/g],
  ["“", /“[^”\n]{1,300}”/g],
  ["‘", /‘[^’\n]{1,300}’/g],
  ["«", /«[^»\n]{1,300}»/g],
  ["「", /「[^」\n]{1,300}」/g],
  ["『", /『[^』\n]{1,300}』/g],
];
// a single-quoted span starts after a space, "(" or ":" (an apostrophe follows a letter) and ends before one
const SINGLE_QUOTED = /(^|[\s(:])'[^'\n]{1,300}'(?=$|[\s).,;:!?])/g;
const PLACEHOLDER = /\{\{?[^{}\n]{1,60}\}?\}|\[\[[^[\]\n]{1,60}\]\]/g;

const MAX_STOP_WORD = Math.max(...[...STOP_WORDS].map((w) => w.length));

/**
 * Span masks, applied in this order on the original text, each only when the
 * text holds one of its telling strings (an indexOf costs far less than a
 * regex scan). Numbers and names are masked by the scan (scanTokens).
 */
const SPANS: ReadonlyArray<
  [needles: readonly string[], pattern: RegExp, replacement: string | ((match: string, tag: string) => string)]
> = [
  [["```"], FENCED, " ⟦code⟧ "],
  [[":"], LABELLED, "$1 ⟦x⟧ "],
  [[":"], INTRODUCED, "$1 ⟦x⟧ "],
  [[":"], INLINE_LABEL, "$1$2 ⟦x⟧ "],
  [["</"], TAGGED, (_, tag) => ` <${tag}> ⟦x⟧ </${tag}> `],
  [["://"], URL, " ⟦url⟧ "],
  [["@"], EMAIL, " ⟦email⟧ "],
  [["`"], INLINE_CODE, " ⟦q⟧ "],
  ...QUOTES.map(([quote, pattern]): [string[], RegExp, string] => [[quote], pattern, " ⟦q⟧ "]),
  [["'"], SINGLE_QUOTED, "$1 ⟦q⟧ "],
  [["{", "[["], PLACEHOLDER, " ⟦v⟧ "],
];

/** The text with its variable spans masked, lower-cased and split into the words the hash is taken over. */
export function templateTokens(text: string): string[] {
  let masked = text;
  for (const [needles, pattern, replacement] of SPANS) {
    if (needles.some((n) => masked.includes(n))) masked = masked.replace(pattern, replacement as string);
  }
  // NFKC folds full-width and compatibility forms; ASCII text needs none
  if (NON_ASCII.test(masked)) masked = masked.normalize("NFKC");
  return scanTokens(masked);
}

const NON_ASCII = /[\u0080-\uffff]/;
const TAG = /<\/?[A-Za-z][\w:-]{0,40}>/y;

/** Han, kana, Hangul: written without spaces, so each character is a word. */
const isCjk = (c: number) =>
  (c >= 0x3040 && c <= 0x30ff) ||
  (c >= 0x3400 && c <= 0x9fff) ||
  (c >= 0xac00 && c <= 0xd7af) ||
  (c >= 0xf900 && c <= 0xfaff);
/** Letters and digits: ASCII exactly; beyond it, anything but the punctuation, symbol and surrogate blocks. */
function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (c < 0xc0) return c === 0xaa || c === 0xb5 || c === 0xba;
  if (c === 0xd7 || c === 0xf7) return false;
  if (c >= 0x2000 && c <= 0x2bff) return false;
  if (c >= 0x3000 && c <= 0x303f) return false;
  if (c >= 0xd800 && c <= 0xdfff) return false;
  if (c >= 0xfe30 && c <= 0xfe4f) return false;
  if (c >= 0xff00 && c <= 0xff65)
    return (c >= 0xff10 && c <= 0xff19) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a);
  return true;
}
/** ASCII classes for the scan: 1 digit, 2 lower-case, 3 upper-case, 4 sentence boundary, 5 space; 0 other. */
const ASCII = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII[c] = 1;
for (let c = 97; c <= 122; c++) ASCII[c] = 2;
for (let c = 65; c <= 90; c++) ASCII[c] = 3;
for (const c of [46, 33, 63, 58, 10]) ASCII[c] = 4;
for (const c of [32, 9, 13, 12, 11]) ASCII[c] = 5;

/**
 * One pass over the masked text: words of letters and digits (a word with a
 * digit becomes ⟦n⟧; a capitalised word inside a sentence ⟦name⟧; others are
 * lower-cased), CJK characters one by one, tags and masks as they are; stop
 * words dropped, a run of one mask kept once.
 */
function scanTokens(s: string): string[] {
  const tokens: string[] = [];
  const n = s.length;
  let sentenceStart = true;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const kind = c < 128 ? ASCII[c]! : isWordChar(c) ? (isCjk(c) ? 6 : 7) : 0;
    if (kind === 1 || kind === 2 || kind === 3 || kind === 7) {
      // a word: scan it, noting digits, upper and lower case
      let j = i + 1;
      let digit = kind === 1;
      let upper = kind === 3;
      let lower = false;
      for (; j < n; j++) {
        const d = s.charCodeAt(j);
        if (d < 128) {
          const k = ASCII[d]!;
          if (k === 0 || k > 3) break;
          if (k === 1) digit = true;
          else if (k === 2) lower = true;
          else upper = true;
        } else if (!isWordChar(d) || isCjk(d)) break;
        else upper = true; // non-ASCII letters: case decided below
      }
      let token: string;
      if (digit) token = "⟦n⟧";
      else {
        const word = s.slice(i, j);
        if (!upper) token = word;
        else {
          const first = word[0]!;
          const capitalised = kind === 3 || (kind === 7 && first !== first.toLowerCase());
          const hasLower = lower || word.slice(1) !== word.slice(1).toUpperCase();
          token = !sentenceStart && capitalised && hasLower ? "⟦name⟧" : word.toLowerCase();
        }
      }
      if (
        !(token.length <= MAX_STOP_WORD && STOP_WORDS.has(token)) &&
        !(token === "⟦n⟧" && tokens[tokens.length - 1] === token)
      )
        tokens.push(token);
      sentenceStart = false;
      i = j;
      continue;
    }
    if (kind === 6) {
      tokens.push(s[i]!);
      sentenceStart = false;
      i++;
      continue;
    }
    if (c === 0x27e6) {
      const end = s.indexOf("⟧", i);
      if (end > i && end - i < 10) {
        const mask = s.slice(i, end + 1);
        if (tokens[tokens.length - 1] !== mask) tokens.push(mask);
        i = end + 1;
        sentenceStart = false;
        continue;
      }
    } else if (c === 60) {
      TAG.lastIndex = i;
      const tag = TAG.exec(s);
      if (tag) {
        tokens.push(tag[0].toLowerCase());
        i += tag[0].length;
        continue;
      }
    }
    if (kind === 4 || c === 0x3002 || c === 0xff01 || c === 0xff1f || c === 0xff1a) sentenceStart = true;
    else if (kind !== 5) sentenceStart = false;
    i++;
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

/** Seeded 32-bit mixing: the ROWS hash functions of the MinHash. */
const mix = (x: number, seed: number): number => fmix32(x ^ seed);

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
export function fmix32(x: number): number {
  let h = x >>> 0;
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
  let previous = fnv1a(tokens[0]!);
  for (let i = 1; i < tokens.length; i++) {
    const current = fnv1a(tokens[i]!);
    // the bigram's hash from its words' hashes: no string is built per bigram
    const bigram = (Math.imul(previous, 0x01000193) ^ current) >>> 0;
    for (let r = 0; r < ROWS; r++) {
      const h = mix(bigram, SEEDS[r]!);
      if (h < mins[r]!) mins[r] = h;
    }
    previous = current;
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
