import type { Preset } from "./types";

/**
 * Autonomous systems of major cloud and hosting providers: traffic from them
 * is a server, a VPN exit or a proxy, rarely a person. Farms harvesting model
 * outputs rent here to spread across addresses and to hide their location.
 *
 * Left out on purpose: networks whose egress is mostly people behind a
 * privacy relay or consumer VPN run by a CDN (Cloudflare 13335 with WARP,
 * Akamai 20940/16625 and Fastly 54113 with iCloud Private Relay). Deny them
 * by ASN if you mean to.
 *
 * A starting point, not a census: providers add networks. Review it against
 * what your logs show (`network.hosting` flags carry the ASN).
 */
export const HOSTING_NETWORKS: readonly (readonly [asn: number, provider: string])[] = [
  [16509, "Amazon Web Services"],
  [14618, "Amazon Web Services"],
  [8987, "Amazon Web Services (EU)"],
  [38895, "Amazon Web Services (AP)"],
  [396982, "Google Cloud"],
  [15169, "Google"],
  [19527, "Google"],
  [8075, "Microsoft Azure"],
  [8068, "Microsoft"],
  [12076, "Microsoft Azure (ExpressRoute)"],
  [31898, "Oracle Cloud"],
  [792, "Oracle"],
  [45102, "Alibaba Cloud"],
  [37963, "Alibaba Cloud (CN)"],
  [132203, "Tencent Cloud"],
  [45090, "Tencent Cloud (CN)"],
  [136907, "Huawei Cloud"],
  [55990, "Huawei Cloud (CN)"],
  [14061, "DigitalOcean"],
  [393406, "DigitalOcean"],
  [63949, "Linode / Akamai Connected Cloud"],
  [16276, "OVHcloud"],
  [35540, "OVHcloud"],
  [24940, "Hetzner"],
  [213230, "Hetzner Cloud"],
  [212317, "Hetzner (US)"],
  [20473, "Vultr / Choopa"],
  [12876, "Scaleway"],
  [51167, "Contabo"],
  [60781, "Leaseweb (NL)"],
  [16265, "Leaseweb"],
  [30633, "Leaseweb (US)"],
  [28753, "Leaseweb (DE)"],
  [59253, "Leaseweb (Asia)"],
  [7203, "Leaseweb (US)"],
  [9009, "M247"],
  [36351, "IBM Cloud / SoftLayer"],
  [47583, "Hostinger"],
  [8560, "IONOS"],
  [7979, "Servers.com"],
  [199524, "G-Core Labs"],
  [21859, "Zenlayer"],
  [60068, "DataCamp / CDN77"],
  [40676, "Psychz Networks"],
  [8100, "QuadraNet"],
  [36352, "ColoCrossing"],
  [54290, "Hostwinds"],
  [53667, "FranTech / BuyVM"],
  [54825, "Equinix Metal"],
  [49505, "Selectel"],
  [9123, "Timeweb"],
  [200350, "Yandex Cloud"],
  [135377, "UCloud"],
  [210644, "Aeza"],
  [26496, "GoDaddy"],
  [22612, "Namecheap"],
  [32244, "Liquid Web"],
  [27357, "Rackspace"],
  [19318, "InterServer"],
];

export const HOSTING: Preset = {
  name: "hosting",
  date: "2026-11-22",
  summary: `${HOSTING_NETWORKS.length} ASNs of cloud and hosting providers (AWS, Google Cloud, Azure, Oracle, Alibaba, Tencent, Huawei, DigitalOcean, Linode, OVH, Hetzner, Vultr, Scaleway, Contabo, Leaseweb, M247 and others)`,
  kind: "hosting",
  asns: HOSTING_NETWORKS.map(([asn]) => asn),
};
