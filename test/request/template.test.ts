import { describe, expect, it } from "vitest";
import { MIN_TOKENS, ROWS, templateHash, templateOf, templateTokens } from "../../src/request/template.ts";
import { MAX_PROMPT_CHARS, promptText } from "../../src/request/prompt.ts";
import { FAMILIES, UNRELATED, type VariantKind } from "./prompts.ts";

const rate = (hits: number, total: number) => (total === 0 ? 0 : hits / total);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The id most members of a family share (null never counts). */
function modal(ids: Array<string | null>): string | null {
  const counts = new Map<string, number>();
  for (const id of ids) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function measure() {
  const templated = FAMILIES.filter((f) => !f.free);
  const free = FAMILIES.filter((f) => f.free);
  const byKind: Record<VariantKind, { hits: number; total: number }> = {
    slots: { hits: 0, total: 0 },
    surface: { hits: 0, total: 0 },
    edit: { hits: 0, total: 0 },
  };
  let pairsIn = 0;
  let pairsInHit = 0;
  const familyIds: Array<{ family: string; id: string | null }> = [];
  const share = (families: typeof FAMILIES, tally: boolean) => {
    let hits = 0;
    let total = 0;
    for (const f of families) {
      const ids = f.members.map(([, text]) => templateHash(text));
      const m = modal(ids);
      f.members.forEach(([kind], i) => {
        const hit = ids[i] !== null && ids[i] === m;
        hits += hit ? 1 : 0;
        total++;
        if (tally) {
          byKind[kind].hits += hit ? 1 : 0;
          byKind[kind].total++;
        }
        familyIds.push({ family: f.name, id: ids[i] ?? null });
      });
      if (tally) {
        for (let i = 0; i < ids.length; i++)
          for (let j = i + 1; j < ids.length; j++) {
            pairsIn++;
            if (ids[i] !== null && ids[i] === ids[j]) pairsInHit++;
          }
      }
    }
    return rate(hits, total);
  };
  const templatedShare = share(templated, true);
  const freeShare = share(free, false);

  // Different prompts: every pair of unrelated prompts, and every pair across families or between an unrelated prompt and a family member.
  const unrelatedIds = UNRELATED.map((t) => templateHash(t));
  let pairsOut = 0;
  let pairsOutHit = 0;
  const collisions: string[] = [];
  const all = [...familyIds, ...unrelatedIds.map((id, i) => ({ family: `unrelated-${i}`, id }))];
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) {
      if (all[i]!.family === all[j]!.family) continue;
      pairsOut++;
      if (all[i]!.id !== null && all[i]!.id === all[j]!.id) {
        pairsOutHit++;
        collisions.push(`${all[i]!.family} ~ ${all[j]!.family}`);
      }
    }
  return {
    prompts: FAMILIES.reduce((n, f) => n + f.members.length, 0) + UNRELATED.length,
    templatedShare,
    freeShare,
    byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, rate(v.hits, v.total)])) as Record<
      VariantKind,
      number
    >,
    withinPairs: rate(pairsInHit, pairsIn),
    falsePairs: rate(pairsOutHit, pairsOut),
    pairsOut,
    collisions,
    unrelatedWithoutId: rate(unrelatedIds.filter((id) => id === null).length, unrelatedIds.length),
    // An account sending k prompts of a template lands on the template's id at least once with 1 - (1 - p)^k.
    accountsAt5:
      templated.reduce((sum, f) => {
        const ids = f.members.map(([, text]) => templateHash(text));
        const p = rate(ids.filter((id) => id !== null && id === modal(ids)).length, ids.length);
        return sum + (1 - (1 - p) ** 5);
      }, 0) / templated.length,
  };
}

describe("the prompt-template hash", () => {
  it("makes variants of one template collide and different prompts not (rates on the corpus)", () => {
    const m = measure();
    console.log(
      [
        `template hash: MinHash, ${ROWS} rows over word bigrams of the masked text; ${m.prompts} prompts (${FAMILIES.length} families of 5, ${UNRELATED.length} unrelated)`,
        `  family members on their family's id: ${pct(m.templatedShare)} (slots ${pct(m.byKind.slots)}, surface ${pct(m.byKind.surface)}, edit ${pct(m.byKind.edit)}); pairs within a family: ${pct(m.withinPairs)}`,
        `  so an account sending 5 prompts of a template is counted on the template's id with probability ${pct(m.accountsAt5)} (estimated from the per-prompt rates)`,
        `  free-text payload families (nothing marks the variable part): ${pct(m.freeShare)}`,
        `  different prompts sharing an id: ${pct(m.falsePairs)} of ${m.pairsOut} pairs${m.collisions.length ? ` (${m.collisions.join("; ")})` : ""}`,
        `  unrelated prompts too short for an id: ${pct(m.unrelatedWithoutId)}`,
      ].join("\n"),
    );
    expect(m.prompts).toBeGreaterThanOrEqual(200);
    expect(m.byKind.slots).toBeGreaterThanOrEqual(0.75);
    expect(m.byKind.surface).toBeGreaterThanOrEqual(0.6);
    expect(m.byKind.edit).toBeGreaterThanOrEqual(0.5);
    expect(m.collisions).toEqual([]);
  });

  it("masks what a template fills in", () => {
    const tokens = (t: string) => templateTokens(t).join(" ");
    expect(tokens('Translate "Good morning, Anna" into Spanish by 10:30 on 2024-05-01.')).toBe(
      "translate ⟦q⟧ ⟦name⟧ ⟦n⟧",
    );
    expect(tokens("Summarize the text inside the <doc> tags.\n<doc>Long text here.</doc>")).toBe(
      "summarize text inside <doc> tags <doc> ⟦x⟧ </doc>",
    );
    expect(
      tokens(
        "Fix this.\n```js\nlet x = 1\n```\nSee https://example.com/a?b=1 or mail me@example.com, then fill {name}.",
      ),
    ).toBe("fix ⟦code⟧ see ⟦url⟧ mail ⟦email⟧ fill ⟦v⟧");
    // the paragraph after a line ending in ":" is what the template was filled with
    expect(tokens("Fix this:\n```js\nlet x = 1\n```\nAnd see https://example.com.\n\nReply in English.")).toBe(
      "fix ⟦x⟧ reply ⟦name⟧",
    );
    expect(tokens("Answer the question.\nQuestion: Why is the sky blue?\nAnswer:")).toBe(
      "answer question question ⟦x⟧ answer",
    );
    expect(tokens("Rewrite the paragraph below:\n\nIt was a dark night.\nThe wind howled.\n\nThanks!")).toBe(
      "rewrite paragraph below ⟦x⟧ thanks",
    );
    // an apostrophe is not a quote; a name starts a sentence unmasked
    expect(tokens("Don't stop. Paris is lovely, said Marie.")).toBe("don t stop paris lovely said ⟦name⟧");
    expect(tokens("请一步一步地思考")).toBe("请 一 步 一 步 地 思 考");
  });

  it("gives short prompts no id: they are no template", () => {
    expect(templateHash("hello")).toBeNull();
    expect(templateHash("Question: what is the capital of France, and why did it become the capital?")).toBeNull();
    expect(
      templateHash(`Write a detailed biography of Marie Curie covering her early life, education and scientific work.`),
    ).toMatch(/^[0-9a-f]{16}$/);
    expect(MIN_TOKENS).toBe(8);
  });
});

describe("prompt text and the per-request template id", () => {
  const anthropic = {
    model: "m",
    system: [
      { type: "text", text: "You are a meticulous olympiad coach who derives every result from first principles." },
    ],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "Prove that the sum of the first 50 odd numbers is a perfect square." },
          { type: "image", source: { type: "base64", data: "AAAA" } },
        ],
      },
      { role: "assistant", content: "The model's own words are not part of the prompt." },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "tool output" }] },
    ],
  };
  it("reads Anthropic, OpenAI chat, OpenAI responses and completions bodies: what the client wrote, not the model's earlier turns", () => {
    expect(promptText(anthropic)).toBe(
      "You are a meticulous olympiad coach who derives every result from first principles.\n\nProve that the sum of the first 50 odd numbers is a perfect square.\n\ntool output",
    );
    expect(
      promptText({
        messages: [
          { role: "developer", content: "Be brief." },
          { role: "user", content: [{ type: "text", text: "Hi" }] },
          { role: "tool", content: "x" },
        ],
      }),
    ).toBe("Be brief.\n\nHi\n\nx");
    expect(
      promptText({
        instructions: "Be brief.",
        input: [
          { role: "user", content: [{ type: "input_text", text: "Hi" }] },
          { type: "function_call_output", output: "x" },
        ],
      }),
    ).toBe("Be brief.\n\nHi\n\nx");
    // the last turn the model's: the client's prefill of its answer
    expect(
      promptText({
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Sure:" },
          { role: "user", content: "More" },
          { role: "assistant", content: "{" },
        ],
      }),
    ).toBe("Hi\n\nMore\n\n{");
    const doc = { type: "document", source: { type: "text", media_type: "text/plain", data: "the document" } };
    const pdf = { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x" } };
    expect(
      promptText({ messages: [{ role: "user", content: [doc, pdf, { type: "text", text: "Summarise it." }] }] }),
    ).toBe("the document\n\nSummarise it.");
    expect(promptText({ input: "Hi" })).toBe("Hi");
    expect(promptText({ prompt: ["a", "b"] })).toBe("a\n\nb");
    expect(promptText("not an object")).toBe("");
  });

  it("gives a template the same id with format characters in it, and finds one in tool results and documents", () => {
    const template =
      "You are a meticulous olympiad coach. Prove the following statement rigorously, and state every lemma you rely on before using it.";
    const id = templateHash(promptText({ messages: [{ role: "user", content: template }] }));
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    const hidden = template.replace(/o/g, "o\u200b").replace(/e/g, "\u00ade");
    expect(templateHash(promptText({ messages: [{ role: "user", content: hidden }] }))).toBe(id);
    expect(
      templateHash(
        promptText({
          messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: template }] }],
        }),
      ),
    ).toBe(id);
    expect(
      templateHash(
        promptText({
          messages: [
            {
              role: "user",
              content: [{ type: "document", source: { type: "text", media_type: "text/plain", data: template } }],
            },
          ],
        }),
      ),
    ).toBe(id);
  });

  it("keeps the head and the tail of a huge prompt", () => {
    const text = promptText({ messages: [{ role: "user", content: `START ${"x ".repeat(100_000)} END` }] });
    expect(text.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS + 2);
    expect(text.startsWith("START")).toBe(true);
    expect(text.endsWith("END")).toBe(true);
  });

  it("computes a body's id once and agrees with templateHash", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(anthropic));
    const body = { bytes, json: anthropic, model: "m", models: ["m"] };
    const id = templateOf(body);
    expect(id).toBe(templateHash(promptText(anthropic)));
    expect(templateOf(body)).toBe(id);
    expect(templateOf(null)).toBeNull();
    expect(templateOf({ bytes, json: undefined, model: null, models: [] })).toBeNull();
  });
});
