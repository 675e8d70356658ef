import type { PureCheck } from "../config/types.ts";
import type { ClientInfo } from "../identity/client.ts";
import type { CfFields } from "../identity/cf.ts";
import type { Subject } from "../identity/subject.ts";
import { type ReasonCode, finding } from "../verdict/reasons.ts";
import type { Action, Finding } from "../verdict/types.ts";

/**
 * Fingerprint signals: what the client claims to be (its User-Agent) against
 * what it shows (headers it sends or omits, its TLS handshake, Cloudflare's
 * bot score). Each signal has a stable code and a weight (the finding's risk);
 * the route's `fingerprint` section maps the signals' groups to actions.
 *
 * | code | group | when |
 * | --- | --- | --- |
 * | `fingerprint.automation_ua` | automation | a plain HTTP library without an SDK, a headless browser, no User-Agent |
 * | `fingerprint.browser_headers_missing` | inconsistent | a browser User-Agent without headers that browser always sends |
 * | `fingerprint.browser_headers_mismatch` | inconsistent | a browser User-Agent with headers that contradict it |
 * | `fingerprint.sdk_mismatch` | inconsistent | an official SDK User-Agent whose `x-stainless-*` headers contradict it, or those headers under a client that is not the SDK |
 * | `fingerprint.tls_mismatch` | inconsistent | a TLS version or ALPN protocol the claimed client never uses |
 * | `fingerprint.low_bot_score` | lowBotScore | Bot Management score under `minBotScore` |
 * | `fingerprint.verified_bot` | verifiedBots | a bot Cloudflare verified (search crawlers, monitors) |
 */

export type SignalAction = Action;
export type SignalGroup = "automation" | "inconsistent" | "lowBotScore" | "verifiedBots";

export interface FingerprintPolicy {
  automation: SignalAction;
  inconsistent: SignalAction;
  lowBotScore: SignalAction;
  /** Bot scores (1–99) under this are low. */
  minBotScore: number;
  verifiedBots: SignalAction;
  /** The zone negotiates TLS 1.3 (Cloudflare's default): a modern browser on TLS 1.2 is then a mismatch. */
  tls13: boolean;
}

export interface Signal {
  code: ReasonCode;
  group: SignalGroup;
  detail: string;
  /** 0..1: how strongly the signal alone suggests automation or a forged client. */
  risk: number;
}

const RISK = {
  library: 0.3,
  empty: 0.5,
  headless: 0.6,
  browserMissing: 0.5,
  browserMismatch: 0.6,
  sdkMismatch: 0.6,
  tls: 0.5,
  verifiedBot: 0.1,
} as const;

/** Oldest versions that always send a header family, by browser family. */
const CLIENT_HINTS_SINCE: Record<string, number> = { chrome: 89, edge: 89, opera: 75 };
const FETCH_METADATA_SINCE: Record<string, number> = { chrome: 76, edge: 79, opera: 63, samsung: 12, firefox: 90 };
/** Oldest versions that negotiate TLS 1.3 and HTTP/2 with any server offering them. */
const TLS13_SINCE: Record<string, number> = {
  chrome: 70,
  edge: 79,
  opera: 57,
  samsung: 10,
  firefox: 63,
  safari: 14,
  "chrome-ios": 70,
  "firefox-ios": 30,
};

const PLATFORMS: ReadonlyArray<[pattern: RegExp, platform: string]> = [
  [/Windows NT/, "windows"],
  [/Android/, "android"],
  [/CrOS/, "chrome os"],
  [/Macintosh/, "macos"],
  [/Linux/, "linux"],
];

/** What each SDK language reports as `x-stainless-runtime`, and how that runtime writes its version. */
const SDK_RUNTIMES: Record<string, ReadonlyArray<[runtime: RegExp, version: RegExp]>> = {
  js: [
    [/^node$/, /^v\d+\.\d+\.\d+/],
    [/^deno$/, /^\d+\.\d+\.\d+|^unknown$/],
    [/^bun$/, /^\d+\.\d+\.\d+/],
    [/^edge$/, /./],
    [/^browser:(chrome|firefox|safari|edge|ie)$/, /^\d+\.\d+\.\d+$/],
    [/^unknown$/, /^unknown$/],
  ],
  python: [
    [/^(CPython|PyPy|IronPython|Jython|GraalVM)$/, /^\d+\.\d+\.\d+/],
    [/^unknown$/, /^unknown$/],
  ],
  go: [[/^go$/, /^go\d+\.\d+/]],
};

const tlsNumber = (v: string | undefined): number | null => {
  if (!v) return null;
  const m = /^TLSv(1(?:\.[0-3])?)$/.exec(v);
  return m ? Number(m[1]!.length === 1 ? "1.0" : m[1]) : /^SSLv/.test(v) ? 0 : null;
};

/** `t13d1516h2_…` → { version: 1.3, alpn: "h2" }; null when not a JA4. */
function readJa4(ja4: string | undefined): { version: number | null; alpn: string } | null {
  const m = ja4 ? /^[tqd](\d\d|s\d)[di]\d{4}([0-9a-z]{2})_/.exec(ja4) : null;
  if (!m) return null;
  const v = m[1]!;
  const version =
    v === "13" ? 1.3 : v === "12" ? 1.2 : v === "11" ? 1.1 : v === "10" ? 1.0 : v.startsWith("s") ? 0 : null;
  return { version, alpn: m[2]! };
}

function automation(client: ClientInfo, headers: Headers): Signal | null {
  if (client.kind === "empty")
    return { code: "fingerprint.automation_ua", group: "automation", detail: "no user-agent", risk: RISK.empty };
  if (client.kind === "headless") {
    return {
      code: "fingerprint.automation_ua",
      group: "automation",
      detail: `headless browser ${client.family} ${client.version ?? ""}`.trim(),
      risk: RISK.headless,
    };
  }
  // a spoofed desktop User-Agent does not hide headless Chrome's own brand in client hints
  if (/HeadlessChrome/i.test(headers.get("sec-ch-ua") ?? "")) {
    return {
      code: "fingerprint.automation_ua",
      group: "automation",
      detail: "headless browser (sec-ch-ua brand HeadlessChrome)",
      risk: RISK.headless,
    };
  }
  // x-stainless-lang means an official SDK is underneath (a custom User-Agent over it is not automation by itself)
  if (client.kind === "library" && !headers.has("x-stainless-lang")) {
    return {
      code: "fingerprint.automation_ua",
      group: "automation",
      detail: `HTTP library ${client.family}${client.version ? ` ${client.version}` : ""}`,
      risk: RISK.library,
    };
  }
  return null;
}

function browserConsistency(client: ClientInfo, ua: string, headers: Headers, out: Signal[]): void {
  if (client.kind !== "browser" || client.major === null) return;
  const major = client.major;
  const missing: string[] = [];
  const contradictions: string[] = [];
  const since = (table: Record<string, number>) => table[client.family] !== undefined && major >= table[client.family]!;
  for (const h of ["accept", "accept-encoding", "accept-language"]) if (!headers.has(h)) missing.push(h);
  const webView = /; wv\)/.test(ua);
  if (since(CLIENT_HINTS_SINCE) && !webView) {
    for (const h of ["sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform"]) if (!headers.has(h)) missing.push(h);
  }
  if (since(FETCH_METADATA_SINCE) && !webView) {
    for (const h of ["sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest"]) if (!headers.has(h)) missing.push(h);
  }
  if (missing.length) {
    out.push({
      code: "fingerprint.browser_headers_missing",
      group: "inconsistent",
      detail: `${client.family} ${major} without ${missing.join(", ")}`,
      risk: RISK.browserMissing,
    });
  }

  const chUa = headers.get("sec-ch-ua");
  if (chUa !== null) {
    if (client.engine !== "chromium") contradictions.push(`sec-ch-ua (${client.family} never sends client hints)`);
    else {
      const chromium = /"Chromium";\s*v="(\d+)"/.exec(chUa)?.[1];
      const uaChrome = /\bChrome\/(\d+)/.exec(ua)?.[1];
      if (chromium && uaChrome && chromium !== uaChrome)
        contradictions.push(`sec-ch-ua says Chromium ${chromium}, user-agent Chrome ${uaChrome}`);
    }
  }
  const chPlatform = headers.get("sec-ch-ua-platform")?.replace(/"/g, "").trim().toLowerCase();
  const uaPlatform = PLATFORMS.find(([p]) => p.test(ua))?.[1];
  if (chPlatform && uaPlatform && chPlatform !== "unknown" && chPlatform !== uaPlatform) {
    contradictions.push(`sec-ch-ua-platform ${chPlatform}, user-agent ${uaPlatform}`);
  }
  // Node's fetch sends `accept-language: *`; no browser does
  if (headers.get("accept-language")?.trim() === "*") contradictions.push("accept-language *");
  if (contradictions.length) {
    out.push({
      code: "fingerprint.browser_headers_mismatch",
      group: "inconsistent",
      detail: `${client.family} ${major}: ${contradictions.join("; ")}`,
      risk: RISK.browserMismatch,
    });
  }
}

const BROWSER_RUNTIME: Record<string, string> = { chromium: "chrome", gecko: "firefox", webkit: "safari" };

function sdkConsistency(client: ClientInfo, headers: Headers, out: Signal[]): void {
  const lang = headers.get("x-stainless-lang");
  const runtime = headers.get("x-stainless-runtime");
  const problems: string[] = [];
  if (client.kind === "sdk") {
    const version = headers.get("x-stainless-package-version");
    const runtimeVersion = headers.get("x-stainless-runtime-version");
    const retries = headers.get("x-stainless-retry-count");
    if (lang === null) problems.push("no x-stainless-lang");
    else if (lang !== client.sdkLang) problems.push(`x-stainless-lang ${lang}`);
    if (version !== null && version !== client.version) problems.push(`x-stainless-package-version ${version}`);
    const known = lang !== null ? SDK_RUNTIMES[lang] : undefined;
    if (known && runtime !== null) {
      const entry = known.find(([r]) => r.test(runtime));
      if (!entry) problems.push(`x-stainless-runtime ${runtime}`);
      else if (runtimeVersion !== null && !entry[1].test(runtimeVersion))
        problems.push(`x-stainless-runtime-version ${runtimeVersion} for ${runtime}`);
    }
    if (retries !== null && !/^\d{1,2}$/.test(retries)) problems.push(`x-stainless-retry-count ${retries}`);
    if (client.family.startsWith("anthropic-") && !headers.has("anthropic-version"))
      problems.push("no anthropic-version");
    // client hints come from browsers only, and in a browser the SDK cannot set its User-Agent
    if (headers.has("sec-ch-ua")) problems.push("sec-ch-ua");
  } else if (lang !== null && client.kind === "library") {
    problems.push(`x-stainless-lang ${lang} under ${client.family}`);
  } else if (runtime !== null && client.kind === "browser" && client.engine) {
    const expected = `browser:${BROWSER_RUNTIME[client.engine]}`;
    if (runtime !== expected) problems.push(`x-stainless-runtime ${runtime} under ${client.family}`);
  }
  if (problems.length) {
    const claimed = client.kind === "sdk" ? `${client.family} ${client.version}` : "x-stainless headers";
    out.push({
      code: "fingerprint.sdk_mismatch",
      group: "inconsistent",
      detail: `${claimed}: ${problems.join("; ")}`,
      risk: RISK.sdkMismatch,
    });
  }
}

function tlsConsistency(
  client: ClientInfo,
  cf: CfFields,
  policy: Pick<FingerprintPolicy, "tls13">,
  out: Signal[],
): void {
  // a proxy Cloudflare knows as corporate re-originates TLS: the handshake is the proxy's, not the client's
  if (cf.botManagement?.corporateProxy === true) return;
  const version = tlsNumber(cf.tlsVersion);
  const ja4 = readJa4(cf.botManagement?.ja4);
  const tls = version ?? ja4?.version ?? null;
  const problems: string[] = [];
  const modernBrowser =
    client.kind === "browser" &&
    client.major !== null &&
    TLS13_SINCE[client.family] !== undefined &&
    client.major >= TLS13_SINCE[client.family]!;
  if (modernBrowser) {
    const floor = policy.tls13 ? 1.3 : 1.2;
    if (tls !== null && tls < floor) problems.push(`TLS ${tls.toFixed(1)}`);
    const protocol = cf.httpProtocol;
    if (protocol === "HTTP/1.1" || protocol === "HTTP/1.0") problems.push(protocol);
    // ALPN offered: browsers always offer h2; "h1" or none (00) is a script's TLS stack
    if (ja4 && (ja4.alpn === "h1" || ja4.alpn === "00"))
      problems.push(`ALPN ${ja4.alpn === "00" ? "none" : "http/1.1 only"} (ja4)`);
  } else if (client.kind === "sdk" && tls !== null && tls < 1.2) {
    problems.push(`TLS ${tls.toFixed(1)}`);
  }
  if (problems.length) {
    const claimed = `${client.family} ${client.kind === "sdk" ? client.version : client.major}`;
    out.push({
      code: "fingerprint.tls_mismatch",
      group: "inconsistent",
      detail: `${claimed} over ${problems.join(", ")}`,
      risk: RISK.tls,
    });
  }
}

function botManagement(
  cf: CfFields,
  policy: Pick<FingerprintPolicy, "minBotScore" | "verifiedBots">,
  out: Signal[],
): void {
  const bm = cf.botManagement;
  if (!bm) return;
  const verified = bm.verifiedBot === true;
  if (verified)
    out.push({
      code: "fingerprint.verified_bot",
      group: "verifiedBots",
      detail: "verified bot",
      risk: RISK.verifiedBot,
    });
  // 0 means Cloudflare computed no score; an allowed verified bot is not judged by its (always low) score
  const score = bm.score;
  if (
    typeof score === "number" &&
    score >= 1 &&
    score < policy.minBotScore &&
    !(verified && policy.verifiedBots === "allow")
  ) {
    out.push({
      code: "fingerprint.low_bot_score",
      group: "lowBotScore",
      detail: `bot score ${score} < ${policy.minBotScore}`,
      risk: Math.min(0.99, 1 - score / 100),
    });
  }
}

/** Every signal the request shows, whatever the policy does with it. Pure; no I/O. */
export function fingerprintSignals(
  headers: Headers,
  subject: Pick<Subject, "client" | "cf">,
  policy: Pick<FingerprintPolicy, "tls13" | "minBotScore" | "verifiedBots">,
): Signal[] {
  const out: Signal[] = [];
  const { client, cf } = subject;
  const ua = headers.get("user-agent") ?? "";
  const auto = automation(client, headers);
  if (auto) out.push(auto);
  browserConsistency(client, ua, headers, out);
  sdkConsistency(client, headers, out);
  tlsConsistency(client, cf, policy, out);
  botManagement(cf, policy, out);
  return out;
}

/** A signal as a finding under the policy's action for its group; null when the action is `allow`. */
export function toFinding(signal: Signal, action: SignalAction): Finding | null {
  if (action === "allow") return null;
  // throttle answers like a rate limit (429, retryable); block is a policy denial (403, final)
  return finding(signal.code, action, { detail: signal.detail, risk: signal.risk });
}

/** The route's fingerprint check, from its policy (config/fingerprint.ts). */
export function createFingerprintCheck(policy: FingerprintPolicy): PureCheck {
  return (facts) => {
    const findings: Finding[] = [];
    for (const signal of fingerprintSignals(facts.request.headers, facts.subject, policy)) {
      const finding = toFinding(signal, policy[signal.group]);
      if (finding) findings.push(finding);
    }
    return findings;
  };
}
