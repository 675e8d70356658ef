/**
 * Shipped legitimate populations a scenario can name in its `legitimate`
 * list (`{ "population": "hard-cases" }`) instead of writing the segments
 * out, so the train and test scenarios (bench/scenarios/split.json) meet the
 * same honest traffic. Segments in the scenario format
 * (bench/scenarios/README.md); their `group` is the hard-case group the
 * report sums them under.
 *
 * Sizes: about one request a second in all (a 2-hour scenario replays some
 * 7,500 live requests), at per-account rates real customers have; what is
 * scaled down is the number of accounts in the crowd, not the size of any
 * one hard case (a NAT keeps its hundreds of keys, the BYOK platform its
 * 400). `rateScale` slows every account down for day-long scenarios.
 */

type SegmentInput = Record<string, unknown>;

/** Established accounts: most keys have sent at least one request in the 30 days before the scenario. */
const ESTABLISHED = { share: 0.9, requests: 1, period: "30d" };

const HOME_COUNTRIES = {
  US: 30,
  IN: 10,
  DE: 8,
  GB: 8,
  BR: 5,
  FR: 5,
  JP: 5,
  CA: 4,
  KR: 3,
  ES: 3,
  AU: 3,
  NL: 3,
  PL: 2,
  IT: 2,
  MX: 2,
  ID: 2,
  VN: 1,
  PH: 1,
  TR: 1,
  NG: 1,
  EG: 1,
  SG: 1,
  UA: 1,
};

const SDKS = { "anthropic-python": 4, "anthropic-typescript": 3, "openai-python": 2, "openai-node": 1 };

/** The big clouds and hosters honest back ends run on, with the farms that copy them. */
const CLOUDS = [
  { kind: "hosting", weight: 5, asns: [16509, 14618], countries: { US: 4, DE: 1, GB: 1, JP: 1, IN: 1 }, subnets: 64 },
  { kind: "hosting", weight: 2, asns: [396982], countries: { US: 2, NL: 1 }, subnets: 32 },
  { kind: "hosting", weight: 2, asns: [8075], countries: { US: 1, NL: 1, GB: 1 }, subnets: 32 },
  { kind: "hosting", weight: 1, asns: [14061], countries: { US: 1, DE: 1, SG: 1 }, subnets: 16 },
  { kind: "hosting", weight: 1, asns: [24940], countries: { DE: 1 }, subnets: 16 },
  { kind: "hosting", weight: 1, asns: [16276], countries: { FR: 1, DE: 1 }, subnets: 16 },
];

const HARD_CASES: SegmentInput[] = [
  {
    name: "developers",
    group: "crowd",
    description:
      "The crowd: developers at home on every official SDK version, some curl and requests, in two dozen countries, a third on IPv6.",
    accounts: 800,
    rate: "16 per day",
    history: ESTABLISHED,
    clients: { ...SDKS, curl: 0.3, "python-requests": 0.2 },
    api: { anthropic: 2, openai: 1 },
    networks: [{ kind: "residential", countries: HOME_COUNTRIES }],
    prompts: { kind: "varied", stepByStep: 0.04, pasteShare: 0.25, pasteWords: 300 },
    request: {
      turns: 0.35,
      models: { "demo-small": 2, "demo-large": 1 },
      maxTokens: [1024, 2048, 4096, 8192],
      stream: 0.4,
      thinkingShare: 0.05,
      thinkingBudget: 8192,
    },
  },
  {
    name: "cloud-crowd",
    group: "crowd",
    description:
      "Occasional integrations in the big clouds (cron jobs, small back ends), a few requests a day each, stable addresses, on the SDK builds servers run: the honest customers a farm copying the most common build hides among.",
    accounts: 3000,
    rate: "3 per day",
    history: ESTABLISHED,
    clients: { ...SDKS, "openai-python": 3, "openai-node": 2, "python-httpx": 0.3, "go-http": 0.3 },
    networks: CLOUDS,
    prompts: { kind: "varied", stepByStep: 0.03, pasteShare: 0.5, pasteWords: 400 },
    request: { turns: 0.1, models: { "demo-small": 2, "demo-large": 1 }, maxTokens: [1024, 2048, 4096], stream: 0.2 },
  },
  {
    name: "corporate-nat",
    group: "nat",
    description:
      "A company's 300 employee keys behind one egress address, on the three SDK builds its internal tools pin.",
    accounts: 300,
    rate: "20 per day",
    history: ESTABLISHED,
    clients: { "anthropic-python": 2, "openai-python": 1, "anthropic-typescript": 1 },
    builds: 3,
    networks: [{ kind: "business", asns: [7018], countries: { US: 1 }, addresses: 1 }],
    prompts: { kind: "varied", stepByStep: 0.05, pasteShare: 0.4, pasteWords: 400 },
    request: { turns: 0.5, models: { "demo-small": 1, "demo-large": 1 }, maxTokens: [2048, 4096], stream: 0.3 },
  },
  {
    name: "security-proxy",
    group: "nat",
    description:
      "Another company's 200 keys through an enterprise security proxy (Zscaler): two egress addresses of a provider many companies share, two pinned builds.",
    accounts: 200,
    rate: "20 per day",
    history: ESTABLISHED,
    clients: { "anthropic-python": 1, "openai-node": 1 },
    builds: 2,
    networks: [{ kind: "business", asns: [53813], countries: { DE: 1 }, addresses: 2 }],
    prompts: { kind: "varied", stepByStep: 0.05, pasteShare: 0.4, pasteWords: 400 },
    request: { turns: 0.5, models: { "demo-small": 1, "demo-large": 1 }, maxTokens: [2048, 4096], stream: 0.3 },
  },
  {
    name: "university",
    group: "nat",
    description:
      "A university's 400 student and lab keys behind eight NAT addresses of one /24, every SDK version and some browsers; coursework asks for step-by-step explanations.",
    accounts: 400,
    rate: "12 per day",
    history: { share: 0.7, requests: 1, period: "30d" },
    clients: { ...SDKS, "browser-chrome": 1, "python-requests": 0.3 },
    networks: [{ kind: "business", asns: [786], countries: { GB: 1 }, subnets: 1, addresses: 8 }],
    prompts: { kind: "varied", stepByStep: 0.15, pasteShare: 0.3, pasteWords: 300 },
    request: { turns: 0.5, models: { "demo-small": 2, "demo-large": 1 }, maxTokens: [1024, 2048, 4096], stream: 0.5 },
  },
  {
    name: "carrier-nat",
    group: "nat",
    description:
      "Subscribers of mobile carriers behind carrier-grade NAT: a few /24s per carrier, each request from another address of the pool, browsers and SDKs.",
    accounts: 600,
    rate: "8 per day",
    history: ESTABLISHED,
    clients: { "browser-chrome": 3, "browser-safari": 2, "anthropic-python": 1, "anthropic-typescript": 1 },
    networks: [{ kind: "mobile", countries: { US: 3, IN: 3, BR: 2, ID: 2, NG: 1, PH: 1, MX: 1, TR: 1 } }],
    prompts: { kind: "varied", stepByStep: 0.03, pasteShare: 0.1, pasteWords: 150 },
    request: { turns: 0.6, models: { "demo-small": 3, "demo-large": 1 }, maxTokens: [1024, 2048], stream: 0.9 },
  },
  {
    name: "byok-platform",
    group: "cloud-platforms",
    description:
      "A hosted coding-agent service whose users bring their own keys: 400 keys, one SDK build, four NAT addresses in one AWS region, long prompts and thinking.",
    accounts: 400,
    rate: "15 per day",
    history: ESTABLISHED,
    clients: { "anthropic-typescript": 1 },
    builds: 1,
    networks: [{ kind: "hosting", asns: [16509], countries: { US: 1 }, subnets: 1, addresses: 4, rotate: "address" }],
    prompts: { kind: "varied", stepByStep: 0.05, pasteShare: 0.8, pasteWords: 1500 },
    request: {
      turns: 0.8,
      models: { "demo-large": 1 },
      maxTokens: [8192, 16384],
      stream: 1,
      thinkingShare: 0.3,
      thinkingBudget: 8192,
    },
  },
  {
    name: "cloud-agents",
    group: "cloud-platforms",
    description:
      "Agents and back ends customers run on their own cloud machines: hosting ASNs, stable addresses, every SDK version, busy all day.",
    accounts: 100,
    rate: "60 per day",
    history: ESTABLISHED,
    clients: { ...SDKS, "python-httpx": 0.5, "go-http": 0.5 },
    networks: CLOUDS,
    prompts: { kind: "varied", stepByStep: 0.05, pasteShare: 0.5, pasteWords: 600 },
    request: {
      turns: 0.7,
      models: { "demo-small": 1, "demo-large": 2 },
      maxTokens: [4096, 8192],
      stream: 0.5,
      thinkingShare: 0.1,
      thinkingBudget: 8192,
    },
  },
  {
    name: "batch-jobs",
    group: "cloud-platforms",
    description:
      "Heavy but honest: two keys running document batches from cloud machines at 10 requests a minute each, for three tenths of the scenario.",
    accounts: 2,
    rate: "600 per hour",
    start: "20%",
    end: "50%",
    history: { share: 1, requests: 3, period: "14d" },
    clients: { "anthropic-python": 2, "openai-python": 1 },
    networks: [{ kind: "hosting", asns: [16509, 396982], countries: { US: 1 }, subnets: 4 }],
    prompts: { kind: "varied", stepByStep: 0, pasteShare: 0.95, pasteWords: 800 },
    request: { turns: 0, models: { "demo-small": 1 }, maxTokens: [1024, 2048], stream: 0 },
  },
  {
    name: "serverless",
    group: "serverless",
    description:
      "Functions on a serverless platform without fixed egress: each request from another address of a pool of 32 AWS /24s every tenant shares.",
    accounts: 600,
    rate: "10 per day",
    history: ESTABLISHED,
    clients: { "anthropic-python": 2, "anthropic-typescript": 2, "openai-python": 1, "openai-node": 1 },
    networks: [{ kind: "hosting", asns: [16509], countries: { US: 1 }, subnets: 32, rotate: "address" }],
    prompts: { kind: "varied", stepByStep: 0.03, pasteShare: 0.5, pasteWords: 300 },
    request: { turns: 0.2, models: { "demo-small": 2, "demo-large": 1 }, maxTokens: [1024, 2048], stream: 0.1 },
  },
  {
    name: "vpn-users",
    group: "vpn-travellers",
    description:
      "Privacy-minded customers who turn a commercial VPN on and off: sessions of three hours, a third of them through a VPN exit (hosting ASNs, another exit and often another country each session), the rest from home.",
    accounts: 200,
    rate: "20 per day",
    history: ESTABLISHED,
    roaming: { every: "3h" },
    clients: { "anthropic-python": 2, "browser-chrome": 2, "browser-firefox": 1, "openai-python": 1 },
    networks: [
      { kind: "residential", weight: 2, countries: { US: 3, DE: 2, GB: 2, FR: 1, NL: 1, CA: 1 } },
      {
        kind: "hosting",
        weight: 1,
        asns: [9009, 60068, 212238, 207137, 62240],
        countries: { NL: 2, DE: 1, GB: 1, US: 2, SG: 1, JP: 1 },
        subnets: 8,
      },
    ],
    prompts: { kind: "varied", stepByStep: 0.04, pasteShare: 0.2, pasteWords: 300 },
    request: { turns: 0.4, models: { "demo-small": 2, "demo-large": 1 }, maxTokens: [1024, 2048, 4096], stream: 0.5 },
  },
  {
    name: "travellers",
    group: "vpn-travellers",
    description:
      "Customers on the move: sessions of eight hours, one in four abroad (a hotel or café line, a roaming SIM), in another country each time.",
    accounts: 150,
    rate: "15 per day",
    history: ESTABLISHED,
    roaming: { every: "8h" },
    clients: { "anthropic-python": 2, "anthropic-typescript": 1, "browser-safari": 1, "browser-chrome": 1 },
    networks: [
      { kind: "residential", weight: 3, countries: { US: 3, DE: 2, GB: 2, FR: 1, KR: 1, AU: 1 }, ipv6: 0.3 },
      { kind: "residential", weight: 0.5, countries: { JP: 1, SG: 1, ES: 1, IT: 1, MX: 1, TR: 1 }, ipv6: 0 },
      { kind: "mobile", weight: 0.5, countries: { JP: 1, ES: 1, IT: 1, BR: 1, IN: 1 } },
    ],
    prompts: { kind: "varied", stepByStep: 0.04, pasteShare: 0.2, pasteWords: 200 },
    request: { turns: 0.4, models: { "demo-small": 2, "demo-large": 1 }, maxTokens: [1024, 2048], stream: 0.6 },
  },
  {
    name: "browser-apps",
    group: "browsers",
    description:
      "Web apps calling the API from the browser (the SDK with direct browser access): CORS preflights before their calls, client hints, fetch metadata; at home and on mobile carriers.",
    accounts: 400,
    rate: "20 per day",
    history: { share: 0.8, requests: 1, period: "30d" },
    clients: { "browser-chrome": 4, "browser-safari": 2, "browser-firefox": 1 },
    networks: [
      { kind: "residential", weight: 1, countries: { US: 2, DE: 1, GB: 1, FR: 1, JP: 1, BR: 1 } },
      { kind: "mobile", weight: 1, countries: { US: 3, IN: 2, BR: 2, ID: 1 } },
    ],
    prompts: { kind: "varied", stepByStep: 0.03, pasteShare: 0.1, pasteWords: 150 },
    request: { turns: 0.7, models: { "demo-small": 3, "demo-large": 1 }, maxTokens: [1024, 2048], stream: 0.9 },
  },
  {
    name: "launch-wave",
    group: "launch-wave",
    description:
      "Launch day: 1,000 honest sign-ups arrive within three twentieths of the scenario (after a launch post), on the newest SDKs (the quickstart installs the latest), most at home, a quarter deploying a demo on a cloud right away; brand-new keys, no history.",
    accounts: 1000,
    rate: "3 per hour",
    start: "40%",
    end: "55%",
    clients: { "anthropic-python": 3, "anthropic-typescript": 2, "openai-python": 1 },
    networks: [
      { kind: "residential", weight: 3, countries: HOME_COUNTRIES },
      { kind: "hosting", weight: 1, asns: [16509, 396982, 14061], countries: { US: 2, DE: 1 }, subnets: 16 },
    ],
    prompts: { kind: "varied", stepByStep: 0.08, pasteShare: 0.2, pasteWords: 200 },
    request: { turns: 0.3, models: { "demo-small": 2, "demo-large": 1 }, maxTokens: [1024, 2048, 4096], stream: 0.5 },
  },
];

export const POPULATIONS: Readonly<Record<string, { description: string; segments: readonly SegmentInput[] }>> = {
  "hard-cases": {
    description:
      "The honest crowd and every hard case that looks like a farm from the edge: NATs with hundreds of keys, BYOK and agent platforms on clouds, serverless egress pools, VPN users and travellers, browser apps with CORS preflights, and a launch-day wave of new sign-ups; most accounts with 30 days of history.",
    segments: HARD_CASES,
  },
};
