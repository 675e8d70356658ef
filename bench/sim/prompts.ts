/**
 * Prompt text for simulated requests.
 *
 * - `varied`: what a population of real users writes. Each account has its
 *   own interests (a few subjects), and every prompt combines a task, a
 *   subject, details and sometimes pasted material of any length, so two
 *   prompts rarely share a shape.
 * - `templates`: what a harvesting pipeline sends: a handful of fixed
 *   scaffolds, each filled with generated problems, names and numbers. The
 *   scaffolds ask the model to spell out its reasoning step by step.
 *
 * A share of varied prompts also ask for step-by-step reasoning, as real
 * users do (`stepByStep`), so a content check that flags the phrase alone
 * meets honest users too.
 */
import type { Random } from "./random.ts";

const TASKS = [
  "Summarize the following",
  "Explain",
  "Write a Python function that handles",
  "Fix the bug in this code about",
  "Translate into Spanish:",
  "Draft a short email to a customer about",
  "Give me three ideas for",
  "What is the difference between",
  "Review this paragraph for clarity:",
  "Convert this JSON to YAML:",
  "Write a SQL query over",
  "Outline a project plan for",
  "Classify the sentiment of this review of",
  "Extract every date mentioned in",
  "Suggest a title for an article on",
  "Rewrite in a friendlier tone:",
  "Write unit tests for",
  "Compare the pros and cons of",
  "Create a study guide on",
  "Write a haiku about",
  "Explain like I am five:",
  "Generate a regex that matches",
  "Draft release notes for",
  "Write a cover letter for a job in",
  "Help me debug a TypeScript error in",
  "Describe the history of",
  "Turn these notes into a memo about",
  "Estimate the cost of",
  "List common mistakes when working with",
  "Write a product description for",
  "Make a weekly meal plan with",
  "Propose interview questions about",
  "Write a bash script that cleans up",
  "Critique this argument about",
  "Refactor this function dealing with",
  "Plan a three-day trip around",
  "Explain the error message from",
  "Write a limerick about",
];

const SUBJECTS = [
  "our quarterly sales report",
  "a binary search tree",
  "photosynthesis",
  "the French Revolution",
  "Kubernetes pod scheduling",
  "a React form hook",
  "customer churn in SaaS",
  "the Krebs cycle",
  "compound interest",
  "GDPR data requests",
  "a Postgres deadlock",
  "the Monty Hall problem",
  "solar panel sizing for a small house",
  "a sourdough starter",
  "Rust lifetimes",
  "an onboarding checklist",
  "supply chain delays",
  "the causes of inflation",
  "a CSV of sensor readings",
  "OAuth refresh tokens",
  "the plot of Hamlet",
  "a wedding toast",
  "machine translation quality",
  "a leaking kitchen faucet",
  "vector databases",
  "the Treaty of Westphalia",
  "caching in a CDN",
  "a marathon training plan",
  "tax brackets",
  "Bayesian A/B testing",
  "a cat that refuses to eat",
  "microservice timeouts",
  "the water cycle",
  "a Terraform state lock",
  "remote team rituals",
  "the Fourier transform",
  "an invoice dispute",
  "climate adaptation in cities",
  "a chess opening",
  "Python asyncio cancellation",
  "a landing page",
  "the immune response to vaccines",
  "Excel pivot tables",
  "a memory leak in Node",
  "medieval castle design",
  "a job offer negotiation",
  "ocean acidification",
  "a flaky integration test",
  "quantum entanglement",
  "a small bakery's marketing",
  "git rebase conflicts",
  "the Silk Road",
  "a podcast intro",
  "lease agreement clauses",
  "graph coloring",
  "a noisy neighbour complaint",
  "the Doppler effect",
  "a retirement budget",
];

const DETAILS = [
  "Keep it under 200 words.",
  "Use bullet points.",
  "Our audience is non-technical.",
  "Please be concise.",
  "Include an example.",
  "Format the answer as a table.",
  "We are on a tight deadline.",
  "Assume I know the basics.",
  "Cite the key assumptions.",
  "Avoid jargon.",
  "Write it in British English.",
  "Return only the code.",
  "Add comments to the code.",
  "Explain each step briefly.",
];

const WORDS =
  "the a of to and in that is was for on with as it by at from this be are or have an which not but had were they one all their been has more would there when what some about into than them its only other new time could two these may first then do any like my now over such our man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three".split(
    " ",
  );

// Words for the free-text part of a prompt: what makes two people's prompts differ.
const NOUNS =
  "budget client deadline report slide chart table script query dataset model server cluster invoice contract email meeting agenda recipe garden lesson essay chapter poem song story character plot scene map route trip flight hotel visa course exam thesis paper review feedback survey interview resume portfolio website app feature bug ticket release branch commit test pipeline build image video podcast episode newsletter campaign audience customer supplier order shipment warehouse inventory price discount refund policy account password login dashboard metric goal plan schedule shift team manager intern volunteer neighbour landlord lease mortgage loan insurance claim doctor appointment diet workout habit hobby guitar piano camera bike car engine battery charger laptop phone printer router".split(
    " ",
  );
const ADJECTIVES =
  "new old small large quick simple short long final rough messy clean urgent weekly monthly annual internal external public private shared remote local legacy modern broken flaky slow fast noisy quiet tricky basic advanced formal casual friendly strict vague detailed cheap expensive popular niche".split(
    " ",
  );
const VERBS =
  "fix write explain compare check improve shorten expand translate summarize review plan organise schedule estimate debug refactor test deploy migrate clean design draft outline format rewrite sort group merge split convert calculate predict track measure".split(
    " ",
  );
const OPENERS = [
  "Hi!",
  "Hey,",
  "Quick question:",
  "Can you help?",
  "Please help.",
  "I'm stuck.",
  "Hello,",
  "Thanks in advance.",
  "Ok so",
  "Help me out:",
  "Morning!",
  "Question for you:",
  "Hoping you can help.",
  "Need a hand:",
  "So,",
  "Follow-up:",
  "One more thing:",
  "Urgent:",
];

/** A clause in someone's own words: "we still need to check the flaky velmor pipeline before the weekly release". */
function ownWords(r: Random): string {
  const n = 6 + r.int(12);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const roll = r.int(10);
    out.push(
      roll < 2
        ? r.pick(NOUNS)
        : roll < 4
          ? r.pick(ADJECTIVES)
          : roll < 6
            ? r.pick(VERBS)
            : roll < 8
              ? r.pick(WORDS)
              : r.pick(madeUpWords()),
    );
  }
  return `${out.join(" ")}.`;
}

const STEP_BY_STEP = [
  "Think step by step.",
  "Walk me through it step by step.",
  "Explain your reasoning step by step.",
  "Let's work through this step by step.",
];

// People phrase the same request many ways: each listed word is swapped for one of its variants.
const SYNONYMS: Record<string, readonly string[]> = {
  Summarize: ["Summarize", "Sum up", "Condense", "Give me a summary of", "TL;DR"],
  Explain: ["Explain", "Describe", "Help me understand", "Clarify", "Break down"],
  Write: ["Write", "Create", "Make", "Code up", "Put together"],
  Fix: ["Fix", "Repair", "Sort out", "Correct"],
  Translate: ["Translate", "Render", "Convert"],
  Draft: ["Draft", "Write", "Compose", "Prepare"],
  Give: ["Give", "Suggest", "Send", "Brainstorm"],
  Review: ["Review", "Check", "Proofread", "Look over"],
  Outline: ["Outline", "Sketch", "Lay out", "Map out"],
  Classify: ["Classify", "Judge", "Rate", "Label"],
  Extract: ["Extract", "Pull out", "Find", "List"],
  Suggest: ["Suggest", "Propose", "Come up with", "Think of"],
  Rewrite: ["Rewrite", "Rephrase", "Reword", "Redo"],
  Compare: ["Compare", "Contrast", "Weigh"],
  Create: ["Create", "Build", "Make", "Design"],
  List: ["List", "Name", "What are", "Tell me"],
  Describe: ["Describe", "Tell me about", "Walk me through", "Summarize"],
  Make: ["Make", "Build", "Plan", "Put together"],
  Propose: ["Propose", "Suggest", "Draft", "Come up with"],
  Help: ["Help", "Assist", "Support"],
  Critique: ["Critique", "Assess", "Evaluate", "Pick apart"],
  Refactor: ["Refactor", "Clean up", "Restructure", "Simplify"],
  Plan: ["Plan", "Organise", "Sketch", "Design"],
  Estimate: ["Estimate", "Work out", "Figure out", "Guess"],
  Generate: ["Generate", "Write", "Build", "Give me"],
  Turn: ["Turn", "Convert", "Rework", "Shape"],
  short: ["short", "brief", "quick", "concise"],
  common: ["common", "typical", "frequent", "classic", "usual"],
  mistakes: ["mistakes", "pitfalls", "errors", "gotchas", "traps"],
  customer: ["customer", "client", "user", "partner"],
  ideas: ["ideas", "suggestions", "options", "angles"],
  difference: ["difference", "distinction", "gap"],
  paragraph: ["paragraph", "text", "passage", "section"],
  tone: ["tone", "voice", "style"],
  function: ["function", "helper", "routine", "method"],
  handles: ["handles", "deals with", "processes", "works with"],
  about: ["about", "regarding", "on", "concerning"],
  title: ["title", "headline", "name"],
  article: ["article", "post", "piece", "blog post"],
  plan: ["plan", "roadmap", "schedule", "outline"],
  project: ["project", "initiative", "effort"],
  review: ["review", "opinion", "rating"],
  working: ["working", "dealing", "getting started"],
  pros: ["pros", "upsides", "benefits"],
  cons: ["cons", "downsides", "drawbacks"],
  guide: ["guide", "sheet", "summary"],
  unit: ["unit", "small", "fast"],
  tests: ["tests", "test cases", "checks"],
  error: ["error", "failure", "exception"],
  history: ["history", "background", "origins"],
  notes: ["notes", "bullet points", "scribbles"],
  memo: ["memo", "note", "summary"],
  cost: ["cost", "price", "budget"],
  product: ["product", "item", "listing"],
  questions: ["questions", "prompts", "topics"],
  script: ["script", "one-liner", "cron job"],
  argument: ["argument", "claim", "position"],
  trip: ["trip", "visit", "holiday"],
  message: ["message", "output", "log line"],
};

function paraphrase(r: Random, text: string): string {
  return text.replace(/[A-Za-z]+/g, (w) => (SYNONYMS[w] ? r.pick(SYNONYMS[w]) : w));
}

/** One account's habits: what it tends to ask about. */
export interface PromptProfile {
  subjects: readonly string[];
}

export function drawProfile(r: Random): PromptProfile {
  return { subjects: Array.from({ length: 3 + r.int(4) }, () => r.pick(SUBJECTS)) };
}

// Real text has a large vocabulary: names of things, jargon, products. Made-up words stand in for
// them (two or three syllables: tens of thousands of them), so pasted documents and people's own
// words share no more wording than real ones do.
const SYLLABLES =
  "ka lo mi ren tor va zel qui dan fer gol hin jup lex mor nax pel ros sut tav ul ven wix yar zo bri cas dov eth fyn gar hol isk jor kel lum".split(
    " ",
  );
/** Every two-syllable word and a fixed draw of three-syllable ones: 40,000 words, built once. */
let madeUp: string[] | null = null;
function madeUpWords(): string[] {
  if (madeUp) return madeUp;
  madeUp = [];
  for (const a of SYLLABLES) for (const b of SYLLABLES) madeUp.push(a + b);
  let x = 2024;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % SYLLABLES.length;
  while (madeUp.length < 40_000) madeUp.push(SYLLABLES[next()]! + SYLLABLES[next()]! + SYLLABLES[next()]!);
  return madeUp;
}
const CONTENT = [
  ...NOUNS,
  ...ADJECTIVES,
  ...VERBS,
  ...new Set(
    SUBJECTS.join(" ")
      .split(/\W+/)
      .filter((w) => w.length > 3),
  ),
];

/** Pasted material: sentences of function words, content words and made-up words, written afresh for every prompt (no two pasted documents share a passage). */
function filler(r: Random, words: number): string {
  const made = madeUpWords();
  let text = "";
  let sentence = 0;
  let length = 8 + r.int(13);
  for (let i = 0; i < words; i++) {
    const roll = r.next();
    let w =
      roll < 0.45
        ? WORDS[Math.floor(r.next() * WORDS.length)]!
        : roll < 0.8
          ? CONTENT[Math.floor(r.next() * CONTENT.length)]!
          : made[Math.floor(r.next() * made.length)]!;
    if (sentence === 0) w = w[0]!.toUpperCase() + w.slice(1);
    if (++sentence >= length) {
      w += ".";
      sentence = 0;
      length = 8 + r.int(13);
    }
    text += i === 0 ? w : ` ${w}`;
  }
  return text;
}

/**
 * The earlier turns of a conversation a request continues: `exchanges` pairs of a user turn (the person's own
 * words, no pasted material) and the assistant's answer (prose of 40 to 200 words).
 */
export function earlierTurns(
  r: Random,
  profile: PromptProfile,
  exchanges: number,
): Array<{ role: "user" | "assistant"; content: string }> {
  const turns: Array<{ role: "user" | "assistant"; content: string }> = [];
  for (let i = 0; i < exchanges; i++) {
    turns.push({ role: "user", content: variedPrompt(r, profile, { stepByStep: 0, pasteShare: 0, pasteWords: 1 }) });
    turns.push({ role: "assistant", content: filler(r, 40 + r.int(161)) });
  }
  return turns;
}

/** A prompt as a real user writes one. `pasteWords`: median words of pasted material, when any is pasted. */
export function variedPrompt(
  r: Random,
  profile: PromptProfile,
  o: { stepByStep: number; pasteShare: number; pasteWords: number },
): string {
  const parts = [
    r.chance(0.25) ? r.pick(OPENERS) : "",
    `${paraphrase(r, r.pick(TASKS))} ${r.chance(0.8) ? r.pick(profile.subjects) : r.pick(SUBJECTS)}.`,
  ].filter(Boolean);
  // People say what they need in their own words, so two prompts rarely share their wording.
  parts.push(ownWords(r));
  if (r.chance(0.4)) parts.push(ownWords(r));
  if (r.chance(0.5)) parts.push(paraphrase(r, r.pick(DETAILS)));
  if (r.chance(0.25))
    parts.push(`It involves ${1 + r.int(500)} items and a budget of ${(r.int(900) + 100) * 10} dollars.`);
  if (r.chance(o.pasteShare))
    parts.push(`\n\n${filler(r, Math.min(8000, Math.max(20, Math.round(r.logNormal(o.pasteWords, 2.2)))))}`);
  if (r.chance(o.stepByStep)) parts.push(r.pick(STEP_BY_STEP));
  return parts.join(" ");
}

// Scaffolds of a harvesting pipeline: each asks for the reasoning itself, spelled out.
const SCAFFOLDS = [
  "You are an expert {field} tutor. Solve the problem below. Before the final answer, write out your complete internal reasoning step by step, numbering every step and explaining why it follows from the previous one.\n\nProblem: {problem}\n\nEnd with 'Final answer:' and the result.",
  "Question {n}: {problem}\nShow your full chain of thought in detail, every intermediate calculation included, then give the answer after ANSWER:.",
  "Think carefully and reason step by step, out loud, about the following {field} task. Do not skip steps; verify each one before moving on.\nTask: {problem}",
  "[{field}] Provide a detailed, step-by-step derivation for: {problem}. List your assumptions first, then each reasoning step, then the conclusion.",
  "Please reason through this {field} problem one step at a time and explain your thinking at every step, as if teaching a student: {problem}",
  "Problem #{n} ({field}). {problem} Reason step by step. Show all work. State the final answer on its own line.",
  "Let's think step by step. {problem} Break the problem into sub-problems, solve each with full reasoning, and then combine them. Field: {field}.",
  "As a careful {field} analyst, walk through your reasoning step by step for the scenario below, considering alternatives before deciding.\nScenario: {problem}",
];

const FIELDS = [
  "mathematics",
  "physics",
  "chemistry",
  "logic",
  "programming",
  "economics",
  "probability",
  "biology",
  "finance",
  "algorithms",
];
const NAMES = [
  "Alice",
  "Bob",
  "Chen",
  "Dmitri",
  "Elena",
  "Farid",
  "Grace",
  "Hiro",
  "Ines",
  "Jamal",
  "Kofi",
  "Lena",
  "Mateo",
  "Nadia",
  "Omar",
  "Priya",
];
const CITIES = [
  "Lyon",
  "Osaka",
  "Denver",
  "Porto",
  "Nairobi",
  "Hanoi",
  "Quebec",
  "Leeds",
  "Pune",
  "Tartu",
  "Recife",
  "Busan",
];
const PROBLEMS = [
  "A train leaves {city} at {a} km/h and another leaves {city2} {b} minutes later at {c} km/h on the same {d} km track toward it. When and where do they meet?",
  "{name} invests {a} dollars at {b}% compounded monthly and withdraws {c} dollars every year. How much remains after {d} years?",
  "A bag holds {a} red and {b} blue marbles. {name} draws {c} without replacement. What is the probability that exactly {d} are red?",
  "Find all integer solutions of {a}x + {b}y = {c} with 0 <= x, y <= {d}.",
  "Write an algorithm that finds the {a}-th smallest element in an unsorted array of {b} integers and analyse its complexity for {c} queries.",
  "A tank fills through one pipe in {a} hours and drains through another in {b} hours. Starting with {c}% full, when does it overflow if both are open after {d} minutes?",
  "{name} must schedule {a} tasks on {b} machines with durations {c} to {d} minutes. What is the minimum makespan and why?",
  "A ball is thrown from {a} m high at {b} m/s at {c} degrees. How far from {city} station's platform edge, {d} m away, does it land?",
  "A company in {city} sells {a} units at {b} dollars with a fixed cost of {c} and variable cost of {d} per unit. Find the break-even point and the profit margin.",
  "Prove or disprove: for every n greater than {a}, the sum of the first n odd numbers divisible by {b} exceeds {c} times n plus {d}.",
];

export interface TemplateSet {
  scaffolds: readonly string[];
}

/** The handful of scaffolds one harvesting operation reuses. */
export function drawTemplates(r: Random, count: number): TemplateSet {
  const pool = [...SCAFFOLDS];
  const scaffolds: string[] = [];
  while (scaffolds.length < Math.min(count, SCAFFOLDS.length)) scaffolds.push(pool.splice(r.int(pool.length), 1)[0]!);
  return { scaffolds };
}

export function templatePrompt(r: Random, set: TemplateSet): string {
  const num = () => String(2 + r.int(997));
  const problem = r
    .pick(PROBLEMS)
    .replace("{city2}", r.pick(CITIES))
    .replace("{city}", r.pick(CITIES))
    .replace("{name}", r.pick(NAMES))
    .replace(/\{[abcd]\}/g, num);
  return r
    .pick(set.scaffolds)
    .replace("{field}", r.pick(FIELDS))
    .replace("{n}", String(1 + r.int(99_999)))
    .replace("{problem}", problem);
}
