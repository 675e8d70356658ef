/**
 * A prompt corpus for the template hash: families of prompts made from one
 * template (what a farm sends from many accounts) and unrelated prompts (what
 * different customers send). Each family has five members:
 *
 * - `slots` (three): the template with other values in its variable parts
 *   (numbers, names, quoted text, code, tagged or labelled documents);
 * - `surface`: another fill, and other casing, spacing or punctuation;
 * - `edit`: another fill, and a word added, dropped or swapped.
 *
 * `free` families fill their template with free text that nothing marks as
 * variable (no quotes, tags or labels); they show the method's limit.
 */
export type VariantKind = "slots" | "surface" | "edit";

export interface Family {
  name: string;
  free?: true;
  members: Array<[VariantKind, string]>;
}

export const FAMILIES: Family[] = [
  {
    name: "cot-math-labelled",
    members: [
      [
        "slots",
        "Solve the problem below. Think step by step, write out every intermediate calculation, then give the final answer on its own line.\n\nProblem: A train leaves Berlin at 9:15 and travels 240 km at 80 km/h. When does it arrive?",
      ],
      [
        "slots",
        "Solve the problem below. Think step by step, write out every intermediate calculation, then give the final answer on its own line.\n\nProblem: If 3 pencils cost 1.20 dollars, how much do 17 pencils cost?",
      ],
      [
        "slots",
        "Solve the problem below. Think step by step, write out every intermediate calculation, then give the final answer on its own line.\n\nProblem: Maria has twice as many apples as Tom, who has 14. They give away 9. How many are left?",
      ],
      [
        "surface",
        "solve the problem below -- think step by step, write out every intermediate calculation, then give the final answer on its own line\n\nProblem:   What is the sum of the interior angles of a hexagon?",
      ],
      [
        "edit",
        "Solve the problem below. Think carefully step by step, write out every intermediate calculation, then give the final answer on its own line.\n\nProblem: A rectangle is 12 cm by 7 cm. What is its diagonal?",
      ],
    ],
  },
  {
    name: "translate-quoted",
    members: [
      [
        "slots",
        'Translate the following sentence into French, keeping the tone and register of the original: "The meeting has been moved to Thursday afternoon."',
      ],
      [
        "slots",
        'Translate the following sentence into German, keeping the tone and register of the original: "Could you please send me the invoice again?"',
      ],
      [
        "slots",
        'Translate the following sentence into Spanish, keeping the tone and register of the original: "I can\'t believe we lost the final."',
      ],
      [
        "surface",
        "TRANSLATE the following sentence into Italian , keeping the tone and register of the original :  “Our flight was delayed by three hours.”",
      ],
      [
        "edit",
        'Translate the following sentence into Japanese, keeping the tone and the register of the original text: "Thank you for your patience."',
      ],
    ],
  },
  {
    name: "biography-names",
    members: [
      [
        "slots",
        "Write a detailed biography of Marie Curie covering her early life, education, major scientific contributions, and lasting influence on modern science.",
      ],
      [
        "slots",
        "Write a detailed biography of Alan Turing covering his early life, education, major scientific contributions, and lasting influence on modern science.",
      ],
      [
        "slots",
        "Write a detailed biography of Rosalind Franklin covering her early life, education, major scientific contributions, and lasting influence on modern science.",
      ],
      [
        "surface",
        "write a detailed biography of Niels Bohr covering his early life; education; major scientific contributions; and lasting influence on modern science",
      ],
      [
        "edit",
        "Write a detailed biography of Lise Meitner covering her early life, education, major scientific contributions, and her lasting influence on modern physics.",
      ],
    ],
  },
  {
    name: "code-review-fenced",
    members: [
      [
        "slots",
        "Review the following code for bugs, security issues and performance problems. For each issue explain why it matters and propose a fix.\n\n```python\ndef load(path):\n    return eval(open(path).read())\n```",
      ],
      [
        "slots",
        "Review the following code for bugs, security issues and performance problems. For each issue explain why it matters and propose a fix.\n\n```js\nfor (var i = 0; i < items.length; i++) { setTimeout(() => console.log(items[i]), 0) }\n```",
      ],
      [
        "slots",
        "Review the following code for bugs, security issues and performance problems. For each issue explain why it matters and propose a fix.\n\n```sql\nSELECT * FROM users WHERE name = '\" + name + \"'\n```",
      ],
      [
        "surface",
        "Review the following code for bugs, security issues, and performance problems! For each issue: explain why it matters and propose a fix.\n```go\nfunc f(m map[string]int) { for k := range m { delete(m, k) } }\n```",
      ],
      [
        "edit",
        'Please review the following code for bugs, security issues and performance problems. For each issue explain why it matters and propose a fix.\n\n```rust\nlet v: Vec<i32> = Vec::new(); println!("{}", v[0]);\n```',
      ],
    ],
  },
  {
    name: "summarise-tagged",
    members: [
      [
        "slots",
        "Summarize the article inside the <article> tags in exactly three bullet points, then list the two most important open questions it raises.\n<article>The city council voted on Tuesday to expand the bike lane network by 40 kilometres over the next five years, funded by a parking levy.</article>",
      ],
      [
        "slots",
        "Summarize the article inside the <article> tags in exactly three bullet points, then list the two most important open questions it raises.\n<article>Researchers report a new battery chemistry that retains 90 percent capacity after 5,000 cycles, though costs remain high.</article>",
      ],
      [
        "slots",
        "Summarize the article inside the <article> tags in exactly three bullet points, then list the two most important open questions it raises.\n<article>Heavy rainfall flooded parts of the valley overnight; officials evacuated 1,200 residents and closed two bridges.</article>",
      ],
      [
        "surface",
        "summarize the article inside the <article> tags in EXACTLY three bullet points - then list the two most important open questions it raises\n\n<article>\nA startup claims its drone can deliver medicine to remote villages in under an hour.\n</article>",
      ],
      [
        "edit",
        "Summarize the article inside the <article> tags in exactly three short bullet points, then list the two most important open questions it raises.\n<article>The central bank held rates steady, citing persistent services inflation.</article>",
      ],
    ],
  },
  {
    name: "qa-labelled",
    members: [
      [
        "slots",
        "You are an expert tutor. Answer the question with a thorough explanation of the underlying concepts, then state the answer in one sentence.\nQuestion: Why does ice float on water?\nAnswer:",
      ],
      [
        "slots",
        "You are an expert tutor. Answer the question with a thorough explanation of the underlying concepts, then state the answer in one sentence.\nQuestion: How do vaccines train the immune system?\nAnswer:",
      ],
      [
        "slots",
        "You are an expert tutor. Answer the question with a thorough explanation of the underlying concepts, then state the answer in one sentence.\nQuestion: What causes the seasons on Earth?\nAnswer:",
      ],
      [
        "surface",
        "you are an expert tutor.  answer the question with a thorough explanation of the underlying concepts; then state the answer in one sentence.\n\nQuestion: why is the sky blue\nAnswer:",
      ],
      [
        "edit",
        "You are an expert tutor. Answer the question with a thorough explanation of all the underlying concepts, then state the answer in one sentence.\nQuestion: What is entropy?\nAnswer:",
      ],
    ],
  },
  {
    name: "product-description",
    members: [
      [
        "slots",
        "Write a 120-word product description for an online store. Product: stainless steel water bottle. Audience: hikers. Highlight durability and keep the tone upbeat.",
      ],
      [
        "slots",
        "Write a 80-word product description for an online store. Product: noise-cancelling headphones. Audience: commuters. Highlight durability and keep the tone upbeat.",
      ],
      [
        "slots",
        "Write a 150-word product description for an online store. Product: bamboo cutting board. Audience: home cooks. Highlight durability and keep the tone upbeat.",
      ],
      [
        "surface",
        "write a 100 word product description for an online store.  product: ergonomic office chair.  audience: remote workers.  highlight durability, and keep the tone upbeat!",
      ],
      [
        "edit",
        "Write a 90-word product description for an online shop. Product: waterproof hiking boots. Audience: trail runners. Highlight durability and keep the tone upbeat.",
      ],
    ],
  },
  {
    name: "sentiment-json",
    members: [
      [
        "slots",
        'Classify the sentiment of the review as positive, negative or mixed, and return JSON with the keys "sentiment", "confidence" and "evidence". Review: "Battery lasts two days but the screen scratches easily."',
      ],
      [
        "slots",
        'Classify the sentiment of the review as positive, negative or mixed, and return JSON with the keys "sentiment", "confidence" and "evidence". Review: "Absolutely love it, best purchase this year."',
      ],
      [
        "slots",
        'Classify the sentiment of the review as positive, negative or mixed, and return JSON with the keys "sentiment", "confidence" and "evidence". Review: "Arrived broken and support never answered."',
      ],
      [
        "surface",
        "classify the sentiment of the review as positive / negative / mixed and return json with the keys 'sentiment', 'confidence' and 'evidence'.   Review: 'Decent for the price, nothing special.'",
      ],
      [
        "edit",
        'Classify the sentiment of the customer review as positive, negative or mixed, and return JSON with the keys "sentiment", "confidence" and "evidence". Review: "Too loud, returned it."',
      ],
    ],
  },
  {
    name: "email-reply",
    members: [
      [
        "slots",
        "Draft a polite reply to the customer email below. Apologize for the inconvenience, explain that a replacement will ship within 3 business days, and offer a 10% discount on the next order.\n\nEmail: Hi, my order #48213 arrived damaged. - Jenny",
      ],
      [
        "slots",
        "Draft a polite reply to the customer email below. Apologize for the inconvenience, explain that a replacement will ship within 5 business days, and offer a 15% discount on the next order.\n\nEmail: The blender I bought stopped working after a week. Regards, Omar",
      ],
      [
        "slots",
        "Draft a polite reply to the customer email below. Apologize for the inconvenience, explain that a replacement will ship within 2 business days, and offer a 20% discount on the next order.\n\nEmail: Wrong size delivered again!! Second time. Paul",
      ],
      [
        "surface",
        "draft a polite reply to the customer email below: apologize for the inconvenience, explain that a replacement will ship within 4 business days and offer a 5% discount on the next order\n\nEmail: package never arrived, tracking says delivered",
      ],
      [
        "edit",
        "Draft a short, polite reply to the customer email below. Apologize for the inconvenience, explain that a replacement will ship within 3 business days, and offer a 10% discount on the next order.\n\nEmail: Missing parts in the box.",
      ],
    ],
  },
  {
    name: "reasoning-trace-request",
    members: [
      [
        "slots",
        "Before answering, reason through the problem in detail inside <thinking> tags, considering at least three approaches and their failure modes. Then answer inside <answer> tags.\n\nHow many ways can 8 rooks be placed on a chessboard so that none attack each other?",
      ],
      [
        "slots",
        "Before answering, reason through the problem in detail inside <thinking> tags, considering at least three approaches and their failure modes. Then answer inside <answer> tags.\n\nIs 1,001 a prime number?",
      ],
      [
        "slots",
        "Before answering, reason through the problem in detail inside <thinking> tags, considering at least three approaches and their failure modes. Then answer inside <answer> tags.\n\nWhat is the probability of rolling two sixes with 2 dice?",
      ],
      [
        "surface",
        "before answering, reason through the problem in detail inside <thinking> tags -- considering at least three approaches and their failure modes.  then answer inside <answer> tags.\n\nFind x if 3x + 7 = 22.",
      ],
      [
        "edit",
        "Before answering, carefully reason through the problem in detail inside <thinking> tags, considering at least three approaches and their failure modes. Then answer inside <answer> tags.\n\nHow many edges does a cube have?",
      ],
    ],
  },
  {
    name: "recipe",
    members: [
      [
        "slots",
        "Give me a vegetarian recipe for 4 people that takes under 30 minutes, uses chickpeas as the main protein, and lists ingredients in grams.",
      ],
      [
        "slots",
        "Give me a vegetarian recipe for 2 people that takes under 45 minutes, uses tofu as the main protein, and lists ingredients in grams.",
      ],
      [
        "slots",
        "Give me a vegetarian recipe for 6 people that takes under 20 minutes, uses lentils as the main protein, and lists ingredients in grams.",
      ],
      [
        "surface",
        "give me a vegetarian recipe for 3 people, that takes under 25 minutes, uses tempeh as the main protein and lists ingredients in grams",
      ],
      [
        "edit",
        "Give me a quick vegetarian recipe for 4 people that takes under 30 minutes, uses black beans as the main protein, and lists ingredients in grams.",
      ],
    ],
  },
  {
    name: "sql-from-schema",
    members: [
      [
        "slots",
        "Given the schema below, write a single PostgreSQL query that answers the request. Return only the SQL.\nSchema: orders(id, customer_id, total, created_at), customers(id, name, country)\nRequest: total revenue per country in 2023",
      ],
      [
        "slots",
        "Given the schema below, write a single PostgreSQL query that answers the request. Return only the SQL.\nSchema: employees(id, name, dept_id, salary), departments(id, name)\nRequest: the highest paid employee in each department",
      ],
      [
        "slots",
        "Given the schema below, write a single PostgreSQL query that answers the request. Return only the SQL.\nSchema: posts(id, author_id, published), comments(id, post_id, body)\nRequest: posts with more than 10 comments",
      ],
      [
        "surface",
        "given the schema below write a single postgresql query that answers the request; return only the sql\n\nSchema: songs(id, artist, plays)\nRequest: top 5 artists by plays",
      ],
      [
        "edit",
        "Given the schema below, write one PostgreSQL query that answers the request. Return only the SQL.\nSchema: tickets(id, status, opened_at)\nRequest: open tickets older than a week",
      ],
    ],
  },
  {
    name: "persona-interview",
    members: [
      [
        "slots",
        "Pretend you are Napoleon Bonaparte being interviewed by a modern journalist. Stay in character, answer in the first person, and mention at least two historical events you were part of.",
      ],
      [
        "slots",
        "Pretend you are Cleopatra being interviewed by a modern journalist. Stay in character, answer in the first person, and mention at least two historical events you were part of.",
      ],
      [
        "slots",
        "Pretend you are Leonardo da Vinci being interviewed by a modern journalist. Stay in character, answer in the first person, and mention at least two historical events you were part of.",
      ],
      [
        "surface",
        "pretend you are Abraham Lincoln being interviewed by a modern journalist -- stay in character, answer in the first person and mention at least two historical events you were part of!",
      ],
      [
        "edit",
        "Pretend that you are Ada Lovelace being interviewed by a modern journalist. Stay in character, answer in the first person, and mention at least two events you were part of.",
      ],
    ],
  },
  {
    name: "unit-tests",
    members: [
      [
        "slots",
        "Write pytest unit tests for the function below. Cover normal inputs, edge cases and invalid inputs, and use parametrize where it helps.\n```python\ndef slugify(s): return '-'.join(s.lower().split())\n```",
      ],
      [
        "slots",
        "Write pytest unit tests for the function below. Cover normal inputs, edge cases and invalid inputs, and use parametrize where it helps.\n```python\ndef median(xs): xs = sorted(xs); return xs[len(xs)//2]\n```",
      ],
      [
        "slots",
        "Write pytest unit tests for the function below. Cover normal inputs, edge cases and invalid inputs, and use parametrize where it helps.\n```python\ndef is_leap(y): return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)\n```",
      ],
      [
        "surface",
        "write pytest unit tests for the function below - cover normal inputs, edge cases, and invalid inputs; use parametrize where it helps\n\n```python\ndef clamp(x, lo, hi): return max(lo, min(x, hi))\n```",
      ],
      [
        "edit",
        "Write thorough pytest unit tests for the function below. Cover normal inputs, edge cases and invalid inputs, and use parametrize where it helps.\n```python\ndef chunk(xs, n): return [xs[i:i+n] for i in range(0, len(xs), n)]\n```",
      ],
    ],
  },
  {
    name: "compare-two",
    members: [
      [
        "slots",
        "Compare Kubernetes and Nomad for a team of 5 engineers running 30 services. Give a table of trade-offs, then a recommendation with the deciding factor.",
      ],
      [
        "slots",
        "Compare PostgreSQL and MongoDB for a team of 3 engineers running 8 services. Give a table of trade-offs, then a recommendation with the deciding factor.",
      ],
      [
        "slots",
        "Compare React and Svelte for a team of 12 engineers running 4 services. Give a table of trade-offs, then a recommendation with the deciding factor.",
      ],
      [
        "surface",
        "compare Kafka and RabbitMQ for a team of 20 engineers running 100 services: give a table of trade-offs, then a recommendation with the deciding factor",
      ],
      [
        "edit",
        "Compare Terraform and Pulumi for a small team of 6 engineers running 15 services. Give a table of trade-offs, then a recommendation with the deciding factor.",
      ],
    ],
  },
  {
    name: "legal-clause",
    members: [
      [
        "slots",
        'Explain in plain English what this contract clause means for a tenant, list any risks, and suggest one fairer wording: "The Landlord may enter the premises at any time without notice for inspection."',
      ],
      [
        "slots",
        'Explain in plain English what this contract clause means for a tenant, list any risks, and suggest one fairer wording: "The Tenant shall bear all repair costs regardless of cause."',
      ],
      [
        "slots",
        'Explain in plain English what this contract clause means for a tenant, list any risks, and suggest one fairer wording: "Rent may be increased by up to 25% annually at the Landlord\'s discretion."',
      ],
      [
        "surface",
        "explain in plain english what this contract clause means for a tenant; list any risks; and suggest one fairer wording:  “The deposit is non-refundable under all circumstances.”",
      ],
      [
        "edit",
        'Explain in plain English what this contract clause means for a tenant, list any possible risks, and suggest one fairer wording: "Pets are forbidden; violation voids the lease."',
      ],
    ],
  },
  {
    name: "study-plan",
    members: [
      [
        "slots",
        "Create a 6-week study plan to learn linear algebra for machine learning, with 5 hours per week, weekly milestones, and one free resource per week.",
      ],
      [
        "slots",
        "Create a 4-week study plan to learn Rust for systems programming, with 10 hours per week, weekly milestones, and one free resource per week.",
      ],
      [
        "slots",
        "Create a 8-week study plan to learn Spanish for travel, with 3 hours per week, weekly milestones, and one free resource per week.",
      ],
      [
        "surface",
        "create a 12 week study plan to learn statistics for data analysis -- with 6 hours per week, weekly milestones and one free resource per week",
      ],
      [
        "edit",
        "Create a detailed 6-week study plan to learn organic chemistry for the MCAT, with 8 hours per week, weekly milestones, and one free resource per week.",
      ],
    ],
  },
  {
    name: "system-plus-user",
    members: [
      [
        "slots",
        "You are MathGPT, a meticulous olympiad coach. Always derive results from first principles, number each step, and verify the final answer by substitution.\n\nProve that the sum of the first 50 odd numbers is a perfect square.",
      ],
      [
        "slots",
        "You are MathGPT, a meticulous olympiad coach. Always derive results from first principles, number each step, and verify the final answer by substitution.\n\nFind all integer solutions of x^2 - y^2 = 45.",
      ],
      [
        "slots",
        "You are MathGPT, a meticulous olympiad coach. Always derive results from first principles, number each step, and verify the final answer by substitution.\n\nShow that 7 divides 2^21 - 1.",
      ],
      [
        "surface",
        "you are MathGPT , a meticulous olympiad coach.  always derive results from first principles; number each step; and verify the final answer by substitution.\nSolve 4x - 9 = 31.",
      ],
      [
        "edit",
        "You are MathGPT, a meticulous and patient olympiad coach. Always derive results from first principles, number each step, and verify the final answer by substitution.\n\nCompute 17 mod 5.",
      ],
    ],
  },
  {
    name: "rewrite-tone",
    members: [
      [
        "slots",
        'Rewrite the following text so it sounds confident but friendly, keep it under 60 words, and do not add new facts: "we kinda maybe could ship the feature next sprint if things go ok."',
      ],
      [
        "slots",
        'Rewrite the following text so it sounds confident but friendly, keep it under 40 words, and do not add new facts: "sorry for the late reply, been swamped, will check tomorrow."',
      ],
      [
        "slots",
        'Rewrite the following text so it sounds confident but friendly, keep it under 80 words, and do not add new facts: "not sure the numbers are right but here they are anyway."',
      ],
      [
        "surface",
        "rewrite the following text so it sounds CONFIDENT but friendly - keep it under 50 words, and do not add new facts:  'i guess the demo went fine??'",
      ],
      [
        "edit",
        'Rewrite the following text so that it sounds confident but friendly, keep it under 60 words, and do not add any new facts: "idk if this is what you wanted."',
      ],
    ],
  },
  {
    name: "trivia-generation",
    members: [
      [
        "slots",
        "Generate 10 multiple-choice trivia questions about the Roman Empire, each with four options, exactly one correct answer, and a one-sentence explanation.",
      ],
      [
        "slots",
        "Generate 5 multiple-choice trivia questions about the Solar System, each with four options, exactly one correct answer, and a one-sentence explanation.",
      ],
      [
        "slots",
        "Generate 20 multiple-choice trivia questions about World War II, each with four options, exactly one correct answer, and a one-sentence explanation.",
      ],
      [
        "surface",
        "generate 15 multiple choice trivia questions about Ancient Egypt -- each with four options, exactly one correct answer and a one sentence explanation",
      ],
      [
        "edit",
        "Generate 10 hard multiple-choice trivia questions about the Renaissance, each with four options, exactly one correct answer, and a short one-sentence explanation.",
      ],
    ],
  },
  {
    name: "chinese-cot",
    members: [
      [
        "slots",
        "请一步一步地思考下面的问题，写出完整的推理过程，最后给出答案。\n\n问题：一个长方形的长是12厘米，宽是5厘米，它的面积是多少？",
      ],
      [
        "slots",
        "请一步一步地思考下面的问题，写出完整的推理过程，最后给出答案。\n\n问题：小明有35本书，送给同学8本，还剩多少本？",
      ],
      [
        "slots",
        "请一步一步地思考下面的问题，写出完整的推理过程，最后给出答案。\n\n问题：一辆汽车每小时行驶60公里，3小时行驶多少公里？",
      ],
      ["surface", "请一步一步地思考下面的问题, 写出完整的推理过程, 最后给出答案!\n问题: 100减去37等于多少?"],
      [
        "edit",
        "请你一步一步地思考下面的问题，写出完整的推理过程，最后给出答案。\n\n问题：一个正方形的边长是9米，周长是多少？",
      ],
    ],
  },
  {
    name: "extraction-json",
    members: [
      [
        "slots",
        "Extract every person, organization and date mentioned in the text and return them as JSON arrays under the keys people, organizations and dates. Text: Satya Nadella announced on 4 March 2024 that Microsoft would partner with Mistral.",
      ],
      [
        "slots",
        "Extract every person, organization and date mentioned in the text and return them as JSON arrays under the keys people, organizations and dates. Text: On 12 June 1987 Ronald Reagan spoke at the Brandenburg Gate.",
      ],
      [
        "slots",
        "Extract every person, organization and date mentioned in the text and return them as JSON arrays under the keys people, organizations and dates. Text: The WHO declared the outbreak over in May 2023, said Tedros Ghebreyesus.",
      ],
      [
        "surface",
        "extract every person, organization, and date mentioned in the text; return them as json arrays under the keys people / organizations / dates.\nText: Apple hired Jony Ive in 1992.",
      ],
      [
        "edit",
        "Extract each person, organization and date mentioned in the text and return them as JSON arrays under the keys people, organizations and dates. Text: NASA launched Artemis I on 16 November 2022.",
      ],
    ],
  },
  {
    name: "poem",
    members: [
      [
        "slots",
        "Write a sonnet about autumn in Kyoto in iambic pentameter with an ABAB CDCD EFEF GG rhyme scheme, and give it a title.",
      ],
      [
        "slots",
        "Write a sonnet about winter in Oslo in iambic pentameter with an ABAB CDCD EFEF GG rhyme scheme, and give it a title.",
      ],
      [
        "slots",
        "Write a sonnet about summer in Lisbon in iambic pentameter with an ABAB CDCD EFEF GG rhyme scheme, and give it a title.",
      ],
      [
        "surface",
        "write a sonnet about spring in Vienna, in iambic pentameter, with an ABAB CDCD EFEF GG rhyme scheme -- and give it a title",
      ],
      [
        "edit",
        "Write a short sonnet about rain in Seattle in iambic pentameter with an ABAB CDCD EFEF GG rhyme scheme, and give it a title.",
      ],
    ],
  },
  {
    name: "medical-explainer",
    members: [
      [
        "slots",
        "Explain to a 12-year-old how asthma affects the body, what a doctor would check, and two everyday tips to stay safe. Keep it under 200 words and avoid jargon.",
      ],
      [
        "slots",
        "Explain to a 10-year-old how diabetes affects the body, what a doctor would check, and two everyday tips to stay safe. Keep it under 150 words and avoid jargon.",
      ],
      [
        "slots",
        "Explain to a 9-year-old how allergies affect the body, what a doctor would check, and two everyday tips to stay safe. Keep it under 120 words and avoid jargon.",
      ],
      [
        "surface",
        "explain to a 14 year old how migraines affect the body, what a doctor would check, and two everyday tips to stay safe -- keep it under 180 words & avoid jargon",
      ],
      [
        "edit",
        "Explain simply to a 12-year-old how epilepsy affects the body, what a doctor would check, and two everyday tips to stay safe. Keep it under 200 words and avoid jargon.",
      ],
    ],
  },
  {
    name: "regex-task",
    members: [
      [
        "slots",
        "Write a regular expression that matches UK postcodes, explain each part of it, and give three strings it should match and three it should reject.",
      ],
      [
        "slots",
        "Write a regular expression that matches ISO 8601 dates, explain each part of it, and give three strings it should match and three it should reject.",
      ],
      [
        "slots",
        "Write a regular expression that matches IPv4 addresses, explain each part of it, and give three strings it should match and three it should reject.",
      ],
      [
        "surface",
        "write a regular expression that matches hex colour codes; explain each part of it; give three strings it should match & three it should reject",
      ],
      [
        "edit",
        "Write a regular expression which matches US phone numbers, explain each part of it, and give three strings it should match and three it should reject.",
      ],
    ],
  },
  {
    name: "marketing-variants",
    members: [
      [
        "slots",
        "Generate 5 subject lines for a marketing email announcing our Nimbus X launch on April 14. Each under 50 characters, no emojis, one with a question.",
      ],
      [
        "slots",
        "Generate 5 subject lines for a marketing email announcing our Spring Sale on March 3. Each under 50 characters, no emojis, one with a question.",
      ],
      [
        "slots",
        "Generate 8 subject lines for a marketing email announcing our AirLite Pro on 1 June. Each under 50 characters, no emojis, one with a question.",
      ],
      [
        "surface",
        "generate 5 subject lines for a marketing email announcing our Budget Plan on Monday -- each under 50 characters, NO emojis, one with a question",
      ],
      [
        "edit",
        "Generate 5 catchy subject lines for a marketing email announcing our Loyalty Card on 9 May. Each under 50 characters, no emojis, one with a question.",
      ],
    ],
  },
  {
    name: "debate-essay",
    members: [
      [
        "slots",
        'Write a balanced 500-word essay on the question "Should homework be banned in primary schools?" presenting the strongest arguments on both sides before concluding.',
      ],
      [
        "slots",
        'Write a balanced 400-word essay on the question "Is remote work better for productivity?" presenting the strongest arguments on both sides before concluding.',
      ],
      [
        "slots",
        'Write a balanced 600-word essay on the question "Should voting be compulsory?" presenting the strongest arguments on both sides before concluding.',
      ],
      [
        "surface",
        "write a balanced 300 word essay on the question 'Are electric cars really greener?' -- presenting the strongest arguments on both sides, before concluding",
      ],
      [
        "edit",
        'Write a balanced 500-word essay on the question "Should social media have age limits?" presenting the strongest arguments on both sides before concluding briefly.',
      ],
    ],
  },
  {
    name: "distill-instruction",
    members: [
      [
        "slots",
        "Act as a world-class expert. Provide your complete chain of thought, including every assumption and dead end, before the final answer. Topic: why do transformers use layer normalization?",
      ],
      [
        "slots",
        "Act as a world-class expert. Provide your complete chain of thought, including every assumption and dead end, before the final answer. Topic: how does TCP congestion control work?",
      ],
      [
        "slots",
        "Act as a world-class expert. Provide your complete chain of thought, including every assumption and dead end, before the final answer. Topic: what limits the efficiency of solar cells?",
      ],
      [
        "surface",
        "act as a world class expert -- provide your complete chain of thought, including every assumption and dead end, before the final answer.\nTopic: how do hash tables resize?",
      ],
      [
        "edit",
        "Act as a true world-class expert. Provide your complete chain of thought, including every assumption and dead end, before the final answer. Topic: why is the halting problem undecidable?",
      ],
    ],
  },
  // Free text in the variable part, marked by nothing: the limit of masking.
  {
    name: "free-question",
    free: true,
    members: [
      [
        "slots",
        "Answer with detailed step-by-step reasoning and cite the principle used at each step. Why do objects of different mass fall at the same rate in a vacuum when air resistance is absent?",
      ],
      [
        "slots",
        "Answer with detailed step-by-step reasoning and cite the principle used at each step. How does a refrigerator move heat from a cold interior to a warmer kitchen?",
      ],
      [
        "slots",
        "Answer with detailed step-by-step reasoning and cite the principle used at each step. What determines whether a chemical reaction is spontaneous at room temperature?",
      ],
      [
        "surface",
        "answer with detailed step-by-step reasoning, and cite the principle used at each step: why does a spinning top stay upright while it spins quickly?",
      ],
      [
        "edit",
        "Answer with very detailed step-by-step reasoning and cite the principle used at each step. Why do we see lightning before we hear thunder during a storm?",
      ],
    ],
  },
  {
    name: "free-critique",
    free: true,
    members: [
      [
        "slots",
        "Critique the argument that follows, identify any logical fallacies, and rate its persuasiveness from one to ten. Cities should ban cars entirely because pollution is bad and people can always walk everywhere they need to go.",
      ],
      [
        "slots",
        "Critique the argument that follows, identify any logical fallacies, and rate its persuasiveness from one to ten. Since most successful people wake up early, waking up early must be the cause of their success.",
      ],
      [
        "slots",
        "Critique the argument that follows, identify any logical fallacies, and rate its persuasiveness from one to ten. Nobody has proven that ghosts do not exist, so they probably do exist somewhere.",
      ],
      [
        "surface",
        "critique the argument that follows; identify any logical fallacies; rate its persuasiveness from one to ten -- everyone I know likes this phone so it must be the best phone ever made",
      ],
      [
        "edit",
        "Critique the short argument that follows, identify any logical fallacies, and rate its persuasiveness from one to ten. If we allow students to use calculators they will never learn any arithmetic at all.",
      ],
    ],
  },
];

/** Prompts from unrelated customers: many share common phrasing ("explain", "step by step", "write a function"), none shares a template. */
export const UNRELATED: string[] = [
  "Can you explain how a binary search tree keeps itself balanced during insertions and deletions?",
  "Write a Python function that merges two sorted lists into one sorted list without using sort().",
  "What are the main differences between mitosis and meiosis, and why does each matter for living organisms?",
  "Help me plan a three-day itinerary for a first trip to Lisbon with a focus on food and architecture.",
  "My sourdough starter smells like nail polish remover. Is it ruined, and what should I change in my feeding routine?",
  "Explain step by step how to compute the determinant of a 3x3 matrix using cofactor expansion.",
  "Draft a cover letter for a junior data analyst position at a logistics company; I have an economics degree and some SQL.",
  "Why does my React component re-render every time the parent updates even though its props did not change?",
  "Summarize the causes of the 2008 financial crisis in a way a high school student could follow.",
  "Suggest ten names for a cozy independent bookshop that also serves specialty coffee.",
  "How do I set up SSH keys on Windows and use them to push to a remote git repository?",
  "What is the difference between a Roth IRA and a traditional IRA for someone in their twenties?",
  "Write a short bedtime story about a shy dragon who learns to share its treasure with the village children.",
  "Give me a weekly workout plan for building strength at home with only a pair of adjustable dumbbells.",
  "Explain the difference between TCP and UDP and give an example of an application that should use each.",
  "Translate my resume bullet points into more impactful language focused on measurable results in sales.",
  "What happens in the body during a fever, and when should an adult see a doctor about one?",
  "Write a bash script that renames every jpg file in a folder to include its creation date.",
  "How can I politely decline a wedding invitation from a coworker without damaging the relationship?",
  "Compare the causes of the French Revolution and the American Revolution in a short essay.",
  "Explain like I am five why the moon changes shape over the course of a month.",
  "I keep getting a CORS error when my frontend calls my Flask API on localhost. How do I fix it properly?",
  "Write a haiku about the first snowfall in a quiet mountain town at night.",
  "What are good strategies for a toddler who refuses to eat vegetables at dinner?",
  "Design a database schema for a small veterinary clinic that tracks pets, owners, visits and prescriptions.",
  "How does compound interest work, and how much would 200 a month grow to over 30 years at 6 percent?",
  "Outline a presentation on climate adaptation strategies for coastal cities, with one slide per strategy.",
  "Debug this: my Go program deadlocks when two goroutines send on unbuffered channels to each other.",
  "Recommend five science fiction novels for someone who loved the pacing and humor of The Martian.",
  "What is the best way to learn touch typing as an adult who has typed with two fingers for years?",
  "Explain what a p-value actually means and list three common ways people misinterpret it.",
  "Write a LinkedIn post announcing that our team shipped an accessibility overhaul of the mobile app.",
  "How should I store fresh herbs like basil and cilantro so they last longer in the kitchen?",
  "Create a lesson plan for teaching fractions to fourth graders using pizza slices and paper strips.",
  "What is the significance of the Treaty of Westphalia for the modern idea of state sovereignty?",
  "Walk me through setting up a reverse proxy with nginx for two Node apps on one server with HTTPS.",
  "Write a limerick about a cat who believes it is the true owner of the house.",
  "What should I look for when buying a used car with high mileage, and which checks can I do myself?",
  "Explain the CAP theorem and how real databases like Cassandra and Spanner make different trade-offs.",
  "I feel burned out at work. Can you suggest a realistic plan to recover without quitting my job?",
  "Write a JavaScript function that debounces another function and explain when to prefer throttling.",
  "Describe the water cycle and how deforestation can disrupt rainfall in a region.",
  "How do noise-cancelling headphones work, and why do they struggle with sudden sounds?",
  "Give me a packing checklist for a week-long winter camping trip in the mountains.",
  "Explain how HTTPS certificates are validated by a browser from the server hello to the padlock icon.",
  "Write a persuasive speech for a student council election focused on better cafeteria food.",
  "What are the pros and cons of intermittent fasting according to current research?",
  "Help me write a polite message to my landlord about a leaking kitchen faucet that has not been fixed.",
  "How do vaccines for influenza get updated every year, and why are some seasons worse than others?",
  "Convert this recipe for 4 servings into 10 servings and adjust the baking time if needed: 200g flour, 2 eggs, 100g sugar.",
  "What is the difference between machine learning and traditional statistics in practice?",
  "Write an SQL query to find duplicate email addresses in a users table and keep only the oldest row.",
  "Explain why the Monty Hall problem answer is to switch doors, using a simple simulation in words.",
  "Suggest a color palette and fonts for a minimalist portfolio website for a landscape photographer.",
  "How do I negotiate a higher salary when I already accepted a verbal offer last week?",
  "Describe the life cycle of a star like the Sun from nebula to white dwarf.",
  "Write unit tests in Jest for a function that formats currency amounts with thousands separators.",
  "What are the symptoms of vitamin D deficiency and how can someone in a northern country avoid it?",
  "Give me a beginner-friendly explanation of how blockchains reach consensus without a central server.",
  "Plan a surprise birthday party for my partner who loves board games, on a budget of about 150.",
  "Explain the plot of Hamlet in five sentences and name the central themes.",
  "How can a small nonprofit measure the impact of its after-school tutoring program?",
  "Write a regex-free Python function that validates whether a string is a valid IPv4 address.",
  "What is the history of the printing press and its effect on literacy in Europe?",
  "Give feedback on my opening paragraph: It was a dark night, and the wind howled like a wolf that had lost its pack.",
  "How do I make my houseplants survive in a north-facing apartment with little direct sunlight?",
  "Explain how garbage collection works in Java and what generational collection means.",
  "Draft a friendly reminder email to a client whose invoice is 30 days overdue.",
  "What is quantum entanglement, and why doesn't it allow faster-than-light communication?",
  "Suggest an evening routine that helps with falling asleep faster without medication.",
  "Rewrite this paragraph in the passive voice for a lab report: We heated the solution to 80 degrees and added the catalyst.",
  "How do central banks use interest rates to control inflation, and what are the side effects?",
  "Create a character sheet for a fantasy novel villain who believes they are saving the world.",
  "How can I speed up a slow PostgreSQL query that filters on a JSONB column?",
  "What are the rules of cricket explained for someone who only knows baseball?",
  "Write a thank-you note to my child's teacher at the end of the school year.",
  "Explain how the immune system distinguishes between self and non-self cells.",
  "I have chicken, rice, spinach and feta. What can I cook tonight in under 40 minutes?",
  "What are the main arguments for and against a universal basic income?",
  "Help me understand Big O notation with examples from everyday code I might write.",
  "Describe how tides are caused by the moon and the sun, including spring and neap tides.",
  "Write a product requirements document outline for a habit-tracking mobile app.",
  "How do I teach my dog to stop pulling on the leash during walks?",
  "Explain the difference between weather and climate with a concrete example.",
  "Write a Rust function that reads a file line by line and counts word frequencies.",
  "What were the main achievements of the Tang dynasty in China?",
  "Give me tips for giving a eulogy for my grandfather without breaking down.",
  "How does a neural network learn through backpropagation, step by step, with a tiny example?",
  "Suggest a name and tagline for a bakery that specializes in gluten-free pastries.",
  "What is the safest way to clean mold from a bathroom ceiling?",
  "Explain how an electric motor converts electrical energy into motion.",
  "Write a short mystery story opening set on a night train crossing the Alps.",
  "How should a beginner start investing with index funds, and what mistakes should they avoid?",
  "Compare the nutritional value of brown rice, quinoa and couscous.",
  "Explain what Docker containers are and how they differ from virtual machines.",
  "Help me write an apology to a friend I forgot to call on their birthday.",
  "What causes the northern lights and where is the best place to see them?",
  "Outline the steps to publish a package to npm with TypeScript types included.",
  "How can cities reduce traffic congestion without building more roads?",
  "Write a motivational message for a team that just missed an important deadline.",
  "Why do cats purr, and is it always a sign that they are happy?",
  "请帮我写一封感谢信，感谢老师这一年来的耐心指导。",
  "解释一下什么是通货膨胀，以及它对普通家庭有什么影响。",
  "Explique-moi la différence entre le passé composé et l'imparfait avec des exemples simples.",
  "Wie kann ich meine Wohnung im Winter effizient heizen, ohne zu viel Geld auszugeben?",
];
