/// <reference path="../origin.provided.d.ts" />
// Starts the demo origin (test mode, free port) for the whole run and hands
// its address to the tests, with an address where nothing listens.
import type { TestProject } from "vitest/node";
import { startDemoOrigin } from "../../scripts/demo-origin.ts";
import { freePort } from "./free-port.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const origin = await startDemoOrigin({ test: true });
  project.provide("originUrl", origin.url);
  project.provide("refusedUrl", `http://127.0.0.1:${await freePort()}`);
  return () => origin.close();
}
