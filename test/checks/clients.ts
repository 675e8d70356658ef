/**
 * Realistic requests from real clients: the headers each one sends to a model
 * API (taken from the clients' own sources: the Stainless-generated SDKs'
 * `buildHeaders` / `platform_headers`, the HTTP libraries' defaults, and what
 * browsers send with a cross-origin `fetch()`), and `request.cf` TLS fields
 * per TLS stack. The TLS hashes are made-up values of the right shape (no
 * capture from Cloudflare's edge is at hand): what matters is which clients
 * share a stack, and that versions and protocols are the real ones. Header names are
 * lower-case, as Workers present them. Credentials and per-request headers
 * (`content-length`) vary per test and are added there.
 */
import type { CfFields } from "../../src/identity/cf.ts";

export interface ClientSample {
  headers: Record<string, string>;
  cf: CfFields;
}

/** OpenSSL 3 (Node, Python, curl): a fixed ClientHello. */
const OPENSSL_TLS13: CfFields = {
  tlsVersion: "TLSv1.3",
  tlsCipher: "AEAD-AES256-GCM-SHA384",
  tlsClientCiphersSha1: "kXrN3VEKDdzz2cPKTQaKzpxVTxQ=",
  tlsClientExtensionsSha1: "1eY97BUYYO8vDaTfHQywB1pcNdM=",
  tlsClientHelloLength: "508",
  httpProtocol: "HTTP/1.1",
};
/** Go's crypto/tls. */
const GO_TLS13: CfFields = {
  tlsVersion: "TLSv1.3",
  tlsCipher: "AEAD-AES128-GCM-SHA256",
  tlsClientCiphersSha1: "JZtiTn8H/ntxORk+XXvU2EvNoz8=",
  tlsClientExtensionsSha1: "Y7DIC8A6G0/aXviZ8ie/xDbJb7g=",
  tlsClientHelloLength: "246",
  httpProtocol: "HTTP/2",
};
/** BoringSSL in Chrome: GREASE and a permuted extension order, so the hashes differ per connection. */
const CHROME_TLS13: CfFields = {
  tlsVersion: "TLSv1.3",
  tlsCipher: "AEAD-AES128-GCM-SHA256",
  tlsClientCiphersSha1: "AWhGmMGbGGYKIzQhzLiZ+bfYbaQ=",
  tlsClientExtensionsSha1: "Pa4X0M6u2Mv5e4ncRDRlCK+6vso=",
  tlsClientHelloLength: "1860",
  httpProtocol: "HTTP/2",
};
const NSS_TLS13: CfFields = {
  ...CHROME_TLS13,
  tlsClientCiphersSha1: "uJw0ZYHqHg8iWG0uyT9/qTZZB8Q=",
  tlsClientExtensionsSha1: "dQUVgl1UB1bn8+fPOJMp4XLw6Q0=",
  tlsClientHelloLength: "1816",
  httpProtocol: "HTTP/2",
};
const APPLE_TLS13: CfFields = {
  ...CHROME_TLS13,
  tlsClientCiphersSha1: "E6WbqbE7G7A0lYQ2HK/TpM6Hnos=",
  tlsClientExtensionsSha1: "xUZ3oz2EDcc1hRkr3OG7UdK5xg4=",
  tlsClientHelloLength: "598",
  httpProtocol: "HTTP/2",
};

const json = { accept: "application/json", "content-type": "application/json" };
/** What Node's built-in fetch (undici) adds to every request. */
const undici = { "accept-encoding": "gzip, deflate", "accept-language": "*", "sec-fetch-mode": "cors" };
/** What httpx adds. */
const httpx = { "accept-encoding": "gzip, deflate", connection: "keep-alive" };

export const CLIENTS = {
  anthropicNode: {
    headers: {
      ...json,
      ...undici,
      "user-agent": "Anthropic/JS 0.71.0",
      "anthropic-version": "2023-06-01",
      "x-stainless-lang": "js",
      "x-stainless-package-version": "0.71.0",
      "x-stainless-os": "Linux",
      "x-stainless-arch": "x64",
      "x-stainless-runtime": "node",
      "x-stainless-runtime-version": "v22.11.0",
      "x-stainless-retry-count": "0",
      "x-stainless-timeout": "600",
    },
    cf: OPENSSL_TLS13,
  },
  anthropicPython: {
    headers: {
      ...json,
      ...httpx,
      "user-agent": "Anthropic/Python 0.40.0",
      "anthropic-version": "2023-06-01",
      "x-stainless-lang": "python",
      "x-stainless-package-version": "0.40.0",
      "x-stainless-os": "MacOS",
      "x-stainless-arch": "arm64",
      "x-stainless-runtime": "CPython",
      "x-stainless-runtime-version": "3.12.4",
      "x-stainless-async": "false",
      "x-stainless-retry-count": "0",
      "x-stainless-read-timeout": "600",
    },
    cf: OPENSSL_TLS13,
  },
  openaiNode: {
    headers: {
      ...json,
      ...undici,
      "user-agent": "OpenAI/JS 4.77.0",
      "x-stainless-lang": "js",
      "x-stainless-package-version": "4.77.0",
      "x-stainless-os": "MacOS",
      "x-stainless-arch": "arm64",
      "x-stainless-runtime": "node",
      "x-stainless-runtime-version": "v20.18.1",
      "x-stainless-retry-count": "0",
      "x-stainless-timeout": "600",
    },
    cf: OPENSSL_TLS13,
  },
  openaiPythonAsync: {
    headers: {
      ...json,
      ...httpx,
      "user-agent": "AsyncOpenAI/Python 1.55.0",
      "x-stainless-lang": "python",
      "x-stainless-package-version": "1.55.0",
      "x-stainless-os": "Linux",
      "x-stainless-arch": "x64",
      "x-stainless-runtime": "CPython",
      "x-stainless-runtime-version": "3.11.9",
      "x-stainless-async": "async:asyncio",
      "x-stainless-retry-count": "0",
      "x-stainless-read-timeout": "600",
    },
    cf: OPENSSL_TLS13,
  },
  openaiGo: {
    headers: {
      ...json,
      "accept-encoding": "gzip",
      "user-agent": "OpenAI/Go 3.52.0",
      "x-stainless-lang": "go",
      "x-stainless-package-version": "3.52.0",
      "x-stainless-os": "MacOS",
      "x-stainless-arch": "arm64",
      "x-stainless-runtime": "go",
      "x-stainless-runtime-version": "go1.26.0",
      "x-stainless-retry-count": "0",
      "x-stainless-timeout": "30",
    },
    cf: GO_TLS13,
  },
  anthropicJava: {
    headers: {
      ...json,
      "accept-encoding": "gzip",
      connection: "Keep-Alive",
      "user-agent": "Anthropic/Java 2.10.0",
      "anthropic-version": "2023-06-01",
      "x-stainless-lang": "java",
      "x-stainless-package-version": "2.10.0",
      "x-stainless-os": "Linux",
      "x-stainless-arch": "x64",
      "x-stainless-runtime": "JRE",
      "x-stainless-runtime-version": "21.0.5",
      "x-stainless-retry-count": "0",
      "x-stainless-timeout": "600",
    },
    cf: {
      ...OPENSSL_TLS13,
      tlsClientCiphersSha1: "Ay2rNn0sJ1nVLaTd0VU+0Ki3HHo=",
      tlsClientExtensionsSha1: "5o4XrXgG4TzDbjT9r8Gx0l5M8ek=",
      tlsClientHelloLength: "392",
      httpProtocol: "HTTP/2",
    },
  },
  /** The Anthropic JS SDK inside Chrome (dangerouslyAllowBrowser): the browser's headers and User-Agent, the SDK's platform headers. */
  anthropicInChrome: {
    headers: {
      accept: "application/json",
      "content-type": "application/json",
      "accept-encoding": "gzip, deflate, br, zstd",
      "accept-language": "en-US,en;q=0.9",
      origin: "https://app.example",
      referer: "https://app.example/",
      priority: "u=1, i",
      "sec-ch-ua": '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      "sec-ch-ua-mobile": "?0",
      "sec-ch-ua-platform": '"macOS"',
      "sec-fetch-dest": "empty",
      "sec-fetch-mode": "cors",
      "sec-fetch-site": "cross-site",
      "user-agent":
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "anthropic-version": "2023-06-01",
      "anthropic-dangerous-direct-browser-access": "true",
      "x-stainless-lang": "js",
      "x-stainless-package-version": "0.71.0",
      "x-stainless-os": "Unknown",
      "x-stainless-arch": "unknown",
      "x-stainless-runtime": "browser:chrome",
      "x-stainless-runtime-version": "131.0.0",
      "x-stainless-retry-count": "0",
      "x-stainless-timeout": "600",
    },
    cf: CHROME_TLS13,
  },
  chrome: {
    headers: {
      accept: "*/*",
      "content-type": "application/json",
      "accept-encoding": "gzip, deflate, br, zstd",
      "accept-language": "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
      origin: "https://chat.example",
      referer: "https://chat.example/",
      priority: "u=1, i",
      "sec-ch-ua": '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      "sec-ch-ua-mobile": "?0",
      "sec-ch-ua-platform": '"Windows"',
      "sec-fetch-dest": "empty",
      "sec-fetch-mode": "cors",
      "sec-fetch-site": "same-site",
      "user-agent":
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    },
    cf: CHROME_TLS13,
  },
  edge: {
    headers: {
      accept: "*/*",
      "content-type": "application/json",
      "accept-encoding": "gzip, deflate, br, zstd",
      "accept-language": "en-GB,en;q=0.9",
      origin: "https://chat.example",
      "sec-ch-ua": '"Microsoft Edge";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      "sec-ch-ua-mobile": "?0",
      "sec-ch-ua-platform": '"Windows"',
      "sec-fetch-dest": "empty",
      "sec-fetch-mode": "cors",
      "sec-fetch-site": "same-site",
      "user-agent":
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    },
    cf: CHROME_TLS13,
  },
  firefox: {
    headers: {
      accept: "*/*",
      "content-type": "application/json",
      "accept-encoding": "gzip, deflate, br, zstd",
      "accept-language": "en-US,en;q=0.5",
      origin: "https://chat.example",
      priority: "u=4",
      "sec-fetch-dest": "empty",
      "sec-fetch-mode": "cors",
      "sec-fetch-site": "same-site",
      "user-agent": "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    },
    cf: NSS_TLS13,
  },
  safari: {
    headers: {
      accept: "*/*",
      "content-type": "application/json",
      "accept-encoding": "gzip, deflate, br",
      "accept-language": "fr-FR,fr;q=0.9",
      origin: "https://chat.example",
      priority: "u=3, i",
      "sec-fetch-dest": "empty",
      "sec-fetch-mode": "cors",
      "sec-fetch-site": "same-site",
      "user-agent":
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    },
    cf: APPLE_TLS13,
  },
  iphoneSafari: {
    headers: {
      accept: "*/*",
      "content-type": "application/json",
      "accept-encoding": "gzip, deflate, br",
      "accept-language": "en-US,en;q=0.9",
      origin: "https://chat.example",
      "user-agent":
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    },
    cf: { ...APPLE_TLS13, httpProtocol: "HTTP/3" },
  },
  headlessChrome: {
    headers: {
      accept: "*/*",
      "content-type": "application/json",
      "accept-encoding": "gzip, deflate, br, zstd",
      "accept-language": "en-US,en;q=0.9",
      origin: "https://chat.example",
      "sec-ch-ua": '"HeadlessChrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      "sec-ch-ua-mobile": "?0",
      "sec-ch-ua-platform": '"Linux"',
      "sec-fetch-dest": "empty",
      "sec-fetch-mode": "cors",
      "sec-fetch-site": "same-site",
      "user-agent":
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
    },
    cf: CHROME_TLS13,
  },
  curl: {
    headers: { accept: "*/*", "content-type": "application/json", "user-agent": "curl/8.5.0" },
    cf: { ...OPENSSL_TLS13, tlsClientHelloLength: "517", httpProtocol: "HTTP/2" },
  },
  pythonRequests: {
    headers: {
      accept: "*/*",
      "accept-encoding": "gzip, deflate",
      connection: "keep-alive",
      "content-type": "application/json",
      "user-agent": "python-requests/2.32.3",
    },
    cf: OPENSSL_TLS13,
  },
  httpx: {
    headers: { accept: "*/*", ...httpx, "content-type": "application/json", "user-agent": "python-httpx/0.28.1" },
    cf: OPENSSL_TLS13,
  },
  aiohttp: {
    headers: {
      accept: "*/*",
      "accept-encoding": "gzip, deflate",
      "content-type": "application/json",
      "user-agent": "Python/3.12 aiohttp/3.11.10",
    },
    cf: OPENSSL_TLS13,
  },
  goHttp: {
    headers: { "accept-encoding": "gzip", "content-type": "application/json", "user-agent": "Go-http-client/2.0" },
    cf: GO_TLS13,
  },
  nodeFetch: {
    headers: { accept: "*/*", ...undici, "content-type": "application/json", "user-agent": "node" },
    cf: OPENSSL_TLS13,
  },
  axios: {
    headers: {
      accept: "application/json, text/plain, */*",
      "accept-encoding": "gzip, compress, deflate, br",
      "content-type": "application/json",
      "user-agent": "axios/1.7.9",
    },
    cf: OPENSSL_TLS13,
  },
  noUserAgent: {
    headers: { accept: "*/*", "content-type": "application/json" },
    cf: OPENSSL_TLS13,
  },
} satisfies Record<string, ClientSample>;

export type ClientName = keyof typeof CLIENTS;

/** The sample with some headers replaced (a value) or removed (null), and cf fields merged in. */
export function variant(
  name: ClientName,
  headers: Record<string, string | null> = {},
  cf: CfFields = {},
): ClientSample {
  const base = CLIENTS[name];
  const merged: Record<string, string> = { ...base.headers };
  for (const [k, v] of Object.entries(headers)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return { headers: merged, cf: { ...base.cf, ...cf } };
}
