/// <reference path="../origin.provided.d.ts" />
// Starts the demo origin (test mode, free port) for the whole run and hands
// its address to the tests, with an address where nothing listens.
import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import { startDemoOrigin } from "../../scripts/demo-origin.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const origin = await startDemoOrigin({ test: true });
  project.provide("originUrl", origin.url);
  project.provide("refusedUrl", `http://127.0.0.1:${await closedPort()}`);
  return () => origin.close();
}

/** A port that was free a moment ago and is closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
