/**
 * Starts a throwaway redis-server on a free loopback port: no persistence,
 * many databases (one per bridge tenant), stopped by `stop()`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "./free-port.ts";
import { connectRedis } from "./resp.ts";

export interface RedisServer {
  port: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForPing(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    try {
      const conn = await connectRedis(port);
      const pong = await conn.send(["PING"]);
      conn.close();
      if (pong === "PONG") return true;
    } catch {
      await sleep(50);
    }
  }
  return false;
}

export async function startRedis(): Promise<RedisServer> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--databases",
        "1024",
        "--logfile",
        "",
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const spawned = await new Promise<boolean>((resolve) => {
      child.once("spawn", () => resolve(true));
      child.once("error", () => resolve(false));
    });
    if (!spawned) throw new Error("redis-server not found: install it (apt-get install redis-server); .ci/run does");
    if (await waitForPing(port, child)) {
      return {
        port,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      };
    }
    child.kill("SIGKILL");
  }
  throw new Error("redis-server did not start");
}
