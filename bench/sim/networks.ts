/**
 * Where simulated clients connect from, as Cloudflare's edge would describe
 * them: `request.cf` (country, region, continent, ASN and its organisation,
 * colo) and the `CF-Connecting-IP` address.
 *
 * The tables are real autonomous systems with their operators. They are the
 * simulator's own data, written independently of the gateway's presets: a
 * scenario says which networks its clients use, and the gateway has to
 * recognise them (or not) on its own.
 *
 * Addresses are synthetic but stable: each ASN owns a deterministic set of
 * IPv4 /16 blocks and IPv6 /32 prefixes derived from its number, and every
 * pool a scenario asks for (a few /24s of a cloud provider, one company
 * egress address, a residential ISP's whole space) is drawn from them. Two
 * segments on the same ASN can therefore meet in the same /24, as real
 * neighbours do.
 */
import { type Random, hashString } from "./random.ts";

export interface Country {
  continent: string;
  /** Cloudflare data centres that usually serve it. */
  colos: readonly string[];
  /** First-level ISO 3166-2 subdivisions (the part after `CC-`), as `cf.regionCode` reports them. */
  regions: readonly string[];
  /** Fixed-line consumer ISPs. */
  residential: readonly number[];
  /** Mobile carriers (carrier-grade NAT: many subscribers share an address). */
  mobile: readonly number[];
}

/** Countries the shipped scenarios use; a scenario may name only these (the validator says so). */
export const COUNTRIES: Readonly<Record<string, Country>> = {
  US: {
    continent: "NA",
    colos: ["IAD", "ORD", "DFW", "SJC", "LAX", "SEA", "ATL", "EWR"],
    regions: ["CA", "NY", "TX", "WA", "VA", "IL", "FL", "MA", "GA", "CO"],
    residential: [7922, 7018, 701, 20115, 22773, 209],
    mobile: [21928, 6167, 20057],
  },
  CA: {
    continent: "NA",
    colos: ["YYZ", "YVR", "YUL"],
    regions: ["ON", "QC", "BC", "AB"],
    residential: [812, 577, 6327],
    mobile: [812, 577],
  },
  MX: {
    continent: "NA",
    colos: ["QRO", "MEX"],
    regions: ["CMX", "JAL", "NLE"],
    residential: [8151, 17072],
    mobile: [28403],
  },
  BR: {
    continent: "SA",
    colos: ["GRU", "GIG", "FOR"],
    regions: ["SP", "RJ", "MG", "PR"],
    residential: [28573, 26599, 18881],
    mobile: [26615],
  },
  GB: {
    continent: "EU",
    colos: ["LHR", "MAN", "EDI"],
    regions: ["ENG", "SCT", "WLS"],
    residential: [2856, 5089, 5607],
    mobile: [12576, 25135],
  },
  DE: {
    continent: "EU",
    colos: ["FRA", "DUS", "HAM", "MUC", "TXL"],
    regions: ["BE", "BY", "HE", "NW", "HH", "BW"],
    residential: [3320, 3209, 6805, 8881],
    mobile: [3320, 3209],
  },
  FR: {
    continent: "EU",
    colos: ["CDG", "MRS"],
    regions: ["IDF", "ARA", "PAC", "OCC"],
    residential: [3215, 12322, 5410, 15557],
    mobile: [3215, 51207],
  },
  NL: { continent: "EU", colos: ["AMS"], regions: ["NH", "ZH", "UT"], residential: [1136, 33915], mobile: [1136] },
  ES: {
    continent: "EU",
    colos: ["MAD", "BCN"],
    regions: ["MD", "CT", "AN"],
    residential: [3352, 12479],
    mobile: [12430],
  },
  IT: {
    continent: "EU",
    colos: ["MXP", "FCO"],
    regions: ["25", "62", "72"],
    residential: [3269, 30722],
    mobile: [16232],
  },
  PL: { continent: "EU", colos: ["WAW"], regions: ["14", "12", "30"], residential: [5617, 12741], mobile: [12912] },
  UA: {
    continent: "EU",
    colos: ["KBP", "WAW"],
    regions: ["30", "46", "63", "51", "12"],
    residential: [6849, 15895],
    mobile: [15895, 21497],
  },
  TR: { continent: "AS", colos: ["IST"], regions: ["34", "06", "35"], residential: [9121, 34984], mobile: [16135] },
  IN: {
    continent: "AS",
    colos: ["BOM", "DEL", "MAA", "BLR"],
    regions: ["MH", "DL", "KA", "TN", "TG"],
    residential: [55836, 24560, 9829],
    mobile: [45609, 55836],
  },
  JP: {
    continent: "AS",
    colos: ["NRT", "KIX"],
    regions: ["13", "27", "14"],
    residential: [4713, 2516, 17676],
    mobile: [2516, 17676],
  },
  KR: { continent: "AS", colos: ["ICN"], regions: ["11", "41", "26"], residential: [4766, 9318, 3786], mobile: [4766] },
  SG: { continent: "AS", colos: ["SIN"], regions: ["01", "03", "05"], residential: [9506, 4657], mobile: [9506] },
  ID: { continent: "AS", colos: ["CGK"], regions: ["JK", "JB", "JT"], residential: [7713, 17451], mobile: [23693] },
  VN: { continent: "AS", colos: ["SGN", "HAN"], regions: ["SG", "HN"], residential: [7552, 45899], mobile: [7552] },
  PH: { continent: "AS", colos: ["MNL"], regions: ["00", "40"], residential: [9299, 132199], mobile: [132199] },
  AU: {
    continent: "OC",
    colos: ["SYD", "MEL"],
    regions: ["NSW", "VIC", "QLD"],
    residential: [1221, 4804, 7545],
    mobile: [1221],
  },
  NG: { continent: "AF", colos: ["LOS"], regions: ["LA", "FC"], residential: [29465, 37148], mobile: [29465] },
  EG: { continent: "AF", colos: ["CAI"], regions: ["C", "ALX"], residential: [8452, 24863], mobile: [36935] },
  IR: {
    continent: "AS",
    colos: ["IST", "FRA"],
    regions: ["23", "07"],
    residential: [58224, 12880],
    mobile: [197207, 44244],
  },
};

/** Operators of the ASNs the simulator uses, for `cf.asOrganization`. */
export const AS_ORGANIZATIONS: Readonly<Record<number, string>> = {
  // consumer and business ISPs, mobile carriers
  7922: "Comcast Cable Communications, LLC",
  7018: "AT&T Services, Inc.",
  701: "Verizon Business",
  20115: "Charter Communications",
  22773: "Cox Communications Inc.",
  209: "CenturyLink Communications, LLC",
  21928: "T-Mobile USA, Inc.",
  6167: "Verizon Wireless",
  20057: "AT&T Mobility LLC",
  812: "Rogers Communications Canada Inc.",
  577: "Bell Canada",
  6327: "Shaw Communications Inc.",
  8151: "UNINET",
  17072: "TOTAL PLAY TELECOMUNICACIONES",
  28403: "RadioMovil Dipsa (Telcel)",
  28573: "Claro NXT Telecomunicacoes Ltda",
  26599: "TELEFONICA BRASIL S.A",
  18881: "TELEFONICA BRASIL S.A",
  26615: "TIM S/A",
  2856: "British Telecommunications PLC",
  5089: "Virgin Media Limited",
  5607: "Sky UK Limited",
  12576: "EE Limited",
  25135: "Vodafone Limited",
  3320: "Deutsche Telekom AG",
  3209: "Vodafone GmbH",
  6805: "Telefonica Germany GmbH & Co.OHG",
  8881: "1&1 Versatel Deutschland GmbH",
  3215: "Orange S.A.",
  12322: "Free SAS",
  5410: "Bouygues Telecom SA",
  15557: "Societe Francaise Du Radiotelephone - SFR SA",
  51207: "Free Mobile SAS",
  1136: "KPN B.V.",
  33915: "Vodafone Libertel B.V.",
  3352: "TELEFONICA DE ESPANA S.A.U.",
  12479: "Orange Espagne SA",
  12430: "VODAFONE ESPANA S.A.U.",
  3269: "Telecom Italia S.p.A.",
  30722: "Vodafone Italia S.p.A.",
  16232: "Telecom Italia S.p.A.",
  5617: "Orange Polska Spolka Akcyjna",
  12741: "Netia SA",
  12912: "T-Mobile Polska S.A.",
  6849: "JSC Ukrtelecom",
  15895: "Kyivstar PJSC",
  21497: "PrJSC VF UKRAINE",
  9121: "Turk Telekomunikasyon Anonim Sirketi",
  34984: "Superonline Iletisim Hizmetleri A.S.",
  16135: "Turkcell Iletisim Hizmetleri A.S.",
  55836: "Reliance Jio Infocomm Limited",
  24560: "Bharti Airtel Ltd.",
  9829: "National Internet Backbone (BSNL)",
  45609: "Bharti Airtel Ltd. (mobile)",
  4713: "NTT Communications Corporation",
  2516: "KDDI CORPORATION",
  17676: "SoftBank Corp.",
  4766: "Korea Telecom",
  9318: "SK Broadband Co Ltd",
  3786: "LG DACOM Corporation",
  9506: "Singtel Fibre Broadband",
  4657: "StarHub Ltd",
  7713: "PT Telekomunikasi Indonesia",
  17451: "BIZNET NETWORKS",
  23693: "PT. Telekomunikasi Selular",
  7552: "Viettel Group",
  45899: "VNPT Corp",
  9299: "Philippine Long Distance Telephone Company",
  132199: "Globe Telecom Inc.",
  1221: "Telstra Limited",
  4804: "Microplex PTY LTD (Optus)",
  7545: "TPG Telecom Limited",
  29465: "MTN NIGERIA Communication limited",
  37148: "Globacom Limited",
  8452: "TE Data",
  24863: "LINKdotNET",
  36935: "Vodafone Egypt",
  58224: "Iran Telecommunication Company PJS",
  12880: "Information Technology Company (ITC)",
  197207: "Mobile Communication Company of Iran PLC",
  44244: "Iran Cell Service and Communication Company",
  // enterprise security proxies and corporate networks
  53813: "Zscaler, Inc.",
  62044: "Zscaler Switzerland GmbH",
  2914: "NTT America, Inc.",
  3356: "Level 3 Parent, LLC",
  // research and education networks
  786: "Jisc Services Limited",
  11537: "Internet2",
  // clouds and hosting
  16509: "Amazon.com, Inc.",
  14618: "Amazon.com, Inc.",
  396982: "Google LLC",
  15169: "Google LLC",
  8075: "Microsoft Corporation",
  31898: "Oracle Corporation",
  45102: "Alibaba (US) Technology Co., Ltd.",
  37963: "Hangzhou Alibaba Advertising Co.,Ltd.",
  132203: "Tencent Building, Kejizhongyi Avenue",
  136907: "HUAWEI CLOUDS",
  14061: "DigitalOcean, LLC",
  63949: "Akamai Connected Cloud",
  16276: "OVH SAS",
  24940: "Hetzner Online GmbH",
  20473: "The Constant Company, LLC",
  51167: "Contabo GmbH",
  60781: "LeaseWeb Netherlands B.V.",
  9009: "M247 Europe SRL",
  60068: "Datacamp Limited",
  212238: "Datacamp Limited",
  207137: "PacketHub S.A.",
  62240: "Clouvider",
  3258: "xTom Japan",
  11878: "tzulo, inc.",
  203020: "HostRoyale Technologies Pvt Ltd",
  // Tor exit operators
  60729: "Stiftung Erneuerbare Freiheit",
  208323: "Foundation for Applied Privacy",
  53667: "FranTech Solutions",
  4224: "The Calyx Institute",
  200052: "Feral.io Ltd",
  213035: "Serverion BV",
  44925: "The 1984 ehf",
};

/** ASNs that carry Tor exits (the edge reports their traffic as country `T1`). */
export const TOR_EXIT_ASNS: readonly number[] = [60729, 208323, 24940, 16276, 53667, 4224, 200052, 213035, 44925];

export interface Place {
  country: string;
  regionCode: string | null;
  continent: string | null;
  colo: string;
}

/** A concrete place in `country` (`T1`: a Tor exit, which the edge reports without region or continent). */
export function placeIn(country: string, r: Random): Place {
  if (country === "T1")
    return { country: "T1", regionCode: null, continent: null, colo: r.pick(["FRA", "AMS", "CDG", "ARN", "IAD"]) };
  const c = COUNTRIES[country]!;
  return { country, regionCode: r.pick(c.regions), continent: c.continent, colo: r.pick(c.colos) };
}

// ------------------------------------------------------------------ addresses

/** First octets an ASN's synthetic space avoids: private, shared, loopback, link-local, multicast, documentation. */
const RESERVED_FIRST = new Set([0, 10, 100, 127, 169, 172, 192, 198, 203]);

/** The `i`-th IPv4 /16 block of an ASN: `a.b`. */
function block(asn: number, i: number): string {
  const h = hashString(`v4:${asn}:${i}`);
  let a = 1 + (h % 223);
  while (RESERVED_FIRST.has(a)) a = 1 + ((a + 37) % 223);
  return `${a}.${(h >>> 8) & 255}`;
}

/** The `i`-th IPv6 /32 of an ASN, as its first two groups (`2a02:1c4f`). */
function block6(asn: number, i: number): string {
  const h = hashString(`v6:${asn}:${i}`);
  return `2a0${(h % 9) + 1}:${((h >>> 8) & 0xffff).toString(16)}`;
}

const BLOCKS_PER_ASN = 64;

/** A /24 of an ASN, as its first three octets (`81.12.4`). */
export function randomSubnet24(asn: number, r: Random): string {
  return `${block(asn, r.int(BLOCKS_PER_ASN))}.${r.int(256)}`;
}

/** A host in a /24 given by its first three octets. */
export const hostIn = (subnet24: string, r: Random): string => `${subnet24}.${1 + r.int(254)}`;

/**
 * A residential IPv6 address: ISPs delegate a /56 to each household out of
 * shared /48s, so many households sit in one /48 (the gateway's IPv6
 * "subnet") and each device in its household's /64.
 */
export function residentialIpv6(asn: number, r: Random): string {
  const hex = (n: number) => n.toString(16);
  const p48 = `${block6(asn, r.int(8))}:${hex(r.int(0x10000))}`;
  const household = r.int(256) << 8;
  return `${p48}:${hex(household)}:${hex(r.int(0x10000))}:${hex(r.int(0x10000))}:${hex(r.int(0x10000))}:${hex(1 + r.int(0xfffe))}`;
}

export const asOrganization = (asn: number): string | null => AS_ORGANIZATIONS[asn] ?? null;
