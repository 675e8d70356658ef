import { describe, expect, it } from "vitest";
import { canonicalPath } from "../../src/config/canonical-path.ts";

describe("canonicalPath", () => {
  it("decodes escaped unreserved characters and keeps every other escape, in upper-case hex", () => {
    expect(canonicalPath("/v1/%6Dessages")).toBe("/v1/messages");
    expect(canonicalPath("/%41%7a%30%2D%2E%5F%7E")).toBe("/Az0-._~");
    expect(canonicalPath("/a%3ab%20c%c3%a9%25")).toBe("/a%3Ab%20c%C3%A9%25");
  });

  it("drops empty segments: duplicate, leading and trailing slashes", () => {
    expect(canonicalPath("//v1//messages")).toBe("/v1/messages");
    expect(canonicalPath("/v1/messages/")).toBe("/v1/messages");
    expect(canonicalPath("/")).toBe("/");
    expect(canonicalPath("//")).toBe("/");
  });

  it("resolves dot segments, never above the root", () => {
    expect(canonicalPath("/v1/./messages")).toBe("/v1/messages");
    expect(canonicalPath("/v1/x/../messages")).toBe("/v1/messages");
    expect(canonicalPath("/../../v1/messages")).toBe("/v1/messages");
    expect(canonicalPath("/v1/.../messages")).toBe("/v1/.../messages");
    expect(canonicalPath("/v1/a%2Eb")).toBe("/v1/a.b");
  });

  it("keeps case (routes match it insensitively)", () => {
    expect(canonicalPath("/V1/Messages")).toBe("/V1/Messages");
  });

  it("refuses what servers read differently", () => {
    for (const path of [
      "/v1/%2Fmessages",
      "/v1%2fmessages",
      "/v1/%5Cmessages",
      "/v1\\messages",
      "/v1/messages%00",
      "/v1/messages\u0000",
      "/v1/%0Amessages",
      "/v1/%7F",
      "/v1/%zzmessages",
      "/v1/messages%",
      "/v1/messages%4",
      "/v1/%2e%2e/admin",
      "/v1/.%2E/admin",
      "/v1/%2e/messages",
      "v1/messages",
      "",
    ]) {
      expect(canonicalPath(path), JSON.stringify(path)).toBeNull();
    }
  });
});
