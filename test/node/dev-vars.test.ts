// `npm run dev` with a .dev.vars: the secrets it lacks get local-only values (scripts/dev-vars.ts).
import { describe, expect, it } from "vitest";
import { DEV_KEY_HASH_SECRET, devSecretArgs, devVarNames } from "../../scripts/dev-vars.ts";

const devSecret = ["--var", `KEY_HASH_SECRET:${DEV_KEY_HASH_SECRET}`];

describe("npm run dev's secrets", () => {
  it("gives a .dev.vars holding only ADMIN_TOKEN the local key-hash secret (else every request would be 503)", () => {
    expect(devSecretArgs("ADMIN_TOKEN=0123456789abcdef0123\n")).toEqual(devSecret);
  });

  it("gives it when there is no .dev.vars, and never overrides the developer's own", () => {
    expect(devSecretArgs(null)).toEqual(devSecret);
    expect(devSecretArgs("KEY_HASH_SECRET=my-own-local-secret-0123\nADMIN_TOKEN=x")).toEqual([]);
    expect(devSecretArgs('export KEY_HASH_SECRET="quoted value of some length"')).toEqual([]);
  });

  it("reads the names a .dev.vars sets, skipping comments and blank lines", () => {
    const text = "# KEY_HASH_SECRET=commented out\r\n\nADMIN_TOKEN=a=b\n  export ORIGIN_API_KEY = sk\nnot a line\n";
    expect([...devVarNames(text)]).toEqual(["ADMIN_TOKEN", "ORIGIN_API_KEY"]);
    expect(devSecretArgs(text)).toEqual(devSecret);
  });
});
