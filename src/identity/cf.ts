/** Fields of `request.cf` the gateway reads. Every one may be missing (local runs, plans, protocols). */
export interface CfFields {
  country?: string;
  regionCode?: string;
  region?: string;
  continent?: string;
  city?: string;
  asn?: number;
  asOrganization?: string;
  colo?: string;
  tlsVersion?: string;
  tlsCipher?: string;
  tlsClientCiphersSha1?: string;
  tlsClientExtensionsSha1?: string;
  tlsClientHelloLength?: string;
  httpProtocol?: string;
  botManagement?: { score?: number; verifiedBot?: boolean; corporateProxy?: boolean; ja3Hash?: string; ja4?: string };
}
