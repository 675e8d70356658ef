/**
 * The prompt text of a request body, from the API shapes the gateway fronts:
 * Anthropic Messages (`system`, `messages`), OpenAI Chat Completions
 * (`messages`), OpenAI Responses (`instructions`, `input`) and legacy
 * completions (`prompt`). Everything the client wrote: system and user turns,
 * tool results (Anthropic `tool_result` blocks, OpenAI `tool` messages and
 * `function_call_output` items), text documents, and a last assistant turn
 * (a prefill: the client writes the start of the answer). Earlier assistant
 * turns are the model's output and are skipped; so are images, audio and
 * binary documents.
 *
 * Format characters (Unicode Cf: zero-width spaces and joiners, soft hyphens,
 * bidi controls, word joiners, BOMs, tag characters) are removed: invisible,
 * they would only split the words the signals look for.
 *
 * Bounded: at most MAX_PROMPT_CHARS characters are kept (3,072 of head and
 * 1,024 of tail, where instructions usually sit), and at most SCAN_CHARS are
 * read from either end, so a 30 MB body costs what a 4 KB one does: the
 * content signals' CPU stays within the gateway's per-request budget.
 */

export const MAX_PROMPT_CHARS = 4096;
const HEAD_CHARS = 3072;
/** The most raw text read from either end to fill the bound: enough for a text padded with format characters, no more. */
const SCAN_CHARS = 16 * MAX_PROMPT_CHARS;
/** How deep blocks are followed into blocks (a tool result's documents): real bodies nest twice at most. */
const MAX_DEPTH = 3;

const SYSTEM_ROLES = new Set(["system", "developer"]);
/** Roles whose content is the client's: its own turns, its instructions, its tools' results. */
const CLIENT_ROLES = new Set(["user", ...SYSTEM_ROLES, "tool", "function"]);

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Text of a content value: a string, or an array of parts: text (`text`,
 * `input_text`), tool results (their own content) and text documents.
 */
function contentText(content: Json, out: string[], depth = 0): void {
  if (typeof content === "string") {
    out.push(content);
    return;
  }
  if (!Array.isArray(content) || depth >= MAX_DEPTH) return;
  for (const part of content) {
    if (typeof part === "string") out.push(part);
    else if (!isObj(part)) continue;
    else if ((part.type === "text" || part.type === "input_text") && typeof part.text === "string") out.push(part.text);
    else if (part.type === "tool_result") contentText(part.content, out, depth + 1);
    else if (part.type === "document" && isObj(part.source)) documentText(part.source, out, depth + 1);
  }
}

/** A document's text: plain text (`source.type` "text") or content blocks ("content"); base64 files are not read. */
function documentText(source: Record<string, Json>, out: string[], depth: number): void {
  if (source.type === "text" && typeof source.data === "string") out.push(source.data);
  else if (source.type === "content") contentText(source.content, out, depth);
}

function messagesText(messages: Json, out: string[]): void {
  if (typeof messages === "string") {
    out.push(messages);
    return;
  }
  if (!Array.isArray(messages)) return;
  messages.forEach((m: Json, i) => {
    if (!isObj(m)) return;
    const role = typeof m.role === "string" ? m.role : "user";
    // the last turn the assistant's: a prefill, written by the client
    if (CLIENT_ROLES.has(role) || (role === "assistant" && i === messages.length - 1)) contentText(m.content, out);
    if (m.type === "function_call_output") contentText(m.output, out);
  });
}

/** The client-written text of a JSON body, joined by blank lines, format characters removed, cut to MAX_PROMPT_CHARS; "" when there is none. */
export function promptText(json: Json): string {
  if (!isObj(json)) return "";
  const parts: string[] = [];
  contentText(json.system, parts);
  if (typeof json.instructions === "string") parts.push(json.instructions);
  messagesText(json.messages, parts);
  messagesText(json.input, parts);
  if (typeof json.prompt === "string") parts.push(json.prompt);
  else if (Array.isArray(json.prompt)) for (const p of json.prompt) if (typeof p === "string") parts.push(p);
  return bounded(parts);
}

const FORMAT = /\p{Cf}/u;
const FORMAT_RUNS = /\p{Cf}+/gu;

/** The text without format characters. */
const visible = (text: string): string => (FORMAT.test(text) ? text.replace(FORMAT_RUNS, "") : text);

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * About `want` visible characters of `text` from its start (or, `fromEnd`, its
 * end), read in slices that never split a surrogate pair, reading at most
 * `budget` characters; and how many were read.
 */
function visibleSlice(text: string, want: number, fromEnd: boolean, budget: number): { slice: string; read: number } {
  let slice = "";
  let read = 0;
  while (slice.length < want && read < text.length && read < budget) {
    let n = Math.min(want - slice.length, text.length - read);
    let chunk: string;
    if (fromEnd) {
      if (isLowSurrogate(text.charCodeAt(text.length - read - n)) && read + n < text.length) n++;
      chunk = text.slice(text.length - read - n, text.length - read);
    } else {
      if (isHighSurrogate(text.charCodeAt(read + n - 1)) && read + n < text.length) n++;
      chunk = text.slice(read, read + n);
    }
    read += n;
    slice = fromEnd ? visible(chunk) + slice : slice + visible(chunk);
  }
  return { slice, read };
}

/**
 * The first (or, `fromEnd`, last) `want` visible characters of the parts
 * joined by blank lines, without building the whole; `all` when every
 * character of the parts was read.
 */
function visibleEnd(parts: readonly string[], want: number, fromEnd: boolean): { text: string; all: boolean } {
  let text = "";
  let budget = SCAN_CHARS;
  let all = true;
  for (let k = 0; k < parts.length; k++) {
    if (text.length >= want || budget <= 0) {
      all = false;
      break;
    }
    const part = parts[fromEnd ? parts.length - 1 - k : k]!;
    const { slice, read } = visibleSlice(part, want - text.length, fromEnd, budget);
    budget -= read;
    if (read < part.length) all = false;
    text = fromEnd ? slice + (text ? `\n\n${text}` : "") : (text ? `${text}\n\n` : "") + slice;
  }
  return { text: fromEnd ? text.slice(-want) : text.slice(0, want), all };
}

/**
 * The parts' visible text joined by blank lines, or (when longer than
 * MAX_PROMPT_CHARS) its head and tail, without building the whole.
 */
function bounded(parts: readonly string[]): string {
  let total = 2 * Math.max(0, parts.length - 1);
  for (const p of parts) total += p.length;
  if (total <= MAX_PROMPT_CHARS) return parts.map(visible).join("\n\n");
  // longer, perhaps only by its format characters
  const whole = visibleEnd(parts, MAX_PROMPT_CHARS + 1, false);
  if (whole.all && whole.text.length <= MAX_PROMPT_CHARS) return whole.text;
  const head = whole.text.slice(0, HEAD_CHARS);
  const tail = visibleEnd(parts, MAX_PROMPT_CHARS - HEAD_CHARS, true).text;
  return [head, tail].filter((t) => t !== "").join("\n\n");
}
