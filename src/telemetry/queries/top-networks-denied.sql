-- Networks (ASNs) with the most denials, last 24 hours
-- Many keys denied from one network is what a farm looks like; block the ASN
-- for a while with POST /_guard/blocks {"asn": 64500, ...} or deny it in geo.deny.asns.
SELECT
  double2 AS asn,
  SUM(_sample_interval) AS denials,
  COUNT(DISTINCT blob7) AS keys,
  COUNT(DISTINCT blob3) AS reasons
FROM distill_guard
WHERE timestamp > NOW() - INTERVAL '1' DAY
  AND blob2 IN ('block', 'throttle')
  AND double2 > 0
GROUP BY asn
ORDER BY denials DESC
LIMIT 25
