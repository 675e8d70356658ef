/**
 * IP address parsing and prefixes, without dependencies.
 * An address is kept as bytes: 4 for IPv4, 16 for IPv6. IPv4-mapped IPv6
 * addresses (`::ffff:203.0.113.7`) are read as the IPv4 address they carry, so
 * they are never masked as IPv6 (a /64 of them would cover all of IPv4).
 */
export interface IpAddress {
  version: 4 | 6;
  bytes: Uint8Array;
}

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!IPV4_PART.test(parts[i]!)) return null;
    bytes[i] = Number(parts[i]);
  }
  return bytes;
}

function parseIPv6(text: string): Uint8Array | null {
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const words: number[] = [];
  const pushGroups = (list: string[], isLast: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (isLast && i === list.length - 1 && g.includes(".")) {
        const v4 = parseIPv4(g);
        if (!v4) return false;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        words.push(parseInt(g, 16));
      } else {
        return false;
      }
    }
    return true;
  };
  if (!pushGroups(head, halves.length === 1)) return null;
  const headLength = words.length;
  if (!pushGroups(tail, true)) return null;
  if (halves.length === 2) {
    const missing = 8 - words.length;
    if (missing < 1) return null;
    words.splice(headLength, 0, ...new Array<number>(missing).fill(0));
  }
  if (words.length !== 8) return null;
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return bytes;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 becomes IPv4. Null when malformed. */
export function parseIp(text: string | null | undefined): IpAddress | null {
  if (!text) return null;
  text = text.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  if (!text.includes(":")) {
    const v4 = parseIPv4(text);
    return v4 ? { version: 4, bytes: v4 } : null;
  }
  const v6 = parseIPv6(text);
  if (!v6) return null;
  if (isV4Mapped(v6)) return { version: 4, bytes: v6.slice(12) };
  return { version: 6, bytes: v6 };
}

/** The address with every bit past `bits` cleared. */
export function maskIp(ip: IpAddress, bits: number): IpAddress {
  const bytes = ip.bytes.slice();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  return { version: ip.version, bytes };
}

/** Canonical text: dotted quad, or IPv6 in full lower-case hex groups (stable, unambiguous keys). */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) return Array.from(ip.bytes).join(".");
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((ip.bytes[i]! << 8) | ip.bytes[i + 1]!).toString(16));
  return words.join(":");
}

/** `203.0.113.0/24`, `2001:db8:0:0:0:0:0:0/48`: the prefix of the address as text. */
export function prefixOf(ip: IpAddress, bits: number): string {
  return `${formatIp(maskIp(ip, bits))}/${bits}`;
}

export interface Cidr {
  version: 4 | 6;
  bits: number;
  network: Uint8Array;
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address (a single host).
 * An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) becomes the IPv4 range it maps.
 * Null when malformed or when host bits are set past the prefix.
 */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf("/");
  const ip = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!ip) return null;
  const rawIsV6 = text.slice(0, slash >= 0 ? slash : undefined).includes(":");
  const max = rawIsV6 ? 128 : 32;
  let bits = max;
  if (slash >= 0) {
    const b = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b)) return null;
    bits = Number(b);
    if (bits > max) return null;
  }
  if (rawIsV6 && ip.version === 4) {
    // a mapped range: its first 96 bits are the ::ffff: prefix
    if (bits < 96) return null;
    bits -= 96;
  }
  const network = maskIp(ip, bits).bytes;
  if (!network.every((b, i) => b === ip.bytes[i])) return null;
  return { version: ip.version, bits, network };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.version !== ip.version) return false;
  const masked = maskIp(ip, cidr.bits).bytes;
  for (let i = 0; i < masked.length; i++) if (masked[i] !== cidr.network[i]) return false;
  return true;
}
