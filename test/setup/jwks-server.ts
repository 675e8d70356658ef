/// <reference path="../provided-jwks.d.ts" />
/**
 * A stand-in for an identity provider's JWKS endpoint, whose key sets tests
 * replace at will (key rotation without a redeploy) and whose fetches it
 * counts (JWKS caching and refetch limits). Tests generate the keys with
 * WebCrypto, sign their own tokens, and PUT the public halves here.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sets = new Map<string, string>();
  const fetches = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const [, kind, name] = (req.url ?? "").split("/");
    if (!name) return void res.writeHead(404).end();
    if (kind === "jwks" && req.method === "PUT") {
      sets.set(name, await readBody(req));
      return void res.writeHead(204).end();
    }
    if (kind === "jwks" && req.method === "GET") {
      fetches.set(name, (fetches.get(name) ?? 0) + 1);
      const body = sets.get(name);
      if (body === undefined) return void res.writeHead(404).end();
      return void res.writeHead(200, { "content-type": "application/json" }).end(body);
    }
    if (kind === "count" && req.method === "GET") {
      return void res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ fetches: fetches.get(name) ?? 0 }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("jwksServer", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise((resolve) => server.close(() => resolve()));
}
