// A small scenario for the simulator's tests: a few minutes of traffic with
// one segment of each hard kind, fast enough to run twice in a test.
export function smallScenario(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "small",
    seed: 7,
    duration: "2m",
    chart: { bucket: "30s" },
    gateway: "recommended",
    baseline: { rate: "60 per minute" },
    goals: { campaign: "farm" },
    legitimate: [
      {
        name: "developers",
        accounts: 100,
        rate: "2 per minute",
        clients: { "anthropic-python": 2, "openai-node": 1, curl: 1 },
        networks: [{ kind: "residential", countries: { US: 2, DE: 1, JP: 1 } }],
      },
      {
        name: "company",
        accounts: 50,
        rate: "1 per minute",
        clients: { "anthropic-typescript": 1 },
        builds: 1,
        networks: [{ kind: "business", asns: [7018], countries: { US: 1 }, addresses: 1 }],
      },
    ],
    campaigns: [
      {
        name: "hammer",
        accounts: 1,
        rate: "3 per second",
        clients: { "python-requests": 1 },
        networks: [{ kind: "residential", countries: { US: 1 }, ipv6: 0 }],
      },
      {
        name: "farm",
        accounts: 2000,
        rate: "26 per day",
        clients: { "anthropic-python": 1 },
        builds: 2,
        networks: [{ kind: "hosting", asns: [16509], countries: { US: 1 }, subnets: 3, rotate: "address" }],
        request: { maxTokens: [4096], thinkingShare: 0.5, thinkingBudget: 16000 },
      },
      {
        name: "tor",
        accounts: 20,
        rate: "1 per minute",
        clients: { "browser-firefox": 1 },
        networks: [{ kind: "tor" }],
      },
      {
        name: "sanctioned",
        accounts: 20,
        rate: "1 per minute",
        clients: { "browser-chrome": 1 },
        networks: [{ kind: "residential", countries: { IR: 1 } }],
      },
    ],
    ...overrides,
  };
}
