import { describe, expect, it } from "vitest";
import { cidrContains, formatIp, parseCidr, parseIp, prefixOf } from "../../src/identity/ip.ts";

describe("parseIp", () => {
  it("parses IPv4 and rejects malformed ones", () => {
    expect(formatIp(parseIp("203.0.113.7")!)).toBe("203.0.113.7");
    for (const bad of ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "", "a.b.c.d"]) expect(parseIp(bad)).toBeNull();
  });

  it("parses IPv6 forms into one canonical text", () => {
    expect(formatIp(parseIp("2001:DB8::1")!)).toBe("2001:db8:0:0:0:0:0:1");
    expect(formatIp(parseIp("::")!)).toBe("0:0:0:0:0:0:0:0");
    expect(formatIp(parseIp("[2001:db8:0:0:0:0:0:1]")!)).toBe("2001:db8:0:0:0:0:0:1");
    expect(formatIp(parseIp("64:ff9b::192.0.2.33")!)).toBe("64:ff9b:0:0:0:0:c000:221");
    for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1"]) expect(parseIp(bad)).toBeNull();
  });

  it("reads IPv4-mapped IPv6 as IPv4, so it is never masked as IPv6", () => {
    const ip = parseIp("::ffff:203.0.113.7")!;
    expect(ip.version).toBe(4);
    expect(prefixOf(ip, 24)).toBe("203.0.113.0/24");
    expect(parseIp("::ffff:cb00:7107")!.version).toBe(4);
  });

  it("builds the limit prefixes: IPv4 /32 and /24, IPv6 /64 and /48", () => {
    expect(prefixOf(parseIp("198.51.100.200")!, 24)).toBe("198.51.100.0/24");
    const v6 = parseIp("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff")!;
    expect(prefixOf(v6, 64)).toBe("2001:db8:aaaa:bbbb:0:0:0:0/64");
    expect(prefixOf(v6, 48)).toBe("2001:db8:aaaa:0:0:0:0:0/48");
  });
});

describe("CIDR", () => {
  it("matches IPv4 and IPv6 ranges", () => {
    const v4 = parseCidr("10.0.0.0/8")!;
    expect(cidrContains(v4, parseIp("10.255.1.2")!)).toBe(true);
    expect(cidrContains(v4, parseIp("11.0.0.1")!)).toBe(false);
    const v6 = parseCidr("2001:db8::/32")!;
    expect(cidrContains(v6, parseIp("2001:db8:ffff::1")!)).toBe(true);
    expect(cidrContains(v6, parseIp("2001:db9::1")!)).toBe(false);
    expect(cidrContains(v6, parseIp("10.0.0.1")!)).toBe(false);
  });

  it("keeps IPv4-mapped ranges apart: each maps onto its own IPv4 range", () => {
    const a = parseCidr("::ffff:10.0.0.0/104")!;
    expect(a).toMatchObject({ version: 4, bits: 8 });
    expect(cidrContains(a, parseIp("10.1.2.3")!)).toBe(true);
    expect(cidrContains(a, parseIp("::ffff:10.1.2.3")!)).toBe(true);
    expect(cidrContains(a, parseIp("192.168.0.1")!)).toBe(false);
    expect(cidrContains(a, parseIp("::ffff:192.168.0.1")!)).toBe(false);
  });

  it("rejects malformed ranges and host bits past the prefix", () => {
    for (const bad of ["10.0.0.0/33", "10.0.0.1/8", "2001:db8::/129", "nope/8", "10.0.0.0/x", "::ffff:10.0.0.0/64"])
      expect(parseCidr(bad)).toBeNull();
    expect(parseCidr("192.0.2.1")).toMatchObject({ version: 4, bits: 32 });
  });
});
