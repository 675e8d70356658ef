// The data point's schema is what users query: docs/telemetry.md must say exactly what the code writes.
import { describe, expect, it } from "vitest";
import docs from "../../docs/telemetry.md?raw";
import { toDataPoint } from "../../src/telemetry/analytics.ts";
import { BLOBS, DOUBLES } from "../../src/telemetry/analytics-schema.ts";
import type { DecisionEvent } from "../../src/telemetry/event.ts";

describe("the Analytics Engine schema", () => {
  it("is documented in docs/telemetry.md, column by column, in order", () => {
    BLOBS.forEach(([name, meaning], i) => expect(docs).toContain(`| \`blob${i + 1}\` | \`${name}\` | ${meaning} |`));
    DOUBLES.forEach(([name, meaning], i) =>
      expect(docs).toContain(`| \`double${i + 1}\` | \`${name}\` | ${meaning} |`),
    );
  });

  it("fits Analytics Engine's limits (20 blobs, 20 doubles, one index of at most 96 bytes)", () => {
    const event: DecisionEvent = {
      timestamp: "",
      requestId: "r",
      route: "x".repeat(200),
      mode: "enforce",
      action: "allow",
      enforced: true,
      status: 200,
      reason: null,
      reasons: [],
      method: "GET",
      path: "/".repeat(1000),
      model: null,
      country: null,
      region: null,
      asn: null,
      colo: null,
      keyHash: null,
      fingerprint: null,
      cluster: null,
      template: null,
      risk: 0,
      retryAfterSeconds: null,
      decisionMs: 0,
      originMs: null,
      degrade: "x".repeat(1000),
      tier: "top",
      evidence: "x".repeat(1000),
    };
    const point = toDataPoint(event);
    expect(point.blobs!.length).toBeLessThanOrEqual(20);
    expect(point.doubles!.length).toBeLessThanOrEqual(20);
    expect(new TextEncoder().encode(point.indexes![0] as string).length).toBeLessThanOrEqual(96);
  });
});
