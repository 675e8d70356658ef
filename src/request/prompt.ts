/**
 * The prompt text of a request body, from the API shapes the gateway fronts:
 * Anthropic Messages (`system`, `messages`), OpenAI Chat Completions
 * (`messages`), OpenAI Responses (`instructions`, `input`) and legacy
 * completions (`prompt`). Only what the client wrote (system and user turns,
 * tool results excluded); assistant turns are model output. Images,
 * documents and audio are skipped.
 *
 * Bounded: at most MAX_PROMPT_CHARS characters are kept (3,072 of head and
 * 1,024 of tail, where instructions usually sit), so a 30 MB body costs what
 * a 4 KB one does: the content signals' CPU stays within the gateway's
 * per-request budget.
 */

export const MAX_PROMPT_CHARS = 4096;
const HEAD_CHARS = 3072;

const SYSTEM_ROLES = new Set(["system", "developer"]);

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Text of a content value: a string, or an array of text parts (`text`, `input_text`). */
function contentText(content: Json, out: string[]): void {
  if (typeof content === "string") {
    out.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (typeof part === "string") out.push(part);
    else if (isObj(part) && (part.type === "text" || part.type === "input_text") && typeof part.text === "string") out.push(part.text);
  }
}

function messagesText(messages: Json, out: string[]): void {
  if (typeof messages === "string") {
    out.push(messages);
    return;
  }
  if (!Array.isArray(messages)) return;
  for (const m of messages) {
    if (!isObj(m)) continue;
    const role = typeof m.role === "string" ? m.role : "user";
    if (role === "user" || SYSTEM_ROLES.has(role)) contentText(m.content, out);
  }
}

/** The client-written text of a JSON body, joined by blank lines and cut to MAX_PROMPT_CHARS; "" when there is none. */
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

/** The parts joined by blank lines, or (when longer than MAX_PROMPT_CHARS) its head and tail, without building the whole. */
function bounded(parts: readonly string[]): string {
  let total = 2 * Math.max(0, parts.length - 1);
  for (const p of parts) total += p.length;
  if (total <= MAX_PROMPT_CHARS) return parts.join("\n\n");
  const tailChars = MAX_PROMPT_CHARS - HEAD_CHARS;
  let head = "";
  for (const p of parts) {
    head += (head ? "\n\n" : "") + p.slice(0, HEAD_CHARS - head.length);
    if (head.length >= HEAD_CHARS) break;
  }
  let tail = "";
  for (let i = parts.length - 1; i >= 0 && tail.length < tailChars; i--) {
    const p = parts[i]!;
    tail = p.slice(Math.max(0, p.length - (tailChars - tail.length))) + (tail ? `\n\n${tail}` : "");
  }
  return `${head.slice(0, HEAD_CHARS)}\n\n${tail.slice(-tailChars)}`;
}
