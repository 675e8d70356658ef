// `npm run key-hash`: the key on standard input, the same hash the gateway computes.
import { describe, expect, it } from "vitest";
import { createKeyHasher } from "../../src/identity/key-hash.ts";
import { runScript } from "./run-script.ts";

const SECRET = "test-key-hash-secret-0123456789";
const keyHash = (input: string, env: Record<string, string>, args: string[] = []) =>
  runScript("key-hash.ts", args, env, input);

describe("npm run key-hash", () => {
  it("prints the gateway's hash of each key on standard input", async () => {
    const hash = createKeyHasher(SECRET);
    const out = await keyHash("sk-partner-batch\n  sk-other \n", { KEY_HASH_SECRET: SECRET });
    expect(out).toMatchObject({ code: 0, stderr: "" });
    expect(out.stdout).toBe(`${await hash("sk-partner-batch")}\n${await hash("sk-other")}\n`);
  });

  it("refuses a key given as an argument, and a missing secret, without printing the key", async () => {
    const asArgument = await keyHash("", { KEY_HASH_SECRET: SECRET }, ["sk-in-history"]);
    expect(asArgument.code).toBe(2);
    expect(asArgument.stderr).toMatch(/standard input/);
    expect(asArgument.stdout + asArgument.stderr).not.toContain("sk-in-history");
    const noSecret = await keyHash("sk-partner-batch", {});
    expect(noSecret).toMatchObject({ code: 2, stdout: "" });
    expect(noSecret.stderr).toMatch(/KEY_HASH_SECRET/);
  });
});
